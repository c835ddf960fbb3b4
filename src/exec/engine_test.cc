// The execution engine, the human path, replay and the sweeper against a real SQLite store.
// Jobs are claimed and handled by hand with a manual clock so every step is deterministic.
#include <gtest/gtest.h>

#include <filesystem>

#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "autonomy/gate.h"
#include "common/json.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "exec/execution.h"
#include "exec/execution_service.h"
#include "jobs/job_queue.h"
#include "ledger/ledger.h"

namespace steward::exec {
namespace {

constexpr int64_t kNow = 1795500000000;  // 2026-11-24

// A connector whose answers the test scripts; counts calls per idempotency key. It stands in
// for a remote system only in these engine-logic tests; the real http connector is tested
// against a real server in connectors/http_connector_test.cc and tests/shell/exec_test.sh.
class ScriptedConnector final : public Connector {
 public:
  std::string_view kind() const override { return "http"; }
  bool transactional() const override { return false; }
  InvokeResult Invoke(const Invocation& inv, store::Txn* txn) override {
    EXPECT_EQ(txn, nullptr);
    std::lock_guard<std::mutex> lock(mu_);
    calls_[inv.idempotency_key]++;
    last_ = inv;
    if (!script_.empty()) {
      InvokeResult r = script_.front();
      script_.erase(script_.begin());
      return r;
    }
    return InvokeResult::Success({ExternalRef{"crm", "task", "obj-" + inv.idempotency_key.substr(0, 8), ""}});
  }
  std::mutex mu_;
  std::vector<InvokeResult> script_;
  std::map<std::string, int> calls_;
  Invocation last_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_engine_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::Open("sqlite://" + (dir_ / "t.db").string()).value();
    autonomy_ = std::make_unique<autonomy::AutonomyService>(store_.get(), &clock_, nullptr);
    cfg_ = std::make_unique<autonomy::ConfigService>(store_.get(), &clock_);
    svc_ = std::make_unique<ExecutionService>(store_.get(), &clock_, nullptr);
    EngineOptions eo;
    engine_ = std::make_unique<Engine>(store_.get(), &clock_, eo);
    engine_->AddConnector("internal", NewInternalConnector());
    auto remote = std::make_unique<ScriptedConnector>();
    remote_ = remote.get();
    engine_->AddConnector("http", std::move(remote));
    Json out;
    ASSERT_TRUE(cfg_->PutAllowlist(admin_, {{"action_types", {"CREATE_INTERNAL_TASK"}}}, &out).ok());
    ASSERT_TRUE(cfg_->PutMode(admin_, {{"action_type", "CREATE_INTERNAL_TASK"}, {"mode", "AUTO_EXECUTE"}}, &out).ok());
    ASSERT_TRUE(cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", 1000}}, &out).ok());
  }
  void TearDown() override {
    engine_.reset();
    svc_.reset();
    autonomy_.reset();
    cfg_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Creates an intent; with `gate` the auto-approval gate runs (policy path).
  Json Create(const std::string& id, const std::string& type, Json params, bool gate,
              Json extra = Json::object()) {
    Json body = {{"action_intent_id", id}, {"account_id", "acct-1"}, {"action_type", type},
                 {"parameters", params}, {"confidence_score", 0.9}};
    if (!gate) body["gate"] = "none";
    for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = *it;
    Json out;
    bool created = false;
    Status st = autonomy_->CreateIntent(agent_, body, &out, &created);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  // Claims every due EXECUTE_INTENT job and handles it, applying the handler's outcome as the
  // worker pool would. Returns how many jobs ran.
  int RunDue() {
    std::vector<jobs::Job> claimed;
    EXPECT_TRUE(store_->Write([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(claimed, jobs::Claim(t, "w", clock_.NowMs(), 60000, 100,
                                                    {std::string(autonomy::kJobExecuteIntent)}));
      return Status::Ok();
    }).ok());
    for (const auto& job : claimed) {
      jobs::Outcome o = engine_->Handle(job);
      last_outcome_ = o;
      if (o.kind == jobs::Outcome::Kind::kCompletedByHandler) continue;
      EXPECT_TRUE(store_->Write([&](store::Txn& t) -> Status {
        if (o.kind == jobs::Outcome::Kind::kDone) return jobs::Complete(t, job.job_id, "w").status();
        if (o.kind == jobs::Outcome::Kind::kRetryAt) {
          return jobs::RetryAt(t, job.job_id, "w", o.run_at_ms, o.error, clock_.NowMs()).status();
        }
        return jobs::Fail(t, job.job_id, "w", o.error, clock_.NowMs()).status();
      }).ok());
    }
    return static_cast<int>(claimed.size());
  }

  Json Execution(const std::string& id) {
    Json out;
    Status st = svc_->GetExecution(agent_, id, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::string IntentStatus(const std::string& id) {
    Json out;
    EXPECT_TRUE(autonomy_->GetIntent(agent_, id, &out).ok());
    return out.value("status", "");
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
  void ExpectLedgerVerifies() {
    ASSERT_TRUE(store_->Read([&](store::Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto v, ledger::Verify(t, "tenant-a", std::nullopt, std::nullopt));
      EXPECT_TRUE(v.ok);
      return Status::Ok();
    }).ok());
  }
  void ConfigureHttp() {
    Json out;
    ASSERT_TRUE(svc_->PutConnector(admin_, "default", {{"url", "http://127.0.0.1:9/tools"}}, &out).ok());
  }

  ManualClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<autonomy::AutonomyService> autonomy_;
  std::unique_ptr<autonomy::ConfigService> cfg_;
  std::unique_ptr<ExecutionService> svc_;
  std::unique_ptr<Engine> engine_;
  ScriptedConnector* remote_ = nullptr;
  jobs::Outcome last_outcome_;
  autonomy::Actor admin_{"tenant-a", "alice-admin"};
  autonomy::Actor agent_{"tenant-a", "agent-7"};
  autonomy::Actor approver_{"tenant-a", "bob-approver"};
};

TEST_F(EngineTest, PolicyApprovedIntentExecutesOnceThroughTheInternalConnector) {
  Json created = Create("i1", "CREATE_INTERNAL_TASK", {{"title", "Call Acme"}}, true);
  ASSERT_EQ(created["gate"]["result"], "AUTO_EXECUTED");
  EXPECT_EQ(RunDue(), 1);
  Json e = Execution("i1");
  EXPECT_EQ(e["attempt"]["status"], "SUCCEEDED");
  EXPECT_EQ(e["attempt"]["attempt_count"], 1);
  EXPECT_EQ(e["outcome"]["status"], "SUCCEEDED");
  EXPECT_EQ(e["outcome"]["approval_source"], "POLICY");
  EXPECT_EQ(e["outcome"]["auto_executed"], true);
  EXPECT_EQ(e["outcome"]["taxonomy"], "EXECUTION_SUCCEEDED");
  EXPECT_EQ(e["outcome"]["external_object_refs"][0]["object_type"], "task");
  EXPECT_EQ(IntentStatus("i1"), "SUCCEEDED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM internal_objects WHERE kind = 'task'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'EXECUTION_COMPLETED'"), 1);
  // The same job delivered again (at least once) changes nothing.
  ASSERT_TRUE(store_->Write([&](store::Txn& t) {
    return jobs::Enqueue(t, "tenant-a", autonomy::kJobExecuteIntent,
                         R"({"action_intent_id":"i1","account_id":"acct-1","execution":1})",
                         kNow, kNow, "again").status();
  }).ok());
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM internal_objects"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes"), 1);
  ExpectLedgerVerifies();
  Json list;
  ASSERT_TRUE(svc_->ListInternalObjects(agent_, "task", "acct-1", 10, "", &list).ok());
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["title"], "Call Acme");
}

TEST_F(EngineTest, NoAttemptBeforeTheJobRunsAndTimelineFilters) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, true);
  Json out;
  EXPECT_EQ(svc_->GetExecution(agent_, "i1", &out).code(), Code::kNotFound);
  RunDue();
  ExecutionService::ListQuery q;
  q.auto_executed = "true";
  ASSERT_TRUE(svc_->ListExecutions(agent_, q, &out).ok());
  EXPECT_EQ(out["items"].size(), 1u);
  q.auto_executed = "false";
  ASSERT_TRUE(svc_->ListExecutions(agent_, q, &out).ok());
  EXPECT_EQ(out["items"].size(), 0u);
  q.auto_executed = "maybe";
  EXPECT_EQ(svc_->ListExecutions(agent_, q, &out).code(), Code::kInvalidArgument);
  autonomy::Actor other{"tenant-b", "x"};
  EXPECT_EQ(svc_->GetExecution(other, "i1", &out).code(), Code::kNotFound);
}

