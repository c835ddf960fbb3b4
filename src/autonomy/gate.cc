#include "autonomy/gate.h"

#include "autonomy/budget.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/json.h"
#include "jobs/job_queue.h"
#include "ledger/ledger.h"
#include "ledger/event_types.h"
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
// PROPOSED intent waits for approval; a policy BLOCK ends it) and POLICY_EVALUATED.
Status Record(store::Txn& txn, Intent* intent, const GateOutcome& o, const Json& inputs,
              std::string_view actor, int64_t now_ms, bool update_intent) {
  if (update_intent) {
    GateDecision d{o.result, o.reason, o.explanation, o.policy_version, o.policy_clause, now_ms};
    intent->gate = d;
    if (o.result == kResultBlocked) {
      intent->status = std::string(kStatusBlocked);
    } else if (intent->status == kStatusProposed) {
      intent->status = std::string(kStatusAwaitingApproval);
    }
    intent->updated_at = now_ms;
    STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
  }
  auto e = ledger::Append(txn, intent->tenant_id, now_ms,
                          Meta(*intent, ledger::kPolicyEvaluated, actor), EvaluatedData(o, inputs));
  return e.ok() ? Status::Ok() : e.status();
}

}  // namespace

Result<GateOutcome> RunGate(store::Txn& txn, std::string_view tenant_id,
                            std::string_view account_id, std::string_view action_intent_id,
                            std::string_view actor, int64_t now_ms) {
  STEWARD_ASSIGN_OR_RETURN(auto intent, LoadIntent(txn, tenant_id, action_intent_id));
  if (!intent || intent->account_id != account_id) {
    return Stop(kReasonIntentNotFound,
                "No intent " + std::string(action_intent_id) + " exists for this account.",
                "intent_exists");
  }
  return RunGateOnIntent(txn, &*intent, actor, now_ms);
}

