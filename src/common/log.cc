#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "common/clock.h"
#include "common/json.h"
#include "common/time_util.h"

namespace steward::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("steward_json");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

const char* Name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

bool SetLevel(std::string_view level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (level == Name(l)) {
      g_min_level.store(static_cast<int>(l));
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(); }

void Event(Level level, std::string_view event, const Json& fields) {
  if (!Enabled(level)) return;
  Json line = {{"ts", FormatTimestamp(SystemClock::Default()->NowMs())},
               {"level", Name(level)},
               {"event", event}};
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = *it;
  }
  Logger()->info(line.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void Event(Level level, std::string_view event) { Event(level, event, Json::object()); }

}  // namespace steward::log
