// WorkerPool end-to-end tests: a real SQLite store and the real clock. Assertions wait for
// effects with a generous deadline instead of relying on tight timings.
#include "jobs/worker_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "jobs/job_queue.h"

namespace steward::jobs {
namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

// Polls `pred` until it holds or the deadline passes.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds deadline = kDeadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// Counts handler runs per job id.
class RunCounter {
 public:
  void Add(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    ++runs_[id];
  }
  int Runs(int64_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = runs_.find(id);
    return it == runs_.end() ? 0 : it->second;
  }
  std::map<int64_t, int> Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_;
  }
  size_t Distinct() const {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<int64_t, int> runs_;
};

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_pool_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions so;
    so.durability = store::Durability::kProcess;  // tests need no fsync per batch
    auto s = store::Open("sqlite://" + (dir_ / "t.db").string(), so);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static WorkerPool::Options Opts(int threads = 4) {
    WorkerPool::Options o;
    o.threads = threads;
    o.lease_ms = 5000;
    o.poll_interval_ms = 50;
    o.retry_backoff_ms = 20;
    return o;
  }

  std::vector<int64_t> AddMany(const std::string& type, int n, int64_t run_at = 0) {
    std::vector<int64_t> ids;
    int64_t now = clock_->NowMs();
    if (run_at == 0) run_at = now;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      ids.clear();
      for (int i = 0; i < n; ++i) {
        STEWARD_ASSIGN_OR_RETURN(
            int64_t id,
            Enqueue(t, "t1", type, "{\"i\":" + std::to_string(i) + "}", run_at + i, now));
        ids.push_back(id);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return ids;
  }

  int64_t JobsLeft() {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM jobs"));
                      n = row->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  std::optional<Job> GetJob(int64_t id) {
    std::optional<Job> job;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(job, Get(t, id));
                      return Status::Ok();
                    })
                    .ok());
    return job;
  }

  const Clock* clock_ = SystemClock::Default();
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(WorkerPoolTest, FiveHundredJobsAcrossFourThreadsRunExactlyOnce) {
  constexpr int kJobs = 500;
  RunCounter runs;
  WorkerPool pool(store_.get(), clock_, Opts(4));
  pool.Register("T", [&](const Job& j) {
    runs.Add(j.job_id);
    return Outcome::Done();
  });
  auto ids = AddMany("T", kJobs);
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.Distinct() == kJobs && JobsLeft() == 0; }));
  pool.Stop();
  auto snapshot = runs.Snapshot();
  ASSERT_EQ(snapshot.size(), static_cast<size_t>(kJobs));
  for (int64_t id : ids) EXPECT_EQ(snapshot[id], 1) << id;
  EXPECT_EQ(pool.stats().completed, kJobs);
  EXPECT_EQ(pool.stats().lost_leases, 0);
}

TEST_F(WorkerPoolTest, TwoPoolsShareTheQueueAndRunEachJobOnce) {
  constexpr int kJobs = 300;
  RunCounter runs;
  auto handler = [&](const Job& j) {
    runs.Add(j.job_id);
    return Outcome::Done();
  };
  WorkerPool a(store_.get(), clock_, Opts(2));
  WorkerPool b(store_.get(), clock_, Opts(2));
  EXPECT_NE(a.owner_id(), b.owner_id());
  a.Register("T", handler);
  b.Register("T", handler);
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(b.Start().ok());
  auto ids = AddMany("T", kJobs);
  a.Wake();
  b.Wake();
  ASSERT_TRUE(WaitFor([&] { return runs.Distinct() == kJobs && JobsLeft() == 0; }));
  a.Stop();
  b.Stop();
  for (int64_t id : ids) EXPECT_EQ(runs.Runs(id), 1) << id;
  EXPECT_EQ(a.stats().completed + b.stats().completed, kJobs);
}

