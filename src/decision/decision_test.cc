// RUN_DECISION triggers, the cost gate in its transaction, retries, purge and rituals, against
// a real SQLite store with a manual clock.
#include <gtest/gtest.h>

#include <date/date.h>
#include <date/tz.h>

#include <filesystem>
#include <thread>

#include "common/json.h"
#include "common/time_util.h"
#include "decision/decision_config.h"
#include "decision/decision_service.h"
#include "jobs/job_queue.h"
#include "ledger/ledger.h"

namespace steward::decision {
namespace {

constexpr int64_t kNow = 1795500000000;  // 2026-11-24T...Z
constexpr int64_t kS = 1000;

class DecisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_decision_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::Open("sqlite://" + (dir_ / "t.db").string()).value();
    svc_ = std::make_unique<DecisionService>(store_.get(), &clock_, nullptr);
    cfg_ = std::make_unique<DecisionConfig>(store_.get(), &clock_);
  }
  void TearDown() override {
    svc_.reset();
    cfg_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Json Trigger(const std::string& key, const std::string& type = "SIGNAL_ARRIVED",
               const std::string& account = "acct-1", const Actor* actor = nullptr) {
    Json out;
    Status st = svc_->Trigger(actor ? *actor : agent_,
                              {{"account_id", account}, {"trigger_type", type}, {"idempotency_key", key}},
                              &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(store_->Read([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto r, t.QueryOne(sql));
      n = r->Int(0);
      return Status::Ok();
    }).ok());
    return n;
  }
  // Runs every due job of `type` through `handler`, applying its outcome. Returns how many ran.
  int RunJobs(std::string_view type, const std::function<jobs::Outcome(const jobs::Job&)>& handler) {
    std::vector<jobs::Job> claimed;
    EXPECT_TRUE(store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(claimed, jobs::Claim(t, "w", clock_.NowMs(), 60000, 100, {std::string(type)}));
      return Status::Ok();
    }).ok());
    for (const auto& job : claimed) {
      jobs::Outcome o = handler(job);
      EXPECT_TRUE(store_->Write([&](store::Txn& t) -> Status {
        if (o.kind == jobs::Outcome::Kind::kRetryAt) {
          return jobs::RetryAt(t, job.job_id, "w", o.run_at_ms, o.error, clock_.NowMs()).status();
        }
        if (o.kind == jobs::Outcome::Kind::kFailed) return jobs::Fail(t, job.job_id, "w", o.error, clock_.NowMs()).status();
        return jobs::Complete(t, job.job_id, "w").status();
      }).ok());
    }
    return static_cast<int>(claimed.size());
  }
  int RunRetries() {
    return RunJobs(kJobDecisionRetry, [&](const jobs::Job& j) { return svc_->HandleRetry(j); });
  }

  ManualClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DecisionService> svc_;
  std::unique_ptr<DecisionConfig> cfg_;
  Actor agent_{"tenant-a", "agent"};
  Actor admin_{"tenant-a", "admin"};
};

TEST_F(DecisionTest, DuplicateKeyIsSkippedWithTheOriginalResult) {
  Json first = Trigger("k1");
  EXPECT_EQ(first["result"], "ALLOW");
  Json second = Trigger("k1");
  EXPECT_EQ(second["result"], "SKIP");
  EXPECT_EQ(second["reason"], "DUPLICATE");
  EXPECT_EQ(second["original"], first);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_reservations"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_runs"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'COST_GATE_EVALUATED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'DECISION_EVALUATION_REQUESTED'"), 1);
  Json r;
  ASSERT_TRUE(svc_->GetReservation(agent_, "k1", &r).ok());
  EXPECT_EQ(r["result"]["result"], "ALLOW");
  EXPECT_EQ(r["trigger_type"], "SIGNAL_ARRIVED");
}

