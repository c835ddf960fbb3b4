#include "cli/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdio>
#include <mutex>

namespace steward::cli {
namespace {

size_t ToFile(char* data, size_t size, size_t n, void* user) {
  return std::fwrite(data, size, n, static_cast<std::FILE*>(user)) * size;
}

size_t Collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class CurlClient final : public HttpClient {
 public:
  CurlClient(CURL* curl, std::string base, std::string token, int64_t timeout_ms)
      : curl_(curl), base_(std::move(base)), token_(std::move(token)), timeout_ms_(timeout_ms) {}
  ~CurlClient() override { curl_easy_cleanup(curl_); }

  Result<long> Download(const std::string& url, const std::string& path) override {
    curl_easy_reset(curl_);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return Status::InvalidArgument("cannot write " + path, "out");
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 0L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &ToFile);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, f);
    CURLcode rc = curl_easy_perform(curl_);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    bool closed = std::fclose(f) == 0;
    if (rc != CURLE_OK || !closed || status < 200 || status >= 300) {
      std::remove(path.c_str());
      if (rc != CURLE_OK) return Status::Unavailable(std::string("download failed: ") + curl_easy_strerror(rc));
      if (!closed) return Status::Unavailable("writing " + path + " failed");
    }
    return status;
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& path,
                            const std::string& body) override {
    curl_easy_reset(curl_);
    std::string url = base_ + path;
    HttpResponse resp;
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    std::string auth;
    if (!token_.empty()) {
      auth = "Authorization: Bearer " + token_;
      headers = curl_slist_append(headers, auth.c_str());
    }
    bool send_body = !body.empty() || method == "POST" || method == "PUT";
    if (send_body) headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &resp.body);
    if (send_body) {
      const std::string& payload = body.empty() ? empty_object_ : body;
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    }
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string msg = std::string("cannot reach ") + base_ + ": " + curl_easy_strerror(rc);
      if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
        return Status::InvalidArgument(msg, "url");
      }
      return Status::Unavailable(msg);
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &resp.status);
    char* ct = nullptr;
    curl_easy_getinfo(curl_, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) resp.content_type = ct;
    return resp;
  }

 private:
  CURL* curl_;
  const std::string base_;
  const std::string token_;
  const int64_t timeout_ms_;
  const std::string empty_object_ = "{}";
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string base_url, std::string token,
                                                       int64_t timeout_ms) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("--url must start with http:// or https://, got '" + base_url +
                                       "'",
                                   "url");
  }
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  GlobalInitOnce();
  CURL* curl = curl_easy_init();
  if (!curl) return Status::Internal("libcurl could not start");
  return std::unique_ptr<HttpClient>(
      new CurlClient(curl, std::move(base_url), std::move(token), timeout_ms));
}

std::string HttpClient::Escape(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace steward::cli
