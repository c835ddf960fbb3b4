// Circuit breaker tests against a real SQLite store; time is passed explicitly.
#include "exec/circuit_breaker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "common/json.h"
#include "common/time_util.h"

namespace steward::exec {
namespace {

constexpr int64_t kT0 = 1795500000000;  // 2026-11-24T06:00:00.000Z
constexpr int64_t kWindowMs = 60000;
constexpr int64_t kCooldownMs = 30000;
constexpr int64_t kLeaseMs = 60000;
constexpr char kTenant[] = "t1";
constexpr char kConn[] = "crm";

class CircuitBreakerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_breaker_test_" + std::to_string(::getpid()) + "_" +
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

  BreakerDecision Acquire(const std::string& owner, int64_t now,
                          const std::string& tenant = kTenant, const std::string& conn = kConn) {
    BreakerDecision d;
    Status st = store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(d, BreakerAcquire(t, tenant, conn, owner, now, options_));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return d;
  }

  void Record(const std::string& owner, ErrorClass c, int64_t now,
              const std::string& tenant = kTenant, const std::string& conn = kConn) {
    Status st = store_->Write([&](store::Txn& t) -> Status {
      return BreakerRecord(t, tenant, conn, owner, c, now, options_);
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  }

  // `n` tripping failures one second apart starting at `start`, each after an allowed acquire.
  void Fail(int n, int64_t start, ErrorClass c = ErrorClass::kDownstream,
            const std::string& tenant = kTenant, const std::string& conn = kConn) {
    for (int i = 0; i < n; ++i) {
      const int64_t now = start + i * 1000;
      const std::string owner = "f" + std::to_string(now);
      EXPECT_TRUE(Acquire(owner, now, tenant, conn).allowed) << "failure " << i;
      Record(owner, c, now, tenant, conn);
    }
  }

  Json State(int64_t now, const std::string& tenant = kTenant, const std::string& conn = kConn) {
    std::string text;
    Status st = store_->Read([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(text, BreakerStateJson(t, tenant, conn, now, options_));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    auto j = ParseJson(text);
    EXPECT_TRUE(j.ok()) << text;
    return j.ok() ? *j : Json();
  }

  // Opens the breaker at `at` (5 failures ending at `at`).
  void OpenAt(int64_t at) {
    Fail(4, at - 4000);
    Fail(1, at);
    ASSERT_FALSE(Acquire("check", at).allowed);
  }

  BreakerOptions options_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

void ExpectWait(const BreakerDecision& d, int64_t until) {
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.probe);
  EXPECT_EQ(d.wait_until_ms, until);
}

void ExpectProbe(const BreakerDecision& d) {
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.probe);
}

void ExpectPass(const BreakerDecision& d) {
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.probe);
}

TEST(BreakerStateNameTest, Names) {
  EXPECT_EQ(BreakerStateName(BreakerState::kClosed), "CLOSED");
  EXPECT_EQ(BreakerStateName(BreakerState::kOpen), "OPEN");
  EXPECT_EQ(BreakerStateName(BreakerState::kHalfOpen), "HALF_OPEN");
}

TEST_F(CircuitBreakerTest, NeverUsedBreakerIsClosedAndLetsCallsThrough) {
  ExpectPass(Acquire("a", kT0));
  ExpectPass(Acquire("b", kT0));
  EXPECT_EQ(State(kT0)["state"], "CLOSED");
}

TEST_F(CircuitBreakerTest, FourFailuresInTheWindowDoNotOpen) {
  Fail(4, kT0);
  ExpectPass(Acquire("a", kT0 + 4000));
  EXPECT_EQ(State(kT0 + 4000)["recent_failures"], 4);
}

TEST_F(CircuitBreakerTest, FiveFailuresInTheWindowOpen) {
  Fail(5, kT0);
  const int64_t opened = kT0 + 4000;
  ExpectWait(Acquire("a", opened), opened + kCooldownMs);
  Json s = State(opened);
  EXPECT_EQ(s["state"], "OPEN");
  EXPECT_EQ(s["recent_failures"], 0);  // the failures that opened it are forgotten
}

TEST_F(CircuitBreakerTest, FiveFailuresSpreadOverExactlyTheWindowOpen) {
  Fail(4, kT0);
  // The first failure is 59.999 s old: still inside the window.
  Fail(1, kT0 + kWindowMs - 1);
  ExpectWait(Acquire("a", kT0 + kWindowMs - 1), kT0 + kWindowMs - 1 + kCooldownMs);
}

TEST_F(CircuitBreakerTest, FailuresOlderThanTheWindowDoNotCount) {
  Fail(4, kT0);
  // At kT0 + 60 s the first failure (kT0) has left the window: 3 old + 1 new.
  Fail(1, kT0 + kWindowMs);
  ExpectPass(Acquire("a", kT0 + kWindowMs));
  EXPECT_EQ(State(kT0 + kWindowMs)["recent_failures"], 4);
  // Long after, everything has aged out; four more do not open it either.
  const int64_t later = kT0 + 10 * kWindowMs;
  EXPECT_EQ(State(later)["recent_failures"], 0);
  Fail(4, later);
  ExpectPass(Acquire("b", later + 4000));
  Fail(1, later + 5000);
  ExpectWait(Acquire("c", later + 5000), later + 5000 + kCooldownMs);
}

TEST_F(CircuitBreakerTest, AuthAndValidationNeverOpen) {
  Fail(10, kT0, ErrorClass::kAuth);
  Fail(10, kT0 + 10000, ErrorClass::kValidation);
  ExpectPass(Acquire("a", kT0 + 20000));
  Json s = State(kT0 + 20000);
  EXPECT_EQ(s["state"], "CLOSED");
  EXPECT_EQ(s["recent_failures"], 0);
}

TEST_F(CircuitBreakerTest, EveryTrippingClassCounts) {
  Fail(1, kT0, ErrorClass::kTimeout);
  Fail(1, kT0 + 1000, ErrorClass::kRateLimit);
  Fail(1, kT0 + 2000, ErrorClass::kDownstream);
  Fail(1, kT0 + 3000, ErrorClass::kUnknown);
  Fail(1, kT0 + 4000, ErrorClass::kTimeout);
  ExpectWait(Acquire("a", kT0 + 4000), kT0 + 4000 + kCooldownMs);
}

TEST_F(CircuitBreakerTest, SuccessInClosedDoesNotClearTheWindow) {
  Fail(4, kT0);
  ExpectPass(Acquire("ok", kT0 + 4000));
  Record("ok", ErrorClass::kNone, kT0 + 4000);
  Fail(1, kT0 + 5000);
  ExpectWait(Acquire("a", kT0 + 5000), kT0 + 5000 + kCooldownMs);
}

TEST_F(CircuitBreakerTest, WhileOpenCallersWaitUntilTheCooldownEnds) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  ExpectWait(Acquire("a", opened + 1), opened + kCooldownMs);
  ExpectWait(Acquire("b", opened + kCooldownMs - 1), opened + kCooldownMs);
  // Late results of calls let through before it opened change nothing.
  Record("late", ErrorClass::kNone, opened + 10);
  ExpectWait(Acquire("c", opened + 20), opened + kCooldownMs);
  Record("late2", ErrorClass::kTimeout, opened + 30);
  ExpectWait(Acquire("d", opened + 40), opened + kCooldownMs);
}

TEST_F(CircuitBreakerTest, AfterCooldownExactlyOneProbeIsAllowed) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("p", t));
  // The lease (60 s) is longer than the cooldown: waiters re-check after at most 30 s.
  ExpectWait(Acquire("q", t), t + kCooldownMs);
  ExpectWait(Acquire("r", t + 40000), t + kLeaseMs);
}