TEST_F(DecisionTest, SixteenThreadsRacingOneKeyEvaluateOnce) {
  std::vector<std::thread> ts;
  std::atomic<int> allowed{0}, duplicate{0};
  for (int t = 0; t < 16; ++t) {
    ts.emplace_back([&] {
      Json out;
      Status st = svc_->Trigger(agent_, {{"account_id", "acct-1"}, {"trigger_type", "SIGNAL_ARRIVED"},
                                         {"idempotency_key", "race"}}, &out);
      ASSERT_TRUE(st.ok());
      if (out["result"] == "ALLOW") allowed++;
      if (out.value("reason", "") == "DUPLICATE") duplicate++;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(allowed.load(), 1);
  EXPECT_EQ(duplicate.load(), 15);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_runs"), 1);
}

TEST_F(DecisionTest, KeysAreScopedPerTenant) {
  Actor other{"tenant-b", "agent"};
  EXPECT_EQ(Trigger("shared")["result"], "ALLOW");
  EXPECT_EQ(Trigger("shared", "SIGNAL_ARRIVED", "acct-1", &other)["result"], "ALLOW");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_runs"), 2);
  Json r;
  EXPECT_TRUE(svc_->GetReservation(other, "shared", &r).ok());
  Actor third{"tenant-c", "x"};
  EXPECT_EQ(svc_->GetReservation(third, "shared", &r).code(), Code::kNotFound);
}

TEST_F(DecisionTest, CooldownDefersAndTheOneRetryFiresAtItsTime) {
  EXPECT_EQ(Trigger("a")["result"], "ALLOW");
  clock_.Advance(100 * kS);
  Json d = Trigger("b");
  EXPECT_EQ(d["result"], "DEFER");
  EXPECT_EQ(d["reason"], "COOLDOWN");
  EXPECT_EQ(d["defer_until"], FormatTimestamp(kNow + 300 * kS));
  EXPECT_EQ(d["retry_after_seconds"], 200);
  EXPECT_EQ(RunRetries(), 0);  // not yet due
  clock_.Set(kNow + 300 * kS);
  EXPECT_EQ(RunRetries(), 1);
  EXPECT_EQ(RunRetries(), 0);  // exactly once
  Json runs;
  ASSERT_TRUE(svc_->ListRuns(admin_, {}, &runs).ok());
  ASSERT_EQ(runs["items"].size(), 3u);
  EXPECT_EQ(runs["items"][0]["result"], "ALLOW");
  EXPECT_EQ(runs["items"][0]["is_retry"], true);
  EXPECT_EQ(Count("SELECT pending_retries FROM decision_accounts"), 0);
}

TEST_F(DecisionTest, ARetryDeferredAgainIsExhausted) {
  EXPECT_EQ(Trigger("a")["result"], "ALLOW");
  clock_.Advance(100 * kS);
  EXPECT_EQ(Trigger("b")["result"], "DEFER");
  // Another run is allowed meanwhile (a different trigger type does not count), so at the
  // retry's time the cooldown of SIGNAL_ARRIVED has restarted.
  clock_.Set(kNow + 250 * kS);
  ASSERT_TRUE(store_->Write([&](store::Txn& t) {
    return t.Exec("UPDATE decision_run_state SET last_allowed_at = ?", {kNow + 200 * kS}).status();
  }).ok());
  clock_.Set(kNow + 300 * kS);
  EXPECT_EQ(RunRetries(), 1);
  Json runs;
  ASSERT_TRUE(svc_->ListRuns(admin_, {}, &runs).ok());
  EXPECT_EQ(runs["items"][0]["result"], "SKIP");
  EXPECT_EQ(runs["items"][0]["reason"], "RETRY_EXHAUSTED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'DECISION_RETRY'"), 0);
}

TEST_F(DecisionTest, HourlyCapFreesAfterTheHourAndDebounce) {
  Json out;
  ASSERT_TRUE(cfg_->PutTrigger(admin_, {{"trigger_type", "SIGNAL_ARRIVED"}, {"debounce_seconds", 10},
                                        {"cooldown_seconds", 0}, {"max_per_hour", 2}}, &out).ok());
  EXPECT_EQ(Trigger("1")["result"], "ALLOW");
  clock_.Advance(5 * kS);
  EXPECT_EQ(Trigger("2")["reason"], "DEBOUNCED");
  clock_.Advance(10 * kS);
  EXPECT_EQ(Trigger("3")["result"], "ALLOW");
  clock_.Advance(20 * kS);
  Json d = Trigger("4");
  EXPECT_EQ(d["reason"], "RATE_LIMITED");
  EXPECT_EQ(d["defer_until"], FormatTimestamp(kNow + 3600 * kS));
  clock_.Set(kNow + 3600 * kS + 1);
  EXPECT_EQ(Trigger("5")["result"], "ALLOW");  // the first run aged out
  clock_.Advance(10 * 3600 * kS);
  EXPECT_EQ(Trigger("6")["result"], "ALLOW");  // never locked out for good
}

TEST_F(DecisionTest, BudgetUnknownTypeAndSaturation) {
  Json out;
  ASSERT_TRUE(cfg_->PutDecisionBudget(admin_, {{"account_id", "acct-1"}, {"max_per_day", 1}}, &out).ok());
  EXPECT_EQ(Trigger("1")["result"], "ALLOW");
  EXPECT_EQ(Trigger("2", "POSTURE_CHANGE")["reason"], "BUDGET_EXHAUSTED");
  EXPECT_EQ(Trigger("3", "NO_SUCH_TRIGGER")["reason"], "UNKNOWN_TRIGGER_TYPE");
  ASSERT_TRUE(cfg_->GetDecisionBudget(admin_, "acct-1", &out).ok());
  EXPECT_EQ(out["used_today"], 1);
  EXPECT_EQ(out["remaining_today"], 0);
  ASSERT_TRUE(cfg_->PutTrigger(admin_, {{"trigger_type", "LIFECYCLE_STATE_CHANGE"}, {"enabled", false}}, &out).ok());
  EXPECT_EQ(Trigger("4", "LIFECYCLE_STATE_CHANGE", "acct-2")["reason"], "UNKNOWN_TRIGGER_TYPE");
  // Ten deferred evaluations waiting: the eleventh adds little.
  for (int i = 0; i < 11; ++i) {
    clock_.Advance(61 * kS);
    Json r = Trigger("s" + std::to_string(i), "SIGNAL_ARRIVED", "acct-3");
    if (i == 0) {
      EXPECT_EQ(r["result"], "ALLOW");
    }
    if (i >= 1 && i <= 3) {
      EXPECT_EQ(r["reason"], "COOLDOWN");
    }
  }
  ASSERT_TRUE(store_->Write([&](store::Txn& t) {
    return t.Exec("UPDATE decision_accounts SET pending_retries = 10 WHERE account_id = 'acct-3'").status();
  }).ok());
  clock_.Advance(400 * kS);
  EXPECT_EQ(Trigger("sat", "SIGNAL_ARRIVED", "acct-3")["reason"], "MARGINAL_VALUE_LOW");
}

TEST_F(DecisionTest, BadInputIsRejectedWithoutReservation) {
  Json out;
  auto bad = [&](Json body) {
    Status st = svc_->Trigger(agent_, body, &out);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << body.dump();
  };
  bad({{"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", "k"}});
  bad({{"account_id", "a"}, {"idempotency_key", "k"}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}});
  bad({{"account_id", "a"}, {"trigger_type", "signal"}, {"idempotency_key", "k"}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", "has space"}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", std::string(200, 'k')}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", 5}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", "k"}, {"extra", 1}});
  bad({{"detail", "x"}});
  bad({{"detail", {{"account_id", "a"}}}});
  bad({{"account_id", "a"}, {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", "k"}, {"scheduled_at", "soon"}});
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_reservations"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 0);
  EXPECT_EQ(svc_->Trigger(agent_, {{"detail", {{"tenant_id", "tenant-b"}, {"account_id", "a"},
                                               {"trigger_type", "SIGNAL_ARRIVED"}, {"idempotency_key", "k"}}}},
                          &out).code(),
            Code::kPermissionDenied);
}

TEST_F(DecisionTest, EnvelopeOfTheSeedIsAccepted) {
  Json out;
  ASSERT_TRUE(svc_->Trigger(agent_, {{"detail", {{"tenant_id", "tenant-a"}, {"account_id", "acct-1"},
                                                 {"trigger_type", "SIGNAL_ARRIVED"},
                                                 {"idempotency_key", "e2e-p5-idem-1"}}}},
                            &out).ok());
  EXPECT_EQ(out["result"], "ALLOW");
  ASSERT_TRUE(svc_->Trigger(agent_, {{"detail", {{"tenant_id", "tenant-a"}, {"account_id", "acct-1"},
                                                 {"trigger_type", "SIGNAL_ARRIVED"},
                                                 {"idempotency_key", "e2e-p5-idem-1"}}}},
                            &out).ok());
  EXPECT_EQ(out["reason"], "DUPLICATE");
}

TEST_F(DecisionTest, ReservationsExpireArePurgedAndTheKeyIsFreeAgain) {
  Trigger("old");
  Json r;
  clock_.Advance(24 * 3600 * kS);
  EXPECT_EQ(svc_->GetReservation(agent_, "old", &r).code(), Code::kNotFound);
  auto n = svc_->PurgeExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_reservations"), 0);
  EXPECT_NE(Trigger("old").value("reason", ""), "DUPLICATE");
  ASSERT_TRUE(svc_->DeleteReservation(admin_, "old", &r).ok());
  EXPECT_EQ(svc_->GetReservation(agent_, "old", &r).code(), Code::kNotFound);
  EXPECT_EQ(svc_->DeleteReservation(admin_, "old", &r).code(), Code::kNotFound);
}

TEST_F(DecisionTest, AnExpiredReservationNotYetPurgedIsTakenOver) {
  Json first = Trigger("stale");
  clock_.Advance(24 * 3600 * kS);
  Json again = Trigger("stale");
  EXPECT_NE(again.value("reason", ""), "DUPLICATE");
  EXPECT_NE(again["run_id"], first["run_id"]);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_reservations"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_runs"), 2);
  // The reservation now holds the second answer, and duplicates get it.
  Json dup = Trigger("stale");
  EXPECT_EQ(dup["reason"], "DUPLICATE");
  EXPECT_EQ(dup["original"], again);
}