TEST_F(WorkerPoolTest, RetryOutcomeRunsAgainLater) {
  RunCounter runs;
  WorkerPool pool(store_.get(), clock_, Opts(2));
  pool.Register("T", [&](const Job& j) {
    runs.Add(j.job_id);
    if (j.attempts < 3) return Outcome::Retry(clock_->NowMs() + 30, "not yet");
    return Outcome::Done();
  });
  int64_t id = AddMany("T", 1)[0];
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return JobsLeft() == 0; }));
  pool.Stop();
  EXPECT_EQ(runs.Runs(id), 3);
  EXPECT_EQ(pool.stats().retried, 2);
  EXPECT_EQ(pool.stats().completed, 1);
}

TEST_F(WorkerPoolTest, FailedOutcomeLeavesADeadLetter) {
  WorkerPool pool(store_.get(), clock_, Opts(1));
  pool.Register("T", [&](const Job&) { return Outcome::Failed("cannot ever work"); });
  int64_t id = AddMany("T", 1)[0];
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(WaitFor([&] {
    auto j = GetJob(id);
    return j && j->state == JobState::kFailed;
  }));
  pool.Stop();
  EXPECT_EQ(GetJob(id)->last_error, "cannot ever work");
  EXPECT_EQ(GetJob(id)->attempts, 1);
}

TEST_F(WorkerPoolTest, ThrowingHandlerIsRetriedAndDoesNotKillThePool) {
  RunCounter runs;
  WorkerPool pool(store_.get(), clock_, Opts(1));
  pool.Register("T", [&](const Job& j) -> Outcome {
    runs.Add(j.job_id);
    if (j.attempts == 1) throw std::runtime_error("boom");
    if (j.attempts == 2) throw 42;  // not even a std::exception
    return Outcome::Done();
  });
  auto ids = AddMany("T", 3);
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return JobsLeft() == 0; }));
  // Still alive: a new job runs too.
  int64_t late = AddMany("T", 1)[0];
  pool.Wake();
  ASSERT_TRUE(WaitFor([&] { return runs.Runs(late) == 3 && JobsLeft() == 0; }));
  pool.Stop();
  for (int64_t id : ids) EXPECT_EQ(runs.Runs(id), 3);
  EXPECT_EQ(pool.stats().handler_exceptions, 8);
}

TEST_F(WorkerPoolTest, StopReleasesClaimedJobsThatDidNotStart) {
  constexpr int kQueued = 4;
  std::mutex mu;
  std::condition_variable cv;
  bool started = false, release = false;
  RunCounter runs;
  WorkerPool::Options o = Opts(1);
  o.prefetch = kQueued;  // lets the dispatcher claim jobs for the one busy thread
  WorkerPool pool(store_.get(), clock_, o);
  pool.Register("BLOCK", [&](const Job& j) {
    runs.Add(j.job_id);
    std::unique_lock<std::mutex> lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Outcome::Done();
  });
  pool.Register("T", [&](const Job& j) {
    runs.Add(j.job_id);
    return Outcome::Done();
  });
  int64_t now = clock_->NowMs();
  int64_t blocker = AddMany("BLOCK", 1, now - 1000)[0];  // oldest: claimed and started first
  auto waiting = AddMany("T", kQueued, now - 500);
  ASSERT_TRUE(pool.Start().ok());
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, kDeadline, [&] { return started; }));
  }
  // All four are claimed (RUNNING under our lease) but wait for the busy thread.
  ASSERT_TRUE(WaitFor([&] {
    for (int64_t id : waiting) {
      auto j = GetJob(id);
      if (!j || j->state != JobState::kRunning) return false;
    }
    return true;
  }));
  std::thread stopper([&] { pool.Stop(); });
  // Stop gives them back before it waits for the running handler.
  bool released = WaitFor([&] {
    for (int64_t id : waiting) {
      auto j = GetJob(id);
      if (!j || j->state != JobState::kPending) return false;
    }
    return true;
  });
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  EXPECT_TRUE(released);
  for (int64_t id : waiting) {
    auto j = GetJob(id);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ(j->state, JobState::kPending);
    EXPECT_TRUE(j->lease_owner.empty());
    EXPECT_FALSE(j->lease_expires_at_ms.has_value());
    EXPECT_EQ(j->attempts, 0);
    EXPECT_EQ(runs.Runs(id), 0);
  }
  EXPECT_FALSE(GetJob(blocker).has_value());  // the running handler finished and completed
  EXPECT_EQ(pool.stats().released, kQueued);

  // Another node takes them at once.
  RunCounter other_runs;
  WorkerPool other(store_.get(), clock_, Opts(2));
  other.Register("T", [&](const Job& j) {
    other_runs.Add(j.job_id);
    return Outcome::Done();
  });
  ASSERT_TRUE(other.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return JobsLeft() == 0; }));
  other.Stop();
  for (int64_t id : waiting) EXPECT_EQ(other_runs.Runs(id), 1);
}

