// Gate and intent service tests against a real SQLite store.
#include "autonomy/gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "common/json.h"
#include "jobs/job_queue.h"
#include "ledger/ledger.h"

namespace steward::autonomy {
namespace {

constexpr int64_t kNow = 1795500000000;  // 2026-11-24

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_gate_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::Open("sqlite://" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    svc_ = std::make_unique<AutonomyService>(store_.get(), &clock_, nullptr);
    cfg_ = std::make_unique<ConfigService>(store_.get(), &clock_);
  }
  void TearDown() override {
    svc_.reset();
    cfg_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Configure(int64_t budget, Json per_type = Json::object(),
                 std::string type = "CREATE_INTERNAL_TASK") {
    Json out;
    ASSERT_TRUE(cfg_->PutAllowlist(admin_, {{"action_types", {type, "FLAG_FOR_REVIEW"}}}, &out).ok());
    ASSERT_TRUE(cfg_->PutMode(admin_, {{"action_type", type}, {"mode", "AUTO_EXECUTE"}}, &out).ok());
    ASSERT_TRUE(cfg_->PutMode(admin_, {{"action_type", "FLAG_FOR_REVIEW"}, {"mode", "AUTO_EXECUTE"}}, &out).ok());
    Status st = cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", budget},
                                         {"max_per_action_type", per_type}}, &out);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  std::string Create(const std::string& id, Json extra = Json::object()) {
    Json body = {{"action_intent_id", id}, {"account_id", "acct-1"},
                 {"action_type", "CREATE_INTERNAL_TASK"}, {"parameters", {{"title", "t"}}},
                 {"confidence_score", 0.9}, {"gate", "none"}};
    for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = *it;
    Json out;
    bool created = false;
    Status st = svc_->CreateIntent(agent_, body, &out, &created);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return id;
  }

  Json Gate(const std::string& id, const std::string& account = "acct-1") {
    Json out;
    Status st = svc_->Gate(agent_, {{"action_intent_id", id}, {"account_id", account}}, &out);
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

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AutonomyService> svc_;
  std::unique_ptr<ConfigService> cfg_;
  Actor admin_{"tenant-a", "admin-1"};
  Actor agent_{"tenant-a", "agent-1"};
};

TEST_F(GateTest, AutoExecutesAndCommitsEverythingTogether) {
  Configure(5);
  Create("i1");
  Json g = Gate("i1");
  EXPECT_EQ(g["result"], "AUTO_EXECUTED");
  EXPECT_EQ(g["reason"], "AUTO_EXECUTE_ALLOWED");
  EXPECT_EQ(g["already_published"], false);
  EXPECT_EQ(g["policy"]["policy_version"], "AutoApprovalPolicyV1");
  EXPECT_EQ(g["budget"]["used"], 1);
  EXPECT_EQ(g["budget"]["remaining"], 4);
  Json intent;
  ASSERT_TRUE(svc_->GetIntent(agent_, "i1", &intent).ok());
  EXPECT_EQ(intent["status"], "APPROVED");
  EXPECT_EQ(intent["approval"]["source"], "POLICY");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs WHERE type = 'EXECUTE_INTENT'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE event_type = 'ACTION_APPROVED'"), 1);
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 1);
}

// The execution job's dedupe key: one per (intent, execution), and ordered by the intent's
// creation time before its id, so that new intents' jobs append to jobs_dedupe.
TEST(ExecuteJobDedupeKeyTest, OrderedByCreationThenIdAndDistinctPerExecution) {
  Intent older, newer;
  older.action_intent_id = "zzz";
  older.created_at = 1700000000000;
  newer.action_intent_id = "aaa";
  newer.created_at = 1700000000001;
  EXPECT_LT(ExecuteJobDedupeKey(older, 1), ExecuteJobDedupeKey(newer, 1));
  EXPECT_EQ(ExecuteJobDedupeKey(older, 1), ExecuteJobDedupeKey(older, 1));
  EXPECT_NE(ExecuteJobDedupeKey(older, 1), ExecuteJobDedupeKey(older, 2));
  EXPECT_EQ(ExecuteJobDedupeKey(older, 1), "0001700000000000:zzz#1");
  // A shorter time still sorts first: the time is zero-padded to a fixed width.
  Intent early = older;
  early.created_at = 999;
  EXPECT_LT(ExecuteJobDedupeKey(early, 1), ExecuteJobDedupeKey(older, 1));
}

TEST_F(GateTest, IdempotentOnTheIntent) {
  Configure(5);
  Create("i1");
  EXPECT_EQ(Gate("i1")["result"], "AUTO_EXECUTED");
  Json again = Gate("i1");
  EXPECT_EQ(again["result"], "AUTO_EXECUTED");
  EXPECT_EQ(again["already_published"], true);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 1);
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 1);
}