TEST_F(DecisionTest, EnablingAScheduleNeedsOptInAndDigest) {
  Json body = {{"account_id", "acct-1"}, {"trigger_type", "TIME_RITUAL_DAILY_BRIEF"},
               {"cron", "0 8 * * *"}, {"timezone", "America/New_York"}, {"enabled", true}};
  Json out;
  Status st = cfg_->PutSchedule(admin_, body, &out);
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_NE(st.message().find("opt-in"), std::string::npos);
  EXPECT_NE(st.message().find("digest"), std::string::npos);
  ASSERT_TRUE(cfg_->PutOptIn(admin_, {{"account_id", "acct-1"}, {"opted_in", true}}, &out).ok());
  st = cfg_->PutSchedule(admin_, body, &out);
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(st.message().find("opt-in"), std::string::npos);
  ASSERT_TRUE(cfg_->PutDigestSettings(admin_, {{"enabled", true}}, &out).ok());
  ASSERT_TRUE(cfg_->PutSchedule(admin_, body, &out).ok());
  EXPECT_EQ(out["enabled"], true);
  EXPECT_FALSE(out["next_fire_at"].is_null());
  body["cron"] = "61 8 * * *";
  EXPECT_EQ(cfg_->PutSchedule(admin_, body, &out).code(), Code::kInvalidArgument);
  body["cron"] = "0 8 * * *";
  body["timezone"] = "Mars/Base";
  EXPECT_EQ(cfg_->PutSchedule(admin_, body, &out).code(), Code::kInvalidArgument);
  // Withdrawing opt-in disables the account's rituals.
  ASSERT_TRUE(cfg_->PutOptIn(admin_, {{"account_id", "acct-1"}, {"opted_in", false}}, &out).ok());
  ASSERT_TRUE(cfg_->GetSchedules(admin_, "acct-1", &out).ok());
  EXPECT_EQ(out["items"][0]["enabled"], false);
}

