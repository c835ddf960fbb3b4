#include "exec/execution.h"

#include "common/crypto.h"
#include "common/json.h"
#include "common/time_util.h"

namespace steward::exec {
namespace {

constexpr std::string_view kAttemptCols =
    "SELECT tenant_id, action_intent_id, execution_no, status, attempt_count, idempotency_key, "
    "last_error_class, last_error_message, replay_reason, requested_by, started_at, updated_at "
    "FROM execution_attempts ";

Attempt AttemptFromRow(const store::Row& r) {
  Attempt a;
  a.tenant_id = r.Text(0);
  a.action_intent_id = r.Text(1);
  a.execution_no = r.Int(2);
  a.status = r.Text(3);
  a.attempt_count = r.Int(4);
  a.idempotency_key = r.Text(5);
  a.last_error_class = r.Text(6);
  a.last_error_message = r.Text(7);
  a.replay_reason = r.Text(8);
  a.requested_by = r.Text(9);
  a.started_at = r.Int(10);
  a.updated_at = r.Int(11);
  return a;
}

constexpr std::string_view kOutcomeCols =
    "SELECT tenant_id, action_intent_id, execution_no, account_id, action_type, status, "
    "external_object_refs, error_code, error_class, error_message, attempt_count, tool_name, "
    "tool_schema_version, registry_version, approval_source, auto_executed, taxonomy, trace_id, "
    "started_at, completed_at FROM action_outcomes ";

std::vector<ExternalRef> RefsFromText(const std::string& text) {
  std::vector<ExternalRef> refs;
  auto j = ParseJson(text);
  if (!j.ok() || !j->is_array()) return refs;
  for (const auto& e : *j) {
    if (!e.is_object()) continue;
    refs.push_back(ExternalRef{e.value("system", ""), e.value("object_type", ""),
                               e.value("object_id", ""), e.value("object_url", "")});
  }
  return refs;
}

Outcome OutcomeFromRow(const store::Row& r) {
  Outcome o;
  o.tenant_id = r.Text(0);
  o.action_intent_id = r.Text(1);
  o.execution_no = r.Int(2);
  o.account_id = r.Text(3);
  o.action_type = r.Text(4);
  o.status = r.Text(5);
  o.refs = RefsFromText(r.Text(6));
  o.error_code = r.Text(7);
  o.error_class = r.Text(8);
  o.error_message = r.Text(9);
  o.attempt_count = r.Int(10);
  o.tool_name = r.Text(11);
  o.tool_schema_version = r.Text(12);
  o.registry_version = r.Int(13);
  o.approval_source = r.Text(14);
  o.auto_executed = r.Int(15) != 0;
  o.taxonomy = r.Text(16);
  o.trace_id = r.Text(17);
  o.started_at = r.OptInt(18);
  o.completed_at = r.Int(19);
  return o;
}

Json OptText(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

std::string IdempotencyKey(std::string_view tenant_id, std::string_view action_intent_id,
                           std::string_view tool_name, std::string_view canonical_parameters,
                           int64_t registry_version, int64_t execution_no) {
  std::string text;
  text.append(tenant_id).append("\n").append(action_intent_id).append("\n").append(tool_name);
  text.append("\n").append(canonical_parameters).append("\n").append(std::to_string(registry_version));
  if (execution_no > 1) text.append("\n#").append(std::to_string(execution_no));
  return Sha256Hex(text);
}

Result<std::optional<Attempt>> LoadAttempt(store::Txn& txn, std::string_view tenant_id,
                                           std::string_view action_intent_id,
                                           int64_t execution_no) {
  STEWARD_ASSIGN_OR_RETURN(
      auto row, txn.QueryOne(std::string(kAttemptCols) +
                                 "WHERE tenant_id = ? AND action_intent_id = ? AND execution_no = ?",
                             {std::string(tenant_id), std::string(action_intent_id), execution_no}));
  if (!row) return std::optional<Attempt>();
  return std::optional<Attempt>(AttemptFromRow(*row));
}

Result<std::vector<Attempt>> LoadAttempts(store::Txn& txn, std::string_view tenant_id,
                                          std::string_view action_intent_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string(kAttemptCols) +
                               "WHERE tenant_id = ? AND action_intent_id = ? ORDER BY execution_no",
                           {std::string(tenant_id), std::string(action_intent_id)}));
  std::vector<Attempt> out;
  for (const auto& r : rows) out.push_back(AttemptFromRow(r));
  return out;
}

Status InsertAttempt(store::Txn& txn, const Attempt& a) {
  auto r = txn.Exec(
      "INSERT INTO execution_attempts (tenant_id, action_intent_id, execution_no, status, "
      "attempt_count, idempotency_key, last_error_class, last_error_message, replay_reason, "
      "requested_by, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {a.tenant_id, a.action_intent_id, a.execution_no, a.status, a.attempt_count,
       a.idempotency_key, store::TextOrNull(a.last_error_class),
       store::TextOrNull(a.last_error_message), store::TextOrNull(a.replay_reason),
       store::TextOrNull(a.requested_by), a.started_at, a.updated_at});
  return r.ok() ? Status::Ok() : r.status();
}

