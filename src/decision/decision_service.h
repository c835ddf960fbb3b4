#pragma once
// DecisionService: RUN_DECISION triggers (SPEC §7) — the idempotency reservation, the trigger
// registry, the cost gate, the run state and the resulting event or deferral in one
// transaction — plus reservation and run reads, the deferred-retry and purge jobs, and the
// ritual scheduler's tick. Thread-safe; each public method is one store transaction.
//
// Reservations are per (tenant, idempotency_key): a key of tenant A never affects tenant B. A
// reservation lives `reservation_ttl_ms` (default 24 h); once expired it is invisible (404) and
// the key may be used again; a purge job deletes expired rows.

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

#include "autonomy/autonomy_service.h"
#include "common/clock.h"
#include "common/status.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::decision {

using autonomy::Actor;

inline constexpr std::string_view kJobDecisionRetry = "DECISION_RETRY";
inline constexpr std::string_view kJobDecisionPurge = "DECISION_PURGE";
inline constexpr std::string_view kJobScheduleTick = "SCHEDULE_TICK";
inline constexpr std::string_view kEventEvaluationRequested = "DECISION_EVALUATION_REQUESTED";
inline constexpr std::string_view kSystemTenant = "_system";

// One RUN_DECISION to evaluate.
struct TriggerRequest {
  std::string account_id;
  std::string trigger_type;
  std::string idempotency_key;
  std::string correlation_id;
  std::optional<int64_t> scheduled_at_ms;
  // Set for the one retry of a deferred run: the key of the run that was deferred.
  std::string original_key;
  bool is_retry = false;
};

// Parses the flat body or the `{detail: {…, tenant_id?}}` envelope of POST
// /v1/decisions/triggers. InvalidArgument naming the field for missing or ill-formed fields,
// unknown fields, or a trigger_type that is not a well-formed name; PermissionDenied when the
// envelope's tenant_id differs from `tenant_id` (the token's).
Status ParseTrigger(const nlohmann::json& body, std::string_view tenant_id, TriggerRequest* out);

class DecisionService {
 public:
  struct Options {
    int64_t reservation_ttl_ms = 24LL * 3600 * 1000;
    int64_t max_pending_evaluations = 10;  // per account: deferred runs waiting for their retry
  };

  // `waker` (may be null) is told after a commit that enqueued a job.
  DecisionService(store::Store* store, const Clock* clock, jobs::Waker* waker, Options options)
      : store_(store), clock_(clock), waker_(waker), options_(options) {}
  DecisionService(store::Store* store, const Clock* clock, jobs::Waker* waker)
      : DecisionService(store, clock, waker, Options()) {}

  // POST /v1/decisions/triggers → the cost-gate answer {result, reason?, explanation,
  // idempotency_key, run_id, defer_until?, retry_after_seconds?, retry_key?} or, for a key
  // already reserved, {result: "SKIP", reason: "DUPLICATE", original: <first answer>}.
  Status Trigger(const Actor& actor, const nlohmann::json& body, nlohmann::json* out);
  // The same for an already parsed request of `tenant_id` (the scheduler and the benchmark).
  Status Evaluate(std::string_view tenant_id, std::string_view actor, const TriggerRequest& req,
                  nlohmann::json* out);
  // Inside the caller's transaction; `enqueued` tells whether a retry job was enqueued.
  Status EvaluateInTxn(store::Txn& txn, std::string_view tenant_id, std::string_view actor,
                       const TriggerRequest& req, int64_t now_ms, nlohmann::json* out,
                       bool* enqueued);

  // GET /v1/decisions/idempotency/{key}: NotFound when absent or expired.
  Status GetReservation(const Actor& actor, std::string_view key, nlohmann::json* out);
  // DELETE /v1/decisions/idempotency/{key} (admin): releases a reservation early.
  Status DeleteReservation(const Actor& actor, std::string_view key, nlohmann::json* out);

  struct RunsQuery {
    std::string account_id, trigger_type, result, reason, since, cursor;
    int limit = 50;
  };
  // GET /v1/decisions/runs → {items, next_cursor}, newest first.
  Status ListRuns(const Actor& actor, const RunsQuery& q, nlohmann::json* out);

  // Jobs. DECISION_RETRY: the one re-evaluation of a deferred run. DECISION_PURGE (periodic):
  // deletes expired reservations. SCHEDULE_TICK (periodic): fires due ritual slots.
  jobs::Outcome HandleRetry(const jobs::Job& job);
  jobs::Outcome HandlePurge(const jobs::Job& job, int64_t interval_ms);
  jobs::Outcome HandleScheduleTick(const jobs::Job& job, int64_t interval_ms);
  // Ensures the periodic jobs exist (once per store, by dedupe key).
  Status ScheduleSystemJobs();
  // Fires every due ritual slot (at most `limit` schedules); returns how many slots fired.
  Result<int> FireDueSchedules(int limit = 100);
  // Deletes up to `limit` expired reservations; returns how many.
  Result<int> PurgeExpired(int limit = 1000);

 private:
  void Wake();

  store::Store* store_;
  const Clock* clock_;
  jobs::Waker* waker_;
  const Options options_;
};

}  // namespace steward::decision