TEST_F(EngineTest, KillSwitchFlippedWhileQueuedCancels) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, true);
  Create("i2", "CREATE_INTERNAL_TASK", {{"title", "y"}}, true);
  Json out;
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"execution_enabled", false}}, &out).ok());
  EXPECT_EQ(RunDue(), 2);
  for (const char* id : {"i1", "i2"}) {
    EXPECT_EQ(IntentStatus(id), "CANCELLED");
    Json o;
    ASSERT_TRUE(svc_->ListExecutions(agent_, {}, &o).ok());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM internal_objects"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes WHERE status = 'CANCELLED' AND error_code = 'KILL_SWITCH'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'EXECUTION_CANCELLED'"), 2);
  ExpectLedgerVerifies();
}

TEST_F(EngineTest, AutonomySwitchCancelsPolicyApprovalsButNotHumanOnes) {
  Create("auto", "CREATE_INTERNAL_TASK", {{"title", "x"}}, true);
  Create("human", "CREATE_INTERNAL_TASK", {{"title", "y"}}, false);
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "human", {{"account_id", "acct-1"}}, &out).ok()) ;
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"autonomy_enabled", false}}, &out).ok());
  EXPECT_EQ(RunDue(), 2);
  EXPECT_EQ(IntentStatus("auto"), "CANCELLED");
  EXPECT_EQ(IntentStatus("human"), "SUCCEEDED");
}

