#include "autonomy/autonomy_service.h"

#include "autonomy/gate.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/canonical_writer.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::autonomy {
namespace {

ledger::AppendRequest Meta(const Intent& i, std::string_view event, std::string_view actor) {
  ledger::AppendRequest m;
  m.event_type = std::string(event);
  m.account_id = i.account_id;
  m.trace_id = i.trace_id.value_or("");
  m.action_intent_id = i.action_intent_id;
  m.actor = std::string(actor);
  return m;
}

}  // namespace

void AutonomyService::Wake() {
  if (waker_) waker_->Wake();
}

// One intent creation, shared by CreateIntent and CreateIntentAsync: what is built from the
// request alone (off the store's writer), the transaction, and the answer built after it.
struct AutonomyService::CreateOp {
  CreateOp(const Actor& a, int64_t now_ms, GateConfigCache* c) : actor(a), now(now_ms), cache(c) {}

  // Validates the body and builds the INTENT_CREATED data as canonical JSON, all but its
  // registry_version, which the transaction reads: the text before that value and the text after.
  Status Prepare(const Json& body) {
    STEWARD_RETURN_IF_ERROR(ParseCreateIntent(body, now, &req));
    const Intent& r = req.intent;
    CanonicalWriter w;
    w.BeginObject()
        .Str("action_type", r.action_type)
        .OptNum("confidence_score", r.confidence_score)
        .OptStr("expires_at", r.expires_at
                                  ? std::optional<std::string>(FormatTimestamp(*r.expires_at))
                                  : std::nullopt)
        .OptStr("original_decision_id", r.original_decision_id)
        .Raw("parameters", r.parameters_json)  // canonical as parsed (ParseCreateIntent)
        .Raw("registry_version", "");
    size_t split = w.text().size();
    w.OptStr("risk_level", r.risk_level).Raw("target", r.target_json).EndObject();
    std::string text = w.Take();
    data_tail = text.substr(split);
    text.resize(split);
    data_head = std::move(text);
    return Status::Ok();
  }

  // The transaction. May run more than once (a store re-runs a closure after a conflict), so it
  // starts from the request every time.
  Status Run(store::Txn& txn) {
    existing.reset();
    outcome.reset();
    created = false;
    intent = req.intent;
    intent.tenant_id = actor.tenant_id;
    if (req.id_given) {
      STEWARD_ASSIGN_OR_RETURN(existing, LoadIntent(txn, actor.tenant_id, intent.action_intent_id));
      if (existing) {
        if (existing->content_hash != intent.content_hash) {
          return Status::Conflict("intent " + intent.action_intent_id +
                                  " already exists with different content");
        }
        return Status::Ok();
      }
    }
    auto def = ResolveActionType(txn, actor.tenant_id, intent.action_type);
    if (!def.ok()) {
      if (def.status().code() == Code::kNotFound) {
        return Status::InvalidArgument("unknown action type " + intent.action_type, "action_type");
      }
      return def.status();
    }
    intent.registry_version = def->registry_version;
    // The gate's configuration (cached by version) holds the policy settings.
    STEWARD_ASSIGN_OR_RETURN(std::shared_ptr<const GateConfig> cfg,
                             GateConfigFor(txn, intent, cache));
    STEWARD_ASSIGN_OR_RETURN(int64_t pending, jobs::PendingCount(txn, actor.tenant_id));
    if (pending >= cfg->policy.max_pending_jobs) {
      return Status::ResourceExhausted("too many pending jobs for this tenant (" +
                                           std::to_string(pending) + "); retry later",
                                       5);
    }
    intent.status = std::string(kStatusProposed);
    intent.created_at = now;
    intent.updated_at = now;
    intent.created_by = actor.subject;
    std::string data = data_head + std::to_string(intent.registry_version) + data_tail;
    ledger::AppendRequest created_entry = Meta(intent, ledger::kIntentCreated, actor.subject);
    auto created_event = ledger::AppendEvent::Canonical(&created_entry, &data);
    // The gate decides the new intent in memory, appending INTENT_CREATED with its own entries;
    // the intent's row is then written once, decided.
    if (req.run_gate) {
      STEWARD_ASSIGN_OR_RETURN(outcome,
                               RunGateOnIntent(txn, &intent, actor.subject, now, cache,
                                               /*intent_stored=*/false, &created_event, cfg));
    } else {
      auto e = ledger::AppendMany(txn, actor.tenant_id, now, {created_event});
      if (!e.ok()) return e.status();
    }
    STEWARD_RETURN_IF_ERROR(InsertIntent(txn, intent));
    created = true;
    return Status::Ok();
  }

