// Gate throughput: the in-process auto-approval gate on its AUTO_EXECUTED path with N concurrent
// callers and default durability (synchronous=FULL, group commit), against a peer measured in
// the same run: a bare SQLite program writing the same rows (budget usage, intent, two ledger
// rows, a job) with one fsynced transaction per decision.
//
//   gate_bench [--intents 40000] [--threads 64] [--dir /tmp/x]
// Prints one markdown table row per system.

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/json.h"
#include "store/store.h"
#include "thread_cpu.h"

using namespace steward;
using Steady = std::chrono::steady_clock;

namespace {

struct BenchResult {
  double per_sec;
  double p50_us;
  double p99_us;
  int64_t n;
};

double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

BenchResult RunGate(const std::string& dir, int intents, int threads) {
  auto store = store::Open("sqlite://" + dir + "/gate.db").value();
  autonomy::AutonomyService svc(store.get(), SystemClock::Default(), nullptr);
  autonomy::ConfigService cfg(store.get(), SystemClock::Default());
  autonomy::Actor admin{"bench", "admin"};
  Json out;
  (void)cfg.PutAllowlist(admin, {{"action_types", {"CREATE_INTERNAL_TASK"}}}, &out);
  (void)cfg.PutMode(admin, {{"action_type", "CREATE_INTERNAL_TASK"}, {"mode", "AUTO_EXECUTE"}}, &out);
  (void)cfg.PutPolicy(admin, {{"max_pending_jobs", 100000000}}, &out);
  for (int a = 0; a < 16; ++a) {
    (void)cfg.PutBudget(admin, {{"account_id", "acct-" + std::to_string(a)},
                                {"max_autonomous_per_day", 1000000}}, &out);
  }
  // Create the intents (not timed), in parallel so set-up is quick.
  {
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = t; i < intents; i += threads) {
          Json o;
          bool created;
          (void)svc.CreateIntent(admin,
                                 {{"action_intent_id", "i" + std::to_string(i)},
                                  {"account_id", "acct-" + std::to_string(i % 16)},
                                  {"action_type", "CREATE_INTERNAL_TASK"},
                                  {"parameters", {{"title", "bench"}}},
                                  {"confidence_score", 0.9},
                                  {"gate", "none"}},
                                 &o, &created);
        }
      });
    }
    for (auto& t : ts) t.join();
  }
  std::vector<std::vector<double>> lat(threads);
  std::atomic<int64_t> ok{0};
  const double writer_before = bench::ThreadCpuNs("sqlite-writer");
  auto start = Steady::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = t; i < intents; i += threads) {
        auto s = Steady::now();
        Json o;
        Status st = svc.Gate(admin, {{"action_intent_id", "i" + std::to_string(i)},
                                     {"account_id", "acct-" + std::to_string(i % 16)}}, &o);
        lat[t].push_back(std::chrono::duration<double, std::micro>(Steady::now() - s).count());
        if (st.ok() && o["result"] == "AUTO_EXECUTED") ok++;
      }
    });
  }
  for (auto& th : ts) th.join();
  double secs = std::chrono::duration<double>(Steady::now() - start).count();
  std::fprintf(stderr, "writer thread: %.1f µs of CPU per gate decision\n",
               (bench::ThreadCpuNs("sqlite-writer") - writer_before) / 1000.0 / intents);
  std::fprintf(stderr, "store: %lld checkpoints, %lld WAL restarts\n",
               static_cast<long long>(store->checkpoints()),
               static_cast<long long>(store->wal_restarts()));
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  if (ok.load() != intents) {
    std::fprintf(stderr, "gate: only %lld of %d decisions were AUTO_EXECUTED\n",
                 static_cast<long long>(ok.load()), intents);
    std::exit(1);
  }
  return {intents / secs, Pct(all, 0.5), Pct(all, 0.99), intents};
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

