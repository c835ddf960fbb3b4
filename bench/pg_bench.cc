// PostgreSQL and many nodes (issue 7): the gate and the cross-node execution wake-up on the
// PostgreSQL store backend.
//
//   pg_bench --url postgresql://… --mode gate|latency [--threads 16] [--intents 20000]
//            [--tenants 1] [--rate 200] [--seconds 10] [--workers 8] [--poll-ms 5000]
//            [--server-pid PID] [--notify-off] [--nodes-first 1|2]
//
// --mode gate: the gate on its AUTO_EXECUTED path (budget consumed, intent approved, two ledger
//   entries, one EXECUTE_INTENT job, one SERIALIZABLE transaction) on distinct intents spread
//   over --tenants tenants × 16 accounts with large budgets, called in a random order by N
//   threads. After an unreported warm-up of 2,000 decisions, measured twice on fresh intents
//   (each set created, then ANALYZE, then timed): one node (one Store, pool_size = N) and two
//   nodes (two independent Stores on the same database, each with its own pool of N/2
//   connections and its own services, half the threads on each — two nodes as the database sees
//   them, in one process).
// --mode latency: node A (a Store and an ExecutionService, no worker pool) approves pre-created
//   intents open-loop at --rate per second for --seconds; node B (its own Store and a
//   jobs::WorkerPool running the real EXECUTE_INTENT engine with the internal connector, idle
//   poll interval --poll-ms) runs them. Latency = handler start on B − Approve returning on A, on
//   one steady clock. With --notify-off a second phase follows in which node A's commits send no
//   signal (its transactions drop Txn::NotifyOnCommit), so B finds the jobs only by polling.
//
// Re-runs per decision count the closure runs the store made beyond one per Store::Write
// (serialization failures, deadlocks, unique-violation re-runs). With --server-pid (the
// postmaster's pid, same machine) the CPU time of the server's processes is reported per
// decision beside this process's own. Prints markdown table rows.

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "autonomy/gate.h"
#include "common/clock.h"
#include "common/json.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "exec/execution_service.h"
#include "jobs/worker_pool.h"
#include "store/store.h"

using namespace steward;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kAccountsPerTenant = 16;
constexpr int64_t kDailyBudget = 1000000;       // the largest the API accepts
constexpr int64_t kMaxPendingJobs = 100000000;  // no backpressure: jobs pile up unrun
constexpr std::chrono::seconds kListenSettle{1};
constexpr unsigned kShuffleSeed = 7;
constexpr int kSetupAttempts = 5;
constexpr int kWarmUpDecisions = 2000;

// Set-up writes that failed with Unavailable and were tried again (reported on stderr).
std::atomic<int> setup_failures{0};

struct Args {
  std::string url;
  std::string mode = "gate";
  int threads = 16;
  int intents = 20000;
  int tenants = 1;
  double rate = 200;
  int seconds = 10;
  int workers = 8;
  int64_t poll_ms = 5000;
  int server_pid = 0;
  bool notify_off = false;
  std::vector<int> node_order = {1, 2};  // --nodes-first 2 measures two nodes first
};

// Ends the process at once on a failed step: other threads may still be running, so no
// destructors run (std::exit would race them).
void Die(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "pg_bench: %s: %s\n", what, st.ToString().c_str());
    std::fflush(nullptr);
    std::_Exit(1);
  }
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// A transaction that forwards everything but NotifyOnCommit: commits through it signal nobody.
class SilentTxn final : public store::Txn {
 public:
  explicit SilentTxn(store::Txn* inner) : inner_(inner) {}
  Result<int64_t> Exec(std::string_view sql, store::Params params) override {
    return inner_->Exec(sql, params);
  }
  Result<int64_t> ExecV(std::string_view sql, const std::vector<store::Value>& params) override {
    return inner_->ExecV(sql, params);
  }
  Result<std::vector<store::Row>> Query(std::string_view sql, store::Params params) override {
    return inner_->Query(sql, params);
  }
  Result<std::vector<store::Row>> QueryV(std::string_view sql,
                                         const std::vector<store::Value>& params) override {
    return inner_->QueryV(sql, params);
  }
  Status ForEach(std::string_view sql, const std::vector<store::Value>& params,
                 const std::function<bool(const store::Row&)>& fn) override {
    return inner_->ForEach(sql, params, fn);
  }
  bool writable() const override { return inner_->writable(); }
  std::string_view backend() const override { return inner_->backend(); }
  void NotifyOnCommit(std::string_view) override {}
  void SerializeOn(std::string_view key) override { inner_->SerializeOn(key); }

