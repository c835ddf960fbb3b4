// Execution throughput and latency (issue: exactly-once execution engine).
//
//   exec_bench [--connector internal|http] [--url URL] [--intents N] [--workers W] [--rate R]
//
// Phase 1 (throughput): N intents are created and approved while no worker runs; then the
// worker pool starts and the time until N outcomes are SUCCEEDED gives outcomes/s.
// Phase 2 (latency): with the pool running, intents are approved open-loop at R per second
// (default: half of phase 1's rate) for 5 s; latency = outcome.completed_at − approval.at.
// Default durability (synchronous=FULL, group commit). Prints markdown table rows.
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
#include "autonomy/gate.h"
#include "common/json.h"
#include "exec/connectors/http_connector.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "exec/execution_service.h"
#include "jobs/worker_pool.h"
#include "store/store.h"

using namespace steward;
using Steady = std::chrono::steady_clock;

namespace {

struct Setup {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<autonomy::AutonomyService> autonomy;
  std::unique_ptr<exec::ExecutionService> svc;
};

void Die(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

int64_t CountSucceeded(store::Store* s, const std::string& prefix) {
  int64_t n = 0;
  Die(s->Read([&](store::Txn& t) -> Status {
        STEWARD_ASSIGN_OR_RETURN(auto r, t.QueryOne("SELECT COUNT(*) FROM action_outcomes WHERE "
                                                    "tenant_id = 'bench' AND status = 'SUCCEEDED' "
                                                    "AND action_intent_id LIKE ?",
                                                    {prefix + "%"}));
        n = r->Int(0);
        return Status::Ok();
      }),
      "count");
  return n;
}

void CreateAndMaybeApprove(Setup& s, const std::string& prefix, const std::string& type,
                           int from, int to, int threads, bool approve) {
  autonomy::Actor agent{"bench", "agent"}, approver{"bench", "approver"};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = from + t; i < to; i += threads) {
        std::string id = prefix + std::to_string(i);
        Json out;
        bool created;
        Json params = type == "CREATE_INTERNAL_TASK" ? Json{{"title", id}} : Json{{"name", id}};
        Die(s.autonomy->CreateIntent(agent, {{"action_intent_id", id}, {"account_id", "acct-1"},
                                             {"action_type", type}, {"parameters", params},
                                             {"gate", "none"}}, &out, &created), "create");
        if (approve) Die(s.svc->Approve(approver, id, {{"account_id", "acct-1"}}, &out), "approve");
      }
    });
  }
  for (auto& t : ts) t.join();
}

double Pct(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string connector = "internal", url;
  int intents = 0, workers = 0;
  double rate = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--connector")) connector = argv[i + 1];
    else if (!std::strcmp(argv[i], "--url")) url = argv[i + 1];
    else if (!std::strcmp(argv[i], "--intents")) intents = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--workers")) workers = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rate")) rate = std::atof(argv[i + 1]);
  }
  bool http = connector == "http";
  if (http && url.empty()) {
    std::fprintf(stderr, "--connector http needs --url\n");
    return 2;
  }
  if (intents == 0) intents = http ? 10000 : 20000;
  if (workers == 0) workers = http ? 64 : 32;
  std::string type = http ? "CREATE_OPPORTUNITY" : "CREATE_INTERNAL_TASK";
  auto dir = std::filesystem::temp_directory_path() / ("steward-exec-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  Setup s;
  s.store = store::Open("sqlite://" + (dir / "exec.db").string()).value();
  const Clock* clock = SystemClock::Default();
  jobs::WorkerPool::Options wo;
  wo.threads = workers;
  wo.claim_batch = 64;
  wo.prefetch = workers;
  wo.poll_interval_ms = 50;
  jobs::WorkerPool pool(s.store.get(), clock, wo);
  s.autonomy = std::make_unique<autonomy::AutonomyService>(s.store.get(), clock, &pool);
  s.svc = std::make_unique<exec::ExecutionService>(s.store.get(), clock, &pool);
  autonomy::ConfigService cfg(s.store.get(), clock);
  autonomy::Actor admin{"bench", "admin"};
  Json out;
  Die(cfg.PutPolicy(admin, {{"max_pending_jobs", 100000000}}, &out), "policy");
  if (http) Die(s.svc->PutConnector(admin, "default", {{"url", url}, {"timeout_ms", 10000}}, &out), "connector");
  exec::Engine engine(s.store.get(), clock);
  engine.AddConnector("internal", exec::NewInternalConnector());
  engine.AddConnector("http", exec::NewHttpConnector());
  pool.Register(std::string(autonomy::kJobExecuteIntent),
                [&](const jobs::Job& j) { return engine.Handle(j); });

  // Phase 1.
  CreateAndMaybeApprove(s, "t", type, 0, intents, 32, true);
  auto start = Steady::now();
  Die(pool.Start(), "pool");
  while (CountSucceeded(s.store.get(), "t") < intents) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (Steady::now() - start > std::chrono::minutes(5)) {
      std::fprintf(stderr, "phase 1 did not finish: %lld of %d\n",
                   static_cast<long long>(CountSucceeded(s.store.get(), "t")), intents);
      return 1;
    }
  }
  double secs = std::chrono::duration<double>(Steady::now() - start).count();
  double per_sec = intents / secs;

  // Phase 2: open-loop approvals of pre-created intents.
  if (rate <= 0) rate = per_sec / 2;
  int n2 = static_cast<int>(rate * 5);
  CreateAndMaybeApprove(s, "l", type, 0, n2, 16, false);
  autonomy::Actor approver{"bench", "approver"};
  std::atomic<int> next{0};
  auto t0 = Steady::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < 16; ++t) {
    ts.emplace_back([&] {
      while (true) {
        int i = next.fetch_add(1);
        if (i >= n2) return;
        auto due = t0 + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate));
        std::this_thread::sleep_until(due);
        Json o;
        Die(s.svc->Approve(approver, "l" + std::to_string(i), {{"account_id", "acct-1"}}, &o), "approve");
      }
    });
  }
  for (auto& t : ts) t.join();
  while (CountSucceeded(s.store.get(), "l") < n2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pool.Stop();
  std::vector<double> lat;
  Die(s.store->Read([&](store::Txn& t) -> Status {
        return t.ForEach(
            "SELECT o.completed_at, i.approval FROM action_outcomes o JOIN intents i ON "
            "i.tenant_id = o.tenant_id AND i.action_intent_id = o.action_intent_id WHERE "
            "o.action_intent_id LIKE 'l%'",
            {}, [&](const store::Row& r) {
              auto a = ParseJson(r.Text(1));
              if (a.ok() && a->contains("at_ms")) {
                lat.push_back(static_cast<double>(r.Int(0) - (*a)["at_ms"].get<int64_t>()));
              }
              return true;
            });
      }),
      "latency");
  if (lat.size() != static_cast<size_t>(n2)) {
    std::fprintf(stderr, "latency samples: %zu of %d\n", lat.size(), n2);
    return 1;
  }
  std::printf("| %s connector, %d workers | %d | %.0f outcomes/s | %.0f approvals/s | %.0f ms | %.0f ms |\n",
              connector.c_str(), workers, intents, per_sec, rate, Pct(lat, 0.5), Pct(lat, 0.99));
  s.svc.reset();
  s.autonomy.reset();
  s.store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