TEST_F(CircuitBreakerTest, WaitForProbeIsTheLeaseWhenShorterThanTheCooldown) {
  options_.probe_lease_ms = 10000;
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("p", t));
  ExpectWait(Acquire("q", t + 1000), t + 10000);
}

TEST_F(CircuitBreakerTest, ProbeSuccessCloses) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("p", t));
  Record("p", ErrorClass::kNone, t + 500);
  ExpectPass(Acquire("q", t + 600));
  ExpectPass(Acquire("r", t + 600));
  Json s = State(t + 600);
  EXPECT_EQ(s["state"], "CLOSED");
  EXPECT_EQ(s["recent_failures"], 0);
  EXPECT_FALSE(s.contains("opened_at"));
  // A closed breaker starts counting afresh: four failures do not reopen it.
  Fail(4, t + 1000);
  ExpectPass(Acquire("s", t + 5000));
}

TEST_F(CircuitBreakerTest, ProbeAuthOrValidationClosesToo) {
  for (ErrorClass c : {ErrorClass::kAuth, ErrorClass::kValidation}) {
    SCOPED_TRACE(std::string(ErrorClassName(c)));
    const int64_t opened = kT0 + (c == ErrorClass::kAuth ? 0 : 1000000);
    OpenAt(opened);
    const int64_t t = opened + kCooldownMs;
    ExpectProbe(Acquire("p", t));
    Record("p", c, t + 1);
    ExpectPass(Acquire("q", t + 2));
  }
}

