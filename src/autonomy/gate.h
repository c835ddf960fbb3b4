#pragma once
// The auto-approval gate (SPEC §5). For one intent it decides AUTO_EXECUTED, REQUIRE_APPROVAL or
// BLOCKED, in this order, the first failing step deciding:
//   1. the intent exists for (tenant, account)            else INTENT_NOT_FOUND
//   2. already auto-executed -> AUTO_EXECUTED again, already_published, nothing consumed
//   3. still PROPOSED / AWAITING_APPROVAL and not expired else INTENT_NOT_PENDING / INTENT_EXPIRED
//   4. kill switches (emergency stop, autonomy, execution, disabled type)      else KILL_SWITCH
//   5. allowlist                                           else ACTION_TYPE_NOT_ALLOWLISTED
//   6. mode resolution + AutoApprovalPolicyV1 (BLOCK ends the intent BLOCKED)
//   7. budget: configured and not exhausted  else BUDGET_NOT_CONFIGURED / BUDGET_EXCEEDED
//   8. commit: budget consumed, intent APPROVED (source POLICY), ledger POLICY_EVALUATED and
//      ACTION_APPROVED, one EXECUTE_INTENT job.
// Everything runs inside the caller's write transaction, so steps 7 and 8 are atomic with the
// reads before them. A REQUIRE_APPROVAL moves a PROPOSED intent to AWAITING_APPROVAL and appends
// POLICY_EVALUATED with every input the decision used (so it can be explained and replayed).

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "autonomy/intent.h"
#include "common/status.h"
#include "store/store.h"

namespace steward::autonomy {

inline constexpr std::string_view kResultAutoExecuted = "AUTO_EXECUTED";
inline constexpr std::string_view kResultRequireApproval = "REQUIRE_APPROVAL";
inline constexpr std::string_view kResultBlocked = "BLOCKED";

inline constexpr std::string_view kReasonIntentNotFound = "INTENT_NOT_FOUND";
inline constexpr std::string_view kReasonIntentNotPending = "INTENT_NOT_PENDING";
inline constexpr std::string_view kReasonIntentExpired = "INTENT_EXPIRED";
inline constexpr std::string_view kReasonKillSwitch = "KILL_SWITCH";
inline constexpr std::string_view kReasonNotAllowlisted = "ACTION_TYPE_NOT_ALLOWLISTED";
inline constexpr std::string_view kReasonBudgetNotConfigured = "BUDGET_NOT_CONFIGURED";
inline constexpr std::string_view kReasonBudgetExceeded = "BUDGET_EXCEEDED";

inline constexpr std::string_view kJobExecuteIntent = "EXECUTE_INTENT";

struct GateOutcome {
  std::string result;
  std::string reason;
  std::string explanation;
  bool already_published = false;
  // The policy section: what AutoApprovalPolicyV1 said, or the gate step that stopped first.
  std::string policy_decision;
  std::string policy_reason;
  std::string policy_explanation;
  std::string policy_version;
  std::string policy_clause;
  bool budget_checked = false;
  int64_t budget_limit = 0;
  int64_t budget_used = 0;
  int64_t budget_remaining = 0;
  bool job_enqueued = false;  // true when this call enqueued an execution
};

// Runs the gate for (tenant, account, intent) inside `txn`. `actor` is the token's subject.
// Errors are only store failures; every decision is a value.
Result<GateOutcome> RunGate(store::Txn& txn, std::string_view tenant_id,
                            std::string_view account_id, std::string_view action_intent_id,
                            std::string_view actor, int64_t now_ms);

// The same, on an intent already loaded in this transaction (intent creation). Updates `intent`.
Result<GateOutcome> RunGateOnIntent(store::Txn& txn, Intent* intent, std::string_view actor,
                                    int64_t now_ms);

// Response body of SPEC §5.
void GateOutcomeToJson(const GateOutcome& outcome, std::string_view action_intent_id,
                       nlohmann::json* out);

}  // namespace steward::autonomy
