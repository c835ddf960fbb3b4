// Job queue tests against a real SQLite store with a manual clock.
#include "jobs/job_queue.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/clock.h"

namespace steward::jobs {
namespace {

constexpr int64_t kT0 = 1795500000000;
constexpr int64_t kLeaseMs = 30000;

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_jobq_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Open("sqlite://" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t Add(const std::string& type, int64_t run_at, const std::string& key = "",
              const std::string& tenant = "t1") {
    int64_t id = -1;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(id,
                               Enqueue(t, tenant, type, R"({"n":1})", run_at, clock_.NowMs(), key));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  std::vector<Job> ClaimAs(const std::string& owner, int limit = 100,
                           std::vector<std::string> types = {}, int64_t lease = kLeaseMs) {
    std::vector<Job> jobs;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(jobs, Claim(t, owner, clock_.NowMs(), lease, limit, types));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return jobs;
  }

  // Runs `fn` (an outcome call) in a write transaction and returns its bool.
  bool Do(const std::function<Result<bool>(store::Txn&)>& fn) {
    bool out = false;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(out, fn(t));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
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

  template <typename T>
  T ReadValue(const std::function<Result<T>(store::Txn&)>& fn) {
    T out{};
    Status st = store_->Read([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(out, fn(t));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  ManualClock clock_{kT0};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

std::vector<int64_t> Ids(const std::vector<Job>& jobs) {
  std::vector<int64_t> ids;
  for (const auto& j : jobs) ids.push_back(j.job_id);
  return ids;
}

TEST_F(JobQueueTest, EnqueueClaimCompleteNeverClaimedAgain) {
  int64_t id = Add("T", kT0);
  auto jobs = ClaimAs("a");
  ASSERT_EQ(jobs.size(), 1u);
  const Job& j = jobs[0];
  EXPECT_EQ(j.job_id, id);
  EXPECT_EQ(j.tenant_id, "t1");
  EXPECT_EQ(j.type, "T");
  EXPECT_EQ(j.payload_json, R"({"n":1})");
  EXPECT_EQ(j.state, JobState::kRunning);
  EXPECT_EQ(j.attempts, 1);
  EXPECT_EQ(j.lease_owner, "a");
  EXPECT_EQ(j.lease_expires_at_ms, kT0 + kLeaseMs);
  EXPECT_TRUE(ClaimAs("b").empty());  // leased
  EXPECT_TRUE(Do([&](store::Txn& t) { return Complete(t, id, "a"); }));
  EXPECT_FALSE(GetJob(id).has_value());
  EXPECT_FALSE(Do([&](store::Txn& t) { return Complete(t, id, "a"); }));
  clock_.Advance(10 * kLeaseMs);
  EXPECT_TRUE(ClaimAs("b").empty());
}

TEST_F(JobQueueTest, FutureJobIsNotClaimedBeforeItsTime) {
  int64_t id = Add("T", kT0 + 5000);
  EXPECT_TRUE(ClaimAs("a").empty());
  clock_.Set(kT0 + 4999);
  EXPECT_TRUE(ClaimAs("a").empty());
  clock_.Set(kT0 + 5000);
  EXPECT_EQ(Ids(ClaimAs("a")), std::vector<int64_t>{id});
}

TEST_F(JobQueueTest, RetryAtIsNotClaimedBeforeItsTimeAndIsAfter) {
  int64_t id = Add("T", kT0);
  ASSERT_EQ(ClaimAs("a").size(), 1u);
  EXPECT_TRUE(Do([&](store::Txn& t) {
    return RetryAt(t, id, "a", kT0 + 1000, "downstream 503", clock_.NowMs());
  }));
  auto j = GetJob(id);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->run_at_ms, kT0 + 1000);
  EXPECT_TRUE(j->lease_owner.empty());
  EXPECT_FALSE(j->lease_expires_at_ms.has_value());
  EXPECT_EQ(j->last_error, "downstream 503");
  clock_.Set(kT0 + 999);
  EXPECT_TRUE(ClaimAs("a").empty());
  clock_.Set(kT0 + 1000);
  auto again = ClaimAs("b");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_EQ(again[0].lease_owner, "b");
}

TEST_F(JobQueueTest, ExpiredLeaseIsReclaimedAndTheFirstOwnerLosesIt) {
  int64_t id = Add("T", kT0);
  ASSERT_EQ(ClaimAs("a", 10, {}, 1000).size(), 1u);
  clock_.Set(kT0 + 1000);  // expires_at == now: still held
  EXPECT_TRUE(ClaimAs("b").empty());
  clock_.Set(kT0 + 1001);
  auto b = ClaimAs("b");
  ASSERT_EQ(Ids(b), std::vector<int64_t>{id});
  EXPECT_EQ(b[0].attempts, 2);
  int64_t now = clock_.NowMs();
  EXPECT_FALSE(Do([&](store::Txn& t) { return Complete(t, id, "a"); }));
  EXPECT_FALSE(Do([&](store::Txn& t) { return RetryAt(t, id, "a", now, "x", now); }));
  EXPECT_FALSE(Do([&](store::Txn& t) { return Fail(t, id, "a", "x", now); }));
  EXPECT_FALSE(Do([&](store::Txn& t) { return ExtendLease(t, id, "a", now + 5000); }));
  EXPECT_FALSE(Do([&](store::Txn& t) { return Release(t, id, "a", now); }));
  EXPECT_EQ(GetJob(id)->lease_owner, "b");
  EXPECT_TRUE(Do([&](store::Txn& t) { return Complete(t, id, "b"); }));
}

TEST_F(JobQueueTest, ExtendedLeaseIsNotReclaimed) {
  int64_t id = Add("T", kT0);
  ASSERT_EQ(ClaimAs("a", 10, {}, 1000).size(), 1u);
  EXPECT_TRUE(Do([&](store::Txn& t) { return ExtendLease(t, id, "a", kT0 + 5000); }));
  clock_.Set(kT0 + 4000);
  EXPECT_TRUE(ClaimAs("b").empty());
  clock_.Set(kT0 + 5001);
  EXPECT_EQ(ClaimAs("b").size(), 1u);
}

// The id Enqueue returns is the new job's, also when the backlog trigger inserts a row of its own
// (the first job of a tenant) and the job's id and that row's differ.
TEST_F(JobQueueTest, EnqueueReturnsTheJobsOwnId) {
  for (int i = 0; i < 5; ++i) Add("T", kT0);
  for (const char* tenant : {"t7", "t8", "t9"}) {
    int64_t id = Add("T", kT0, "", tenant);
    ASSERT_TRUE(GetJob(id).has_value());
    EXPECT_EQ(GetJob(id)->tenant_id, tenant);
    int64_t again = Add("T", kT0, "key", tenant);
    EXPECT_EQ(GetJob(again)->dedupe_key, "key");
    EXPECT_EQ(Add("T", kT0, "key", tenant), again);
  }
}

TEST_F(JobQueueTest, DedupeKey) {
  int64_t a = Add("T", kT0, "k1");
  EXPECT_EQ(Add("T", kT0 + 50, "k1"), a);
  EXPECT_NE(Add("T", kT0, "k2"), a);
  EXPECT_NE(Add("U", kT0, "k1"), a);        // another type
  EXPECT_NE(Add("T", kT0, "k1", "t2"), a);  // another tenant
  EXPECT_NE(Add("T", kT0), Add("T", kT0));  // no key: always a new job
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t1", "T"); }), 4);
  EXPECT_EQ(GetJob(a)->run_at_ms, kT0);  // the second enqueue changed nothing
  EXPECT_EQ(GetJob(a)->dedupe_key, "k1");

  // While running and after failing, the key still maps to the job.
  auto claimed = ClaimAs("w", 100, {"T"});
  EXPECT_EQ(Add("T", kT0, "k1"), a);
  EXPECT_TRUE(Do([&](store::Txn& t) { return Fail(t, a, "w", "bad", clock_.NowMs()); }));
  EXPECT_EQ(Add("T", kT0, "k1"), a);
  // Once a job completes its row is gone; the key may be used again.
  int64_t b = Add("T", kT0, "k2");
  EXPECT_TRUE(Do([&](store::Txn& t) { return Complete(t, b, "w"); }));
  int64_t b2 = Add("T", kT0, "k2");
  EXPECT_NE(b2, b);
}

TEST_F(JobQueueTest, ClaimRespectsLimitTypesAndOrder) {
  std::vector<int64_t> x, y;
  for (int i = 0; i < 5; ++i) x.push_back(Add("X", kT0 - 100 + i));
  for (int i = 0; i < 5; ++i) y.push_back(Add("Y", kT0 - 200 + i));  // older
  Add("Z", kT0 + 1);                                                 // not due
  auto first = ClaimAs("a", 3);
  EXPECT_EQ(Ids(first), (std::vector<int64_t>{y[0], y[1], y[2]}));
  auto xs = ClaimAs("a", 2, {"X"});
  EXPECT_EQ(Ids(xs), (std::vector<int64_t>{x[0], x[1]}));
  auto rest = ClaimAs("a", 100, {"X", "Y"});
  EXPECT_EQ(Ids(rest), (std::vector<int64_t>{y[3], y[4], x[2], x[3], x[4]}));
  EXPECT_TRUE(ClaimAs("a", 100, {"Z"}).empty());
  EXPECT_TRUE(ClaimAs("a", 100, {"nothing"}).empty());
}

TEST_F(JobQueueTest, FailLeavesADeadLetterThatIsNeverClaimed) {
  int64_t id = Add("T", kT0);
  ASSERT_EQ(ClaimAs("a").size(), 1u);
  EXPECT_TRUE(Do([&](store::Txn& t) { return Fail(t, id, "a", "poison", clock_.NowMs()); }));
  auto j = GetJob(id);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, JobState::kFailed);
  EXPECT_EQ(j->last_error, "poison");
  EXPECT_TRUE(j->lease_owner.empty());
  clock_.Advance(100 * kLeaseMs);
  EXPECT_TRUE(ClaimAs("b").empty());
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t1"); }), 0);
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return CountByState(t, JobState::kFailed); }),
            1);
}

TEST_F(JobQueueTest, ReleaseGivesAClaimBackUntouched) {
  int64_t id = Add("T", kT0 - 10);
  ASSERT_EQ(ClaimAs("a").size(), 1u);
  EXPECT_TRUE(Do([&](store::Txn& t) { return Release(t, id, "a", clock_.NowMs()); }));
  auto j = GetJob(id);
  EXPECT_EQ(j->state, JobState::kPending);
  EXPECT_EQ(j->attempts, 0);
  EXPECT_EQ(j->run_at_ms, kT0 - 10);
  EXPECT_TRUE(j->lease_owner.empty());
  EXPECT_EQ(ClaimAs("b").size(), 1u);  // at once, no lease to wait for
}

TEST_F(JobQueueTest, CountsAndNextRunAt) {
  Add("X", kT0 + 300);
  Add("X", kT0 + 100);
  Add("Y", kT0 + 200);
  Add("Y", kT0 - 5, "", "t2");
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t1"); }), 3);
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t1", "Y"); }), 1);
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t3"); }), 0);
  using Next = std::optional<int64_t>;
  EXPECT_EQ(ReadValue<Next>([](store::Txn& t) { return NextRunAt(t, {}); }), kT0 - 5);
  EXPECT_EQ(ReadValue<Next>([](store::Txn& t) { return NextRunAt(t, {"X"}); }), kT0 + 100);
  EXPECT_EQ(ReadValue<Next>([](store::Txn& t) { return NextRunAt(t, {"none"}); }), Next());
  ASSERT_EQ(ClaimAs("a").size(), 1u);  // the t2 job, the only one due
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return PendingCount(t, "t2"); }), 1);
  EXPECT_EQ(
      ReadValue<int64_t>([](store::Txn& t) { return CountByState(t, JobState::kRunning, "Y"); }),
      1);
  EXPECT_EQ(ReadValue<int64_t>([](store::Txn& t) { return CountByState(t, JobState::kPending); }),
            3);
  auto counts =
      ReadValue<std::vector<TypeStateCount>>([](store::Txn& t) { return CountByTypeAndState(t); });
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].type, "X");
  EXPECT_EQ(counts[0].state, JobState::kPending);
  EXPECT_EQ(counts[0].count, 2);
  EXPECT_EQ(counts[1].type, "Y");
  EXPECT_EQ(counts[1].state, JobState::kPending);
  EXPECT_EQ(counts[2].state, JobState::kRunning);
}

