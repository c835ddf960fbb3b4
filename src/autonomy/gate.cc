#include "autonomy/gate.h"

#include <algorithm>
#include <cstdio>

#include "autonomy/budget.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/json.h"
#include "common/time_util.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"
#include "policy/auto_approval_policy.h"

namespace steward::autonomy {
namespace {

constexpr std::string_view kGateClausePrefix = "gate.";

GateOutcome Stop(std::string_view reason, std::string explanation, std::string_view clause) {
  GateOutcome o;
  o.result = std::string(kResultRequireApproval);
  o.reason = std::string(reason);
  o.explanation = explanation;
  o.policy_decision = std::string(policy::DecisionName(policy::Decision::kRequireApproval));
  o.policy_reason = o.reason;
  o.policy_explanation = std::move(explanation);
  o.policy_version = std::string(policy::kPolicyVersion);
  o.policy_clause = std::string(kGateClausePrefix) + std::string(clause);
  return o;
}

void FillBudget(GateOutcome* o, const BudgetCheck& b) {
  o->budget_checked = b.configured;
  o->budget_limit = b.limit;
  o->budget_used = b.used;
  o->budget_remaining = b.remaining;
}

Json BudgetInputs(const BudgetCheck& b) {
  Json j = JsonObject({{"configured", b.configured},
                       {"day", b.day},
                       {"limit", b.limit},
                       {"used", b.used},
                       {"remaining", b.remaining}});
  j["type_limit"] = b.type_limit ? Json(*b.type_limit) : Json(nullptr);
  j["type_used"] = b.type_used;
  return j;
}

ledger::AppendRequest Meta(const Intent& intent, std::string_view event, std::string_view actor) {
  ledger::AppendRequest m;
  m.event_type = std::string(event);
  m.account_id = intent.account_id;
  m.trace_id = intent.trace_id.value_or("");
  m.action_intent_id = intent.action_intent_id;
  m.actor = std::string(actor);
  return m;
}

// The data of a POLICY_EVALUATED ledger entry: the outcome and every input that decided it.
Json EvaluatedData(const GateOutcome& o, Json inputs) {
  return JsonObject({{"result", o.result},
                     {"reason", o.reason},
                     {"explanation", o.explanation},
                     {"policy_version", o.policy_version},
                     {"policy_clause", o.policy_clause},
                     {"policy_decision", o.policy_decision},
                     {"inputs", std::move(inputs)}});
}

// Records a decision that is not an auto-execution: the intent's gate field, its status (a
// PROPOSED intent waits for approval; a policy BLOCK ends it) and POLICY_EVALUATED. The intent's
// row is updated when `stored` (else its creator inserts it afterwards).
Status Record(store::Txn& txn, Intent* intent, const GateOutcome& o, const Json& inputs,
              std::string_view actor, int64_t now_ms, bool update_intent, bool stored,
              const ledger::AppendEvent* preceding) {
  if (update_intent) {
    GateDecision d{o.result, o.reason, o.explanation, o.policy_version, o.policy_clause, now_ms};
    intent->gate = d;
    if (o.result == kResultBlocked) {
      intent->status = std::string(kStatusBlocked);
    } else if (intent->status == kStatusProposed) {
      intent->status = std::string(kStatusAwaitingApproval);
    }
    intent->updated_at = now_ms;
    if (stored) STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
  }
  ledger::AppendRequest evaluated = Meta(*intent, ledger::kPolicyEvaluated, actor);
  Json data = EvaluatedData(o, inputs);
  std::vector<ledger::AppendEvent> events;
  if (preceding) events.push_back(*preceding);
  events.emplace_back(&evaluated, &data);
  auto e = ledger::AppendMany(txn, intent->tenant_id, now_ms, events);
  return e.ok() ? Status::Ok() : e.status();
}

// Steps 2–6: what the intent and the configuration alone decide.
struct Screen {
  enum class Next { kAlreadyPublished, kRecord, kBudget };
  Next next = Next::kRecord;
  GateOutcome o;
  Json inputs;
  bool update_intent = false;  // kRecord: whether the intent's gate field and status move
};

Screen RecordOutcome(GateOutcome o, Json inputs, bool update_intent) {
  Screen s;
  s.next = Screen::Next::kRecord;
  s.o = std::move(o);
  s.inputs = std::move(inputs);
  s.update_intent = update_intent;
  return s;
}

// Steps 2 and 3, from the intent alone; nullopt when the intent goes on to configuration.
std::optional<Screen> ScreenStatus(const Intent& intent, int64_t now_ms, Json* inputs_out) {
  Json& inputs = *inputs_out;
  inputs = JsonObject({{"action_type", intent.action_type},
                       {"registry_version", intent.registry_version},
                       {"intent_status", intent.status}});

  // 2. Idempotent on the intent: a policy approval is never made twice.
  if (intent.approval && intent.approval->source == "POLICY") {
    Screen s;
    s.next = Screen::Next::kAlreadyPublished;
    GateOutcome& o = s.o;
    o.result = std::string(kResultAutoExecuted);
    o.reason = std::string(policy::kReasonAutoExecuteAllowed);
    o.already_published = true;
    if (intent.gate) {
      o.reason = intent.gate->reason;
      o.explanation = intent.gate->explanation;
      o.policy_version = intent.gate->policy_version;
      o.policy_clause = intent.gate->policy_clause;
    }
    o.explanation = "Already auto-executed: " + o.explanation;
    o.policy_decision = std::string(policy::DecisionName(policy::Decision::kAutoExecute));
    o.policy_reason = o.reason;
    o.policy_explanation = o.explanation;
    return s;
  }

  // 3. Only pending, unexpired intents are decided.
  bool pending = intent.status == kStatusProposed || intent.status == kStatusAwaitingApproval;
  if (!pending) {
    return RecordOutcome(Stop(kReasonIntentNotPending,
                              "The intent is " + intent.status + ", not waiting for a decision.",
                              "intent_pending"),
                         std::move(inputs), false);
  }
  if (intent.expires_at && *intent.expires_at <= now_ms) {
    return RecordOutcome(Stop(kReasonIntentExpired, "The intent expired before it was decided.",
                              "intent_expired"),
                         std::move(inputs), false);
  }
  return std::nullopt;
}

// Steps 4-6, from the intent and the configuration it meets.
Result<Screen> ScreenConfig(const Intent& intent, const GateConfig& cfg, Json inputs) {
  // 4. Kill switches.
  const EmergencyStop& es = cfg.emergency_stop;
  const KillSwitches& ks = cfg.kill_switches;
  bool type_disabled = false;
  for (const auto& t : ks.disabled_action_types) type_disabled |= t == intent.action_type;
  inputs["kill_switches"] = JsonObject({{"emergency_stop", es.engaged},
                                        {"autonomy_enabled", ks.autonomy_enabled},
                                        {"execution_enabled", ks.execution_enabled},
                                        {"action_type_disabled", type_disabled}});
  if (es.engaged || !ks.autonomy_enabled || !ks.execution_enabled || type_disabled) {
    std::string which = es.engaged                ? "the platform's emergency stop is engaged"
                        : !ks.autonomy_enabled    ? "autonomy is switched off for this tenant"
                        : !ks.execution_enabled   ? "execution is switched off for this tenant"
                                                  : "this action type is switched off for this tenant";
    return RecordOutcome(Stop(kReasonKillSwitch, "A kill switch is on: " + which + ".",
                              "kill_switch"),
                         std::move(inputs), true);
  }

  // 5. Allowlist: a hard stop before policy.
  const AllowlistResolution& al = cfg.allowlist;
  inputs["allowlist"] = JsonObject({{"allowlisted", al.allowlisted},
                                    {"source", al.source},
                                    {"action_types", al.action_types}});
  if (!al.allowlisted) {
    return RecordOutcome(
        Stop(kReasonNotAllowlisted,
             al.source == "none"
                 ? "No allowlist is configured, so nothing may auto-execute."
                 : "The action type " + intent.action_type + " is not on the " + al.source +
                       " allowlist.",
             "allowlist"),
        std::move(inputs), true);
  }

  // 6. Mode resolution and the policy.
  if (!cfg.action_type) return cfg.action_type_error;
  const ActionTypeDef& def = *cfg.action_type;
  const ModeResolution& mode = cfg.mode;
  const PolicySettings& ps = cfg.policy;
  policy::PolicyInput pin;
  pin.mode = mode.mode;
  if (intent.risk_level) pin.intent_risk = policy::ParseRiskLevel(*intent.risk_level);
  pin.registry_risk = def.risk_class;
  pin.external_contact = def.external_contact;
  pin.confidence = intent.confidence_score;
  pin.tenant_threshold = ps.confidence_threshold;
  pin.registry_min_confidence = def.min_confidence;
  policy::PolicyResult pr = policy::EvaluateAutoApprovalV1(pin);
  inputs["policy_input"] = JsonObject({
      {"mode", policy::ModeName(mode.mode)},
      {"mode_source", mode.source},
      {"intent_risk_level", intent.risk_level ? Json(*intent.risk_level) : Json(nullptr)},
      {"registry_risk_class", policy::RiskLevelName(def.risk_class)},
      {"effective_risk", policy::RiskLevelName(pr.effective_risk)},
      {"external_contact", def.external_contact},
      {"confidence_score",
       intent.confidence_score ? Json(*intent.confidence_score) : Json(nullptr)},
      {"tenant_threshold", ps.confidence_threshold},
      {"registry_min_confidence", def.min_confidence},
      {"effective_threshold", pr.effective_threshold}});

  Screen s;
  GateOutcome& o = s.o;
  o.policy_decision = std::string(policy::DecisionName(pr.decision));
  o.policy_reason = pr.reason;
  o.policy_explanation = pr.explanation;
  o.policy_version = std::string(policy::kPolicyVersion);
  o.policy_clause = pr.policy_clause;
  o.reason = pr.reason;
  o.explanation = pr.explanation;
  s.inputs = std::move(inputs);
  if (pr.decision != policy::Decision::kAutoExecute) {
    o.result = std::string(pr.decision == policy::Decision::kBlock ? kResultBlocked
                                                                    : kResultRequireApproval);
    s.next = Screen::Next::kRecord;
    s.update_intent = true;
    return s;
  }
  s.next = Screen::Next::kBudget;
  return s;
}

// The budget inputs of an AUTO_EXECUTED decision's POLICY_EVALUATED entry.
Json ConsumedBudgetInputs(const BudgetCheck& b) {
  Json j = BudgetInputs(b);
  j["consumed"] = true;
  return j;
}

// The budget section of ACTION_APPROVED, after this decision's unit is counted.
Json ApprovedBudget(const BudgetCheck& b) {
  return JsonObject({{"day", b.day}, {"used", b.used + 1}, {"limit", b.limit}});
}

Json ApprovedData(const Intent& intent, Json budget) {
  return JsonObject({{"approval_source", "POLICY"},
                     {"approved_by", policy::kPolicyVersion},
                     {"parameters", ParseJson(intent.parameters_json).value()},
                     {"budget", std::move(budget)}});
}

// Marks `intent` auto-approved by the policy at `now_ms` with `o`'s decision.
void Approve(Intent* intent, const GateOutcome& o, int64_t now_ms) {
  intent->gate = GateDecision{o.result, o.reason, o.explanation, o.policy_version, o.policy_clause,
                              now_ms};
  intent->status = std::string(kStatusApproved);
  intent->approval = Approval{"POLICY", std::string(policy::kPolicyVersion), now_ms, {}, {}};
  intent->updated_at = now_ms;
}

// The outcome's budget section once this decision's unit is counted.
void FillConsumedBudget(GateOutcome* o, const BudgetCheck& b) {
  FillBudget(o, b);
  o->budget_used = b.used + 1;
  o->budget_remaining = std::max<int64_t>(0, b.limit - o->budget_used);
}

std::string CacheKey(const Intent& intent) {
  std::string key = intent.tenant_id;
  key += '\0';
  key += intent.account_id;
  key += '\0';
  key += intent.action_type;
  key += '\0';
  key += std::to_string(intent.registry_version);
  return key;
}

}  // namespace

Result<GateConfig> LoadGateConfig(store::Txn& txn, const Intent& intent) {
  const std::string& tenant = intent.tenant_id;
  GateConfig cfg;
  STEWARD_ASSIGN_OR_RETURN(cfg.emergency_stop, LoadEmergencyStop(txn));
  STEWARD_ASSIGN_OR_RETURN(cfg.kill_switches, LoadKillSwitches(txn, tenant));
  STEWARD_ASSIGN_OR_RETURN(cfg.allowlist, ResolveAllowlist(txn, tenant, intent.account_id,
                                                           intent.action_type));
  auto def = ResolveActionType(txn, tenant, intent.action_type, intent.registry_version);
  if (def.ok()) {
    cfg.action_type = std::move(def).value();
  } else {
    cfg.action_type_error = def.status();
  }
  STEWARD_ASSIGN_OR_RETURN(cfg.mode, ResolveMode(txn, tenant, intent.account_id,
                                                 intent.action_type));
  STEWARD_ASSIGN_OR_RETURN(cfg.policy, LoadPolicySettings(txn, tenant));
  STEWARD_ASSIGN_OR_RETURN(cfg.budget, LoadBudgetConfig(txn, tenant, intent.account_id));
  return cfg;
}

std::shared_ptr<const GateConfig> GateConfigCache::Find(const Intent& intent,
                                                        const ConfigVersions& versions) const {
  std::string key = CacheKey(intent);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || !(it->second.first == versions)) return nullptr;
  return it->second.second;
}

