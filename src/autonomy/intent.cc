#include "autonomy/intent.h"

#include <cmath>

#include "common/canonical_writer.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "policy/auto_approval_policy.h"

namespace steward::autonomy {
namespace {

constexpr int64_t kMaxTtlSeconds = 30LL * 86400;
constexpr size_t kMaxShortText = 64;

constexpr char kIntentCols[] =
    "SELECT tenant_id, action_intent_id, account_id, action_type, parameters, target, "
    "parameters_schema_version, confidence_score, risk_level, expires_at, execution_policy, "
    "registry_version, original_decision_id, trace_id, content_hash, status, gate, approval, "
    "created_at, created_by, updated_at FROM intents ";

Intent FromRow(const store::Row& r) {
  Intent i;
  i.tenant_id = r.Text(0);
  i.action_intent_id = r.Text(1);
  i.account_id = r.Text(2);
  i.action_type = r.Text(3);
  i.parameters_json = r.Text(4);
  i.target_json = r.Text(5);
  i.parameters_schema_version = r.OptText(6);
  i.confidence_score = r.OptReal(7);
  i.risk_level = r.OptText(8);
  i.expires_at = r.OptInt(9);
  auto ep = ParseJson(r.Text(10));
  if (ep.ok() && ep->is_object()) {
    i.execution_policy.retry_count = ep->value("retry_count", int64_t{2});
    i.execution_policy.timeout_seconds = ep->value("timeout_seconds", int64_t{30});
    i.execution_policy.max_attempts = ep->value("max_attempts", int64_t{3});
  }
  i.registry_version = r.Int(11);
  i.original_decision_id = r.OptText(12);
  i.trace_id = r.OptText(13);
  i.content_hash = r.Text(14);
  i.status = r.Text(15);
  if (auto g = r.OptText(16)) {
    auto j = ParseJson(*g);
    if (j.ok() && j->is_object()) {
      GateDecision d;
      d.result = j->value("result", "");
      d.reason = j->value("reason", "");
      d.explanation = j->value("explanation", "");
      d.policy_version = j->value("policy_version", "");
      d.policy_clause = j->value("policy_clause", "");
      d.decided_at = j->value("decided_at_ms", int64_t{0});
      i.gate = d;
    }
  }
  if (auto a = r.OptText(17)) {
    auto j = ParseJson(*a);
    if (j.ok() && j->is_object()) {
      Approval ap;
      ap.source = j->value("source", "");
      ap.by = j->value("by", "");
      ap.at = j->value("at_ms", int64_t{0});
      ap.comment = j->value("comment", "");
      if (j->contains("edited_fields") && (*j)["edited_fields"].is_array()) {
        for (const auto& f : (*j)["edited_fields"]) ap.edited_fields.push_back(f.get<std::string>());
      }
      i.approval = ap;
    }
  }
  i.created_at = r.Int(18);
  i.created_by = r.Text(19);
  i.updated_at = r.Int(20);
  return i;
}

std::string GateStorage(const std::optional<GateDecision>& g) {
  if (!g) return {};
  CanonicalWriter w;
  w.BeginObject()
      .Int("decided_at_ms", g->decided_at)
      .Str("explanation", g->explanation)
      .Str("policy_clause", g->policy_clause)
      .Str("policy_version", g->policy_version)
      .Str("reason", g->reason)
      .Str("result", g->result)
      .EndObject();
  return w.Take();
}

std::string ApprovalStorage(const std::optional<Approval>& a) {
  if (!a) return {};
  CanonicalWriter w;
  w.BeginObject()
      .Int("at_ms", a->at)
      .Str("by", a->by)
      .Str("comment", a->comment)
      .StrArray("edited_fields", a->edited_fields)
      .Str("source", a->source)
      .EndObject();
  return w.Take();
}

std::string PolicyStorage(const ExecutionPolicy& p) {
  CanonicalWriter w;
  w.BeginObject()
      .Int("max_attempts", p.max_attempts)
      .Int("retry_count", p.retry_count)
      .Int("timeout_seconds", p.timeout_seconds)
      .EndObject();
  return w.Take();
}

Status OptionalId(const Json& body, std::string_view field, std::optional<std::string>* out) {
  std::string v;
  bool present = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, field, &v, &present));
  if (!present) return Status::Ok();
  STEWARD_RETURN_IF_ERROR(ValidateId(v, field));
  *out = v;
  return Status::Ok();
}

}  // namespace