// GateAsync (the HTTP route on SQLite) answers as Gate does, after the commit: the decision, the
// idempotent repeat, and a bad body refused without a write.
TEST_F(GateTest, AsynchronousGateAnswersAsTheSynchronousOne) {
  ASSERT_TRUE(store_->async_writes());
  Configure(5);
  Create("i1");
  auto gate_async = [&](Json body, Json* out) {
    std::promise<AutonomyService::GateAnswer> answered;
    auto fut = answered.get_future();
    svc_->GateAsync(agent_, body,
                    [&](AutonomyService::GateAnswer a) { answered.set_value(std::move(a)); });
    return fut.get()(out);
  };
  Json first;
  ASSERT_TRUE(gate_async({{"action_intent_id", "i1"}, {"account_id", "acct-1"}}, &first).ok());
  EXPECT_EQ(first["result"], "AUTO_EXECUTED");
  EXPECT_EQ(first["already_published"], false);
  EXPECT_EQ(first["budget"]["used"], 1);
  Json again;
  ASSERT_TRUE(gate_async({{"action_intent_id", "i1"}, {"account_id", "acct-1"}}, &again).ok());
  EXPECT_EQ(again["already_published"], true);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 1);
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 1);

  const int64_t head = Count("SELECT COALESCE(MAX(seq), 0) FROM ledger");
  Json bad;
  EXPECT_EQ(gate_async({{"action_intent_id", "i1"}, {"account_id", 7}}, &bad).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      gate_async({{"action_intent_id", "i1"}, {"account_id", "acct-1"}, {"extra", 1}}, &bad).code(),
      Code::kInvalidArgument);
  EXPECT_EQ(
      gate_async({{"action_intent_id", "i1"}, {"account_id", "acct-1"}, {"tenant_id", "tenant-b"}},
                 &bad)
          .code(),
      Code::kPermissionDenied);
  EXPECT_EQ(Count("SELECT COALESCE(MAX(seq), 0) FROM ledger"), head);
  Json missing;
  ASSERT_TRUE(gate_async({{"action_intent_id", "nope"}, {"account_id", "acct-1"}}, &missing).ok());
  EXPECT_EQ(missing["result"], "REQUIRE_APPROVAL");
  EXPECT_EQ(missing["reason"], "INTENT_NOT_FOUND");
}

TEST_F(GateTest, ConcurrentDoubleCallsConsumeOnce) {
  Configure(100);
  for (int i = 0; i < 20; ++i) Create("d" + std::to_string(i));
  std::atomic<int> fresh{0}, repeat{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        Json g = Gate("d" + std::to_string(i));
        if (g["result"] == "AUTO_EXECUTED") (g["already_published"] == true ? repeat : fresh)++;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(fresh.load(), 20);
  EXPECT_EQ(repeat.load(), 60);
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 20);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 20);
}

TEST_F(GateTest, BudgetIsAtomicUnderEightThreads) {
  Configure(50);
  constexpr int kThreads = 8, kPer = 100;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPer; ++i) Create("b" + std::to_string(t) + "-" + std::to_string(i));
  }
  std::atomic<int> auto_executed{0}, exceeded{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        Json g = Gate("b" + std::to_string(t) + "-" + std::to_string(i));
        if (g["result"] == "AUTO_EXECUTED") auto_executed++;
        if (g["reason"] == "BUDGET_EXCEEDED") exceeded++;
      }
    });
  }
  for (auto& th : ts) th.join();
  EXPECT_EQ(auto_executed.load(), 50);
  EXPECT_EQ(exceeded.load(), kThreads * kPer - 50);
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 50);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 50);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intents WHERE status = 'AWAITING_APPROVAL'"),
            kThreads * kPer - 50);
}

