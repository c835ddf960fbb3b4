#include "decision/cron.h"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace steward::decision {
namespace {

constexpr int kFieldCount = 5;
constexpr std::string_view kStatusField = "cron";
constexpr size_t kNameLength = 3;

// The range of `after_ms` NextSlot accepts: 0001-01-01T00:00:00Z up to 9999-12-31T23:59:59.999Z.
// It keeps date's year arithmetic (a 16-bit year) far from overflow over the search window.
constexpr int64_t kMinAfterMs = -62135596800000;
constexpr int64_t kMaxAfterMs = 253402300799999;

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

struct FieldDef {
  std::string_view name;
  int min;
  int max;       // the largest value accepted in the text (7 for day-of-week)
  int star_max;  // what '*' expands to (6 for day-of-week, so Sunday is bit 0 only)
  const std::string_view* names;  // names[i] means min + i; nullptr when the field has none
  size_t name_count;
};

constexpr std::array<FieldDef, kFieldCount> kFields = {{
    {"minute", 0, 59, 59, nullptr, 0},
    {"hour", 0, 23, 23, nullptr, 0},
    {"day-of-month", 1, 31, 31, nullptr, 0},
    {"month", 1, 12, 12, kMonthNames.data(), kMonthNames.size()},
    {"day-of-week", 0, 7, 6, kDayNames.data(), kDayNames.size()},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char ToUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::vector<std::string_view> SplitFields(std::string_view expr) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t')) ++i;
    size_t start = i;
    while (i < expr.size() && expr[i] != ' ' && expr[i] != '\t') ++i;
    if (i > start) fields.push_back(expr.substr(start, i - start));
  }
  return fields;
}

// Builds the errors of one field: `cron minute field "60": 60 is out of range 0-59`.
class FieldParser {
 public:
  FieldParser(const FieldDef& def, std::string_view text) : def_(def), text_(text) {}

  // Sets the bits of every value the field matches (day-of-week 7 lands on bit 0).
  template <size_t N>
  Status Parse(std::bitset<N>* bits) {
    if (text_.empty()) return Error("is empty");
    size_t pos = 0;
    while (true) {
      size_t comma = text_.find(',', pos);
      std::string_view element =
          text_.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
      STEWARD_RETURN_IF_ERROR(ParseElement(element, bits));
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    return Status::Ok();
  }

 private:
  Status Error(std::string_view why) const {
    std::string msg = "cron ";
    msg.append(def_.name).append(" field \"").append(text_).append("\": ").append(why);
    return Status::InvalidArgument(std::move(msg), std::string(kStatusField));
  }

  std::string Quoted(std::string_view s) const { return "\"" + std::string(s) + "\""; }

  // A number or (month, day-of-week) a three-letter name, within [min, max].
  Status ParseValue(std::string_view s, int* out) const {
    if (s.empty()) return Error("has an empty value");
    if (IsAlpha(s[0])) {
      if (def_.names == nullptr) return Error(Quoted(s) + " is not a number");
      if (s.size() == kNameLength) {
        std::string upper;
        for (char c : s) upper.push_back(ToUpper(c));
        for (size_t i = 0; i < def_.name_count; ++i) {
          if (def_.names[i] == upper) {
            *out = def_.min + static_cast<int>(i);
            return Status::Ok();
          }
        }
      }
      return Error(Quoted(s) + " is not a " + std::string(def_.name) + " name (" +
                   std::string(def_.names[0]) + "-" + std::string(def_.names[def_.name_count - 1]) +
                   ")");
    }
    for (char c : s) {
      if (!IsDigit(c)) return Error(Quoted(s) + " is not a number");
    }
    int value = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), value);
    if (r.ec != std::errc() || value < def_.min || value > def_.max) {
      return Error(std::string(s) + " is out of range " + std::to_string(def_.min) + "-" +
                   std::to_string(def_.max));
    }
    *out = value;
    return Status::Ok();
  }

  template <size_t N>
  Status ParseElement(std::string_view element, std::bitset<N>* bits) const {
    if (element.empty()) return Error("has an empty list element");
    std::string_view range = element;
    std::string_view step_text;
    bool has_step = false;
    if (size_t slash = element.find('/'); slash != std::string_view::npos) {
      range = element.substr(0, slash);
      step_text = element.substr(slash + 1);
      has_step = true;
    }

    int low = 0;
    int high = 0;
    if (range == "*") {
      low = def_.min;
      high = def_.star_max;
    } else {
      size_t dash = range.find('-', 1);  // from 1: a leading '-' is a bad value, not a range
      if (dash == std::string_view::npos) {
        STEWARD_RETURN_IF_ERROR(ParseValue(range, &low));
        if (has_step) {
          return Error("step " + Quoted(element) + " needs a range: write \"" + std::string(range) +
                       "-" + std::to_string(def_.max) + "/" + std::string(step_text) +
                       "\" or \"*/" + std::string(step_text) + "\"");
        }
        high = low;
      } else {
        STEWARD_RETURN_IF_ERROR(ParseValue(range.substr(0, dash), &low));
        STEWARD_RETURN_IF_ERROR(ParseValue(range.substr(dash + 1), &high));
        if (low > high) {
          return Error("range " + Quoted(range) + " is reversed (ranges do not wrap around)");
        }
      }
    }

    int step = 1;
    if (has_step) {
      const int span = def_.star_max - def_.min + 1;
      bool digits = !step_text.empty();
      for (char c : step_text) digits = digits && IsDigit(c);
      if (!digits) return Error("step " + Quoted(step_text) + " is not a number");
      auto r = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (r.ec != std::errc() || step < 1 || step > span) {
        return Error("step " + std::string(step_text) + " must be between 1 and " +
                     std::to_string(span));
      }
    }

    for (int v = low; v <= high; v += step) {
      // Day-of-week 7 is Sunday; every other field has N > max, so the modulo is the identity.
      bits->set(static_cast<size_t>(v) % N);
    }
    return Status::Ok();
  }

