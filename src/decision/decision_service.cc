#include "decision/decision_service.h"

#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"
#include "common/time_util.h"
#include "decision/cron.h"
#include "decision/trigger_registry.h"
#include "exec/execution.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"
#include "policy/cost_gate.h"

namespace steward::decision {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

Status ParseFields(const Json& obj, bool envelope, std::string_view tenant_id, TriggerRequest* out) {
  if (envelope) {
    STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
        obj, {"tenant_id", "account_id", "trigger_type", "idempotency_key", "correlation_id",
              "scheduled_at"}));
    std::string tenant;
    bool has_tenant = false;
    STEWARD_RETURN_IF_ERROR(GetOptionalString(obj, "tenant_id", &tenant, &has_tenant));
    if (has_tenant && tenant != tenant_id) {
      return Status::PermissionDenied("detail.tenant_id does not match the token's tenant");
    }
  } else {
    STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
        obj, {"account_id", "trigger_type", "idempotency_key", "correlation_id", "scheduled_at"}));
  }
  STEWARD_RETURN_IF_ERROR(GetString(obj, "account_id", &out->account_id));
  STEWARD_RETURN_IF_ERROR(ValidateId(out->account_id, "account_id"));
  STEWARD_RETURN_IF_ERROR(GetString(obj, "trigger_type", &out->trigger_type));
  STEWARD_RETURN_IF_ERROR(ValidateTriggerType(out->trigger_type));
  STEWARD_RETURN_IF_ERROR(GetString(obj, "idempotency_key", &out->idempotency_key));
  STEWARD_RETURN_IF_ERROR(ValidateId(out->idempotency_key, "idempotency_key"));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(obj, "correlation_id", &out->correlation_id));
  if (!out->correlation_id.empty()) {
    STEWARD_RETURN_IF_ERROR(ValidateId(out->correlation_id, "correlation_id"));
  }
  std::string scheduled;
  bool has_scheduled = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(obj, "scheduled_at", &scheduled, &has_scheduled));
  if (has_scheduled) {
    auto t = ParseTimestamp(scheduled);
    if (!t.ok()) return Status::InvalidArgument("scheduled_at must be an RFC 3339 timestamp", "scheduled_at");
    out->scheduled_at_ms = *t;
  }
  return Status::Ok();
}

Json ParseOr(const std::string& text) {
  auto j = ParseJson(text);
  return j.ok() ? *j : Json::object();
}

Json OptMs(std::optional<int64_t> ms) { return ms ? Json(FormatTimestamp(*ms)) : Json(nullptr); }

// The key of a deferred run's one retry: hex SHA-256(original ‖ "retry" ‖ defer_until).
std::string RetryKey(std::string_view original, int64_t defer_until_ms) {
  return "retry-" + Sha256Hex(std::string(original) + "retry" + std::to_string(defer_until_ms)).substr(0, 48);
}

}  // namespace

Status ParseTrigger(const Json& body, std::string_view tenant_id, TriggerRequest* out) {
  *out = TriggerRequest{};
  if (body.contains("detail")) {
    STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"detail"}));
    if (!body["detail"].is_object()) return Status::InvalidArgument("detail must be an object", "detail");
    return ParseFields(body["detail"], true, tenant_id, out);
  }
  return ParseFields(body, false, tenant_id, out);
}

void DecisionService::Wake() {
  if (waker_) waker_->Wake();
}

Status DecisionService::Trigger(const Actor& actor, const Json& body, Json* out) {
  TriggerRequest req;
  STEWARD_RETURN_IF_ERROR(ParseTrigger(body, actor.tenant_id, &req));
  return Evaluate(actor.tenant_id, actor.subject, req, out);
}

Status DecisionService::Evaluate(std::string_view tenant_id, std::string_view actor,
                                 const TriggerRequest& req, Json* out) {
  const int64_t now = clock_->NowMs();
  bool enqueued = false;
  Status st = store_->Write([&](store::Txn& txn) {
    enqueued = false;
    return EvaluateInTxn(txn, tenant_id, actor, req, now, out, &enqueued);
  });
  if (st.ok() && enqueued) Wake();
  return st;
}