bool IsIntentStatus(std::string_view s) {
  for (auto k : {kStatusProposed, kStatusAwaitingApproval, kStatusApproved, kStatusExecuting,
                 kStatusSucceeded, kStatusFailed, kStatusBlocked, kStatusRejected,
                 kStatusCancelled, kStatusExpired}) {
    if (s == k) return true;
  }
  return false;
}

Status ParseCreateIntent(const Json& body, int64_t now_ms, CreateIntentRequest* out) {
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"action_intent_id", "account_id", "action_type", "parameters", "target",
             "parameters_schema_version", "confidence_score", "risk_level", "expires_at",
             "ttl_seconds", "execution_policy", "original_decision_id", "trace_id", "gate"}));
  Intent& in = out->intent;
  std::string id;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "action_intent_id", &id, &out->id_given));
  if (out->id_given) STEWARD_RETURN_IF_ERROR(ValidateId(id, "action_intent_id"));
  in.action_intent_id = out->id_given ? id : NewId("ai_", now_ms);
  STEWARD_RETURN_IF_ERROR(GetString(body, "account_id", &in.account_id));
  STEWARD_RETURN_IF_ERROR(ValidateId(in.account_id, "account_id"));
  STEWARD_RETURN_IF_ERROR(GetString(body, "action_type", &in.action_type));
  if (in.action_type.empty() || in.action_type.size() > kMaxShortText) {
    return Status::InvalidArgument("action_type must be 1 to 64 characters", "action_type");
  }
  Json params = Json::object(), target = Json::object();
  STEWARD_RETURN_IF_ERROR(GetOptionalObject(body, "parameters", &params));
  STEWARD_RETURN_IF_ERROR(GetOptionalObject(body, "target", &target));
  in.parameters_json = CanonicalJson(params);
  in.target_json = CanonicalJson(target);
  std::string psv;
  bool has_psv = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "parameters_schema_version", &psv, &has_psv));
  if (has_psv) {
    if (psv.empty() || psv.size() > kMaxShortText) {
      return Status::InvalidArgument("parameters_schema_version must be 1 to 64 characters",
                                     "parameters_schema_version");
    }
    in.parameters_schema_version = psv;
  }
  auto conf = body.find("confidence_score");
  if (conf != body.end() && !conf->is_null()) {
    if (!conf->is_number()) {
      return Status::InvalidArgument("confidence_score must be a number between 0 and 1",
                                     "confidence_score");
    }
    double c = conf->get<double>();
    if (!std::isfinite(c) || c < 0.0 || c > 1.0) {
      return Status::InvalidArgument("confidence_score must be a number between 0 and 1",
                                     "confidence_score");
    }
    in.confidence_score = c;
  }
  std::string risk;
  bool has_risk = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "risk_level", &risk, &has_risk));
  if (has_risk) {
    if (!policy::ParseRiskLevel(risk)) {
      return Status::InvalidArgument("risk_level must be MINIMAL, LOW, MEDIUM or HIGH",
                                     "risk_level");
    }
    in.risk_level = risk;
  }
  std::string expires;
  bool has_expires = false, has_ttl = false;
  int64_t ttl = 0;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "expires_at", &expires, &has_expires));
  STEWARD_RETURN_IF_ERROR(GetOptionalInt(body, "ttl_seconds", &ttl, 1, kMaxTtlSeconds, &has_ttl));
  if (has_expires && has_ttl) {
    return Status::InvalidArgument("give expires_at or ttl_seconds, not both", "ttl_seconds");
  }
  if (has_expires) {
    auto t = ParseTimestamp(expires);
    if (!t.ok()) return Status::InvalidArgument("expires_at must be an RFC 3339 timestamp", "expires_at");
    if (*t <= now_ms) return Status::InvalidArgument("expires_at is in the past", "expires_at");
    in.expires_at = *t;
  } else if (has_ttl) {
    in.expires_at = now_ms + ttl * kMsPerSecond;
  }
  Json ep;
  bool has_ep = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalObject(body, "execution_policy", &ep, &has_ep));
  if (has_ep) {
    STEWARD_RETURN_IF_ERROR(
        RejectUnknownFields(ep, {"retry_count", "timeout_seconds", "max_attempts"}));
    bool has_retry = false, has_max = false;
    STEWARD_RETURN_IF_ERROR(GetOptionalInt(ep, "retry_count", &in.execution_policy.retry_count, 0,
                                           9, &has_retry));
    STEWARD_RETURN_IF_ERROR(GetOptionalInt(ep, "timeout_seconds",
                                           &in.execution_policy.timeout_seconds, 1, 300));
    STEWARD_RETURN_IF_ERROR(GetOptionalInt(ep, "max_attempts", &in.execution_policy.max_attempts,
                                           1, 10, &has_max));
    if (has_retry && !has_max) in.execution_policy.max_attempts = in.execution_policy.retry_count + 1;
    if (has_max && !has_retry) in.execution_policy.retry_count = in.execution_policy.max_attempts - 1;
    if (in.execution_policy.max_attempts != in.execution_policy.retry_count + 1) {
      return Status::InvalidArgument("max_attempts must equal retry_count + 1",
                                     "execution_policy");
    }
  }
  STEWARD_RETURN_IF_ERROR(OptionalId(body, "original_decision_id", &in.original_decision_id));
  STEWARD_RETURN_IF_ERROR(OptionalId(body, "trace_id", &in.trace_id));
  std::string gate = "auto";
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "gate", &gate));
  if (gate != "auto" && gate != "none") {
    return Status::InvalidArgument("gate must be \"auto\" or \"none\"", "gate");
  }
  out->run_gate = gate == "auto";
  // The content hash covers what the client said, not what the server derived, so an identical
  // repeat (even one using ttl_seconds) is recognised.
  Json content = body;
  content.erase("gate");
  content.erase("action_intent_id");
  in.content_hash = Sha256Hex(CanonicalJson(content));
  return Status::Ok();
}

