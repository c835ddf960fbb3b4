#include "exec/engine.h"

#include <algorithm>
#include <cstring>

#include "autonomy/intent.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/crypto.h"
#include "common/json.h"
#include "common/log.h"
#include "exec/execution.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::exec {

using autonomy::Intent;

struct Engine::Plan {
  enum class Next { kDone, kWait, kInvoke, kRetry };
  Next next = Next::kDone;
  int64_t wait_until_ms = 0;  // kWait / kRetry
  std::string why;            // for the job's last_error
  Intent intent;
  autonomy::ActionTypeDef def;
  Attempt attempt;
  Invocation inv;
  Connector* connector = nullptr;
  std::string breaker_owner;
  bool uses_breaker = false;
  // The intent's status was set to EXECUTING in memory but not yet written: the transaction that
  // records the outcome writes the final status once (Record), any other way out writes it here.
  bool status_unsaved = false;
};

namespace {

ledger::AppendRequest Meta(const Intent& i, std::string_view event) {
  ledger::AppendRequest m;
  m.event_type = std::string(event);
  m.account_id = i.account_id;
  m.trace_id = i.trace_id.value_or("");
  m.action_intent_id = i.action_intent_id;
  m.actor = std::string(kSystemActor);
  return m;
}

Status Ledger(store::Txn& txn, const Intent& i, std::string_view event, const Json& data,
              int64_t now) {
  auto e = ledger::Append(txn, i.tenant_id, now, Meta(i, event), data);
  return e.ok() ? Status::Ok() : e.status();
}

std::string ApprovalSource(const Intent& i, int64_t execution_no) {
  if (execution_no > 1) return "HUMAN";  // a replay is an operator's decision
  return i.approval ? i.approval->source : std::string();
}

bool AutoExecuted(const Intent& i, int64_t execution_no) {
  return execution_no == 1 && i.approval && i.approval->source == "POLICY";
}

// The first required parameter (an entry "a|b" means a or b) absent from `params`, or "".
std::string MissingParameter(const autonomy::ActionTypeDef& def, const Json& params) {
  for (const auto& req : def.required_parameters) {
    bool found = false;
    size_t start = 0;
    while (start <= req.size()) {
      size_t bar = req.find('|', start);
      std::string name = req.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (params.contains(name) && !params[name].is_null() &&
          !(params[name].is_string() && params[name].get<std::string>().empty())) {
        found = true;
      }
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (!found) return req;
  }
  return "";
}

// Base outcome of `plan`'s execution, filled from the intent and the resolved tool.
Outcome BaseOutcome(const Intent& i, const autonomy::ActionTypeDef* def, const Attempt* attempt,
                    int64_t execution_no, int64_t now) {
  Outcome o;
  o.tenant_id = i.tenant_id;
  o.action_intent_id = i.action_intent_id;
  o.execution_no = execution_no;
  o.account_id = i.account_id;
  o.action_type = i.action_type;
  o.attempt_count = attempt ? attempt->attempt_count : 0;
  o.tool_name = def ? def->tool_name : std::string();
  o.tool_schema_version = def ? def->tool_schema_version : std::string();
  o.registry_version = i.registry_version;
  o.approval_source = ApprovalSource(i, execution_no);
  o.auto_executed = AutoExecuted(i, execution_no);
  o.trace_id = i.trace_id.value_or("");
  if (attempt) o.started_at = attempt->started_at;
  o.completed_at = now;
  return o;
}

Json CompletedEvent(const Outcome& o) {
  return Json{{"action_intent_id", o.action_intent_id},
              {"execution_no", o.execution_no},
              {"account_id", o.account_id},
              {"action_type", o.action_type},
              {"status", o.status},
              {"taxonomy", o.taxonomy},
              {"approval_source", o.approval_source.empty() ? Json(nullptr) : Json(o.approval_source)},
              {"auto_executed", o.auto_executed},
              {"error_class", o.error_class.empty() ? Json(nullptr) : Json(o.error_class)}};
}

// Writes the intent's status if Prepare left it unsaved (Plan::status_unsaved).
Status SaveStatus(store::Txn& txn, const Intent& intent, bool* unsaved) {
  if (!*unsaved) return Status::Ok();
  STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntentStatus(txn, intent));
  *unsaved = false;
  return Status::Ok();
}

// Ends an execution that never reached (or no longer may reach) the connector: the attempt, if
// any, is CANCELLED; the outcome CANCELLED or EXPIRED; the intent takes `intent_status`.
Status EndWithoutCall(store::Txn& txn, Intent* intent, std::optional<Attempt>* attempt,
                      int64_t execution_no, std::string_view outcome_status,
                      std::string_view intent_status, std::string_view event,
                      std::string error_code, std::string message, const Json& details,
                      int64_t now) {
  if (*attempt) {
    (*attempt)->status = std::string(kAttemptCancelled);
    (*attempt)->updated_at = now;
    STEWARD_RETURN_IF_ERROR(UpdateAttempt(txn, **attempt));
  }
  Outcome o = BaseOutcome(*intent, nullptr, *attempt ? &**attempt : nullptr, execution_no, now);
  o.status = std::string(outcome_status);
  o.taxonomy = std::string(kTaxonomyFailed);
  o.error_code = std::move(error_code);
  o.error_message = message;
  if (execution_no == 1 && intent->status != intent_status) {
    intent->status = std::string(intent_status);
    intent->updated_at = now;
    STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntentStatus(txn, *intent));
  }
  STEWARD_RETURN_IF_ERROR(InsertOutcome(txn, o));
  Json data = details;
  data["execution_no"] = execution_no;
  data["reason"] = o.error_code;
  data["explanation"] = message;
  STEWARD_RETURN_IF_ERROR(Ledger(txn, *intent, event, data, now));
  return AppendEvent(txn, intent->tenant_id, kEventExecutionCompleted, intent->account_id,
                     intent->action_intent_id, CompletedEvent(o), now);
}

}  // namespace