TEST_F(GateTest, PerTypeCapsHoldIncludingZero) {
  Configure(10, {{"CREATE_INTERNAL_TASK", 2}, {"FLAG_FOR_REVIEW", 0}});
  for (int i = 0; i < 4; ++i) Create("c" + std::to_string(i));
  EXPECT_EQ(Gate("c0")["result"], "AUTO_EXECUTED");
  EXPECT_EQ(Gate("c1")["result"], "AUTO_EXECUTED");
  Json g = Gate("c2");
  EXPECT_EQ(g["result"], "REQUIRE_APPROVAL");
  EXPECT_EQ(g["reason"], "BUDGET_EXCEEDED");
  Create("f0", {{"action_type", "FLAG_FOR_REVIEW"}});
  EXPECT_EQ(Gate("f0")["reason"], "BUDGET_EXCEEDED");
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE action_type = '*'"), 2);
}

TEST_F(GateTest, ZeroDailyBudgetFallsBack) {
  Configure(0);
  Create("z");
  Json g = Gate("z");
  EXPECT_EQ(g["result"], "REQUIRE_APPROVAL");
  EXPECT_EQ(g["reason"], "BUDGET_EXCEEDED");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  Json intent;
  ASSERT_TRUE(svc_->GetIntent(agent_, "z", &intent).ok());
  EXPECT_EQ(intent["status"], "AWAITING_APPROVAL");
}

TEST_F(GateTest, EveryStopReason) {
  // Nothing configured: no allowlist.
  Create("n1");
  EXPECT_EQ(Gate("n1")["reason"], "ACTION_TYPE_NOT_ALLOWLISTED");
  EXPECT_EQ(Gate("missing")["reason"], "INTENT_NOT_FOUND");
  EXPECT_EQ(Gate("n1", "other-acct")["reason"], "INTENT_NOT_FOUND");
  Json out;
  ASSERT_TRUE(cfg_->PutAllowlist(admin_, {{"action_types", {"CREATE_INTERNAL_TASK", "SEND_EMAIL"}}}, &out).ok());
  // Allowlisted but mode unset → APPROVAL_REQUIRED default.
  EXPECT_EQ(Gate("n1")["reason"], "TENANT_POLICY");
  ASSERT_TRUE(cfg_->PutMode(admin_, {{"mode", "AUTO_EXECUTE"}}, &out).ok());
  EXPECT_EQ(Gate("n1")["reason"], "BUDGET_NOT_CONFIGURED");
  ASSERT_TRUE(cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", 5}}, &out).ok());
  Create("low", {{"confidence_score", 0.6999}});
  EXPECT_EQ(Gate("low")["reason"], "CONFIDENCE_BELOW_THRESHOLD");
  Create("risky", {{"risk_level", "HIGH"}});
  EXPECT_EQ(Gate("risky")["reason"], "RISK_LEVEL_HIGH");
  Create("email", {{"action_type", "SEND_EMAIL"}, {"parameters", Json::object()}, {"confidence_score", 1.0}});
  EXPECT_EQ(Gate("email")["reason"], "EXTERNAL_CONTACT");
  // Account override: PROPOSE_ONLY for this account.
  ASSERT_TRUE(cfg_->PutMode(admin_, {{"account_id", "acct-1"}, {"mode", "PROPOSE_ONLY"}}, &out).ok());
  Create("p");
  EXPECT_EQ(Gate("p")["reason"], "PROPOSE_ONLY");
  // account+type beats account+DEFAULT.
  ASSERT_TRUE(cfg_->PutMode(admin_, {{"account_id", "acct-1"}, {"action_type", "CREATE_INTERNAL_TASK"}, {"mode", "DISABLED"}}, &out).ok());
  Create("blk");
  Json b = Gate("blk");
  EXPECT_EQ(b["result"], "BLOCKED");
  EXPECT_EQ(b["reason"], "ACTION_TYPE_DISABLED");
  EXPECT_EQ(Gate("blk")["reason"], "INTENT_NOT_PENDING");
  ASSERT_TRUE(cfg_->DeleteMode(admin_, {"acct-1", "CREATE_INTERNAL_TASK", "", ""}, &out).ok());
  ASSERT_TRUE(cfg_->DeleteMode(admin_, {"acct-1", "", "", ""}, &out).ok());
  // Kill switch.
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"autonomy_enabled", false}}, &out).ok());
  Create("k");
  EXPECT_EQ(Gate("k")["reason"], "KILL_SWITCH");
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"autonomy_enabled", true}, {"disabled_action_types", {"CREATE_INTERNAL_TASK"}}}, &out).ok());
  EXPECT_EQ(Gate("k")["reason"], "KILL_SWITCH");
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"disabled_action_types", Json::array()}}, &out).ok());
  ASSERT_TRUE(cfg_->PutEmergencyStop(admin_, {{"engaged", true}}, &out).ok());
  EXPECT_EQ(Gate("k")["reason"], "KILL_SWITCH");
  ASSERT_TRUE(cfg_->PutEmergencyStop(admin_, {{"engaged", false}}, &out).ok());
  EXPECT_EQ(Gate("k")["result"], "AUTO_EXECUTED");
  // Expiry.
  Create("exp", {{"ttl_seconds", 10}});
  clock_.Advance(11000);
  EXPECT_EQ(Gate("exp")["reason"], "INTENT_EXPIRED");
  // An account allowlist, even empty, replaces the tenant's.
  ASSERT_TRUE(cfg_->PutAllowlist(admin_, {{"account_id", "acct-1"}, {"action_types", Json::array()}}, &out).ok());
  Create("al");
  EXPECT_EQ(Gate("al")["reason"], "ACTION_TYPE_NOT_ALLOWLISTED");
  ASSERT_TRUE(cfg_->DeleteAllowlist(admin_, {"acct-1", "", "", ""}, &out).ok());
  EXPECT_EQ(Gate("al")["result"], "AUTO_EXECUTED");
}