Status UpdateAttempt(store::Txn& txn, const Attempt& a) {
  auto r = txn.Exec(
      "UPDATE execution_attempts SET status = ?, attempt_count = ?, idempotency_key = ?, "
      "last_error_class = ?, last_error_message = ?, updated_at = ? WHERE tenant_id = ? AND "
      "action_intent_id = ? AND execution_no = ?",
      {a.status, a.attempt_count, a.idempotency_key, store::TextOrNull(a.last_error_class),
       store::TextOrNull(a.last_error_message), a.updated_at, a.tenant_id, a.action_intent_id,
       a.execution_no});
  if (!r.ok()) return r.status();
  if (*r != 1) return Status::Internal("execution attempt vanished");
  return Status::Ok();
}

Result<std::optional<Outcome>> LoadOutcome(store::Txn& txn, std::string_view tenant_id,
                                           std::string_view action_intent_id,
                                           int64_t execution_no) {
  STEWARD_ASSIGN_OR_RETURN(
      auto row, txn.QueryOne(std::string(kOutcomeCols) +
                                 "WHERE tenant_id = ? AND action_intent_id = ? AND execution_no = ?",
                             {std::string(tenant_id), std::string(action_intent_id), execution_no}));
  if (!row) return std::optional<Outcome>();
  return std::optional<Outcome>(OutcomeFromRow(*row));
}

Result<std::vector<Outcome>> LoadOutcomes(store::Txn& txn, std::string_view tenant_id,
                                          std::string_view action_intent_id) {
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string(kOutcomeCols) +
                               "WHERE tenant_id = ? AND action_intent_id = ? ORDER BY execution_no",
                           {std::string(tenant_id), std::string(action_intent_id)}));
  std::vector<Outcome> out;
  for (const auto& r : rows) out.push_back(OutcomeFromRow(r));
  return out;
}

Status InsertOutcome(store::Txn& txn, const Outcome& o) {
  Json refs;
  RefsToJson(o.refs, &refs);
  auto r = txn.Exec(
      "INSERT INTO action_outcomes (tenant_id, action_intent_id, execution_no, account_id, "
      "action_type, status, external_object_refs, error_code, error_class, error_message, "
      "attempt_count, tool_name, tool_schema_version, registry_version, approval_source, "
      "auto_executed, taxonomy, trace_id, started_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {o.tenant_id, o.action_intent_id, o.execution_no, o.account_id, o.action_type, o.status,
       refs.dump(), store::TextOrNull(o.error_code), store::TextOrNull(o.error_class),
       store::TextOrNull(o.error_message), o.attempt_count, o.tool_name, o.tool_schema_version,
       o.registry_version, store::TextOrNull(o.approval_source), int64_t{o.auto_executed ? 1 : 0},
       o.taxonomy, store::TextOrNull(o.trace_id),
       o.started_at ? store::Value(*o.started_at) : store::Value(store::Null{}), o.completed_at});
  if (!r.ok()) {
    if (r.status().code() == Code::kConflict) {
      return Status::Conflict("execution " + std::to_string(o.execution_no) + " of " +
                              o.action_intent_id + " already has an outcome");
    }
    return r.status();
  }
  return Status::Ok();
}

