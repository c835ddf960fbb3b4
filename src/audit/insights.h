#pragma once
// Insights: shadow evidence for widening autonomy (SPEC §8), GET
// /v1/autonomy/insights?action_type&days.
//
// Cohort. The intents of the caller's tenant created in the last `days` days (optionally of one
// action type), in their state now, counted per (action_type, account_id):
//   proposed            every intent of the cohort
//   auto_executed       approved by the gate (approval source POLICY)
//   approved_unchanged  approved by a person without edits
//   edited              approved by a person with edited parameters
//   rejected            rejected by a person
//   failed              approved, but the execution failed
//   approval_routed     the gate's decision (the last POLICY_EVALUATED that decided) was
//                       REQUIRE_APPROVAL
//   would_auto_execute  of those, how many AutoApprovalPolicyV1 would have auto-executed had the
//                       mode been AUTO_EXECUTE: the recorded policy input replayed with the mode
//                       changed and nothing else (the budget is ignored). Intents the gate
//                       stopped before the policy (kill switch, allowlist) have no recorded
//                       policy input and never count here.
//   recommendation      null, or {code, text} when the evidence is strong:
//                       CONSIDER_AUTO_EXECUTE — at least kRecommendationMinProposed proposed,
//                       none rejected, edited or failed, and would_auto_execute > 0;
//                       REVIEW_AUTONOMY — at least kRecommendationMinProposed proposed, some
//                       auto-executed, and at least a fifth rejected, edited or failed.
// Answer: {days, from, to, action_type (null: all), items: [...] by (action_type, account_id),
// totals: the same counters summed}.
//
// Bounded work: intents are read one status at a time, newest first, in keyset pages of
// kInsightsPage along the (tenant, status, created_at) index, stopping at the window's start;
// the ledger is read only for each page's approval-routed intents; only the per-pair counters
// outlive a page.
//
// Thread-safe (no mutable state; the store and clock are thread-safe).

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace steward::audit {

inline constexpr int kDefaultInsightDays = 30;
inline constexpr int kMaxInsightDays = 90;
inline constexpr int kInsightsPage = 200;
inline constexpr int64_t kRecommendationMinProposed = 20;

class Insights {
 public:
  // `store` and `clock` must outlive the service.
  Insights(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // One Store::Read. `action_type` empty means every type; `days` is 1..kMaxInsightDays (the
  // route passes kDefaultInsightDays when the query omits it). InvalidArgument for an
  // ill-formed action_type or days out of range.
  Status Get(const autonomy::Actor& actor, std::string_view action_type, int days,
             nlohmann::json* out);

 private:
  store::Store* store_;
  const Clock* clock_;
};

}  // namespace steward::audit
