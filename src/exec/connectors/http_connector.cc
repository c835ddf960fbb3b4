#include "exec/connectors/http_connector.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/json.h"

namespace steward::exec {
namespace {

// Error codes of this connector (InvokeResult::error_code), defined once.
constexpr std::string_view kCodeNotConfigured = "CONNECTOR_NOT_CONFIGURED";
constexpr std::string_view kCodeInvalidUrl = "INVALID_CONNECTOR_URL";
constexpr std::string_view kCodeInvalidArguments = "INVALID_ARGUMENTS";
constexpr std::string_view kCodeInvalidIdempotencyKey = "INVALID_IDEMPOTENCY_KEY";
constexpr std::string_view kCodeTimeout = "TIMEOUT";
constexpr std::string_view kCodeConnectionFailed = "CONNECTION_FAILED";
constexpr std::string_view kCodeBadResponse = "BAD_RESPONSE";
constexpr std::string_view kCodeInternal = "INTERNAL_ERROR";
constexpr std::string_view kHttpCodePrefix = "HTTP_";

constexpr size_t kMaxResponseBytes = size_t{1} << 20;  // 1 MiB
constexpr size_t kMaxBodyExcerptBytes = 200;
// Used only when neither the intent nor the connector sets a positive timeout: libcurl's 0
// would mean "wait forever".
constexpr int64_t kFallbackTimeoutMs = 30000;
// Bounds a hostile Retry-After so the millisecond conversion cannot overflow.
constexpr int64_t kMaxRetryAfterSeconds = int64_t{365} * 24 * 3600;
constexpr std::string_view kRedacted = "[REDACTED]";

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

// Appends one header line; false when libcurl could not allocate (the list is kept intact).
bool AppendHeader(SlistPtr* list, const std::string& line) {
  curl_slist* head = curl_slist_append(list->get(), line.c_str());
  if (head == nullptr) return false;
  (void)list->release();
  list->reset(head);
  return true;
}

// What the response callbacks collect.
struct Exchange {
  std::string body;        // at most kMaxResponseBytes
  bool too_large = false;  // the body was cut off and the transfer aborted
  std::string retry_after;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t len = size * n;
  if (ex->body.size() + len > kMaxResponseBytes) {
    ex->body.append(data, kMaxResponseBytes - ex->body.size());
    ex->too_large = true;
    return 0;  // a short count makes libcurl abort with CURLE_WRITE_ERROR
  }
  ex->body.append(data, len);
  return len;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  // Interim responses (100 Continue) come first; only the final response's headers count.
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    ex->retry_after.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos &&
      EqualsIgnoreCase(Trim(line.substr(0, colon)), "retry-after")) {
    ex->retry_after = std::string(Trim(line.substr(colon + 1)));
  }
  return size * n;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past means 0.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc::result_out_of_range || seconds > kMaxRetryAfterSeconds) {
      seconds = kMaxRetryAfterSeconds;
    } else if (ec != std::errc() || ptr != value.data() + value.size()) {
      return std::nullopt;
    }
    return seconds * 1000;
  }
  std::string text(value);
  time_t at = curl_getdate(text.c_str(), nullptr);
  if (at == -1) return std::nullopt;
  int64_t seconds =
      std::clamp<int64_t>(static_cast<int64_t>(at) - NowSeconds(), 0, kMaxRetryAfterSeconds);
  return seconds * 1000;
}

// Removes every occurrence of the signing secret, should a peer or libcurl ever echo it.
std::string Redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kRedacted.size())) {
    text.replace(pos, secret.size(), kRedacted);
  }
  return text;
}

// A short, printable excerpt of a response body for error_message. Non-ASCII bytes become '?' so
// a cut through a UTF-8 sequence cannot make the message invalid JSON later.
std::string BodyExcerpt(const std::string& body, const std::string& secret) {
  std::string redacted = Redact(body, secret);
  bool cut = redacted.size() > kMaxBodyExcerptBytes;
  std::string out;
  out.reserve(std::min(redacted.size(), kMaxBodyExcerptBytes) + 3);
  for (size_t i = 0; i < redacted.size() && i < kMaxBodyExcerptBytes; ++i) {
    auto c = static_cast<unsigned char>(redacted[i]);
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c > 0x7e) {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
  }
  if (cut) out += "...";
  return out;
}

bool HasHttpScheme(std::string_view url) {
  return StartsWithIgnoreCase(url, "http://") || StartsWithIgnoreCase(url, "https://");
}

