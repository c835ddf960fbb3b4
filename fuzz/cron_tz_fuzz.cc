// Fuzz target: the cron parser and time-zone-aware NextSlot (decision/cron.h) and the time
// helpers they share with the API (common/time_util.h).
//
// Input: three text lines —
//   1. a cron expression ("0 8 * * MON-FRI"),
//   2. an IANA time zone ("Europe/Berlin"),
//   3. the instant to search after: RFC 3339 ("2026-03-08T06:59:00Z") or integer milliseconds.
// Properties:
//   - a slot NextSlot returns lies strictly after the instant, and its wall time in the zone has
//     zero seconds and matches the expression's minute, hour and day rules;
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

void CheckSlot(const steward::decision::CronSpec& spec, std::string_view tz, int64_t after,
               int64_t slot, std::string_view input) {
  if (slot <= after) Fail("NextSlot is not after the instant", input);
  const date::time_zone* zone = date::locate_zone(std::string(tz));
  const auto local = zone->to_local(
      date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(slot)));
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::milliseconds> hms{local - day};
  if (hms.seconds().count() != 0 || hms.subseconds().count() != 0) {
    Fail("NextSlot's wall time has seconds", input);
  }
  if (!spec.minutes[static_cast<size_t>(hms.minutes().count())] ||
      !spec.hours[static_cast<size_t>(hms.hours().count())] ||
      !spec.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       date::weekday{day}.c_encoding())) {
    Fail("NextSlot's wall time does not match the expression", input);
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