Engine::Engine(store::Store* store, const Clock* clock, EngineOptions options)
    : store_(store), clock_(clock), options_(options) {}

void Engine::AddConnector(std::string kind, std::unique_ptr<Connector> connector) {
  connectors_[std::move(kind)] = std::move(connector);
}

int64_t Engine::RetryDelayMs(int64_t attempt_count, std::optional<int64_t> retry_after_ms) const {
  if (retry_after_ms) return std::clamp<int64_t>(*retry_after_ms, 0, options_.backoff_cap_ms);
  int64_t d = options_.backoff_base_ms;
  for (int64_t i = 1; i < attempt_count && d < options_.backoff_cap_ms; ++i) d *= 2;
  d = std::min(d, options_.backoff_cap_ms);
  uint64_t r = 0;
  std::string bytes = RandomBytes(sizeof(r));
  std::memcpy(&r, bytes.data(), sizeof(r));
  int64_t half = d / 2;
  return half + static_cast<int64_t>(r % static_cast<uint64_t>(d - half + 1));
}

Status Engine::Prepare(store::Txn& txn, const jobs::Job& job, Plan* plan) {
  *plan = Plan{};
  const int64_t now = clock_->NowMs();
  auto payload = ParseJsonObject(job.payload_json);
  if (!payload.ok()) return Status::InvalidArgument("EXECUTE_INTENT payload: " + payload.status().message());
  std::string id = payload->value("action_intent_id", "");
  int64_t execution_no = payload->value("execution", int64_t{1});
  STEWARD_ASSIGN_OR_RETURN(auto intent, autonomy::LoadIntent(txn, job.tenant_id, id));
  if (!intent) {
    log::Event(log::Level::kWarn, "execute_intent_missing",
               {{"tenant_id", job.tenant_id}, {"action_intent_id", id}});
    return Status::Ok();  // kDone
  }
  plan->intent = *intent;
  Intent& in = plan->intent;
  STEWARD_ASSIGN_OR_RETURN(auto outcome, LoadOutcome(txn, in.tenant_id, in.action_intent_id, execution_no));
  if (outcome) return Status::Ok();  // recorded already: outcomes are written once
  STEWARD_ASSIGN_OR_RETURN(std::optional<Attempt> attempt,
                           LoadAttempt(txn, in.tenant_id, in.action_intent_id, execution_no));

  if (execution_no == 1) {
    if (in.status == autonomy::kStatusCancelled) {
      return EndWithoutCall(txn, &in, &attempt, execution_no, kOutcomeCancelled,
                            autonomy::kStatusCancelled, ledger::kExecutionCancelled,
                            "CANCELLED_BY_USER", "The intent was cancelled before it ran.", Json::object(), now);
    }
    if (in.status == autonomy::kStatusExpired ||
        ((in.status == autonomy::kStatusApproved || in.status == autonomy::kStatusExecuting) &&
         in.expires_at && *in.expires_at <= now)) {
      return EndWithoutCall(txn, &in, &attempt, execution_no, kOutcomeExpired,
                            autonomy::kStatusExpired, ledger::kExecutionExpired, "EXPIRED",
                            "The intent expired before it could run; nothing is executed late.",
                            Json{{"expires_at", in.expires_at ? Json(*in.expires_at) : Json(nullptr)}}, now);
    }
    if (in.status != autonomy::kStatusApproved && in.status != autonomy::kStatusExecuting) {
      log::Event(log::Level::kWarn, "execute_intent_not_approved",
                 {{"tenant_id", in.tenant_id}, {"action_intent_id", in.action_intent_id},
                  {"status", in.status}});
      return Status::Ok();
    }
  }

  // Kill switches, immediately before the call.
  STEWARD_ASSIGN_OR_RETURN(autonomy::EmergencyStop es, autonomy::LoadEmergencyStop(txn));
  STEWARD_ASSIGN_OR_RETURN(autonomy::KillSwitches ks, autonomy::LoadKillSwitches(txn, in.tenant_id));
  bool type_off = std::find(ks.disabled_action_types.begin(), ks.disabled_action_types.end(),
                            in.action_type) != ks.disabled_action_types.end();
  bool autonomy_off = !ks.autonomy_enabled && AutoExecuted(in, execution_no);
  if (es.engaged || !ks.execution_enabled || type_off || autonomy_off) {
    std::string which = es.engaged              ? "the platform's emergency stop is engaged"
                        : !ks.execution_enabled ? "execution is switched off for this tenant"
                        : type_off              ? "this action type is switched off for this tenant"
                                                : "autonomy is switched off for this tenant";
    return EndWithoutCall(txn, &in, &attempt, execution_no, kOutcomeCancelled,
                          autonomy::kStatusCancelled, ledger::kExecutionCancelled, "KILL_SWITCH",
                          "A kill switch is on: " + which + ".",
                          Json{{"emergency_stop", es.engaged},
                               {"execution_enabled", ks.execution_enabled},
                               {"autonomy_enabled", ks.autonomy_enabled},
                               {"action_type_disabled", type_off}},
                          now);
  }

  // The tool, pinned by the intent's registry version.
  auto def = autonomy::ResolveActionType(txn, in.tenant_id, in.action_type, in.registry_version);
  if (!def.ok() && def.status().code() != Code::kNotFound) return def.status();
  auto params = ParseJsonObject(in.parameters_json);
  if (!params.ok()) return params.status();

  // Start or resume the attempt.
  bool first = !attempt;
  if (first) {
    Attempt a;
    a.tenant_id = in.tenant_id;
    a.action_intent_id = in.action_intent_id;
    a.execution_no = execution_no;
    a.started_at = now;
    attempt = a;
  }
  plan->attempt = *attempt;
  Attempt& at = plan->attempt;
  if (def.ok()) {
    plan->def = *def;
    at.idempotency_key = IdempotencyKey(in.tenant_id, in.action_intent_id, def->tool_name,
                                        in.parameters_json, in.registry_version, execution_no);
  } else {
    at.idempotency_key = IdempotencyKey(in.tenant_id, in.action_intent_id, "", in.parameters_json,
                                        in.registry_version, execution_no);
  }

  // What would be called, and through which connector.
  Invocation& inv = plan->inv;
  inv.tenant_id = in.tenant_id;
  inv.account_id = in.account_id;
  inv.action_intent_id = in.action_intent_id;
  inv.action_type = in.action_type;
  inv.trace_id = in.trace_id.value_or("");
  inv.execution_no = execution_no;
  inv.registry_version = in.registry_version;
  inv.arguments_json = in.parameters_json;
  inv.idempotency_key = at.idempotency_key;
  inv.timeout_ms = in.execution_policy.timeout_seconds * 1000;
  inv.now_ms = now;
  std::optional<InvokeResult> early;  // a failure decided before any call
  if (!def.ok()) {
    early = InvokeResult::Failure(ErrorClass::kValidation, "UNKNOWN_ACTION_TYPE",
                                  def.status().message());
  } else {
    inv.connector_id = def->connector_id;
    inv.tool_name = def->tool_name;
    inv.tool_schema_version = def->tool_schema_version;
    std::string missing = MissingParameter(*def, *params);
    auto it = connectors_.find(def->connector);
    if (!missing.empty()) {
      early = InvokeResult::Failure(ErrorClass::kValidation, "MISSING_PARAMETER",
                                    "required parameter " + missing + " is missing");
    } else if (it == connectors_.end()) {
      early = InvokeResult::Failure(ErrorClass::kValidation, "CONNECTOR_NOT_CONFIGURED",
                                    "no connector of kind " + def->connector + " is available");
    } else {
      plan->connector = it->second.get();
      if (!plan->connector->transactional()) {
        STEWARD_ASSIGN_OR_RETURN(
            auto row, txn.QueryOne("SELECT kind, url, timeout_ms, secret FROM connectors WHERE "
                                   "tenant_id = ? AND connector_id = ?",
                                   {in.tenant_id, def->connector_id}));
        if (!row) {
          early = InvokeResult::Failure(ErrorClass::kValidation, "CONNECTOR_NOT_CONFIGURED",
                                        "the tenant has no connector '" + def->connector_id +
                                            "' configured (PUT /v1/connectors/" +
                                            def->connector_id + ")");
        } else {
          ConnectorConfig c;
          c.tenant_id = in.tenant_id;
          c.connector_id = def->connector_id;
          c.kind = row->Text(0);
          c.url = row->Text(1);
          c.timeout_ms = row->Int(2);
          c.secret = row->Text(3);
          inv.config = c;
          plan->uses_breaker = true;
        }
      }
    }
  }

  // The circuit breaker: while open, the job waits and no attempt is spent.
  if (!early && plan->uses_breaker) {
    plan->breaker_owner = in.action_intent_id + "#" + std::to_string(execution_no) + "#" +
                          std::to_string(at.attempt_count + 1);
    STEWARD_ASSIGN_OR_RETURN(BreakerDecision d,
                             BreakerAcquire(txn, in.tenant_id, inv.connector_id,
                                            plan->breaker_owner, now, options_.breaker));
    if (!d.allowed) {
      plan->next = Plan::Next::kWait;
      plan->wait_until_ms = std::max(d.wait_until_ms, now + 100);
      plan->why = "circuit breaker of connector " + inv.connector_id + " is open";
      // Nothing else of this transaction is needed; the breaker row may have changed.
      return Status::Ok();
    }
  }

  at.attempt_count += 1;
  at.status = std::string(kAttemptRunning);
  at.updated_at = now;
  if (first) {
    STEWARD_RETURN_IF_ERROR(InsertAttempt(txn, at));
  } else {
    STEWARD_RETURN_IF_ERROR(UpdateAttempt(txn, at));
  }
  if (execution_no == 1 && in.status != autonomy::kStatusExecuting) {
    in.status = std::string(autonomy::kStatusExecuting);
    in.updated_at = now;
    plan->status_unsaved = true;
  }
  STEWARD_RETURN_IF_ERROR(Ledger(txn, in, ledger::kExecutionStarted,
                                 Json{{"execution_no", execution_no},
                                      {"attempt", at.attempt_count},
                                      {"idempotency_key", at.idempotency_key},
                                      {"tool_name", inv.tool_name},
                                      {"connector_id", inv.connector_id}},
                                 now));
  if (execution_no > 1 && at.attempt_count == 1) {
    STEWARD_RETURN_IF_ERROR(Ledger(txn, in, ledger::kReplayStarted,
                                   Json{{"execution_no", execution_no},
                                        {"idempotency_key", at.idempotency_key}},
                                   now));
  }

  if (early) return Record(txn, plan, *early);
  if (plan->connector->transactional()) {
    InvokeResult r = plan->connector->Invoke(inv, &txn);
    if (!r.ok && r.error_code == "STORE_ERROR") return Status::Unavailable(r.error_message);
    return Record(txn, plan, r);
  }
  // An out-of-process call: remember that it is being sent, so a call re-sent after a crash is
  // recognised (sent_count > 1) and the connector's deduplication can be checked against it.
  STEWARD_ASSIGN_OR_RETURN(
      auto call, txn.QueryOne("INSERT INTO connector_calls (tenant_id, idempotency_key, "
                              "connector_id, status, sent_count, first_sent_at, updated_at) "
                              "VALUES (?, ?, ?, 'SENT', 1, ?, ?) ON CONFLICT (tenant_id, "
                              "idempotency_key) DO UPDATE SET sent_count = "
                              "connector_calls.sent_count + 1, updated_at = excluded.updated_at "
                              "RETURNING sent_count",
                              {in.tenant_id, at.idempotency_key, inv.connector_id, now, now}));
  if (call && call->Int(0) > 1) {
    log::Event(log::Level::kInfo, "connector_call_resent",
               {{"tenant_id", in.tenant_id}, {"action_intent_id", in.action_intent_id},
                {"idempotency_key", at.idempotency_key}, {"sent_count", call->Int(0)}});
  }
  STEWARD_RETURN_IF_ERROR(SaveStatus(txn, plan->intent, &plan->status_unsaved));
  plan->next = Plan::Next::kInvoke;
  return Status::Ok();
}

