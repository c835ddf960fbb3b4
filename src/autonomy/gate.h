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
// reads before them. The configuration of steps 4–7 may come from a GateConfigCache, checked
// against the configuration's version counters read in the same transaction. A REQUIRE_APPROVAL moves a PROPOSED intent to AWAITING_APPROVAL and appends
// POLICY_EVALUATED with every input the decision used (so it can be explained and replayed).

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "autonomy/budget.h"
#include "autonomy/intent.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "ledger/ledger.h"
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

// The dedupe key of the EXECUTE_INTENT job for execution `execution_no` of `intent` (every path
// that enqueues one uses it, so two paths cannot both queue the same execution). It begins with
// the intent's creation time, zero-padded: the keys of new intents then sort after the existing
// ones, and the job's entry in jobs_dedupe lands on the index's last page instead of a random
// one (client-given ids are in no order).
std::string ExecuteJobDedupeKey(const Intent& intent, int64_t execution_no);

// Enqueues the EXECUTE_INTENT job for execution `execution_no` of `intent` (in its tenant, due
// now, with the key above): the one way the gate, a human approval and a replay queue an
// execution. Returns the job's id (the existing job's for a repeated key).
Result<int64_t> EnqueueExecution(store::Txn& txn, const Intent& intent, int64_t execution_no,
                                 int64_t now_ms);

class GateConfigCache;
struct GateConfig;

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
// Errors are only store failures; every decision is a value. With a `cache`, the configuration
// is read once per configuration version (LoadConfigVersions in `txn`) instead of every time.
Result<GateOutcome> RunGate(store::Txn& txn, std::string_view tenant_id,
                            std::string_view account_id, std::string_view action_intent_id,
                            std::string_view actor, int64_t now_ms,
                            GateConfigCache* cache = nullptr);

// The same, on an intent already loaded in this transaction. Updates `intent`, and its row when
// `intent_stored`; intent creation runs the gate on the new intent before storing it (false)
// and then inserts it once, in its decided state. `preceding`, when set, is a ledger entry
// appended just before the gate's own, in the same append (intent creation's INTENT_CREATED);
// it is appended whatever the outcome. `config`, when set, is the intent's configuration as
// GateConfigFor returned it in this transaction (intent creation reads it first for its own
// checks), so the gate does not look it up again.
Result<GateOutcome> RunGateOnIntent(store::Txn& txn, Intent* intent, std::string_view actor,
                                    int64_t now_ms, GateConfigCache* cache = nullptr,
                                    bool intent_stored = true,
                                    const ledger::AppendEvent* preceding = nullptr,
                                    std::shared_ptr<const GateConfig> config = nullptr);

// The configuration that steps 4–7 read for one intent: its tenant's, its account's, its action
// type's at the intent's pinned registry version.
struct GateConfig {
  EmergencyStop emergency_stop;
  KillSwitches kill_switches;
  AllowlistResolution allowlist;
  std::optional<ActionTypeDef> action_type;  // unset: action_type_error says why
  Status action_type_error;
  ModeResolution mode;
  PolicySettings policy;
  std::optional<BudgetConfig> budget;  // unset: none configured for the account
};
Result<GateConfig> LoadGateConfig(store::Txn& txn, const Intent& intent);

// The GateConfig of `intent` (its registry_version set): from `cache` (may be null) when it holds
// it at the configuration versions `txn` reads, else read in `txn` (and cached).
Result<std::shared_ptr<const GateConfig>> GateConfigFor(store::Txn& txn, const Intent& intent,
                                                        GateConfigCache* cache);

// GateConfig by (tenant, account, action type, registry version), each kept with the
// configuration versions (ConfigVersions) it was read at and found only at the same versions, so
// a hit is exactly what a read at those versions returns: a version is never reused, even after
// a rollback, and it changes in the transaction that changes the configuration. Thread-safe; bounded (cleared at
// kMaxEntries).
class GateConfigCache {
 public:
  static constexpr size_t kMaxEntries = 10000;
  std::shared_ptr<const GateConfig> Find(const Intent& intent,
                                         const ConfigVersions& versions) const;
  void Put(const Intent& intent, const ConfigVersions& versions,
           std::shared_ptr<const GateConfig> config);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::pair<ConfigVersions, std::shared_ptr<const GateConfig>>>
      entries_;  // GUARDED_BY(mu_)
};

// Response body of SPEC §5, written into `w` as the member `key` (a value when `key` is empty),
// or as a DOM (the same text parsed).
void WriteGateOutcome(CanonicalWriter& w, std::string_view key, const GateOutcome& outcome,
                      std::string_view action_intent_id);
void GateOutcomeToJson(const GateOutcome& outcome, std::string_view action_intent_id,
                       nlohmann::json* out);

}  // namespace steward::autonomy
