// The store conformance suite (STYLE.md §2): one set of tests every backend must pass.
//
// Backends: SQLite always; PostgreSQL when STEWARD_TEST_PG_URL names a server the test may
// create databases on (an admin URL such as postgresql://postgres@127.0.0.1:5432/postgres;
// tests/pg/start.sh starts a throwaway one). With STEWARD_TEST_PG_REQUIRED=1 a missing or
// unreachable server fails the PostgreSQL tests instead of leaving them out. Every test gets a
// fresh database (PostgreSQL: CREATE DATABASE t_<random>, dropped afterwards).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "common/clock.h"
#include "jobs/job_queue.h"
#include "jobs/worker_pool.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"
#include "store/migrations.h"
#include "store/store.h"

#ifdef STEWARD_WITH_POSTGRES
#include <libpq-fe.h>
#endif

namespace steward::store {
namespace {

constexpr std::string_view kSqlite = "sqlite";
constexpr std::string_view kPostgres = "postgresql";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool PgRequired() { return Env("STEWARD_TEST_PG_REQUIRED") == "1"; }

std::vector<std::string> Backends() {
  std::vector<std::string> out = {std::string(kSqlite)};
  if (!Env("STEWARD_TEST_PG_URL").empty() || PgRequired()) out.emplace_back(kPostgres);
  return out;
}

std::string RandomSuffix() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 12; ++i) s += kHex[rng() % 16];
  return s;
}

// `url` with its database name replaced by `db`.
std::string WithDatabase(const std::string& url, const std::string& db) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t query = url.find('?', start);
  size_t slash = url.find('/', start);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  size_t end = std::min(slash, query);
  return url.substr(0, end) + "/" + db + rest;
}

