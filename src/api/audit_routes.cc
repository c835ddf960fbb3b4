// Audit exports (admin) and the presigned download links, which need no Authorization header
// (SPEC §9).
#include "api/api.h"
#include "api/errors.h"
#include "api/route_util.h"
#include "common/json.h"

#include <chrono>

namespace steward::api {

void RegisterAuditRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* ex = d.exports;
  Route(r, d, "POST", "/v1/autonomy/audit/exports", Role::kAdmin, [ex](const Call& c, Json* o, int* status) {
    Status st = ex->Create(c.actor, c.body, o);
    if (st.ok()) *status = 202;
    return st;
  });
  Route(r, d, "GET", "/v1/autonomy/audit/exports", Role::kAdmin, [ex](const Call& c, Json* o, int*) {
    int64_t limit = 50;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
    return ex->List(c.actor, static_cast<int>(limit), c.Query("cursor"), o);
  });
  Route(r, d, "GET", "/v1/autonomy/audit/exports/{id}", Role::kAdmin,
        [ex](const Call& c, Json* o, int*) { return ex->Get(c.actor, c.params.Get("id"), o); });
  if (d.explanation) {
    auto* why = d.explanation;
    Route(r, d, "GET", "/v1/autonomy/ledger/explanation", Role::kViewer, [why](const Call& c, Json* o, int*) {
      if (c.Query("action_intent_id").empty()) {
        return Status::InvalidArgument("action_intent_id is required", "action_intent_id");
      }
      return why->Explain(c.actor, c.Query("action_intent_id"), c.Query("account_id"), o);
    });
  }
  if (d.digest) {
    auto* dg = d.digest;
    Route(r, d, "GET", "/v1/autonomy/digest", Role::kViewer, [dg](const Call& c, Json* o, int*) {
      if (c.Query("account_id").empty()) return Status::InvalidArgument("account_id is required", "account_id");
      return dg->Get(c.actor, c.Query("account_id"), c.Query("date"), o);
    });
  }
  if (d.insights) {
    auto* in = d.insights;
    Route(r, d, "GET", "/v1/autonomy/insights", Role::kAdmin, [in](const Call& c, Json* o, int*) {
      int64_t days = audit::kDefaultInsightDays;
      STEWARD_RETURN_IF_ERROR(QueryInt(c, "days", 1, 90, &days));
      return in->Get(c.actor, c.Query("action_type"), static_cast<int>(days), o);
    });
  }
  // The link is the credential: HMAC over (export_id, tenant, expires).
  r.Add("GET", "/v1/downloads/{id}", [ex, d](const HttpRequest& req, const PathParams& params) {
    const auto start = std::chrono::steady_clock::now();
    audit::ExportService::Download dl;
    Status st = ex->Resolve(params.Get("id"), req.QueryParam("expires").value_or(""),
                            req.QueryParam("sig").value_or(""), &dl);
    HttpResponse resp = st.ok() ? HttpResponse{} : ErrorResponse(st);
    if (d.metrics) {
      d.metrics->RecordRequest(
          "GET", "/v1/downloads/{id}", st.ok() ? 200 : resp.status,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (!st.ok()) return resp;
    resp.status = 200;
    resp.content_type = dl.content_type;
    resp.file_path = dl.file_path;
    resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + dl.file_name + "\"");
    resp.headers.emplace_back("Cache-Control", "private, no-store");
    return resp;
  });
}

}  // namespace steward::api
