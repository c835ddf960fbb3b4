// The human path, replay, executions, the internal connector's objects and connector settings
// (SPEC §6, §10).
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"

namespace steward::api {

void RegisterExecutionRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* ex = d.exec;
  Route(r, d, "POST", "/v1/intents/{id}/approve", Role::kApprover,
        [ex](const Call& c, Json* o, int*) { return ex->Approve(c.actor, c.params.Get("id"), c.body, o); });
  Route(r, d, "POST", "/v1/intents/{id}/reject", Role::kApprover,
        [ex](const Call& c, Json* o, int*) { return ex->Reject(c.actor, c.params.Get("id"), c.body, o); });
  Route(r, d, "POST", "/v1/autonomy/replay", Role::kOperator, [ex](const Call& c, Json* o, int* status) {
    Status st = ex->Replay(c.actor, c.body, o);
    if (st.ok()) *status = 202;
    return st;
  });
  Route(r, d, "GET", "/v1/executions/{id}", Role::kViewer, [ex](const Call& c, Json* o, int*) {
    return ex->GetExecution(c.actor, c.params.Get("id"), o);
  });
  Route(r, d, "GET", "/v1/executions", Role::kViewer, [ex](const Call& c, Json* o, int*) {
    exec::ExecutionService::ListQuery q;
    q.account_id = c.Query("account_id");
    q.auto_executed = c.Query("auto_executed");
    q.status = c.Query("status");
    q.since = c.Query("since");
    q.cursor = c.Query("cursor");
    int64_t limit = 50;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
    q.limit = static_cast<int>(limit);
    return ex->ListExecutions(c.actor, q, o);
  });
  for (const auto& [path, kind] : {std::pair{"/v1/internal/tasks", "task"},
                                   std::pair{"/v1/internal/notes", "note"},
                                   std::pair{"/v1/internal/flags", "flag"}}) {
    std::string k = kind;
    Route(r, d, "GET", path, Role::kViewer, [ex, k](const Call& c, Json* o, int*) {
      int64_t limit = 50;
      STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
      return ex->ListInternalObjects(c.actor, k, c.Query("account_id"), static_cast<int>(limit),
                                     c.Query("cursor"), o);
    });
  }
  Route(r, d, "GET", "/v1/connectors/{id}", Role::kOperator, [ex](const Call& c, Json* o, int*) {
    return ex->GetConnector(c.actor, c.params.Get("id"), o);
  });
  Route(r, d, "PUT", "/v1/connectors/{id}", Role::kAdmin, [ex](const Call& c, Json* o, int*) {
    return ex->PutConnector(c.actor, c.params.Get("id"), c.body, o);
  });
}

}  // namespace steward::api
