#pragma once
// Circuit breaker per (tenant, connector) (SPEC §6), kept in the store (table circuit_breakers)
// so every node sees one state.
//
// Closed: calls pass. A failure that trips (TripsBreaker) is remembered with its time; when
// `failure_threshold` such failures fall within `window_ms`, the breaker opens (opened_at = now).
// Open: calls wait until opened_at + cooldown_ms. Then half-open: exactly one caller gets the
// probe, with a lease until now + probe_lease_ms; others wait. The probe's success closes the
// breaker (failures forgotten); its failure opens it again from now. A probe whose holder died
// (lease passed without a result) is handed to the next caller, so a dead probe blocks the
// connector for at most probe_lease_ms. AUTH and VALIDATION failures are recorded as neither
// success nor failure for the window, but a probe that gets one closes the breaker (the
// connector answered).
//
// All functions run inside the caller's write transaction. Thread-safe through the store.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "exec/connector.h"
#include "store/store.h"

namespace steward::exec {

struct BreakerOptions {
  int failure_threshold = 5;     // failures within the window that open the breaker
  int64_t window_ms = 60000;     // the failure window
  int64_t cooldown_ms = 30000;   // open time before a probe is allowed
  int64_t probe_lease_ms = 60000;  // how long a probe may hold the half-open breaker
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
std::string_view BreakerStateName(BreakerState s);  // "CLOSED", "OPEN", "HALF_OPEN"

struct BreakerDecision {
  bool allowed = false;    // the call may go ahead
  bool probe = false;      // it is the half-open probe
  int64_t wait_until_ms = 0;  // when not allowed: when to try again
};

// Asks to make a call through (tenant, connector) at now_ms as `owner` (a unique id of this
// execution attempt, e.g. "<intent>#<execution>#<attempt>").
Result<BreakerDecision> BreakerAcquire(store::Txn& txn, std::string_view tenant_id,
                                       std::string_view connector_id, std::string_view owner,
                                       int64_t now_ms, const BreakerOptions& options = {});

// Records the result of a call made after BreakerAcquire allowed it. `error_class` kNone means
// success.
Status BreakerRecord(store::Txn& txn, std::string_view tenant_id, std::string_view connector_id,
                     std::string_view owner, ErrorClass error_class, int64_t now_ms,
                     const BreakerOptions& options = {});

// The state for `GET /v1/connectors/{id}`: {"state", "recent_failures", "opened_at"?,
// "retry_at"?, "probe_lease_until"?} as a JSON object text. A breaker never used is CLOSED.
Result<std::string> BreakerStateJson(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view connector_id, int64_t now_ms,
                                     const BreakerOptions& options = {});

}  // namespace steward::exec
