// RUN_DECISION evaluations in process: N distinct idempotency keys spread over many accounts
// (so the cost gate allows them: each account's SIGNAL_ARRIVED is allowed once, later ones
// are debounced — every evaluation still does the full reservation, gate, run and ledger work),
// `threads` concurrent callers, default durability.
//
//   decision_bench [--evaluations 40000] [--threads 64]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "common/json.h"
#include "decision/decision_service.h"
#include "store/store.h"
#include "thread_cpu.h"

using namespace steward;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int n = 40000, threads = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--evaluations")) n = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  auto dir = std::filesystem::temp_directory_path() / ("steward-decision-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = store::Open("sqlite://" + (dir / "d.db").string()).value();
  decision::DecisionService svc(store.get(), SystemClock::Default(), nullptr);
  std::vector<std::vector<double>> lat(threads);
  std::atomic<int> allowed{0};
  auto start = Steady::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) {
        decision::TriggerRequest req;
        req.account_id = "acct-" + std::to_string(i % 5000);
        req.trigger_type = "SIGNAL_ARRIVED";
        req.idempotency_key = "k" + std::to_string(i);
        Json out;
        auto s = Steady::now();
        Status st = svc.Evaluate("bench", "bench", req, &out);
        lat[t].push_back(std::chrono::duration<double, std::micro>(Steady::now() - s).count());
        if (!st.ok()) {
          std::fprintf(stderr, "evaluate: %s\n", st.ToString().c_str());
          std::exit(1);
        }
        if (out["result"] == "ALLOW") allowed++;
      }
    });
  }
  for (auto& th : ts) th.join();
  double secs = std::chrono::duration<double>(Steady::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  std::printf("| steward RUN_DECISION, in process, %d callers | %d | %.0f | %.0f µs | %.0f µs |\n", threads,
              n, n / secs, all[all.size() / 2], all[static_cast<size_t>(0.99 * (all.size() - 1))]);
  std::fprintf(stderr, "writer thread: %.1f µs of CPU per evaluation\n",
               bench::ThreadCpuNs("sqlite-writer") / 1000.0 / n);
  std::fprintf(stderr, "allowed %d of %d; %lld write batches (%.1f evaluations per batch)\n",
               allowed.load(), n, static_cast<long long>(store->batches()),
               static_cast<double>(n) / static_cast<double>(std::max<int64_t>(1, store->batches())));
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
