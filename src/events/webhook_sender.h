#pragma once
// WebhookSender: the one outside call of webhook delivery, a signed HTTP POST, behind an
// interface so tests can inject faults. NewCurlWebhookSender() is the libcurl implementation.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace steward::events {

// What one POST came to.
struct SendResult {
  // The final HTTP status, or 0 when no response arrived (connection error, timeout).
  int64_t status_code = 0;
  // Empty when a response arrived; else why not ("timed out after 10000 ms", "connection
  // failed: …"). Never contains the URL (it may carry credentials).
  std::string error;
  // The start of the response body (at most 200 printable bytes), for last_error.
  std::string body_excerpt;
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // POSTs `body` to `url` (http or https only, no redirects followed) with `headers` (name,
  // value), giving up after `timeout_ms`. Never throws. Thread-safe: called from several worker
  // threads at once.
  virtual SendResult Post(const std::string& url,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body, int64_t timeout_ms) = 0;
};

// libcurl; keeps one easy handle (and so a keep-alive connection cache) per calling thread.
std::unique_ptr<WebhookSender> NewCurlWebhookSender();

}  // namespace steward::events