void GateConfigCache::Put(const Intent& intent, const ConfigVersions& versions,
                          std::shared_ptr<const GateConfig> config) {
  std::string key = CacheKey(intent);
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[std::move(key)] = {versions, std::move(config)};
}

namespace {

// The intent's GateConfig: from `cache` when it holds it at the versions `txn` reads, else read
// (and cached).
Result<std::shared_ptr<const GateConfig>> GateConfigFor(store::Txn& txn, const Intent& intent,
                                                        GateConfigCache* cache) {
  std::optional<ConfigVersions> versions;
  if (cache) {
    STEWARD_ASSIGN_OR_RETURN(versions, LoadConfigVersions(txn, intent.tenant_id));
    if (auto hit = cache->Find(intent, *versions)) return hit;
  }
  STEWARD_ASSIGN_OR_RETURN(GateConfig loaded, LoadGateConfig(txn, intent));
  auto cfg = std::make_shared<const GateConfig>(std::move(loaded));
  if (cache) cache->Put(intent, *versions, cfg);
  return cfg;
}

}  // namespace

Result<GateOutcome> RunGate(store::Txn& txn, std::string_view tenant_id,
                            std::string_view account_id, std::string_view action_intent_id,
                            std::string_view actor, int64_t now_ms, GateConfigCache* cache) {
  STEWARD_ASSIGN_OR_RETURN(auto intent, LoadIntent(txn, tenant_id, action_intent_id));
  if (!intent || intent->account_id != account_id) {
    return Stop(kReasonIntentNotFound,
                "No intent " + std::string(action_intent_id) + " exists for this account.",
                "intent_exists");
  }
  return RunGateOnIntent(txn, &*intent, actor, now_ms, cache);
}

