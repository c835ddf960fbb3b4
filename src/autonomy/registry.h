#pragma once
// The action type registry (SPEC §4): (action_type, registry_version) -> connector, tool, risk
// class, minimum confidence, required parameters, compensation, external contact.
// Versions are immutable. The built-in types are version 1 for every tenant and cannot be
// changed; a tenant adds its own types (bound to an http connector of its choosing), and each
// PUT of a tenant type creates the next version. An intent pins the version current at creation.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "policy/auto_approval_policy.h"
#include "store/store.h"

namespace steward::autonomy {

struct ActionTypeDef {
  std::string action_type;
  int64_t registry_version = 1;
  std::string connector;     // "internal" or "http"
  std::string connector_id;  // "internal", or the tenant's http connector id ("default")
  std::string tool_name;
  std::string tool_schema_version = "1";
  policy::RiskLevel risk_class = policy::RiskLevel::kLow;
  double min_confidence = 0.0;
  // Required parameter names; an entry "a|b" means "a or b".
  std::vector<std::string> required_parameters;
  std::string compensation = "NONE";  // NONE | MANUAL | AUTOMATIC
  bool external_contact = false;
  std::string description;
  bool builtin = false;
  int64_t created_at = 0;
  std::string created_by;
};

// The built-in registry (version 1).
const std::vector<ActionTypeDef>& BuiltinActionTypes();
const ActionTypeDef* FindBuiltin(std::string_view action_type);

// The definition of `action_type` for `tenant_id`: the pinned `version`, or the current one.
// NotFound when the type (or that version) does not exist for the tenant.
Result<ActionTypeDef> ResolveActionType(store::Txn& txn, std::string_view tenant_id,
                                        std::string_view action_type,
                                        std::optional<int64_t> version = std::nullopt);

// Every type visible to the tenant, current versions only.
Result<std::vector<ActionTypeDef>> ListActionTypes(store::Txn& txn, std::string_view tenant_id);

// Creates the next version of a tenant type from a request body
// {connector_id?, tool_name, tool_schema_version?, risk_class, min_confidence?,
//  required_parameters?, compensation?, external_contact?, description?}.
// InvalidArgument for a bad body; Conflict for a built-in type name.
Result<ActionTypeDef> PutActionType(store::Txn& txn, std::string_view tenant_id,
                                    std::string_view action_type, const nlohmann::json& body,
                                    int64_t now_ms, std::string_view actor);

void ActionTypeToJson(const ActionTypeDef& def, nlohmann::json* out);

}  // namespace steward::autonomy