TEST_F(EngineTest, IntentExpiringInTheQueueEndsExpired) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, true, {{"ttl_seconds", 5}});
  clock_.Advance(6000);
  EXPECT_EQ(RunDue(), 1);
  EXPECT_EQ(IntentStatus("i1"), "EXPIRED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM internal_objects"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes WHERE status = 'EXPIRED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'EXECUTION_EXPIRED'"), 1);
}

TEST_F(EngineTest, SweeperExpiresTheInboxAndApprovingAfterwardsIsConflict) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, false, {{"ttl_seconds", 5}});
  Create("i2", "CREATE_INTERNAL_TASK", {{"title", "x"}}, false, {{"ttl_seconds", 500}});
  clock_.Advance(6000);
  Json out;
  EXPECT_EQ(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kConflict);
  auto n = svc_->SweepExpired();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(IntentStatus("i1"), "EXPIRED");
  EXPECT_EQ(IntentStatus("i2"), "PROPOSED");
  EXPECT_EQ(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kConflict);
  EXPECT_EQ(*svc_->SweepExpired(), 0);
  ExpectLedgerVerifies();
}

TEST_F(EngineTest, EditAndApproveExecutesTheEditedParameters) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "old"}, {"due", "mon"}}, false);
  Json out;
  Status st = svc_->Approve(approver_, "i1",
                            {{"account_id", "acct-1"}, {"parameters", {{"title", "new"}, {"due", "mon"}}},
                             {"comment", "sharper title"}}, &out);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out["status"], "APPROVED");
  EXPECT_EQ(RunDue(), 1);
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"]["status"], "SUCCEEDED");
  EXPECT_EQ(e["outcome"]["approval_source"], "HUMAN");
  EXPECT_EQ(e["outcome"]["auto_executed"], false);
  EXPECT_EQ(e["outcome"]["taxonomy"], "IDEA_EDITED");
  Json list;
  ASSERT_TRUE(svc_->ListInternalObjects(agent_, "task", "", 10, "", &list).ok());
  EXPECT_EQ(list["items"][0]["title"], "new");
  ASSERT_TRUE(store_->Read([&](store::Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT data FROM ledger WHERE event_type = 'ACTION_EDITED'"));
    EXPECT_TRUE(row.has_value());
    Json d = ParseJson(row->Text(0)).value();
    EXPECT_EQ(d["changes"].size(), 1u);
    EXPECT_EQ(d["changes"][0]["field"], "title");
    EXPECT_EQ(d["changes"][0]["old"], "old");
    EXPECT_EQ(d["changes"][0]["new"], "new");
    return Status::Ok();
  }).ok());
  // Edited parameters must still carry the required ones.
  Create("i2", "CREATE_INTERNAL_TASK", {{"title", "t"}}, false);
  EXPECT_EQ(svc_->Approve(approver_, "i2", {{"account_id", "acct-1"}, {"parameters", {{"x", 1}}}}, &out).code(),
            Code::kInvalidArgument);
}