Status Engine::Record(store::Txn& txn, Plan* plan, const InvokeResult& r) {
  const int64_t now = clock_->NowMs();
  Intent& in = plan->intent;
  Attempt& at = plan->attempt;
  const int64_t execution_no = at.execution_no;
  if (plan->uses_breaker) {
    STEWARD_RETURN_IF_ERROR(BreakerRecord(txn, in.tenant_id, plan->inv.connector_id,
                                          plan->breaker_owner, r.ok ? ErrorClass::kNone : r.error_class,
                                          now, options_.breaker));
  }
  if (!r.ok && IsRetryable(r.error_class) && at.attempt_count < in.execution_policy.max_attempts) {
    at.last_error_class = std::string(ErrorClassName(r.error_class));
    at.last_error_message = r.error_message;
    at.updated_at = now;
    STEWARD_RETURN_IF_ERROR(UpdateAttempt(txn, at));
    STEWARD_RETURN_IF_ERROR(SaveStatus(txn, plan->intent, &plan->status_unsaved));
    plan->next = Plan::Next::kRetry;
    plan->wait_until_ms = now + RetryDelayMs(at.attempt_count, r.retry_after_ms);
    plan->why = std::string(ErrorClassName(r.error_class)) + " " + r.error_code + ": " + r.error_message;
    return Status::Ok();
  }
  Outcome o = BaseOutcome(in, &plan->def, &at, execution_no, now);
  if (r.ok) {
    at.status = std::string(kAttemptSucceeded);
    at.last_error_class.clear();
    at.last_error_message.clear();
    o.status = std::string(kOutcomeSucceeded);
    o.refs = r.refs;
    bool edited = execution_no == 1 && in.approval && !in.approval->edited_fields.empty();
    o.taxonomy = std::string(edited ? kTaxonomyEdited : kTaxonomySucceeded);
  } else {
    at.status = std::string(kAttemptFailed);
    at.last_error_class = std::string(ErrorClassName(r.error_class));
    at.last_error_message = r.error_message;
    o.status = std::string(kOutcomeFailed);
    o.taxonomy = std::string(kTaxonomyFailed);
    o.error_code = r.error_code;
    o.error_class = std::string(ErrorClassName(r.error_class));
    o.error_message = r.error_message;
  }
  at.updated_at = now;
  STEWARD_RETURN_IF_ERROR(UpdateAttempt(txn, at));
  STEWARD_RETURN_IF_ERROR(InsertOutcome(txn, o));
  if (execution_no == 1) {
    in.status = std::string(r.ok ? autonomy::kStatusSucceeded : autonomy::kStatusFailed);
    in.updated_at = now;
    STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntentStatus(txn, in));
    plan->status_unsaved = false;
  }
  Json refs;
  RefsToJson(o.refs, &refs);
  Json data = {{"execution_no", execution_no},
               {"attempt_count", at.attempt_count},
               {"tool_name", o.tool_name},
               {"idempotency_key", at.idempotency_key},
               {"approval_source", o.approval_source.empty() ? Json(nullptr) : Json(o.approval_source)},
               {"auto_executed", o.auto_executed},
               {"taxonomy", o.taxonomy}};
  if (r.ok) {
    data["external_object_refs"] = refs;
  } else {
    data["error_code"] = o.error_code;
    data["error_class"] = o.error_class;
    data["error_message"] = o.error_message;
  }
  STEWARD_RETURN_IF_ERROR(
      Ledger(txn, in, r.ok ? ledger::kActionExecuted : ledger::kActionFailed, data, now));
  if (!plan->connector || !plan->connector->transactional()) {
    if (plan->uses_breaker) {
      auto up = txn.Exec(
          "UPDATE connector_calls SET status = ?, external_object_refs = ?, updated_at = ? WHERE "
          "tenant_id = ? AND idempotency_key = ?",
          {std::string(r.ok ? "DONE" : "FAILED"), refs.dump(), now, in.tenant_id,
           at.idempotency_key});
      if (!up.ok()) return up.status();
    }
  }
  STEWARD_RETURN_IF_ERROR(AppendEvent(txn, in.tenant_id, kEventExecutionCompleted, in.account_id,
                                      in.action_intent_id, CompletedEvent(o), now));
  plan->next = Plan::Next::kDone;
  return Status::Ok();
}

