// Fuzz target: the cron parser and time-zone-aware NextSlot (decision/cron.h) and the time
// helpers they share with the API (common/time_util.h).
//
// Input: three text lines —
//   1. a cron expression ("0 8 * * MON-FRI"),
//   2. an IANA time zone ("Europe/Berlin"),
//   3. the instant to search after: RFC 3339 ("2026-03-08T06:59:00Z") or integer milliseconds.
// Properties:
//   - a slot NextSlot returns lies strictly after the instant, its wall time in the zone has
//     zero seconds, matches the expression's minute, hour and day rules and is that wall time's
//     first occurrence, and (within three days) a naive minute-by-minute search finds no earlier
//     slot;
//   - NextSlot(text) agrees with ParseCron followed by NextSlot(spec);
//   - ParseTimestamp ∘ FormatTimestamp is the identity on years 0001-9999, and
//     FormatDate ∘ ParseDate the identity on the dates ParseDate accepts;
//   - LocalDay answers a YYYY-MM-DD day for every zone IsValidTimeZone accepts (instants at
//     least a day inside years 0001-9999).
#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/time_util.h"
#include "decision/cron.h"
#include "fuzz/fuzz_util.h"

namespace {

using steward::fuzz::Fail;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants FormatTimestamp writes in
// its four-digit form.
constexpr int64_t kMinMs = -62135596800000;
constexpr int64_t kMaxMs = 253402300799999;
// The instant used when line 3 is neither RFC 3339 nor an integer: 2026-01-01T00:00:00Z.
constexpr int64_t kDefaultAfterMs = 1767225600000;
// Slots at most this many wall-clock minutes away are checked against a naive search.
constexpr int kNaiveSearchMinutes = 3 * 24 * 60;

bool ParseInteger(std::string_view text, int64_t* out) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

void CheckTimeHelpers(std::string_view text) {
  if (auto ms = steward::ParseTimestamp(text); ms.ok() && *ms >= kMinMs && *ms <= kMaxMs) {
    std::string formatted = steward::FormatTimestamp(*ms);
    auto back = steward::ParseTimestamp(formatted);
    if (!back.ok() || *back != *ms) Fail("ParseTimestamp(FormatTimestamp(t)) != t", formatted);
  }
  if (auto day = steward::ParseDate(text); day.ok()) {
    if (steward::FormatDate(*day) != text) Fail("FormatDate(ParseDate(d)) != d", text);
  }
}

bool Matches(const steward::decision::CronSpec& spec, date::local_seconds wall) {
  const auto day = date::floor<date::days>(wall);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> hms{wall - day};
  return spec.minutes[static_cast<size_t>(hms.minutes().count())] &&
         spec.hours[static_cast<size_t>(hms.hours().count())] &&
         spec.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         date::weekday{day}.c_encoding());
}

int64_t Ms(date::sys_seconds t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void CheckSlot(const steward::decision::CronSpec& spec, std::string_view tz, int64_t after,
               int64_t slot, std::string_view input) {
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  if (slot <= after) Fail("NextSlot is not after the instant", input);
  const date::time_zone* zone = date::locate_zone(std::string(tz));
  const auto local = zone->to_local(date::sys_time<milliseconds>(milliseconds(slot)));
  const auto wall = date::floor<std::chrono::seconds>(local);
  if (date::floor<minutes>(local) != local) Fail("NextSlot's wall time has seconds", input);
  if (!Matches(spec, wall)) Fail("NextSlot's wall time does not match the expression", input);
  const date::local_info info = zone->get_info(wall);
  if (Ms(date::sys_seconds{wall.time_since_epoch() - info.first.offset}) != slot) {
    Fail("NextSlot is not the first occurrence of its wall time", input);
  }
  // A naive search over every wall-clock minute in between finds no earlier slot (checked for
  // gaps up to kNaiveSearchMinutes; the real search skips days and hours).
  const auto local_after = zone->to_local(date::sys_time<milliseconds>(milliseconds(after)));
  const date::local_seconds first = date::floor<minutes>(local_after) + minutes{1};
  if (wall - first > minutes{kNaiveSearchMinutes}) return;
  for (date::local_seconds m = first; m < wall; m += minutes{1}) {
    if (!Matches(spec, m)) continue;
    const date::local_info i = zone->get_info(m);
    if (i.result == date::local_info::nonexistent) continue;
    const int64_t at = Ms(date::sys_seconds{m.time_since_epoch() - i.first.offset});
    if (at > after && at < slot) Fail("NextSlot skipped an earlier slot", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view rest = input;
  const std::string_view expr = steward::fuzz::NextLine(&rest);
  const std::string_view tz = steward::fuzz::NextLine(&rest);
  const std::string_view when = steward::fuzz::NextLine(&rest);

  CheckTimeHelpers(when);
  int64_t after = kDefaultAfterMs;
  if (auto ms = steward::ParseTimestamp(when); ms.ok()) {
    after = *ms;
  } else if (int64_t n = 0; ParseInteger(when, &n)) {
    after = n;
  }

  // A day inside the range: UTC offsets (up to ±14 h) must not carry the local day past it.
  if (steward::IsValidTimeZone(tz) && after >= kMinMs + steward::kMsPerDay &&
      after <= kMaxMs - steward::kMsPerDay) {
    std::string local_day = steward::LocalDay(after, tz);
    if (!steward::ParseDate(local_day).ok()) Fail("LocalDay is not a date", local_day);
  }

  auto spec = steward::decision::ParseCron(expr);
  auto by_text = steward::decision::NextSlot(expr, tz, after);
  if (!spec.ok()) {
    if (by_text.ok()) Fail("NextSlot(text) accepts what ParseCron refuses", input);
    return 0;
  }
  auto slot = steward::decision::NextSlot(*spec, tz, after);
  if (slot.ok() != by_text.ok() || (slot.ok() && *slot != *by_text)) {
    Fail("NextSlot(text) and NextSlot(spec) disagree", input);
  }
  if (slot.ok()) CheckSlot(*spec, tz, after, *slot, input);
  return 0;
}