TEST_F(EngineTest, ApprovalIsUsedOnceAndSelfApprovalNeedsTheTenantsConsent) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, false);
  Json out;
  EXPECT_EQ(svc_->Approve(agent_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kPermissionDenied);
  EXPECT_EQ(IntentStatus("i1"), "PROPOSED");
  ASSERT_TRUE(cfg_->PutPolicy(admin_, {{"allow_self_approval", true}}, &out).ok());
  ASSERT_TRUE(svc_->Approve(agent_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  EXPECT_EQ(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kConflict);
  EXPECT_EQ(svc_->Approve(approver_, "i1", {{"account_id", "acct-2"}}, &out).code(), Code::kNotFound);
  RunDue();
  EXPECT_EQ(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kConflict);
  EXPECT_EQ(svc_->Reject(approver_, "i1", {{"account_id", "acct-1"}, {"reason", "no"}}, &out).code(), Code::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes"), 1);
}

TEST_F(EngineTest, RejectRecordsIdeaRejected) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, false);
  Json out;
  EXPECT_EQ(svc_->Reject(approver_, "i1", {{"account_id", "acct-1"}}, &out).code(), Code::kInvalidArgument);
  ASSERT_TRUE(svc_->Reject(approver_, "i1", {{"account_id", "acct-1"}, {"reason", "off-brand"}}, &out).ok());
  EXPECT_EQ(out["status"], "REJECTED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes WHERE taxonomy = 'IDEA_REJECTED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(svc_->GetExecution(agent_, "i1", &out).code(), Code::kNotFound);  // no attempt
  ExpectLedgerVerifies();
}

TEST_F(EngineTest, ReplayAddsASecondExecutionAndKeepsTheFirstOutcome) {
  Create("i1", "CREATE_INTERNAL_TASK", {{"title", "x"}}, true);
  RunDue();
  Json first = Execution("i1")["outcome"];
  Json out;
  EXPECT_EQ(svc_->Replay(admin_, {{"action_intent_id", "i1"}, {"account_id", "acct-1"}}, &out).code(),
            Code::kInvalidArgument);
  ASSERT_TRUE(svc_->Replay(admin_, {{"action_intent_id", "i1"}, {"account_id", "acct-1"},
                                    {"replay_reason", "downstream lost it"}}, &out).ok());
  EXPECT_EQ(out["execution_no"], 2);
  EXPECT_EQ(svc_->Replay(admin_, {{"action_intent_id", "i1"}, {"account_id", "acct-1"},
                                  {"replay_reason", "again"}}, &out).code(), Code::kConflict);
  clock_.Advance(1000);
  RunDue();
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"], first);
  ASSERT_EQ(e["replays"].size(), 1u);
  EXPECT_EQ(e["replays"][0]["attempt"]["requested_by"], "alice-admin");
  EXPECT_EQ(e["replays"][0]["attempt"]["replay_reason"], "downstream lost it");
  EXPECT_EQ(e["replays"][0]["outcome"]["status"], "SUCCEEDED");
  EXPECT_EQ(e["replays"][0]["outcome"]["auto_executed"], false);
  EXPECT_NE(e["replays"][0]["attempt"]["idempotency_key"], e["attempt"]["idempotency_key"]);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM internal_objects"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type IN ('REPLAY_REQUESTED', 'REPLAY_STARTED')"), 2);
  Create("i2", "CREATE_INTERNAL_TASK", {{"title", "x"}}, false);
  EXPECT_EQ(svc_->Replay(admin_, {{"action_intent_id", "i2"}, {"account_id", "acct-1"},
                                  {"replay_reason", "r"}}, &out).code(), Code::kConflict);
  ExpectLedgerVerifies();
}

