#include "api/route_util.h"

#include <chrono>

#include "api/errors.h"
#include "common/json.h"

namespace steward::api {

std::string Call::Query(std::string_view name) const {
  auto v = req.QueryParam(name);
  return v ? *v : std::string();
}

Status QueryInt(const Call& call, std::string_view name, int64_t lo, int64_t hi, int64_t* out) {
  std::string v = call.Query(name);
  if (v.empty()) return Status::Ok();
  try {
    size_t pos = 0;
    long long n = std::stoll(v, &pos);
    if (pos != v.size() || n < lo || n > hi) throw std::out_of_range(v);
    *out = n;
    return Status::Ok();
  } catch (const std::exception&) {
    return Status::InvalidArgument(std::string(name) + " must be an integer from " +
                                       std::to_string(lo) + " to " + std::to_string(hi),
                                   std::string(name));
  }
}

namespace {

Result<auth::Principal> Authenticate(const ApiDeps& deps, const HttpRequest& req) {
  auto header = req.Header("authorization");
  if (!header || header->empty()) {
    return Status::Unauthenticated("missing Authorization: Bearer token");
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header->size() <= kBearer.size() || header->compare(0, kBearer.size(), kBearer) != 0) {
    return Status::Unauthenticated("Authorization must be 'Bearer <token>'");
  }
  return deps.verifier->Verify(std::string_view(*header).substr(kBearer.size()));
}

HttpResponse Respond(const Status& st, const Json& out, int status) {
  if (!st.ok()) return ErrorResponse(st);
  return JsonResponse(status, out.dump());
}

}  // namespace

namespace {

// Authed's checks: bearer authentication, the role, a query/body tenant_id equal to the token's,
// a JSON object body for POST/PUT. On success fills `principal` and `body`; else the response.
std::optional<HttpResponse> Admit(const ApiDeps& deps, const std::string& method, auth::Role role,
                                  const HttpRequest& req, auth::Principal* principal, Json* body) {
  auto verified = Authenticate(deps, req);
  if (!verified.ok()) return ErrorResponse(verified.status());
  *principal = std::move(verified).value();
  if (!auth::HasRole(*principal, role)) {
    return ErrorResponse(Status::PermissionDenied(
        "this call needs the " + std::string(auth::RoleName(role)) + " role"));
  }
  // Every occurrence: a repeated tenant_id must not hide another tenant behind the first.
  for (const auto& [name, value] : req.query) {
    if (name == "tenant_id" && value != principal->tenant_id) {
      return ErrorResponse(Status::PermissionDenied("tenant_id does not match the token's tenant"));
    }
  }
  *body = Json::object();
  if (method == "POST" || method == "PUT") {
    if (!req.body.empty()) {
      auto parsed = ParseJsonObject(req.body);
      if (!parsed.ok()) return ErrorResponse(parsed.status());
      *body = std::move(parsed).value();
    }
    auto t = body->find("tenant_id");
    if (t != body->end() && (!t->is_string() || t->get<std::string>() != principal->tenant_id)) {
      return ErrorResponse(Status::PermissionDenied("tenant_id does not match the token's tenant"));
    }
  }
  return std::nullopt;
}

void RecordRequest(const ApiDeps& deps, const std::string& method, const std::string& pattern,
                   int status, std::chrono::steady_clock::time_point start) {
  if (!deps.metrics) return;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  deps.metrics->RecordRequest(method, pattern, status, secs);
}

}  // namespace

Handler Authed(const ApiDeps& deps, std::string method, std::string pattern, auth::Role role,
               CallFn fn) {
  return [deps, method, pattern, role, fn](const HttpRequest& req,
                                           const PathParams& params) -> HttpResponse {
    auto start = std::chrono::steady_clock::now();
    HttpResponse resp = [&]() -> HttpResponse {
      auth::Principal principal;
      Json body;
      if (auto refused = Admit(deps, method, role, req, &principal, &body)) return *refused;
      Call call{req, params, principal, {principal.tenant_id, principal.subject}, body};
      Json out;
      int status = 200;
      Status st = fn(call, &out, &status);
      return Respond(st, out, status);
    }();
    RecordRequest(deps, method, pattern, resp.status, start);
    return resp;
  };
}

AsyncHandler AuthedAsync(const ApiDeps& deps, std::string method, std::string pattern,
                         auth::Role role, AsyncCallFn fn) {
  return [deps, method, pattern, role, fn](const HttpRequest& req, const PathParams& params,
                                           Responder respond) {
    auto start = std::chrono::steady_clock::now();
    auto answer = [deps, method, pattern, start, respond](FillFn fill) {
      respond([deps, method, pattern, start, fill = std::move(fill)]() -> HttpResponse {
        Json out;
        std::string text;
        int status = 200;
        Status st = fill(&out, &text, &status);
        HttpResponse resp = st.ok() && !text.empty() ? JsonResponse(status, std::move(text))
                                                     : Respond(st, out, status);
        RecordRequest(deps, method, pattern, resp.status, start);
        return resp;
      });
    };
    auth::Principal principal;
    Json body;
    if (auto refused = Admit(deps, method, role, req, &principal, &body)) {
      RecordRequest(deps, method, pattern, refused->status, start);
      return respond([resp = std::move(*refused)]() { return resp; });
    }
    Call call{req, params, principal, {principal.tenant_id, principal.subject}, body};
    fn(call, std::move(answer));
  };
}

void Route(Router& router, const ApiDeps& deps, const std::string& method,
           const std::string& pattern, auth::Role role, CallFn fn) {
  router.Add(method, pattern, Authed(deps, method, pattern, role, std::move(fn)));
}

void RouteAsync(Router& router, const ApiDeps& deps, const std::string& method,
                const std::string& pattern, auth::Role role, AsyncCallFn fn) {
  router.AddAsync(method, pattern, AuthedAsync(deps, method, pattern, role, std::move(fn)));
}

}  // namespace steward::api
