#include "exec/execution_service.h"

#include "autonomy/gate.h"
#include "autonomy/intent.h"
#include "autonomy/registry.h"
#include "autonomy/settings.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "exec/execution.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::exec {
namespace {

using autonomy::Intent;

constexpr size_t kMaxTextLength = 1024;

ledger::AppendRequest Meta(const Intent& i, std::string_view event, std::string_view actor) {
  ledger::AppendRequest m;
  m.event_type = std::string(event);
  m.account_id = i.account_id;
  m.trace_id = i.trace_id.value_or("");
  m.action_intent_id = i.action_intent_id;
  m.actor = std::string(actor);
  return m;
}

Status Ledger(store::Txn& txn, const Intent& i, std::string_view event, std::string_view actor,
              const Json& data, int64_t now) {
  auto e = ledger::Append(txn, i.tenant_id, now, Meta(i, event, actor), data);
  return e.ok() ? Status::Ok() : e.status();
}

Status OptionalText(const Json& body, const char* field, std::string* out) {
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, field, out));
  if (out->size() > kMaxTextLength) {
    return Status::InvalidArgument(std::string(field) + " is at most 1024 characters", field);
  }
  return Status::Ok();
}

// Loads the intent `id` of the caller's tenant and `account`; NotFound otherwise (another
// tenant's intent is indistinguishable from a missing one).
Result<Intent> LoadOwned(store::Txn& txn, const Actor& actor, std::string_view id,
                         std::string_view account) {
  STEWARD_ASSIGN_OR_RETURN(auto intent, autonomy::LoadIntent(txn, actor.tenant_id, id));
  if (!intent || (!account.empty() && intent->account_id != account)) {
    return Status::NotFound("intent " + std::string(id) + " not found");
  }
  return *intent;
}

bool Waiting(const Intent& i) {
  return i.status == autonomy::kStatusProposed || i.status == autonomy::kStatusAwaitingApproval;
}

Status BacklogCheck(store::Txn& txn, std::string_view tenant) {
  STEWARD_ASSIGN_OR_RETURN(autonomy::PolicySettings ps, autonomy::LoadPolicySettings(txn, tenant));
  STEWARD_ASSIGN_OR_RETURN(int64_t pending, jobs::PendingCount(txn, tenant));
  if (pending >= ps.max_pending_jobs) {
    return Status::ResourceExhausted("too many pending jobs for this tenant (" +
                                         std::to_string(pending) + "); retry later",
                                     5);
  }
  return Status::Ok();
}

}  // namespace

void ExecutionService::Wake() {
  if (waker_) waker_->Wake();
}