TEST_F(CircuitBreakerTest, ProbeFailureReopensFromNow) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("p", t));
  const int64_t failed = t + 2000;
  Record("p", ErrorClass::kTimeout, failed);
  ExpectWait(Acquire("q", failed), failed + kCooldownMs);
  ExpectWait(Acquire("p", failed + kCooldownMs - 1), failed + kCooldownMs);
  Json s = State(failed);
  EXPECT_EQ(s["state"], "OPEN");
  EXPECT_EQ(s["opened_at"], FormatTimestamp(failed));
  // Then a new probe, which may succeed.
  ExpectProbe(Acquire("q", failed + kCooldownMs));
  Record("q", ErrorClass::kNone, failed + kCooldownMs + 1);
  ExpectPass(Acquire("r", failed + kCooldownMs + 2));
}

TEST_F(CircuitBreakerTest, ProbeThatNeverRecordsIsReplacedAfterItsLease) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("dead", t));
  ExpectWait(Acquire("b", t + kLeaseMs - 1), t + kLeaseMs);
  ExpectProbe(Acquire("b", t + kLeaseMs));
  ExpectWait(Acquire("c", t + kLeaseMs + 1), t + kLeaseMs + 1 + kCooldownMs);
  // The old holder's late answer is not the probe's any more: success is ignored, a tripping
  // failure is only remembered.
  Record("dead", ErrorClass::kNone, t + kLeaseMs + 2);
  ExpectWait(Acquire("c", t + kLeaseMs + 3), t + kLeaseMs + 3 + kCooldownMs);
  Record("dead", ErrorClass::kDownstream, t + kLeaseMs + 4);
  Json s = State(t + kLeaseMs + 5);
  EXPECT_EQ(s["state"], "HALF_OPEN");
  EXPECT_EQ(s["recent_failures"], 1);
  EXPECT_EQ(s["probe_lease_until"], FormatTimestamp(t + 2 * kLeaseMs));
  // The new holder decides.
  Record("b", ErrorClass::kNone, t + kLeaseMs + 6);
  ExpectPass(Acquire("c", t + kLeaseMs + 7));
}

TEST_F(CircuitBreakerTest, ProbeHolderAskingAgainIsAllowedAndRenewsItsLease) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  ExpectProbe(Acquire("p", t));
  ExpectProbe(Acquire("p", t + 5000));
  ExpectWait(Acquire("q", t + kLeaseMs), t + 5000 + kLeaseMs);
  EXPECT_EQ(State(t + 5000)["probe_lease_until"], FormatTimestamp(t + 5000 + kLeaseMs));
  ExpectProbe(Acquire("q", t + 5000 + kLeaseMs));
}

TEST_F(CircuitBreakerTest, TenantsAndConnectorsAreIndependent) {
  Fail(5, kT0, ErrorClass::kDownstream, "t1", "crm");
  ExpectWait(Acquire("a", kT0 + 5000, "t1", "crm"), kT0 + 4000 + kCooldownMs);
  ExpectPass(Acquire("a", kT0 + 5000, "t1", "mail"));
  ExpectPass(Acquire("a", kT0 + 5000, "t2", "crm"));
  EXPECT_EQ(State(kT0 + 5000, "t2", "crm")["state"], "CLOSED");
  EXPECT_EQ(State(kT0 + 5000, "t1", "mail")["state"], "CLOSED");
  // Failures elsewhere do not add up.
  Fail(4, kT0, ErrorClass::kDownstream, "t1", "mail");
  Fail(4, kT0, ErrorClass::kDownstream, "t2", "crm");
  ExpectPass(Acquire("b", kT0 + 5000, "t1", "mail"));
  ExpectPass(Acquire("b", kT0 + 5000, "t2", "crm"));
  // A probe on one does not block another.
  ExpectProbe(Acquire("p", kT0 + 4000 + kCooldownMs, "t1", "crm"));
  Fail(1, kT0 + 5000, ErrorClass::kDownstream, "t2", "crm");
  ExpectWait(Acquire("c", kT0 + 6000, "t2", "crm"), kT0 + 5000 + kCooldownMs);
  ExpectPass(Acquire("c", kT0 + 6000, "t1", "mail"));
}