 private:
  store::Txn* inner_;
};

// One node's store: forwards to a real Store, counts the runs of write closures (a re-run is a
// run beyond the first of a Write), and can mute the node's commit signals. Thread-safe.
class NodeStore final : public store::Store {
 public:
  explicit NodeStore(std::unique_ptr<store::Store> inner) : inner_(std::move(inner)) {}

  Status Write(const std::function<Status(store::Txn&)>& fn) override {
    writes_.fetch_add(1);
    return inner_->Write([&](store::Txn& txn) -> Status {
      runs_.fetch_add(1);
      if (!signals_.load()) {
        SilentTxn silent(&txn);
        return fn(silent);
      }
      return fn(txn);
    });
  }
  Status Read(const std::function<Status(store::Txn&)>& fn) override { return inner_->Read(fn); }
  std::string_view backend() const override { return inner_->backend(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Result<int64_t> Subscribe(std::string channel, std::function<void()> fn) override {
    return inner_->Subscribe(std::move(channel), std::move(fn));
  }
  void Unsubscribe(int64_t id) override { inner_->Unsubscribe(id); }
  int64_t commits() const override { return inner_->commits(); }
  int64_t batches() const override { return inner_->batches(); }

  void set_signals(bool on) { signals_.store(on); }
  int64_t writes() const { return writes_.load(); }
  int64_t runs() const { return runs_.load(); }

 private:
  std::unique_ptr<store::Store> inner_;
  std::atomic<bool> signals_{true};
  std::atomic<int64_t> writes_{0};
  std::atomic<int64_t> runs_{0};
};

std::unique_ptr<NodeStore> OpenNode(const std::string& url, int pool_size) {
  store::StoreOptions options;
  options.pool_size = pool_size;
  auto s = store::Open(url, options);
  Die(s.status(), "open store");
  return std::make_unique<NodeStore>(std::move(s).value());
}

// CPU seconds (user + system) of `pid`, its live children and its reaped children, from /proc;
// 0 when pid is 0.
double ServerCpuSeconds(int pid) {
  if (pid <= 0) return 0;
  double ticks = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    if (std::atoi(e->d_name) != pid && ppid != pid) continue;
    std::string skip;
    for (int i = 0; i < 9; ++i) rest >> skip;  // pgrp … cmajflt
    double utime = 0, stime = 0, cutime = 0, cstime = 0;
    rest >> utime >> stime >> cutime >> cstime;
    ticks += utime + stime;
    // The postmaster's cutime/cstime hold the CPU of backends that have exited.
    if (std::atoi(e->d_name) == pid) ticks += cutime + cstime;
  }
  closedir(proc);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

std::string Tenant(int i, int tenants) { return "bench-t" + std::to_string(i % tenants); }
std::string Account(int i, int tenants) {
  return "acct-" + std::to_string((i / tenants) % kAccountsPerTenant);
}

void ConfigureTenants(store::Store* store, int tenants, bool gate) {
  autonomy::ConfigService cfg(store, SystemClock::Default());
  Json out;
  for (int t = 0; t < tenants; ++t) {
    autonomy::Actor admin{Tenant(t, tenants), "admin"};
    Die(cfg.PutPolicy(admin, {{"max_pending_jobs", kMaxPendingJobs}}, &out), "policy");
    if (!gate) continue;
    Die(cfg.PutAllowlist(admin, {{"action_types", {"CREATE_INTERNAL_TASK"}}}, &out), "allowlist");
    Die(cfg.PutMode(admin, {{"action_type", "CREATE_INTERNAL_TASK"}, {"mode", "AUTO_EXECUTE"}},
                    &out),
        "mode");
    for (int a = 0; a < kAccountsPerTenant; ++a) {
      Die(cfg.PutBudget(admin,
                        {{"account_id", "acct-" + std::to_string(a)},
                         {"max_autonomous_per_day", kDailyBudget}},
                        &out),
          "budget");
    }
  }
}

// Creates intents prefix0 … prefix(n-1) (gate "none": they wait), spread over the tenants.
void CreateIntents(store::Store* store, const std::string& prefix, int n, int tenants,
                   int threads) {
  autonomy::AutonomyService svc(store, SystemClock::Default(), nullptr);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) {
        // Set-up, not measured: a write the store gave up on (Unavailable after its re-runs)
        // is tried again; a repeat of the same intent is idempotent.
        Status st;
        for (int attempt = 0; attempt < kSetupAttempts; ++attempt) {
          Json out;
          bool created = false;
          st = svc.CreateIntent({Tenant(i, tenants), "agent"},
                                {{"action_intent_id", prefix + std::to_string(i)},
                                 {"account_id", Account(i, tenants)},
                                 {"action_type", "CREATE_INTERNAL_TASK"},
                                 {"parameters", {{"title", "bench"}}},
                                 {"confidence_score", 0.9},
                                 {"gate", "none"}},
                                &out, &created);
          if (st.code() != Code::kUnavailable) break;
          setup_failures.fetch_add(1);
        }
        Die(st, "create intent");
      }
    });
  }
  for (auto& t : ts) t.join();
}

