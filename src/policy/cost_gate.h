#pragma once
// The decision cost gate (SPEC §7 step 3): a pure function of the trigger's configuration, the
// account's decision state and the time, deciding whether a RUN_DECISION may run now. No I/O and
// no clock of its own: `now_ms` is an input, so a recorded input replays to the recorded result.
//
// Order (first match wins):
//   daily decision budget spent                       -> SKIP  BUDGET_EXHAUSTED
//   same trigger within debounce of the last run      -> SKIP  DEBOUNCED
//   within cooldown of the last allowed run           -> DEFER COOLDOWN     (until it ends)
//   allowed runs in the rolling hour at the cap       -> DEFER RATE_LIMITED (until the oldest
//                                                              of them is an hour old)
//   pending evaluations of the account at the bound   -> SKIP  MARGINAL_VALUE_LOW
//   otherwise                                         -> ALLOW
// A retry (the one re-evaluation of an earlier DEFER) that would be deferred again is
// SKIP RETRY_EXHAUSTED instead. (Unknown or disabled trigger types are SKIP UNKNOWN_TRIGGER_TYPE
// before the gate runs; duplicates are SKIP DUPLICATE at the reservation.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward::policy {

inline constexpr std::string_view kCostGateVersion = "DecisionCostGateV1";

enum class GateResult { kAllow, kDefer, kSkip };
std::string_view GateResultName(GateResult r);  // "ALLOW", "DEFER", "SKIP"

inline constexpr std::string_view kReasonDuplicate = "DUPLICATE";
inline constexpr std::string_view kReasonUnknownTriggerType = "UNKNOWN_TRIGGER_TYPE";
inline constexpr std::string_view kReasonBudgetExhausted = "BUDGET_EXHAUSTED";
inline constexpr std::string_view kReasonDebounced = "DEBOUNCED";
inline constexpr std::string_view kReasonCooldown = "COOLDOWN";
inline constexpr std::string_view kReasonRateLimited = "RATE_LIMITED";
inline constexpr std::string_view kReasonMarginalValueLow = "MARGINAL_VALUE_LOW";
inline constexpr std::string_view kReasonRetryExhausted = "RETRY_EXHAUSTED";

struct TriggerConfig {
  int64_t debounce_seconds = 0;
  int64_t cooldown_seconds = 0;
  int64_t max_per_hour = 1;
};

struct CostGateInput {
  TriggerConfig trigger;
  int64_t now_ms = 0;
  // Last run of this trigger type for the account that was not itself skipped as a duplicate
  // or debounced, and last ALLOW of it.
  std::optional<int64_t> last_allowed_ms;
  // Times of this trigger type's ALLOWs for the account in (now − 1 h, now], any order.
  std::vector<int64_t> allowed_last_hour_ms;
  // Decision runs allowed today for the account, and the daily budget (none: unlimited).
  int64_t runs_today = 0;
  std::optional<int64_t> daily_budget;
  // Deferred evaluations of the account waiting for their retry, and the bound.
  int64_t pending_evaluations = 0;
  int64_t max_pending_evaluations = 10;
  bool is_retry = false;
};

struct CostGateResult {
  GateResult result = GateResult::kAllow;
  std::string reason;  // empty for ALLOW
  std::string explanation;
  std::optional<int64_t> defer_until_ms;      // DEFER only
  std::optional<int64_t> retry_after_seconds;  // DEFER only, rounded up
};

CostGateResult EvaluateCostGate(const CostGateInput& in);

}  // namespace steward::policy