Status ExecutionService::Approve(const Actor& actor, std::string_view id, const Json& body,
                                 Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "parameters", "comment"}));
  std::string account, comment;
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  STEWARD_RETURN_IF_ERROR(OptionalText(body, "comment", &comment));
  Json edited;
  bool has_edit = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalObject(body, "parameters", &edited, &has_edit));
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(Intent intent, LoadOwned(txn, actor, id, account));
    if (intent.approval) {
      return Status::Conflict("intent " + intent.action_intent_id + " was already approved (" +
                              intent.approval->source + ")");
    }
    if (!Waiting(intent)) {
      return Status::Conflict("intent is " + intent.status + ", not waiting for approval");
    }
    if (intent.expires_at && *intent.expires_at <= now) {
      return Status::Conflict("intent expired at " + FormatTimestamp(*intent.expires_at) +
                              " and can no longer be approved");
    }
    STEWARD_ASSIGN_OR_RETURN(autonomy::PolicySettings ps,
                             autonomy::LoadPolicySettings(txn, actor.tenant_id));
    if (intent.created_by == actor.subject && !ps.allow_self_approval) {
      return Status::PermissionDenied(
          "separation of duties: the creator of an intent may not approve it (the tenant does "
          "not allow self-approval)");
    }
    STEWARD_RETURN_IF_ERROR(BacklogCheck(txn, actor.tenant_id));
    STEWARD_ASSIGN_OR_RETURN(Json params, ParseJsonObject(intent.parameters_json));
    std::vector<std::string> edited_fields;
    Json changes = Json::array();
    if (has_edit) {
      for (auto it = edited.begin(); it != edited.end(); ++it) {
        if (!params.contains(it.key()) || params[it.key()] != it.value()) {
          edited_fields.push_back(it.key());
          changes.push_back({{"field", it.key()},
                             {"old", params.contains(it.key()) ? params[it.key()] : Json(nullptr)},
                             {"new", it.value()}});
        }
      }
      for (auto it = params.begin(); it != params.end(); ++it) {
        if (!edited.contains(it.key())) {
          edited_fields.push_back(it.key());
          changes.push_back({{"field", it.key()}, {"old", it.value()}, {"new", nullptr}});
        }
      }
      auto def = autonomy::ResolveActionType(txn, actor.tenant_id, intent.action_type,
                                             intent.registry_version);
      if (def.ok()) {
        for (const auto& req : def->required_parameters) {
          bool found = false;
          size_t start = 0;
          while (true) {
            size_t bar = req.find('|', start);
            std::string name = req.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
            found |= edited.contains(name) && !edited[name].is_null();
            if (bar == std::string::npos) break;
            start = bar + 1;
          }
          if (!found) {
            return Status::InvalidArgument("edited parameters lack the required " + req,
                                           "parameters");
          }
        }
      }
    }
    if (!edited_fields.empty()) {
      std::string canonical = CanonicalJson(edited);
      if (canonical.size() > 64 * 1024) {
        return Status::InvalidArgument("parameters are at most 64 KiB", "parameters");
      }
      STEWARD_RETURN_IF_ERROR(Ledger(txn, intent, ledger::kActionEdited, actor.subject,
                                     Json{{"changes", changes},
                                          {"edited_fields", edited_fields},
                                          {"taxonomy", kTaxonomyEdited}},
                                     now));
      intent.parameters_json = canonical;
    }
    intent.status = std::string(autonomy::kStatusApproved);
    intent.approval = autonomy::Approval{"HUMAN", actor.subject, now, edited_fields, comment};
    intent.updated_at = now;
    STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntent(txn, intent));
    STEWARD_ASSIGN_OR_RETURN(Json approved_params, ParseJsonObject(intent.parameters_json));
    STEWARD_RETURN_IF_ERROR(Ledger(txn, intent, ledger::kActionApproved, actor.subject,
                                   Json{{"approval_source", "HUMAN"},
                                        {"approved_by", actor.subject},
                                        {"comment", comment},
                                        {"edited_fields", edited_fields},
                                        {"parameters", approved_params}},
                                   now));
    auto job = autonomy::EnqueueExecution(txn, intent, 1, now);
    if (!job.ok()) return job.status();
    autonomy::IntentToJson(intent, out);
    return Status::Ok();
  });
  if (st.ok()) Wake();
  return st;
}

