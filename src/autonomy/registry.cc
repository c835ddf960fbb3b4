#include "autonomy/registry.h"

#include "common/ids.h"
#include "common/json.h"

namespace steward::autonomy {
namespace {

using policy::RiskLevel;

ActionTypeDef Builtin(std::string type, std::string connector, std::string tool, RiskLevel risk,
                      std::vector<std::string> required, bool external, std::string description,
                      std::string compensation = "NONE") {
  ActionTypeDef d;
  d.action_type = std::move(type);
  d.registry_version = 1;
  d.connector = connector;
  d.connector_id = connector == "internal" ? "internal" : "default";
  d.tool_name = std::move(tool);
  d.risk_class = risk;
  d.required_parameters = std::move(required);
  d.external_contact = external;
  d.description = std::move(description);
  d.compensation = std::move(compensation);
  d.builtin = true;
  d.created_by = "system";
  return d;
}

const std::vector<ActionTypeDef> kBuiltins = {
    Builtin("CREATE_INTERNAL_TASK", "internal", "internal.create_task", RiskLevel::kLow, {"title"},
            false, "Create a task stored by Steward for the account.", "AUTOMATIC"),
    Builtin("CREATE_INTERNAL_NOTE", "internal", "internal.create_note", RiskLevel::kLow,
            {"body|title"}, false, "Create a note stored by Steward for the account.", "AUTOMATIC"),
    Builtin("FLAG_FOR_REVIEW", "internal", "internal.flag_for_review", RiskLevel::kLow, {}, false,
            "Flag the account for review (a flag stored with the account).", "AUTOMATIC"),
    Builtin("FETCH_ACCOUNT_NEWS", "http", "crm.fetch_account_news", RiskLevel::kMinimal, {}, false,
            "Fetch recent news about the account."),
    Builtin("ANALYZE_USAGE_PATTERNS", "http", "crm.analyze_usage_patterns", RiskLevel::kMinimal, {},
            false, "Analyse the account's product usage."),
    Builtin("UPDATE_ACCOUNT_FIELDS", "http", "crm.update_account_fields", RiskLevel::kMedium, {},
            false, "Update fields of the CRM account.", "MANUAL"),
    Builtin("CREATE_OPPORTUNITY", "http", "crm.create_opportunity", RiskLevel::kMedium, {}, false,
            "Create a CRM opportunity.", "MANUAL"),
    Builtin("UPDATE_OPPORTUNITY_STAGE", "http", "crm.update_opportunity_stage", RiskLevel::kMedium,
            {}, false, "Move a CRM opportunity to another stage.", "MANUAL"),
    Builtin("SEND_EMAIL", "http", "email.send", RiskLevel::kHigh, {}, true,
            "Send an email to a contact.", "MANUAL"),
    Builtin("REQUEST_RENEWAL_MEETING", "http", "calendar.request_renewal_meeting", RiskLevel::kHigh,
            {}, true, "Ask a customer contact for a renewal meeting.", "MANUAL"),
    Builtin("REQUEST_DISCOVERY_CALL", "http", "calendar.request_discovery_call", RiskLevel::kHigh,
            {}, true, "Ask a customer contact for a discovery call.", "MANUAL"),
    Builtin("REQUEST_STAKEHOLDER_INTRO", "http", "email.request_stakeholder_intro", RiskLevel::kHigh,
            {}, true, "Ask a contact for an introduction to a stakeholder.", "MANUAL"),
};

constexpr char kSelectCols[] =
    "SELECT action_type, registry_version, connector, connector_id, tool_name, "
    "tool_schema_version, risk_class, min_confidence, required_parameters, compensation, "
    "external_contact, description, created_at, created_by FROM action_types ";

ActionTypeDef FromRow(const store::Row& r) {
  ActionTypeDef d;
  d.action_type = r.Text(0);
  d.registry_version = r.Int(1);
  d.connector = r.Text(2);
  d.connector_id = r.Text(3);
  d.tool_name = r.Text(4);
  d.tool_schema_version = r.Text(5);
  d.risk_class = policy::ParseRiskLevel(r.Text(6)).value_or(RiskLevel::kHigh);
  d.min_confidence = r.Real(7);
  auto req = ParseJson(r.Text(8));
  if (req.ok() && req->is_array()) {
    for (const auto& e : *req) {
      if (e.is_string()) d.required_parameters.push_back(e.get<std::string>());
    }
  }
  d.compensation = r.Text(9);
  d.external_contact = r.Int(10) != 0;
  d.description = r.Text(11);
  d.created_at = r.Int(12);
  d.created_by = r.Text(13);
  return d;
}

bool IsTypeName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return s[0] >= 'A' && s[0] <= 'Z';
}

}  // namespace

