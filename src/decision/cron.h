#pragma once
// Cron schedules for time rituals (SPEC §7): a 5-field cron parser and a time-zone-aware "next
// slot" function. Pure: no clock, no store; the only I/O is reading the system tz database
// (/usr/share/zoneinfo) the first time a zone is looked up. Thread-safe (the tz database is
// immutable once loaded).
//
// Syntax, "minute hour day-of-month month day-of-week", fields separated by spaces or tabs:
//   minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
//   day-of-week 0-7 or SUN-SAT (0 and 7 are both Sunday); names are case-insensitive.
//   Each field is a comma-separated list of elements: "*", "a", "a-b", "*/n" or "a-b/n"
//   (n from 1 to the field's span: 60, 24, 31, 12, 7). Names work anywhere a number does
//   ("MON-FRI", "JAN,JUL"). Ranges do not wrap ("FRI-MON" is an error).
//   Not accepted, each with its own message: macros (@daily, @reboot), 6- or 7-field forms
//   (seconds, year), "a/n" without a range end (write "a-59/n"), and the Quartz extensions
//   ? L W #.
//
// Day matching follows Vixie cron: when the day-of-month and day-of-week fields are both
// restricted, a day matches if EITHER matches ("0 0 13 * FRI" fires on every 13th and every
// Friday); when either field begins with '*' (including "*/2"), a day must match both. That
// "begins with '*'" rule is Vixie's DOM_STAR/DOW_STAR: "*/2" counts as unrestricted here.
//
// Time zones and daylight saving time (NextSlot): the schedule is read as local wall time in the
// given IANA zone, minute by minute on the wall clock.
//   - A wall time that does not exist (the spring-forward gap, e.g. 02:30 on 2026-03-08 in
//     America/New_York) does not fire that day. It is not moved to after the gap.
//   - A wall time that occurs twice (the fall-back overlap, e.g. 01:30 on 2026-11-01 in New York)
//     fires once, at its first occurrence (the earlier UTC instant, still on daylight time).
//   So a daily "0 8 * * *" fires exactly once per local day, always at 08:00 local. Schedules
//   with several slots an hour see the repeated hour once: "30 * * * *" on a fall-back day fires
//   at 00:30 EDT, 01:30 EDT, 02:30 EST (two UTC hours apart across the overlap), and on a
//   spring-forward day at 01:30 EST, 03:30 EDT (one UTC hour apart). "*/15 * * * *" goes from
//   01:45 EDT straight to 02:00 EST.

#include <bitset>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace steward::decision {

// A parsed 5-field cron expression. Bit i of each set means "value i matches".
struct CronSpec {
  std::bitset<60> minutes;        // 0-59
  std::bitset<24> hours;          // 0-23
  std::bitset<32> days_of_month;  // 1-31; bit 0 unused
  std::bitset<13> months;         // 1-12; bit 0 unused
  std::bitset<7> days_of_week;    // 0 = Sunday … 6 = Saturday (a 7 in the text sets bit 0)
  bool dom_star = false;          // the day-of-month field began with '*' (Vixie DOM_STAR)
  bool dow_star = false;          // the day-of-week field began with '*' (Vixie DOW_STAR)

  // True when the calendar day (month 1-12, day 1-31, weekday 0-6 with 0 = Sunday) matches the
  // month field and the day-of-month/day-of-week rule above. Hours and minutes are not checked.
  bool MatchesDay(unsigned month, unsigned day, unsigned weekday) const;

  bool operator==(const CronSpec&) const = default;
};

// The furthest NextSlot looks ahead of `after_ms`, in local days: 8 years, the longest gap
// between two slots of a satisfiable expression ("0 0 29 2 *" from 2096-02-29 to 2104-02-29,
// 2100 not being a leap year).
inline constexpr int kCronMaxSearchDays = 8 * 366;

// Parses "m h dom mon dow". Returns InvalidArgument with field() == "cron" and a message naming
// the bad cron field and why (e.g. `cron minute field "60": 60 is out of range 0-59`).
Result<CronSpec> ParseCron(std::string_view expr);

// The first instant strictly after `after_ms` (UTC epoch milliseconds) at which the wall clock in
// IANA zone `tz` shows a time matching `spec`, as UTC epoch milliseconds; the local time of the
// result always has zero seconds and milliseconds. DST is handled as described at the top.
// Returns InvalidArgument (field "timezone") for a zone the tz database does not know,
// InvalidArgument for an `after_ms` outside years 0001-9999, and NotFound ("cron never matches
// …") when no slot lies within kCronMaxSearchDays local days (e.g. "0 0 31 2 *").
Result<int64_t> NextSlot(const CronSpec& spec, std::string_view tz, int64_t after_ms);

// ParseCron(expr) followed by NextSlot: the parse error or NextSlot's result.
Result<int64_t> NextSlot(std::string_view expr, std::string_view tz, int64_t after_ms);

}  // namespace steward::decision