// Header values go on the wire verbatim: anything but visible ASCII could inject a header.
bool IsHeaderSafeToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

// Non-positive values mean "not set"; the smaller of the set ones wins.
int64_t EffectiveTimeoutMs(int64_t intent_ms, int64_t connector_ms) {
  if (intent_ms > 0 && connector_ms > 0) return std::min(intent_ms, connector_ms);
  if (intent_ms > 0) return intent_ms;
  if (connector_ms > 0) return connector_ms;
  return kFallbackTimeoutMs;
}

Status RequireNonEmptyString(const Json& ref, const char* field) {
  auto it = ref.find(field);
  if (it == ref.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument(std::string("ref field ") + field +
                                   " must be a non-empty string");
  }
  return Status::Ok();
}

// `{external_object_refs: [{system, object_type, object_id, object_url?}]}`.
Status ParseRefs(std::string_view body, std::vector<ExternalRef>* refs) {
  auto parsed = ParseJson(body);
  if (!parsed.ok()) return parsed.status();
  const Json& root = *parsed;
  if (!root.is_object()) return Status::InvalidArgument("response is not a JSON object");
  auto list = root.find("external_object_refs");
  if (list == root.end() || !list->is_array()) {
    return Status::InvalidArgument("external_object_refs must be an array");
  }
  refs->clear();
  for (const Json& item : *list) {
    if (!item.is_object()) return Status::InvalidArgument("a ref is not an object");
    STEWARD_RETURN_IF_ERROR(RequireNonEmptyString(item, "system"));
    STEWARD_RETURN_IF_ERROR(RequireNonEmptyString(item, "object_type"));
    STEWARD_RETURN_IF_ERROR(RequireNonEmptyString(item, "object_id"));
    ExternalRef ref;
    ref.system = item["system"].get<std::string>();
    ref.object_type = item["object_type"].get<std::string>();
    ref.object_id = item["object_id"].get<std::string>();
    auto url = item.find("object_url");
    if (url != item.end() && !url->is_null()) {
      if (!url->is_string()) {
        return Status::InvalidArgument("ref field object_url must be a string");
      }
      ref.object_url = url->get<std::string>();
    }
    refs->push_back(std::move(ref));
  }
  return Status::Ok();
}

InvokeResult Fail(ErrorClass c, std::string_view code, std::string message,
                  std::optional<int64_t> retry_after_ms = std::nullopt) {
  return InvokeResult::Failure(c, std::string(code), std::move(message), retry_after_ms);
}

// Maps a complete HTTP answer (SPEC §6). A body cut off at 1 MiB fails a 2xx (the refs are
// unknowable) but does not change the class of an error status: the status alone decides it.
InvokeResult MapResponse(long status, const Exchange& ex, const ConnectorConfig& config) {
  std::string head =
      "connector " + config.connector_id + " answered HTTP " + std::to_string(status);
  if (status >= 200 && status < 300) {
    if (ex.too_large) {
      return Fail(ErrorClass::kDownstream, kCodeBadResponse,
                  head + ": response body exceeds 1 MiB");
    }
    std::vector<ExternalRef> refs;
    Status st = ParseRefs(ex.body, &refs);
    if (!st.ok()) {
      return Fail(
          ErrorClass::kDownstream, kCodeBadResponse,
          head + ": bad response: " + st.message() + ": " + BodyExcerpt(ex.body, config.secret));
    }
    return InvokeResult::Success(std::move(refs));
  }
  ErrorClass cls = ErrorClass::kDownstream;
  if (status == 401 || status == 403) {
    cls = ErrorClass::kAuth;
  } else if (status == 429) {
    cls = ErrorClass::kRateLimit;
  } else if (status >= 400 && status < 500) {
    cls = ErrorClass::kValidation;
  }
  std::string message = head;
  if (!ex.body.empty()) message += ": " + BodyExcerpt(ex.body, config.secret);
  return Fail(cls, std::string(kHttpCodePrefix) + std::to_string(status), std::move(message),
              ParseRetryAfterMs(ex.retry_after));
}

class HttpConnector final : public Connector {
 public:
  HttpConnector() { GlobalInitOnce(); }

  std::string_view kind() const override { return "http"; }
  bool transactional() const override { return false; }