Status DecisionService::EvaluateInTxn(store::Txn& txn, std::string_view tenant_id,
                                      std::string_view actor, const TriggerRequest& req,
                                      int64_t now, Json* out, bool* enqueued) {
  const std::string tenant(tenant_id);
  // 1. The key. A live reservation makes this a duplicate; an absent or expired one is (re)taken
  // at the end, with the answer, in this same transaction (step 5).
  STEWARD_ASSIGN_OR_RETURN(auto held, txn.QueryOne("SELECT result FROM decision_reservations WHERE "
                                                   "tenant_id = ? AND idempotency_key = ? AND "
                                                   "expires_at > ?",
                                                   {tenant, req.idempotency_key, now}));
  if (held) {
    *out = Json{{"result", "SKIP"},
                {"reason", policy::kReasonDuplicate},
                {"explanation", "This idempotency key was already evaluated; nothing else happens."},
                {"idempotency_key", req.idempotency_key},
                {"original", ParseOr(held->Text(0))}};
    return Status::Ok();
  }

  // A retry no longer waits: it leaves the account's pending count.
  if (req.is_retry) {
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("UPDATE decision_accounts SET pending_retries = pending_retries - 1 WHERE "
                 "tenant_id = ? AND account_id = ? AND pending_retries > 0",
                 {tenant, req.account_id})
            .status());
  }

  // 2. The trigger registry.
  STEWARD_ASSIGN_OR_RETURN(auto trig, ResolveTrigger(txn, tenant, req.trigger_type));
  policy::CostGateInput in;
  policy::CostGateResult gate;
  const std::string day = FormatDate(now);
  Json inputs = Json::object();
  if (!trig || !trig->enabled) {
    gate.result = policy::GateResult::kSkip;
    gate.reason = std::string(policy::kReasonUnknownTriggerType);
    gate.explanation = trig ? "The trigger type " + req.trigger_type + " is disabled for this tenant."
                            : "The trigger type " + req.trigger_type + " is not known.";
  } else {
    // 3. The cost gate's inputs, then the gate itself (pure).
    in.trigger = trig->config;
    in.now_ms = now;
    in.is_retry = req.is_retry;
    in.max_pending_evaluations = options_.max_pending_evaluations;
    // The account's counters in one statement; the window of ALLOW runs in a second.
    STEWARD_ASSIGN_OR_RETURN(
        auto counters,
        txn.QueryOne("SELECT (SELECT last_allowed_at FROM decision_run_state WHERE tenant_id = ? AND "
                     "account_id = ? AND trigger_type = ?), (SELECT runs FROM decision_usage WHERE "
                     "tenant_id = ? AND account_id = ? AND day = ?), (SELECT max_per_day FROM "
                     "decision_budgets WHERE tenant_id = ? AND account_id = ?), (SELECT max_per_day "
                     "FROM decision_budgets WHERE tenant_id = ? AND account_id = '*'), (SELECT "
                     "pending_retries FROM decision_accounts WHERE tenant_id = ? AND account_id = ?)",
                     {tenant, req.account_id, req.trigger_type, tenant, req.account_id, day, tenant,
                      req.account_id, tenant, tenant, req.account_id}));
    if (!counters) return Status::Internal("the cost gate's counters returned no row");
    if (!counters->IsNull(0)) in.last_allowed_ms = counters->Int(0);
    in.runs_today = counters->IsNull(1) ? 0 : counters->Int(1);
    // The account's own budget, else the tenant's default ('*').
    if (!counters->IsNull(2)) {
      in.daily_budget = counters->Int(2);
    } else if (!counters->IsNull(3)) {
      in.daily_budget = counters->Int(3);
    }
    in.pending_evaluations = counters->IsNull(4) ? 0 : counters->Int(4);
    STEWARD_ASSIGN_OR_RETURN(
        auto recent, txn.Query("SELECT evaluated_at FROM decision_runs WHERE tenant_id = ? AND "
                               "account_id = ? AND trigger_type = ? AND result = 'ALLOW' AND "
                               "evaluated_at > ?",
                               {tenant, req.account_id, req.trigger_type, now - kHourMs}));
    for (const auto& r : recent) in.allowed_last_hour_ms.push_back(r.Int(0));
    gate = policy::EvaluateCostGate(in);
    Json window = Json::array();
    for (int64_t t : in.allowed_last_hour_ms) window.push_back(FormatTimestamp(t));
    inputs = JsonObject({{"trigger", JsonObject({{"debounce_seconds", in.trigger.debounce_seconds},
                                                 {"cooldown_seconds", in.trigger.cooldown_seconds},
                                                 {"max_per_hour", in.trigger.max_per_hour},
                                                 {"source", trig->source}})},
                         {"now", FormatTimestamp(now)},
                         {"last_allowed_at", OptMs(in.last_allowed_ms)},
                         {"allowed_last_hour", std::move(window)},
                         {"runs_today", in.runs_today},
                         {"daily_budget", in.daily_budget ? Json(*in.daily_budget) : Json(nullptr)},
                         {"pending_evaluations", in.pending_evaluations},
                         {"max_pending_evaluations", in.max_pending_evaluations},
                         {"is_retry", req.is_retry}});
  }
  const std::string result(policy::GateResultName(gate.result));

  // 4. The consequences: run state and the event, or the one retry.
  std::string retry_key;
  if (gate.result == policy::GateResult::kAllow) {
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO decision_run_state (tenant_id, account_id, trigger_type, "
                 "last_allowed_at, last_evaluated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT "
                 "(tenant_id, account_id, trigger_type) DO UPDATE SET last_allowed_at = "
                 "excluded.last_allowed_at, last_evaluated_at = excluded.last_evaluated_at",
                 {tenant, req.account_id, req.trigger_type, now, now})
            .status());
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO decision_usage (tenant_id, account_id, day, runs) VALUES (?, ?, ?, 1) "
                 "ON CONFLICT (tenant_id, account_id, day) DO UPDATE SET runs = decision_usage.runs + 1",
                 {tenant, req.account_id, day})
            .status());
  } else if (gate.result == policy::GateResult::kDefer) {
    retry_key = RetryKey(req.idempotency_key, *gate.defer_until_ms);
    Json payload = {{"account_id", req.account_id},
                    {"trigger_type", req.trigger_type},
                    {"idempotency_key", retry_key},
                    {"original_key", req.idempotency_key},
                    {"correlation_id", req.correlation_id}};
    STEWARD_ASSIGN_OR_RETURN(int64_t job, jobs::Enqueue(txn, tenant, kJobDecisionRetry, payload.dump(),
                                                        *gate.defer_until_ms, now, retry_key));
    (void)job;
    STEWARD_RETURN_IF_ERROR(
        txn.Exec("INSERT INTO decision_accounts (tenant_id, account_id, pending_retries) VALUES "
                 "(?, ?, 1) ON CONFLICT (tenant_id, account_id) DO UPDATE SET pending_retries = "
                 "decision_accounts.pending_retries + 1",
                 {tenant, req.account_id})
            .status());
    *enqueued = true;
  }
  Json data = JsonObject(
      {{"idempotency_key", req.idempotency_key},
       {"trigger_type", req.trigger_type},
       {"correlation_id", req.correlation_id.empty() ? Json(nullptr) : Json(req.correlation_id)},
       {"scheduled_at", OptMs(req.scheduled_at_ms)},
       {"is_retry", req.is_retry},
       {"original_key", req.original_key.empty() ? Json(nullptr) : Json(req.original_key)},
       {"result", result},
       {"reason", gate.reason.empty() ? Json(nullptr) : Json(gate.reason)},
       {"explanation", gate.explanation},
       {"defer_until", OptMs(gate.defer_until_ms)},
       {"retry_key", retry_key.empty() ? Json(nullptr) : Json(retry_key)},
       {"cost_gate_version", policy::kCostGateVersion},
       {"inputs", std::move(inputs)}});
  STEWARD_ASSIGN_OR_RETURN(
      std::optional<int64_t> run,
      txn.InsertId(
          "INSERT INTO decision_runs (tenant_id, account_id, trigger_type, "
          "idempotency_key, correlation_id, original_key, is_retry, result, reason, "
          "defer_until, evaluated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {tenant, req.account_id, req.trigger_type, req.idempotency_key,
           store::TextOrNull(req.correlation_id), store::TextOrNull(req.original_key),
           int64_t{req.is_retry ? 1 : 0}, result, store::TextOrNull(gate.reason),
           gate.defer_until_ms ? store::Value(*gate.defer_until_ms) : store::Value(store::Null{}),
           now, data.dump()},
          "run_id"));
  const int64_t run_id = run.value_or(0);
  if (gate.result == policy::GateResult::kAllow) {
    STEWARD_RETURN_IF_ERROR(exec::AppendEvent(
        txn, tenant, kEventEvaluationRequested, req.account_id, "",
        JsonObject({{"run_id", run_id},
                    {"account_id", req.account_id},
                    {"trigger_type", req.trigger_type},
                    {"idempotency_key", req.idempotency_key},
                    {"correlation_id",
                     req.correlation_id.empty() ? Json(nullptr) : Json(req.correlation_id)},
                    {"scheduled_at", OptMs(req.scheduled_at_ms)}}),
        now));
  }
  ledger::AppendRequest meta;
  meta.event_type = std::string(ledger::kCostGateEvaluated);
  meta.account_id = req.account_id;
  meta.trace_id = req.correlation_id;
  meta.actor = std::string(actor);
  data["run_id"] = run_id;
  auto e = ledger::Append(txn, tenant, now, meta, data);
  if (!e.ok()) return e.status();

  *out = JsonObject({{"result", result},
                     {"explanation", gate.explanation},
                     {"idempotency_key", req.idempotency_key},
                     {"run_id", run_id},
                     {"account_id", req.account_id},
                     {"trigger_type", req.trigger_type},
                     {"evaluated_at", FormatTimestamp(now)}});
  if (!gate.reason.empty()) (*out)["reason"] = gate.reason;
  if (gate.defer_until_ms) {
    (*out)["defer_until"] = FormatTimestamp(*gate.defer_until_ms);
    (*out)["retry_after_seconds"] = *gate.retry_after_seconds;
    (*out)["retry_key"] = retry_key;
  }
  if (req.is_retry) (*out)["original_key"] = req.original_key;
  // 5. The reservation, holding the first answer for duplicates. Step 1 found the key free in
  // this transaction's view; on PostgreSQL a concurrent reservation of it fails this statement
  // with a serialization error and the store re-runs the closure, which then finds it held.
  STEWARD_ASSIGN_OR_RETURN(
      auto reserved,
      txn.QueryOne("INSERT INTO decision_reservations (tenant_id, idempotency_key, account_id, "
                   "trigger_type, correlation_id, reserved_at, expires_at, result) VALUES (?, ?, "
                   "?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET "
                   "account_id = excluded.account_id, trigger_type = excluded.trigger_type, "
                   "correlation_id = excluded.correlation_id, reserved_at = excluded.reserved_at, "
                   "expires_at = excluded.expires_at, result = excluded.result WHERE "
                   "decision_reservations.expires_at <= ? RETURNING idempotency_key",
                   {tenant, req.idempotency_key, req.account_id, req.trigger_type,
                    store::TextOrNull(req.correlation_id), now, now + options_.reservation_ttl_ms,
                    out->dump(), now}));
  if (!reserved) {
    return Status::Unavailable("the idempotency key " + req.idempotency_key +
                               " was reserved concurrently; try again");
  }
  return Status::Ok();
}

