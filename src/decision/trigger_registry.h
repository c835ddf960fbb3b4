#pragma once
// The trigger registry (SPEC §7 step 2): the default trigger types with their debounce,
// cooldown and hourly cap, and per-tenant overrides (table trigger_overrides), which may also
// add a tenant's own trigger types or disable one.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "policy/cost_gate.h"
#include "store/store.h"

namespace steward::decision {

struct TriggerDef {
  std::string trigger_type;
  bool enabled = true;
  policy::TriggerConfig config;
  std::string source = "default";  // "default" or "tenant"
  int64_t updated_at = 0;
  std::string updated_by;
};

const std::vector<TriggerDef>& DefaultTriggers();

// Trigger type names: [A-Z][A-Z0-9_]{0,63}. InvalidArgument naming `field` otherwise.
Status ValidateTriggerType(std::string_view type, std::string_view field = "trigger_type");

// The effective definition of `type` for the tenant (its override, else the default), or
// nullopt when the type is neither.
Result<std::optional<TriggerDef>> ResolveTrigger(store::Txn& txn, std::string_view tenant_id,
                                                 std::string_view type);
// Defaults merged with the tenant's overrides, by type name.
Result<std::vector<TriggerDef>> ListTriggers(store::Txn& txn, std::string_view tenant_id);

void TriggerToJson(const TriggerDef& t, nlohmann::json* out);

}  // namespace steward::decision
