// Store conformance tests: every backend must pass these.
#include "store/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "store/migrations.h"
#include "store/sqlite/page_cache.h"

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

  // Reopens the store with `opts` and creates table w (k, v), for the checkpoint tests.
  void ReopenWithTableW(const StoreOptions& opts) {
    store_.reset();
    auto opened = Open(url_, opts);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_TRUE(store_
                    ->Write([](Txn& t) -> Status {
                      auto r = t.Exec("CREATE TABLE w (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
                      return r.ok() ? Status::Ok() : r.status();
                    })
                    .ok());
  }
  // Expects table w to hold `rows` rows of `size` characters each; with `integrity`, also that
  // the database passes integrity_check.
  void ExpectTableW(int64_t rows, int64_t size, bool integrity) {
    ASSERT_TRUE(store_
                    ->Read([&](Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(
                          auto row, t.QueryOne("SELECT COUNT(*), SUM(LENGTH(v)) FROM w"));
                      EXPECT_EQ(row->Int(0), rows);
                      EXPECT_EQ(row->Int(1), rows * size);
                      if (integrity) {
                        STEWARD_ASSIGN_OR_RETURN(auto check, t.QueryOne("PRAGMA integrity_check"));
                        EXPECT_EQ(check->Text(0), "ok");
                      }
                      return Status::Ok();
                    })
                    .ok());
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

// Closures of a batch run without a savepoint each until one fails. A failure that was first in
// its transaction costs nothing more; a later one rolls the transaction back, and the closures
// before it run again, each in a savepoint, as do the closures of the next batches.
TEST_F(StoreTest, AFailedClosureInABatchRerunsOnlyWhatItsRollbackLost) {
  // Holds the writer in a closure of its own while the next batch queues up behind it.
  auto hold_writer = [&](std::promise<void>* started, std::shared_future<void> release) {
    auto done = std::make_shared<std::promise<Status>>();
    auto answered = done->get_future();
    store_->WriteAsync(
        [started, release](Txn&) {
          started->set_value();
          release.wait();
          return Status::Ok();
        },
        [done](Status st) { done->set_value(st); });
    return answered;
  };
  struct Closure {
    std::string key;
    bool fail = false;
    std::atomic<int> runs{0};
    std::promise<Status> answer;
  };
  auto run_batch = [&](std::vector<std::unique_ptr<Closure>>& closures) {
    std::promise<void> started, release;
    auto held = hold_writer(&started, release.get_future().share());
    started.get_future().wait();
    for (auto& c : closures) {
      Closure* cp = c.get();
      store_->WriteAsync(
          [this, cp](Txn& t) -> Status {
            cp->runs++;
            STEWARD_RETURN_IF_ERROR(InsertJob(t, "batch", cp->key));
            return cp->fail ? Status::Conflict("planned") : Status::Ok();
          },
          [cp](Status st) { cp->answer.set_value(st); });
    }
    release.set_value();
    EXPECT_TRUE(held.get().ok());
    std::vector<Status> out;
    for (auto& c : closures) out.push_back(c->answer.get_future().get());
    return out;
  };
  auto make = [](std::vector<std::pair<std::string, bool>> spec) {
    std::vector<std::unique_ptr<Closure>> v;
    for (auto& [key, fail] : spec) {
      v.push_back(std::make_unique<Closure>());
      v.back()->key = key;
      v.back()->fail = fail;
    }
    return v;
  };

  // First in its transaction: its error stands, nothing runs twice.
  auto first = make({{"f0", true}, {"a1", false}, {"a2", false}});
  auto st = run_batch(first);
  EXPECT_EQ(st[0].code(), Code::kConflict);
  EXPECT_TRUE(st[1].ok() && st[2].ok());
  EXPECT_EQ(first[0]->runs, 1);
  EXPECT_EQ(first[1]->runs, 1);
  EXPECT_EQ(first[2]->runs, 1);

  // Third in its transaction: the two before it run again; the one after runs once.
  auto middle = make({{"b1", false}, {"b2", false}, {"f3", true}, {"b4", false}});
  st = run_batch(middle);
  EXPECT_TRUE(st[0].ok() && st[1].ok() && st[3].ok());
  EXPECT_EQ(st[2].code(), Code::kConflict);
  EXPECT_EQ(middle[0]->runs, 2);
  EXPECT_EQ(middle[1]->runs, 2);
  EXPECT_EQ(middle[2]->runs, 2);
  EXPECT_EQ(middle[3]->runs, 1);
  EXPECT_EQ(store_->batch_reruns(), 1);

  // The next batch runs with savepoints: a failure in the middle re-runs nothing.
  auto after = make({{"c1", false}, {"f5", true}, {"c2", false}});
  st = run_batch(after);
  EXPECT_TRUE(st[0].ok() && st[2].ok());
  EXPECT_EQ(st[1].code(), Code::kConflict);
  EXPECT_EQ(after[0]->runs, 1);
  EXPECT_EQ(after[1]->runs, 1);
  EXPECT_EQ(store_->batch_reruns(), 1);

  // Exactly the successful closures' rows, once each.
  std::vector<std::string> keys;
  ASSERT_TRUE(store_
                  ->Read([&](Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto rows, t.Query("SELECT dedupe_key FROM jobs "
                                                                "ORDER BY dedupe_key"));
                    for (const auto& r : rows) keys.push_back(r.Text(0));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"a1", "a2", "b1", "b2", "b4", "c1", "c2"}));
}

// page_cache.h: commits whose B-tree balances moved pages through the lock-byte page's number skip
// pcache1's truncation; a rolled-back transaction that grew the database still has its pages
// dropped, so the pages that later take their numbers are read as written and the file stays
// intact.
TEST_F(StoreTest, PageCacheSkipsOnlyTruncationsWithNothingToDrop) {
  ASSERT_TRUE(store_
                  ->Write([](Txn& t) -> Status {
                    auto r = t.Exec("CREATE TABLE pc (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
                    return r.ok() ? Status::Ok() : r.status();
                  })
                  .ok());
  const PageCacheCounts before = PageCacheStats();
  std::mt19937 rng(7);
  for (int batch = 0; batch < 50; ++batch) {  // random keys: pages split mid-index and balance
    Status st = store_->Write([&](Txn& t) -> Status {
      for (int i = 0; i < 40; ++i) {
        auto r = t.Exec("INSERT OR IGNORE INTO pc (k, v) VALUES (?, ?)",
                        {std::to_string(rng()), std::string(300, static_cast<char>('a' + i % 26))});
        if (!r.ok()) return r.status();
      }
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  const PageCacheCounts mid = PageCacheStats();
  EXPECT_GT(mid.skipped, before.skipped) << "the page cache is not installed";

  auto insert = [](Txn& t, const std::string& prefix, char fill) -> Status {
    for (int i = 0; i < 400; ++i) {
      auto r = t.Exec("INSERT INTO pc (k, v) VALUES (?, ?)",
                      {prefix + std::to_string(i), std::string(3000, fill)});
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  };
  Status failed = store_->Write([&](Txn& t) -> Status {
    STEWARD_RETURN_IF_ERROR(insert(t, "rolled-", 'r'));
    return Status::InvalidArgument("roll back");
  });
  EXPECT_EQ(failed.code(), Code::kInvalidArgument);
  EXPECT_GT(PageCacheStats().passed, mid.passed) << "the rollback's pages were not dropped";
  ASSERT_TRUE(store_->Write([&](Txn& t) { return insert(t, "kept-", 'k'); }).ok());

  ASSERT_TRUE(store_
                  ->Read([&](Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(
                        auto rolled, t.QueryOne("SELECT COUNT(*) FROM pc WHERE k LIKE 'rolled-%'"));
                    EXPECT_EQ(rolled->Int(0), 0);
                    STEWARD_ASSIGN_OR_RETURN(
                        auto kept, t.QueryOne("SELECT COUNT(*), MIN(v), MAX(v) FROM pc WHERE k "
                                              "LIKE 'kept-%'"));
                    EXPECT_EQ(kept->Int(0), 400);
                    EXPECT_EQ(kept->Text(1), std::string(3000, 'k'));
                    EXPECT_EQ(kept->Text(2), std::string(3000, 'k'));
                    STEWARD_ASSIGN_OR_RETURN(auto check, t.QueryOne("PRAGMA integrity_check"));
                    EXPECT_EQ(check->Text(0), "ok");
                    return Status::Ok();
                  })
                  .ok());
}

// Under a steady stream of writes the writer always has the next batch queued, so a checkpoint on
// the checkpointer's thread never ends before another commit; the store then copies the last
// frames on the writer so the WAL starts over (sqlite_store.cc, OnWalCommit). With small
// checkpoint sizes, eight writers and a reader: the WAL starts over again and again, its file
// stays far smaller than what was written, and nothing is lost.
TEST_F(StoreTest, CheckpointsStartTheWalOverUnderConcurrentWrites) {
  StoreOptions opts;
  opts.checkpoint_pages = 64;
  opts.wal_restart_pages = 256;
  ASSERT_NO_FATAL_FAILURE(ReopenWithTableW(opts));
  // The migrations of a new database leave a longer WAL file than the bound below; a file that is
  // already long is reused, never shortened.
  const uintmax_t wal_before = std::filesystem::file_size(dir_ / "t.db-wal");
  constexpr int kThreads = 8, kPerThread = 500, kSize = 4000;
  std::atomic<bool> writing{true};
  std::atomic<int> read_errors{0};
  std::thread reader([&] {
    // Short reads now and then, as the API makes (a WAL cannot start over while a reader holds a
    // snapshot of it, and a checkpoint stops short of the oldest snapshot).
    while (writing.load()) {
      Status st = store_->Read([](Txn& t) -> Status {
        auto r = t.QueryOne("SELECT MAX(k) FROM w");
        return r.ok() ? Status::Ok() : r.status();
      });
      if (!st.ok()) read_errors.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  std::vector<std::thread> writers;
  std::atomic<int> write_errors{0};
  for (int th = 0; th < kThreads; ++th) {
    writers.emplace_back([&, th] {
      for (int i = 0; i < kPerThread; ++i) {
        int64_t k = int64_t{th} * kPerThread + i;
        Status st = store_->Write([&](Txn& t) -> Status {
          auto r = t.Exec("INSERT INTO w (k, v) VALUES (?, ?)",
                          {k, std::string(kSize, static_cast<char>('a' + k % 26))});
          return r.ok() ? Status::Ok() : r.status();
        });
        if (!st.ok()) write_errors.fetch_add(1);
      }
    });
  }
  for (auto& w : writers) w.join();
  writing.store(false);
  reader.join();
  EXPECT_EQ(write_errors.load(), 0);
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_GT(store_->checkpoints(), 0);
  EXPECT_GT(store_->wal_restarts(), 0);
  // About 16 MiB were written; a WAL that never started over would be at least that long, and
  // one started over only by the writer's fallback (at three times wal_restart_pages) about
  // 3.5 MiB.
  const uintmax_t wal = std::filesystem::file_size(dir_ / "t.db-wal");
  EXPECT_LE(wal, std::max(wal_before, uintmax_t{3} << 20))
      << "WAL of " << wal << " bytes, " << wal_before << " before the writes";
  ASSERT_NO_FATAL_FAILURE(ExpectTableW(kThreads * kPerThread, kSize, true));
  // Reopened from the files alone, the same rows.
  store_.reset();
  auto again = Open(url_);
  ASSERT_TRUE(again.ok());
  store_ = std::move(again).value();
  ASSERT_NO_FATAL_FAILURE(ExpectTableW(kThreads * kPerThread, kSize, false));
}

// A lightly loaded store (a write now and then, the writer idle in between) starts its WAL over
// after each checkpoint, long before wal_restart_pages: a checkpoint of a few frames ends before
// the next commit, which then starts the WAL over.
TEST_F(StoreTest, ALightlyLoadedStoreKeepsAShortWal) {
  StoreOptions opts;
  opts.checkpoint_pages = 16;
  opts.wal_restart_pages = 1 << 20;
  ASSERT_NO_FATAL_FAILURE(ReopenWithTableW(opts));
  const uintmax_t wal_before = std::filesystem::file_size(dir_ / "t.db-wal");
  constexpr int kRows = 120, kSize = 16000;  // about 2 MiB, each row on four overflow pages
  for (int k = 0; k < kRows; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(store_
                    ->Write([&](Txn& t) -> Status {
                      auto r = t.Exec("INSERT INTO w (k, v) VALUES (?, ?)",
                                      {int64_t{k}, std::string(kSize, 'x')});
                      return r.ok() ? Status::Ok() : r.status();
                    })
                    .ok());
  }
  EXPECT_GT(store_->wal_restarts(), 0);
  const uintmax_t wal = std::filesystem::file_size(dir_ / "t.db-wal");
  EXPECT_LE(wal, std::max(wal_before, uintmax_t{1} << 20))
      << "WAL of " << wal << " bytes, " << wal_before << " before the writes";
  ASSERT_NO_FATAL_FAILURE(ExpectTableW(kRows, kSize, false));
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
