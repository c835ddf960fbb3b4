#pragma once
// Plain HTTP request/response values passed between the transport (http_server.h), the Router
// and the resource handlers. No Boost here: only http_server.cc knows about Beast.
//
// Thread-safety: plain values; a const object may be read from any number of threads.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steward::api {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One parsed HTTP request, complete with its body (bounded by HttpServer::Options::
// max_body_bytes).
struct HttpRequest {
  std::string method;  // as sent, e.g. "GET", "POST"
  std::string target;  // raw request target, e.g. "/v1/intents?account_id=a%20b"
  std::string path;    // target up to '?', NOT percent-decoded, e.g. "/v1/intents"
  // Query parameters in order of appearance, percent-decoded ('+' decodes to a space). A key
  // without '=' has the value "".
  std::vector<std::pair<std::string, std::string>> query;
  HeaderList headers;  // names lowercased, values as sent (trimmed), in order of appearance
  std::string body;
  std::string remote_addr;  // "ip:port" of the peer
  std::string request_id;   // X-Request-Id if sane, else generated; echoed in the response
  std::string route;        // the matched Router pattern, e.g. "/v1/intents/{id}"; "" if none

  // Value of the first header named `name` (case-insensitive), or nullopt when absent.
  std::optional<std::string> Header(std::string_view name) const;
  // Decoded value of the first query parameter named `name` (case-sensitive), or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

// A handler's answer. The transport adds Content-Length, Content-Type and X-Request-Id.
struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;  // extra headers, e.g. {"Retry-After", "3"}
  // When set, the transport streams this file from disk as the body (bounded memory) with its
  // size as Content-Length, and ignores `body`. A file that cannot be opened yields a 500.
  std::string file_path;
};

// Percent-decoded path parameters of a matched route, e.g. {"id": "ai_1"} for
// "/v1/intents/{id}".
class PathParams {
 public:
  PathParams() = default;
  explicit PathParams(std::vector<std::pair<std::string, std::string>> items)
      : items_(std::move(items)) {}

  // The value of parameter `name`, or "" when the route has no such parameter.
  const std::string& Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Percent-decodes `in` (RFC 3986). With `plus_is_space` ('application/x-www-form-urlencoded'
// query syntax) '+' becomes ' '. Returns nullopt on a malformed escape ("%", "%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// Splits `target` into `path` and decoded `query`. Returns false when the target is not in
// origin form ("/…") or a query escape is malformed.
bool ParseTarget(std::string_view target, std::string* path,
                 std::vector<std::pair<std::string, std::string>>* query);

// True for a client X-Request-Id worth keeping: 1..128 characters of [A-Za-z0-9._-].
bool IsSaneRequestId(std::string_view id);

}  // namespace steward::api
