// The explanation (with its counterfactual), the daily digest and its delivery, and insights,
// against a real SQLite store. State is made through the real services; execution jobs are
// claimed and handled by hand with a manual clock, as in exec/engine_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "audit/digest.h"
#include "audit/explanation.h"
#include "audit/insights.h"
#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "autonomy/gate.h"
#include "common/json.h"
#include "common/time_util.h"
#include "decision/decision_config.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "exec/execution_service.h"
#include "jobs/job_queue.h"

namespace steward::audit {
namespace {

int64_t Ms(const char* rfc3339) { return ParseTimestamp(rfc3339).value(); }

const int64_t kNow = Ms("2026-11-24T06:00:00Z");
constexpr const char* kTask = "CREATE_INTERNAL_TASK";
constexpr const char* kNote = "CREATE_INTERNAL_NOTE";

class AuditViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_audit_views_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions so;
    so.durability = store::Durability::kProcess;  // faster commits; crash safety is not tested
    store_ = store::Open(Url(), so).value();
    autonomy_ = std::make_unique<autonomy::AutonomyService>(store_.get(), &clock_, nullptr);
    cfg_ = std::make_unique<autonomy::ConfigService>(store_.get(), &clock_);
    decisions_ = std::make_unique<decision::DecisionConfig>(store_.get(), &clock_);
    svc_ = std::make_unique<exec::ExecutionService>(store_.get(), &clock_, nullptr);
    engine_ = std::make_unique<exec::Engine>(store_.get(), &clock_);
    engine_->AddConnector("internal", exec::NewInternalConnector());
    explanation_ = std::make_unique<Explanation>(store_.get());
    digest_ = std::make_unique<Digest>(store_.get(), &clock_);
    insights_ = std::make_unique<Insights>(store_.get(), &clock_);
    Config(cfg_->PutAllowlist(
        admin_,
        {{"action_types", {kTask, kNote, "FLAG_FOR_REVIEW", "CREATE_OPPORTUNITY", "SEND_EMAIL"}}},
        &out_));
    Config(cfg_->PutMode(admin_, {{"action_type", kTask}, {"mode", "AUTO_EXECUTE"}}, &out_));
    Config(cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", 1000}},
                           &out_));
  }
  void TearDown() override {
    insights_.reset();
    digest_.reset();
    explanation_.reset();
    engine_.reset();
    svc_.reset();
    decisions_.reset();
    cfg_.reset();
    autonomy_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Url() const { return "sqlite://" + (dir_ / "t.db").string(); }
  static void Config(const Status& st) { ASSERT_TRUE(st.ok()) << st.ToString(); }

  // Creates an intent (the gate runs unless `gate` is false) and returns the gate's result.
  std::string Create(const std::string& id, const std::string& type, Json params,
                     double confidence = 0.9, const std::string& account = "acct-1",
                     Json extra = Json::object(), bool gate = true) {
    Json body = {{"action_intent_id", id},
                 {"account_id", account},
                 {"action_type", type},
                 {"parameters", params},
                 {"confidence_score", confidence}};
    if (!gate) body["gate"] = "none";
    for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = *it;
    Json out;
    bool created = false;
    Status st = autonomy_->CreateIntent(agent_, body, &out, &created);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return gate ? out["gate"].value("result", "") : out["intent"].value("status", "");
  }
  void Approve(const std::string& id, const std::string& account = "acct-1",
               Json params = nullptr) {
    Json body = {{"account_id", account}};
    if (!params.is_null()) body["parameters"] = params;
    Json out;
    Status st = svc_->Approve(approver_, id, body, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  void Reject(const std::string& id, const std::string& reason,
              const std::string& account = "acct-1") {
    Json out;
    ASSERT_TRUE(
        svc_->Reject(approver_, id, {{"account_id", account}, {"reason", reason}}, &out).ok());
  }
  // Claims every due EXECUTE_INTENT job and handles it as the worker pool would.
  int RunDue() {
    std::vector<jobs::Job> claimed;
    EXPECT_TRUE(store_
                    ->Write([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(
                          claimed, jobs::Claim(t, "w", clock_.NowMs(), 60000, 100,
                                               {std::string(autonomy::kJobExecuteIntent)}));
                      return Status::Ok();
                    })
                    .ok());
    for (const auto& job : claimed) {
      jobs::Outcome o = engine_->Handle(job);
      if (o.kind == jobs::Outcome::Kind::kCompletedByHandler) continue;
      EXPECT_TRUE(store_
                      ->Write([&](store::Txn& t) -> Status {
                        if (o.kind == jobs::Outcome::Kind::kDone)
                          return jobs::Complete(t, job.job_id, "w").status();
                        return jobs::RetryAt(t, job.job_id, "w", o.run_at_ms, o.error,
                                             clock_.NowMs())
                            .status();
                      })
                      .ok());
    }
    return static_cast<int>(claimed.size());
  }
  Json Explain(const std::string& id, const std::string& account = "") {
    Json out;
    Status st = explanation_->Explain(agent_, id, account, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  // The counterfactual item whose explanation is `sentence`, or null.
  static Json Item(const Json& ex, const std::string& sentence) {
    for (const auto& item : ex["counterfactual"]["items"]) {
      if (item["explanation"] == sentence) return item;
    }
    return nullptr;
  }
  static std::vector<std::string> EventTypes(const Json& ex) {
    std::vector<std::string> types;
    for (const auto& e : ex["timeline"]) types.push_back(e["event_type"]);
    return types;
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(auto r, t.QueryOne(sql));
                      n = r->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }
  Json DigestOf(const std::string& account, const std::string& date) {
    Json out;
    Status st = digest_->Get(admin_, account, date, &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  // The DAILY_DIGEST events, oldest first.
  std::vector<Json> DigestEvents() {
    std::vector<Json> events;
    EXPECT_TRUE(store_
                    ->Read([&](store::Txn& t) -> Status {
                      return t.ForEach(
                          "SELECT data FROM events WHERE type = 'DAILY_DIGEST' ORDER BY event_id",
                          {}, [&](const store::Row& r) {
                            events.push_back(ParseJson(r.Text(0)).value());
                            return true;
                          });
                    })
                    .ok());
    return events;
  }
  void EnableDigest(const std::vector<std::string>& opted_in) {
    Config(decisions_->PutDigestSettings(
        admin_, {{"enabled", true}, {"hour", 8}, {"timezone", "America/New_York"}}, &out_));
    for (const auto& a : opted_in) {
      Config(decisions_->PutOptIn(admin_, {{"account_id", a}, {"opted_in", true}}, &out_));
    }
  }

  ManualClock clock_{kNow};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<autonomy::AutonomyService> autonomy_;
  std::unique_ptr<autonomy::ConfigService> cfg_;
  std::unique_ptr<decision::DecisionConfig> decisions_;
  std::unique_ptr<exec::ExecutionService> svc_;
  std::unique_ptr<exec::Engine> engine_;
  std::unique_ptr<Explanation> explanation_;
  std::unique_ptr<Digest> digest_;
  std::unique_ptr<Insights> insights_;
  Json out_;
  autonomy::Actor admin_{"tenant-a", "alice-admin"};
  autonomy::Actor agent_{"tenant-a", "agent-7"};
  autonomy::Actor approver_{"tenant-a", "bob-approver"};
};

#define EXPECT_ITEM(ex, sentence) \
  EXPECT_TRUE(Item(ex, sentence).is_object()) << (ex)["counterfactual"].dump(2)

TEST_F(AuditViewsTest, PolicyAutoExecutedSaysWhatWouldHaveStoppedIt) {
  ASSERT_EQ(Create("p1", kTask, {{"title", "Call Acme"}}), "AUTO_EXECUTED");
  // Available as soon as the gate decided, before any outcome.
  Json early = Explain("p1");
  EXPECT_EQ(early["why"]["path"], "POLICY_AUTO_EXECUTED");
  EXPECT_EQ(early["why"]["execution_status"], "PENDING");
  EXPECT_TRUE(early["outcome"].is_null());
  ASSERT_EQ(RunDue(), 1);
  Json ex = Explain("p1", "acct-1");
  const Json& why = ex["why"];
  EXPECT_EQ(why["path"], "POLICY_AUTO_EXECUTED");
  EXPECT_EQ(why["approval_source"], "POLICY");
  EXPECT_EQ(why["approved_by"], "AutoApprovalPolicyV1");
  EXPECT_EQ(why["execution_status"], "SUCCEEDED");
  EXPECT_EQ(why["gate"]["result"], "AUTO_EXECUTED");
  EXPECT_EQ(why["gate"]["reason"], "AUTO_EXECUTE_ALLOWED");
  EXPECT_EQ(why["gate"]["decided_at"], FormatTimestamp(kNow));
  EXPECT_EQ(ex["which_policy"]["policy_version"], "AutoApprovalPolicyV1");
  EXPECT_EQ(ex["which_policy"]["policy_clause"], "V1.7 auto_execute");
  const Json& knew = ex["what_it_knew"];
  EXPECT_EQ(knew["mode"]["mode"], "AUTO_EXECUTE");
  EXPECT_EQ(knew["mode"]["source"], "tenant+type");
  EXPECT_EQ(knew["allowlist"]["allowlisted"], true);
  EXPECT_EQ(knew["budget"]["limit"], 1000);
  EXPECT_EQ(knew["budget"]["used"], 0);
  EXPECT_EQ(knew["kill_switches"]["execution_enabled"], true);
  EXPECT_EQ(knew["confidence_score"], 0.9);
  EXPECT_EQ(knew["confidence_threshold"]["effective"], 0.7);
  EXPECT_EQ(knew["registry_risk_class"], "LOW");
  EXPECT_EQ(knew["recorded_steps"].size(), 4u);
  EXPECT_EQ(knew["parameters"]["title"], "Call Acme");
  EXPECT_EQ(ex["outcome"]["status"], "SUCCEEDED");
  EXPECT_EQ(ex["outcome"]["auto_executed"], true);
  EXPECT_EQ(EventTypes(ex),
            (std::vector<std::string>{"INTENT_CREATED", "POLICY_EVALUATED", "ACTION_APPROVED",
                                      "EXECUTION_STARTED", "ACTION_EXECUTED"}));
  for (size_t i = 1; i < ex["timeline"].size(); ++i) {
    EXPECT_LT(ex["timeline"][i - 1]["seq"], ex["timeline"][i]["seq"]);
  }
  const Json& cf = ex["counterfactual"];
  EXPECT_EQ(cf["available"], true);
  EXPECT_EQ(cf["replay_matches"], true);
  EXPECT_EQ(cf["recorded_result"], "AUTO_EXECUTED");
  EXPECT_ITEM(ex, "Would require approval if a kill switch were on.");
  EXPECT_ITEM(ex, "Would require approval if CREATE_INTERNAL_TASK were not on the allowlist.");
  EXPECT_ITEM(ex,
              "Would require approval if the account's mode were APPROVAL_REQUIRED or "
              "PROPOSE_ONLY.");
  EXPECT_ITEM(ex, "Would be blocked if the account's mode were DISABLED.");
  EXPECT_ITEM(ex, "Would require approval if the intent's risk level were MEDIUM or higher.");
  EXPECT_ITEM(ex, "Would require approval if the confidence were below 0.70 (it was 0.90).");
  EXPECT_ITEM(ex,
              "Would require approval if the daily budget had been used up (1000 of 1000 "
              "remained before this action).");
  // Later configuration changes never rewrite the explanation.
  Config(cfg_->PutMode(admin_, {{"action_type", kTask}, {"mode", "APPROVAL_REQUIRED"}}, &out_));
  Config(cfg_->PutPolicy(admin_, {{"confidence_threshold", 0.95}}, &out_));
  EXPECT_EQ(Explain("p1", "acct-1"), ex);
}

TEST_F(AuditViewsTest, HumanApprovedWouldAutoExecuteUnderAutoExecuteMode) {
  ASSERT_EQ(Create("h1", kNote, {{"title", "Renewal notes"}}), "REQUIRE_APPROVAL");
  EXPECT_EQ(Explain("h1")["why"]["path"], "REQUIRES_APPROVAL");
  Approve("h1");
  EXPECT_EQ(Explain("h1")["why"]["execution_status"], "PENDING");
  ASSERT_EQ(RunDue(), 1);
  // A later gate call on the finished intent only records a refusal; it does not replace the
  // decision being explained.
  Json gate;
  ASSERT_TRUE(
      autonomy_->Gate(agent_, {{"action_intent_id", "h1"}, {"account_id", "acct-1"}}, &gate).ok());
  EXPECT_EQ(gate["reason"], "INTENT_NOT_PENDING");
  Json ex = Explain("h1");
  EXPECT_EQ(ex["why"]["path"], "HUMAN_APPROVED");
  EXPECT_EQ(ex["why"]["approved_by"], "bob-approver");
  EXPECT_EQ(ex["why"]["gate"]["reason"], "TENANT_POLICY");
  EXPECT_EQ(ex["why"]["gate"]["evaluations"], 2);
  EXPECT_EQ(ex["which_policy"]["policy_clause"], "V1.3 mode=APPROVAL_REQUIRED");
  EXPECT_EQ(ex["what_it_knew"]["mode"]["mode"], "APPROVAL_REQUIRED");
  EXPECT_EQ(ex["what_it_knew"]["mode"]["source"], "default");
  EXPECT_TRUE(ex["what_it_knew"]["budget"].is_null());  // the gate stopped before the budget
  EXPECT_EQ(ex["outcome"]["approval_source"], "HUMAN");
  EXPECT_EQ(ex["outcome"]["taxonomy"], "EXECUTION_SUCCEEDED");
  Json item = Item(ex,
                   "Would auto-execute if the account's mode were AUTO_EXECUTE (it was "
                   "APPROVAL_REQUIRED).");
  ASSERT_TRUE(item.is_object()) << ex["counterfactual"].dump(2);
  EXPECT_EQ(item["would_result"], "AUTO_EXECUTED");
  EXPECT_EQ(item["tenant_can_change"], true);
  EXPECT_EQ(item["unchecked_steps"], Json::array({"budget"}));
  EXPECT_EQ(item["change"]["input"], "mode");
}

TEST_F(AuditViewsTest, HumanEditedKeepsBothParameterSetsAndNeedsTwoChanges) {
  ASSERT_EQ(Create("e1", kNote, {{"title", "Draft"}}, 0.5), "REQUIRE_APPROVAL");
  Approve("e1", "acct-1", {{"title", "Final"}, {"body", "Call Acme on Monday"}});
  ASSERT_EQ(RunDue(), 1);
  Json ex = Explain("e1");
  EXPECT_EQ(ex["why"]["path"], "HUMAN_EDITED");
  EXPECT_EQ(ex["why"]["edited_fields"], Json::array({"body", "title"}));
  EXPECT_EQ(ex["what_it_knew"]["parameters"]["title"], "Final");
  EXPECT_EQ(ex["what_it_knew"]["original_parameters"], Json({{"title", "Draft"}}));
  EXPECT_EQ(ex["what_it_knew"]["edits"].size(), 2u);
  EXPECT_EQ(ex["outcome"]["taxonomy"], "IDEA_EDITED");
  EXPECT_ITEM(ex,
              "Would still require approval if the account's mode were AUTO_EXECUTE (it was "
              "APPROVAL_REQUIRED): The confidence 0.5 is below the threshold 0.7.");
  EXPECT_ITEM(ex,
              "Would still require approval if the confidence were at least 0.70 (it was "
              "0.50): The autonomy mode is APPROVAL_REQUIRED: every action of this type "
              "needs a person's approval.");
  EXPECT_ITEM(ex,
              "Would auto-execute only if all of these changed together: the account's mode "
              "were AUTO_EXECUTE (it was APPROVAL_REQUIRED); the confidence were at least "
              "0.70 (it was 0.50).");
}

TEST_F(AuditViewsTest, RejectedSaysWhoAndWhy) {
  ASSERT_EQ(Create("r1", kNote, {{"title", "Ping"}}), "REQUIRE_APPROVAL");
  Reject("r1", "Not now");
  Json ex = Explain("r1");
  EXPECT_EQ(ex["why"]["path"], "REJECTED");
  EXPECT_EQ(ex["why"]["path_explanation"], "bob-approver rejected it: Not now");
  EXPECT_EQ(ex["why"]["rejected_by"], "bob-approver");
  EXPECT_EQ(ex["why"]["rejection_reason"], "Not now");
  EXPECT_EQ(ex["outcome"]["taxonomy"], "IDEA_REJECTED");
  EXPECT_ITEM(ex,
              "Would auto-execute if the account's mode were AUTO_EXECUTE (it was "
              "APPROVAL_REQUIRED).");
}

TEST_F(AuditViewsTest, BlockedByADisabledMode) {
  Config(cfg_->PutMode(
      admin_, {{"account_id", "acct-1"}, {"action_type", "FLAG_FOR_REVIEW"}, {"mode", "DISABLED"}},
      &out_));
  ASSERT_EQ(Create("b1", "FLAG_FOR_REVIEW", Json::object()), "BLOCKED");
  Json ex = Explain("b1");
  EXPECT_EQ(ex["why"]["path"], "BLOCKED");
  EXPECT_EQ(ex["why"]["gate"]["reason"], "ACTION_TYPE_DISABLED");
  EXPECT_EQ(ex["what_it_knew"]["mode"]["source"], "account+type");
  EXPECT_EQ(ex["which_policy"]["policy_clause"], "V1.1 mode=DISABLED");
  EXPECT_ITEM(ex, "Would auto-execute if the account's mode were AUTO_EXECUTE (it was DISABLED).");
  EXPECT_ITEM(ex,
              "Would require approval if the account's mode were APPROVAL_REQUIRED (it was "
              "DISABLED).");
}

TEST_F(AuditViewsTest, ExternalContactAndRegistryRiskNeverAutoExecute) {
  Config(cfg_->PutMode(admin_, {{"action_type", "SEND_EMAIL"}, {"mode", "AUTO_EXECUTE"}}, &out_));
  ASSERT_EQ(Create("x1", "SEND_EMAIL", {{"to", "cfo@acme.example"}}, 0.99), "REQUIRE_APPROVAL");
  Json ex = Explain("x1");
  EXPECT_EQ(ex["why"]["path"], "REQUIRES_APPROVAL");
  EXPECT_EQ(ex["why"]["gate"]["reason"], "EXTERNAL_CONTACT");
  Json contact = Item(ex,
                      "Never auto-executes: external contact. SEND_EMAIL reaches someone "
                      "outside the company, so a person always decides.");
  ASSERT_TRUE(contact.is_object()) << ex["counterfactual"].dump(2);
  EXPECT_EQ(contact["tenant_can_change"], false);
  EXPECT_ITEM(ex,
              "Never auto-executes: risk HIGH from the registry. Only MINIMAL and LOW risk "
              "actions may run autonomously.");
  for (const auto& item : ex["counterfactual"]["items"]) {
    EXPECT_NE(item["would_result"], "AUTO_EXECUTED") << item.dump();
  }
}

TEST_F(AuditViewsTest, BudgetDeniedSaysHowManyUnitsWereMissing) {
  Config(cfg_->PutBudget(admin_, {{"account_id", "acct-2"}, {"max_autonomous_per_day", 1}}, &out_));
  ASSERT_EQ(Create("d1", kTask, {{"title", "a"}}, 0.9, "acct-2"), "AUTO_EXECUTED");
  ASSERT_EQ(Create("d2", kTask, {{"title", "b"}}, 0.9, "acct-2"), "REQUIRE_APPROVAL");
  Json ex = Explain("d2");
  EXPECT_EQ(ex["why"]["path"], "BUDGET_DENIED");
  EXPECT_EQ(ex["what_it_knew"]["budget"]["limit"], 1);
  EXPECT_EQ(ex["what_it_knew"]["budget"]["used"], 1);
  EXPECT_ITEM(ex, "Would auto-execute if 1 more budget unit remained (1 of 1 used on 2026-11-24).");

  ASSERT_EQ(Create("d3", kTask, {{"title", "c"}}, 0.9, "acct-3"), "REQUIRE_APPROVAL");
  Json none = Explain("d3");
  EXPECT_EQ(none["why"]["path"], "BUDGET_DENIED");
  EXPECT_EQ(none["why"]["gate"]["reason"], "BUDGET_NOT_CONFIGURED");
  EXPECT_ITEM(none, "Would auto-execute if an autonomy budget were configured for this account.");

  Config(cfg_->PutBudget(admin_,
                         {{"account_id", "acct-4"},
                          {"max_autonomous_per_day", 10},
                          {"max_per_action_type", {{kTask, 0}}}},
                         &out_));
  ASSERT_EQ(Create("d4", kTask, {{"title", "d"}}, 0.9, "acct-4"), "REQUIRE_APPROVAL");
  EXPECT_ITEM(Explain("d4"),
              "Would auto-execute if 1 more CREATE_INTERNAL_TASK budget unit "
              "remained (0 of 0 used on 2026-11-24).");
}

TEST_F(AuditViewsTest, ExpiredWhileWaiting) {
  ASSERT_EQ(Create("x1", kNote, {{"title", "Soon"}}, 0.9, "acct-1", {{"ttl_seconds", 60}}),
            "REQUIRE_APPROVAL");
  clock_.Advance(120 * kMsPerSecond);
  ASSERT_EQ(*svc_->SweepExpired(), 1);
  Json ex = Explain("x1");
  EXPECT_EQ(ex["why"]["path"], "EXPIRED");
  EXPECT_EQ(ex["why"]["path_explanation"], "It expired before it was decided.");
  EXPECT_EQ(ex["why"]["expiry"]["expires_at"], "2026-11-24T06:01:00.000Z");
  EXPECT_EQ(ex["why"]["expiry"]["previous_status"], "AWAITING_APPROVAL");
  EXPECT_EQ(ex["outcome"]["status"], "EXPIRED");
  EXPECT_ITEM(ex,
              "Would have run if someone had approved it before it expired at "
              "2026-11-24T06:01:00.000Z.");
  EXPECT_ITEM(ex,
              "Would auto-execute if the account's mode were AUTO_EXECUTE (it was "
              "APPROVAL_REQUIRED).");
}

TEST_F(AuditViewsTest, CancelledByAKillSwitchAtExecution) {
  ASSERT_EQ(Create("k1", kTask, {{"title", "Call"}}), "AUTO_EXECUTED");
  Config(cfg_->PutKillSwitches(admin_, {{"execution_enabled", false}}, &out_));
  ASSERT_EQ(RunDue(), 1);
  Json ex = Explain("k1");
  EXPECT_EQ(ex["why"]["path"], "CANCELLED");
  EXPECT_EQ(ex["why"]["cancellation"]["reason"], "KILL_SWITCH");
  EXPECT_EQ(ex["why"]["cancellation"]["kill_switches"]["execution_enabled"], false);
  EXPECT_EQ(ex["outcome"]["status"], "CANCELLED");
  const Json& first = ex["counterfactual"]["items"][0];
  EXPECT_EQ(first["explanation"],
            "Would auto-execute if the kill switch were off: the gate "
            "approved it, and a kill switch cancelled it just before it ran.");
  EXPECT_EQ(first["would_result"], "EXECUTED");

  // With the switch still on, the gate itself stops at step 4 and records nothing later.
  ASSERT_EQ(Create("k2", kTask, {{"title", "Call"}}), "REQUIRE_APPROVAL");
  Json stopped = Explain("k2");
  EXPECT_EQ(stopped["why"]["path"], "REQUIRES_APPROVAL");
  EXPECT_EQ(stopped["what_it_knew"]["recorded_steps"], Json::array({"kill_switches"}));
  Json item = Item(stopped,
                   "Cannot tell what would happen if the kill switch were off: the gate "
                   "stopped before the allowlist, policy, budget step, so those inputs "
                   "were never recorded.");
  ASSERT_TRUE(item.is_object()) << stopped["counterfactual"].dump(2);
  EXPECT_EQ(item["would_result"], "NOT_DETERMINED");
}

TEST_F(AuditViewsTest, FailedForWantOfAConnector) {
  Config(cfg_->PutMode(admin_, {{"action_type", "CREATE_OPPORTUNITY"}, {"mode", "AUTO_EXECUTE"}},
                       &out_));
  ASSERT_EQ(Create("f1", "CREATE_OPPORTUNITY", {{"name", "Renewal 2027"}}), "REQUIRE_APPROVAL");
  Approve("f1");
  ASSERT_EQ(RunDue(), 1);
  Json ex = Explain("f1");
  EXPECT_EQ(ex["why"]["path"], "FAILED");
  EXPECT_EQ(ex["why"]["gate"]["reason"], "RISK_LEVEL_HIGH");
  EXPECT_EQ(ex["outcome"]["error_code"], "CONNECTOR_NOT_CONFIGURED");
  EXPECT_EQ(ex["outcome"]["error_class"], "VALIDATION");
  EXPECT_ITEM(ex,
              "Would have been sent if a connector for CREATE_OPPORTUNITY were configured (no "
              "connector of kind http is available).");
  EXPECT_ITEM(ex,
              "Never auto-executes: risk MEDIUM from the registry. Only MINIMAL and LOW risk "
              "actions may run autonomously.");
}

TEST_F(AuditViewsTest, NotFoundAcrossTenantsAndAccountsAndBadIds) {
  Create("n1", kTask, {{"title", "x"}});
  Json out;
  EXPECT_EQ(explanation_->Explain({"tenant-b", "eve"}, "n1", "", &out).code(), Code::kNotFound);
  EXPECT_EQ(explanation_->Explain(agent_, "n1", "acct-9", &out).code(), Code::kNotFound);
  EXPECT_EQ(explanation_->Explain(agent_, "missing", "", &out).code(), Code::kNotFound);
  EXPECT_EQ(explanation_->Explain(agent_, "bad id!", "", &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(explanation_->Explain(agent_, "n1", "bad account", &out).code(),
            Code::kInvalidArgument);
}

TEST_F(AuditViewsTest, AnIntentNeverGatedSaysSo) {
  ASSERT_EQ(Create("g0", kTask, {{"title", "x"}}, 0.9, "acct-1", Json::object(), false),
            "PROPOSED");
  Json ex = Explain("g0");
  EXPECT_EQ(ex["why"]["path"], "NOT_GATED");
  EXPECT_EQ(ex["why"]["gated"], false);
  EXPECT_TRUE(ex["why"]["gate"].is_null());
  EXPECT_TRUE(ex["which_policy"].is_null());
  EXPECT_EQ(ex["counterfactual"]["available"], false);
  EXPECT_EQ(ex["counterfactual"]["explanation"],
            "The gate never evaluated this intent, so there "
            "are no recorded inputs to replay.");
  EXPECT_TRUE(ex["counterfactual"]["items"].empty());
  EXPECT_EQ(EventTypes(ex), std::vector<std::string>{"INTENT_CREATED"});
  Approve("g0");  // a person may approve an intent the gate never saw
  Json approved = Explain("g0");
  EXPECT_EQ(approved["why"]["path"], "HUMAN_APPROVED");
  EXPECT_EQ(approved["why"]["gated"], false);
}

TEST_F(AuditViewsTest, DigestOfOneLocalDay) {
  EnableDigest({"acct-1"});
  Config(cfg_->PutBudget(admin_,
                         {{"account_id", "acct-1"},
                          {"max_autonomous_per_day", 1000},
                          {"timezone", "America/New_York"}},
                         &out_));
  Config(cfg_->PutMode(
      admin_, {{"account_id", "acct-1"}, {"action_type", "FLAG_FOR_REVIEW"}, {"mode", "DISABLED"}},
      &out_));
  clock_.Set(Ms("2026-11-24T03:00:00Z"));  // 22:00 on the 23rd in New York
  ASSERT_EQ(Create("y1", kTask, {{"title", "late"}}), "AUTO_EXECUTED");
  ASSERT_EQ(RunDue(), 1);
  clock_.Set(Ms("2026-11-24T15:00:00Z"));  // 10:00 on the 24th
  ASSERT_EQ(Create("a1", kTask, {{"title", "Call Acme"}}), "AUTO_EXECUTED");
  ASSERT_EQ(Create("w1", kNote, {{"title", "Check"}}), "REQUIRE_APPROVAL");
  ASSERT_EQ(Create("b1", "FLAG_FOR_REVIEW", Json::object()), "BLOCKED");
  ASSERT_EQ(Create("f1", "CREATE_OPPORTUNITY", {{"name", "Upsell"}}), "REQUIRE_APPROVAL");
  Approve("f1");
  ASSERT_EQ(Create("o1", kTask, {{"title", "other account"}}, 0.9, "acct-2"), "REQUIRE_APPROVAL");
  ASSERT_EQ(RunDue(), 2);
  clock_.Advance(60 * kMsPerSecond);
  ASSERT_EQ(Create("k1", kTask, {{"title", "stopped"}}), "AUTO_EXECUTED");
  Config(cfg_->PutKillSwitches(admin_, {{"execution_enabled", false}}, &out_));
  ASSERT_EQ(RunDue(), 1);

  Json d = DigestOf("acct-1", "2026-11-24");
  EXPECT_EQ(d["timezone"], "America/New_York");
  EXPECT_EQ(d["from"], "2026-11-24T05:00:00.000Z");
  EXPECT_EQ(d["to"], "2026-11-25T05:00:00.000Z");
  ASSERT_EQ(d["autopilot"].size(), 2u) << d.dump(2);
  EXPECT_EQ(d["autopilot"][0]["action_intent_id"], "a1");
  EXPECT_EQ(d["autopilot"][0]["status"], "SUCCEEDED");
  EXPECT_EQ(d["autopilot"][0]["taxonomy"], "EXECUTION_SUCCEEDED");
  EXPECT_EQ(d["autopilot"][0]["refs"].size(), 1u);
  EXPECT_EQ(d["autopilot"][1]["action_intent_id"], "k1");
  EXPECT_EQ(d["autopilot"][1]["status"], "CANCELLED");
  ASSERT_EQ(d["awaiting_approval"].size(), 1u);
  EXPECT_EQ(d["awaiting_approval"][0]["action_intent_id"], "w1");
  EXPECT_EQ(d["awaiting_approval"][0]["reason"], "TENANT_POLICY");
  ASSERT_EQ(d["blocked"].size(), 2u);
  EXPECT_EQ(d["blocked"][0]["action_intent_id"], "b1");
  EXPECT_EQ(d["blocked"][0]["reason"], "ACTION_TYPE_DISABLED");
  EXPECT_EQ(d["blocked"][1]["action_intent_id"], "k1");
  EXPECT_EQ(d["blocked"][1]["reason"], "KILL_SWITCH");
  ASSERT_EQ(d["failures"].size(), 1u);
  EXPECT_EQ(d["failures"][0]["action_intent_id"], "f1");
  EXPECT_EQ(d["failures"][0]["error_code"], "CONNECTOR_NOT_CONFIGURED");
  EXPECT_EQ(d["failures"][0]["approval_source"], "HUMAN");
  EXPECT_EQ(d["budget"], Json({{"configured", true},
                               {"day", "2026-11-24"},
                               {"limit", 1000},
                               {"used", 2},
                               {"remaining", 998},
                               {"per_action_type", {{kTask, {{"limit", nullptr}, {"used", 2}}}}}}));
  EXPECT_EQ(d["kill_switches"]["execution_enabled"], false);
  EXPECT_EQ(d["counts"], Json({{"auto_executed", 2},
                               {"awaiting_approval", 1},
                               {"blocked", 2},
                               {"cancelled", 1},
                               {"expired", 0},
                               {"failed", 1},
                               {"rejected", 0},
                               {"succeeded", 1}}));
  EXPECT_EQ(d["truncated"], false);

  Json before = DigestOf("acct-1", "2026-11-23");
  ASSERT_EQ(before["autopilot"].size(), 1u);
  EXPECT_EQ(before["autopilot"][0]["action_intent_id"], "y1");
  EXPECT_EQ(before["budget"]["used"], 1);
  EXPECT_EQ(DigestOf("acct-1", "")["date"], "2026-11-24");  // today in New York
  EXPECT_EQ(DigestOf("acct-2", "2026-11-24")["awaiting_approval"].size(), 1u);
  Json out;
  EXPECT_EQ(digest_->Get(admin_, "acct-1", "2026-13-01", &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(digest_->Get(admin_, "bad account", "", &out).code(), Code::kInvalidArgument);
}

TEST_F(AuditViewsTest, DailyDigestIsSentOncePerOptedInAccountPerLocalDay) {
  EnableDigest({"acct-1", "acct-3"});
  Config(decisions_->PutOptIn(admin_, {{"account_id", "acct-2"}, {"opted_in", false}}, &out_));
  clock_.Set(Ms("2026-11-24T15:00:00Z"));
  ASSERT_EQ(Create("a1", kTask, {{"title", "Call Acme"}}), "AUTO_EXECUTED");
  ASSERT_EQ(RunDue(), 1);

  clock_.Set(Ms("2026-11-25T12:30:00Z"));  // 07:30 in New York: before the hour
  EXPECT_EQ(*digest_->SendDue(), 0);
  clock_.Set(Ms("2026-11-25T13:05:00Z"));  // 08:05
  EXPECT_EQ(*digest_->SendDue(), 2);
  EXPECT_EQ(*digest_->SendDue(), 0);
  Digest node2(store_.get(), &clock_);
  EXPECT_EQ(*node2.SendDue(), 0);
  std::vector<Json> events = DigestEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["account_id"], "acct-1");
  EXPECT_EQ(events[1]["account_id"], "acct-3");
  EXPECT_EQ(events[0]["date"], "2026-11-24");
  EXPECT_EQ(events[0]["sent_on"], "2026-11-25");
  EXPECT_EQ(events[0]["autopilot"].size(), 1u);
  // The delivered digest is the one GET returns for that day.
  Json delivered = events[0];
  delivered.erase("sent_on");
  delivered.erase("sent_at");
  EXPECT_EQ(delivered, DigestOf("acct-1", "2026-11-24"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM digest_runs WHERE day = '2026-11-25'"), 2);

  // Through the periodic job: scheduled once, re-runs itself, sends the next day's digests.
  ASSERT_TRUE(digest_->ScheduleTick().ok());
  ASSERT_TRUE(node2.ScheduleTick().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'DIGEST_TICK' AND tenant_id = '_system'"),
            1);
  clock_.Set(Ms("2026-11-26T14:00:00Z"));
  std::vector<jobs::Job> claimed;
  ASSERT_TRUE(store_
                  ->Write([&](store::Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(claimed, jobs::Claim(t, "w", clock_.NowMs(), 60000, 10,
                                                                  {std::string(kJobDigestTick)}));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(claimed.size(), 1u);
  jobs::Outcome o = digest_->HandleTick(claimed[0], 60000);
  EXPECT_EQ(o.kind, jobs::Outcome::Kind::kRetryAt);
  EXPECT_EQ(o.run_at_ms, clock_.NowMs() + 60000);
  EXPECT_EQ(DigestEvents().size(), 4u);
  EXPECT_EQ(DigestEvents()[2]["date"], "2026-11-25");

  // Disabled: nothing more.
  Config(decisions_->PutDigestSettings(admin_, {{"enabled", false}}, &out_));
  clock_.Set(Ms("2026-11-27T14:00:00Z"));
  EXPECT_EQ(*digest_->SendDue(), 0);
  EXPECT_EQ(DigestEvents().size(), 4u);
}

TEST_F(AuditViewsTest, TwoNodesRacingSendEachDigestOnce) {
  std::vector<std::string> accounts;
  for (int i = 0; i < 12; ++i) accounts.push_back("acct-" + std::to_string(i));
  EnableDigest(accounts);
  clock_.Set(Ms("2026-11-25T14:00:00Z"));
  auto other = store::Open(Url());
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Digest a(store_.get(), &clock_), b(other->get(), &clock_);
  std::atomic<bool> go{false};
  std::atomic<int> sent{0};
  auto run = [&](Digest* d) {
    while (!go.load()) std::this_thread::yield();
    auto n = d->SendDue();
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    sent += *n;
  };
  std::thread t1(run, &a), t2(run, &b);
  go = true;
  t1.join();
  t2.join();
  EXPECT_EQ(sent.load(), 12);
  EXPECT_EQ(DigestEvents().size(), 12u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM digest_runs"), 12);
}

TEST_F(AuditViewsTest, InsightsCountTheCohortAndTheShadowEvidence) {
  clock_.Set(kNow - 40 * kMsPerDay);
  ASSERT_EQ(Create("old", kNote, {{"title", "old"}}), "REQUIRE_APPROVAL");
  clock_.Set(kNow);
  for (int i = 0; i < 20; ++i) {
    std::string id = "n" + std::to_string(i);
    ASSERT_EQ(Create(id, kNote, {{"title", id}}), "REQUIRE_APPROVAL");
    Approve(id);
  }
  Create("g", kNote, {{"title", "ungated"}}, 0.9, "acct-1", Json::object(), false);
  ASSERT_EQ(Create("low", kNote, {{"title", "x"}}, 0.5, "acct-2"), "REQUIRE_APPROVAL");
  Reject("low", "no", "acct-2");
  ASSERT_EQ(Create("ed", kNote, {{"title", "x"}}, 0.9, "acct-2"), "REQUIRE_APPROVAL");
  Approve("ed", "acct-2", {{"title", "y"}});
  ASSERT_EQ(Create("t1", kTask, {{"title", "x"}}), "AUTO_EXECUTED");
  ASSERT_EQ(Create("t2", kTask, {{"title", "x"}}), "AUTO_EXECUTED");
  ASSERT_EQ(Create("t3", kTask, {{"title", "x"}}, 0.9, "acct-3"), "REQUIRE_APPROVAL");  // no budget
  ASSERT_EQ(Create("m1", "SEND_EMAIL", {{"to", "x@example.com"}}), "REQUIRE_APPROVAL");
  ASSERT_GE(RunDue(), 1);

  Json out;
  ASSERT_TRUE(insights_->Get(admin_, "", kDefaultInsightDays, &out).ok());
  EXPECT_EQ(out["days"], 30);
  EXPECT_TRUE(out["action_type"].is_null());
  ASSERT_EQ(out["items"].size(), 5u) << out.dump(2);
  auto item = [&](const std::string& type, const std::string& account) {
    for (const auto& i : out["items"]) {
      if (i["action_type"] == type && i["account_id"] == account) return i;
    }
    return Json(nullptr);
  };
  Json notes = item(kNote, "acct-1");
  EXPECT_EQ(notes["proposed"], 21);
  EXPECT_EQ(notes["approved_unchanged"], 20);
  EXPECT_EQ(notes["approval_routed"], 20);
  EXPECT_EQ(notes["would_auto_execute"], 20);
  EXPECT_EQ(notes["rejected"], 0);
  EXPECT_EQ(notes["recommendation"]["code"], "CONSIDER_AUTO_EXECUTE");
  EXPECT_EQ(notes["recommendation"]["text"],
            "Consider AUTO_EXECUTE for CREATE_INTERNAL_NOTE on account acct-1: 21 proposed in the "
            "last 30 days, none rejected, edited or failed; the policy would have auto-executed 20 "
            "of the 20 that waited for approval.");
  Json mixed = item(kNote, "acct-2");
  EXPECT_EQ(mixed["proposed"], 2);
  EXPECT_EQ(mixed["rejected"], 1);
  EXPECT_EQ(mixed["edited"], 1);
  EXPECT_EQ(mixed["approval_routed"], 2);
  EXPECT_EQ(mixed["would_auto_execute"], 1);  // the 0.5 confidence one would still wait
  EXPECT_TRUE(mixed["recommendation"].is_null());
  EXPECT_EQ(item(kTask, "acct-1")["auto_executed"], 2);
  EXPECT_EQ(item(kTask, "acct-3")["would_auto_execute"], 1);  // the budget is ignored
  EXPECT_EQ(item("SEND_EMAIL", "acct-1")["approval_routed"], 1);
  EXPECT_EQ(item("SEND_EMAIL", "acct-1")["would_auto_execute"], 0);  // external contact
  EXPECT_EQ(out["totals"]["proposed"], 27);
  EXPECT_EQ(out["items"][0]["action_type"], kNote);  // ordered by (type, account)

  ASSERT_TRUE(insights_->Get(admin_, kNote, 90, &out).ok());
  ASSERT_EQ(out["items"].size(), 2u);
  EXPECT_EQ(out["items"][0]["proposed"], 22);
  ASSERT_TRUE(insights_->Get({"tenant-b", "eve"}, "", 30, &out).ok());
  EXPECT_TRUE(out["items"].empty());
  EXPECT_EQ(insights_->Get(admin_, "", 0, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(insights_->Get(admin_, "", 91, &out).code(), Code::kInvalidArgument);
  EXPECT_EQ(insights_->Get(admin_, "bad type", 30, &out).code(), Code::kInvalidArgument);
}

TEST_F(AuditViewsTest, InsightsPageThroughManyIntentsAndFlagBadAutonomy) {
  Config(
      cfg_->PutBudget(admin_, {{"account_id", "acct-6"}, {"max_autonomous_per_day", 1000}}, &out_));
  for (int i = 0; i < 450; ++i) {
    Create("f" + std::to_string(i), "FLAG_FOR_REVIEW", Json::object(), 0.9, "acct-5",
           Json::object(), false);
  }
  for (int i = 0; i < 20; ++i) {
    // Five of them lack the required title and fail validation at execution.
    Json params = i < 15 ? Json{{"title", "ok"}} : Json::object();
    ASSERT_EQ(Create("t" + std::to_string(i), kTask, params, 0.9, "acct-6"), "AUTO_EXECUTED");
  }
  while (RunDue() > 0) {
  }
  Json out;
  ASSERT_TRUE(insights_->Get(admin_, "", 30, &out).ok());
  ASSERT_EQ(out["items"].size(), 2u);
  EXPECT_EQ(out["items"][0]["action_type"], kTask);
  EXPECT_EQ(out["items"][0]["failed"], 5);
  EXPECT_EQ(out["items"][0]["recommendation"]["code"], "REVIEW_AUTONOMY");
  EXPECT_EQ(out["items"][0]["recommendation"]["text"],
            "Review autonomy for CREATE_INTERNAL_TASK on account acct-6: 5 of 20 proposed in the "
            "last 30 days were rejected, edited or failed while 20 ran autonomously.");
  EXPECT_EQ(out["items"][1]["proposed"], 450);
}

}  // namespace
}  // namespace steward::audit
