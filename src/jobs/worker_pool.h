#pragma once
// WorkerPool: runs the handlers of claimed jobs (SPEC §2) on this node.
//
// Overview. One dispatcher thread claims due jobs of the registered types (one Store::Write per
// claim batch) and hands them to `threads` handler threads through a bounded local queue. It
// claims only as many jobs as there are idle handler threads plus `prefetch` slots, so a busy
// node does not hoard work other nodes could do. After a handler returns, its thread records the
// Outcome in one Store::Write (Complete, RetryAt or Fail); a lost lease (another owner took the
// job after this node's lease expired) is logged, not an error. A heartbeat thread extends the
// leases of the jobs this pool holds every lease_ms / 3, so long jobs (exports) keep them. When
// idle, the dispatcher sleeps until Wake(), the earliest run_at of a pending job, or
// poll_interval_ms, whichever comes first. The pool subscribes to the store's jobs channel
// (kJobsChannel), so a job committed by any node (PostgreSQL: LISTEN/NOTIFY) wakes it at once;
// Wake() does the same for callers that want it explicitly, and the poll interval remains as a
// fallback for a lost signal.
//
// Delivery is at least once: a job runs again if this node dies, or cannot record its outcome,
// before the job completes. A handler that throws is caught; the job is retried with exponential
// backoff (retry_backoff_ms doubling per attempt, at most max_retry_backoff_ms) and the error is
// logged.
//
// Thread-safety: Register before Start; Start and Stop from one controlling thread; Wake from any
// thread at any time (before Start it is remembered, after Stop it is a no-op). Handlers run
// concurrently on the pool's threads. The pool's threads are started only in Start().

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "jobs/job.h"
#include "store/store.h"

namespace steward::jobs {

class WorkerPool final : public Waker {
 public:
  struct Options {
    int threads = 4;                  // handler threads
    int64_t lease_ms = 30000;         // lease per claim, renewed every lease_ms / 3
    int64_t poll_interval_ms = 250;   // longest idle sleep without a Wake()
    int claim_batch = 16;             // most jobs claimed per Store::Write
    int prefetch = 0;                 // claimed jobs that may wait for a busy handler thread
    int64_t retry_backoff_ms = 1000;  // first retry delay after a handler throws
    int64_t max_retry_backoff_ms = 300000;
    std::string owner_id;  // lease owner; default "<hostname>-<pid>-<random hex>"
  };

  // `store` and `clock` must outlive the pool. Starts no thread.
  WorkerPool(store::Store* store, const Clock* clock, Options options);
  // Stops the pool (see Stop).
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Sets the handler for jobs of `type` (replacing an earlier one). Only registered types are
  // claimed. REQUIRES: before Start (a later call is logged and ignored).
  void Register(std::string type, Handler handler);

  // Starts the dispatcher, heartbeat and handler threads.
  // Errors: InvalidArgument for bad options (threads, lease_ms, poll_interval_ms, claim_batch <
  // 1, prefetch < 0); Internal when called twice (a stopped pool does not restart).
  Status Start();

  // Stops claiming; releases jobs claimed but not started back to PENDING (lease cleared) so
  // another node can take them at once; waits for running handlers to return and records their
  // outcomes; then stops the heartbeat. How long it waits is bounded by the handlers themselves
  // (they must honour their own time limits, e.g. an execution's timeout). Idempotent; a no-op
  // before Start.
  void Stop();

  // Ends the dispatcher's idle sleep now. Never blocks on I/O.
  void Wake() override;

  const std::string& owner_id() const { return options_.owner_id; }

  // Counters since Start, for metrics and tests.
  struct Stats {
    int64_t claimed = 0;
    int64_t completed = 0;
    int64_t retried = 0;
    int64_t failed = 0;
    int64_t lost_leases = 0;
    int64_t handler_exceptions = 0;
    int64_t released = 0;
    // Handler runs that returned, per job type: the work this node did (metrics; tests use it
    // to see that jobs were shared between nodes).
    std::map<std::string, int64_t> handled_by_type;
  };
  Stats stats() const;

 private:
  void DispatchLoop();
  void WorkLoop();
  void HeartbeatLoop();
  // Claims up to `limit` jobs and queues them; returns how many were claimed.
  int ClaimAndQueue(int limit);
  // Sleeps until Wake(), Stop(), the next run_at or the poll interval.
  void IdleWait();
  Outcome RunHandler(const Job& job);
  void RecordOutcome(const Job& job, const Outcome& outcome);
  void ReleaseUnstarted();
  int FreeSlotsLocked() const;  // REQUIRES: mu_ held

  store::Store* const store_;
  const Clock* const clock_;
  Options options_;
  // Registered before Start, read-only afterwards (so handler threads read them unlocked).
  std::map<std::string, Handler> handlers_;
  std::vector<std::string> types_;

  mutable std::mutex mu_;
  std::condition_variable dispatch_cv_;   // capacity freed, Wake(), Stop()
  std::condition_variable work_cv_;       // a job queued, Stop()
  std::condition_variable heartbeat_cv_;  // heartbeat stop
  bool started_ = false;                  // GUARDED_BY(mu_)
  bool stopping_ = false;                 // GUARDED_BY(mu_)
  bool stopped_ = false;                  // GUARDED_BY(mu_)
  bool heartbeat_stop_ = false;           // GUARDED_BY(mu_)
  bool wake_pending_ = false;             // GUARDED_BY(mu_)
  std::deque<Job> queue_;                 // GUARDED_BY(mu_): claimed, not started
  std::set<int64_t> held_;                // GUARDED_BY(mu_): ids queued or running here
  int64_t subscription_ = 0;              // the store subscription, set by Start
  std::map<std::string, int64_t> handled_by_type_;  // GUARDED_BY(mu_)

  std::thread dispatcher_;
  std::thread heartbeat_;
  std::vector<std::thread> workers_;

  std::atomic<int64_t> claimed_{0};
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> retried_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> lost_leases_{0};
  std::atomic<int64_t> handler_exceptions_{0};
  std::atomic<int64_t> released_{0};
};

}  // namespace steward::jobs
