// Intents, the inbox and the auto-approval gate (SPEC §5, §10).
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"

namespace steward::api {
namespace {

Status ListWith(const ApiDeps& deps, const Call& c, std::string status, Json* out) {
  autonomy::IntentFilter f;
  f.account_id = c.Query("account_id");
  f.status = status.empty() ? c.Query("status") : status;
  f.action_type = c.Query("action_type");
  f.cursor = c.Query("cursor");
  int64_t limit = 50;
  STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
  f.limit = static_cast<int>(limit);
  return deps.autonomy->ListIntents(c.actor, f, out);
}

}  // namespace

void RegisterIntentRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  // Creating an intent is a store write: on a store that commits asynchronously (SQLite's group
  // commit) no thread waits for it.
  auto created_response = [d](const Status& st, bool created, Json* out, int* status) {
    if (!st.ok()) return st;
    *status = created ? 201 : 200;
    if (d.metrics && created && out->contains("gate") && (*out)["gate"].is_object() &&
        (*out)["gate"].contains("reason")) {
      d.metrics->RecordGateResult((*out)["gate"]["result"].get<std::string>(),
                                  (*out)["gate"]["reason"].get<std::string>());
    }
    return st;
  };
  if (d.store && d.store->async_writes()) {
    RouteAsync(r, d, "POST", "/v1/intents", Role::kAgent,
               [d](const Call& c, std::function<void(FillFn)> finish) {
                 d.autonomy->CreateIntentAsync(
                     c.actor, c.body, [d, finish](autonomy::AutonomyService::CreateAnswer answer) {
                       finish([d, answer](Json*, std::string* text, int* status) {
                         autonomy::AutonomyService::CreateReply reply = answer();
                         if (!reply.status.ok()) return reply.status;
                         *status = reply.created ? 201 : 200;
                         if (d.metrics && reply.created && !reply.gate_result.empty()) {
                           d.metrics->RecordGateResult(reply.gate_result, reply.gate_reason);
                         }
                         *text = std::move(reply.body);
                         return reply.status;
                       });
                     });
               });
  } else {
    Route(r, d, "POST", "/v1/intents", Role::kAgent,
          [d, created_response](const Call& c, Json* out, int* status) {
            bool created = false;
            Status st = d.autonomy->CreateIntent(c.actor, c.body, out, &created);
            return created_response(st, created, out, status);
          });
  }
  Route(r, d, "GET", "/v1/intents", Role::kViewer,
        [d](const Call& c, Json* out, int*) { return ListWith(d, c, "", out); });
  Route(r, d, "GET", "/v1/inbox", Role::kViewer, [d](const Call& c, Json* out, int*) {
    return ListWith(d, c, "AWAITING_APPROVAL", out);
  });
  Route(r, d, "GET", "/v1/intents/{id}", Role::kViewer, [d](const Call& c, Json* out, int*) {
    return d.autonomy->GetIntent(c.actor, c.params.Get("id"), out);
  });
  Route(r, d, "POST", "/v1/intents/{id}/cancel", Role::kApprover,
        [d](const Call& c, Json* out, int*) {
          return d.autonomy->CancelIntent(c.actor, c.params.Get("id"), c.body, out);
        });
}

void RegisterGateRoutes(Router& r, const ApiDeps& d) {
  auto record = [d](const Status& st, const Json& out) {
    if (st.ok() && d.metrics) {
      d.metrics->RecordGateResult(out["result"].get<std::string>(),
                                  out["reason"].get<std::string>());
    }
  };
  // As POST /v1/intents: on a store that commits asynchronously no thread waits for the write.
  if (d.store && d.store->async_writes()) {
    RouteAsync(r, d, "POST", "/v1/gate/auto-approval", auth::Role::kAgent,
               [d, record](const Call& c, std::function<void(FillFn)> finish) {
                 d.autonomy->GateAsync(
                     c.actor, c.body,
                     [record, finish](autonomy::AutonomyService::GateAnswer answer) {
                       finish([record, answer](Json* out, std::string*, int*) {
                         Status st = answer(out);
                         record(st, *out);
                         return st;
                       });
                     });
               });
    return;
  }
  Route(r, d, "POST", "/v1/gate/auto-approval", auth::Role::kAgent,
        [d, record](const Call& c, Json* out, int*) {
          Status st = d.autonomy->Gate(c.actor, c.body, out);
          record(st, *out);
          return st;
        });
}

}  // namespace steward::api