Status ExecutionService::Reject(const Actor& actor, std::string_view id, const Json& body,
                                Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"account_id", "reason"}));
  std::string account, reason;
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  STEWARD_RETURN_IF_ERROR(GetString(body, "reason", &reason));
  if (reason.empty()) return Status::InvalidArgument("reason must not be empty", "reason");
  if (reason.size() > kMaxTextLength) {
    return Status::InvalidArgument("reason is at most 1024 characters", "reason");
  }
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(Intent intent, LoadOwned(txn, actor, id, account));
    if (!Waiting(intent)) {
      return Status::Conflict("intent is " + intent.status + ", not waiting for approval");
    }
    intent.status = std::string(autonomy::kStatusRejected);
    intent.updated_at = now;
    STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntent(txn, intent));
    Outcome o;
    o.tenant_id = intent.tenant_id;
    o.action_intent_id = intent.action_intent_id;
    o.execution_no = 1;
    o.account_id = intent.account_id;
    o.action_type = intent.action_type;
    o.status = std::string(kOutcomeCancelled);
    o.taxonomy = std::string(kTaxonomyRejected);
    o.error_code = "REJECTED";
    o.error_message = reason;
    o.registry_version = intent.registry_version;
    auto def = autonomy::ResolveActionType(txn, actor.tenant_id, intent.action_type,
                                           intent.registry_version);
    if (def.ok()) {
      o.tool_name = def->tool_name;
      o.tool_schema_version = def->tool_schema_version;
    }
    o.approval_source = "HUMAN";
    o.trace_id = intent.trace_id.value_or("");
    o.completed_at = now;
    STEWARD_RETURN_IF_ERROR(InsertOutcome(txn, o));
    STEWARD_RETURN_IF_ERROR(Ledger(txn, intent, ledger::kActionRejected, actor.subject,
                                   Json{{"reason", reason},
                                        {"rejected_by", actor.subject},
                                        {"taxonomy", kTaxonomyRejected}},
                                   now));
    autonomy::IntentToJson(intent, out);
    return Status::Ok();
  });
}

Status ExecutionService::Replay(const Actor& actor, const Json& body, Json* out) {
  STEWARD_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"action_intent_id", "account_id", "replay_reason"}));
  std::string id, account, reason;
  STEWARD_RETURN_IF_ERROR(GetString(body, "action_intent_id", &id));
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", &account));
  STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  STEWARD_RETURN_IF_ERROR(GetString(body, "replay_reason", &reason));
  if (reason.empty() || reason.size() > kMaxTextLength) {
    return Status::InvalidArgument("replay_reason must be 1 to 1024 characters", "replay_reason");
  }
  const int64_t now = clock_->NowMs();
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(Intent intent, LoadOwned(txn, actor, id, account));
    if (intent.status != autonomy::kStatusSucceeded && intent.status != autonomy::kStatusFailed) {
      return Status::Conflict("only a finished (SUCCEEDED or FAILED) intent can be replayed; it is " +
                              intent.status);
    }
    STEWARD_ASSIGN_OR_RETURN(auto attempts, LoadAttempts(txn, actor.tenant_id, id));
    STEWARD_ASSIGN_OR_RETURN(auto outcomes, LoadOutcomes(txn, actor.tenant_id, id));
    int64_t last = attempts.empty() ? 0 : attempts.back().execution_no;
    bool last_done = false;
    for (const auto& o : outcomes) last_done |= o.execution_no == last;
    if (!last_done) return Status::Conflict("a replay of this intent is still running");
    STEWARD_RETURN_IF_ERROR(BacklogCheck(txn, actor.tenant_id));
    Attempt a;
    a.tenant_id = actor.tenant_id;
    a.action_intent_id = id;
    a.execution_no = last + 1;
    a.status = std::string(kAttemptRunning);
    a.replay_reason = reason;
    a.requested_by = actor.subject;
    a.started_at = now;
    a.updated_at = now;
    STEWARD_RETURN_IF_ERROR(InsertAttempt(txn, a));
    STEWARD_RETURN_IF_ERROR(Ledger(txn, intent, ledger::kReplayRequested, actor.subject,
                                   Json{{"execution_no", a.execution_no},
                                        {"replay_reason", reason},
                                        {"requested_by", actor.subject}},
                                   now));
    auto job = autonomy::EnqueueExecution(txn, intent, a.execution_no, now);
    if (!job.ok()) return job.status();
    *out = Json{{"action_intent_id", id},
                {"account_id", account},
                {"execution_no", a.execution_no},
                {"status", "PENDING"},
                {"requested_by", actor.subject}};
    return Status::Ok();
  });
  if (st.ok()) Wake();
  return st;
}

