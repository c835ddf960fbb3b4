#pragma once
// The connector interface of the execution engine (SPEC §6). A connector performs one tool call
// for one execution of an intent. Two kinds exist today: `internal` (objects stored by Steward,
// written inside the transaction that records the outcome) and `http` (a call to the tenant's
// endpoint, made outside any transaction). A third connector implements this interface and is
// registered with the engine; the engine does not change.
//
// Error classes follow SPEC §6: AUTH, RATE_LIMIT, VALIDATION, DOWNSTREAM, TIMEOUT, UNKNOWN.
// TIMEOUT, RATE_LIMIT and DOWNSTREAM are retryable; AUTH and VALIDATION are business failures
// that neither retry nor trip a circuit breaker.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace steward::exec {

enum class ErrorClass { kNone, kAuth, kRateLimit, kValidation, kDownstream, kTimeout, kUnknown };

// "AUTH", "RATE_LIMIT", … ("" for kNone).
std::string_view ErrorClassName(ErrorClass c);
std::optional<ErrorClass> ParseErrorClass(std::string_view name);
// TIMEOUT, RATE_LIMIT, DOWNSTREAM (and UNKNOWN, treated as a transient fault).
bool IsRetryable(ErrorClass c);
// Failures that count towards opening a circuit breaker: every failure except AUTH and
// VALIDATION.
bool TripsBreaker(ErrorClass c);

struct ExternalRef {
  std::string system;
  std::string object_type;
  std::string object_id;
  std::string object_url;  // empty: none
};

// The per-tenant configuration of an http connector (`PUT /v1/connectors/{id}`).
struct ConnectorConfig {
  std::string tenant_id;
  std::string connector_id;
  std::string kind = "http";
  std::string url;
  int64_t timeout_ms = 10000;
  std::string secret;  // HMAC-SHA256 signing secret; empty: requests are not signed
};

// One tool call.
struct Invocation {
  std::string tenant_id;
  std::string account_id;
  std::string action_intent_id;
  std::string action_type;
  std::string trace_id;
  int64_t execution_no = 1;
  std::string connector_id;  // "internal" or the tenant's http connector id
  std::string tool_name;
  std::string tool_schema_version;
  int64_t registry_version = 1;
  std::string arguments_json;   // canonical JSON object of the (possibly edited) parameters
  std::string idempotency_key;  // hex SHA-256, see docs/EXECUTION.md
  int64_t timeout_ms = 30000;   // the whole call, from the intent's execution_policy
  int64_t now_ms = 0;           // when the engine makes the call (from its injected clock)
  std::optional<ConnectorConfig> config;  // set for http connectors
};

struct InvokeResult {
  bool ok = false;
  std::vector<ExternalRef> refs;
  ErrorClass error_class = ErrorClass::kNone;
  std::string error_code;     // e.g. "HTTP_500", "CONNECTOR_NOT_CONFIGURED"
  std::string error_message;  // for people; never contains the signing secret
  std::optional<int64_t> retry_after_ms;  // from a Retry-After answer

  static InvokeResult Success(std::vector<ExternalRef> refs) {
    InvokeResult r;
    r.ok = true;
    r.refs = std::move(refs);
    return r;
  }
  static InvokeResult Failure(ErrorClass c, std::string code, std::string message,
                              std::optional<int64_t> retry_after_ms = std::nullopt) {
    InvokeResult r;
    r.error_class = c;
    r.error_code = std::move(code);
    r.error_message = std::move(message);
    r.retry_after_ms = retry_after_ms;
    return r;
  }
};

// Thread-safe: Invoke is called concurrently from the engine's worker threads.
class Connector {
 public:
  virtual ~Connector() = default;
  // "internal", "http", …
  virtual std::string_view kind() const = 0;
  // True when Invoke writes its effect into the store and must run inside the transaction that
  // records the outcome (`txn` is then non-null); false when Invoke calls out of process and is
  // given no transaction (`txn` is null).
  virtual bool transactional() const = 0;
  // Performs the call. Never throws; every failure is an InvokeResult with an error class.
  virtual InvokeResult Invoke(const Invocation& inv, store::Txn* txn) = 0;
};

}  // namespace steward::exec