const std::vector<ActionTypeDef>& BuiltinActionTypes() { return kBuiltins; }

const ActionTypeDef* FindBuiltin(std::string_view action_type) {
  for (const auto& d : kBuiltins) {
    if (d.action_type == action_type) return &d;
  }
  return nullptr;
}

Result<ActionTypeDef> ResolveActionType(store::Txn& txn, std::string_view tenant_id,
                                        std::string_view action_type,
                                        std::optional<int64_t> version) {
  if (const ActionTypeDef* b = FindBuiltin(action_type)) {
    if (version && *version != 1) {
      return Status::NotFound("registry version " + std::to_string(*version) + " of " +
                              std::string(action_type) + " does not exist");
    }
    return *b;
  }
  std::optional<store::Row> row;
  if (version) {
    STEWARD_ASSIGN_OR_RETURN(row, txn.QueryOne(std::string(kSelectCols) +
                                                   "WHERE tenant_id = ? AND action_type = ? AND "
                                                   "registry_version = ?",
                                               {std::string(tenant_id), std::string(action_type),
                                                *version}));
  } else {
    STEWARD_ASSIGN_OR_RETURN(row, txn.QueryOne(std::string(kSelectCols) +
                                                   "WHERE tenant_id = ? AND action_type = ? "
                                                   "ORDER BY registry_version DESC LIMIT 1",
                                               {std::string(tenant_id), std::string(action_type)}));
  }
  if (!row) return Status::NotFound("unknown action type " + std::string(action_type));
  return FromRow(*row);
}

Result<std::vector<ActionTypeDef>> ListActionTypes(store::Txn& txn, std::string_view tenant_id) {
  std::vector<ActionTypeDef> out = kBuiltins;
  STEWARD_ASSIGN_OR_RETURN(
      auto rows, txn.Query(std::string(kSelectCols) +
                               "a WHERE tenant_id = ? AND registry_version = (SELECT "
                               "MAX(registry_version) FROM action_types b WHERE b.tenant_id = "
                               "a.tenant_id AND b.action_type = a.action_type) ORDER BY action_type",
                           {std::string(tenant_id)}));
  for (const auto& r : rows) out.push_back(FromRow(r));
  return out;
}

