#pragma once
// Shared plumbing of the routes files: authentication, role checks, tenant checks, JSON body
// parsing and the response mapping, so each handler is only its resource's logic.

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>
#include <string>

#include "api/api.h"
#include "api/http_types.h"
#include "auth/roles.h"
#include "autonomy/autonomy_service.h"

namespace steward::api {

struct Call {
  const HttpRequest& req;
  const PathParams& params;
  const auth::Principal& principal;
  autonomy::Actor actor;
  const nlohmann::json& body;  // {} when the request has no body
  // Query parameter or "" when absent.
  std::string Query(std::string_view name) const;
};

// A handler's logic: fills `out` and may set `status` (default 200); returns a Status that is
// mapped to the SPEC error shape when not OK.
using CallFn = std::function<Status(const Call& call, nlohmann::json* out, int* status)>;

// Wraps `fn`: bearer authentication, `role` at least, a query/body tenant_id equal to the
// token's (else 403), a JSON object body for POST/PUT (else 400), metrics per `pattern`.
Handler Authed(const ApiDeps& deps, std::string method, std::string pattern, auth::Role role,
               CallFn fn);

// An asynchronous handler's logic (Router::AddAsync): it runs on an I/O thread, so it must not
// block, and answers exactly once, from any thread, by calling `finish` with a function that
// fills `out`, or `text` with the body already serialized as JSON, and may set `status`; that
// function runs on the I/O thread. `call` is valid only until `fn` returns.
using FillFn = std::function<Status(nlohmann::json* out, std::string* text, int* status)>;
using AsyncCallFn = std::function<void(const Call& call, std::function<void(FillFn)> finish)>;

// Authed for an asynchronous handler: the same checks, then `fn`.
AsyncHandler AuthedAsync(const ApiDeps& deps, std::string method, std::string pattern,
                         auth::Role role, AsyncCallFn fn);

// Adds `fn` on `router` under (method, pattern) through AuthedAsync.
void RouteAsync(Router& router, const ApiDeps& deps, const std::string& method,
                const std::string& pattern, auth::Role role, AsyncCallFn fn);

// Adds `fn` on `router` under (method, pattern) through Authed.
void Route(Router& router, const ApiDeps& deps, const std::string& method,
           const std::string& pattern, auth::Role role, CallFn fn);

// Parses an optional positive integer query parameter in [lo, hi]; InvalidArgument otherwise.
Status QueryInt(const Call& call, std::string_view name, int64_t lo, int64_t hi, int64_t* out);

}  // namespace steward::api
