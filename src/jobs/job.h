#pragma once
// A job of the transactional outbox (SPEC §2), the outcome its handler returns, and the Waker
// that services poke after committing a job. See job_queue.h for the queue's contract and
// worker_pool.h for the workers.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace steward::jobs {

// Stored as text in jobs.status. A job that completes is deleted, so it has no state.
enum class JobState { kPending, kRunning, kFailed };

// "PENDING", "RUNNING", "FAILED".
std::string_view JobStateName(JobState state);
// The state named `name`, or nullopt.
std::optional<JobState> ParseJobState(std::string_view name);

struct Job {
  int64_t job_id = 0;
  std::string tenant_id;
  std::string type;
  std::string payload_json;
  std::string dedupe_key;  // empty: none
  JobState state = JobState::kPending;
  int64_t run_at_ms = 0;
  // Claims so far, this one included: 1 while a handler runs the job for the first time.
  int64_t attempts = 0;
  std::string lease_owner;                     // empty unless RUNNING
  std::optional<int64_t> lease_expires_at_ms;  // set while RUNNING
  std::string last_error;                      // of the last RetryAt or Fail
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// What a handler made of a job. Handlers return one of these and never throw (a throw is caught
// by the pool and treated as a retry with backoff).
struct Outcome {
  enum class Kind {
    kDone,     // the job is deleted; it can never run again
    kRetryAt,  // back to PENDING, due again at run_at_ms
    kFailed,   // kept as FAILED (a dead letter), never claimed again
    // The handler already completed the job (jobs::Complete with the job's lease_owner) inside
    // its own final transaction, together with its effect; the pool writes nothing more.
    kCompletedByHandler,
  };
  Kind kind = Kind::kDone;
  int64_t run_at_ms = 0;  // for kRetryAt
  std::string error;      // for kRetryAt and kFailed: stored as last_error

  static Outcome Done() { return Outcome{}; }
  static Outcome Retry(int64_t at_ms, std::string why) {
    return Outcome{Kind::kRetryAt, at_ms, std::move(why)};
  }
  static Outcome Failed(std::string why) { return Outcome{Kind::kFailed, 0, std::move(why)}; }
  static Outcome CompletedByHandler() { return Outcome{Kind::kCompletedByHandler, 0, {}}; }
};

// Runs one claimed job. Called on a worker thread, possibly concurrently with other calls for
// other jobs, so it must be thread-safe. Delivery is at least once: a job whose node dies (or
// whose outcome cannot be recorded) runs again after its lease expires, so a handler makes its
// effect idempotent, e.g. by recording it in the store with a unique key.
using Handler = std::function<Outcome(const Job&)>;

// Poked by services after they commit a job, so an idle worker starts at once instead of at
// its next poll. Implementations are thread-safe and never block.
class Waker {
 public:
  virtual ~Waker();
  virtual void Wake() = 0;
};

}  // namespace steward::jobs