  InvokeResult Invoke(const Invocation& inv, store::Txn* /*txn*/) override {
    // The interface promises no exceptions; allocation failures and library surprises end here.
    try {
      return DoInvoke(inv);
    } catch (const std::exception& e) {
      std::string secret = inv.config ? inv.config->secret : std::string();
      return Fail(ErrorClass::kUnknown, kCodeInternal,
                  Redact(std::string("http connector: ") + e.what(), secret));
    } catch (...) {
      return Fail(ErrorClass::kUnknown, kCodeInternal, "http connector: unknown exception");
    }
  }

 private:
  static InvokeResult DoInvoke(const Invocation& inv) {
    if (!inv.config || inv.config->url.empty()) {
      return Fail(ErrorClass::kValidation, kCodeNotConfigured,
                  "no http connector configured for connector id " + inv.connector_id);
    }
    const ConnectorConfig& config = *inv.config;
    // The URL itself stays out of messages: it may carry credentials.
    if (!HasHttpScheme(config.url)) {
      return Fail(ErrorClass::kValidation, kCodeInvalidUrl,
                  "connector " + config.connector_id + ": URL must be http:// or https://");
    }
    if (!IsHeaderSafeToken(inv.idempotency_key)) {
      return Fail(ErrorClass::kValidation, kCodeInvalidIdempotencyKey,
                  "idempotency key is empty or not printable ASCII");
    }
    Json arguments = Json::object();
    if (!inv.arguments_json.empty()) {
      auto parsed = ParseJson(inv.arguments_json);
      if (!parsed.ok() || !parsed->is_object()) {
        return Fail(ErrorClass::kValidation, kCodeInvalidArguments,
                    "arguments are not a JSON object");
      }
      arguments = std::move(*parsed);
    }

    Json request = Json::object();
    request["tool_name"] = inv.tool_name;
    request["arguments"] = std::move(arguments);
    request["idempotency_key"] = inv.idempotency_key;
    request["tenant_id"] = inv.tenant_id;
    request["account_id"] = inv.account_id;
    request["action_intent_id"] = inv.action_intent_id;
    const std::string body = CanonicalJson(request);
    const std::string timestamp = std::to_string(NowSeconds());

    SlistPtr headers;
    bool headers_ok = AppendHeader(&headers, "Content-Type: application/json") &&
                      AppendHeader(&headers, "Accept: application/json") &&
                      // No "Expect: 100-continue" round trip (and its 1 s wait on servers that
                      // ignore it) for larger bodies.
                      AppendHeader(&headers, "Expect:") &&
                      AppendHeader(&headers, "Idempotency-Key: " + inv.idempotency_key) &&
                      AppendHeader(&headers, "X-Steward-Timestamp: " + timestamp);
    if (headers_ok && !config.secret.empty()) {
      headers_ok = AppendHeader(&headers, "X-Steward-Signature: sha256=" +
                                              HmacSha256Hex(config.secret, timestamp + "." + body));
    }
    // One easy handle per worker thread, reset between calls: it keeps its connection cache, so
    // calls to one tenant endpoint reuse a keep-alive connection instead of a new TCP (and TLS)
    // handshake per call.
    thread_local CurlPtr curl;
    if (curl) {
      curl_easy_reset(curl.get());
    } else {
      curl.reset(curl_easy_init());
    }
    if (!headers_ok || !curl) {
      return Fail(ErrorClass::kUnknown, kCodeInternal, "http connector: libcurl setup failed");
    }

    const int64_t timeout_ms = EffectiveTimeoutMs(inv.timeout_ms, config.timeout_ms);
    Exchange ex;
    char errbuf[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, config.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);

    if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && ex.too_large && status != 0)) {
      return MapResponse(status, ex, config);
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return Fail(ErrorClass::kTimeout, kCodeTimeout,
                  "connector " + config.connector_id + " did not answer within " +
                      std::to_string(timeout_ms) + " ms");
    }
    // libcurl's error buffer names the failing step (host, port, TLS error); the generic text is
    // the fallback.
    std::string detail =
        Redact(errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(rc), config.secret);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return Fail(ErrorClass::kValidation, kCodeInvalidUrl,
                  "connector " + config.connector_id + ": " + detail);
    }
    return Fail(ErrorClass::kDownstream, kCodeConnectionFailed,
                "cannot reach connector " + config.connector_id + ": " + detail);
  }
};

}  // namespace

std::unique_ptr<Connector> NewHttpConnector() { return std::make_unique<HttpConnector>(); }

}  // namespace steward::exec
