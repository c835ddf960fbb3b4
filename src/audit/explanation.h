#pragma once
// Explanation: "why did the system do this?" for one intent (SPEC §8),
// GET /v1/autonomy/ledger/explanation?action_intent_id&account_id.
//
// Overview. Everything is read back from what was recorded at the time — the intent, its ledger
// entries and its first outcome — never from today's configuration, so a later change of mode,
// allowlist or budget never rewrites an explanation. The gate's decisive evaluation is the last
// POLICY_EVALUATED entry of the intent that decided something (entries with reason
// INTENT_NOT_PENDING / INTENT_EXPIRED only record a refusal; they are used when nothing else
// exists). Its `inputs` are what the gate knew; the counterfactual replays them through
// policy::EvaluateAutoApprovalV1 and the gate's own step order (kill switches → allowlist →
// policy → budget), changing one input at a time.
//
// Answer (all objects; keys sorted; arrays in the orders stated):
//   action_intent_id, account_id, action_type, status (the intent's current status)
//   why: {path, path_explanation, gated, gate: {result, reason, explanation, policy_decision,
//         decided_at, evaluations} | null, execution_status (PENDING | RUNNING | SUCCEEDED |
//         FAILED | CANCELLED | EXPIRED | null), approval_source, approved_by, approved_at,
//         edited_fields, comment, rejected_by, rejection_reason, rejected_at,
//         cancellation: {reason (KILL_SWITCH | CANCELLED_BY_USER), explanation, by, at,
//         kill_switches?} | null, expiry: {expires_at, expired_at, previous_status} | null}
//   what_it_knew: {evaluated_at, intent_status_at_evaluation, action_type, registry_version,
//         confidence_score, risk_level, registry_risk_class, effective_risk, external_contact,
//         confidence_threshold: {tenant, registry_min, effective} | null, mode: {mode, source}
//         | null, allowlist | null, budget | null, kill_switches | null, recorded_steps,
//         parameters (as approved / executed), original_parameters (as proposed; null unless
//         edited), edits: [{field, old, new}], target}
//   which_policy: {policy_version, policy_clause, policy_decision} | null
//   outcome: the first execution's outcome (exec::OutcomeToJson) | null
//   timeline: [{seq, event_type, timestamp, actor, data}] — every entry of the intent, by seq
//   counterfactual: {available, explanation, recorded_result, replayed_result, replay_matches,
//         items: [{change: {input, recorded, counterfactual}, would_result, explanation,
//         tenant_can_change, unchecked_steps}]}
//
// Paths (why.path), a closed set decided from the intent's final state:
//   POLICY_AUTO_EXECUTED  the gate approved it (approval source POLICY); queued, running or
//                         succeeded
//   HUMAN_APPROVED        a person approved it unchanged; queued, running or succeeded
//   HUMAN_EDITED          a person approved it with edited parameters; queued, running or
//                         succeeded
//   FAILED                approved (by either source) but the execution failed
//   CANCELLED             cancelled before it ran: by a person, or by a kill switch at execution
//   EXPIRED               expired while waiting for a decision or before it could run
//   REJECTED              a person rejected it
//   BLOCKED               the policy blocked it (mode DISABLED); it can never run
//   BUDGET_DENIED         the gate routed it to a person because the autonomy budget was used up
//                         or not configured, and it still waits
//   REQUIRES_APPROVAL     the gate routed it to a person for another reason (mode, kill switch,
//                         allowlist, external contact, risk, confidence), and it still waits
//   NOT_GATED             never evaluated by the gate and nobody has decided yet
//
// Counterfactual rules. would_result is a gate result (AUTO_EXECUTED, REQUIRE_APPROVAL,
// BLOCKED), EXECUTED (an execution-stage change: the approved action would have run) or
// NOT_DETERMINED (the gate stopped before a later step, so its inputs were never recorded).
// A step the gate never reached is listed in the item's unchecked_steps; only an unchecked
// budget still allows would_result AUTO_EXECUTED ("subject to the budget"). Items, in this order:
//   1. execution stage (only when it ended the intent): a kill switch that cancelled an approved
//      execution ("Would auto-execute if the kill switch were off: …"), an expiry, a connector
//      that was not configured, a missing parameter, a retryable failure out of attempts.
//   2. gate stage, when the recorded result was not AUTO_EXECUTED — what would have changed it:
//      kill switches off; the type on the allowlist; mode AUTO_EXECUTE (and APPROVAL_REQUIRED for
//      a BLOCK); "Never auto-executes: external contact" and "Never auto-executes: risk X from
//      the registry" (tenant_can_change false); the intent's own risk level lowered; the
//      confidence raised to the threshold; the tenant threshold lowered to the confidence (when
//      the registry minimum allows it); N more budget units (total or per type); a budget
//      configured.
//   3. gate stage, when the recorded result was AUTO_EXECUTED — what would have stopped it: a
//      kill switch on; the type off the allowlist; mode APPROVAL_REQUIRED / PROPOSE_ONLY;
//      mode DISABLED; an intent risk level of MEDIUM; a confidence below the threshold; the
//      daily budget used up.
// Numbers are shown with two decimals ("0.70") unless they need more.
//
// Thread-safe (no mutable state; the store is thread-safe).

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "autonomy/autonomy_service.h"
#include "common/status.h"
#include "policy/auto_approval_policy.h"
#include "store/store.h"

namespace steward::audit {

using autonomy::Actor;

inline constexpr std::string_view kPathPolicyAutoExecuted = "POLICY_AUTO_EXECUTED";
inline constexpr std::string_view kPathHumanApproved = "HUMAN_APPROVED";
inline constexpr std::string_view kPathHumanEdited = "HUMAN_EDITED";
inline constexpr std::string_view kPathFailed = "FAILED";
inline constexpr std::string_view kPathCancelled = "CANCELLED";
inline constexpr std::string_view kPathExpired = "EXPIRED";
inline constexpr std::string_view kPathRejected = "REJECTED";
inline constexpr std::string_view kPathBlocked = "BLOCKED";
inline constexpr std::string_view kPathBudgetDenied = "BUDGET_DENIED";
inline constexpr std::string_view kPathRequiresApproval = "REQUIRES_APPROVAL";
inline constexpr std::string_view kPathNotGated = "NOT_GATED";

inline constexpr std::string_view kWouldExecute = "EXECUTED";
inline constexpr std::string_view kWouldNotDetermined = "NOT_DETERMINED";

// The policy input recorded in a POLICY_EVALUATED entry's data.inputs.policy_input, or nullopt
// when the gate stopped before the policy (kill switch, allowlist, refusal) or the record is
// malformed. Shared with Insights.
std::optional<policy::PolicyInput> RecordedPolicyInput(const nlohmann::json& inputs);

// True for the reasons of a POLICY_EVALUATED entry that record a refusal to decide
// (INTENT_NOT_PENDING, INTENT_EXPIRED) rather than a decision.
bool IsRefusalReason(std::string_view reason);

class Explanation {
 public:
  // `store` must outlive the service.
  explicit Explanation(store::Store* store) : store_(store) {}

  // One Store::Read. InvalidArgument for an ill-formed id (or account_id, when given); NotFound
  // when the intent does not exist in the caller's tenant or belongs to another account than a
  // given `account_id` (empty: any account).
  Status Explain(const Actor& actor, std::string_view action_intent_id, std::string_view account_id,
                 nlohmann::json* out);

 private:
  store::Store* store_;
};

}  // namespace steward::audit
