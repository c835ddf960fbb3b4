#include "api/errors.h"

#include <algorithm>

#include "common/json.h"

namespace steward::api {
namespace {

constexpr int kMinRetryAfterSeconds = 1;

int HttpStatusOf(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kGone:
      return 410;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kOk:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorBody(int http_status, std::string_view code, std::string_view message,
                       std::string_view field) {
  Json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  // Messages may carry client bytes; never fail on invalid UTF-8.
  return JsonResponse(http_status, Json{{"error", std::move(error)}}.dump(
                                       -1, ' ', false, Json::error_handler_t::replace));
}

}  // namespace

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse resp;
  resp.status = status;
  resp.body = std::move(body);
  return resp;
}

HttpResponse ErrorResponse(const Status& status) {
  if (status.ok()) {
    return ErrorBody(500, CodeName(Code::kInternal), "error response for an OK status", "");
  }
  HttpResponse resp = ErrorBody(HttpStatusOf(status.code()), CodeName(status.code()),
                                status.message(), status.field());
  switch (status.code()) {
    case Code::kUnauthenticated:
      resp.headers.emplace_back("WWW-Authenticate", "Bearer");
      break;
    case Code::kResourceExhausted:
      resp.headers.emplace_back(
          "Retry-After",
          std::to_string(std::max(kMinRetryAfterSeconds, status.retry_after_seconds())));
      break;
    case Code::kUnavailable:
      resp.headers.emplace_back("Retry-After", std::to_string(kMinRetryAfterSeconds));
      break;
    default:
      break;
  }
  return resp;
}

HttpResponse RouteNotFoundResponse(std::string_view path) {
  return ErrorBody(404, CodeName(Code::kNotFound), "no route for " + std::string(path), "");
}

HttpResponse MethodNotAllowedResponse(std::string_view method,
                                      const std::vector<std::string>& allowed) {
  std::string allow;
  for (const auto& m : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  HttpResponse resp =
      ErrorBody(405, "METHOD_NOT_ALLOWED",
                std::string(method) + " is not allowed here; allowed: " + allow, "");
  resp.headers.emplace_back("Allow", allow);
  return resp;
}

HttpResponse PayloadTooLargeResponse(uint64_t max_body_bytes) {
  return ErrorBody(413, "PAYLOAD_TOO_LARGE",
                   "request body exceeds " + std::to_string(max_body_bytes) + " bytes", "");
}

HttpResponse UnsupportedMediaTypeResponse(std::string_view content_type) {
  std::string got = content_type.empty() ? "none" : std::string(content_type);
  return ErrorBody(415, "UNSUPPORTED_MEDIA_TYPE",
                   "request body must be Content-Type application/json (got " + got + ")", "");
}

HttpResponse HeadersTooLargeResponse(uint64_t max_header_bytes) {
  return ErrorBody(431, "HEADERS_TOO_LARGE",
                   "request headers exceed " + std::to_string(max_header_bytes) + " bytes", "");
}

}  // namespace steward::api
