#pragma once
// A small blocking HTTP client for the CLI's client commands (libcurl). Not thread-safe: one
// client per thread. Transport failures (refused connection, timeout, bad URL) come back as
// Unavailable/InvalidArgument; any HTTP answer, including 4xx/5xx, is a successful Response.

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"

namespace steward::cli {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
};

class HttpClient {
 public:
  // `base_url` is e.g. "http://127.0.0.1:8080" (no trailing slash needed); `token` is sent as a
  // bearer token when non-empty. `timeout_ms` bounds each whole request (default 30 s).
  static Result<std::unique_ptr<HttpClient>> Create(std::string base_url, std::string token,
                                                    int64_t timeout_ms = 30000);
  virtual ~HttpClient() = default;

  // `path` starts with "/" and may carry a query string already escaped with Escape().
  // `body` is sent as application/json when non-empty (or always for POST/PUT).
  virtual Result<HttpResponse> Send(const std::string& method, const std::string& path,
                                    const std::string& body = {}) = 0;

  // GETs the absolute `url` (no Authorization header: presigned links carry their own
  // credential) into the file `path`, streaming. Returns the HTTP status; the file holds the
  // body on 2xx and is removed otherwise.
  virtual Result<long> Download(const std::string& url, const std::string& path) = 0;

  // Percent-escapes one query or path component.
  static std::string Escape(const std::string& s);
};

}  // namespace steward::cli
