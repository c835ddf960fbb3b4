#pragma once
// Time helpers. Steward keeps instants as int64 milliseconds since the Unix epoch (UTC) and
// shows them as RFC 3339 with milliseconds and a 'Z' (SPEC §4).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace steward {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerDay = 86400 * kMsPerSecond;

// "2026-11-24T08:00:00.000Z".
std::string FormatTimestamp(int64_t ms);
// Parses an RFC 3339 instant ("2026-11-24T08:00:00Z", "…T08:00:00.5+01:00").
Result<int64_t> ParseTimestamp(std::string_view text);
// Parses "YYYY-MM-DD" into the UTC midnight that starts it.
Result<int64_t> ParseDate(std::string_view text);
// "YYYY-MM-DD" of the UTC day containing `ms`.
std::string FormatDate(int64_t ms);
// True when `tz` names an IANA time zone known to the system's tz database.
bool IsValidTimeZone(std::string_view tz);
// The calendar day ("YYYY-MM-DD") containing `ms` in IANA zone `tz` (empty or "UTC": UTC).
// REQUIRES: IsValidTimeZone(tz) or tz empty.
std::string LocalDay(int64_t ms, std::string_view tz);

}  // namespace steward
