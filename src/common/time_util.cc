#include "common/time_util.h"

#include <date/date.h>
#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <cstdio>

namespace steward {
namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) if (c < '0' || c > '9') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc();
}

bool ParseYmd(std::string_view s, date::year_month_day* ymd) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y, m, d;
  if (!ParseInt(s.substr(0, 4), &y) || !ParseInt(s.substr(5, 2), &m) ||
      !ParseInt(s.substr(8, 2), &d)) {
    return false;
  }
  *ymd = date::year{y} / date::month{static_cast<unsigned>(m)} / date::day{static_cast<unsigned>(d)};
  return ymd->ok();
}

}  // namespace

std::string FormatTimestamp(int64_t ms) {
  using namespace std::chrono;
  auto tp = sys_time<milliseconds>(milliseconds(ms));
  auto day = date::floor<date::days>(tp);
  date::year_month_day ymd(day);
  date::hh_mm_ss<milliseconds> hms(tp - day);
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()),
                  static_cast<int>(hms.subseconds().count()));
    return buf;
  }
  // The common case written digit by digit: this runs for every ledger entry on the writer thread.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t at, int width, int64_t v) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, 4, year);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
  return out;
}

std::string FormatDate(int64_t ms) { return FormatTimestamp(ms).substr(0, 10); }

Result<int64_t> ParseDate(std::string_view text) {
  date::year_month_day ymd;
  if (!ParseYmd(text, &ymd)) return Status::InvalidArgument("expected a date YYYY-MM-DD");
  return static_cast<int64_t>(date::sys_days(ymd).time_since_epoch().count()) * kMsPerDay;
}

Result<int64_t> ParseTimestamp(std::string_view s) {
  auto bad = [] { return Status::InvalidArgument("expected an RFC 3339 timestamp"); };
  if (s.size() < 20) return bad();
  date::year_month_day ymd;
  if (!ParseYmd(s.substr(0, 10), &ymd)) return bad();
  if (s[10] != 'T' && s[10] != 't') return bad();
  if (s[13] != ':' || s[16] != ':') return bad();
  int hh, mm, ss;
  if (!ParseInt(s.substr(11, 2), &hh) || !ParseInt(s.substr(14, 2), &mm) ||
      !ParseInt(s.substr(17, 2), &ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad();
  }
  size_t i = 19;
  int64_t frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (i == start || digits > 9) return bad();
    for (int d = digits; d < 3; ++d) frac_ms *= 10;
  }
  if (i >= s.size()) return bad();
  int64_t offset_min = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int sign = s[i] == '-' ? -1 : 1;
    if (s.size() != i + 6 || s[i + 3] != ':') return bad();
    int oh, om;
    if (!ParseInt(s.substr(i + 1, 2), &oh) || !ParseInt(s.substr(i + 4, 2), &om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset_min = sign * (oh * 60 + om);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  int64_t days = date::sys_days(ymd).time_since_epoch().count();
  int64_t ms = days * kMsPerDay + (hh * 3600 + mm * 60 + std::min(ss, 59)) * kMsPerSecond + frac_ms;
  return ms - offset_min * 60 * kMsPerSecond;
}

bool IsValidTimeZone(std::string_view tz) {
  if (tz.empty() || tz.size() > 64) return false;
  try {
    return date::locate_zone(std::string(tz)) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

std::string LocalDay(int64_t ms, std::string_view tz) {
  if (tz.empty() || tz == "UTC" || tz == "Etc/UTC") return FormatDate(ms);
  try {
    const date::time_zone* zone = date::locate_zone(std::string(tz));
    auto tp = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
    auto local = zone->to_local(tp);
    date::year_month_day ymd(date::floor<date::days>(local));
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
  } catch (const std::exception&) {
    return FormatDate(ms);
  }
}

}  // namespace steward