Status DecisionService::GetReservation(const Actor& actor, std::string_view key, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(key, "idempotency_key"));
  const int64_t now = clock_->NowMs();
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        auto row, txn.QueryOne("SELECT account_id, trigger_type, correlation_id, reserved_at, "
                               "expires_at, result FROM decision_reservations WHERE tenant_id = ? "
                               "AND idempotency_key = ? AND expires_at > ?",
                               {actor.tenant_id, std::string(key), now}));
    if (!row) return Status::NotFound("no reservation for idempotency key " + std::string(key));
    *out = Json{{"idempotency_key", key},
                {"account_id", row->Text(0)},
                {"trigger_type", row->Text(1)},
                {"correlation_id", row->IsNull(2) ? Json(nullptr) : Json(row->Text(2))},
                {"reserved_at", FormatTimestamp(row->Int(3))},
                {"expires_at", FormatTimestamp(row->Int(4))},
                {"result", ParseOr(row->Text(5))}};
    return Status::Ok();
  });
}

Status DecisionService::DeleteReservation(const Actor& actor, std::string_view key, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(key, "idempotency_key"));
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(int64_t n, txn.Exec("DELETE FROM decision_reservations WHERE "
                                                 "tenant_id = ? AND idempotency_key = ? AND "
                                                 "expires_at > ?",
                                                 {actor.tenant_id, std::string(key), now}));
    if (n == 0) return Status::NotFound("no reservation for idempotency key " + std::string(key));
    ledger::AppendRequest meta;
    meta.event_type = std::string(ledger::kConfigChanged);
    meta.actor = actor.subject;
    auto e = ledger::Append(txn, actor.tenant_id, now, meta,
                            Json{{"setting", "decision_reservation"},
                                 {"idempotency_key", key},
                                 {"change", "released"}});
    if (!e.ok()) return e.status();
    *out = Json{{"idempotency_key", key}, {"deleted", true}};
    return Status::Ok();
  });
}