Status ExecutionService::GetExecution(const Actor& actor, std::string_view id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto attempts, LoadAttempts(txn, actor.tenant_id, id));
    if (attempts.empty()) {
      return Status::NotFound("no execution attempt exists for intent " + std::string(id));
    }
    STEWARD_ASSIGN_OR_RETURN(auto outcomes, LoadOutcomes(txn, actor.tenant_id, id));
    auto outcome_of = [&](int64_t no) {
      for (const auto& o : outcomes) {
        if (o.execution_no == no) {
          Json j;
          OutcomeToJson(o, &j);
          return j;
        }
      }
      return Json(nullptr);
    };
    Json first;
    AttemptToJson(attempts.front(), &first);
    Json replays = Json::array();
    for (size_t i = 1; i < attempts.size(); ++i) {
      Json a;
      AttemptToJson(attempts[i], &a);
      replays.push_back({{"attempt", a}, {"outcome", outcome_of(attempts[i].execution_no)}});
    }
    *out = Json{{"action_intent_id", id},
                {"attempt", first},
                {"outcome", outcome_of(attempts.front().execution_no)},
                {"replays", replays}};
    return Status::Ok();
  });
}

Status ExecutionService::ListExecutions(const Actor& actor, const ListQuery& q, Json* out) {
  OutcomeFilter f;
  if (!q.account_id.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
  f.account_id = q.account_id;
  if (!q.auto_executed.empty()) {
    if (q.auto_executed != "true" && q.auto_executed != "false") {
      return Status::InvalidArgument("auto_executed must be true or false", "auto_executed");
    }
    f.auto_executed = q.auto_executed == "true";
  }
  if (!q.status.empty()) {
    if (q.status != kOutcomeSucceeded && q.status != kOutcomeFailed &&
        q.status != kOutcomeCancelled && q.status != kOutcomeExpired) {
      return Status::InvalidArgument("status must be SUCCEEDED, FAILED, CANCELLED or EXPIRED",
                                     "status");
    }
    f.status = q.status;
  }
  if (!q.since.empty()) {
    auto t = ParseTimestamp(q.since);
    if (!t.ok()) return Status::InvalidArgument("since must be an RFC 3339 timestamp", "since");
    f.since_ms = *t;
  }
  f.limit = q.limit;
  f.cursor = q.cursor;
  return store_->Read([&](store::Txn& txn) -> Status {
    std::vector<Outcome> items;
    std::string next;
    STEWARD_RETURN_IF_ERROR(ListOutcomes(txn, actor.tenant_id, f, &items, &next));
    Json arr = Json::array();
    for (const auto& o : items) {
      Json j;
      OutcomeToJson(o, &j);
      arr.push_back(std::move(j));
    }
    *out = Json{{"items", arr}, {"next_cursor", next.empty() ? Json(nullptr) : Json(next)}};
    return Status::Ok();
  });
}

Status ExecutionService::ListInternalObjects(const Actor& actor, std::string_view kind,
                                             std::string_view account, int limit,
                                             std::string_view cursor, Json* out) {
  if (!account.empty()) STEWARD_RETURN_IF_ERROR(ValidateId(account, "account_id"));
  std::vector<store::Value> params = {actor.tenant_id, std::string(kind)};
  std::string sql =
      "SELECT object_id, kind, account_id, action_intent_id, title, body, data, created_at FROM "
      "internal_objects WHERE tenant_id = ? AND kind = ?";
  if (!account.empty()) {
    sql += " AND account_id = ?";
    params.emplace_back(std::string(account));
  }
  if (!cursor.empty()) {
    std::string text;
    auto bar = std::string::npos;
    if (!Base64UrlDecode(cursor, &text) || (bar = text.find('|')) == std::string::npos) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    int64_t at = 0;
    try {
      at = std::stoll(text.substr(0, bar));
    } catch (const std::exception&) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    std::string oid = text.substr(bar + 1);
    sql += " AND (created_at < ? OR (created_at = ? AND object_id < ?))";
    params.insert(params.end(), {at, at, oid});
  }
  sql += " ORDER BY created_at DESC, object_id DESC LIMIT ?";
  params.emplace_back(int64_t{limit} + 1);
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
    Json items = Json::array();
    std::string next;
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      const auto& r = rows[i];
      auto data = ParseJson(r.Text(6));
      items.push_back({{"object_id", r.Text(0)},
                       {"kind", r.Text(1)},
                       {"account_id", r.Text(2)},
                       {"action_intent_id", r.Text(3)},
                       {"title", r.IsNull(4) ? Json(nullptr) : Json(r.Text(4))},
                       {"body", r.IsNull(5) ? Json(nullptr) : Json(r.Text(5))},
                       {"parameters", data.ok() ? *data : Json::object()},
                       {"created_at", FormatTimestamp(r.Int(7))}});
      if (static_cast<int>(i) == limit - 1 && static_cast<int>(rows.size()) > limit) {
        next = Base64UrlEncode(std::to_string(r.Int(7)) + "|" + r.Text(0));
      }
    }
    *out = Json{{"items", items}, {"next_cursor", next.empty() ? Json(nullptr) : Json(next)}};
    return Status::Ok();
  });
}