// Daily 08:00 America/New_York from before the spring change to after the autumn one, driven
// by the scheduler's tick with a manual clock and two services on one store (two nodes): each
// local day fires exactly once, at 08:00 local.
TEST_F(DecisionTest, DailyRitualFiresOncePerLocalDayAcrossDstAndTwoNodes) {
  Json out;
  ASSERT_TRUE(cfg_->PutOptIn(admin_, {{"account_id", "acct-1"}, {"opted_in", true}}, &out).ok());
  ASSERT_TRUE(cfg_->PutDigestSettings(admin_, {{"enabled", true}}, &out).ok());
  auto at = [](int y, int m, int d, int h) {
    using namespace date;
    auto tp = sys_days{year{y} / m / d} + std::chrono::hours{h};
    return std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  };
  for (auto [start, days] : {std::pair{at(2026, 3, 5, 0), 6}, std::pair{at(2026, 10, 29, 0), 6}}) {
    ASSERT_TRUE(store_->Write([&](store::Txn& t) { return t.Exec("DELETE FROM decision_runs").status(); }).ok());
    clock_.Set(start);
    ASSERT_TRUE(cfg_->PutSchedule(admin_, {{"account_id", "acct-1"}, {"trigger_type", "TIME_RITUAL_DAILY_BRIEF"},
                                           {"cron", "0 8 * * *"}, {"timezone", "America/New_York"},
                                           {"enabled", true}}, &out).ok());
    DecisionService node2(store_.get(), &clock_, nullptr);
    for (int64_t t = start; t < start + days * 86400 * kS; t += 15 * 60 * kS) {
      clock_.Set(t);
      ASSERT_TRUE(svc_->FireDueSchedules().ok());
      ASSERT_TRUE(node2.FireDueSchedules().ok());
    }
    std::vector<int64_t> fired;
    ASSERT_TRUE(store_->Read([&](store::Txn& t) -> Status {
      return t.ForEach("SELECT data FROM decision_runs ORDER BY run_id", {}, [&](const store::Row& r) {
        auto d = ParseJson(r.Text(0)).value();
        fired.push_back(ParseTimestamp(d["scheduled_at"].get<std::string>()).value());
        return true;
      });
    }).ok());
    ASSERT_EQ(static_cast<int>(fired.size()), days) << "start " << FormatTimestamp(start);
    const auto* ny = date::locate_zone("America/New_York");
    for (int64_t ms : fired) {
      auto local = date::make_zoned(ny, date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}}).get_local_time();
      auto tod = date::make_time(local - date::floor<date::days>(local));
      EXPECT_EQ(tod.hours().count(), 8) << FormatTimestamp(ms);
      EXPECT_EQ(tod.minutes().count(), 0);
    }
  }
}

