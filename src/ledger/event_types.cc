#include "ledger/event_types.h"

#include <array>

namespace steward::ledger {
namespace {

constexpr std::array kAllEventTypes = {
    kIntentCreated,        kPolicyEvaluated,  kActionApproved,    kActionRejected,
    kActionEdited,         kExecutionStarted, kActionExecuted,    kActionFailed,
    kExecutionCancelled,   kExecutionExpired, kReplayRequested,   kReplayStarted,
    kCostGateEvaluated,    kConfigChanged,    kKillSwitchChanged, kBudgetStateReset,
    kAuditExportRequested,
};

}  // namespace

bool IsKnownEventType(std::string_view event_type) {
  for (std::string_view known : kAllEventTypes) {
    if (event_type == known) return true;
  }
  return false;
}

}  // namespace steward::ledger