Result<std::optional<Intent>> LoadIntent(store::Txn& txn, std::string_view tenant_id,
                                         std::string_view action_intent_id) {
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne(std::string(kIntentCols) +
                                                      "WHERE tenant_id = ? AND action_intent_id = ?",
                                                  {std::string(tenant_id),
                                                   std::string(action_intent_id)}));
  if (!row) return std::optional<Intent>();
  return std::optional<Intent>(FromRow(*row));
}

Status InsertIntent(store::Txn& txn, const Intent& i) {
  auto r = txn.Exec(
      "INSERT INTO intents (tenant_id, action_intent_id, account_id, action_type, parameters, "
      "target, parameters_schema_version, confidence_score, risk_level, expires_at, "
      "execution_policy, registry_version, original_decision_id, trace_id, content_hash, status, "
      "gate, approval, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {store::Ref(i.tenant_id),
       store::Ref(i.action_intent_id),
       store::Ref(i.account_id),
       store::Ref(i.action_type),
       store::Ref(i.parameters_json),
       store::Ref(i.target_json),
       store::OptText(i.parameters_schema_version),
       i.confidence_score ? store::Value(*i.confidence_score) : store::Value(store::Null{}),
       store::OptText(i.risk_level),
       i.expires_at ? store::Value(*i.expires_at) : store::Value(store::Null{}),
       PolicyStorage(i.execution_policy),
       i.registry_version,
       store::OptText(i.original_decision_id),
       store::OptText(i.trace_id),
       store::Ref(i.content_hash),
       store::Ref(i.status),
       store::TextOrNull(GateStorage(i.gate)),
       store::TextOrNull(ApprovalStorage(i.approval)),
       i.created_at,
       store::Ref(i.created_by),
       i.updated_at});
  return r.ok() ? Status::Ok() : r.status();
}

Status UpdateIntent(store::Txn& txn, const Intent& i) {
  auto r = txn.Exec(
      "UPDATE intents SET status = ?, gate = ?, approval = ?, parameters = ?, updated_at = ? "
      "WHERE tenant_id = ? AND action_intent_id = ?",
      {i.status, store::TextOrNull(GateStorage(i.gate)),
       store::TextOrNull(ApprovalStorage(i.approval)), i.parameters_json, i.updated_at,
       i.tenant_id, i.action_intent_id});
  if (!r.ok()) return r.status();
  if (*r != 1) return Status::NotFound("intent " + i.action_intent_id + " not found");
  return Status::Ok();
}

Status UpdateIntentStatus(store::Txn& txn, const Intent& i) {
  auto r = txn.Exec(
      "UPDATE intents SET status = ?, updated_at = ? WHERE tenant_id = ? AND action_intent_id = ?",
      {store::Ref(i.status), i.updated_at, store::Ref(i.tenant_id),
       store::Ref(i.action_intent_id)});
  if (!r.ok()) return r.status();
  if (*r != 1) return Status::NotFound("intent " + i.action_intent_id + " not found");
  return Status::Ok();
}

