#include "jobs/worker_pool.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/crypto.h"
#include "common/json.h"
#include "common/log.h"
#include "jobs/job_queue.h"

namespace steward::jobs {
namespace {

constexpr int kHeartbeatsPerLease = 3;
constexpr int kRecordAttempts = 3;  // tries to record an outcome before leaving it to the lease
constexpr auto kRecordRetryDelay = std::chrono::milliseconds(100);
constexpr int64_t kMinIdleWaitMs = 1;  // never spin, even if a due job could not be claimed
constexpr size_t kOwnerRandomBytes = 4;
constexpr int kMaxBackoffShift = 20;
constexpr size_t kHostNameMax = 256;

std::string DefaultOwnerId() {
  char host[kHostNameMax] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof(host), "%s", "localhost");
  }
  return std::string(host) + "-" + std::to_string(getpid()) + "-" +
         HexEncode(RandomBytes(kOwnerRandomBytes));
}

Json JobFields(const Job& job) {
  return Json{{"job_id", job.job_id},
              {"tenant_id", job.tenant_id},
              {"type", job.type},
              {"attempts", job.attempts}};
}

}  // namespace

WorkerPool::WorkerPool(store::Store* store, const Clock* clock, Options options)
    : store_(store), clock_(clock), options_(std::move(options)) {
  if (options_.owner_id.empty()) options_.owner_id = DefaultOwnerId();
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Register(std::string type, Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) {
    log::Event(log::Level::kError, "job_handler_registered_after_start", {{"type", type}});
    return;
  }
  handlers_[std::move(type)] = std::move(handler);
}

Status WorkerPool::Start() {
  const Options& o = options_;
  if (o.threads < 1 || o.lease_ms < 1 || o.poll_interval_ms < 1 || o.claim_batch < 1 ||
      o.prefetch < 0 || o.retry_backoff_ms < 0 || o.max_retry_backoff_ms < 0) {
    return Status::InvalidArgument("invalid worker pool options");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (started_) return Status::Internal("worker pool already started");
  // Commits of jobs on any node (this one or, on PostgreSQL, others) end the idle sleep.
  auto sub = store_->Subscribe(std::string(kJobsChannel), [this] { Wake(); });
  if (!sub.ok()) return sub.status();
  subscription_ = *sub;
  started_ = true;
  types_.clear();
  for (const auto& [type, handler] : handlers_) types_.push_back(type);
  dispatcher_ = std::thread([this] { DispatchLoop(); });
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
  for (int i = 0; i < o.threads; ++i) workers_.emplace_back([this] { WorkLoop(); });
  log::Event(log::Level::kInfo, "worker_pool_started",
             {{"owner", o.owner_id}, {"threads", o.threads}, {"types", types_}});
  return Status::Ok();
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  store_->Unsubscribe(subscription_);
  dispatch_cv_.notify_all();
  work_cv_.notify_all();
  // The dispatcher may be inside a claim; once it has returned, everything it queued is here.
  dispatcher_.join();
  ReleaseUnstarted();
  for (auto& w : workers_) w.join();
  workers_.clear();
  {
    std::lock_guard<std::mutex> lock(mu_);
    heartbeat_stop_ = true;
  }
  heartbeat_cv_.notify_all();
  heartbeat_.join();
  log::Event(log::Level::kInfo, "worker_pool_stopped", {{"owner", options_.owner_id}});
}

void WorkerPool::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_pending_ = true;
  }
  dispatch_cv_.notify_all();
}

WorkerPool::Stats WorkerPool::stats() const {
  Stats s;
  s.claimed = claimed_.load();
  s.completed = completed_.load();
  s.retried = retried_.load();
  s.failed = failed_.load();
  s.lost_leases = lost_leases_.load();
  s.handler_exceptions = handler_exceptions_.load();
  s.released = released_.load();
  std::lock_guard<std::mutex> lock(mu_);
  s.handled_by_type = handled_by_type_;
  return s;
}

int WorkerPool::FreeSlotsLocked() const {
  return options_.threads + options_.prefetch - static_cast<int>(held_.size());
}

