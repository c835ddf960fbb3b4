// Decision scheduling (SPEC §7, §10): RUN_DECISION triggers, idempotency reservations,
// evaluations, and the tenant's decision settings (admin).
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"

namespace steward::api {

void RegisterDecisionRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* ds = d.decisions;
  auto* dc = d.decision_config;
  Route(r, d, "POST", "/v1/decisions/triggers", Role::kAgent,
        [ds](const Call& c, Json* o, int*) { return ds->Trigger(c.actor, c.body, o); });
  Route(r, d, "GET", "/v1/decisions/idempotency/{key}", Role::kViewer,
        [ds](const Call& c, Json* o, int*) { return ds->GetReservation(c.actor, c.params.Get("key"), o); });
  Route(r, d, "DELETE", "/v1/decisions/idempotency/{key}", Role::kAdmin,
        [ds](const Call& c, Json* o, int*) { return ds->DeleteReservation(c.actor, c.params.Get("key"), o); });
  Route(r, d, "GET", "/v1/decisions/runs", Role::kViewer, [ds](const Call& c, Json* o, int*) {
    decision::DecisionService::RunsQuery q;
    q.account_id = c.Query("account_id");
    q.trigger_type = c.Query("trigger_type");
    q.result = c.Query("result");
    q.reason = c.Query("reason");
    q.since = c.Query("since");
    q.cursor = c.Query("cursor");
    int64_t limit = 50;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
    q.limit = static_cast<int>(limit);
    return ds->ListRuns(c.actor, q, o);
  });

  Route(r, d, "GET", "/v1/autonomy/triggers", Role::kViewer,
        [dc](const Call& c, Json* o, int*) { return dc->GetTriggers(c.actor, o); });
  Route(r, d, "PUT", "/v1/autonomy/triggers", Role::kAdmin,
        [dc](const Call& c, Json* o, int*) { return dc->PutTrigger(c.actor, c.body, o); });
  Route(r, d, "DELETE", "/v1/autonomy/triggers", Role::kAdmin, [dc](const Call& c, Json* o, int*) {
    return dc->DeleteTrigger(c.actor, c.Query("trigger_type"), o);
  });
  Route(r, d, "GET", "/v1/autonomy/decision-budget", Role::kAdmin, [dc](const Call& c, Json* o, int*) {
    return dc->GetDecisionBudget(c.actor, c.Query("account_id"), o);
  });
  Route(r, d, "PUT", "/v1/autonomy/decision-budget", Role::kAdmin,
        [dc](const Call& c, Json* o, int*) { return dc->PutDecisionBudget(c.actor, c.body, o); });
  Route(r, d, "GET", "/v1/autonomy/opt-in", Role::kViewer,
        [dc](const Call& c, Json* o, int*) { return dc->GetOptIn(c.actor, c.Query("account_id"), o); });
  Route(r, d, "PUT", "/v1/autonomy/opt-in", Role::kAdmin,
        [dc](const Call& c, Json* o, int*) { return dc->PutOptIn(c.actor, c.body, o); });
  Route(r, d, "GET", "/v1/autonomy/digest/settings", Role::kViewer,
        [dc](const Call& c, Json* o, int*) { return dc->GetDigestSettings(c.actor, o); });
  Route(r, d, "PUT", "/v1/autonomy/digest/settings", Role::kAdmin,
        [dc](const Call& c, Json* o, int*) { return dc->PutDigestSettings(c.actor, c.body, o); });
  Route(r, d, "GET", "/v1/autonomy/schedules", Role::kViewer,
        [dc](const Call& c, Json* o, int*) { return dc->GetSchedules(c.actor, c.Query("account_id"), o); });
  Route(r, d, "PUT", "/v1/autonomy/schedules", Role::kAdmin,
        [dc](const Call& c, Json* o, int*) { return dc->PutSchedule(c.actor, c.body, o); });
  Route(r, d, "DELETE", "/v1/autonomy/schedules", Role::kAdmin, [dc](const Call& c, Json* o, int*) {
    return dc->DeleteSchedule(c.actor, c.Query("account_id"), c.Query("trigger_type"), o);
  });
}

}  // namespace steward::api
