#include "autonomy/gate.h"

#include <algorithm>
#include <cstdio>

#include "autonomy/budget.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/canonical_writer.h"
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

// What decided an intent, recorded in its POLICY_EVALUATED entry as `inputs`. Each section is
// filled by the step that read it; absent sections are left out.
struct GateInputs {
  struct Policy {
    policy::PolicyInput in;
    policy::RiskLevel effective_risk;
    double effective_threshold;
    std::string_view mode_source;
    const std::optional<std::string>* intent_risk_level;
  };
  std::string_view action_type;
  int64_t registry_version = 0;
  std::string intent_status;  // as the gate found it (a decision may move the intent's own)
  const KillSwitches* kill_switches = nullptr;  // with the two below: step 4
  bool emergency_stop = false;
  bool action_type_disabled = false;
  const AllowlistResolution* allowlist = nullptr;  // step 5
  std::optional<Policy> policy;                    // step 6
  const BudgetCheck* budget = nullptr;             // step 7
  bool budget_consumed = false;
};

// `inputs` as canonical JSON, members in byte order (docs/LEDGER_FORMAT.md).
void WriteInputs(CanonicalWriter& w, const GateInputs& in) {
  w.BeginObject("inputs").Str("action_type", in.action_type);
  if (const AllowlistResolution* al = in.allowlist) {
    w.BeginObject("allowlist")
        .StrArray("action_types", al->action_types)
        .Bool("allowlisted", al->allowlisted)
        .Str("source", al->source)
        .EndObject();
  }
  if (const BudgetCheck* b = in.budget) {
    w.BeginObject("budget").Bool("configured", b->configured);
    if (in.budget_consumed) w.Bool("consumed", true);
    w.Str("day", b->day)
        .Int("limit", b->limit)
        .Int("remaining", b->remaining)
        .OptInt("type_limit", b->type_limit)
        .Int("type_used", b->type_used)
        .Int("used", b->used)
        .EndObject();
  }
  w.Str("intent_status", in.intent_status);
  if (const KillSwitches* ks = in.kill_switches) {
    w.BeginObject("kill_switches")
        .Bool("action_type_disabled", in.action_type_disabled)
        .Bool("autonomy_enabled", ks->autonomy_enabled)
        .Bool("emergency_stop", in.emergency_stop)
        .Bool("execution_enabled", ks->execution_enabled)
        .EndObject();
  }
  if (const auto& p = in.policy) {
    w.BeginObject("policy_input")
        .OptNum("confidence_score", p->in.confidence)
        .Str("effective_risk", policy::RiskLevelName(p->effective_risk))
        .Num("effective_threshold", p->effective_threshold)
        .Bool("external_contact", p->in.external_contact)
        .OptStr("intent_risk_level", *p->intent_risk_level)
        .Str("mode", policy::ModeName(p->in.mode))
        .Str("mode_source", p->mode_source)
        .Num("registry_min_confidence", p->in.registry_min_confidence)
        .Str("registry_risk_class", policy::RiskLevelName(p->in.registry_risk))
        .Num("tenant_threshold", p->in.tenant_threshold)
        .EndObject();
  }
  w.Int("registry_version", in.registry_version).EndObject();
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

// The data of a POLICY_EVALUATED ledger entry, as canonical JSON: the outcome and every input
// that decided it.
std::string EvaluatedData(const GateOutcome& o, const GateInputs& inputs) {
  CanonicalWriter w;
  w.BeginObject().Str("explanation", o.explanation);
  WriteInputs(w, inputs);
  w.Str("policy_clause", o.policy_clause)
      .Str("policy_decision", o.policy_decision)
      .Str("policy_version", o.policy_version)
      .Str("reason", o.reason)
      .Str("result", o.result)
      .EndObject();
  return w.Take();
}

// Records a decision that is not an auto-execution: the intent's gate field, its status (a
// PROPOSED intent waits for approval; a policy BLOCK ends it) and POLICY_EVALUATED. The intent's
// row is updated when `stored` (else its creator inserts it afterwards).
Status Record(store::Txn& txn, Intent* intent, const GateOutcome& o, const GateInputs& inputs,
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
  std::string data = EvaluatedData(o, inputs);
  std::vector<ledger::AppendEvent> events;
  if (preceding) events.push_back(*preceding);
  events.push_back(ledger::AppendEvent::Canonical(&evaluated, &data));
  auto e = ledger::AppendMany(txn, intent->tenant_id, now_ms, events);
  return e.ok() ? Status::Ok() : e.status();
}

// Steps 2–6: what the intent and the configuration alone decide.
struct Screen {
  enum class Next { kAlreadyPublished, kRecord, kBudget };
  Next next = Next::kRecord;
  GateOutcome o;
  bool update_intent = false;  // kRecord: whether the intent's gate field and status move
};

Screen RecordOutcome(GateOutcome o, bool update_intent) {
  Screen s;
  s.next = Screen::Next::kRecord;
  s.o = std::move(o);
  s.update_intent = update_intent;
  return s;
}

// Steps 2 and 3, from the intent alone; nullopt when the intent goes on to configuration.
std::optional<Screen> ScreenStatus(const Intent& intent, int64_t now_ms, GateInputs* inputs) {
  inputs->action_type = intent.action_type;
  inputs->registry_version = intent.registry_version;
  inputs->intent_status = intent.status;

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
    return RecordOutcome(
        Stop(kReasonIntentNotPending,
             "The intent is " + intent.status + ", not waiting for a decision.", "intent_pending"),
        false);
  }
  if (intent.expires_at && *intent.expires_at <= now_ms) {
    return RecordOutcome(
        Stop(kReasonIntentExpired, "The intent expired before it was decided.", "intent_expired"),
        false);
  }
  return std::nullopt;
}

