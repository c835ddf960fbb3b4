#include "events/webhook_sender.h"

#include <curl/curl.h>

#include <exception>
#include <mutex>

namespace steward::events {
namespace {

// Receivers answer with a short acknowledgement; the rest of a large body is read and dropped.
constexpr size_t kMaxKeptBodyBytes = 200;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

bool AppendHeader(SlistPtr* list, const std::string& line) {
  curl_slist* head = curl_slist_append(list->get(), line.c_str());
  if (head == nullptr) return false;
  (void)list->release();
  list->reset(head);
  return true;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* kept = static_cast<std::string*>(user);
  size_t len = size * n;
  if (kept->size() < kMaxKeptBodyBytes) {
    kept->append(data, std::min(len, kMaxKeptBodyBytes - kept->size()));
  }
  return len;
}

// Printable ASCII only, so the excerpt is safe in JSON and logs whatever the receiver sent.
std::string Printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : (c == '\n' || c == '\t' ? ' ' : '?');
  }
  return out;
}

class CurlWebhookSender final : public WebhookSender {
 public:
  CurlWebhookSender() { GlobalInitOnce(); }

  SendResult Post(const std::string& url,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::string& body, int64_t timeout_ms) override {
    try {
      return DoPost(url, headers, body, timeout_ms);
    } catch (const std::exception& e) {
      return SendResult{0, std::string("webhook sender: ") + e.what(), {}};
    } catch (...) {
      return SendResult{0, "webhook sender: unknown exception", {}};
    }
  }

 private:
  static SendResult DoPost(const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& body, int64_t timeout_ms) {
    SlistPtr list;
    // No "Expect: 100-continue" round trip for larger bodies.
    bool ok = AppendHeader(&list, "Expect:");
    for (const auto& [name, value] : headers) {
      ok = ok && AppendHeader(&list, name + ": " + value);
    }
    thread_local CurlPtr curl;
    if (curl) {
      curl_easy_reset(curl.get());
    } else {
      curl.reset(curl_easy_init());
    }
    if (!ok || !curl) return SendResult{0, "webhook sender: libcurl setup failed", {}};

    std::string kept;
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &kept);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK) return SendResult{status, {}, Printable(kept)};
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return SendResult{0, "timed out after " + std::to_string(timeout_ms) + " ms", {}};
    }
    std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(rc);
    return SendResult{0, "connection failed: " + Printable(detail), {}};
  }
};

}  // namespace

std::unique_ptr<WebhookSender> NewCurlWebhookSender() {
  return std::make_unique<CurlWebhookSender>();
}

}  // namespace steward::events