Status ExecutionService::PutConnector(const Actor& actor, std::string_view id, const Json& body,
                                      Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "connector_id"));
  if (id == "internal") {
    return Status::InvalidArgument("the internal connector is built in and has no settings",
                                   "connector_id");
  }
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"kind", "url", "timeout_ms", "secret"}));
  std::string kind = "http", url, secret;
  bool has_secret = false;
  int64_t timeout_ms = 10000;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "kind", &kind));
  if (kind != "http") return Status::InvalidArgument("kind must be http", "kind");
  STEWARD_RETURN_IF_ERROR(GetString(body, "url", &url));
  if ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) || url.size() > 2048 ||
      url.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("url must be an http:// or https:// URL of at most 2048 characters",
                                   "url");
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "timeout_ms", &timeout_ms, 100, 120000));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "secret", &secret, &has_secret));
  if (has_secret && (secret.size() < 16 || secret.size() > 512)) {
    return Status::InvalidArgument("secret must be 16 to 512 characters", "secret");
  }
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, txn.QueryOne("SELECT url, timeout_ms, secret FROM "
                                                       "connectors WHERE tenant_id = ? AND "
                                                       "connector_id = ?",
                                                       {actor.tenant_id, std::string(id)}));
    // An omitted secret keeps the one already set.
    if (!has_secret && before) secret = before->Text(2);
    auto r = txn.Exec(
        "INSERT INTO connectors (tenant_id, connector_id, kind, url, timeout_ms, secret, "
        "updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, "
        "connector_id) DO UPDATE SET kind = excluded.kind, url = excluded.url, timeout_ms = "
        "excluded.timeout_ms, secret = excluded.secret, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by",
        {actor.tenant_id, std::string(id), kind, url, timeout_ms, store::TextOrNull(secret), now,
         actor.subject});
    if (!r.ok()) return r.status();
    ledger::AppendRequest m;
    m.event_type = std::string(ledger::kConfigChanged);
    m.actor = actor.subject;
    Json data = {{"setting", "connector"},
                 {"connector_id", id},
                 {"kind", kind},
                 {"url", url},
                 {"timeout_ms", timeout_ms},
                 {"secret_set", !secret.empty()},
                 {"secret_changed", has_secret}};
    if (before) data["previous"] = {{"url", before->Text(0)}, {"timeout_ms", before->Int(1)}};
    auto e = ledger::Append(txn, actor.tenant_id, now, m, data);
    if (!e.ok()) return e.status();
    *out = Json{{"connector_id", id},
                {"kind", kind},
                {"url", url},
                {"timeout_ms", timeout_ms},
                {"secret_set", !secret.empty()},
                {"updated_at", FormatTimestamp(now)},
                {"updated_by", actor.subject}};
    return Status::Ok();
  });
}