Result<ActionTypeDef> PutActionType(store::Txn& txn, std::string_view tenant_id,
                                    std::string_view action_type, const Json& body,
                                    int64_t now_ms, std::string_view actor) {
  if (!IsTypeName(action_type)) {
    return Status::InvalidArgument("action type names are UPPER_SNAKE_CASE, at most 64 characters",
                                   "action_type");
  }
  if (FindBuiltin(action_type)) {
    return Status::Conflict("built-in action type " + std::string(action_type) +
                            " is immutable; define a type of your own");
  }
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(
      body, {"connector_id", "tool_name", "tool_schema_version", "risk_class", "min_confidence",
             "required_parameters", "compensation", "external_contact", "description"}));
  ActionTypeDef d;
  d.action_type = std::string(action_type);
  d.connector = "http";
  d.connector_id = "default";
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "connector_id", &d.connector_id));
  STEWARD_RETURN_IF_ERROR(ValidateId(d.connector_id, "connector_id"));
  if (d.connector_id == "internal") {
    return Status::InvalidArgument("tenant types are bound to an http connector", "connector_id");
  }
  STEWARD_RETURN_IF_ERROR(GetString(body, "tool_name", &d.tool_name));
  STEWARD_RETURN_IF_ERROR(ValidateId(d.tool_name, "tool_name"));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "tool_schema_version", &d.tool_schema_version));
  if (d.tool_schema_version.empty() || d.tool_schema_version.size() > 32) {
    return Status::InvalidArgument("tool_schema_version must be 1 to 32 characters",
                                   "tool_schema_version");
  }
  std::string risk;
  STEWARD_RETURN_IF_ERROR(GetString(body, "risk_class", &risk));
  auto parsed = policy::ParseRiskLevel(risk);
  if (!parsed) {
    return Status::InvalidArgument("risk_class must be MINIMAL, LOW, MEDIUM or HIGH", "risk_class");
  }
  d.risk_class = *parsed;
  STEWARD_RETURN_IF_ERROR(GetOptionalNumber(body, "min_confidence", &d.min_confidence));
  if (d.min_confidence < 0 || d.min_confidence > 1) {
    return Status::InvalidArgument("min_confidence must be between 0 and 1", "min_confidence");
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalStringArray(body, "required_parameters", &d.required_parameters));
  for (const auto& p : d.required_parameters) {
    if (p.empty() || p.size() > 256) {
      return Status::InvalidArgument("required_parameters entries must be 1 to 256 characters",
                                     "required_parameters");
    }
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "compensation", &d.compensation));
  if (d.compensation != "NONE" && d.compensation != "MANUAL" && d.compensation != "AUTOMATIC") {
    return Status::InvalidArgument("compensation must be NONE, MANUAL or AUTOMATIC", "compensation");
  }
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "external_contact", &d.external_contact));
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "description", &d.description));
  if (d.description.size() > 1024) {
    return Status::InvalidArgument("description is at most 1024 characters", "description");
  }
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT COALESCE(MAX(registry_version), 0) FROM "
                                                  "action_types WHERE tenant_id = ? AND action_type = ?",
                                                  {std::string(tenant_id), d.action_type}));
  d.registry_version = (row ? row->Int(0) : 0) + 1;
  d.created_at = now_ms;
  d.created_by = std::string(actor);
  Json req = d.required_parameters;
  auto ins = txn.Exec(
      "INSERT INTO action_types (tenant_id, action_type, registry_version, connector, connector_id, "
      "tool_name, tool_schema_version, risk_class, min_confidence, required_parameters, "
      "compensation, external_contact, description, created_at, created_by) VALUES (?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {std::string(tenant_id), d.action_type, d.registry_version, d.connector, d.connector_id,
       d.tool_name, d.tool_schema_version, std::string(policy::RiskLevelName(d.risk_class)),
       d.min_confidence, req.dump(), d.compensation, int64_t{d.external_contact ? 1 : 0},
       d.description, d.created_at, d.created_by});
  if (!ins.ok()) return ins.status();
  return d;
}

void ActionTypeToJson(const ActionTypeDef& d, Json* out) {
  *out = Json{{"action_type", d.action_type},
              {"registry_version", d.registry_version},
              {"connector", d.connector},
              {"connector_id", d.connector_id},
              {"tool_name", d.tool_name},
              {"tool_schema_version", d.tool_schema_version},
              {"risk_class", policy::RiskLevelName(d.risk_class)},
              {"min_confidence", d.min_confidence},
              {"required_parameters", d.required_parameters},
              {"compensation", d.compensation},
              {"external_contact", d.external_contact},
              {"description", d.description},
              {"builtin", d.builtin}};
}

}  // namespace steward::autonomy