Status DecisionService::ListRuns(const Actor& actor, const RunsQuery& q, Json* out) {
  std::vector<store::Value> params = {actor.tenant_id};
  std::string sql =
      "SELECT run_id, account_id, trigger_type, idempotency_key, result, reason, defer_until, "
      "evaluated_at, data FROM decision_runs WHERE tenant_id = ?";
  if (!q.account_id.empty()) {
    STEWARD_RETURN_IF_ERROR(ValidateId(q.account_id, "account_id"));
    sql += " AND account_id = ?";
    params.emplace_back(q.account_id);
  }
  if (!q.trigger_type.empty()) {
    STEWARD_RETURN_IF_ERROR(ValidateTriggerType(q.trigger_type));
    sql += " AND trigger_type = ?";
    params.emplace_back(q.trigger_type);
  }
  if (!q.result.empty()) {
    if (q.result != "ALLOW" && q.result != "DEFER" && q.result != "SKIP") {
      return Status::InvalidArgument("result must be ALLOW, DEFER or SKIP", "result");
    }
    sql += " AND result = ?";
    params.emplace_back(q.result);
  }
  if (!q.reason.empty()) {
    STEWARD_RETURN_IF_ERROR(ValidateTriggerType(q.reason, "reason"));
    sql += " AND reason = ?";
    params.emplace_back(q.reason);
  }
  if (!q.since.empty()) {
    auto t = ParseTimestamp(q.since);
    if (!t.ok()) return Status::InvalidArgument("since must be an RFC 3339 timestamp", "since");
    sql += " AND evaluated_at >= ?";
    params.emplace_back(*t);
  }
  if (!q.cursor.empty()) {
    std::string text;
    int64_t before = 0;
    try {
      if (!Base64UrlDecode(q.cursor, &text)) throw std::invalid_argument("cursor");
      size_t pos = 0;
      before = std::stoll(text, &pos);
      if (pos != text.size()) throw std::invalid_argument("cursor");
    } catch (const std::exception&) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    sql += " AND run_id < ?";
    params.emplace_back(before);
  }
  sql += " ORDER BY run_id DESC LIMIT ?";
  params.emplace_back(int64_t{q.limit} + 1);
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
    Json items = Json::array();
    std::string next;
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < q.limit; ++i) {
      const auto& r = rows[i];
      Json data = ParseOr(r.Text(8));
      Json item = {{"run_id", r.Int(0)},
                   {"account_id", r.Text(1)},
                   {"trigger_type", r.Text(2)},
                   {"idempotency_key", r.Text(3)},
                   {"result", r.Text(4)},
                   {"reason", r.IsNull(5) ? Json(nullptr) : Json(r.Text(5))},
                   {"defer_until", r.IsNull(6) ? Json(nullptr) : Json(FormatTimestamp(r.Int(6)))},
                   {"evaluated_at", FormatTimestamp(r.Int(7))},
                   {"explanation", data.value("explanation", "")},
                   {"is_retry", data.value("is_retry", false)},
                   {"inputs", data.value("inputs", Json::object())}};
      items.push_back(std::move(item));
      if (static_cast<int>(i) == q.limit - 1 && static_cast<int>(rows.size()) > q.limit) {
        next = Base64UrlEncode(std::to_string(r.Int(0)));
      }
    }
    *out = Json{{"items", items}, {"next_cursor", next.empty() ? Json(nullptr) : Json(next)}};
    return Status::Ok();
  });
}