void WorkerPool::DispatchLoop() {
  while (true) {
    int limit = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      dispatch_cv_.wait(lock, [&] { return stopping_ || FreeSlotsLocked() > 0; });
      if (stopping_) return;
      limit = std::min(FreeSlotsLocked(), options_.claim_batch);
      // A Wake() from here on means "look again", even if it arrives during the claim.
      wake_pending_ = false;
    }
    if (types_.empty()) {
      IdleWait();
      continue;
    }
    int claimed = ClaimAndQueue(limit);
    if (claimed < 0) {
      // The store failed; back off for a poll interval.
      std::unique_lock<std::mutex> lock(mu_);
      dispatch_cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms),
                            [&] { return stopping_; });
      continue;
    }
    if (claimed == limit) continue;  // more may be due
    IdleWait();
  }
}

int WorkerPool::ClaimAndQueue(int limit) {
  const int64_t now = clock_->NowMs();
  std::vector<Job> jobs;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(jobs,
                             Claim(txn, options_.owner_id, now, options_.lease_ms, limit, types_));
    return Status::Ok();
  });
  if (!st.ok()) {
    log::Event(log::Level::kError, "job_claim_failed", {{"error", st.ToString()}});
    return -1;
  }
  if (jobs.empty()) return 0;
  claimed_.fetch_add(static_cast<int64_t>(jobs.size()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Job& job : jobs) {
      // Our own lease expired (the heartbeat could not reach the store) and we re-claimed a job
      // we are still running: the new lease is ours, the running handler records the outcome.
      if (!held_.insert(job.job_id).second) continue;
      queue_.push_back(std::move(job));
    }
  }
  work_cv_.notify_all();
  return static_cast<int>(jobs.size());
}

void WorkerPool::IdleWait() {
  int64_t wait_ms = options_.poll_interval_ms;
  if (!types_.empty()) {
    std::optional<int64_t> next;
    Status st = store_->Read([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(next, NextRunAt(txn, types_));
      return Status::Ok();
    });
    if (st.ok() && next) {
      wait_ms = std::clamp(*next - clock_->NowMs(), kMinIdleWaitMs, options_.poll_interval_ms);
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  dispatch_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                        [&] { return stopping_ || wake_pending_; });
}

void WorkerPool::WorkLoop() {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      // Once stopping, queued jobs are not started: Stop releases them to other nodes.
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Outcome outcome = RunHandler(job);
    RecordOutcome(job, outcome);
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_.erase(job.job_id);
      ++handled_by_type_[job.type];
    }
    dispatch_cv_.notify_all();
  }
}

Outcome WorkerPool::RunHandler(const Job& job) {
  auto it = handlers_.find(job.type);
  if (it == handlers_.end()) {
    // Unreachable: only registered types are claimed.
    return Outcome::Failed("no handler for job type " + job.type);
  }
  std::string error;
  try {
    return it->second(job);
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  handler_exceptions_.fetch_add(1);
  int shift = static_cast<int>(std::clamp<int64_t>(job.attempts - 1, 0, kMaxBackoffShift));
  int64_t backoff = options_.max_retry_backoff_ms;
  if (options_.retry_backoff_ms <= (options_.max_retry_backoff_ms >> shift)) {
    backoff = options_.retry_backoff_ms << shift;
  }
  Json fields = JobFields(job);
  fields["error"] = error;
  fields["retry_in_ms"] = backoff;
  log::Event(log::Level::kError, "job_handler_threw", fields);
  return Outcome::Retry(clock_->NowMs() + backoff, "handler threw: " + error);
}

void WorkerPool::RecordOutcome(const Job& job, const Outcome& outcome) {
  if (outcome.kind == Outcome::Kind::kCompletedByHandler) {
    completed_.fetch_add(1);
    return;
  }
  const std::string& owner = options_.owner_id;
  bool kept = false;
  Status st;
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kRecordRetryDelay);
    const int64_t now = clock_->NowMs();
    st = store_->Write([&](store::Txn& txn) -> Status {
      Result<bool> r = false;
      switch (outcome.kind) {
        case Outcome::Kind::kDone:
          r = Complete(txn, job.job_id, owner);
          break;
        case Outcome::Kind::kRetryAt:
          r = RetryAt(txn, job.job_id, owner, outcome.run_at_ms, outcome.error, now);
          break;
        case Outcome::Kind::kFailed:
          r = Fail(txn, job.job_id, owner, outcome.error, now);
          break;
        case Outcome::Kind::kCompletedByHandler:
          break;
      }
      if (!r.ok()) return r.status();
      kept = *r;
      return Status::Ok();
    });
    if (st.ok()) break;
  }
  Json fields = JobFields(job);
  if (!st.ok()) {
    // The lease will expire and the job run again (at least once).
    fields["error"] = st.ToString();
    log::Event(log::Level::kError, "job_outcome_not_recorded", fields);
    return;
  }
  if (!kept) {
    lost_leases_.fetch_add(1);
    log::Event(log::Level::kWarn, "job_lease_lost", fields);
    return;
  }
  switch (outcome.kind) {
    case Outcome::Kind::kDone:
    case Outcome::Kind::kCompletedByHandler:
      completed_.fetch_add(1);
      break;
    case Outcome::Kind::kRetryAt:
      retried_.fetch_add(1);
      break;
    case Outcome::Kind::kFailed:
      failed_.fetch_add(1);
      fields["error"] = outcome.error;
      log::Event(log::Level::kWarn, "job_failed", fields);
      break;
  }
}