  bool Enqueued() const { return outcome && outcome->job_enqueued; }

  // The answer to the transaction's result `st`: the response body as JSON text, written
  // straight from the records (no DOM), and what the route's metrics need.
  CreateReply Reply(const Status& st) const {
    CreateReply r;
    r.status = st;
    if (!st.ok()) return r;
    CanonicalWriter w;
    w.BeginObject();
    if (existing) {
      if (existing->gate) WriteGateDecision(w, "gate", *existing->gate);
    } else if (outcome) {
      WriteGateOutcome(w, "gate", *outcome, intent.action_intent_id);
      r.gate_result = outcome->result;
      r.gate_reason = outcome->reason;
    }
    WriteIntent(w, "intent", existing ? *existing : intent);
    w.EndObject();
    r.body = w.Take();
    r.created = !existing && created;
    return r;
  }

  // The same answer as a DOM.
  Status Answer(const Status& st, Json* out, bool* created_out) const {
    CreateReply r = Reply(st);
    *created_out = r.created;
    if (!r.status.ok()) return r.status;
    *out = ParseJson(r.body).value();
    return r.status;
  }

  const Actor actor;
  const int64_t now;
  GateConfigCache* const cache;
  CreateIntentRequest req;
  std::string data_head, data_tail;  // INTENT_CREATED's data around its registry_version
  // The transaction's results.
  Intent intent;
  std::optional<Intent> existing;
  std::optional<GateOutcome> outcome;
  bool created = false;
};

Status AutonomyService::CreateIntent(const Actor& actor, const Json& body, Json* out,
                                     bool* created) {
  *created = false;
  CreateOp op(actor, clock_->NowMs(), &gate_config_);
  STEWARD_RETURN_IF_ERROR(op.Prepare(body));
  Status st = store_->Write([&](store::Txn& txn) { return op.Run(txn); });
  if (st.ok() && op.Enqueued()) Wake();
  return op.Answer(st, out, created);
}

void AutonomyService::CreateIntentAsync(const Actor& actor, const Json& body,
                                        std::function<void(CreateAnswer)> done) {
  auto op = std::make_shared<CreateOp>(actor, clock_->NowMs(), &gate_config_);
  Status prepared = op->Prepare(body);
  if (!prepared.ok()) {
    return done([prepared] {
      CreateReply r;
      r.status = prepared;
      return r;
    });
  }
  store_->WriteAsync([op](store::Txn& txn) { return op->Run(txn); },
                     [this, op, done = std::move(done)](Status st) {
                       if (st.ok() && op->Enqueued()) Wake();
                       done([op, st] { return op->Reply(st); });
                     });
}

Status AutonomyService::GetIntent(const Actor& actor, std::string_view id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto intent, LoadIntent(txn, actor.tenant_id, id));
    if (!intent) return Status::NotFound("intent " + std::string(id) + " not found");
    IntentToJson(*intent, out);
    return Status::Ok();
  });
}

Status AutonomyService::ListIntents(const Actor& actor, const IntentFilter& filter, Json* out) {
  if (!filter.account_id.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(filter.account_id, "account_id"));
  if (!filter.status.empty() && !IsIntentStatus(filter.status)) {
    return Status::InvalidArgument("unknown status " + filter.status, "status");
  }
  if (filter.limit < 1 || filter.limit > 500) {
    return Status::InvalidArgument("limit must be between 1 and 500", "limit");
  }
  return store_->Read([&](store::Txn& txn) -> Status {
    std::vector<Intent> items;
    std::string next;
    STEWARD_RETURN_IF_ERROR(autonomy::ListIntents(txn, actor.tenant_id, filter, &items, &next));
    Json arr = Json::array();
    for (const auto& i : items) {
      Json j;
      IntentToJson(i, &j);
      arr.push_back(std::move(j));
    }
    *out = Json{{"items", std::move(arr)}, {"next_cursor", next.empty() ? Json(nullptr) : Json(next)}};
    return Status::Ok();
  });
}