// The peer: the same rows, one fsynced transaction per decision, one connection.
BenchResult RunBareSqlite(const std::string& dir, int decisions) {
  sqlite3* db = nullptr;
  Check(sqlite3_open((dir + "/bare.db").c_str(), &db), db, "open");
  Check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE budget_usage (tenant_id TEXT, account_id TEXT, day TEXT, "
                     "action_type TEXT, used BIGINT, PRIMARY KEY (tenant_id, account_id, day, "
                     "action_type));"
                     "CREATE TABLE intents (tenant_id TEXT, id TEXT, status TEXT, gate TEXT, "
                     "approval TEXT, updated_at BIGINT, PRIMARY KEY (tenant_id, id));"
                     "CREATE TABLE ledger (tenant_id TEXT, seq BIGINT, entry_id TEXT, ts BIGINT, "
                     "event_type TEXT, data TEXT, prev_hash TEXT, hash TEXT, PRIMARY KEY "
                     "(tenant_id, seq));"
                     "CREATE TABLE jobs (job_id INTEGER PRIMARY KEY, tenant_id TEXT, type TEXT, "
                     "payload TEXT, status TEXT, run_at BIGINT);",
                     nullptr, nullptr, nullptr),
        db, "schema");
  sqlite3_stmt *usage, *intent, *ledger, *job, *ins_intent;
  Check(sqlite3_prepare_v2(db, "INSERT INTO intents VALUES ('t', ?, 'PROPOSED', NULL, NULL, 0)", -1, &ins_intent, nullptr), db, "p0");
  Check(sqlite3_prepare_v2(db, "INSERT INTO budget_usage VALUES ('t', 'a', '2026-11-24', ?, 1) ON CONFLICT DO UPDATE SET used = used + 1", -1, &usage, nullptr), db, "p1");
  Check(sqlite3_prepare_v2(db, "UPDATE intents SET status = 'APPROVED', gate = ?, approval = ?, updated_at = ? WHERE tenant_id = 't' AND id = ?", -1, &intent, nullptr), db, "p2");
  Check(sqlite3_prepare_v2(db, "INSERT INTO ledger VALUES ('t', ?, ?, ?, ?, ?, ?, ?)", -1, &ledger, nullptr), db, "p3");
  Check(sqlite3_prepare_v2(db, "INSERT INTO jobs (tenant_id, type, payload, status, run_at) VALUES ('t', 'EXECUTE_INTENT', ?, 'PENDING', ?)", -1, &job, nullptr), db, "p4");
  Check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "b");
  for (int i = 0; i < decisions; ++i) {
    std::string id = "i" + std::to_string(i);
    sqlite3_bind_text(ins_intent, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    Check(sqlite3_step(ins_intent), db, "ins");
    sqlite3_reset(ins_intent);
  }
  Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "c");
  std::string prev(64, '0');
  int64_t seq = 0;
  std::vector<double> lat;
  auto start = Steady::now();
  for (int i = 0; i < decisions; ++i) {
    auto s = Steady::now();
    std::string id = "i" + std::to_string(i);
    Check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
    for (const char* key : {"*", "CREATE_INTERNAL_TASK"}) {
      sqlite3_bind_text(usage, 1, key, -1, SQLITE_STATIC);
      Check(sqlite3_step(usage), db, "usage");
      sqlite3_reset(usage);
    }
    sqlite3_bind_text(intent, 1, R"({"result":"AUTO_EXECUTED","reason":"AUTO_EXECUTE_ALLOWED"})", -1, SQLITE_STATIC);
    sqlite3_bind_text(intent, 2, R"({"source":"POLICY"})", -1, SQLITE_STATIC);
    sqlite3_bind_int64(intent, 3, i);
    sqlite3_bind_text(intent, 4, id.c_str(), -1, SQLITE_TRANSIENT);
    Check(sqlite3_step(intent), db, "intent");
    sqlite3_reset(intent);
    for (const char* ev : {"POLICY_EVALUATED", "ACTION_APPROVED"}) {
      std::string data = std::string(R"({"action_intent_id":")") + id + R"(","event":")" + ev + "\"}";
      std::string hash = Sha256Hex(prev + data);
      sqlite3_bind_int64(ledger, 1, ++seq);
      sqlite3_bind_text(ledger, 2, ("le_" + std::to_string(seq)).c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ledger, 3, i);
      sqlite3_bind_text(ledger, 4, ev, -1, SQLITE_STATIC);
      sqlite3_bind_text(ledger, 5, data.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ledger, 6, prev.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ledger, 7, hash.c_str(), -1, SQLITE_TRANSIENT);
      Check(sqlite3_step(ledger), db, "ledger");
      sqlite3_reset(ledger);
      prev = hash;
    }
    std::string payload = R"({"action_intent_id":")" + id + "\"}";
    sqlite3_bind_text(job, 1, payload.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(job, 2, i);
    Check(sqlite3_step(job), db, "job");
    sqlite3_reset(job);
    Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    lat.push_back(std::chrono::duration<double, std::micro>(Steady::now() - s).count());
  }
  double secs = std::chrono::duration<double>(Steady::now() - start).count();
  for (auto* s : {usage, intent, ledger, job, ins_intent}) sqlite3_finalize(s);
  sqlite3_close(db);
  return {decisions / secs, Pct(lat, 0.5), Pct(lat, 0.99), decisions};
}

}  // namespace

int main(int argc, char** argv) {
  int intents = 40000, threads = 64, peer = 10000;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--intents")) intents = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--peer-decisions")) peer = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  if (dir.empty()) dir = (std::filesystem::temp_directory_path() / ("steward-gate-bench-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // The process-wide settings steward's store applies before its first connection (memory
  // statistics off), applied here first so the peer runs under the same ones.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  BenchResult bare = RunBareSqlite(dir, peer);
  // The peer initialised SQLite, after which its process-wide settings are fixed; steward's store
  // installs its page cache layer (store/sqlite/page_cache.h) before its first connection, as it
  // does in `steward serve`, only on a library not yet initialised. So shut SQLite down between
  // the two (every connection of the peer is closed).
  sqlite3_shutdown();
  BenchResult gate = RunGate(dir, intents, threads);
  std::printf("| system | decisions | decisions/s | p50 µs | p99 µs |\n|---|---|---|---|---|\n");
  std::printf("| steward gate, in-process, %d callers, synchronous=FULL | %lld | %.0f | %.0f | %.0f |\n",
              threads, static_cast<long long>(gate.n), gate.per_sec, gate.p50_us, gate.p99_us);
  std::printf("| bare SQLite, one fsynced txn per decision | %lld | %.0f | %.0f | %.0f |\n",
              static_cast<long long>(bare.n), bare.per_sec, bare.p50_us, bare.p99_us);
  std::printf("\nratio steward/bare = %.2fx\n", gate.per_sec / bare.per_sec);
  std::filesystem::remove_all(dir);
  return 0;
}
