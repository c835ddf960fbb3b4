#pragma once
// The execution engine (SPEC §6): the handler of EXECUTE_INTENT jobs.
//
// Overview. A job names (intent, execution_no). Per run of the job:
//  A. One transaction decides what to do: nothing if the execution already has an outcome;
//     EXPIRED if the intent's expires_at passed (execution 1 only); CANCELLED (reason
//     KILL_SWITCH) if the emergency stop, the tenant's execution switch, the action type's switch
//     or — for a policy approval — the tenant's autonomy switch is off; CANCELLED if a person
//     cancelled the intent before it ran. Otherwise it resolves the tool from the intent's pinned
//     registry_version, validates the parameters (missing → final VALIDATION failure), computes
//     the idempotency key, asks the circuit breaker (open → the job waits, no attempt is spent),
//     and starts or resumes the attempt (RUNNING, attempt_count+1, ledger EXECUTION_STARTED).
//  B. The connector is invoked with the intent's timeout. A transactional connector (internal)
//     runs inside transaction A and its result is recorded there, so object and outcome commit
//     together. Others (http) run between A and C, with a call record written in A.
//  C. One transaction records the result: success → attempt and outcome SUCCEEDED, intent
//     SUCCEEDED, ledger ACTION_EXECUTED, event EXECUTION_COMPLETED; a retryable failure with
//     attempts left → the job re-runs after exponential backoff with jitter (base 1 s, cap 5 min)
//     or the connector's Retry-After; otherwise attempt and outcome FAILED, ledger ACTION_FAILED.
// The job system's own retry (a handler that throws) is the only other retry layer, and it only
// re-runs this handler, which re-derives everything from the store.
//
// Exactly once: one attempt row per execution, the outcome's primary key per execution, the
// internal object keyed by the idempotency key in the outcome's transaction, and for http the
// Idempotency-Key header plus the connector's deduplication.
//
// Thread-safe: Handle runs concurrently on the worker pool's threads. Connectors are added
// before the pool starts.

#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "exec/circuit_breaker.h"
#include "exec/connector.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::exec {

inline constexpr std::string_view kSystemActor = "system:executor";

struct EngineOptions {
  int64_t backoff_base_ms = 1000;   // first retry delay (before jitter)
  int64_t backoff_cap_ms = 300000;  // longest delay, Retry-After included
  BreakerOptions breaker;
};

class Engine {
 public:
  // `store` and `clock` must outlive the engine.
  Engine(store::Store* store, const Clock* clock, EngineOptions options = {});

  // Registers the connector serving registry entries whose `connector` is `kind` ("internal",
  // "http"). REQUIRES: before the first Handle.
  void AddConnector(std::string kind, std::unique_ptr<Connector> connector);

  // The EXECUTE_INTENT job handler. Payload: {"action_intent_id", "account_id", "execution"}.
  jobs::Outcome Handle(const jobs::Job& job);

  // The delay before retry number `attempt_count` + 1 (exposed for tests): a uniformly random
  // value in [d/2, d] with d = min(cap, base · 2^(attempt_count-1)), or `retry_after_ms` (capped)
  // when the connector gave one.
  int64_t RetryDelayMs(int64_t attempt_count, std::optional<int64_t> retry_after_ms) const;

 private:
  struct Plan;
  Status Prepare(store::Txn& txn, const jobs::Job& job, Plan* plan);
  Status Record(store::Txn& txn, Plan* plan, const InvokeResult& result);

  store::Store* store_;
  const Clock* clock_;
  const EngineOptions options_;
  std::map<std::string, std::unique_ptr<Connector>, std::less<>> connectors_;
};

}  // namespace steward::exec