Result<GateOutcome> RunGateOnIntent(store::Txn& txn, Intent* intent, std::string_view actor,
                                    int64_t now_ms, GateConfigCache* cache, bool intent_stored,
                                    const ledger::AppendEvent* preceding) {
  const std::string& tenant = intent->tenant_id;
  Json inputs;
  std::optional<Screen> early = ScreenStatus(*intent, now_ms, &inputs);
  if (early && early->next == Screen::Next::kAlreadyPublished) {
    if (preceding) {
      auto e = ledger::AppendMany(txn, tenant, now_ms, {*preceding});
      if (!e.ok()) return e.status();
    }
    STEWARD_ASSIGN_OR_RETURN(BudgetCheck b, CheckBudget(txn, tenant, intent->account_id,
                                                        intent->action_type, now_ms));
    FillBudget(&early->o, b);
    return std::move(early->o);
  }
  std::shared_ptr<const GateConfig> cfgp;
  if (!early) {
    STEWARD_ASSIGN_OR_RETURN(cfgp, GateConfigFor(txn, *intent, cache));
    STEWARD_ASSIGN_OR_RETURN(early, ScreenConfig(*intent, *cfgp, std::move(inputs)));
  }
  Screen& s = *early;
  GateOutcome& o = s.o;
  if (s.next == Screen::Next::kRecord) {
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, s.inputs, actor, now_ms, s.update_intent,
                                   intent_stored, preceding));
    return o;
  }
  const GateConfig& cfg = *cfgp;  // ScreenConfig led here (kBudget)

  // 7. Budget.
  BudgetCheck b;
  if (cfg.budget) {
    STEWARD_ASSIGN_OR_RETURN(b, CheckBudgetUsage(txn, tenant, intent->account_id,
                                                 intent->action_type, *cfg.budget,
                                                 LocalDay(now_ms, cfg.budget->timezone)));
  }
  if (!b.configured || b.exceeded) {
    s.inputs["budget"] = BudgetInputs(b);
    FillBudget(&o, b);
    o.result = std::string(kResultRequireApproval);
    if (!b.configured) {
      o.reason = std::string(kReasonBudgetNotConfigured);
      o.explanation = "No autonomy budget is configured for this account, so nothing may "
                      "auto-execute.";
      o.policy_clause = "gate.budget_configured";
    } else {
      o.reason = std::string(kReasonBudgetExceeded);
      o.explanation =
          b.exceeded_scope == "total"
              ? "Today's autonomy budget is used up (" + std::to_string(b.used) + " of " +
                    std::to_string(b.limit) + ")."
              : "Today's budget for " + intent->action_type + " is used up (" +
                    std::to_string(b.type_used) + " of " + std::to_string(*b.type_limit) + ").";
      o.policy_clause = "gate.budget_available";
    }
    STEWARD_RETURN_IF_ERROR(
        Record(txn, intent, o, s.inputs, actor, now_ms, true, intent_stored, preceding));
    return o;
  }

  // 8. Commit: budget, intent, ledger and the execution job in this one transaction.
  STEWARD_RETURN_IF_ERROR(ConsumeBudget(txn, tenant, intent->account_id, intent->action_type, b.day));
  FillConsumedBudget(&o, b);
  s.inputs["budget"] = ConsumedBudgetInputs(b);
  o.result = std::string(kResultAutoExecuted);
  Approve(intent, o, now_ms);
  if (intent_stored) STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
  Json eval = EvaluatedData(o, std::move(s.inputs));
  Json approved = ApprovedData(*intent, ApprovedBudget(b));
  ledger::AppendRequest evaluated = Meta(*intent, ledger::kPolicyEvaluated, actor);
  ledger::AppendRequest approval = Meta(*intent, ledger::kActionApproved, actor);
  std::vector<ledger::AppendEvent> events;
  if (preceding) events.push_back(*preceding);
  events.emplace_back(&evaluated, &eval);
  events.emplace_back(&approval, &approved);
  auto entries = ledger::AppendMany(txn, tenant, now_ms, events);
  if (!entries.ok()) return entries.status();
  auto job = EnqueueExecution(txn, *intent, 1, now_ms);
  if (!job.ok()) return job.status();
  o.job_enqueued = true;
  return o;
}

