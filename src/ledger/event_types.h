#pragma once
// Ledger event type names (SPEC §8): the wire and storage strings, each defined once here.
// ledger::Append rejects any other name, so a new event type is added to this file (and to
// kAllEventTypes in event_types.cc) before it is used.

#include <string_view>

namespace steward::ledger {

inline constexpr std::string_view kIntentCreated = "INTENT_CREATED";
inline constexpr std::string_view kPolicyEvaluated = "POLICY_EVALUATED";
inline constexpr std::string_view kActionApproved = "ACTION_APPROVED";
inline constexpr std::string_view kActionRejected = "ACTION_REJECTED";
inline constexpr std::string_view kActionEdited = "ACTION_EDITED";
inline constexpr std::string_view kExecutionStarted = "EXECUTION_STARTED";
inline constexpr std::string_view kActionExecuted = "ACTION_EXECUTED";
inline constexpr std::string_view kActionFailed = "ACTION_FAILED";
inline constexpr std::string_view kExecutionCancelled = "EXECUTION_CANCELLED";
inline constexpr std::string_view kExecutionExpired = "EXECUTION_EXPIRED";
inline constexpr std::string_view kReplayRequested = "REPLAY_REQUESTED";
inline constexpr std::string_view kReplayStarted = "REPLAY_STARTED";
inline constexpr std::string_view kCostGateEvaluated = "COST_GATE_EVALUATED";
inline constexpr std::string_view kConfigChanged = "CONFIG_CHANGED";
inline constexpr std::string_view kKillSwitchChanged = "KILL_SWITCH_CHANGED";
inline constexpr std::string_view kBudgetStateReset = "BUDGET_STATE_RESET";
inline constexpr std::string_view kAuditExportRequested = "AUDIT_EXPORT_REQUESTED";

// True when `event_type` is one of the names above (exact, case-sensitive).
bool IsKnownEventType(std::string_view event_type);

}  // namespace steward::ledger