struct GateResult {
  double per_sec = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double reruns = 0;     // per decision
  double client_us = 0;  // this process's CPU per decision
  double server_us = 0;  // the server's CPU per decision (0 without --server-pid)
  int failed = 0;        // Gate calls that failed (Unavailable once the store gave up)
};

// Gate decisions on prefix0 … prefix(n-1) from `threads` threads, thread t on node t % nodes.
GateResult RunGate(const std::vector<NodeStore*>& nodes, const std::string& prefix, const Args& a) {
  const int n = a.intents, threads = a.threads;
  std::vector<std::unique_ptr<autonomy::AutonomyService>> svcs;
  for (NodeStore* s : nodes) {
    svcs.push_back(std::make_unique<autonomy::AutonomyService>(s, SystemClock::Default(), nullptr));
  }
  // Calls come in a random order, so each thread meets every tenant and account, as a server's
  // handler threads do.
  std::vector<int> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(kShuffleSeed));
  std::vector<std::vector<double>> lat(threads);
  std::atomic<int> auto_executed{0}, failed{0};
  int64_t writes0 = 0, runs0 = 0;
  for (NodeStore* s : nodes) writes0 += s->writes(), runs0 += s->runs();
  const double client0 = SelfCpuSeconds(), server0 = ServerCpuSeconds(a.server_pid);
  const auto start = Steady::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      autonomy::AutonomyService& svc = *svcs[static_cast<size_t>(t) % svcs.size()];
      for (int k = t; k < n; k += threads) {
        const int i = order[static_cast<size_t>(k)];
        auto s = Steady::now();
        Json out;
        Status st = svc.Gate({Tenant(i, a.tenants), "agent"},
                             {{"action_intent_id", prefix + std::to_string(i)},
                              {"account_id", Account(i, a.tenants)}},
                             &out);
        lat[t].push_back(std::chrono::duration<double, std::milli>(Steady::now() - s).count());
        if (st.ok() && out["result"] == "AUTO_EXECUTED") auto_executed.fetch_add(1);
        if (!st.ok()) {
          failed.fetch_add(1);
          std::fprintf(stderr, "pg_bench: gate: %s\n", st.ToString().c_str());
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  const double secs = std::chrono::duration<double>(Steady::now() - start).count();
  const double client = SelfCpuSeconds() - client0;
  const double server = ServerCpuSeconds(a.server_pid) - server0;
  if (auto_executed.load() + failed.load() != n) {
    std::fprintf(stderr, "pg_bench: %d of %d decisions were not AUTO_EXECUTED\n",
                 n - auto_executed.load() - failed.load(), n);
    std::fflush(nullptr);
    std::_Exit(1);
  }
  int64_t writes = -writes0, runs = -runs0;
  for (NodeStore* s : nodes) writes += s->writes(), runs += s->runs();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  GateResult r;
  r.failed = failed.load();
  r.per_sec = auto_executed.load() / secs;
  r.p50_ms = Pct(all, 0.5);
  r.p99_ms = Pct(all, 0.99);
  r.reruns = static_cast<double>(runs - writes) / n;
  r.client_us = client * 1e6 / n;
  r.server_us = server * 1e6 / n;
  return r;
}

void PrintGateRow(const char* system, const Args& a, const GateResult& r) {
  std::printf(
      "| %s | %d | %d | %d | %d | %.0f | %.1f ms | %.1f ms | %.2f | %.0f µs "
      "| %.0f µs |\n",
      system, a.tenants, a.threads, a.intents, r.failed, r.per_sec, r.p50_ms, r.p99_ms, r.reruns,
      r.client_us, a.server_pid > 0 ? r.server_us : 0.0);
}

// One gate measurement on `nodes` nodes, each with its own Store (pool_size = threads / nodes).
GateResult RunGateOnNodes(const Args& a, int nodes, const std::string& prefix) {
  std::vector<std::unique_ptr<NodeStore>> stores;
  for (int i = 0; i < nodes; ++i) stores.push_back(OpenNode(a.url, std::max(1, a.threads / nodes)));
  ConfigureTenants(stores[0].get(), a.tenants, true);
  CreateIntents(stores[0].get(), prefix, a.intents, a.tenants, a.threads);
  // Fresh statistics, as autovacuum keeps them in a running system (the peer gets the same).
  Die(stores[0]->Write([](store::Txn& txn) { return txn.Exec("ANALYZE").status(); }), "analyze");
  std::vector<NodeStore*> ptrs;
  for (auto& s : stores) ptrs.push_back(s.get());
  return RunGate(ptrs, prefix, a);
}

int RunGateMode(const Args& a) {
  const std::string run = std::to_string(getpid());
  // Warm-up, not reported: the day's budget_usage rows exist afterwards (a first decision per
  // account inserts them; later ones update them), and the tables have grown past their
  // first pages, so the phases below both measure the steady state, whichever runs first.
  Args warm = a;
  warm.intents = std::min(a.intents, kWarmUpDecisions);
  (void)RunGateOnNodes(warm, 1, "w-" + run + "-");
  GateResult one, two;
  for (int nodes : a.node_order) {
    GateResult r = RunGateOnNodes(a, nodes, "g" + std::to_string(nodes) + "-" + run + "-");
    (nodes == 1 ? one : two) = r;
  }
  if (setup_failures.load() > 0) {
    std::fprintf(stderr, "pg_bench: %d set-up writes failed (Unavailable) and were tried again\n",
                 setup_failures.load());
  }
  PrintGateRow("gate, 1 node", a, one);
  PrintGateRow("gate, 2 nodes (2 Stores in 1 process)", a, two);
  std::printf("RESULT tenants=%d one=%.0f two=%.0f ratio=%.2f\n", a.tenants, one.per_sec,
              two.per_sec, two.per_sec / one.per_sec);
  return 0;
}

struct LatencyResult {
  int n = 0;
  int approved = 0;  // Approve returned OK (the others failed after the store's re-runs)
  int started = 0;   // of the approved, started on B before the deadline
  double achieved_rate = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double approve_p99_ms = 0;
  double approve_reruns = 0;  // per approval
  double b_reruns = 0;        // per write on node B (claims, executions, job completions)
};

// One phase of --mode latency: node A approves prefix0 … prefix(n-1) open-loop; B's handler
// records when each starts in `started_ns` (indexed by the number after the prefix).
LatencyResult RunLatencyPhase(const Args& a, NodeStore* node_a, NodeStore* node_b,
                              const std::string& prefix,
                              std::vector<std::atomic<int64_t>>* started_ns,
                              const Steady::time_point& t0) {
  const int n = static_cast<int>(a.rate * a.seconds);
  exec::ExecutionService svc(node_a, SystemClock::Default(), nullptr);
  std::vector<int64_t> approved_ns(static_cast<size_t>(n), 0);
  std::vector<double> approve_ms(static_cast<size_t>(n), 0);
  std::atomic<int> next{0};
  constexpr int kApprovers = 16;
  const int64_t writes0 = node_a->writes(), runs0 = node_a->runs();
  const int64_t b_writes0 = node_b->writes(), b_runs0 = node_b->runs();
  const auto begin = Steady::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < kApprovers; ++t) {
    ts.emplace_back([&] {
      while (true) {
        const int i = next.fetch_add(1);
        if (i >= n) return;
        std::this_thread::sleep_until(
            begin + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / a.rate)));
        const auto s = Steady::now();
        Json out;
        Status st = svc.Approve({Tenant(i, a.tenants), "approver"}, prefix + std::to_string(i),
                                {{"account_id", Account(i, a.tenants)}}, &out);
        const auto e = Steady::now();
        if (!st.ok()) {
          std::fprintf(stderr, "pg_bench: approve: %s\n", st.ToString().c_str());
          continue;
        }
        approve_ms[static_cast<size_t>(i)] =
            std::chrono::duration<double, std::milli>(e - s).count();
        approved_ns[static_cast<size_t>(i)] =
            std::chrono::duration_cast<std::chrono::nanoseconds>(e - t0).count();
      }
    });
  }
  for (auto& t : ts) t.join();
  LatencyResult r;
  r.n = n;
  r.achieved_rate = n / std::chrono::duration<double>(Steady::now() - begin).count();
  r.approve_reruns =
      static_cast<double>((node_a->runs() - runs0) - (node_a->writes() - writes0)) / n;
  std::vector<double> approve_lat;
  for (int i = 0; i < n; ++i) {
    if (approved_ns[static_cast<size_t>(i)] != 0)
      approve_lat.push_back(approve_ms[static_cast<size_t>(i)]);
  }
  r.approved = static_cast<int>(approve_lat.size());
  r.approve_p99_ms = Pct(approve_lat, 0.99);
  const auto deadline =
      Steady::now() + std::chrono::milliseconds(3 * a.poll_ms) + std::chrono::seconds(30);
  std::vector<double> lat;
  while (true) {
    lat.clear();
    for (int i = 0; i < n; ++i) {
      const int64_t approved = approved_ns[static_cast<size_t>(i)];
      const int64_t started = (*started_ns)[static_cast<size_t>(i)].load();
      if (approved != 0 && started != 0) {
        lat.push_back(static_cast<double>(started - approved) / 1e6);
      }
    }
    if (static_cast<int>(lat.size()) == r.approved || Steady::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int64_t b_writes = node_b->writes() - b_writes0;
  r.b_reruns =
      b_writes > 0 ? static_cast<double>(node_b->runs() - b_runs0 - b_writes) / b_writes : 0;
  r.started = static_cast<int>(lat.size());
  r.p50_ms = Pct(lat, 0.5);
  r.p99_ms = Pct(lat, 0.99);
  r.max_ms = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end());
  return r;
}

