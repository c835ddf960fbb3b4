// Operations endpoints (SPEC §10): liveness, readiness and Prometheus metrics. No token needed
// (metrics: unless configured otherwise).
#include "api/api.h"
#include "api/errors.h"
#include "api/route_util.h"
#include "common/json.h"
#include "store/migrations.h"

namespace steward::api {

void RegisterOpsRoutes(Router& r, const ApiDeps& d) {
  r.Add("GET", "/healthz", [](const HttpRequest&, const PathParams&) {
    return JsonResponse(200, R"({"status":"ok"})");
  });
  r.Add("GET", "/readyz", [d](const HttpRequest&, const PathParams&) {
    auto v = d.store->SchemaVersion();
    if (!v.ok()) return ErrorResponse(Status::Unavailable("store unreachable: " + v.status().message()));
    if (*v != store::LatestSchemaVersion()) {
      return ErrorResponse(Status::Unavailable("schema version " + std::to_string(*v) +
                                               ", expected " +
                                               std::to_string(store::LatestSchemaVersion())));
    }
    Json j = {{"status", "ready"}, {"store", d.store->backend()}, {"schema_version", *v}};
    return JsonResponse(200, j.dump());
  });
  auto metrics = [d](const HttpRequest&, const PathParams&) {
    HttpResponse resp;
    resp.status = 200;
    resp.content_type = "text/plain; version=0.0.4";
    resp.body = d.metrics ? d.metrics->Render() : std::string();
    return resp;
  };
  if (d.metrics_public) {
    r.Add("GET", "/metrics", metrics);
  } else {
    Route(r, d, "GET", "/metrics", auth::Role::kOperator, [d](const Call&, Json* out, int*) {
      *out = Json{{"metrics", d.metrics ? d.metrics->Render() : ""}};
      return Status::Ok();
    });
  }
}

void RegisterAllRoutes(Router& r, const ApiDeps& d) {
  RegisterOpsRoutes(r, d);
  RegisterOpenApiRoutes(r, d);
  RegisterIntentRoutes(r, d);
  RegisterGateRoutes(r, d);
  RegisterConfigRoutes(r, d);
  RegisterRegistryRoutes(r, d);
  RegisterLedgerRoutes(r, d);
  if (d.exec) RegisterExecutionRoutes(r, d);
  if (d.decisions && d.decision_config) RegisterDecisionRoutes(r, d);
  if (d.exports) RegisterAuditRoutes(r, d);
  if (d.feed && d.webhooks) RegisterEventRoutes(r, d);
  RegisterWebRoutes(r, d);
}

}  // namespace steward::api
