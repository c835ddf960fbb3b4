#pragma once
// The Steward HTTP API (SPEC §10): registers every resource's routes on a Router. Each routes
// file exposes one Register…Routes(Router&, const ApiDeps&). Handlers authenticate the bearer
// token, check the role, parse the JSON body, call one service method and map its Status
// through the one error mapping (errors.h). api/ never writes SQL.

#include <string>

#include "api/metrics.h"
#include "api/router.h"
#include "auth/jwt_verifier.h"
#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "common/clock.h"
#include "audit/digest.h"
#include "audit/explanation.h"
#include "audit/export_service.h"
#include "audit/insights.h"
#include "decision/decision_config.h"
#include "events/event_feed.h"
#include "events/webhooks.h"
#include "decision/decision_service.h"
#include "exec/execution_service.h"
#include "store/store.h"

namespace steward::api {

struct ApiDeps {
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
  const auth::JwtVerifier* verifier = nullptr;
  autonomy::AutonomyService* autonomy = nullptr;
  autonomy::ConfigService* config = nullptr;
  exec::ExecutionService* exec = nullptr;
  decision::DecisionService* decisions = nullptr;
  decision::DecisionConfig* decision_config = nullptr;
  audit::ExportService* exports = nullptr;
  audit::Explanation* explanation = nullptr;
  audit::Digest* digest = nullptr;
  audit::Insights* insights = nullptr;
  events::EventFeed* feed = nullptr;
  events::WebhookService* webhooks = nullptr;
  Metrics* metrics = nullptr;
  bool metrics_public = true;  // /metrics without a token
};

void RegisterIntentRoutes(Router& router, const ApiDeps& deps);
void RegisterGateRoutes(Router& router, const ApiDeps& deps);
void RegisterConfigRoutes(Router& router, const ApiDeps& deps);
void RegisterRegistryRoutes(Router& router, const ApiDeps& deps);
void RegisterLedgerRoutes(Router& router, const ApiDeps& deps);
void RegisterOpsRoutes(Router& router, const ApiDeps& deps);
// Approve, reject, replay, executions, internal objects and connectors (SPEC §6).
void RegisterExecutionRoutes(Router& router, const ApiDeps& deps);
// RUN_DECISION triggers, reservations, runs, triggers, decision budget, opt-in, digest
// settings and schedules (SPEC §7).
void RegisterDecisionRoutes(Router& router, const ApiDeps& deps);
// Audit exports and the signed download links (SPEC §9).
void RegisterAuditRoutes(Router& router, const ApiDeps& deps);
// The event feed and webhooks (SPEC §7).
void RegisterEventRoutes(Router& router, const ApiDeps& deps);

// GET /v1/openapi.json: the OpenAPI document of the whole API (docs/openapi.json, embedded).
void RegisterOpenApiRoutes(Router& router, const ApiDeps& deps);

// The web Control Center (SPEC §13): GET "/" and the static files under "/assets/…", embedded
// from web/ at build time (web_routes.cc). Public, like any static page: the pages call the API
// with the token the person pastes. Not API operations, so docs/openapi.json does not list them.
void RegisterWebRoutes(Router& router, const ApiDeps& deps);

// All of the above.
void RegisterAllRoutes(Router& router, const ApiDeps& deps);

}  // namespace steward::api