// The configuration cache answers only at the versions it read: every change, committed through
// the config service or rolled back inside a transaction that used the cache, is seen at once.
TEST_F(GateTest, ConfigurationCacheNeverServesAStaleConfiguration) {
  Configure(100);
  GateConfigCache cache;
  auto gate = [&](const std::string& id) {
    GateOutcome o;
    Status st = store_->Write([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(o, RunGate(txn, "tenant-a", "acct-1", id, "agent-1", kNow, &cache));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return o.result + "/" + o.reason;
  };
  Json out;
  Create("c1");
  EXPECT_EQ(gate("c1"), "AUTO_EXECUTED/AUTO_EXECUTE_ALLOWED");
  ASSERT_TRUE(cfg_->PutPolicy(admin_, {{"confidence_threshold", 0.95}}, &out).ok());
  Create("c2");
  EXPECT_EQ(gate("c2"), "REQUIRE_APPROVAL/CONFIDENCE_BELOW_THRESHOLD");
  ASSERT_TRUE(cfg_->PutPolicy(admin_, {{"confidence_threshold", 0.7}}, &out).ok());
  Create("c3");
  EXPECT_EQ(gate("c3"), "AUTO_EXECUTED/AUTO_EXECUTE_ALLOWED");
  ASSERT_TRUE(cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", 2}}, &out).ok());
  Create("c4");
  EXPECT_EQ(gate("c4"), "REQUIRE_APPROVAL/BUDGET_EXCEEDED");
  ASSERT_TRUE(cfg_->PutBudget(admin_, {{"account_id", "acct-1"}, {"max_autonomous_per_day", 100}}, &out).ok());

  // A transaction switches autonomy off, runs the gate with the cache (which must see the switch
  // and caches that configuration), then rolls back.
  Create("c5");
  Status st = store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_RETURN_IF_ERROR(txn.Exec("INSERT INTO kill_switches (tenant_id, autonomy_enabled, "
                                     "updated_at, updated_by) VALUES ('tenant-a', 0, 0, 'x')")
                                .status());
    STEWARD_ASSIGN_OR_RETURN(GateOutcome o,
                             RunGate(txn, "tenant-a", "acct-1", "c5", "agent-1", kNow, &cache));
    EXPECT_EQ(o.reason, "KILL_SWITCH");
    return Status::Internal("roll back");
  });
  ASSERT_FALSE(st.ok());
  // The switch never happened. A committed write of the same table follows at once: the
  // configuration it makes must not be confused with the one cached in the rolled-back
  // transaction (a version counter that the rollback took back and the write reused would be).
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"autonomy_enabled", true}}, &out).ok());
  EXPECT_EQ(gate("c5"), "AUTO_EXECUTED/AUTO_EXECUTE_ALLOWED");
  ASSERT_TRUE(cfg_->PutKillSwitches(admin_, {{"autonomy_enabled", false}}, &out).ok());
  Create("c6");
  EXPECT_EQ(gate("c6"), "REQUIRE_APPROVAL/KILL_SWITCH");
}