Status ListOutcomes(store::Txn& txn, std::string_view tenant_id, const OutcomeFilter& f,
                    std::vector<Outcome>* out, std::string* next_cursor) {
  std::vector<store::Value> params = {std::string(tenant_id)};
  std::string sql = std::string(kOutcomeCols) + "WHERE tenant_id = ?";
  if (!f.account_id.empty()) {
    sql += " AND account_id = ?";
    params.emplace_back(f.account_id);
  }
  if (f.auto_executed) {
    sql += " AND auto_executed = ?";
    params.emplace_back(int64_t{*f.auto_executed ? 1 : 0});
  }
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (f.since_ms) {
    sql += " AND completed_at >= ?";
    params.emplace_back(*f.since_ms);
  }
  if (!f.cursor.empty()) {
    // "<completed_at>|<intent>|<execution_no>", base64url.
    std::string text;
    if (!Base64UrlDecode(f.cursor, &text)) return Status::InvalidArgument("cursor is not valid", "cursor");
    auto p1 = text.find('|');
    auto p2 = text.rfind('|');
    if (p1 == std::string::npos || p2 == p1) return Status::InvalidArgument("cursor is not valid", "cursor");
    int64_t at = 0, no = 0;
    try {
      at = std::stoll(text.substr(0, p1));
      no = std::stoll(text.substr(p2 + 1));
    } catch (const std::exception&) {
      return Status::InvalidArgument("cursor is not valid", "cursor");
    }
    std::string id = text.substr(p1 + 1, p2 - p1 - 1);
    sql += " AND (completed_at < ? OR (completed_at = ? AND (action_intent_id < ? OR "
           "(action_intent_id = ? AND execution_no < ?))))";
    params.insert(params.end(), {at, at, id, id, no});
  }
  sql += " ORDER BY completed_at DESC, action_intent_id DESC, execution_no DESC LIMIT ?";
  params.emplace_back(int64_t{f.limit} + 1);
  STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
  out->clear();
  next_cursor->clear();
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < f.limit; ++i) {
    out->push_back(OutcomeFromRow(rows[i]));
  }
  if (static_cast<int>(rows.size()) > f.limit && !out->empty()) {
    const Outcome& last = out->back();
    *next_cursor = Base64UrlEncode(std::to_string(last.completed_at) + "|" + last.action_intent_id +
                                   "|" + std::to_string(last.execution_no));
  }
  return Status::Ok();
}

Status AppendEvent(store::Txn& txn, std::string_view tenant_id, std::string_view type,
                   std::string_view account_id, std::string_view action_intent_id,
                   const Json& data, int64_t now_ms) {
  auto r = txn.Exec(
      "INSERT INTO events (tenant_id, type, account_id, action_intent_id, data, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {std::string(tenant_id), std::string(type), store::TextOrNull(std::string(account_id)),
       store::TextOrNull(std::string(action_intent_id)), data.dump(), now_ms});
  return r.ok() ? Status::Ok() : r.status();
}

void RefsToJson(const std::vector<ExternalRef>& refs, Json* out) {
  *out = Json::array();
  for (const auto& r : refs) {
    Json j = {{"system", r.system}, {"object_type", r.object_type}, {"object_id", r.object_id}};
    if (!r.object_url.empty()) j["object_url"] = r.object_url;
    out->push_back(std::move(j));
  }
}

void AttemptToJson(const Attempt& a, Json* out) {
  *out = Json{{"execution_no", a.execution_no},
              {"status", a.status},
              {"attempt_count", a.attempt_count},
              {"idempotency_key", a.idempotency_key},
              {"last_error_class", OptText(a.last_error_class)},
              {"last_error_message", OptText(a.last_error_message)},
              {"started_at", FormatTimestamp(a.started_at)},
              {"updated_at", FormatTimestamp(a.updated_at)}};
  if (a.execution_no > 1) {
    (*out)["replay_reason"] = OptText(a.replay_reason);
    (*out)["requested_by"] = OptText(a.requested_by);
  }
}

void OutcomeToJson(const Outcome& o, Json* out) {
  Json refs;
  RefsToJson(o.refs, &refs);
  *out = Json{{"action_intent_id", o.action_intent_id},
              {"execution_no", o.execution_no},
              {"account_id", o.account_id},
              {"action_type", o.action_type},
              {"status", o.status},
              {"approval_source", OptText(o.approval_source)},
              {"auto_executed", o.auto_executed},
              {"taxonomy", o.taxonomy},
              {"external_object_refs", std::move(refs)},
              {"error_code", OptText(o.error_code)},
              {"error_class", OptText(o.error_class)},
              {"error_message", OptText(o.error_message)},
              {"attempt_count", o.attempt_count},
              {"tool_name", o.tool_name},
              {"tool_schema_version", o.tool_schema_version},
              {"registry_version", o.registry_version},
              {"trace_id", OptText(o.trace_id)},
              {"started_at", o.started_at ? Json(FormatTimestamp(*o.started_at)) : Json(nullptr)},
              {"completed_at", FormatTimestamp(o.completed_at)}};
}

}  // namespace steward::exec