TEST_F(DecisionTest, ScheduleFiresOnceAcrossARestart) {
  Json out;
  ASSERT_TRUE(cfg_->PutOptIn(admin_, {{"account_id", "acct-1"}, {"opted_in", true}}, &out).ok());
  ASSERT_TRUE(cfg_->PutDigestSettings(admin_, {{"enabled", true}}, &out).ok());
  ASSERT_TRUE(cfg_->PutSchedule(admin_, {{"account_id", "acct-1"}, {"trigger_type", "TIME_RITUAL_RENEWAL_RUNWAY"},
                                         {"cron", "*/30 * * * *"}, {"timezone", "UTC"}, {"enabled", true}}, &out).ok());
  clock_.Advance(31 * 60 * kS);
  ASSERT_EQ(*svc_->FireDueSchedules(), 1);
  // "Restart": a new service on a reopened store sees the slot as fired.
  svc_.reset();
  cfg_.reset();
  store_.reset();
  store_ = store::Open("sqlite://" + (dir_ / "t.db").string()).value();
  svc_ = std::make_unique<DecisionService>(store_.get(), &clock_, nullptr);
  EXPECT_EQ(*svc_->FireDueSchedules(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM decision_runs"), 1);
  // A slot that was due while the node was down fires once after it comes back.
  clock_.Advance(60 * 60 * kS);
  EXPECT_EQ(*svc_->FireDueSchedules(), 2);
  EXPECT_EQ(*svc_->FireDueSchedules(), 0);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT idempotency_key) FROM decision_runs"), 3);
}

TEST_F(DecisionTest, LedgerVerifies) {
  Trigger("a");
  clock_.Advance(100 * kS);
  Trigger("b");
  Trigger("c", "NOPE_TYPE");
  ASSERT_TRUE(store_->Read([&](store::Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto v, ledger::Verify(t, "tenant-a", std::nullopt, std::nullopt));
    EXPECT_TRUE(v.ok);
    EXPECT_EQ(v.checked, 3);
    return Status::Ok();
  }).ok());
}

}  // namespace
}  // namespace steward::decision
