#pragma once
// The one mapping from Status to an HTTP error (STYLE.md §3, SPEC §10), and the transport's own
// errors in the same shape:
//   {"error": {"code": "INVALID_ARGUMENT", "message": "…", "field": "…"}}
// ("field" only when the Status names one). Thread-safe: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "common/status.h"

namespace steward::api {

// Maps `status` to its HTTP status and error body:
//   InvalidArgument 400, Unauthenticated 401 (+ WWW-Authenticate: Bearer),
//   PermissionDenied 403, NotFound 404, Conflict 409, Gone 410,
//   ResourceExhausted 429 (+ Retry-After: max(1, status.retry_after_seconds())),
//   Unavailable 503 (+ Retry-After: 1), Internal 500.
// An OK `status` is a caller bug and yields 500 INTERNAL.
HttpResponse ErrorResponse(const Status& status);

// A JSON response with `status` and `body` (expected to be serialized JSON).
HttpResponse JsonResponse(int status, std::string body);

// Transport errors, same JSON shape.
// 404 NOT_FOUND for a path no route matches.
HttpResponse RouteNotFoundResponse(std::string_view path);
// 405 METHOD_NOT_ALLOWED with "Allow: GET, PUT" built from `allowed`.
HttpResponse MethodNotAllowedResponse(std::string_view method,
                                      const std::vector<std::string>& allowed);
// 413 PAYLOAD_TOO_LARGE naming the limit.
HttpResponse PayloadTooLargeResponse(uint64_t max_body_bytes);
// 415 UNSUPPORTED_MEDIA_TYPE for a body that is not application/json.
HttpResponse UnsupportedMediaTypeResponse(std::string_view content_type);
// 431 HEADERS_TOO_LARGE.
HttpResponse HeadersTooLargeResponse(uint64_t max_header_bytes);

}  // namespace steward::api
