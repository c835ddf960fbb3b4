// Store conformance tests: every backend must pass these.
#include "store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "store/migrations.h"

namespace steward::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("steward_store_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "t.db").string();
    auto s = Open(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t CountJobs() {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM jobs"));
                      n = row->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }
  Status InsertJob(Txn& t, const std::string& tenant, const std::string& key) {
    auto r = t.Exec(
        "INSERT INTO jobs (tenant_id, type, payload, dedupe_key, status, run_at, created_at, "
        "updated_at) VALUES (?, 'T', '{}', ?, 'PENDING', 0, 0, 0)",
        {tenant, key});
    return r.ok() ? Status::Ok() : r.status();
  }

  std::filesystem::path dir_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, MigrationsAppliedAndReopenIsIdempotent) {
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, LatestSchemaVersion());
  store_.reset();
  auto s = Open(url_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*(*s)->SchemaVersion(), LatestSchemaVersion());
}

// The hot queries use the indexes the migrations made for them (partial ones included, which
// only serve a query that repeats their WHERE clause).
TEST_F(StoreTest, HotQueriesUseTheirIndexes) {
  auto plan = [&](const std::string& sql,
                  std::vector<Value> params = {std::string("t"), std::string("a"), std::string("T"),
                                               int64_t{0}}) {
    std::string detail;
    EXPECT_TRUE(store_
                    ->Read([&](Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(auto rows,
                                               t.QueryV("EXPLAIN QUERY PLAN " + sql, params));
                      for (const Row& r : rows) detail += r.Text(3) + "\n";
                      return Status::Ok();
                    })
                    .ok());
    return detail;
  };
  // The cost gate's count of an account's ALLOW runs in the last hour (decision_service.cc).
  EXPECT_NE(plan("SELECT evaluated_at FROM decision_runs WHERE tenant_id = ? AND account_id = ? "
                 "AND trigger_type = ? AND result = 'ALLOW' AND evaluated_at > ?")
                .find("USING INDEX decision_runs_allowed"),
            std::string::npos);
  // A tenant's ledger entries about one intent past a cursor (the ledger filter, the "why" API).
  EXPECT_NE(plan("SELECT seq FROM ledger WHERE tenant_id = ? AND action_intent_id = ? AND "
                 "event_type <> ? AND seq > ? ORDER BY seq ASC")
                .find("USING INDEX ledger_by_intent"),
            std::string::npos);
  // A tenant's outstanding webhook deliveries (jobs::PendingCount as webhook_delivery.cc calls it).
  EXPECT_NE(plan("SELECT COUNT(*) FROM jobs WHERE tenant_id = ? AND status IN ('PENDING', "
                 "'RUNNING') AND type = 'WEBHOOK_DELIVER'",
                 {std::string("t")})
                .find("USING COVERING INDEX jobs_webhook_backlog"),
            std::string::npos);
}

TEST_F(StoreTest, UnknownSchemeIsInvalidArgument) {
  EXPECT_EQ(Open("mysql://x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Open("sqlite://").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Open("sqlite:///nonexistent-dir/x/y.db").status().code(), Code::kUnavailable);
}

TEST_F(StoreTest, WriteCommitsAndErrorRollsBack) {
  ASSERT_TRUE(store_->Write([&](Txn& t) { return InsertJob(t, "a", "k1"); }).ok());
  Status st = store_->Write([&](Txn& t) -> Status {
    STEWARD_RETURN_IF_ERROR(InsertJob(t, "a", "k2"));
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(CountJobs(), 1);
}

TEST_F(StoreTest, ConstraintViolationIsConflictAndRollsBackOnlyThatClosure) {
  ASSERT_TRUE(store_->Write([&](Txn& t) { return InsertJob(t, "a", "dup"); }).ok());
  Status st = store_->Write([&](Txn& t) { return InsertJob(t, "a", "dup"); });
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(CountJobs(), 1);
}

TEST_F(StoreTest, ThrowingClosureIsInternalAndRolledBack) {
  Status st = store_->Write([&](Txn& t) -> Status {
    (void)InsertJob(t, "a", "x");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_EQ(CountJobs(), 0);
}

TEST_F(StoreTest, GroupCommitKeepsEveryClosureAtomic) {
  constexpr int kThreads = 16, kPer = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        // Every third closure fails after writing: its row must vanish, its neighbours' stay.
        bool fail = i % 3 == 0;
        Status st = store_->Write([&](Txn& txn) -> Status {
          STEWARD_RETURN_IF_ERROR(InsertJob(txn, "t" + std::to_string(t), std::to_string(i)));
          if (fail) return Status::Conflict("planned");
          return Status::Ok();
        });
        if (st.ok() == fail) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int expected = kThreads * (kPer - (kPer + 2) / 3);
  EXPECT_EQ(CountJobs(), expected);
  EXPECT_EQ(store_->commits(), expected);
  EXPECT_LE(store_->batches(), store_->commits());
}

TEST_F(StoreTest, ReadSeesCommittedDataAndForEachStreams) {
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    for (int i = 0; i < 100; ++i)
                      STEWARD_RETURN_IF_ERROR(InsertJob(t, "a", std::to_string(i)));
                    return Status::Ok();
                  })
                  .ok());
  int seen = 0;
  ASSERT_TRUE(store_
                  ->Read([&](Txn& t) {
                    return t.ForEach("SELECT job_id FROM jobs ORDER BY job_id", {},
                                     [&](const Row& r) {
                                       ++seen;
                                       return seen < 10;
                                     });
                  })
                  .ok());
  EXPECT_EQ(seen, 10);
  Status st = store_->Read([&](Txn& t) -> Status {
    auto r = t.Exec("DELETE FROM jobs");
    return r.ok() ? Status::Ok() : r.status();
  });
  EXPECT_FALSE(st.ok());  // readers are read-only
  EXPECT_EQ(CountJobs(), 100);
}

TEST_F(StoreTest, ValuesRoundTrip) {
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    auto r = t.Exec(
                        "INSERT INTO platform_settings (key, value, updated_at, updated_by) VALUES "
                        "(?, ?, ?, ?)",
                        {std::string("k"), std::string("v\xc3\xa9\n\"'"), int64_t{1} << 50,
                         std::string("me")});
                    return r.ok() ? Status::Ok() : r.status();
                  })
                  .ok());
  ASSERT_TRUE(
      store_
          ->Read([&](Txn& t) -> Status {
            STEWARD_ASSIGN_OR_RETURN(
                auto row,
                t.QueryOne(
                    "SELECT value, updated_at, NULL, 2.5 FROM platform_settings WHERE key = ?",
                    {std::string("k")}));
            EXPECT_TRUE(row.has_value());
            EXPECT_EQ(row->Text(0), "v\xc3\xa9\n\"'");
            EXPECT_EQ(row->Int(1), int64_t{1} << 50);
            EXPECT_TRUE(row->IsNull(2));
            EXPECT_DOUBLE_EQ(row->Real(3), 2.5);
            STEWARD_ASSIGN_OR_RETURN(auto none,
                                     t.QueryOne("SELECT 1 FROM platform_settings WHERE key = 'x'"));
            EXPECT_FALSE(none.has_value());
            return Status::Ok();
          })
          .ok());
}

}  // namespace
}  // namespace steward::store