TEST_F(EngineTest, MissingRequiredParameterFailsWithValidationAndNoRetry) {
  Create("i1", "CREATE_INTERNAL_NOTE", {{"other", "x"}}, false);
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  RunDue();
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"]["status"], "FAILED");
  EXPECT_EQ(e["outcome"]["error_class"], "VALIDATION");
  EXPECT_EQ(e["outcome"]["error_code"], "MISSING_PARAMETER");
  EXPECT_EQ(e["attempt"]["attempt_count"], 1);
  EXPECT_EQ(IntentStatus("i1"), "FAILED");
}

TEST_F(EngineTest, HttpTypeWithoutAConnectorFailsNotConfigured) {
  Create("i1", "CREATE_OPPORTUNITY", {{"name", "x"}}, false);
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  RunDue();
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"]["error_code"], "CONNECTOR_NOT_CONFIGURED");
  EXPECT_EQ(e["outcome"]["error_class"], "VALIDATION");
  EXPECT_TRUE(remote_->calls_.empty());
}

TEST_F(EngineTest, RetryableFailuresBackOffThenSucceedWithOneKey) {
  ConfigureHttp();
  Create("i1", "CREATE_OPPORTUNITY", {{"name", "x"}}, false);
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  remote_->script_ = {InvokeResult::Failure(ErrorClass::kDownstream, "HTTP_500", "boom"),
                      InvokeResult::Failure(ErrorClass::kRateLimit, "HTTP_429", "slow", 7000)};
  RunDue();
  ASSERT_EQ(last_outcome_.kind, jobs::Outcome::Kind::kRetryAt);
  int64_t delay = last_outcome_.run_at_ms - clock_.NowMs();
  EXPECT_GE(delay, 500);   // base 1 s, jitter in [d/2, d]
  EXPECT_LE(delay, 1000);
  EXPECT_EQ(Execution("i1")["attempt"]["last_error_class"], "DOWNSTREAM");
  EXPECT_EQ(RunDue(), 0);  // not due yet
  clock_.Advance(delay);
  RunDue();
  ASSERT_EQ(last_outcome_.kind, jobs::Outcome::Kind::kRetryAt);
  EXPECT_EQ(last_outcome_.run_at_ms - clock_.NowMs(), 7000);  // Retry-After wins
  clock_.Advance(7000);
  RunDue();
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"]["status"], "SUCCEEDED");
  EXPECT_EQ(e["attempt"]["attempt_count"], 3);
  ASSERT_EQ(remote_->calls_.size(), 1u);  // one idempotency key, three calls
  EXPECT_EQ(remote_->calls_.begin()->second, 3);
  EXPECT_EQ(remote_->last_.idempotency_key, e["attempt"]["idempotency_key"]);
  EXPECT_EQ(remote_->last_.timeout_ms, 30000);
  EXPECT_EQ(Count("SELECT sent_count FROM connector_calls"), 3);
}

TEST_F(EngineTest, AttemptsAreBoundedByTheExecutionPolicy) {
  ConfigureHttp();
  Create("i1", "CREATE_OPPORTUNITY", {{"name", "x"}}, false, {{"execution_policy", {{"max_attempts", 2}}}});
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  remote_->script_ = {InvokeResult::Failure(ErrorClass::kTimeout, "TIMEOUT", "slow"),
                      InvokeResult::Failure(ErrorClass::kTimeout, "TIMEOUT", "slow")};
  RunDue();
  clock_.Advance(5000);
  RunDue();
  Json e = Execution("i1");
  EXPECT_EQ(e["outcome"]["status"], "FAILED");
  EXPECT_EQ(e["outcome"]["error_class"], "TIMEOUT");
  EXPECT_EQ(e["outcome"]["attempt_count"], 2);
  EXPECT_EQ(IntentStatus("i1"), "FAILED");
}

