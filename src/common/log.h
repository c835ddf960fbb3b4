#pragma once
// Structured JSON logs: one line per event on stderr, e.g.
//   {"ts":"2026-11-24T08:00:00.000Z","level":"info","event":"server_started","listen":"…"}
// Fields carry tenant_id, trace_id, action_intent_id where known. Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <string_view>

namespace steward::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Sets the minimum level ("debug", "info", "warn", "error"); false for an unknown name.
bool SetLevel(std::string_view level);
bool Enabled(Level level);
void Event(Level level, std::string_view event, const nlohmann::json& fields);
void Event(Level level, std::string_view event);

}  // namespace steward::log