Result<GateOutcome> RunGateOnIntent(store::Txn& txn, Intent* intent, std::string_view actor,
                                    int64_t now_ms) {
  const std::string& tenant = intent->tenant_id;
  Json inputs = JsonObject({{"action_type", intent->action_type},
                            {"registry_version", intent->registry_version},
                            {"intent_status", intent->status}});

  // 2. Idempotent on the intent: a policy approval is never made twice.
  if (intent->approval && intent->approval->source == "POLICY") {
    GateOutcome o;
    o.result = std::string(kResultAutoExecuted);
    o.reason = std::string(policy::kReasonAutoExecuteAllowed);
    o.already_published = true;
    if (intent->gate) {
      o.reason = intent->gate->reason;
      o.explanation = intent->gate->explanation;
      o.policy_version = intent->gate->policy_version;
      o.policy_clause = intent->gate->policy_clause;
    }
    o.explanation = "Already auto-executed: " + o.explanation;
    o.policy_decision = std::string(policy::DecisionName(policy::Decision::kAutoExecute));
    o.policy_reason = o.reason;
    o.policy_explanation = o.explanation;
    STEWARD_ASSIGN_OR_RETURN(BudgetCheck b, CheckBudget(txn, tenant, intent->account_id,
                                                        intent->action_type, now_ms));
    FillBudget(&o, b);
    return o;
  }

  // 3. Only pending, unexpired intents are decided.
  bool pending = intent->status == kStatusProposed || intent->status == kStatusAwaitingApproval;
  if (!pending) {
    GateOutcome o = Stop(kReasonIntentNotPending,
                         "The intent is " + intent->status + ", not waiting for a decision.",
                         "intent_pending");
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, false));
    return o;
  }
  if (intent->expires_at && *intent->expires_at <= now_ms) {
    GateOutcome o = Stop(kReasonIntentExpired, "The intent expired before it was decided.",
                         "intent_expired");
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, false));
    return o;
  }

  // 4. Kill switches.
  STEWARD_ASSIGN_OR_RETURN(EmergencyStop es, LoadEmergencyStop(txn));
  STEWARD_ASSIGN_OR_RETURN(KillSwitches ks, LoadKillSwitches(txn, tenant));
  bool type_disabled = false;
  for (const auto& t : ks.disabled_action_types) type_disabled |= t == intent->action_type;
  inputs["kill_switches"] = JsonObject({{"emergency_stop", es.engaged},
                                        {"autonomy_enabled", ks.autonomy_enabled},
                                        {"execution_enabled", ks.execution_enabled},
                                        {"action_type_disabled", type_disabled}});
  if (es.engaged || !ks.autonomy_enabled || !ks.execution_enabled || type_disabled) {
    std::string which = es.engaged                ? "the platform's emergency stop is engaged"
                        : !ks.autonomy_enabled    ? "autonomy is switched off for this tenant"
                        : !ks.execution_enabled   ? "execution is switched off for this tenant"
                                                  : "this action type is switched off for this tenant";
    GateOutcome o = Stop(kReasonKillSwitch, "A kill switch is on: " + which + ".", "kill_switch");
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, true));
    return o;
  }

  // 5. Allowlist: a hard stop before policy.
  STEWARD_ASSIGN_OR_RETURN(AllowlistResolution al, ResolveAllowlist(txn, tenant, intent->account_id,
                                                                    intent->action_type));
  inputs["allowlist"] = JsonObject({{"allowlisted", al.allowlisted},
                                    {"source", al.source},
                                    {"action_types", al.action_types}});
  if (!al.allowlisted) {
    GateOutcome o = Stop(kReasonNotAllowlisted,
                         al.source == "none"
                             ? "No allowlist is configured, so nothing may auto-execute."
                             : "The action type " + intent->action_type + " is not on the " +
                                   al.source + " allowlist.",
                         "allowlist");
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, true));
    return o;
  }

  // 6. Mode resolution and the policy.
  STEWARD_ASSIGN_OR_RETURN(ActionTypeDef def, ResolveActionType(txn, tenant, intent->action_type,
                                                                intent->registry_version));
  STEWARD_ASSIGN_OR_RETURN(ModeResolution mode, ResolveMode(txn, tenant, intent->account_id,
                                                            intent->action_type));
  STEWARD_ASSIGN_OR_RETURN(PolicySettings ps, LoadPolicySettings(txn, tenant));
  policy::PolicyInput pin;
  pin.mode = mode.mode;
  if (intent->risk_level) pin.intent_risk = policy::ParseRiskLevel(*intent->risk_level);
  pin.registry_risk = def.risk_class;
  pin.external_contact = def.external_contact;
  pin.confidence = intent->confidence_score;
  pin.tenant_threshold = ps.confidence_threshold;
  pin.registry_min_confidence = def.min_confidence;
  policy::PolicyResult pr = policy::EvaluateAutoApprovalV1(pin);
  inputs["policy_input"] = JsonObject({
      {"mode", policy::ModeName(mode.mode)},
      {"mode_source", mode.source},
      {"intent_risk_level", intent->risk_level ? Json(*intent->risk_level) : Json(nullptr)},
      {"registry_risk_class", policy::RiskLevelName(def.risk_class)},
      {"effective_risk", policy::RiskLevelName(pr.effective_risk)},
      {"external_contact", def.external_contact},
      {"confidence_score",
       intent->confidence_score ? Json(*intent->confidence_score) : Json(nullptr)},
      {"tenant_threshold", ps.confidence_threshold},
      {"registry_min_confidence", def.min_confidence},
      {"effective_threshold", pr.effective_threshold}});

  GateOutcome o;
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
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, true));
    return o;
  }

  // 7. Budget.
  STEWARD_ASSIGN_OR_RETURN(BudgetCheck b, CheckBudget(txn, tenant, intent->account_id,
                                                      intent->action_type, now_ms));
  inputs["budget"] = BudgetInputs(b);
  FillBudget(&o, b);
  if (!b.configured || b.exceeded) {
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
    STEWARD_RETURN_IF_ERROR(Record(txn, intent, o, inputs, actor, now_ms, true));
    return o;
  }

  // 8. Commit: budget, intent, ledger and the execution job in this one transaction.
  STEWARD_RETURN_IF_ERROR(ConsumeBudget(txn, tenant, intent->account_id, intent->action_type, b.day));
  o.budget_used = b.used + 1;
  o.budget_remaining = std::max<int64_t>(0, b.limit - o.budget_used);
  inputs["budget"]["consumed"] = true;
  o.result = std::string(kResultAutoExecuted);
  intent->gate = GateDecision{o.result, o.reason, o.explanation, o.policy_version, o.policy_clause,
                              now_ms};
  intent->status = std::string(kStatusApproved);
  intent->approval = Approval{"POLICY", std::string(policy::kPolicyVersion), now_ms, {}, {}};
  intent->updated_at = now_ms;
  STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
  Json eval = EvaluatedData(o, std::move(inputs));
  Json approved = JsonObject(
      {{"approval_source", "POLICY"},
       {"approved_by", policy::kPolicyVersion},
       {"parameters", ParseJson(intent->parameters_json).value()},
       {"budget", JsonObject({{"day", b.day}, {"used", o.budget_used}, {"limit", b.limit}})}});
  ledger::AppendRequest evaluated = Meta(*intent, ledger::kPolicyEvaluated, actor);
  ledger::AppendRequest approval = Meta(*intent, ledger::kActionApproved, actor);
  auto entries = ledger::AppendMany(txn, tenant, now_ms, {{&evaluated, &eval}, {&approval, &approved}});
  if (!entries.ok()) return entries.status();
  Json payload = JsonObject({{"action_intent_id", intent->action_intent_id},
                             {"account_id", intent->account_id},
                             {"execution", 1}});
  auto job = jobs::Enqueue(txn, tenant, kJobExecuteIntent, payload.dump(), now_ms, now_ms,
                           intent->action_intent_id + "#1");
  if (!job.ok()) return job.status();
  o.job_enqueued = true;
  return o;
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
