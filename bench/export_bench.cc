// Audit export of 1,000,000 ledger rows to CSV (issue: audit exports), against `sqlite3 -csv`
// selecting the same columns from the same database file, measured in the same run.
//
//   export_bench [--rows 1000000] [--keep DIR]
// Prints markdown table rows: seconds, MB/s, peak RSS.
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "audit/export_service.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/time_util.h"
#include "jobs/job_queue.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"
#include "store/store.h"

using namespace steward;
using Steady = std::chrono::steady_clock;

namespace {

int64_t PeakRssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

void Die(const Status& st, const char* what) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, st.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::atoll(argv[i + 1]);
  }
  auto dir = std::filesystem::temp_directory_path() / ("steward-export-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  const Clock* clock = SystemClock::Default();
  {
    auto store = store::Open("sqlite://" + db).value();
    const int64_t now = clock->NowMs();
    for (int64_t done = 0; done < rows;) {
      int64_t k = std::min<int64_t>(20000, rows - done);
      Die(store->Write([&](store::Txn& t) -> Status {
            for (int64_t i = 0; i < k; ++i) {
              ledger::AppendRequest m;
              m.event_type = std::string(ledger::kPolicyEvaluated);
              m.account_id = "acct-" + std::to_string((done + i) % 100);
              m.action_intent_id = "ai-" + std::to_string(done + i);
              m.actor = "agent-7";
              Json data = {{"result", "AUTO_EXECUTED"},
                           {"reason", "AUTO_EXECUTE_ALLOWED"},
                           {"explanation", "The mode is AUTO_EXECUTE, risk LOW, confidence 0.9 ≥ 0.7."},
                           {"inputs", {{"confidence_score", 0.9}, {"mode", "AUTO_EXECUTE"}}}};
              auto e = ledger::Append(t, "bench", now, m, data);
              if (!e.ok()) return e.status();
            }
            return Status::Ok();
          }),
          "fill");
      done += k;
    }
  }
  // Peer: sqlite3 -csv, same columns (the data column verbatim), same order, to a file.
  const std::string peer_out = (dir / "peer.csv").string();
  std::string cmd = "sqlite3 -csv -header " + db +
                    " \"SELECT ts, event_type, entry_id, tenant_id, account_id, trace_id, "
                    "action_intent_id, actor, data, seq, prev_hash, hash FROM ledger WHERE "
                    "tenant_id = 'bench' ORDER BY seq\" > " + peer_out;
  auto p0 = Steady::now();
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "sqlite3 failed (is the sqlite3 package installed?)\n");
    return 1;
  }
  double peer_s = std::chrono::duration<double>(Steady::now() - p0).count();
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  int64_t peer_rss_kib = ru.ru_maxrss;
  auto peer_bytes = std::filesystem::file_size(peer_out);

  auto store = store::Open("sqlite://" + db).value();
  audit::ExportOptions o;
  o.directory = (dir / "exports").string();
  o.signing_secret = "0123456789abcdef0123456789abcdef";
  audit::ExportService svc(store.get(), clock, nullptr, o);
  autonomy::Actor admin{"bench", "admin"};
  Json out;
  std::string today = FormatDate(clock->NowMs());
  Die(svc.Create(admin, {{"from", today}, {"to", today}, {"format", "csv"}}, &out), "create");
  std::vector<jobs::Job> claimed;
  Die(store->Write([&](store::Txn& t) -> Status {
        STEWARD_ASSIGN_OR_RETURN(claimed, jobs::Claim(t, "bench", clock->NowMs(), 600000, 1,
                                                      {std::string(audit::kJobAuditExport)}));
        return Status::Ok();
      }),
      "claim");
  int64_t rss_before = PeakRssKiB();
  auto s0 = Steady::now();
  svc.HandleExport(claimed.at(0));
  double steward_s = std::chrono::duration<double>(Steady::now() - s0).count();
  int64_t rss_growth = PeakRssKiB() - rss_before;
  Json st;
  Die(svc.Get(admin, out["export_id"].get<std::string>(), &st), "get");
  if (st["status"] != "COMPLETED") {
    std::fprintf(stderr, "export did not complete: %s\n", st.dump().c_str());
    return 1;
  }
  double mb = st["bytes"].get<int64_t>() / 1e6;
  std::printf("| steward export → CSV (keyset pages, SHA-256, fsync) | %lld | %.2f s | %.0f MB/s | +%lld MiB peak RSS |\n",
              static_cast<long long>(st["row_count"].get<int64_t>()), steward_s, mb / steward_s,
              static_cast<long long>(rss_growth / 1024));
  std::printf("| sqlite3 -csv, same columns, same file | %lld | %.2f s | %.0f MB/s | %lld MiB peak RSS |\n",
              static_cast<long long>(rows), peer_s, peer_bytes / 1e6 / peer_s,
              static_cast<long long>(peer_rss_kib / 1024));
  std::printf("\nratio steward/sqlite3 time = %.2f\n", steward_s / peer_s);
  store.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
