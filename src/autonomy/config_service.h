#pragma once
// ConfigService: the tenant's autonomy configuration over the API (SPEC §10, admin role):
// modes, allowlists, budgets and budget state, kill switches, policy thresholds, the action type
// registry and the platform emergency stop. Every change is one transaction that also appends
// CONFIG_CHANGED (or KILL_SWITCH_CHANGED / BUDGET_STATE_RESET) with the before and after values.
// Bodies are parsed JSON objects; unknown fields and bad values are InvalidArgument naming the
// field, and change nothing. Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace steward::autonomy {

// Query parameters of GET/DELETE configuration calls (empty = absent).
struct ConfigQuery {
  std::string account_id;
  std::string action_type;
  std::string date;
  std::string version;
};

class ConfigService {
 public:
  ConfigService(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  Status GetModes(const Actor& a, const ConfigQuery& q, nlohmann::json* out);
  Status PutMode(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  Status DeleteMode(const Actor& a, const ConfigQuery& q, nlohmann::json* out);

  Status GetAllowlist(const Actor& a, const ConfigQuery& q, nlohmann::json* out);
  Status PutAllowlist(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  Status DeleteAllowlist(const Actor& a, const ConfigQuery& q, nlohmann::json* out);

  Status GetBudget(const Actor& a, const ConfigQuery& q, nlohmann::json* out);
  Status PutBudget(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  Status DeleteBudget(const Actor& a, const ConfigQuery& q, nlohmann::json* out);
  Status GetBudgetState(const Actor& a, const ConfigQuery& q, nlohmann::json* out);
  Status ResetBudgetState(const Actor& a, const ConfigQuery& q, nlohmann::json* out);

  Status GetKillSwitches(const Actor& a, nlohmann::json* out);
  Status PutKillSwitches(const Actor& a, const nlohmann::json& body, nlohmann::json* out);
  // PUT /v1/platform/emergency-stop {engaged} (platform_admin; the caller checks the role).
  Status PutEmergencyStop(const Actor& a, const nlohmann::json& body, nlohmann::json* out);

  Status GetPolicy(const Actor& a, nlohmann::json* out);
  Status PutPolicy(const Actor& a, const nlohmann::json& body, nlohmann::json* out);

  Status ListActionTypes(const Actor& a, nlohmann::json* out);
  Status GetActionType(const Actor& a, std::string_view type, const ConfigQuery& q,
                       nlohmann::json* out);
  Status PutActionType(const Actor& a, std::string_view type, const nlohmann::json& body,
                       nlohmann::json* out);

 private:
  store::Store* store_;
  const Clock* clock_;
};

}  // namespace steward::autonomy