TEST_F(GateTest, TenantThresholdNeverBelowRegistryAndPolicySetting) {
  Configure(10);
  Json out;
  ASSERT_TRUE(cfg_->PutPolicy(admin_, {{"confidence_threshold", 0.95}}, &out).ok());
  Create("t1");  // 0.9
  EXPECT_EQ(Gate("t1")["reason"], "CONFIDENCE_BELOW_THRESHOLD");
  Create("t2", {{"confidence_score", 0.95}});
  EXPECT_EQ(Gate("t2")["result"], "AUTO_EXECUTED");
}

TEST_F(GateTest, IntentCreationValidatesAndIsIdempotent) {
  Json out;
  bool created = false;
  auto create = [&](Json body) { return svc_->CreateIntent(agent_, body, &out, &created); };
  Json base = {{"action_intent_id", "x1"}, {"account_id", "acct-1"},
               {"action_type", "CREATE_INTERNAL_TASK"}, {"gate", "none"}};
  for (auto [field, value] : std::vector<std::pair<std::string, Json>>{
           {"confidence_score", 1.5}, {"confidence_score", -0.1}, {"confidence_score", "high"},
           {"risk_level", "CRITICAL"}, {"action_type", "NOPE"}, {"account_id", "a b"},
           {"action_intent_id", std::string(200, 'x')}, {"parameters", "x"},
           {"expires_at", "yesterday"}, {"ttl_seconds", 0}, {"gate", "maybe"}, {"bogus", 1},
           {"execution_policy", {{"max_attempts", 0}}}}) {
    Json b = base;
    b[field] = value;
    EXPECT_EQ(create(b).code(), Code::kInvalidArgument) << field << "=" << value.dump();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intents"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger"), 0);
  ASSERT_TRUE(create(base).ok());
  EXPECT_TRUE(created);
  ASSERT_TRUE(create(base).ok());
  EXPECT_FALSE(created);
  Json changed = base;
  changed["parameters"] = {{"title", "different"}};
  EXPECT_EQ(create(changed).code(), Code::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM intents"), 1);
}

TEST_F(GateTest, TenancyIsolatesIntents) {
  Configure(5);
  Create("mine");
  Actor other{"tenant-b", "agent-b"};
  Json out;
  EXPECT_EQ(svc_->GetIntent(other, "mine", &out).code(), Code::kNotFound);
  Json g;
  ASSERT_TRUE(svc_->Gate(other, {{"action_intent_id", "mine"}, {"account_id", "acct-1"}}, &g).ok());
  EXPECT_EQ(g["reason"], "INTENT_NOT_FOUND");
  EXPECT_EQ(svc_->Gate(agent_, {{"action_intent_id", "mine"}, {"account_id", "acct-1"}, {"tenant_id", "tenant-b"}}, &g).code(),
            Code::kPermissionDenied);
}