Status AutonomyService::CancelIntent(const Actor& actor, std::string_view id, const Json& body,
                                     Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "reason"}));
  std::string account, reason;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "account_id", &account));
  if (!account.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "reason", &reason));
  if (reason.size() > 1024) return Status::InvalidArgument("reason is at most 1024 characters", "reason");
  int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto intent, LoadIntent(txn, actor.tenant_id, id));
    if (!intent || (!account.empty() && intent->account_id != account)) {
      return Status::NotFound("intent " + std::string(id) + " not found");
    }
    if (intent->status != kStatusProposed && intent->status != kStatusAwaitingApproval &&
        intent->status != kStatusApproved) {
      return Status::Conflict("intent is " + intent->status + " and can no longer be cancelled");
    }
    std::string before = intent->status;
    intent->status = std::string(kStatusCancelled);
    intent->updated_at = now;
    STEWARD_RETURN_IF_ERROR(UpdateIntent(txn, *intent));
    Json data = {{"reason", "CANCELLED_BY_USER"},
                 {"comment", reason},
                 {"previous_status", before},
                 {"cancelled_by", actor.subject}};
    auto e = ledger::Append(txn, actor.tenant_id, now,
                            Meta(*intent, ledger::kExecutionCancelled, actor.subject), data);
    if (!e.ok()) return e.status();
    IntentToJson(*intent, out);
    return Status::Ok();
  });
}

namespace {

// The gate request's fields: the intent, its account, and the tenant (which must be the token's).
Status ParseGateRequest(const Actor& actor, const Json& body, std::string* id,
                        std::string* account) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"action_intent_id", "account_id", "tenant_id"}));
  std::string tenant;
  STEWARD_RETURN_IF_ERROR(GetString(body, "action_intent_id", id));
  STEWARD_RETURN_IF_ERROR(ValidateId(*id, "action_intent_id"));
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", account));
  STEWARD_RETURN_IF_ERROR(ValidateId(*account, "account_id"));
  bool has_tenant = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "tenant_id", &tenant, &has_tenant));
  if (has_tenant && tenant != actor.tenant_id) {
    return Status::PermissionDenied("tenant_id does not match the token's tenant");
  }
  return Status::Ok();
}

}  // namespace

Status AutonomyService::Gate(const Actor& actor, const Json& body, Json* out) {
  std::string id, account;
  STEWARD_RETURN_IF_ERROR(ParseGateRequest(actor, body, &id, &account));
  int64_t now = clock_->NowMs();
  GateOutcome outcome;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(outcome, RunGate(txn, actor.tenant_id, account, id, actor.subject,
                                              now, &gate_config_));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // The response is built off the store's writer.
  GateOutcomeToJson(outcome, id, out);
  if (outcome.job_enqueued) Wake();
  return st;
}

void AutonomyService::GateAsync(const Actor& actor, const Json& body,
                                std::function<void(GateAnswer)> done) {
  struct Op {
    Actor actor;
    std::string id, account;
    int64_t now = 0;
    GateOutcome outcome;
  };
  auto op = std::make_shared<Op>();
  Status parsed = ParseGateRequest(actor, body, &op->id, &op->account);
  if (!parsed.ok()) return done([parsed](Json*) { return parsed; });
  op->actor = actor;
  op->now = clock_->NowMs();
  store_->WriteAsync(
      [this, op](store::Txn& txn) -> Status {
        STEWARD_ASSIGN_OR_RETURN(op->outcome, RunGate(txn, op->actor.tenant_id, op->account, op->id,
                                                      op->actor.subject, op->now, &gate_config_));
        return Status::Ok();
      },
      [this, op, done = std::move(done)](Status st) {
        if (st.ok() && op->outcome.job_enqueued) Wake();
        done([op, st](Json* out) -> Status {
          if (!st.ok()) return st;
          GateOutcomeToJson(op->outcome, op->id, out);
          return Status::Ok();
        });
      });
}

}  // namespace steward::autonomy