// Steps 4-6, from the intent and the configuration it meets.
Result<Screen> ScreenConfig(const Intent& intent, const GateConfig& cfg, GateInputs* inputs) {
  // 4. Kill switches.
  const EmergencyStop& es = cfg.emergency_stop;
  const KillSwitches& ks = cfg.kill_switches;
  bool type_disabled = false;
  for (const auto& t : ks.disabled_action_types) type_disabled |= t == intent.action_type;
  inputs->kill_switches = &ks;
  inputs->emergency_stop = es.engaged;
  inputs->action_type_disabled = type_disabled;
  if (es.engaged || !ks.autonomy_enabled || !ks.execution_enabled || type_disabled) {
    std::string which = es.engaged                ? "the platform's emergency stop is engaged"
                        : !ks.autonomy_enabled    ? "autonomy is switched off for this tenant"
                        : !ks.execution_enabled   ? "execution is switched off for this tenant"
                                                  : "this action type is switched off for this tenant";
    return RecordOutcome(
        Stop(kReasonKillSwitch, "A kill switch is on: " + which + ".", "kill_switch"), true);
  }

  // 5. Allowlist: a hard stop before policy.
  const AllowlistResolution& al = cfg.allowlist;
  inputs->allowlist = &al;
  if (!al.allowlisted) {
    return RecordOutcome(
        Stop(kReasonNotAllowlisted,
             al.source == "none" ? "No allowlist is configured, so nothing may auto-execute."
                                 : "The action type " + intent.action_type + " is not on the " +
                                       al.source + " allowlist.",
             "allowlist"),
        true);
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
  inputs->policy = GateInputs::Policy{pin, pr.effective_risk, pr.effective_threshold, mode.source,
                                      &intent.risk_level};

  Screen s;
  GateOutcome& o = s.o;
  o.policy_decision = std::string(policy::DecisionName(pr.decision));
  o.policy_reason = pr.reason;
  o.policy_explanation = pr.explanation;
  o.policy_version = std::string(policy::kPolicyVersion);
  o.policy_clause = pr.policy_clause;
  o.reason = pr.reason;
  o.explanation = pr.explanation;
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

// The data of ACTION_APPROVED as canonical JSON, with the budget once this decision's unit is
// counted. The intent's parameters are stored canonical (intent.h), so they are spliced in.
std::string ApprovedData(const Intent& intent, const BudgetCheck& b) {
  CanonicalWriter w;
  w.BeginObject()
      .Str("approval_source", "POLICY")
      .Str("approved_by", policy::kPolicyVersion)
      .BeginObject("budget")
      .Str("day", b.day)
      .Int("limit", b.limit)
      .Int("used", b.used + 1)
      .EndObject()
      .Raw("parameters", intent.parameters_json)
      .EndObject();
  return w.Take();
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
                                    const ledger::AppendEvent* preceding,
                                    std::shared_ptr<const GateConfig> config) {
  const std::string& tenant = intent->tenant_id;
  GateInputs inputs;
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
  std::shared_ptr<const GateConfig> cfgp = std::move(config);
  if (!early) {
    if (!cfgp) {
      STEWARD_ASSIGN_OR_RETURN(cfgp, GateConfigFor(txn, *intent, cache));
    }
    STEWARD_ASSIGN_OR_RETURN(early, ScreenConfig(*intent, *cfgp, &inputs));
  }
  Screen& s = *early;
  GateOutcome& o = s.o;
  if (s.next == Screen::Next::kRecord) {
    STEWARD_RETURN_IF_ERROR(
        Record(txn, intent, o, inputs, actor, now_ms, s.update_intent, intent_stored, preceding));
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
  inputs.budget = &b;
  if (!b.configured || b.exceeded) {
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
        Record(txn, intent, o, inputs, actor, now_ms, true, intent_stored, preceding));
    return o;
  }

  // 8. Commit: budget, intent, ledger and the execution job in this one transaction.
  STEWARD_RETURN_IF_ERROR(ConsumeBudget(txn, tenant, intent->account_id, intent->action_type, b.day));
  FillConsumedBudget(&o, b);
  inputs.budget_consumed = true;
  o.result = std::string(kResultAutoExecuted);
  Approve(intent, o, now_ms);
  if (intent_stored) STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
  std::string eval = EvaluatedData(o, inputs);
  std::string approved = ApprovedData(*intent, b);
  ledger::AppendRequest evaluated = Meta(*intent, ledger::kPolicyEvaluated, actor);
  ledger::AppendRequest approval = Meta(*intent, ledger::kActionApproved, actor);
  std::vector<ledger::AppendEvent> events;
  if (preceding) events.push_back(*preceding);
  events.push_back(ledger::AppendEvent::Canonical(&evaluated, &eval));
  events.push_back(ledger::AppendEvent::Canonical(&approval, &approved));
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
  CanonicalWriter w;
  w.BeginObject()
      .Str("account_id", intent.account_id)
      .Str("action_intent_id", intent.action_intent_id)
      .Int("execution", execution_no)
      .EndObject();
  std::string payload = w.Take();
  return jobs::Enqueue(txn, intent.tenant_id, kJobExecuteIntent, payload, now_ms, now_ms,
                       ExecuteJobDedupeKey(intent, execution_no));
}

void WriteGateOutcome(CanonicalWriter& w, std::string_view key, const GateOutcome& o,
                      std::string_view action_intent_id) {
  w.BeginObjectOrValue(key)
      .Str("action_intent_id", action_intent_id)
      .Bool("already_published", o.already_published);
  if (o.budget_checked) {
    w.BeginObject("budget")
        .Int("limit", o.budget_limit)
        .Int("remaining", o.budget_remaining)
        .Int("used", o.budget_used)
        .EndObject();
  } else {
    w.Null("budget");
  }
  w.Str("explanation", o.explanation)
      .BeginObject("policy")
      .Str("decision", o.policy_decision)
      .Str("explanation", o.policy_explanation)
      .Str("policy_clause", o.policy_clause)
      .Str("policy_version", o.policy_version)
      .Str("reason", o.policy_reason)
      .EndObject()
      .Str("reason", o.reason)
      .Str("result", o.result)
      .EndObject();
}

void GateOutcomeToJson(const GateOutcome& o, std::string_view action_intent_id, Json* out) {
  CanonicalWriter w;
  WriteGateOutcome(w, "", o, action_intent_id);
  *out = ParseJson(w.Take()).value();
}

}  // namespace steward::autonomy
