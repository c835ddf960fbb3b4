#pragma once
// ExecutionService: the API's entry point for the human path (approve, reject), replay,
// execution reads, the internal connector's objects, connector configuration, and the expiry
// sweeper (SPEC §6, §10). Each method is one store transaction; bodies arrive as parsed JSON and
// answers leave in the SPEC §10 shapes. Thread-safe.

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "exec/circuit_breaker.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::exec {

using autonomy::Actor;

inline constexpr std::string_view kJobExpireIntents = "EXPIRE_INTENTS";
inline constexpr std::string_view kSystemTenant = "_system";

class ExecutionService {
 public:
  // `waker` (may be null) is told after a commit that enqueued a job.
  ExecutionService(store::Store* store, const Clock* clock, jobs::Waker* waker,
                   BreakerOptions breaker = {})
      : store_(store), clock_(clock), waker_(waker), breaker_(breaker) {}

  // POST /v1/intents/{id}/approve {account_id, parameters?, comment?} → the intent (APPROVED)
  // and one EXECUTE_INTENT job. NotFound (other tenant / account), Conflict (not awaiting
  // approval, already approved, finished, expired), PermissionDenied (the creator approving
  // without self-approval enabled), InvalidArgument (edited parameters not an object or missing
  // a required one), ResourceExhausted (the tenant's job backlog is full).
  Status Approve(const Actor& actor, std::string_view id, const nlohmann::json& body,
                 nlohmann::json* out);
  // POST /v1/intents/{id}/reject {account_id, reason} → the intent (REJECTED) and an outcome
  // with taxonomy IDEA_REJECTED.
  Status Reject(const Actor& actor, std::string_view id, const nlohmann::json& body,
                nlohmann::json* out);
  // POST /v1/autonomy/replay {action_intent_id, account_id, replay_reason} → 202
  // {action_intent_id, execution_no, status: "PENDING"}. Conflict unless the intent finished
  // (SUCCEEDED or FAILED) and no replay is still running.
  Status Replay(const Actor& actor, const nlohmann::json& body, nlohmann::json* out);

  // GET /v1/executions/{id} → {attempt, outcome, replays}; NotFound until an attempt exists.
  Status GetExecution(const Actor& actor, std::string_view id, nlohmann::json* out);
  struct ListQuery {
    std::string account_id, auto_executed, status, since, cursor;
    int limit = 50;
  };
  // GET /v1/executions → {items: [outcome…], next_cursor}, newest first.
  Status ListExecutions(const Actor& actor, const ListQuery& q, nlohmann::json* out);
  // GET /v1/internal/tasks|notes|flags → {items, next_cursor}; `kind` is task, note or flag.
  Status ListInternalObjects(const Actor& actor, std::string_view kind, std::string_view account,
                             int limit, std::string_view cursor, nlohmann::json* out);

  // PUT /v1/connectors/{id} {kind?: "http", url, timeout_ms?, secret?}; GET answers never
  // contain the secret, only whether one is set, plus the circuit breaker's state.
  Status PutConnector(const Actor& actor, std::string_view id, const nlohmann::json& body,
                      nlohmann::json* out);
  Status GetConnector(const Actor& actor, std::string_view id, nlohmann::json* out);

  // Expires up to `limit` intents still waiting (PROPOSED, AWAITING_APPROVAL) whose expires_at
  // passed, over all tenants: status EXPIRED, an EXPIRED outcome, ledger EXECUTION_EXPIRED.
  // Returns how many it expired.
  Result<int> SweepExpired(int limit = 500);
  // Ensures the periodic EXPIRE_INTENTS job exists (one per store, by dedupe key).
  Status ScheduleSweeper();
  // The EXPIRE_INTENTS handler: sweeps, then re-runs itself after `interval_ms`.
  jobs::Outcome HandleSweep(const jobs::Job& job, int64_t interval_ms);

 private:
  void Wake();

  store::Store* store_;
  const Clock* clock_;
  jobs::Waker* waker_;
  const BreakerOptions breaker_;
};

}  // namespace steward::exec