  const FieldDef& def_;
  std::string_view text_;
};

int64_t ToMs(date::sys_seconds t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

bool CronSpec::MatchesDay(unsigned month, unsigned day, unsigned weekday) const {
  if (month >= months.size() || !months[month]) return false;
  const bool dom = day < days_of_month.size() && days_of_month[day];
  const bool dow = weekday < days_of_week.size() && days_of_week[weekday];
  if (dom_star || dow_star) return dom && dow;
  return dom || dow;
}

Result<CronSpec> ParseCron(std::string_view expr) {
  std::vector<std::string_view> fields = SplitFields(expr);
  if (fields.empty()) {
    return Status::InvalidArgument("cron expression is empty", std::string(kStatusField));
  }
  if (fields[0][0] == '@') {
    return Status::InvalidArgument("cron macros like " + std::string(fields[0]) +
                                       " are not supported; write 5 fields, e.g. \"0 0 * * *\"",
                                   std::string(kStatusField));
  }
  if (fields.size() != kFieldCount) {
    std::string msg = "cron expression needs 5 fields (minute hour day-of-month month ";
    msg += "day-of-week), got " + std::to_string(fields.size());
    if (fields.size() > kFieldCount) msg += "; seconds and year fields are not supported";
    return Status::InvalidArgument(std::move(msg), std::string(kStatusField));
  }

  CronSpec spec;
  STEWARD_RETURN_IF_ERROR(FieldParser(kFields[0], fields[0]).Parse(&spec.minutes));
  STEWARD_RETURN_IF_ERROR(FieldParser(kFields[1], fields[1]).Parse(&spec.hours));
  STEWARD_RETURN_IF_ERROR(FieldParser(kFields[2], fields[2]).Parse(&spec.days_of_month));
  STEWARD_RETURN_IF_ERROR(FieldParser(kFields[3], fields[3]).Parse(&spec.months));
  STEWARD_RETURN_IF_ERROR(FieldParser(kFields[4], fields[4]).Parse(&spec.days_of_week));
  spec.dom_star = fields[2][0] == '*';
  spec.dow_star = fields[4][0] == '*';
  return spec;
}

Result<int64_t> NextSlot(const CronSpec& spec, std::string_view tz, int64_t after_ms) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;

  if (!IsValidTimeZone(tz)) {
    return Status::InvalidArgument("unknown time zone \"" + std::string(tz) + "\"", "timezone");
  }
  if (after_ms < kMinAfterMs || after_ms > kMaxAfterMs) {
    return Status::InvalidArgument("time " + std::to_string(after_ms) +
                                   " ms is outside years 0001-9999");
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(std::string(tz));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("unknown time zone \"" + std::string(tz) + "\": " + e.what(),
                                   "timezone");
  }

  const date::sys_time<milliseconds> after{milliseconds{after_ms}};
  const date::local_time<milliseconds> local_after = zone->to_local(after);
  const date::local_days first_day = date::floor<date::days>(local_after);

  // Candidates are visited in increasing wall-clock order. Mapping each existing wall time to its
  // earliest UTC instant is strictly increasing, so the first candidate whose instant is after
  // `after` is the answer, and no candidate on an earlier local day can be.
  for (int i = 0; i <= kCronMaxSearchDays; ++i) {
    const date::local_days day = first_day + date::days{i};
    const date::year_month_day ymd{day};
    if (!spec.MatchesDay(static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                         date::weekday{day}.c_encoding())) {
      continue;
    }
    for (int h = 0; h < static_cast<int>(spec.hours.size()); ++h) {
      if (!spec.hours[h]) continue;
      if (day + hours{h + 1} <= local_after) continue;  // the whole hour is at or before `after`
      for (int m = 0; m < static_cast<int>(spec.minutes.size()); ++m) {
        if (!spec.minutes[m]) continue;
        const date::local_seconds candidate = day + hours{h} + minutes{m};
        // A wall time at or before `after`'s has its earliest instant at or before `after`.
        if (candidate <= local_after) continue;
        const date::local_info info = zone->get_info(candidate);
        if (info.result == date::local_info::nonexistent) continue;  // spring-forward gap
        // `first` is the earlier offset for an ambiguous (fall-back) time: its first occurrence.
        const date::sys_seconds utc{candidate.time_since_epoch() - info.first.offset};
        // A wall time after `after`'s can still have its first occurrence before `after`, when
        // `after` falls in the second pass of a fall-back overlap; that slot has already fired.
        if (utc <= after) continue;
        return ToMs(utc);
      }
    }
  }
  return Status::NotFound("cron never matches within " + std::to_string(kCronMaxSearchDays) +
                          " days of " + FormatTimestamp(after_ms));
}

Result<int64_t> NextSlot(std::string_view expr, std::string_view tz, int64_t after_ms) {
  STEWARD_ASSIGN_OR_RETURN(CronSpec spec, ParseCron(expr));
  return NextSlot(spec, tz, after_ms);
}

}  // namespace steward::decision