// Completes the job in the transaction that recorded its result, saving the pool a write.
// A lost lease (another node took the job) is fine: that node will find the outcome and stop.
static Status CompleteHere(store::Txn& txn, const jobs::Job& job) {
  if (job.lease_owner.empty()) return Status::Ok();
  auto r = jobs::Complete(txn, job.job_id, job.lease_owner);
  return r.ok() ? Status::Ok() : r.status();
}

jobs::Outcome Engine::Handle(const jobs::Job& job) {
  Plan plan;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_RETURN_IF_ERROR(Prepare(txn, job, &plan));
    return plan.next == Plan::Next::kDone ? CompleteHere(txn, job) : Status::Ok();
  });
  if (!st.ok()) {
    if (st.code() == Code::kInvalidArgument) return jobs::Outcome::Failed(st.message());
    return jobs::Outcome::Retry(clock_->NowMs() + RetryDelayMs(job.attempts, std::nullopt),
                                "prepare: " + st.message());
  }
  switch (plan.next) {
    case Plan::Next::kDone:
      return job.lease_owner.empty() ? jobs::Outcome::Done() : jobs::Outcome::CompletedByHandler();
    case Plan::Next::kWait:
    case Plan::Next::kRetry:
      return jobs::Outcome::Retry(plan.wait_until_ms, plan.why);
    case Plan::Next::kInvoke:
      break;
  }
  // Out of any transaction: the remote call.
  InvokeResult result = plan.connector->Invoke(plan.inv, nullptr);
  const int64_t expected_count = plan.attempt.attempt_count;
  Status rec = store_->Write([&](store::Txn& txn) -> Status {
    // Re-read: if the execution moved on without us (our lease expired and another worker
    // resumed it, or it already has an outcome), our result is not the one to record.
    STEWARD_ASSIGN_OR_RETURN(auto outcome, LoadOutcome(txn, plan.intent.tenant_id,
                                                       plan.intent.action_intent_id,
                                                       plan.attempt.execution_no));
    STEWARD_ASSIGN_OR_RETURN(auto current, LoadAttempt(txn, plan.intent.tenant_id,
                                                       plan.intent.action_intent_id,
                                                       plan.attempt.execution_no));
    if (outcome || !current || current->attempt_count != expected_count) {
      plan.next = Plan::Next::kDone;
      return CompleteHere(txn, job);
    }
    plan.attempt = *current;
    STEWARD_RETURN_IF_ERROR(Record(txn, &plan, result));
    return plan.next == Plan::Next::kDone ? CompleteHere(txn, job) : Status::Ok();
  });
  if (!rec.ok()) {
    // The call happened but its result could not be stored: run again; the idempotency key
    // makes the repeated call return the same object.
    return jobs::Outcome::Retry(clock_->NowMs() + RetryDelayMs(1, std::nullopt),
                                "record: " + rec.message());
  }
  if (plan.next == Plan::Next::kRetry) return jobs::Outcome::Retry(plan.wait_until_ms, plan.why);
  return job.lease_owner.empty() ? jobs::Outcome::Done() : jobs::Outcome::CompletedByHandler();
}

}  // namespace steward::exec