TEST_F(JobQueueTest, InvalidArguments) {
  Status st = store_->Write([&](store::Txn& t) -> Status {
    EXPECT_EQ(Enqueue(t, "t1", "T", "{not json", kT0, kT0).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(Enqueue(t, "t1", "", "{}", kT0, kT0).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(Enqueue(t, "", "T", "{}", kT0, kT0).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(Claim(t, "", kT0, 1000, 1, {}).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(Claim(t, "a", kT0, 0, 1, {}).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(Claim(t, "a", kT0, 1000, 0, {}).status().code(), Code::kInvalidArgument);
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok());
  st = store_->Read([&](store::Txn& t) -> Status {
    EXPECT_FALSE(Enqueue(t, "t1", "T", "{}", kT0, kT0).ok());
    EXPECT_FALSE(Claim(t, "a", kT0, 1000, 1, {}).ok());
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok());
}

TEST_F(JobQueueTest, LongErrorsAreTruncatedOnACharacterBoundary) {
  int64_t id = Add("T", kT0);
  ASSERT_EQ(ClaimAs("a").size(), 1u);
  std::string error = "x";
  while (error.size() < 2 * kMaxErrorLength) error += "é";  // 2-byte characters, odd offset
  EXPECT_TRUE(Do([&](store::Txn& t) { return Fail(t, id, "a", error, clock_.NowMs()); }));
  std::string stored = GetJob(id)->last_error;
  EXPECT_LE(stored.size(), kMaxErrorLength);
  EXPECT_GE(stored.size(), kMaxErrorLength - 1);
  EXPECT_EQ(error.compare(0, stored.size(), stored), 0);
  EXPECT_NE(static_cast<unsigned char>(stored.back()), 0xC3);  // no dangling lead byte
}

TEST_F(JobQueueTest, WorkCommitsOrRollsBackWithTheCallersTransaction) {
  Status st = store_->Write([&](store::Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(int64_t id, Enqueue(t, "t1", "T", "{}", kT0, kT0));
    (void)id;
    return Status::Conflict("state change failed");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_TRUE(ClaimAs("a").empty());
}

// The backlog counter (triggers of schema v2) against a COUNT over the queue after every kind
// of move: enqueue, dedupe, claim, retry, release, complete, fail, re-claim after expiry.
TEST_F(JobQueueTest, BacklogCounterMatchesTheQueueAfterEveryMove) {
  auto counted = [&](const std::string& tenant) {
    return ReadValue<int64_t>([&](store::Txn& t) { return PendingCount(t, tenant); });
  };
  auto scanned = [&](const std::string& tenant) {
    return ReadValue<int64_t>([&](store::Txn& t) -> Result<int64_t> {
      STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM jobs WHERE tenant_id = ? "
                                                    "AND status IN ('PENDING', 'RUNNING')",
                                                    {tenant}));
      return row->Int(0);
    });
  };
  int64_t a = Add("T", kT0 - 1);
  int64_t b = Add("T", kT0 - 1, "k");
  EXPECT_EQ(Add("T", kT0 - 1, "k"), b);  // deduplicated: not counted twice
  int64_t c = Add("T", kT0 - 1);
  Add("T", kT0 - 1, "", "t2");
  EXPECT_EQ(counted("t1"), 3);
  EXPECT_EQ(counted("t2"), 1);
  ASSERT_EQ(ClaimAs("w").size(), 4u);
  EXPECT_EQ(counted("t1"), 3);  // running still counts
  EXPECT_TRUE(Do([&](store::Txn& t) { return Complete(t, a, "w"); }));
  EXPECT_TRUE(Do([&](store::Txn& t) { return Fail(t, b, "w", "x", clock_.NowMs()); }));
  EXPECT_TRUE(Do([&](store::Txn& t) { return RetryAt(t, c, "w", kT0 + 10, "y", clock_.NowMs()); }));
  EXPECT_EQ(counted("t1"), 1);
  EXPECT_EQ(counted("t1"), scanned("t1"));
  clock_.Advance(10 * kLeaseMs);
  ASSERT_EQ(ClaimAs("v").size(), 2u);  // c after its retry time, t2's job after lease expiry
  EXPECT_TRUE(Do([&](store::Txn& t) { return Release(t, c, "v", clock_.NowMs()); }));
  EXPECT_EQ(counted("t1"), scanned("t1"));
  EXPECT_EQ(counted("t2"), scanned("t2"));
  EXPECT_EQ(counted("t2"), 1);
}

}  // namespace
}  // namespace steward::jobs