TEST_F(WorkerPoolTest, WakeRunsANewJobPromptly) {
  WorkerPool::Options o = Opts(2);
  o.poll_interval_ms = 10 * 60 * 1000;  // only Wake() can start the job within the test
  RunCounter runs;
  WorkerPool pool(store_.get(), clock_, o);
  pool.Register("T", [&](const Job& j) {
    runs.Add(j.job_id);
    return Outcome::Done();
  });
  ASSERT_TRUE(pool.Start().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the dispatcher go idle
  int64_t id = AddMany("T", 1)[0];
  pool.Wake();
  EXPECT_TRUE(WaitFor([&] { return runs.Runs(id) == 1; }, std::chrono::seconds(20)));
  pool.Stop();
}

TEST_F(WorkerPoolTest, HeartbeatKeepsALongJobLeased) {
  WorkerPool::Options o = Opts(1);
  o.lease_ms = 600;
  RunCounter runs;
  auto slow = [&](const Job& j) {
    runs.Add(j.job_id);
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // over three leases long
    return Outcome::Done();
  };
  WorkerPool a(store_.get(), clock_, o);
  WorkerPool b(store_.get(), clock_, o);
  a.Register("SLOW", slow);
  b.Register("SLOW", slow);
  int64_t id = AddMany("SLOW", 1)[0];
  ASSERT_TRUE(a.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.Runs(id) == 1; }));
  ASSERT_TRUE(b.Start().ok());  // b polls every 50 ms and would take an expired lease
  ASSERT_TRUE(WaitFor([&] { return JobsLeft() == 0; }));
  a.Stop();
  b.Stop();
  EXPECT_EQ(runs.Runs(id), 1);
  EXPECT_EQ(a.stats().lost_leases, 0);
}

TEST_F(WorkerPoolTest, OnlyRegisteredTypesAreClaimed) {
  RunCounter runs;
  WorkerPool pool(store_.get(), clock_, Opts(2));
  pool.Register("MINE", [&](const Job& j) {
    runs.Add(j.job_id);
    return Outcome::Done();
  });
  int64_t theirs = AddMany("THEIRS", 1)[0];
  int64_t mine = AddMany("MINE", 1)[0];
  ASSERT_TRUE(pool.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return runs.Runs(mine) == 1; }));
  pool.Stop();
  auto j = GetJob(theirs);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->attempts, 0);
}

TEST_F(WorkerPoolTest, LifecycleEdges) {
  WorkerPool::Options bad = Opts(0);
  WorkerPool invalid(store_.get(), clock_, bad);
  EXPECT_EQ(invalid.Start().code(), Code::kInvalidArgument);
  WorkerPool pool(store_.get(), clock_, Opts(1));
  pool.Wake();  // before Start: harmless
  pool.Stop();  // before Start: a no-op
  ASSERT_TRUE(pool.Start().ok());
  EXPECT_FALSE(pool.Start().ok());
  pool.Register("LATE", [](const Job&) { return Outcome::Done(); });  // ignored, logged
  pool.Stop();
  pool.Stop();
  pool.Wake();  // after Stop: harmless
}

}  // namespace
}  // namespace steward::jobs