TEST_F(CircuitBreakerTest, StateJsonThroughTheCycle) {
  Json s = State(kT0);
  EXPECT_EQ(s, Json::parse(R"({"state":"CLOSED","recent_failures":0,"failure_threshold":5,
                              "window_seconds":60,"cooldown_seconds":30})"));

  Fail(2, kT0);
  s = State(kT0 + 2000);
  EXPECT_EQ(s["state"], "CLOSED");
  EXPECT_EQ(s["recent_failures"], 2);
  EXPECT_EQ(State(kT0 + kWindowMs)["recent_failures"], 1);
  EXPECT_EQ(State(kT0 + kWindowMs + 1000)["recent_failures"], 0);

  Fail(3, kT0 + 2000);  // opens at kT0 + 4000
  const int64_t opened = kT0 + 4000;
  s = State(opened + 1);
  EXPECT_EQ(s, Json::parse(R"({"state":"OPEN","recent_failures":0,"failure_threshold":5,
                              "window_seconds":60,"cooldown_seconds":30,
                              "opened_at":"2026-11-24T06:00:04.000Z",
                              "retry_at":"2026-11-24T06:00:34.000Z"})"));

  // Past the cooldown and before anyone asks: shown as half-open without a probe.
  s = State(opened + kCooldownMs);
  EXPECT_EQ(s["state"], "HALF_OPEN");
  EXPECT_EQ(s["opened_at"], "2026-11-24T06:00:04.000Z");
  EXPECT_FALSE(s.contains("retry_at"));
  EXPECT_FALSE(s.contains("probe_lease_until"));

  ExpectProbe(Acquire("p", opened + kCooldownMs));
  s = State(opened + kCooldownMs + 1);
  EXPECT_EQ(s["state"], "HALF_OPEN");
  EXPECT_FALSE(s.contains("retry_at"));
  EXPECT_EQ(s["probe_lease_until"], "2026-11-24T06:01:34.000Z");
  // A dead probe's lease is not shown once it has passed.
  s = State(opened + kCooldownMs + kLeaseMs);
  EXPECT_EQ(s["state"], "HALF_OPEN");
  EXPECT_FALSE(s.contains("probe_lease_until"));

  Record("p", ErrorClass::kNone, opened + kCooldownMs + 2);
  s = State(opened + kCooldownMs + 3);
  EXPECT_EQ(s, Json::parse(R"({"state":"CLOSED","recent_failures":0,"failure_threshold":5,
                              "window_seconds":60,"cooldown_seconds":30})"));
}

TEST_F(CircuitBreakerTest, StateJsonReportsTheOptions) {
  options_.failure_threshold = 3;
  options_.window_ms = 1500;
  options_.cooldown_ms = 10000;
  Json s = State(kT0);
  EXPECT_EQ(s["failure_threshold"], 3);
  EXPECT_EQ(s["window_seconds"], 1.5);
  EXPECT_EQ(s["cooldown_seconds"], 10);
}

TEST_F(CircuitBreakerTest, CustomThresholdAndWindow) {
  options_.failure_threshold = 2;
  options_.window_ms = 5000;
  Fail(1, kT0);
  Fail(1, kT0 + 5000);  // the first has left the window
  ExpectPass(Acquire("a", kT0 + 5000));
  Fail(1, kT0 + 6000);
  ExpectWait(Acquire("b", kT0 + 6000), kT0 + 6000 + kCooldownMs);
}

TEST_F(CircuitBreakerTest, RejectsBadArgumentsAndReadOnlyTransactions) {
  Status st = store_->Write(
      [&](store::Txn& t) -> Status { return BreakerAcquire(t, kTenant, kConn, "", kT0).status(); });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = store_->Write(
      [&](store::Txn& t) -> Status { return BreakerAcquire(t, "", kConn, "a", kT0).status(); });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = store_->Write([&](store::Txn& t) -> Status {
    return BreakerRecord(t, kTenant, "", "a", ErrorClass::kNone, kT0);
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = store_->Write([&](store::Txn& t) -> Status {
    BreakerOptions bad;
    bad.failure_threshold = 0;
    return BreakerAcquire(t, kTenant, kConn, "a", kT0, bad).status();
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  st = store_->Read([&](store::Txn& t) -> Status {
    return BreakerAcquire(t, kTenant, kConn, "a", kT0).status();
  });
  EXPECT_EQ(st.code(), Code::kInternal);
  st = store_->Read([&](store::Txn& t) -> Status {
    return BreakerRecord(t, kTenant, kConn, "a", ErrorClass::kTimeout, kT0);
  });
  EXPECT_EQ(st.code(), Code::kInternal);
}

TEST_F(CircuitBreakerTest, RolledBackTransactionLeavesTheBreakerAsItWas) {
  const int64_t opened = kT0 + 4000;
  OpenAt(opened);
  const int64_t t = opened + kCooldownMs;
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(BreakerDecision d, BreakerAcquire(txn, kTenant, kConn, "p", t));
    EXPECT_TRUE(d.probe);
    return Status::Unavailable("crash before commit");
  });
  EXPECT_EQ(st.code(), Code::kUnavailable);
  ExpectProbe(Acquire("q", t));
}

}  // namespace
}  // namespace steward::exec
