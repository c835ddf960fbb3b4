#pragma once
// The job queue: the transactional outbox of SPEC §2 over the `jobs` table.
//
// Overview. A service enqueues a job inside the transaction that makes the state change, so the
// work exists if and only if the change committed. Workers claim due jobs with a lease: Claim
// marks them RUNNING under an owner until lease_expires_at; a worker that dies simply lets its
// lease expire and the job is claimed again (delivery is at least once; handlers are
// idempotent). The owner then records the outcome: Complete deletes the row (so a completed job
// can never run again), RetryAt puts it back to PENDING with a later run_at (timers are jobs with
// a future run_at), Fail keeps it as a FAILED dead letter. Each of these takes the owner and
// returns false, changing nothing, when the lease was lost to another owner: a lost lease is an
// expected outcome, not an error.
//
// Every function runs inside the caller's transaction. Instants are milliseconds since the epoch
// from the caller's Clock. Thread-safety: free functions without state; a Txn is used by one
// thread (store.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::jobs {

// The store channel (Txn::NotifyOnCommit) signalled by every commit that makes a job claimable
// sooner than before: Enqueue, RetryAt, Release and ReleaseOwner. Worker pools on every node
// subscribe to it, so a job committed on one node wakes idle workers everywhere.
inline constexpr std::string_view kJobsChannel = "steward_jobs";

// Errors longer than this are truncated before they are stored.
inline constexpr size_t kMaxErrorLength = 4096;

// Adds a PENDING job of `type` for `tenant_id`, due at `run_at_ms`, and returns its id.
// With a `dedupe_key`, enqueueing the same (tenant_id, type, dedupe_key) again while the first
// job exists (PENDING, RUNNING or FAILED) changes nothing and returns the existing job's id;
// once a job completes its row is gone and the key may be used again. Without a key, every
// call adds a job.
// Errors: InvalidArgument when tenant_id or type is empty or payload_json is not valid JSON;
// store errors.
// REQUIRES: txn.writable().
Result<int64_t> Enqueue(store::Txn& txn, std::string_view tenant_id, std::string_view type,
                        std::string_view payload_json, int64_t run_at_ms, int64_t now_ms,
                        std::string_view dedupe_key = {});

// Claims up to `limit` jobs for `owner`: PENDING jobs due at `now_ms` (run_at <= now) and
// RUNNING jobs whose lease expired (lease_expires_at < now), of the given `types` (empty: any
// type), oldest run_at first. Each is marked RUNNING with lease_owner = owner,
// lease_expires_at = now + lease_ms, attempts + 1, and returned in that state, ordered by
// (run_at, job_id). An empty vector when nothing is due.
// Errors: InvalidArgument when owner is empty, lease_ms <= 0 or limit < 1; store errors.
// REQUIRES: txn.writable().
Result<std::vector<Job>> Claim(store::Txn& txn, std::string_view owner, int64_t now_ms,
                               int64_t lease_ms, int limit, const std::vector<std::string>& types);

// The outcome calls below act only on a RUNNING job leased by `owner` and return true; they
// return false and change nothing when the job is gone or leased by someone else (lost lease).
// REQUIRES: txn.writable().

// Deletes the job: it will never run again.
Result<bool> Complete(store::Txn& txn, int64_t job_id, std::string_view owner);
// Back to PENDING, due at run_at_ms, lease cleared, `error` kept as last_error.
Result<bool> RetryAt(store::Txn& txn, int64_t job_id, std::string_view owner, int64_t run_at_ms,
                     std::string_view error, int64_t now_ms);
// FAILED with last_error = error, lease cleared: a dead letter that is never claimed again.
Result<bool> Fail(store::Txn& txn, int64_t job_id, std::string_view owner, std::string_view error,
                  int64_t now_ms);
// Moves the lease's expiry to until_ms (heartbeat of a long job).
Result<bool> ExtendLease(store::Txn& txn, int64_t job_id, std::string_view owner, int64_t until_ms);
// Gives back a claimed job that was never started: PENDING, lease cleared, the claim's attempt
// undone, due as before. Another worker may claim it at once.
Result<bool> Release(store::Txn& txn, int64_t job_id, std::string_view owner, int64_t now_ms);

// The job, in whatever state, or nullopt (never existed or completed).
// Returns every job leased by `owner` to PENDING at once (lease cleared, attempt not counted).
// For a node that restarts under the same owner id: none of those jobs can still be running,
// so they need not wait for their leases to expire. Returns how many.
// REQUIRES: txn.writable(), and no live process uses `owner`.
Result<int64_t> ReleaseOwner(store::Txn& txn, std::string_view owner, int64_t now_ms);

Result<std::optional<Job>> Get(store::Txn& txn, int64_t job_id);

// Jobs of the tenant not yet finished (PENDING + RUNNING), of one `type` or (empty) all types.
// Errors: InvalidArgument for a type outside [A-Za-z0-9_.-]+ (it is written into the SQL).
Result<int64_t> PendingCount(store::Txn& txn, std::string_view tenant_id,
                             std::string_view type = {});

// Jobs in `state` over all tenants, of one `type` or (empty) all types (metrics).
Result<int64_t> CountByState(store::Txn& txn, JobState state, std::string_view type = {});

struct TypeStateCount {
  std::string type;
  JobState state = JobState::kPending;
  int64_t count = 0;
};
// Job counts grouped by (type, state), ordered by type then state name (metrics gauges).
Result<std::vector<TypeStateCount>> CountByTypeAndState(store::Txn& txn);

// The earliest run_at among PENDING jobs of `types` (empty: any type), or nullopt when there are
// none: how long an idle worker may sleep.
Result<std::optional<int64_t>> NextRunAt(store::Txn& txn, const std::vector<std::string>& types);

}  // namespace steward::jobs