Status ListIntents(store::Txn& txn, std::string_view tenant_id, const IntentFilter& f,
                   std::vector<Intent>* out, std::string* next_cursor) {
  std::string sql = std::string(kIntentCols) + "WHERE tenant_id = ?";
  std::vector<store::Value> params = {std::string(tenant_id)};
  if (!f.account_id.empty()) {
    sql += " AND account_id = ?";
    params.emplace_back(f.account_id);
  }
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (!f.action_type.empty()) {
    sql += " AND action_type = ?";
    params.emplace_back(f.action_type);
  }
  if (!f.cursor.empty()) {
    std::string decoded;
    size_t sep;
    if (!Base64UrlDecode(f.cursor, &decoded) || (sep = decoded.find('|')) == std::string::npos) {
      return Status::InvalidArgument("malformed cursor", "cursor");
    }
    int64_t created = 0;
    try {
      created = std::stoll(decoded.substr(0, sep));
    } catch (const std::exception&) {
      return Status::InvalidArgument("malformed cursor", "cursor");
    }
    sql += " AND (created_at < ? OR (created_at = ? AND action_intent_id < ?))";
    params.emplace_back(created);
    params.emplace_back(created);
    params.emplace_back(decoded.substr(sep + 1));
  }
  sql += " ORDER BY created_at DESC, action_intent_id DESC LIMIT ?";
  params.emplace_back(int64_t{f.limit + 1});
  STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
  out->clear();
  next_cursor->clear();
  for (size_t k = 0; k < rows.size() && static_cast<int>(k) < f.limit; ++k) {
    out->push_back(FromRow(rows[k]));
  }
  if (static_cast<int>(rows.size()) > f.limit && !out->empty()) {
    const Intent& last = out->back();
    *next_cursor = Base64UrlEncode(std::to_string(last.created_at) + "|" + last.action_intent_id);
  }
  return Status::Ok();
}

namespace {

std::optional<std::string> OptTimestamp(const std::optional<int64_t>& ms) {
  if (!ms) return std::nullopt;
  return FormatTimestamp(*ms);
}

void WriteApproval(CanonicalWriter& w, std::string_view key, const Approval& a) {
  w.BeginObject(key).Str("at", FormatTimestamp(a.at)).Str("by", a.by);
  if (!a.comment.empty()) w.Str("comment", a.comment);
  w.StrArray("edited_fields", a.edited_fields).Str("source", a.source).EndObject();
}

}  // namespace

void WriteGateDecision(CanonicalWriter& w, std::string_view key, const GateDecision& g) {
  w.BeginObjectOrValue(key)
      .Str("decided_at", FormatTimestamp(g.decided_at))
      .Str("explanation", g.explanation)
      .Str("policy_clause", g.policy_clause)
      .Str("policy_version", g.policy_version)
      .Str("reason", g.reason)
      .Str("result", g.result)
      .EndObject();
}

void WriteIntent(CanonicalWriter& w, std::string_view key, const Intent& i) {
  w.BeginObjectOrValue(key)
      .Str("account_id", i.account_id)
      .Str("action_intent_id", i.action_intent_id)
      .Str("action_type", i.action_type);
  if (i.approval) {
    WriteApproval(w, "approval", *i.approval);
  } else {
    w.Null("approval");
  }
  w.OptNum("confidence_score", i.confidence_score)
      .Str("created_at", FormatTimestamp(i.created_at))
      .Str("created_by", i.created_by)
      .BeginObject("execution_policy")
      .Int("max_attempts", i.execution_policy.max_attempts)
      .Int("retry_count", i.execution_policy.retry_count)
      .Int("timeout_seconds", i.execution_policy.timeout_seconds)
      .EndObject()
      .OptStr("expires_at", OptTimestamp(i.expires_at));
  if (i.gate) {
    WriteGateDecision(w, "gate", *i.gate);
  } else {
    w.Null("gate");
  }
  // Stored canonical (ParseCreateIntent, the execution service's edits), so spliced in.
  w.OptStr("original_decision_id", i.original_decision_id)
      .Raw("parameters", i.parameters_json)
      .OptStr("parameters_schema_version", i.parameters_schema_version)
      .Int("registry_version", i.registry_version)
      .OptStr("risk_level", i.risk_level)
      .Str("status", i.status)
      .Raw("target", i.target_json)
      .Str("tenant_id", i.tenant_id)
      .OptStr("trace_id", i.trace_id)
      .Str("updated_at", FormatTimestamp(i.updated_at))
      .EndObject();
}

void GateDecisionToJson(const GateDecision& g, Json* out) {
  CanonicalWriter w;
  WriteGateDecision(w, "", g);
  *out = ParseJson(w.Take()).value();
}

void IntentToJson(const Intent& i, Json* out) {
  CanonicalWriter w;
  WriteIntent(w, "", i);
  *out = ParseJson(w.Take()).value();
}

}  // namespace steward::autonomy