void WorkerPool::HeartbeatLoop() {
  const auto interval =
      std::chrono::milliseconds(std::max<int64_t>(1, options_.lease_ms / kHeartbeatsPerLease));
  while (true) {
    std::vector<int64_t> ids;
    {
      std::unique_lock<std::mutex> lock(mu_);
      heartbeat_cv_.wait_for(lock, interval, [&] { return heartbeat_stop_; });
      if (heartbeat_stop_) return;
      ids.assign(held_.begin(), held_.end());
    }
    if (ids.empty()) continue;
    std::vector<int64_t> lost;
    const int64_t until = clock_->NowMs() + options_.lease_ms;
    Status st = store_->Write([&](store::Txn& txn) -> Status {
      lost.clear();
      for (int64_t id : ids) {
        STEWARD_ASSIGN_OR_RETURN(bool kept, ExtendLease(txn, id, options_.owner_id, until));
        if (!kept) lost.push_back(id);
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      log::Event(log::Level::kError, "job_heartbeat_failed", {{"error", st.ToString()}});
      continue;
    }
    if (lost.empty()) continue;
    // A queued job whose lease is gone belongs to someone else now: do not start it. A running
    // one finishes; recording its outcome will find the lease lost. A job no longer held here
    // finished between the snapshot and the extension: not lost, just done.
    {
      std::lock_guard<std::mutex> lock(mu_);
      lost.erase(std::remove_if(lost.begin(), lost.end(),
                                [&](int64_t id) { return held_.count(id) == 0; }),
                 lost.end());
      for (int64_t id : lost) {
        auto it = std::find_if(queue_.begin(), queue_.end(),
                               [id](const Job& j) { return j.job_id == id; });
        if (it != queue_.end()) {
          queue_.erase(it);
          held_.erase(id);
        }
      }
    }
    dispatch_cv_.notify_all();
    for (int64_t id : lost) {
      log::Event(log::Level::kWarn, "job_lease_lost", {{"job_id", id}, {"during", "heartbeat"}});
    }
  }
}

void WorkerPool::ReleaseUnstarted() {
  std::vector<Job> unstarted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    unstarted.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
    queue_.clear();
    for (const Job& j : unstarted) held_.erase(j.job_id);
  }
  if (unstarted.empty()) return;
  const int64_t now = clock_->NowMs();
  int64_t released = 0;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    released = 0;
    for (const Job& j : unstarted) {
      STEWARD_ASSIGN_OR_RETURN(bool ok, Release(txn, j.job_id, options_.owner_id, now));
      released += ok ? 1 : 0;
    }
    return Status::Ok();
  });
  if (!st.ok()) {
    // Their leases expire and another node takes them then.
    log::Event(log::Level::kError, "job_release_failed", {{"error", st.ToString()}});
    return;
  }
  released_.fetch_add(released);
  log::Event(log::Level::kInfo, "jobs_released", {{"count", released}});
}

}  // namespace steward::jobs