TEST_F(EngineTest, AuthFailureIsFinalAtOnce) {
  ConfigureHttp();
  Create("i1", "CREATE_OPPORTUNITY", {{"name", "x"}}, false);
  Json out;
  ASSERT_TRUE(svc_->Approve(approver_, "i1", {{"account_id", "acct-1"}}, &out).ok());
  remote_->script_ = {InvokeResult::Failure(ErrorClass::kAuth, "HTTP_401", "who are you")};
  RunDue();
  EXPECT_EQ(Execution("i1")["outcome"]["error_class"], "AUTH");
  EXPECT_EQ(Execution("i1")["attempt"]["attempt_count"], 1);
}

TEST_F(EngineTest, OpenBreakerMakesJobsWaitWithoutSpendingAttempts) {
  ConfigureHttp();
  Json out;
  for (int i = 0; i < 6; ++i) {
    std::string id = "i" + std::to_string(i);
    Create(id, "CREATE_OPPORTUNITY", {{"name", id}}, false);
    ASSERT_TRUE(svc_->Approve(approver_, id, {{"account_id", "acct-1"}}, &out).ok());
  }
  for (int i = 0; i < 5; ++i) remote_->script_.push_back(InvokeResult::Failure(ErrorClass::kDownstream, "HTTP_503", "down"));
  EXPECT_EQ(RunDue(), 6);  // five failures open it; the sixth waits
  size_t calls = 0;
  for (auto& [k, n] : remote_->calls_) calls += n;
  EXPECT_EQ(calls, 5u);
  EXPECT_EQ(svc_->GetExecution(agent_, "i5", &out).code(), Code::kNotFound);  // no attempt spent
  ASSERT_TRUE(svc_->GetConnector(admin_, "default", &out).ok());
  EXPECT_EQ(out["circuit_breaker"]["state"], "OPEN");
  clock_.Advance(31000);  // after the cool-down one probe goes through and closes it
  RunDue();
  ASSERT_TRUE(svc_->GetConnector(admin_, "default", &out).ok());
  EXPECT_EQ(out["circuit_breaker"]["state"], "CLOSED");
  for (int round = 0; round < 10; ++round) {  // the jobs that waited run once they are due
    clock_.Advance(60000);
    RunDue();
  }
  for (int i = 0; i < 6; ++i) EXPECT_EQ(IntentStatus("i" + std::to_string(i)), "SUCCEEDED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM action_outcomes WHERE status = 'SUCCEEDED'"), 6);
}

TEST_F(EngineTest, ConnectorSettingsValidateAndNeverShowTheSecret) {
  Json out;
  EXPECT_EQ(svc_->PutConnector(admin_, "default", {{"url", "ftp://x"}}, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(svc_->PutConnector(admin_, "default", {{"url", "http://x"}, {"timeout_ms", 5}}, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(svc_->PutConnector(admin_, "default", {{"url", "http://x"}, {"secret", "short"}}, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(svc_->PutConnector(admin_, "internal", {{"url", "http://x"}}, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(svc_->GetConnector(admin_, "default", &out).code(), Code::kNotFound);
  ASSERT_TRUE(svc_->PutConnector(admin_, "default", {{"url", "http://x/t"}, {"secret", "0123456789abcdef-secret"}}, &out).ok());
  ASSERT_TRUE(svc_->GetConnector(admin_, "default", &out).ok());
  EXPECT_EQ(out["secret_set"], true);
  EXPECT_EQ(out.dump().find("0123456789abcdef"), std::string::npos);
  ASSERT_TRUE(svc_->PutConnector(admin_, "default", {{"url", "http://y/t"}}, &out).ok());
  EXPECT_EQ(out["secret_set"], true);  // kept
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE data LIKE '%0123456789abcdef%'"), 0);
}

TEST_F(EngineTest, RetryDelayBounds) {
  for (int n = 1; n < 30; ++n) {
    int64_t d = engine_->RetryDelayMs(n, std::nullopt);
    int64_t full = std::min<int64_t>(300000, 1000LL << std::min(n - 1, 20));
    EXPECT_GE(d, full / 2);
    EXPECT_LE(d, full);
  }
  EXPECT_EQ(engine_->RetryDelayMs(1, 12000), 12000);
  EXPECT_EQ(engine_->RetryDelayMs(1, 10'000'000), 300000);
}

}  // namespace
}  // namespace steward::exec