jobs::Outcome DecisionService::HandleRetry(const jobs::Job& job) {
  auto payload = ParseJsonObject(job.payload_json);
  if (!payload.ok()) return jobs::Outcome::Failed("DECISION_RETRY payload: " + payload.status().message());
  TriggerRequest req;
  req.account_id = payload->value("account_id", "");
  req.trigger_type = payload->value("trigger_type", "");
  req.idempotency_key = payload->value("idempotency_key", "");
  req.original_key = payload->value("original_key", "");
  req.correlation_id = payload->value("correlation_id", "");
  req.is_retry = true;
  Json out;
  Status st = Evaluate(job.tenant_id, "system:decision-retry", req, &out);
  if (!st.ok()) {
    return jobs::Outcome::Retry(clock_->NowMs() + 1000, "retry evaluation: " + st.message());
  }
  return jobs::Outcome::Done();
}

Result<int> DecisionService::PurgeExpired(int limit) {
  const int64_t now = clock_->NowMs();
  int64_t n = 0;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        n, txn.Exec("DELETE FROM decision_reservations WHERE (tenant_id, idempotency_key) IN "
                    "(SELECT tenant_id, idempotency_key FROM decision_reservations WHERE "
                    "expires_at <= ? LIMIT ?)",
                    {now, int64_t{limit}}));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return static_cast<int>(n);
}