// The gate writes its ledger records with CanonicalWriter, not through a JSON DOM: the records
// are canonical (as the chain's hashes and external verifiers require), and the values keep their
// JSON types (0.7 stays a double, limits integers, an absent risk level null).
TEST_F(GateTest, LedgerRecordsAreCanonicalWithTheirTypes) {
  Configure(5, {{"CREATE_INTERNAL_TASK", 4}});
  Create("c1", {{"parameters", {{"title", "Ünïcode \"quoted\"\n"}, {"n", 1.5}, {"a", {1, "x"}}}},
                {"ttl_seconds", 60},
                {"trace_id", "tr-1"}});
  ASSERT_EQ(Gate("c1")["result"], "AUTO_EXECUTED");
  Create("c2", {{"risk_level", "HIGH"}});
  ASSERT_EQ(Gate("c2")["reason"], "RISK_LEVEL_HIGH");
  std::vector<std::pair<std::string, std::string>> rows;
  ASSERT_TRUE(store_
                  ->Read([&](store::Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto r,
                                             t.Query("SELECT event_type, data FROM ledger WHERE "
                                                     "tenant_id = 'tenant-a' ORDER BY seq"));
                    for (const auto& row : r) rows.emplace_back(row.Text(0), row.Text(1));
                    return Status::Ok();
                  })
                  .ok());
  int evaluated = 0;
  for (const auto& [type, data] : rows) {
    auto parsed = ParseJson(data);
    ASSERT_TRUE(parsed.ok()) << data;
    EXPECT_EQ(CanonicalJson(*parsed), data) << type;
    if (type != "POLICY_EVALUATED") continue;
    ++evaluated;
    const Json& pin = (*parsed)["inputs"]["policy_input"];
    EXPECT_TRUE(pin["tenant_threshold"].is_number_float());
    EXPECT_TRUE(pin["registry_min_confidence"].is_number_float());
    EXPECT_TRUE(pin["confidence_score"].is_number_float());
    EXPECT_TRUE((*parsed)["inputs"]["registry_version"].is_number_integer());
    EXPECT_TRUE((*parsed)["inputs"]["kill_switches"]["autonomy_enabled"].is_boolean());
  }
  EXPECT_EQ(evaluated, 2);
  const std::string first_evaluated =
      R"({"explanation":"The mode is AUTO_EXECUTE, the effective risk is LOW and the confidence )"
      R"(0.9 meets the threshold 0.7.","inputs":{"action_type":"CREATE_INTERNAL_TASK",)"
      R"("allowlist":{"action_types":["CREATE_INTERNAL_TASK","FLAG_FOR_REVIEW"],)"
      R"("allowlisted":true,"source":"tenant"},"budget":{"configured":true,"consumed":true,)"
      R"("day":"2026-11-24","limit":5,"remaining":5,"type_limit":4,"type_used":0,"used":0},)"
      R"("intent_status":"PROPOSED","kill_switches":{"action_type_disabled":false,)"
      R"("autonomy_enabled":true,"emergency_stop":false,"execution_enabled":true},)"
      R"("policy_input":{"confidence_score":0.9,"effective_risk":"LOW",)"
      R"("effective_threshold":0.7,"external_contact":false,"intent_risk_level":null,)"
      R"("mode":"AUTO_EXECUTE","mode_source":"tenant+type","registry_min_confidence":0.0,)"
      R"("registry_risk_class":"LOW","tenant_threshold":0.7},"registry_version":1},)"
      R"("policy_clause":"V1.7 auto_execute","policy_decision":"AUTO_EXECUTE",)"
      R"("policy_version":"AutoApprovalPolicyV1","reason":"AUTO_EXECUTE_ALLOWED",)"
      R"("result":"AUTO_EXECUTED"})";
  bool found = false;
  for (const auto& [type, data] : rows) {
    if (type == "POLICY_EVALUATED") {
      EXPECT_EQ(data, first_evaluated);
      found = true;
      break;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(GateTest, LedgerChainVerifiesAfterActivity) {
  Configure(3);
  for (int i = 0; i < 6; ++i) {
    Create("v" + std::to_string(i));
    Gate("v" + std::to_string(i));
  }
  const int64_t rows = Count("SELECT COUNT(*) FROM ledger WHERE tenant_id = 'tenant-a'");
  ASSERT_TRUE(store_->Read([&](store::Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto v, ledger::Verify(t, "tenant-a", std::nullopt, std::nullopt));
    EXPECT_TRUE(v.ok);
    EXPECT_EQ(v.checked, rows);
    return Status::Ok();
  }).ok());
  EXPECT_GE(rows, 19);
}

}  // namespace
}  // namespace steward::autonomy
