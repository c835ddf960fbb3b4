#include "decision/cron.h"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace steward::decision {
namespace {

constexpr int64_t kMinuteMs = 60 * kMsPerSecond;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr const char* kNewYork = "America/New_York";

int64_t Ms(std::string_view rfc3339) {
  Result<int64_t> r = ParseTimestamp(rfc3339);
  EXPECT_TRUE(r.ok()) << rfc3339;
  return r.ok() ? *r : 0;
}

CronSpec Parse(std::string_view expr) {
  Result<CronSpec> r = ParseCron(expr);
  EXPECT_TRUE(r.ok()) << expr << ": " << r.status().ToString();
  return r.ok() ? *r : CronSpec{};
}

// "2026-03-08 03:30 EDT": the wall time of `ms` in `tz`.
std::string Local(int64_t ms, const char* tz) {
  auto zt = date::make_zoned(
      tz, date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
  return date::format("%F %R", date::floor<std::chrono::minutes>(zt.get_local_time())) + " " +
         zt.get_info().abbrev;
}

// The next slot, asserting there is one.
int64_t Next(std::string_view expr, const char* tz, int64_t after) {
  Result<int64_t> r = NextSlot(expr, tz, after);
  EXPECT_TRUE(r.ok()) << expr << " " << tz << " after " << FormatTimestamp(after) << ": "
                      << r.status().ToString();
  return r.ok() ? *r : 0;
}

// Every slot in (from, to], as RFC 3339 UTC strings.
std::vector<std::string> Slots(std::string_view expr, const char* tz, int64_t from, int64_t to) {
  std::vector<std::string> out;
  int64_t t = from;
  while (true) {
    t = Next(expr, tz, t);
    if (t == 0 || t > to) break;
    out.push_back(FormatTimestamp(t));
  }
  return out;
}

std::vector<int> Bits(const auto& bits) {
  std::vector<int> out;
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) out.push_back(static_cast<int>(i));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(ParseCron, NumbersAndStars) {
  CronSpec s = Parse("5 4 3 2 1");
  EXPECT_EQ(Bits(s.minutes), std::vector<int>{5});
  EXPECT_EQ(Bits(s.hours), std::vector<int>{4});
  EXPECT_EQ(Bits(s.days_of_month), std::vector<int>{3});
  EXPECT_EQ(Bits(s.months), std::vector<int>{2});
  EXPECT_EQ(Bits(s.days_of_week), std::vector<int>{1});
  EXPECT_FALSE(s.dom_star);
  EXPECT_FALSE(s.dow_star);

  CronSpec all = Parse("* * * * *");
  EXPECT_TRUE(all.minutes.all());
  EXPECT_TRUE(all.hours.all());
  EXPECT_EQ(all.days_of_month.count(), 31u);
  EXPECT_FALSE(all.days_of_month[0]);
  EXPECT_EQ(all.months.count(), 12u);
  EXPECT_FALSE(all.months[0]);
  EXPECT_TRUE(all.days_of_week.all());
  EXPECT_TRUE(all.dom_star);
  EXPECT_TRUE(all.dow_star);
}

TEST(ParseCron, RangesListsSteps) {
  EXPECT_EQ(Bits(Parse("10-13 * * * *").minutes), (std::vector<int>{10, 11, 12, 13}));
  EXPECT_EQ(Bits(Parse("1,5,59 * * * *").minutes), (std::vector<int>{1, 5, 59}));
  EXPECT_EQ(Bits(Parse("*/15 * * * *").minutes), (std::vector<int>{0, 15, 30, 45}));
  EXPECT_EQ(Bits(Parse("* */6 * * *").hours), (std::vector<int>{0, 6, 12, 18}));
  EXPECT_EQ(Bits(Parse("* * */10 * *").days_of_month), (std::vector<int>{1, 11, 21, 31}));
  EXPECT_EQ(Bits(Parse("* * * */3 *").months), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(Bits(Parse("* * * * */2").days_of_week), (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(Bits(Parse("10-30/7 * * * *").minutes), (std::vector<int>{10, 17, 24}));
  EXPECT_EQ(Bits(Parse("0,10-12,*/20,58-59/1 * * * *").minutes),
            (std::vector<int>{0, 10, 11, 12, 20, 40, 58, 59}));
  EXPECT_EQ(Bits(Parse("*/60 * * * *").minutes), std::vector<int>{0});
  EXPECT_EQ(Bits(Parse("7 7 7 7 7").minutes), std::vector<int>{7});
  // Tabs and repeated spaces separate fields too.
  EXPECT_EQ(Parse("  0\t8  *  *\t*  "), Parse("0 8 * * *"));
}

TEST(ParseCron, Names) {
  EXPECT_EQ(Bits(Parse("0 0 * JAN,jul,Dec *").months), (std::vector<int>{1, 7, 12}));
  EXPECT_EQ(Bits(Parse("0 0 * mar-MAY *").months), (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(Bits(Parse("0 0 * JAN-DEC/6 *").months), (std::vector<int>{1, 7}));
  EXPECT_EQ(Parse("0 9 * * MON-FRI"), Parse("0 9 * * 1-5"));
  EXPECT_EQ(Parse("0 9 * * sun,Sat"), Parse("0 9 * * 0,6"));
  EXPECT_EQ(Parse("0 9 * * SUN-SAT").days_of_week.count(), 7u);
  EXPECT_EQ(Parse("0 0 * * TUE,thu"), Parse("0 0 * * 2,4"));
}

TEST(ParseCron, SundayIsZeroAndSeven) {
  EXPECT_EQ(Bits(Parse("0 0 * * 7").days_of_week), std::vector<int>{0});
  EXPECT_EQ(Bits(Parse("0 0 * * 5-7").days_of_week), (std::vector<int>{0, 5, 6}));
  EXPECT_EQ(Bits(Parse("0 0 * * 0-7").days_of_week).size(), 7u);
  EXPECT_EQ(Parse("0 0 * * 0"), Parse("0 0 * * 7"));
}

TEST(ParseCron, StarFlagsFollowVixie) {
  // A field beginning with '*' counts as unrestricted for the dom/dow rule, as Vixie's DOM_STAR.
  CronSpec s = Parse("0 0 */2 * 1-5");
  EXPECT_TRUE(s.dom_star);
  EXPECT_FALSE(s.dow_star);
  // An explicit full range is a restriction.
  CronSpec full = Parse("0 0 1-31 * 0-6");
  EXPECT_FALSE(full.dom_star);
  EXPECT_FALSE(full.dow_star);
}

struct BadCase {
  const char* expr;
  const char* message_part;
};

TEST(ParseCron, ErrorsNameTheFieldAndWhy) {
  const BadCase cases[] = {
      {"", "empty"},
      {"   \t ", "empty"},
      {"* * * *", "needs 5 fields"},
      {"0 0 * * * *", "got 6; seconds and year fields are not supported"},
      {"0 0 0 * * * 2026", "got 7"},
      {"@daily", "macros like @daily are not supported"},
      {"@reboot", "@reboot"},
      {"60 * * * *", "minute field \"60\": 60 is out of range 0-59"},
      {"-1 * * * *", "minute field \"-1\": \"-1\" is not a number"},
      {"* 24 * * *", "hour field \"24\": 24 is out of range 0-23"},
      {"* * 0 * *", "day-of-month field \"0\": 0 is out of range 1-31"},
      {"* * 32 * *", "day-of-month field"},
      {"* * * 13 *", "month field \"13\": 13 is out of range 1-12"},
      {"* * * 0 *", "month field"},
      {"* * * * 8", "day-of-week field \"8\": 8 is out of range 0-7"},
      {"*/0 * * * *", "minute field \"*/0\": step 0 must be between 1 and 60"},
      {"*/61 * * * *", "step 61 must be between 1 and 60"},
      {"* */25 * * *", "hour field"},
      {"* * * * */8", "step 8 must be between 1 and 7"},
      {"*/x * * * *", "step \"x\" is not a number"},
      {"*/ * * * *", "step \"\" is not a number"},
      {"5/15 * * * *", "needs a range: write \"5-59/15\" or \"*/15\""},
      {"30-10 * * * *", "range \"30-10\" is reversed"},
      {"0 0 * * FRI-MON", "day-of-week field \"FRI-MON\": range \"FRI-MON\" is reversed"},
      {"x * * * *", "minute field \"x\": \"x\" is not a number"},
      {"1x * * * *", "\"1x\" is not a number"},
      {"1,,2 * * * *", "empty list element"},
      {"1, * * * *", "empty list element"},
      {"1- * * * *", "empty value"},
      {"1-2-3 * * * *", "\"2-3\" is not a number"},
      {"99999999999999999999 * * * *", "out of range 0-59"},
      {"JAN * * * *", "minute field \"JAN\": \"JAN\" is not a number"},
      {"0 0 * FOO *", "month field \"FOO\": \"FOO\" is not a month name (JAN-DEC)"},
      {"0 0 * JANUARY *", "not a month name"},
      {"0 0 * * MONDAY", "day-of-week field \"MONDAY\": \"MONDAY\" is not a day-of-week name"},
      {"0 0 * * JAN", "not a day-of-week name (SUN-SAT)"},
      {"0 0 ? * MON", "day-of-month field \"?\""},
      {"0 0 L * *", "day-of-month field \"L\""},
      {"0 0 * * 1#2", "day-of-week field \"1#2\""},
      {"0 0 15W * *", "day-of-month field \"15W\""},
  };
  for (const BadCase& c : cases) {
    Result<CronSpec> r = ParseCron(c.expr);
    ASSERT_FALSE(r.ok()) << "accepted: \"" << c.expr << "\"";
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.expr;
    EXPECT_EQ(r.status().field(), "cron") << c.expr;
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos)
        << "\"" << c.expr << "\" gave: " << r.status().message();
  }
}

// ---------------------------------------------------------------------------------------------
// NextSlot in fixed-offset and ordinary zones

TEST(NextSlot, UtcBasics) {
  EXPECT_EQ(FormatTimestamp(Next("*/15 * * * *", "UTC", Ms("2026-05-04T10:07:30Z"))),
            "2026-05-04T10:15:00.000Z");
  // Strictly after: a slot exactly at `after` is not returned again.
  EXPECT_EQ(FormatTimestamp(Next("*/15 * * * *", "UTC", Ms("2026-05-04T10:15:00Z"))),
            "2026-05-04T10:30:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("*/15 * * * *", "UTC", Ms("2026-05-04T10:14:59.999Z"))),
            "2026-05-04T10:15:00.000Z");
  // Every minute: the next whole minute.
  EXPECT_EQ(FormatTimestamp(Next("* * * * *", "UTC", Ms("2026-05-04T10:07:30.500Z"))),
            "2026-05-04T10:08:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("* * * * *", "UTC", Ms("2026-05-04T10:08:00Z"))),
            "2026-05-04T10:09:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("* * * * *", "UTC", Ms("2026-12-31T23:59:00Z"))),
            "2027-01-01T00:00:00.000Z");
  // Rolls over hour, day, month and year.
  EXPECT_EQ(FormatTimestamp(Next("0 * * * *", "UTC", Ms("2026-05-04T23:00:00Z"))),
            "2026-05-05T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("0 0 1 * *", "UTC", Ms("2026-01-31T12:00:00Z"))),
            "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("0 0 1 1 *", "UTC", Ms("2026-01-01T00:00:00Z"))),
            "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("30 9 31 * *", "UTC", Ms("2026-04-01T00:00:00Z"))),
            "2026-05-31T09:30:00.000Z");
  // 2026-05-04 is a Monday.
  EXPECT_EQ(FormatTimestamp(Next("0 9 * * SAT", "UTC", Ms("2026-05-04T00:00:00Z"))),
            "2026-05-09T09:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("0 9 * * 7", "UTC", Ms("2026-05-04T00:00:00Z"))),
            "2026-05-10T09:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("0 9 * * *", "Etc/UTC", Ms("2026-05-04T09:00:00Z"))),
            "2026-05-05T09:00:00.000Z");
  // Before 1970 works too.
  EXPECT_EQ(FormatTimestamp(Next("0 12 * * *", "UTC", Ms("1969-07-20T20:17:00Z"))),
            "1969-07-21T12:00:00.000Z");
}

TEST(NextSlot, EuropeBerlin) {
  const char* berlin = "Europe/Berlin";
  // Winter, CET (+01:00). 2026-01-16 is a Friday.
  EXPECT_EQ(FormatTimestamp(Next("0 9 * * MON-FRI", berlin, Ms("2026-01-16T12:00:00Z"))),
            "2026-01-19T08:00:00.000Z");
  // Summer, CEST (+02:00).
  int64_t summer = Next("0 9 * * *", berlin, Ms("2026-07-01T00:00:00Z"));
  EXPECT_EQ(FormatTimestamp(summer), "2026-07-01T07:00:00.000Z");
  EXPECT_EQ(Local(summer, berlin), "2026-07-01 09:00 CEST");
  // Local midnight is the previous UTC day.
  EXPECT_EQ(FormatTimestamp(Next("0 0 * * *", berlin, Ms("2026-07-01T12:00:00Z"))),
            "2026-07-01T22:00:00.000Z");
  // Spring forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist that day.
  EXPECT_EQ(Slots("30 2 * * *", berlin, Ms("2026-03-27T00:00:00Z"), Ms("2026-03-31T00:00:00Z")),
            (std::vector<std::string>{"2026-03-27T01:30:00.000Z", "2026-03-28T01:30:00.000Z",
                                      "2026-03-30T00:30:00.000Z"}));
  // Fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 fires once, in CEST.
  EXPECT_EQ(Slots("30 2 * * *", berlin, Ms("2026-10-24T00:00:00Z"), Ms("2026-10-27T00:00:00Z")),
            (std::vector<std::string>{"2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z",
                                      "2026-10-26T01:30:00.000Z"}));
}

TEST(NextSlot, AsiaKolkataHalfHourOffset) {
  const char* kolkata = "Asia/Kolkata";  // +05:30, no DST
  int64_t t = Next("0 9 * * *", kolkata, Ms("2026-01-01T00:00:00Z"));
  EXPECT_EQ(FormatTimestamp(t), "2026-01-01T03:30:00.000Z");
  EXPECT_EQ(Local(t, kolkata), "2026-01-01 09:00 IST");
  // 23:30 local on Jan 1 is 18:00Z; local midnight of Jan 2 is 18:30Z on Jan 1.
  EXPECT_EQ(FormatTimestamp(Next("0 0 * * *", kolkata, Ms("2026-01-01T18:00:00Z"))),
            "2026-01-01T18:30:00.000Z");
  // The local weekday decides, not the UTC one: Friday 02:00 IST is Thursday 20:30Z.
  EXPECT_EQ(FormatTimestamp(Next("0 2 * * FRI", kolkata, Ms("2026-01-05T00:00:00Z"))),
            "2026-01-08T20:30:00.000Z");
  // 05:30 local -> 05:45 local.
  EXPECT_EQ(FormatTimestamp(Next("*/45 * * * *", kolkata, Ms("2026-01-01T00:00:00Z"))),
            "2026-01-01T00:15:00.000Z");
}

// ---------------------------------------------------------------------------------------------
// Daylight saving time (America/New_York, 2026: spring forward 03-08 02:00 EST -> 03:00 EDT,
// fall back 11-01 02:00 EDT -> 01:00 EST)

// Asserts that "0 8 * * *" fires exactly once per local day in [first_day, last_day] at 08:00.
void ExpectDailyEight(const char* first_day, const char* last_day, int expected_days) {
  const int64_t from = Ms(std::string(first_day) + "T00:00:00Z");
  const int64_t to = Ms(std::string(last_day) + "T23:59:59Z") + 6 * kHourMs;
  std::vector<std::string> days;
  int64_t t = from;
  while (true) {
    t = Next("0 8 * * *", kNewYork, t);
    if (t == 0 || t > to) break;
    std::string local = Local(t, kNewYork);
    EXPECT_EQ(local.substr(10, 6), " 08:00") << local;
    days.push_back(local.substr(0, 10));
  }
  ASSERT_EQ(static_cast<int>(days.size()), expected_days);
  EXPECT_EQ(days.front(), first_day);
  EXPECT_EQ(days.back(), last_day);
  for (size_t i = 1; i < days.size(); ++i) {
    // Consecutive local days, each once.
    EXPECT_EQ(Ms(days[i] + "T00:00:00Z") - Ms(days[i - 1] + "T00:00:00Z"), kMsPerDay)
        << days[i - 1] << " -> " << days[i];
  }
}

TEST(NextSlotDst, DailyEightAcrossSpringForward) {
  ExpectDailyEight("2026-03-01", "2026-04-01", 32);
  EXPECT_EQ(Local(Next("0 8 * * *", kNewYork, Ms("2026-03-07T14:00:00Z")), kNewYork),
            "2026-03-08 08:00 EDT");
  EXPECT_EQ(FormatTimestamp(Next("0 8 * * *", kNewYork, Ms("2026-03-07T14:00:00Z"))),
            "2026-03-08T12:00:00.000Z");
}

TEST(NextSlotDst, DailyEightAcrossFallBack) {
  ExpectDailyEight("2026-10-25", "2026-11-10", 17);
  EXPECT_EQ(FormatTimestamp(Next("0 8 * * *", kNewYork, Ms("2026-10-31T13:00:00Z"))),
            "2026-11-01T13:00:00.000Z");
}

TEST(NextSlotDst, NonexistentWallTimeIsSkipped) {
  // 02:30 does not exist on 2026-03-08.
  std::vector<std::string> slots =
      Slots("30 2 * * *", kNewYork, Ms("2026-03-06T12:00:00Z"), Ms("2026-03-10T12:00:00Z"));
  std::vector<std::string> local;
  for (const std::string& s : slots) local.push_back(Local(Ms(s), kNewYork));
  EXPECT_EQ(local, (std::vector<std::string>{"2026-03-07 02:30 EST", "2026-03-09 02:30 EDT",
                                             "2026-03-10 02:30 EDT"}));
  EXPECT_EQ(slots[0], "2026-03-07T07:30:00.000Z");
  EXPECT_EQ(slots[1], "2026-03-09T06:30:00.000Z");
  // From inside the gap's day, the next one is the day after.
  EXPECT_EQ(FormatTimestamp(Next("30 2 * * *", kNewYork, Ms("2026-03-08T06:59:00Z"))),
            "2026-03-09T06:30:00.000Z");
  // A schedule that only ever names the gap never fires on that day but does on others.
  EXPECT_EQ(FormatTimestamp(Next("30 2 8 3 *", kNewYork, Ms("2026-03-01T00:00:00Z"))),
            "2027-03-08T07:30:00.000Z");
}

TEST(NextSlotDst, TwoThirtyOnFallBackDayOccursOnce) {
  // On 2026-11-01 02:30 exists once (EST), after the repeated 01:00-01:59.
  std::vector<std::string> slots =
      Slots("30 2 * * *", kNewYork, Ms("2026-10-31T12:00:00Z"), Ms("2026-11-02T12:00:00Z"));
  EXPECT_EQ(slots,
            (std::vector<std::string>{"2026-11-01T07:30:00.000Z", "2026-11-02T07:30:00.000Z"}));
  EXPECT_EQ(Local(Ms(slots[0]), kNewYork), "2026-11-01 02:30 EST");
}

TEST(NextSlotDst, RepeatedWallTimeFiresOnceAtFirstOccurrence) {
  std::vector<std::string> slots =
      Slots("30 1 * * *", kNewYork, Ms("2026-10-31T12:00:00Z"), Ms("2026-11-02T12:00:00Z"));
  EXPECT_EQ(slots,
            (std::vector<std::string>{"2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"}));
  EXPECT_EQ(Local(Ms(slots[0]), kNewYork), "2026-11-01 01:30 EDT");
  // From the second pass through 01:00-01:59 (01:10 EST), today's 01:30 has already fired.
  EXPECT_EQ(FormatTimestamp(Next("30 1 * * *", kNewYork, Ms("2026-11-01T06:10:00Z"))),
            "2026-11-02T06:30:00.000Z");
  // Between the two occurrences (01:45 EDT): the same.
  EXPECT_EQ(FormatTimestamp(Next("30 1 * * *", kNewYork, Ms("2026-11-01T05:45:00Z"))),
            "2026-11-02T06:30:00.000Z");
}

TEST(NextSlotDst, HourlyAcrossSpringForward) {
  std::vector<std::string> slots =
      Slots("30 * * * *", kNewYork, Ms("2026-03-08T05:00:00Z"), Ms("2026-03-08T09:00:00Z"));
  EXPECT_EQ(slots, (std::vector<std::string>{"2026-03-08T05:30:00.000Z",     // 00:30 EST
                                             "2026-03-08T06:30:00.000Z",     // 01:30 EST
                                             "2026-03-08T07:30:00.000Z",     // 03:30 EDT
                                             "2026-03-08T08:30:00.000Z"}));  // 04:30 EDT
  EXPECT_EQ(Local(Ms(slots[2]), kNewYork), "2026-03-08 03:30 EDT");
}

TEST(NextSlotDst, HourlyAcrossFallBack) {
  std::vector<std::string> slots =
      Slots("30 * * * *", kNewYork, Ms("2026-11-01T04:00:00Z"), Ms("2026-11-01T09:00:00Z"));
  EXPECT_EQ(slots, (std::vector<std::string>{"2026-11-01T04:30:00.000Z",     // 00:30 EDT
                                             "2026-11-01T05:30:00.000Z",     // 01:30 EDT
                                             "2026-11-01T07:30:00.000Z",     // 02:30 EST
                                             "2026-11-01T08:30:00.000Z"}));  // 03:30 EST
  // Every 15 minutes goes from 01:45 EDT to 02:00 EST.
  EXPECT_EQ(FormatTimestamp(Next("*/15 * * * *", kNewYork, Ms("2026-11-01T05:45:00Z"))),
            "2026-11-01T07:00:00.000Z");
  EXPECT_EQ(Local(Next("*/15 * * * *", kNewYork, Ms("2026-11-01T05:45:00Z")), kNewYork),
            "2026-11-01 02:00 EST");
  // Every minute, from inside the second pass: the next minute whose wall time is new.
  EXPECT_EQ(FormatTimestamp(Next("* * * * *", kNewYork, Ms("2026-11-01T06:10:00Z"))),
            "2026-11-01T07:00:00.000Z");
}

// A slow, obviously correct oracle: scan UTC minutes and take the first whose wall time matches
// and is that wall time's earliest instant.
int64_t BruteForceNext(const CronSpec& spec, const char* tz, int64_t after, int64_t limit) {
  const date::time_zone* zone = date::locate_zone(tz);
  for (int64_t t = (after / kMinuteMs + 1) * kMinuteMs; t <= limit; t += kMinuteMs) {
    const auto sys = date::sys_seconds(std::chrono::seconds(t / kMsPerSecond));
    const auto local = zone->to_local(sys);
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::seconds> hms{local - day};
    if (!spec.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         date::weekday{day}.c_encoding()) ||
        !spec.hours[hms.hours().count()] || !spec.minutes[hms.minutes().count()]) {
      continue;
    }
    if (zone->to_sys(local, date::choose::earliest) != sys) continue;  // second occurrence
    return t;
  }
  return -1;
}

// The oracle looks 8 days ahead; past that it only confirms there was no earlier slot.
void ExpectOracleAgrees(const CronSpec& spec, const char* expr, const char* tz, int64_t after,
                        int64_t got) {
  const int64_t limit = after + 8 * kMsPerDay;
  const int64_t expected = BruteForceNext(spec, tz, after, limit);
  if (expected < 0) {
    EXPECT_GT(got, limit) << expr << " " << tz << " after " << FormatTimestamp(after);
  } else {
    EXPECT_EQ(got, expected) << expr << " " << tz << " after " << FormatTimestamp(after) << ": got "
                             << FormatTimestamp(got) << ", oracle " << FormatTimestamp(expected);
  }
}

TEST(NextSlotDst, AgreesWithBruteForceAroundTransitions) {
  const char* exprs[] = {"* * * * *",    "*/7 * * * *",  "30 1 * * *", "0,30 1-3 * * *",
                         "59 0-3 * * *", "0 2 * * SUN",  "15 * 1 * *", "*/20 1,2 * * *",
                         "0 0 * * *",    "45 23 * * SAT"};
  const char* zones[] = {kNewYork, "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago"};
  const char* starts[] = {"2026-03-07T12:00:00Z", "2026-03-28T12:00:00Z", "2026-04-04T12:00:00Z",
                          "2026-09-05T12:00:00Z", "2026-10-03T12:00:00Z", "2026-10-24T12:00:00Z",
                          "2026-10-31T12:00:00Z"};
  for (const char* expr : exprs) {
    const CronSpec spec = Parse(expr);
    for (const char* tz : zones) {
      for (const char* start : starts) {
        // Walk every slot for two days and compare each step with the oracle.
        int64_t t = Ms(start);
        const int64_t end = t + 2 * kMsPerDay;
        while (t < end) {
          Result<int64_t> got = NextSlot(spec, tz, t);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          ExpectOracleAgrees(spec, expr, tz, t, *got);
          t = *got;
        }
        // And from odd instants (not on a slot): mid-minute, inside the overlaps.
        for (int64_t probe = Ms(start); probe < end; probe += 37 * kMinuteMs + 1234) {
          Result<int64_t> got = NextSlot(spec, tz, probe);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          ExpectOracleAgrees(spec, expr, tz, probe, *got);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar edge cases

TEST(NextSlot, LeapDay) {
  EXPECT_EQ(FormatTimestamp(Next("0 0 29 2 *", "UTC", Ms("2025-01-01T00:00:00Z"))),
            "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(Next("0 0 29 2 *", "UTC", Ms("2028-02-29T00:00:00Z"))),
            "2032-02-29T00:00:00.000Z");
  // 2100 is not a leap year: the longest gap, eight years, is still within the search window.
  EXPECT_EQ(FormatTimestamp(Next("0 0 29 2 *", "UTC", Ms("2096-03-01T00:00:00Z"))),
            "2104-02-29T00:00:00.000Z");
}

TEST(NextSlot, NeverMatchesIsNotFound) {
  for (const char* expr : {"0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *"}) {
    Result<int64_t> r = NextSlot(expr, "UTC", Ms("2026-01-01T00:00:00Z"));
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_EQ(r.status().code(), Code::kNotFound);
    EXPECT_NE(r.status().message().find("cron never matches"), std::string::npos);
  }
  // With a day-of-week as well, the OR rule makes it satisfiable.
  EXPECT_EQ(FormatTimestamp(Next("0 0 31 2 MON", "UTC", Ms("2026-01-01T00:00:00Z"))),
            "2026-02-02T00:00:00.000Z");
  // An empty spec (not from the parser) never matches either.
  EXPECT_EQ(NextSlot(CronSpec{}, "UTC", 0).status().code(), Code::kNotFound);
}

TEST(NextSlot, DayOfMonthOrDayOfWeek) {
  // Both restricted: the 13th OR a Friday. 2026-01-02 is a Friday, 01-13 a Tuesday.
  EXPECT_EQ(Slots("0 0 13 * FRI", "UTC", Ms("2026-01-01T00:00:00Z"), Ms("2026-01-20T00:00:00Z")),
            (std::vector<std::string>{"2026-01-02T00:00:00.000Z", "2026-01-09T00:00:00.000Z",
                                      "2026-01-13T00:00:00.000Z", "2026-01-16T00:00:00.000Z"}));
  // Day-of-week '*': day-of-month alone.
  EXPECT_EQ(Slots("0 0 13 * *", "UTC", Ms("2026-01-01T00:00:00Z"), Ms("2026-03-01T00:00:00Z")),
            (std::vector<std::string>{"2026-01-13T00:00:00.000Z", "2026-02-13T00:00:00.000Z"}));
  // Day-of-month '*': day-of-week alone.
  EXPECT_EQ(Slots("0 0 * * FRI", "UTC", Ms("2026-01-01T00:00:00Z"), Ms("2026-01-10T00:00:00Z")),
            (std::vector<std::string>{"2026-01-02T00:00:00.000Z", "2026-01-09T00:00:00.000Z"}));
  // "*/2" counts as '*' (Vixie): odd days that are also Fridays, so 01-09 and 01-23, not 01-02.
  EXPECT_EQ(Slots("0 0 */2 * FRI", "UTC", Ms("2026-01-01T00:00:00Z"), Ms("2026-01-31T00:00:00Z")),
            (std::vector<std::string>{"2026-01-09T00:00:00.000Z", "2026-01-23T00:00:00.000Z"}));
  // Month restricts both branches of the OR.
  EXPECT_EQ(FormatTimestamp(Next("0 0 13 JUN FRI", "UTC", Ms("2026-01-01T00:00:00Z"))),
            "2026-06-05T00:00:00.000Z");
}

TEST(NextSlot, InvalidArguments) {
  for (const char* tz : {"Mars/Olympus_Mons", "", "new york", "../../etc/passwd"}) {
    Result<int64_t> r = NextSlot("0 8 * * *", tz, Ms("2026-01-01T00:00:00Z"));
    ASSERT_FALSE(r.ok()) << tz;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << tz;
    EXPECT_EQ(r.status().field(), "timezone") << tz;
  }
  // The parse error comes first in the convenience form.
  Result<int64_t> bad = NextSlot("61 * * * *", kNewYork, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "cron");
  // Instants outside years 0001-9999.
  EXPECT_EQ(NextSlot("0 8 * * *", "UTC", INT64_MAX).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(NextSlot("0 8 * * *", "UTC", INT64_MIN).status().code(), Code::kInvalidArgument);
}

TEST(NextSlot, ThousandCallsOfEveryFiveMinutes) {
  const CronSpec spec = Parse("*/5 * * * *");
  int64_t t = Ms("2026-10-31T20:03:17Z");  // runs across the New York fall-back
  for (int i = 0; i < 1000; ++i) {
    Result<int64_t> next = NextSlot(spec, kNewYork, t);
    ASSERT_TRUE(next.ok());
    ASSERT_GT(*next, t);
    ASSERT_LE(*next - t, kHourMs + 5 * kMinuteMs);  // the repeated hour is the longest wait
    ASSERT_EQ(*next % (5 * kMinuteMs), 0);
    t = *next;
  }
  // And a rarely matching schedule from a far-away start stays cheap.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(NextSlot("0 0 29 2 *", kNewYork, Ms("2028-03-01T00:00:00Z") + i).ok());
  }
}

}  // namespace
}  // namespace steward::decision