jobs::Outcome DecisionService::HandlePurge(const jobs::Job&, int64_t interval_ms) {
  for (int round = 0; round < 50; ++round) {
    auto n = PurgeExpired(1000);
    if (!n.ok()) {
      log::Event(log::Level::kWarn, "reservation_purge_failed", {{"error", n.status().message()}});
      break;
    }
    if (*n > 0) log::Event(log::Level::kInfo, "reservations_purged", {{"count", *n}});
    if (*n < 1000) break;
  }
  return jobs::Outcome::Retry(clock_->NowMs() + interval_ms, "");
}

Result<int> DecisionService::FireDueSchedules(int limit) {
  const int64_t now = clock_->NowMs();
  int fired = 0;
  bool enqueued_any = false;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    fired = 0;
    enqueued_any = false;
    STEWARD_ASSIGN_OR_RETURN(
        auto due, txn.Query("SELECT tenant_id, account_id, trigger_type, cron, timezone, "
                            "next_fire_at FROM schedules WHERE enabled = 1 AND next_fire_at IS "
                            "NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at LIMIT ?",
                            {now, int64_t{limit}}));
    for (const auto& s : due) {
      const std::string tenant = s.Text(0), account = s.Text(1), type = s.Text(2);
      int64_t slot = s.Int(5);
      auto spec = ParseCron(s.Text(3));
      // Every slot that came due fires once (a node that was down catches up, at most 10 per
      // schedule per tick); its idempotency key carries the slot, so two nodes or a restart
      // can never fire one slot twice.
      int64_t next = slot;
      for (int k = 0; k < 10 && spec.ok() && next <= now; ++k) {
        TriggerRequest req;
        req.account_id = account;
        req.trigger_type = type;
        req.idempotency_key = "ritual:" + account + ":" + type + ":" + std::to_string(next);
        req.scheduled_at_ms = next;
        Json out;
        bool enq = false;
        STEWARD_RETURN_IF_ERROR(EvaluateInTxn(txn, tenant, "system:scheduler", req, now, &out, &enq));
        enqueued_any |= enq;
        ++fired;
        auto n = NextSlot(*spec, s.Text(4), next);
        if (!n.ok()) {
          next = -1;
          break;
        }
        next = *n;
      }
      if (!spec.ok()) next = -1;
      // Slots older than the catch-up bound are skipped: jump to the first slot after now.
      while (next > 0 && next <= now) {
        auto n = NextSlot(*spec, s.Text(4), now);
        next = n.ok() ? *n : -1;
      }
      STEWARD_RETURN_IF_ERROR(
          txn.Exec("UPDATE schedules SET next_fire_at = ?, last_slot_at = ? WHERE tenant_id = ? "
                   "AND account_id = ? AND trigger_type = ?",
                   {next > 0 ? store::Value(next) : store::Value(store::Null{}), slot, tenant,
                    account, type})
              .status());
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (enqueued_any) Wake();
  return fired;
}

jobs::Outcome DecisionService::HandleScheduleTick(const jobs::Job&, int64_t interval_ms) {
  auto n = FireDueSchedules();
  if (!n.ok()) {
    log::Event(log::Level::kWarn, "schedule_tick_failed", {{"error", n.status().message()}});
  } else if (*n > 0) {
    log::Event(log::Level::kInfo, "ritual_slots_fired", {{"count", *n}});
  }
  return jobs::Outcome::Retry(clock_->NowMs() + interval_ms, "");
}

Status DecisionService::ScheduleSystemJobs() {
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_RETURN_IF_ERROR(
        jobs::Enqueue(txn, kSystemTenant, kJobDecisionPurge, "{}", now, now, "decision-purge").status());
    return jobs::Enqueue(txn, kSystemTenant, kJobScheduleTick, "{}", now, now, "schedule-tick").status();
  });
}

}  // namespace steward::decision
