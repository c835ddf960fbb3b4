// Tenant autonomy configuration (SPEC §10): modes, allowlists, budgets, kill switches, policy
// thresholds, and the platform emergency stop. Changes need admin (kill switches: operator;
// the emergency stop: platform_admin).
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"

namespace steward::api {
namespace {

autonomy::ConfigQuery Q(const Call& c) {
  return autonomy::ConfigQuery{c.Query("account_id"), c.Query("action_type"), c.Query("date"),
                               c.Query("version")};
}

}  // namespace

void RegisterConfigRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* cfg = d.config;
  Route(r, d, "GET", "/v1/autonomy/config", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetModes(c.actor, Q(c), o); });
  Route(r, d, "PUT", "/v1/autonomy/config", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutMode(c.actor, c.body, o); });
  Route(r, d, "DELETE", "/v1/autonomy/config", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->DeleteMode(c.actor, Q(c), o); });

  Route(r, d, "GET", "/v1/autonomy/allowlist", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetAllowlist(c.actor, Q(c), o); });
  Route(r, d, "PUT", "/v1/autonomy/allowlist", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutAllowlist(c.actor, c.body, o); });
  Route(r, d, "DELETE", "/v1/autonomy/allowlist", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->DeleteAllowlist(c.actor, Q(c), o); });

  Route(r, d, "GET", "/v1/autonomy/budget", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetBudget(c.actor, Q(c), o); });
  Route(r, d, "PUT", "/v1/autonomy/budget", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutBudget(c.actor, c.body, o); });
  Route(r, d, "DELETE", "/v1/autonomy/budget", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->DeleteBudget(c.actor, Q(c), o); });
  Route(r, d, "GET", "/v1/autonomy/budget/state", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetBudgetState(c.actor, Q(c), o); });
  Route(r, d, "DELETE", "/v1/autonomy/budget/state", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->ResetBudgetState(c.actor, Q(c), o); });

  Route(r, d, "GET", "/v1/autonomy/kill-switches", Role::kOperator,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetKillSwitches(c.actor, o); });
  Route(r, d, "PUT", "/v1/autonomy/kill-switches", Role::kOperator,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutKillSwitches(c.actor, c.body, o); });

  Route(r, d, "GET", "/v1/autonomy/policy", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->GetPolicy(c.actor, o); });
  Route(r, d, "PUT", "/v1/autonomy/policy", Role::kAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutPolicy(c.actor, c.body, o); });

  Route(r, d, "PUT", "/v1/platform/emergency-stop", Role::kPlatformAdmin,
        [cfg](const Call& c, Json* o, int*) { return cfg->PutEmergencyStop(c.actor, c.body, o); });
}

void RegisterRegistryRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* cfg = d.config;
  Route(r, d, "GET", "/v1/registry/action-types", Role::kViewer,
        [cfg](const Call& c, Json* o, int*) { return cfg->ListActionTypes(c.actor, o); });
  Route(r, d, "GET", "/v1/registry/action-types/{type}", Role::kViewer,
        [cfg](const Call& c, Json* o, int*) {
          return cfg->GetActionType(c.actor, c.params.Get("type"), Q(c), o);
        });
  Route(r, d, "PUT", "/v1/registry/action-types/{type}", Role::kAdmin,
        [cfg](const Call& c, Json* o, int* status) {
          Status st = cfg->PutActionType(c.actor, c.params.Get("type"), c.body, o);
          if (st.ok()) *status = 201;
          return st;
        });
}

}  // namespace steward::api