int RunLatencyMode(const Args& a) {
  const int n = static_cast<int>(a.rate * a.seconds);
  const std::string run = std::to_string(getpid());
  const std::vector<std::string> prefixes = {"on-" + run + "-", "off-" + run + "-"};
  const int phases = a.notify_off ? 2 : 1;
  auto node_a = OpenNode(a.url, 16);
  auto node_b = OpenNode(a.url, a.workers + 4);
  ConfigureTenants(node_a.get(), a.tenants, false);
  for (int p = 0; p < phases; ++p) CreateIntents(node_a.get(), prefixes[p], n, a.tenants, 8);

  std::vector<std::vector<std::atomic<int64_t>>> started(phases);
  for (auto& v : started) v = std::vector<std::atomic<int64_t>>(static_cast<size_t>(n));
  const auto t0 = Steady::now();
  exec::Engine engine(node_b.get(), SystemClock::Default());
  engine.AddConnector("internal", exec::NewInternalConnector());
  jobs::WorkerPool::Options wo;
  wo.threads = a.workers;
  wo.claim_batch = 16;
  wo.prefetch = a.workers;
  wo.poll_interval_ms = a.poll_ms;
  jobs::WorkerPool pool(node_b.get(), SystemClock::Default(), wo);
  pool.Register(std::string(autonomy::kJobExecuteIntent), [&](const jobs::Job& job) {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - t0).count();
    auto payload = ParseJson(job.payload_json);
    if (payload.ok()) {
      const std::string id = (*payload)["action_intent_id"].get<std::string>();
      for (int p = 0; p < phases; ++p) {
        if (id.rfind(prefixes[p], 0) != 0) continue;
        const size_t i = std::stoul(id.substr(prefixes[p].size()));
        int64_t unset = 0;
        if (i < started[p].size()) started[p][i].compare_exchange_strong(unset, now);
      }
    }
    return engine.Handle(job);
  });
  Die(pool.Start(), "worker pool");
  std::this_thread::sleep_for(kListenSettle);  // B's LISTEN is issued by its signals thread

  std::vector<LatencyResult> results;
  for (int p = 0; p < phases; ++p) {
    node_a->set_signals(p == 0);
    results.push_back(RunLatencyPhase(a, node_a.get(), node_b.get(), prefixes[p], &started[p], t0));
  }
  pool.Stop();
  for (int p = 0; p < phases; ++p) {
    const LatencyResult& r = results[p];
    std::printf(
        "| approval on A → execution start on B, %s, poll %lld ms | %d | %.0f/s × %d s "
        "(achieved %.0f/s) | %d/%d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.2f | %.2f |\n",
        p == 0 ? "NOTIFY" : "no signal (A's NotifyOnCommit dropped)",
        static_cast<long long>(a.poll_ms), a.tenants, a.rate, a.seconds, r.achieved_rate,
        r.approved, r.n, r.started, r.p50_ms, r.p99_ms, r.max_ms, r.approve_p99_ms,
        r.approve_reruns, r.b_reruns);
    if (r.started != r.approved) {
      std::fprintf(stderr, "pg_bench: %d approved executions did not start in time\n",
                   r.approved - r.started);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    auto is = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (std::strcmp(argv[i], "--notify-off") == 0)
      a.notify_off = true;
    else if (is("--url"))
      a.url = argv[++i];
    else if (is("--mode"))
      a.mode = argv[++i];
    else if (is("--threads"))
      a.threads = std::atoi(argv[++i]);
    else if (is("--intents"))
      a.intents = std::atoi(argv[++i]);
    else if (is("--tenants"))
      a.tenants = std::atoi(argv[++i]);
    else if (is("--rate"))
      a.rate = std::atof(argv[++i]);
    else if (is("--seconds"))
      a.seconds = std::atoi(argv[++i]);
    else if (is("--workers"))
      a.workers = std::atoi(argv[++i]);
    else if (is("--poll-ms"))
      a.poll_ms = std::atoll(argv[++i]);
    else if (is("--server-pid"))
      a.server_pid = std::atoi(argv[++i]);
    else if (is("--nodes-first"))
      a.node_order = std::atoi(argv[++i]) == 2 ? std::vector<int>{2, 1} : std::vector<int>{1, 2};
    else {
      std::fprintf(stderr, "pg_bench: unknown or incomplete argument %s\n", argv[i]);
      return 2;
    }
  }
  if (a.url.empty() || a.threads < 1 || a.intents < 1 || a.tenants < 1 || a.rate <= 0 ||
      a.seconds < 1 || a.workers < 1 || a.poll_ms < 1) {
    std::fprintf(stderr, "usage: pg_bench --url postgresql://… --mode gate|latency [options]\n");
    return 2;
  }
  if (a.mode == "gate") return RunGateMode(a);
  if (a.mode == "latency") return RunLatencyMode(a);
  std::fprintf(stderr, "pg_bench: unknown mode %s\n", a.mode.c_str());
  return 2;
}