std::string ExecuteJobDedupeKey(const Intent& intent, int64_t execution_no) {
  char created[24];
  std::snprintf(created, sizeof(created), "%016lld",
                static_cast<long long>(std::max<int64_t>(0, intent.created_at)));
  std::string key = created;
  key += ':';
  key += intent.action_intent_id;
  key += '#';
  key += std::to_string(execution_no);
  return key;
}

Result<int64_t> EnqueueExecution(store::Txn& txn, const Intent& intent, int64_t execution_no,
                                 int64_t now_ms) {
  std::string payload = JsonObject({{"action_intent_id", intent.action_intent_id},
                                    {"account_id", intent.account_id},
                                    {"execution", execution_no}})
                            .dump();
  return jobs::Enqueue(txn, intent.tenant_id, kJobExecuteIntent, payload, now_ms, now_ms,
                       ExecuteJobDedupeKey(intent, execution_no));
}

void GateOutcomeToJson(const GateOutcome& o, std::string_view action_intent_id, Json* out) {
  Json policy = JsonObject({{"decision", o.policy_decision},
                            {"reason", o.policy_reason},
                            {"explanation", o.policy_explanation},
                            {"policy_version", o.policy_version},
                            {"policy_clause", o.policy_clause}});
  Json budget = nullptr;
  if (o.budget_checked) {
    budget = JsonObject(
        {{"limit", o.budget_limit}, {"used", o.budget_used}, {"remaining", o.budget_remaining}});
  }
  *out = JsonObject({{"result", o.result},
                     {"reason", o.reason},
                     {"explanation", o.explanation},
                     {"action_intent_id", action_intent_id},
                     {"already_published", o.already_published},
                     {"policy", std::move(policy)},
                     {"budget", std::move(budget)}});
}

}  // namespace steward::autonomy