// Runs one statement on the admin database outside any transaction (CREATE/DROP DATABASE).
Status AdminExec(const std::string& admin_url, const std::string& sql) {
#ifdef STEWARD_WITH_POSTGRES
  PGconn* c = PQconnectdb(admin_url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    return Status::Unavailable("cannot connect to " + admin_url + ": " + msg);
  }
  PGresult* r = PQexec(c, sql.c_str());
  Status st = PQresultStatus(r) == PGRES_COMMAND_OK
                  ? Status::Ok()
                  : Status::Internal(sql + ": " + PQresultErrorMessage(r));
  PQclear(r);
  PQfinish(c);
  return st;
#else
  (void)admin_url;
  (void)sql;
  return Status::Unavailable("this build has no PostgreSQL support (STEWARD_WITH_POSTGRES=OFF)");
#endif
}

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  bool IsPostgres() const { return GetParam() == kPostgres; }

  void SetUp() override {
    if (IsPostgres()) {
      admin_url_ = Env("STEWARD_TEST_PG_URL");
      ASSERT_FALSE(admin_url_.empty())
          << "STEWARD_TEST_PG_REQUIRED=1 but STEWARD_TEST_PG_URL is not set (start a server with "
             "tests/pg/start.sh)";
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("steward_conformance_" + std::to_string(::getpid()) + "_" + RandomSuffix());
      std::filesystem::create_directories(dir_);
    }
    url_ = FreshUrl();
    ASSERT_FALSE(url_.empty());
    auto s = Open(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }

  void TearDown() override {
    store_.reset();
    if (IsPostgres()) {
      for (const auto& db : databases_) {
        Status st = AdminExec(admin_url_, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    } else if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  // The URL of a new, empty database of the backend under test ("" after a test failure).
  std::string FreshUrl() {
    std::string name = "t_" + RandomSuffix();
    if (!IsPostgres()) return "sqlite://" + (dir_ / (name + ".db")).string();
    Status st = AdminExec(admin_url_, "CREATE DATABASE " + name);
    EXPECT_TRUE(st.ok()) << "PostgreSQL at STEWARD_TEST_PG_URL is not usable: " << st.ToString();
    if (!st.ok()) return "";
    databases_.push_back(name);
    return WithDatabase(admin_url_, name);
  }

  std::unique_ptr<Store> OpenAnother() {
    auto s = Open(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  Status Ddl(const std::string& sql) {
    return store_->Write([&](Txn& t) { return t.Exec(sql).status(); });
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    Status st = store_->Read([&](Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne(sql));
      n = row ? row->Int(0) : -1;
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }

  std::filesystem::path dir_;
  std::string admin_url_;
  std::vector<std::string> databases_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, BackendNames) {
  EXPECT_EQ(store_->backend(), GetParam());
  Status st = store_->Write([&](Txn& t) -> Status {
    EXPECT_EQ(t.backend(), GetParam());
    EXPECT_TRUE(t.writable());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = store_->Read([&](Txn& t) -> Status {
    EXPECT_EQ(t.backend(), GetParam());
    EXPECT_FALSE(t.writable());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformanceTest, MigrationsApplyOnceAndAreIdempotent) {
  auto v = store_->SchemaVersion();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, LatestSchemaVersion());
  const int64_t migrations = static_cast<int64_t>(Migrations().size());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), migrations);
  for (int i = 0; i < 2; ++i) {
    store_.reset();
    auto s = Open(url_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    EXPECT_EQ(*store_->SchemaVersion(), LatestSchemaVersion());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), migrations);
  }
  // Every table of the schema is there and empty.
  for (const char* table :
       {"jobs", "job_backlog", "ledger", "ledger_heads", "intents", "events", "decision_runs",
        "webhook_deliveries", "audit_exports", "digest_runs"}) {
    EXPECT_EQ(Count(std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
}

// Several nodes is a PostgreSQL deployment (SPEC §2). The SQLite backend reads the schema version
// before taking its write lock, so two processes creating one file at the same instant can both
// run migration 1 ("table … already exists"); it runs here once that is fixed in sqlite_store.cc.
TEST_P(StoreConformanceTest, NodesStartingTogetherMigrateOnce) {
  if (!IsPostgres()) GTEST_SKIP() << "multi-node start-up is a PostgreSQL property";
  std::string url = FreshUrl();
  ASSERT_FALSE(url.empty());
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Store>> stores(kNodes);
  std::vector<Status> results(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto s = Open(url);
      results[i] = s.status();
      if (s.ok()) stores[i] = std::move(s).value();
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_TRUE(results[i].ok()) << "node " << i << ": " << results[i].ToString();
  }
  int64_t rows = -1;
  ASSERT_TRUE(stores[0]
                  ->Read([&](Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto row,
                                             t.QueryOne("SELECT COUNT(*) FROM schema_migrations"));
                    rows = row->Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(rows, static_cast<int64_t>(Migrations().size()));
}

TEST_P(StoreConformanceTest, DatabaseNewerThanBinaryRefusesToOpen) {
  ASSERT_TRUE(
      store_
          ->Write([&](Txn& t) {
            return t
                .Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                      {int64_t{LatestSchemaVersion() + 1}, std::string("from the future"),
                       int64_t{0}})
                .status();
          })
          .ok());
  store_.reset();
  auto s = Open(url_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable) << s.status().ToString();
}

TEST_P(StoreConformanceTest, EveryValueTypeAndNullRoundTrips) {
  ASSERT_TRUE(Ddl("CREATE TABLE vals (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, "
                  "t TEXT)")
                  .ok());
  struct Case {
    int64_t id;
    Value i, d, t;
  };
  const std::vector<Case> cases = {
      {1, int64_t{0}, 0.0, std::string("")},
      {2, std::numeric_limits<int64_t>::max(), 0.1, std::string("it's a ? in 'quotes'")},
      {3, std::numeric_limits<int64_t>::min(), -1e300, std::string("h\xc3\xa9llo \xe2\x9c\x93")},
      {4, int64_t{-1}, 1.0 / 3.0, std::string("line\nbreak\ttab \\ back")},
      {5, Null{}, Null{}, Null{}},
      {6, int64_t{1700000000123}, 1e-300, std::string("{\"json\": [1, 2]}")},
  };
  Status st = store_->Write([&](Txn& t) -> Status {
    for (const auto& c : cases) {
      STEWARD_ASSIGN_OR_RETURN(
          int64_t n,
          t.Exec("INSERT INTO vals (id, i, d, t) VALUES (?, ?, ?, ?)", {c.id, c.i, c.d, c.t}));
      EXPECT_EQ(n, 1);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();

  st = store_->Read([&](Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, t.Query("SELECT id, i, d, t FROM vals ORDER BY id"));
    EXPECT_EQ(rows.size(), cases.size());
    for (size_t k = 0; k < rows.size() && k < cases.size(); ++k) {
      const Row& r = rows[k];
      const Case& c = cases[k];
      EXPECT_EQ(r.size(), 4u);
      EXPECT_EQ(r.at(0), Value(c.id));
      EXPECT_EQ(r.at(1), c.i) << "row " << c.id;
      EXPECT_EQ(r.at(2), c.d) << "row " << c.id;
      EXPECT_EQ(r.at(3), c.t) << "row " << c.id;
      EXPECT_EQ(r.IsNull(1), std::holds_alternative<Null>(c.i));
    }
    // NULL reads as 0 / 0.0 / "" and nullopt.
    STEWARD_ASSIGN_OR_RETURN(auto null_row, t.QueryOne("SELECT i, d, t FROM vals WHERE id = 5"));
    EXPECT_TRUE(null_row.has_value());
    if (null_row) {
      EXPECT_EQ(null_row->Int(0), 0);
      EXPECT_EQ(null_row->Real(1), 0.0);
      EXPECT_EQ(null_row->Text(2), "");
      EXPECT_EQ(null_row->TextView(2), "");
      EXPECT_FALSE(null_row->OptInt(0).has_value());
      EXPECT_FALSE(null_row->OptReal(1).has_value());
      EXPECT_FALSE(null_row->OptText(2).has_value());
    }
    // Parameters of every type in WHERE clauses; a '?' inside a literal is not a placeholder.
    STEWARD_ASSIGN_OR_RETURN(auto by_int, t.QueryOne("SELECT id FROM vals WHERE i = ?",
                                                     {std::numeric_limits<int64_t>::min()}));
    EXPECT_EQ(by_int ? by_int->Int(0) : 0, 3);
    STEWARD_ASSIGN_OR_RETURN(auto by_real, t.QueryOne("SELECT id FROM vals WHERE d = ?", {0.1}));
    EXPECT_EQ(by_real ? by_real->Int(0) : 0, 2);
    STEWARD_ASSIGN_OR_RETURN(
        auto by_text, t.QueryOne("SELECT id, '?' FROM vals WHERE t = ? AND t <> 'x?y' AND id > ?",
                                 {std::string("it's a ? in 'quotes'"), int64_t{1}}));
    EXPECT_TRUE(by_text.has_value());
    if (by_text) {
      EXPECT_EQ(by_text->Int(0), 2);
      EXPECT_EQ(by_text->Text(1), "?");
    }
    STEWARD_ASSIGN_OR_RETURN(auto nulls, t.QueryOne("SELECT COUNT(*) FROM vals WHERE t IS NULL "
                                                    "AND i IS NULL AND d IS NULL"));
    EXPECT_EQ(nulls->Int(0), 1);
    STEWARD_ASSIGN_OR_RETURN(auto none,
                             t.QueryOne("SELECT id FROM vals WHERE id = ?", {int64_t{99}}));
    EXPECT_FALSE(none.has_value());
    // Aggregates keep SQLite's types: COUNT and SUM over integers are integers, AVG is real.
    STEWARD_ASSIGN_OR_RETURN(
        auto agg, t.QueryOne("SELECT COUNT(*), SUM(id), MAX(id), AVG(id) FROM vals WHERE id <= 4"));
    EXPECT_EQ(agg->at(0), Value(int64_t{4}));
    EXPECT_EQ(agg->at(1), Value(int64_t{10}));
    EXPECT_EQ(agg->at(2), Value(int64_t{4}));
    EXPECT_EQ(agg->at(3), Value(2.5));
    STEWARD_ASSIGN_OR_RETURN(auto empty_max, t.QueryOne("SELECT MAX(id) FROM vals WHERE id < 0"));
    EXPECT_TRUE(empty_max->IsNull(0));
    // Comparisons read as integers 0/1 on both backends.
    STEWARD_ASSIGN_OR_RETURN(auto cmp, t.QueryOne("SELECT id = 1, id = 2 FROM vals WHERE id = 1"));
    EXPECT_EQ(cmp->Int(0), 1);
    EXPECT_EQ(cmp->Int(1), 0);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// A TextRef parameter binds the caller's string without a copy and stores exactly what a copied
// one would: the same text (empty stays empty, not NULL), and it matches as a query parameter.
TEST_P(StoreConformanceTest, TextRefParametersStoreWhatTheyReferTo) {
  ASSERT_TRUE(Ddl("CREATE TABLE refs (id BIGINT PRIMARY KEY, t TEXT)").ok());
  const std::vector<std::string> texts = {"", "plain", std::string(5000, 'x') + "\xc3\xa9",
                                          "it's a ? in 'quotes'", std::string("nul\0inside", 10)};
  Status st = store_->Write([&](Txn& t) -> Status {
    for (size_t k = 0; k < texts.size(); ++k) {
      if (texts[k].find('\0') != std::string::npos) continue;  // PostgreSQL text has no NUL
      STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO refs (id, t) VALUES (?, ?)",
                                     {static_cast<int64_t>(k), store::Ref(texts[k])})
                                  .status());
    }
    STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT id FROM refs WHERE t = ?",
                                                  {TextRef{std::string_view(texts[3])}}));
    EXPECT_TRUE(row.has_value());
    if (row) {
      EXPECT_EQ(row->Int(0), 3);
    }
    EXPECT_TRUE(std::holds_alternative<Null>(store::RefOrNull(texts[0])));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  st = store_->Read([&](Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto rows, t.Query("SELECT id, t FROM refs ORDER BY id"));
    EXPECT_EQ(rows.size(), 4u);
    for (const Row& r : rows) {
      EXPECT_FALSE(r.IsNull(1)) << r.Int(0);
      EXPECT_EQ(r.Text(1), texts[static_cast<size_t>(r.Int(0))]);
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformanceTest, ForEachStreamsAndStopsEarly) {
  ASSERT_TRUE(Ddl("CREATE TABLE seqs (n BIGINT PRIMARY KEY, label TEXT NOT NULL)").ok());
  constexpr int64_t kRows = 2000;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    for (int64_t n = 1; n <= kRows; ++n) {
                      STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO seqs (n, label) VALUES (?, ?)",
                                                     {n, "row " + std::to_string(n)})
                                                  .status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  Status st = store_->Read([&](Txn& t) -> Status {
    int64_t seen = 0, sum = 0;
    STEWARD_RETURN_IF_ERROR(t.ForEach("SELECT n, label FROM seqs WHERE n > ? ORDER BY n",
                                      {int64_t{0}}, [&](const Row& r) {
                                        ++seen;
                                        sum += r.Int(0);
                                        EXPECT_EQ(r.Text(1), "row " + std::to_string(r.Int(0)));
                                        return true;
                                      }));
    EXPECT_EQ(seen, kRows);
    EXPECT_EQ(sum, kRows * (kRows + 1) / 2);
    std::vector<int64_t> first;
    STEWARD_RETURN_IF_ERROR(t.ForEach("SELECT n FROM seqs ORDER BY n", {}, [&](const Row& r) {
      first.push_back(r.Int(0));
      return first.size() < 3;
    }));
    EXPECT_EQ(first, (std::vector<int64_t>{1, 2, 3}));
    // The connection is usable after an early stop.
    STEWARD_ASSIGN_OR_RETURN(auto n, t.QueryOne("SELECT COUNT(*) FROM seqs"));
    EXPECT_EQ(n->Int(0), kRows);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformanceTest, ExecReturnsRowsChanged) {
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  Status st = store_->Write([&](Txn& t) -> Status {
    for (const char* k : {"a", "b", "c"}) {
      STEWARD_RETURN_IF_ERROR(
          t.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", {std::string(k), int64_t{1}}).status());
    }
    STEWARD_ASSIGN_OR_RETURN(int64_t updated, t.Exec("UPDATE kv SET v = v + ? WHERE k <> ?",
                                                     {int64_t{10}, std::string("a")}));
    EXPECT_EQ(updated, 2);
    STEWARD_ASSIGN_OR_RETURN(int64_t none,
                             t.Exec("DELETE FROM kv WHERE k = ?", {std::string("z")}));
    EXPECT_EQ(none, 0);
    STEWARD_ASSIGN_OR_RETURN(int64_t deleted, t.Exec("DELETE FROM kv WHERE v > 5"));
    EXPECT_EQ(deleted, 2);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 1);
}

TEST_P(StoreConformanceTest, ClosureErrorRollsBackEverything) {
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  Status st = store_->Write([&](Txn& t) -> Status {
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('a', 1), ('b', 2)").status());
    STEWARD_RETURN_IF_ERROR(t.Exec("UPDATE kv SET v = 5").status());
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "changed my mind");
  st = store_->Write([&](Txn& t) -> Status {
    (void)t.Exec("INSERT INTO kv (k, v) VALUES ('c', 3)");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(st.code(), Code::kInternal);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 0);
  // The store still works afterwards.
  ASSERT_TRUE(
      store_
          ->Write([&](Txn& t) { return t.Exec("INSERT INTO kv (k, v) VALUES ('d', 4)").status(); })
          .ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 1);
}

TEST_P(StoreConformanceTest, UniqueAndNotNullViolationsAreConflict) {
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  auto insert = [&](const Value& k, const Value& v) {
    return store_->Write([&](Txn& t) {
      return t.Exec("INSERT INTO kv (k, v) VALUES (?, ?)", {k, v}).status();
    });
  };
  ASSERT_TRUE(insert(std::string("a"), int64_t{1}).ok());
  Status dup = insert(std::string("a"), int64_t{2});
  EXPECT_EQ(dup.code(), Code::kConflict) << dup.ToString();
  Status null = insert(std::string("b"), Null{});
  EXPECT_EQ(null.code(), Code::kConflict) << null.ToString();
  Status syntax =
      store_->Write([&](Txn& t) { return t.Exec("INSERT INTO nowhere VALUES (1)").status(); });
  EXPECT_EQ(syntax.code(), Code::kInternal) << syntax.ToString();
  EXPECT_EQ(Count("SELECT v FROM kv WHERE k = 'a'"), 1);
}

// On SQLite a failed statement undoes only itself; a closure that treats the failure as a value
// and goes on commits the rest. Every backend keeps that.
TEST_P(StoreConformanceTest, FailedStatementUndoesOnlyItself) {
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  int runs = 0;
  Status st = store_->Write([&](Txn& t) -> Status {
    ++runs;
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('a', 1)").status());
    auto dup = t.Exec("INSERT INTO kv (k, v) VALUES ('a', 2)");
    EXPECT_EQ(dup.status().code(), Code::kConflict);
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('b', 3)").status());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GE(runs, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 2);
  EXPECT_EQ(Count("SELECT v FROM kv WHERE k = 'a'"), 1);
  // A closure that swallows the failure and writes nothing more still commits what came before.
  st = store_->Write([&](Txn& t) -> Status {
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('c', 1)").status());
    (void)t.Exec("INSERT INTO kv (k, v) VALUES ('a', 9)");
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 3);
}

TEST_P(StoreConformanceTest, ReadTransactionsCannotWrite) {
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  Status st = store_->Read(
      [&](Txn& t) { return t.Exec("INSERT INTO kv (k, v) VALUES ('a', 1)").status(); });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 0);
}

TEST_P(StoreConformanceTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(Ddl("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)").ok());
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) {
                    return t.Exec("INSERT INTO counter (id, n) VALUES (1, 0)").status();
                  })
                  .ok());
  constexpr int kThreads = 16;
  constexpr int kIncrements = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < kIncrements; ++k) {
        Status st = store_->Write([&](Txn& t) -> Status {
          STEWARD_ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT n FROM counter WHERE id = 1"));
          if (!row) return Status::Internal("counter row missing");
          return t.Exec("UPDATE counter SET n = ? WHERE id = 1", {row->Int(0) + 1}).status();
        });
        if (!st.ok()) {
          ++failures;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT n FROM counter WHERE id = 1"), kThreads * kIncrements);
  EXPECT_GE(store_->commits(), kThreads * kIncrements);
  EXPECT_GE(store_->batches(), 1);
  EXPECT_LE(store_->batches(), store_->commits());
}

TEST_P(StoreConformanceTest, Returning) {
  Status st = store_->Write([&](Txn& t) -> Status {
    STEWARD_ASSIGN_OR_RETURN(
        auto first, t.QueryOne("INSERT INTO jobs (tenant_id, type, payload, status, run_at, "
                               "created_at, updated_at) VALUES (?, 'T', '{}', 'PENDING', ?, ?, ?) "
                               "RETURNING job_id, status, run_at",
                               {std::string("t1"), int64_t{5}, int64_t{1}, int64_t{1}}));
    EXPECT_TRUE(first.has_value());
    STEWARD_ASSIGN_OR_RETURN(
        auto second, t.QueryOne("INSERT INTO jobs (tenant_id, type, payload, status, run_at, "
                                "created_at, updated_at) VALUES ('t1', 'T', '{}', 'PENDING', 6, "
                                "1, 1) RETURNING job_id"));
    if (!first || !second) return Status::Internal("no RETURNING row");
    EXPECT_GT(first->Int(0), 0);
    EXPECT_GT(second->Int(0), first->Int(0));
    EXPECT_EQ(first->Text(1), "PENDING");
    EXPECT_EQ(first->at(2), Value(int64_t{5}));
    STEWARD_ASSIGN_OR_RETURN(auto updated,
                             t.Query("UPDATE jobs SET attempts = attempts + 1 WHERE tenant_id = ? "
                                     "RETURNING job_id, attempts",
                                     {std::string("t1")}));
    EXPECT_EQ(updated.size(), 2u);
    for (const auto& r : updated) EXPECT_EQ(r.Int(1), 1);
    STEWARD_ASSIGN_OR_RETURN(auto deleted, t.Query("DELETE FROM jobs WHERE job_id = ? RETURNING "
                                                   "job_id",
                                                   {first->Int(0)}));
    EXPECT_EQ(deleted.size(), 1u);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

// Txn::InsertId: the new row's id (also when an insert trigger adds a row elsewhere, as the
// backlog trigger does for a tenant's first job), and nullopt when ON CONFLICT did nothing.
TEST_P(StoreConformanceTest, InsertIdReturnsTheNewRowsId) {
  Status st = store_->Write([&](Txn& t) -> Status {
    constexpr std::string_view kInsert =
        "INSERT INTO jobs (tenant_id, type, payload, dedupe_key, status, run_at, created_at, "
        "updated_at) VALUES (?, 'T', '{}', ?, 'PENDING', 0, 0, 0) ON CONFLICT (tenant_id, type, "
        "dedupe_key) DO NOTHING";
    for (int i = 0; i < 3; ++i) {
      STEWARD_RETURN_IF_ERROR(t.ExecV(kInsert, {std::string("t0"), Value(Null{})}).status());
    }
    for (std::string tenant : {"x1", "x2", "x3"}) {
      STEWARD_ASSIGN_OR_RETURN(auto id, t.InsertId(kInsert, {tenant, std::string("k")}, "job_id"));
      if (!id) return Status::Internal("no id for a new row");
      STEWARD_ASSIGN_OR_RETURN(auto row,
                               t.QueryOne("SELECT job_id FROM jobs WHERE tenant_id = ?", {tenant}));
      EXPECT_EQ(*id, row->Int(0)) << tenant;
      STEWARD_ASSIGN_OR_RETURN(auto repeat,
                               t.InsertId(kInsert, {tenant, std::string("k")}, "job_id"));
      EXPECT_FALSE(repeat.has_value()) << tenant;
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformanceTest, OnConflictDoUpdateWhere) {
  // The shape of decision reservations: take the key if free or expired, else keep the holder.
  auto reserve = [&](const std::string& key, int64_t now, int64_t expires, bool* taken) {
    return store_->Write([&](Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(
          auto row,
          t.QueryOne("INSERT INTO decision_reservations (tenant_id, idempotency_key, account_id, "
                     "trigger_type, correlation_id, reserved_at, expires_at, result) VALUES (?, ?, "
                     "?, ?, ?, ?, ?, '{}') ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET "
                     "account_id = excluded.account_id, reserved_at = excluded.reserved_at, "
                     "expires_at = excluded.expires_at WHERE decision_reservations.expires_at <= ? "
                     "RETURNING idempotency_key",
                     {std::string("t1"), key, std::string("acc"), std::string("SIGNAL_ARRIVED"),
                      Null{}, now, expires, now}));
      *taken = row.has_value();
      return Status::Ok();
    });
  };
  bool taken = false;
  ASSERT_TRUE(reserve("k", 100, 200, &taken).ok());
  EXPECT_TRUE(taken);
  ASSERT_TRUE(reserve("k", 150, 250, &taken).ok());
  EXPECT_FALSE(taken);  // held until 200
  EXPECT_EQ(Count("SELECT reserved_at FROM decision_reservations WHERE idempotency_key = 'k'"),
            100);
  ASSERT_TRUE(reserve("k", 200, 300, &taken).ok());
  EXPECT_TRUE(taken);  // expired: taken over
  EXPECT_EQ(Count("SELECT reserved_at FROM decision_reservations WHERE idempotency_key = 'k'"),
            200);

  // Upsert counters with a qualified target column, as budget_usage does.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_
            ->Write([&](Txn& t) {
              return t
                  .Exec(
                      "INSERT INTO budget_usage (tenant_id, account_id, day, action_type, used) "
                      "VALUES (?, ?, ?, ?, 1) ON CONFLICT (tenant_id, account_id, day, "
                      "action_type) "
                      "DO UPDATE SET used = budget_usage.used + 1",
                      {std::string("t1"), std::string("a"), std::string("2024-01-01"),
                       std::string("*")})
                  .status();
            })
            .ok());
  }
  EXPECT_EQ(Count("SELECT used FROM budget_usage WHERE tenant_id = 't1'"), 3);
}

TEST_P(StoreConformanceTest, RowValueInSubquery) {
  Status st = store_->Write([&](Txn& t) -> Status {
    for (const char* a : {"a1", "a2", "a3"}) {
      STEWARD_RETURN_IF_ERROR(
          t.Exec("INSERT INTO decision_accounts (tenant_id, account_id, pending_retries) VALUES "
                 "(?, ?, 0)",
                 {std::string("t1"), std::string(a)})
              .status());
    }
    STEWARD_ASSIGN_OR_RETURN(
        int64_t n, t.Exec("UPDATE decision_accounts SET pending_retries = 1 WHERE (tenant_id, "
                          "account_id) IN (SELECT tenant_id, account_id FROM decision_accounts "
                          "WHERE account_id <> ?)",
                          {std::string("a2")}));
    EXPECT_EQ(n, 2);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

TEST_P(StoreConformanceTest, JobBacklogFollowsJobStates) {
  std::vector<int64_t> ids;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    ids.clear();
                    for (int i = 0; i < 3; ++i) {
                      STEWARD_ASSIGN_OR_RETURN(int64_t id, jobs::Enqueue(t, "t1", "T", "{}", 0, 0));
                      ids.push_back(id);
                    }
                    return Status::Ok();
                  })
                  .ok());
  auto pending = [&] {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(n, jobs::PendingCount(t, "t1"));
                      return Status::Ok();
                    })
                    .ok());
    return n;
  };
  EXPECT_EQ(pending(), 3);
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    STEWARD_ASSIGN_OR_RETURN(auto claimed, jobs::Claim(t, "w", 10, 1000, 2, {}));
                    EXPECT_EQ(claimed.size(), 2u);
                    STEWARD_ASSIGN_OR_RETURN(bool done,
                                             jobs::Complete(t, claimed.at(0).job_id, "w"));
                    EXPECT_TRUE(done);
                    STEWARD_ASSIGN_OR_RETURN(bool failed,
                                             jobs::Fail(t, claimed.at(1).job_id, "w", "x", 10));
                    EXPECT_TRUE(failed);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(pending(), 1);
}

// Migration 10: every write of a configuration table the gate reads sets its scope's version to
// a value never seen before, in the same transaction; a rolled-back write leaves it as it was.
TEST_P(StoreConformanceTest, ConfigVersionsChangeWithEveryConfigurationWrite) {
  auto version = [&](const std::string& scope) {
    int64_t v = 0;
    EXPECT_TRUE(store_
                    ->Read([&](Txn& t) -> Status {
                      STEWARD_ASSIGN_OR_RETURN(
                          auto row, t.QueryOne("SELECT version FROM config_versions WHERE scope = ?",
                                               {scope}));
                      v = row ? row->Int(0) : 0;
                      return Status::Ok();
                    })
                    .ok());
    return v;
  };
  auto exec = [&](const std::string& sql) {
    Status st = store_->Write([&](Txn& t) { return t.Exec(sql).status(); });
    EXPECT_TRUE(st.ok()) << sql << ": " << st.ToString();
  };
  std::set<int64_t> seen = {0};
  auto expect_new = [&](const std::string& scope, const std::string& what) {
    int64_t v = version(scope);
    EXPECT_TRUE(seen.insert(v).second) << what << " left " << scope << "'s version at " << v;
  };
  EXPECT_EQ(version("t1"), 0);
  EXPECT_EQ(version(""), 0);
  const std::vector<std::pair<std::string, std::string>> writes = {
      {"INSERT INTO kill_switches (tenant_id, updated_at, updated_by) VALUES ('t1', 0, 'a')", "t1"},
      {"UPDATE kill_switches SET autonomy_enabled = 0 WHERE tenant_id = 't1'", "t1"},
      {"DELETE FROM kill_switches WHERE tenant_id = 't1'", "t1"},
      {"INSERT INTO policy_settings (tenant_id, confidence_threshold, updated_at, updated_by) "
       "VALUES ('t1', 0.8, 0, 'a')", "t1"},
      {"UPDATE policy_settings SET confidence_threshold = 0.9", "t1"},
      {"INSERT INTO autonomy_modes VALUES ('t1', '*', 'DEFAULT', 'AUTO_EXECUTE', 0, 'a')", "t1"},
      {"DELETE FROM autonomy_modes", "t1"},
      {"INSERT INTO allowlists VALUES ('t1', '*', '[]', 0, 'a')", "t1"},
      {"UPDATE allowlists SET action_types = '[\"X\"]'", "t1"},
      {"INSERT INTO budget_configs (tenant_id, account_id, max_autonomous_per_day, updated_at, "
       "updated_by) VALUES ('t1', 'a1', 5, 0, 'a')", "t1"},
      {"DELETE FROM budget_configs", "t1"},
      {"INSERT INTO action_types VALUES ('t1', 'X', 1, 'internal', 'internal', 'x', '1', 'LOW', "
       "0, '[]', 'NONE', 0, '', 0, 'a')", "t1"},
      {"INSERT INTO platform_settings VALUES ('emergency_stop', 'true', 0, 'a')", ""},
      {"UPDATE platform_settings SET value = 'false'", ""},
      {"INSERT INTO kill_switches (tenant_id, updated_at, updated_by) VALUES ('t2', 0, 'a')", "t2"},
  };
  for (const auto& [sql, scope] : writes) {
    int64_t other = version(scope == "t1" ? "t2" : "t1");
    exec(sql);
    expect_new(scope, sql);
    EXPECT_EQ(version(scope == "t1" ? "t2" : "t1"), other) << sql << " moved another scope";
  }
  // A write that rolls back leaves the version where it was.
  const int64_t before = version("t1");
  Status st = store_->Write([&](Txn& t) -> Status {
    STEWARD_RETURN_IF_ERROR(
        t.Exec("INSERT INTO kill_switches (tenant_id, updated_at, updated_by) VALUES ('t1', 0, 'a')")
            .status());
    return Status::Internal("roll back");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(version("t1"), before);
  // Writes to tables the gate does not read change nothing.
  exec("INSERT INTO budget_usage VALUES ('t1', 'a1', '2026-11-24', '*', 1)");
  EXPECT_EQ(version("t1"), before);
}

// Two Store instances (two nodes) claim from one queue concurrently: no job is handed out twice
// and every job is handed out.
TEST_P(StoreConformanceTest, ConcurrentClaimsNeverShareAJob) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  constexpr int kJobs = 300;
  ASSERT_TRUE(store_
                  ->Write([&](Txn& t) -> Status {
                    for (int i = 0; i < kJobs; ++i) {
                      STEWARD_RETURN_IF_ERROR(
                          jobs::Enqueue(t, "t" + std::to_string(i % 3), "T", "{}", i, 0).status());
                    }
                    return Status::Ok();
                  })
                  .ok());
  std::mutex mu;
  std::map<int64_t, std::string> owner_of;  // GUARDED_BY(mu)
  std::atomic<int> duplicates{0}, errors{0};
  std::vector<std::thread> threads;
  Store* stores[] = {store_.get(), other.get()};
  for (int w = 0; w < 8; ++w) {
    threads.emplace_back([&, w] {
      Store* s = stores[w % 2];
      const std::string owner = "node" + std::to_string(w % 2) + "-w" + std::to_string(w);
      while (true) {
        std::vector<jobs::Job> got;
        Status st = s->Write([&](Txn& t) -> Status {
          STEWARD_ASSIGN_OR_RETURN(got, jobs::Claim(t, owner, kJobs, 60'000, 4, {}));
          return Status::Ok();
        });
        if (!st.ok()) {
          ++errors;
          ADD_FAILURE() << st.ToString();
          return;
        }
        if (got.empty()) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          for (const auto& j : got) {
            if (!owner_of.emplace(j.job_id, owner).second) ++duplicates;
          }
        }
        // One job per transaction, as the worker pool completes them.
        for (const auto& j : got) {
          st = s->Write([&](Txn& t) -> Status {
            STEWARD_ASSIGN_OR_RETURN(bool done, jobs::Complete(t, j.job_id, owner));
            return done ? Status::Ok() : Status::Internal("lost the lease of a job just claimed");
          });
          if (!st.ok()) {
            ++errors;
            ADD_FAILURE() << st.ToString();
            return;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(duplicates.load(), 0);
  EXPECT_EQ(owner_of.size(), static_cast<size_t>(kJobs));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(Count("SELECT COALESCE(SUM(active), 0) FROM job_backlog"), 0);
}

// Eight writers on two Store instances append to two tenants' ledgers: each chain stays
// gap-free, linear and verifiable.
TEST_P(StoreConformanceTest, ConcurrentLedgerAppendsStayGapFree) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 8;
  constexpr int kAppends = 26;  // even: half to each tenant
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  Store* stores[] = {store_.get(), other.get()};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      Store* s = stores[w % 2];
      for (int k = 0; k < kAppends; ++k) {
        const std::string tenant = k % 2 ? "tenant-a" : "tenant-b";
        Status st = s->Write([&](Txn& t) -> Status {
          ledger::AppendRequest req;
          req.event_type = std::string(ledger::kConfigChanged);
          req.actor = "writer-" + std::to_string(w);
          Json data = {{"writer", w}, {"k", k}};
          return ledger::Append(t, tenant, 1'700'000'000'000 + k, req, data).status();
        });
        if (!st.ok()) {
          ++errors;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (const char* tenant : {"tenant-a", "tenant-b"}) {
    Status st = store_->Read([&](Txn& t) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto head, ledger::GetHead(t, tenant));
      EXPECT_TRUE(head.has_value());
      EXPECT_EQ(head ? head->seq : 0, kThreads * kAppends / 2);
      STEWARD_ASSIGN_OR_RETURN(auto verify, ledger::Verify(t, tenant, std::nullopt, std::nullopt));
      EXPECT_TRUE(verify.ok) << tenant << ": " << verify.reason;
      EXPECT_EQ(verify.checked, kThreads * kAppends / 2);
      STEWARD_ASSIGN_OR_RETURN(auto range,
                               t.QueryOne("SELECT MIN(seq), MAX(seq), COUNT(*) FROM ledger WHERE "
                                          "tenant_id = ?",
                                          {std::string(tenant)}));
      EXPECT_EQ(range->Int(0), 1);
      EXPECT_EQ(range->Int(1), kThreads * kAppends / 2);
      EXPECT_EQ(range->Int(2), kThreads * kAppends / 2);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
}

// Many writers of one tenant on two nodes all meet on the tenant's ledger head (SerializeOn). They
// must queue, not fail each other: every write commits, and few runs wait for the head row only
// to fail with a serialization error when they get it (PostgreSQL: a conflicting re-run locks the
// hot key before BEGIN, and while the key is hot a first attempt stops at it and re-runs holding
// the lock). Before that, runs failed at the head over and over, and under the load test of
// docs/RELIABILITY.md requests took seconds and some gave up with 503 after 10 s of re-runs.
TEST_P(StoreConformanceTest, ContendedWritersQueueInsteadOfFailing) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(Ddl("CREATE TABLE work (writer BIGINT NOT NULL, k BIGINT NOT NULL, "
                  "PRIMARY KEY (writer, k))")
                  .ok());
  constexpr int kThreads = 16;
  constexpr int kWrites = 20;
  constexpr int kReadsBefore = 12;
  std::atomic<int> errors{0};
  std::atomic<int> runs{0};
  std::atomic<int> failed_at_head{0};
  std::vector<std::thread> threads;
  Store* stores[] = {store_.get(), other.get()};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      Store* s = stores[w % 2];
      for (int k = 0; k < kWrites; ++k) {
        Status st = s->Write([&](Txn& t) -> Status {
          ++runs;
          // Work before the ledger, as the services do (the gate reads its configuration,
          // writes the intent row, then appends the entry).
          for (int q = 0; q < kReadsBefore; ++q) {
            STEWARD_RETURN_IF_ERROR(t.Query("SELECT COUNT(*) FROM work WHERE writer = ?",
                                            {int64_t{w}})
                                        .status());
          }
          STEWARD_RETURN_IF_ERROR(
              t.Exec("INSERT INTO work (writer, k) VALUES (?, ?)", {int64_t{w}, int64_t{k}})
                  .status());
          ledger::AppendRequest req;
          req.event_type = std::string(ledger::kConfigChanged);
          req.actor = "writer-" + std::to_string(w);
          auto appended = ledger::Append(t, "hot-tenant", 1'700'000'000'000 + k, req,
                                         Json{{"writer", w}, {"k", k}});
          // Waited for the head row, then failed: the previous holder changed it (40001).
          if (!appended.ok() && appended.status().message().find("40001") != std::string::npos) {
            ++failed_at_head;
          }
          return appended.status();
        });
        if (!st.ok()) {
          ++errors;
          ADD_FAILURE() << st.ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  constexpr int kTotal = kThreads * kWrites;
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM work"), kTotal);
  EXPECT_EQ(Count("SELECT MAX(seq) FROM ledger WHERE tenant_id = 'hot-tenant'"), kTotal);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger WHERE tenant_id = 'hot-tenant'"), kTotal);
  // Wasted waits: runs that queued on the head row only to fail when they got it. Measured on
  // PostgreSQL: 196-255 without the hot-key locks, 0-4 with them (SQLite: none, one writer).
  EXPECT_LE(failed_at_head.load(), kTotal / 4)
      << failed_at_head.load() << " runs failed at the ledger head for " << kTotal << " commits";
  std::cout << "contended writers: " << runs.load() << " closure runs, " << failed_at_head.load()
            << " failed at the ledger head, for " << kTotal << " commits\n";
}

// A reader tailing a tenant's events by id (the event feed and webhook cursors) never skips an
// event committed by a concurrent writer after the reader passed a higher id.
TEST_P(StoreConformanceTest, EventIdsBecomeVisibleInOrder) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  constexpr int kWriters = 4;
  constexpr int kEvents = 40;
  std::atomic<int> writers_left{kWriters};
  std::atomic<int> errors{0};
  std::set<int64_t> seen;
  std::thread reader([&] {
    int64_t cursor = 0;
    while (true) {
      bool last_pass = writers_left.load() == 0;
      Status st = store_->Read([&](Txn& t) -> Status {
        return t.ForEach(
            "SELECT event_id FROM events WHERE tenant_id = ? AND event_id > ? "
            "ORDER BY event_id",
            {std::string("t1"), cursor}, [&](const Row& r) {
              seen.insert(r.Int(0));
              cursor = std::max(cursor, r.Int(0));
              return true;
            });
      });
      if (!st.ok()) {
        ++errors;
        ADD_FAILURE() << st.ToString();
        return;
      }
      if (last_pass) return;
    }
  });
  std::vector<std::thread> writers;
  Store* stores[] = {store_.get(), other.get()};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int k = 0; k < kEvents; ++k) {
        Status st = stores[w % 2]->Write([&](Txn& t) -> Status {
          STEWARD_RETURN_IF_ERROR(
              t.Exec("INSERT INTO events (tenant_id, type, data, created_at) VALUES (?, 'E', "
                     "'{}', ?)",
                     {std::string("t1"), int64_t{k}})
                  .status());
          // More work after the insert widens the window between drawing an id and committing.
          for (int i = 0; i < 3; ++i) {
            STEWARD_RETURN_IF_ERROR(t.Query("SELECT COUNT(*) FROM jobs").status());
          }
          return Status::Ok();
        });
        if (!st.ok()) {
          ++errors;
          ADD_FAILURE() << st.ToString();
        }
      }
      --writers_left;
    });
  }
  for (auto& t : writers) t.join();
  reader.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kEvents));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events"), kWriters * kEvents);
}

// PostgreSQL only: a connection that dies inside a transaction (server restart, failover, a
// killed backend) costs nothing but a re-run of the closure on a fresh connection, and the pool
// never opens more than pool_size connections.
TEST_P(StoreConformanceTest, LostConnectionIsRetriedAndPoolIsBounded) {
  if (!IsPostgres()) GTEST_SKIP() << "connection loss and pooling are PostgreSQL properties";
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());
  int runs = 0;
  Status st = store_->Write([&](Txn& t) -> Status {
    ++runs;
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('a', 1)").status());
    if (runs == 1) {
      // The server ends this session: the statement fails with the connection gone.
      auto killed = t.Query("SELECT pg_terminate_backend(pg_backend_pid())");
      EXPECT_FALSE(killed.ok());
      return killed.status();
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 1);

  store_.reset();  // from here on, every session of this database belongs to `small`
  StoreOptions options;
  options.pool_size = 2;
  auto small = Open(url_, options);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  store_ = std::move(small).value();
  std::atomic<int64_t> most{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Status w = store_->Write([&](Txn& t) -> Status {
        STEWARD_ASSIGN_OR_RETURN(auto n,
                                 t.QueryOne("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                                            "current_database() AND application_name = 'steward'"));
        int64_t seen = n->Int(0);
        int64_t prev = most.load();
        while (seen > prev && !most.compare_exchange_weak(prev, seen)) {
        }
        return t.Exec("INSERT INTO kv (k, v) VALUES (?, 1)", {"p" + std::to_string(i)}).status();
      });
      EXPECT_TRUE(w.ok()) << w.ToString();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM kv"), 9);
  EXPECT_GE(most.load(), 1);
  EXPECT_LE(most.load(), 2);
}

// Counts signals of one channel and lets a test wait for a count.
class SignalCounter {
 public:
  void Hit() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++count_;
    }
    cv_.notify_all();
  }
  // True once at least `n` signals arrived within `timeout`.
  bool WaitFor(int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

TEST_P(StoreConformanceTest, NotifyOnCommitSignalsOnlyCommittedTransactions) {
  SignalCounter a, b;
  auto sa = store_->Subscribe("chan_a", [&] { a.Hit(); });
  ASSERT_TRUE(sa.ok());
  // PostgreSQL: once the listener runs its first LISTEN it calls every subscriber once (signals
  // from other nodes may have been missed before). Let that happen before counting; chan_b,
  // subscribed afterwards, is then added to a live listener and gets no such call.
  if (IsPostgres()) {
    ASSERT_TRUE(a.WaitFor(1, std::chrono::seconds(20)));
  }
  const int a0 = a.count();
  auto sb = store_->Subscribe("chan_b", [&] { b.Hit(); });
  ASSERT_TRUE(sb.ok());
  EXPECT_FALSE(store_->Subscribe("Bad-Name", [] {}).ok());
  EXPECT_FALSE(store_->Subscribe("", [] {}).ok());
  ASSERT_TRUE(Ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)").ok());

  // Rolled back: no signal.
  Status st = store_->Write([&](Txn& t) -> Status {
    t.NotifyOnCommit("chan_a");
    STEWARD_RETURN_IF_ERROR(t.Exec("INSERT INTO kv (k, v) VALUES ('x', 1)").status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(st.code(), Code::kConflict);
  // Committed: a signal on chan_b only. Once it arrived, the rolled-back chan_a signal would
  // have arrived before it (both backends deliver in commit order from one place).
  ASSERT_TRUE(store_->Write([&](Txn& t) -> Status {
                t.NotifyOnCommit("chan_b");
                t.NotifyOnCommit("chan_b");  // coalesced
                return t.Exec("INSERT INTO kv (k, v) VALUES ('y', 1)").status();
              }).ok());
  ASSERT_TRUE(b.WaitFor(1, std::chrono::seconds(10)));
  EXPECT_EQ(a.count(), a0);
  ASSERT_TRUE(store_->Write([&](Txn& t) -> Status {
                t.NotifyOnCommit("chan_a");
                return t.Exec("INSERT INTO kv (k, v) VALUES ('z', 1)").status();
              }).ok());
  ASSERT_TRUE(a.WaitFor(a0 + 1, std::chrono::seconds(10)));

  // After Unsubscribe a callback never runs again.
  store_->Unsubscribe(*sa);
  store_->Unsubscribe(*sb);
  store_->Unsubscribe(12345);  // unknown: ignored
  int before = a.count();
  ASSERT_TRUE(store_->Write([&](Txn& t) -> Status {
                t.NotifyOnCommit("chan_a");
                return Status::Ok();
              }).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(a.count(), before);
}

TEST_P(StoreConformanceTest, NotificationsCrossNodes) {
  if (!IsPostgres()) GTEST_SKIP() << "one SQLite file has one node";
  auto other = OpenAnother();  // a second node on the same database
  ASSERT_NE(other, nullptr);
  SignalCounter seen;
  auto sub = other->Subscribe("chan_x", [&] { seen.Hit(); });
  ASSERT_TRUE(sub.ok());
  // Once the other node's listener runs LISTEN it calls every subscriber once (anything sent
  // before could have been missed): that first call says the subscription is live.
  ASSERT_TRUE(seen.WaitFor(1, std::chrono::seconds(20))) << "the listener never came up";
  const int before = seen.count();
  ASSERT_TRUE(store_->Write([&](Txn& t) -> Status {
                t.NotifyOnCommit("chan_x");
                return Status::Ok();
              }).ok());
  bool arrived = seen.WaitFor(before + 1, std::chrono::seconds(20));
  EXPECT_TRUE(arrived) << "a commit on one node never signalled the other";
  other->Unsubscribe(*sub);
}

// SPEC §2 / issue 7: a job committed on one node starts on another node's idle worker at once.
// The idle pool polls only every 10 minutes, so only the cross-node signal can wake it within the
// test's bound: checked by what happens, not by how fast.
TEST_P(StoreConformanceTest, JobCommittedOnOneNodeWakesAnotherNodesIdleWorkers) {
  if (!IsPostgres()) GTEST_SKIP() << "one SQLite file has one node";
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  SignalCounter ran;
  jobs::WorkerPool::Options o;
  o.threads = 1;
  o.poll_interval_ms = 600000;
  jobs::WorkerPool pool(other.get(), SystemClock::Default(), o);
  pool.Register("wake_test", [&](const jobs::Job&) {
    ran.Hit();
    return jobs::Outcome::Done();
  });
  ASSERT_TRUE(pool.Start().ok());
  auto enqueue = [&](Store* s) {
    return s->Write([&](Txn& t) -> Status {
      return jobs::Enqueue(t, "tenant", "wake_test", "{}", SystemClock::Default()->NowMs(),
                           SystemClock::Default()->NowMs())
          .status();
    });
  };
  // A first job through the worker's own node: once it ran, the pool is idle and listening.
  ASSERT_TRUE(enqueue(other.get()).ok());
  ASSERT_TRUE(ran.WaitFor(1, std::chrono::seconds(30)));
  // Wait until the worker node's listener is up: it LISTENs to all channels in one pass, so once
  // a probe channel subscribed after the pool's answers, the jobs channel is listened to too.
  SignalCounter probe;
  auto probe_sub = other->Subscribe("probe_chan", [&] { probe.Hit(); });
  ASSERT_TRUE(probe_sub.ok());
  for (int i = 0; i < 100 && probe.count() == 0; ++i) {
    ASSERT_TRUE(store_->Write([&](Txn& t) -> Status {
                  t.NotifyOnCommit("probe_chan");
                  return Status::Ok();
                }).ok());
    probe.WaitFor(1, std::chrono::milliseconds(200));
  }
  ASSERT_GT(probe.count(), 0) << "the worker node never listened";
  other->Unsubscribe(*probe_sub);
  ASSERT_TRUE(enqueue(store_.get()).ok());  // committed on the node with no worker
  EXPECT_TRUE(ran.WaitFor(2, std::chrono::seconds(30)))
      << "the idle node did not start a job committed on another node";
  pool.Stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace steward::store