Status ExecutionService::GetConnector(const Actor& actor, std::string_view id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(id, "connector_id"));
  const int64_t now = clock_->NowMs();
  if (id == "internal") {
    *out = Json{{"connector_id", "internal"}, {"kind", "internal"}, {"builtin", true},
                {"circuit_breaker", nullptr}};
    return Status::Ok();
  }
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT kind, url, timeout_ms, secret, "
                                                    "updated_at, updated_by FROM connectors "
                                                    "WHERE tenant_id = ? AND connector_id = ?",
                                                    {actor.tenant_id, std::string(id)}));
    if (!row) return Status::NotFound("connector " + std::string(id) + " is not configured");
    STEWARD_ASSIGN_OR_RETURN(std::string breaker,
                             BreakerStateJson(txn, actor.tenant_id, id, now, breaker_));
    auto b = ParseJson(breaker);
    *out = Json{{"connector_id", id},
                {"kind", row->Text(0)},
                {"url", row->Text(1)},
                {"timeout_ms", row->Int(2)},
                {"secret_set", !row->Text(3).empty()},
                {"updated_at", FormatTimestamp(row->Int(4))},
                {"updated_by", row->Text(5)},
                {"circuit_breaker", b.ok() ? *b : Json(nullptr)}};
    return Status::Ok();
  });
}

Result<int> ExecutionService::SweepExpired(int limit) {
  const int64_t now = clock_->NowMs();
  int expired = 0;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    expired = 0;
    STEWARD_ASSIGN_OR_RETURN(
        auto rows, txn.Query("SELECT tenant_id, action_intent_id FROM intents WHERE status IN "
                             "('PROPOSED', 'AWAITING_APPROVAL') AND expires_at IS NOT NULL AND "
                             "expires_at <= ? ORDER BY expires_at LIMIT ?",
                             {now, int64_t{limit}}));
    for (const auto& r : rows) {
      STEWARD_ASSIGN_OR_RETURN(auto intent, autonomy::LoadIntent(txn, r.Text(0), r.Text(1)));
      if (!intent || !Waiting(*intent)) continue;
      std::string before = intent->status;
      intent->status = std::string(autonomy::kStatusExpired);
      intent->updated_at = now;
      STEWARD_RETURN_IF_ERROR(autonomy::UpdateIntent(txn, *intent));
      Outcome o;
      o.tenant_id = intent->tenant_id;
      o.action_intent_id = intent->action_intent_id;
      o.account_id = intent->account_id;
      o.action_type = intent->action_type;
      o.status = std::string(kOutcomeExpired);
      o.taxonomy = std::string(kTaxonomyFailed);
      o.error_code = "EXPIRED";
      o.error_message = "The intent expired while waiting for a decision.";
      o.registry_version = intent->registry_version;
      o.tool_name = "";
      o.tool_schema_version = "";
      o.trace_id = intent->trace_id.value_or("");
      o.completed_at = now;
      STEWARD_RETURN_IF_ERROR(InsertOutcome(txn, o));
      STEWARD_RETURN_IF_ERROR(Ledger(txn, *intent, ledger::kExecutionExpired, "system:sweeper",
                                     Json{{"reason", "EXPIRED"},
                                          {"previous_status", before},
                                          {"expires_at", FormatTimestamp(*intent->expires_at)}},
                                     now));
      ++expired;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return expired;
}

Status ExecutionService::ScheduleSweeper() {
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    auto job = jobs::Enqueue(txn, kSystemTenant, kJobExpireIntents, "{}", now, now, "sweeper");
    return job.ok() ? Status::Ok() : job.status();
  });
}

jobs::Outcome ExecutionService::HandleSweep(const jobs::Job&, int64_t interval_ms) {
  // Sweep in bounded batches until nothing is left, then come back later.
  for (int round = 0; round < 20; ++round) {
    auto n = SweepExpired(500);
    if (!n.ok()) {
      log::Event(log::Level::kWarn, "sweep_failed", {{"error", n.status().message()}});
      break;
    }
    if (*n > 0) log::Event(log::Level::kInfo, "intents_expired", {{"count", *n}});
    if (*n < 500) break;
  }
  return jobs::Outcome::Retry(clock_->NowMs() + interval_ms, "");
}

}  // namespace steward::exec
