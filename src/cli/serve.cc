// `steward serve`: wires the store, auth, services, job workers and the HTTP server, then waits
// for SIGTERM/SIGINT and shuts down gracefully (stop accepting, finish in-flight requests,
// finish or release leased jobs).
#include <signal.h>
#include <sys/resource.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <iostream>

#include "api/api.h"
#include "api/http_server.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_verifier.h"
#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "autonomy/settings.h"
#include "cli/cli.h"
#include "cli/server_config.h"
#include "common/json.h"
#include "common/log.h"
#include "jobs/worker_pool.h"
#include "jobs/job_queue.h"
#include "common/crypto.h"
#include "exec/connectors/http_connector.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "audit/digest.h"
#include "audit/explanation.h"
#include "audit/export_service.h"
#include "audit/insights.h"
#include "decision/decision_config.h"
#include "events/event_feed.h"
#include "events/webhooks.h"
#include "decision/decision_service.h"
#include "exec/execution_service.h"
#include "autonomy/gate.h"
#include "store/store.h"

namespace steward::cli {
namespace {

constexpr char kDemoTenant[] = "demo";
constexpr char kDemoAccount[] = "acct-demo";
constexpr int64_t kDemoTokenTtlMs = 24LL * 3600 * 1000;
// Descriptors kept for everything but client connections (store, export files, HTTP clients of
// connectors and webhooks, logs).
constexpr rlim_t kReservedFds = 256;

// Raises the soft RLIMIT_NOFILE to the hard limit (idle connections cost a descriptor each) and
// returns how many of `wanted` connections fit under it with kReservedFds to spare.
int FitConnectionsToFdLimit(int wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return wanted;
  if (lim.rlim_cur != lim.rlim_max) {
    // May fail (e.g. an infinite hard limit above fs.nr_open); the soft limit then stays.
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return wanted;
  const rlim_t room = lim.rlim_cur > kReservedFds + 1 ? lim.rlim_cur - kReservedFds : 1;
  if (static_cast<rlim_t>(wanted) <= room) return wanted;
  log::Event(log::Level::kWarn, "max_connections_lowered",
             {{"max_connections", wanted},
              {"now", static_cast<int64_t>(room)},
              {"rlimit_nofile", static_cast<int64_t>(lim.rlim_cur)}});
  return static_cast<int>(room);
}

// Gives the demo tenant an allowlist, AUTO_EXECUTE for internal tasks and a budget, once.
Status SetUpDemo(autonomy::ConfigService* cfg) {
  autonomy::Actor admin{kDemoTenant, "steward-demo"};
  Json out;
  autonomy::ConfigQuery q;
  q.account_id = kDemoAccount;
  Status have = cfg->GetBudget(admin, q, &out);
  if (have.ok()) return Status::Ok();  // already set up on an earlier start
  STEWARD_RETURN_IF_ERROR(cfg->PutAllowlist(
      admin, {{"action_types", {"CREATE_INTERNAL_TASK", "CREATE_INTERNAL_NOTE", "FLAG_FOR_REVIEW"}}},
      &out));
  for (const char* t : {"CREATE_INTERNAL_TASK", "CREATE_INTERNAL_NOTE", "FLAG_FOR_REVIEW"}) {
    STEWARD_RETURN_IF_ERROR(cfg->PutMode(admin, {{"action_type", t}, {"mode", "AUTO_EXECUTE"}}, &out));
  }
  return cfg->PutBudget(admin, {{"account_id", kDemoAccount}, {"max_autonomous_per_day", 100}},
                        &out);
}

}  // namespace

int Serve(ServerConfig cfg) {
  if (!log::SetLevel(cfg.log_level)) {
    std::cerr << "error: log level must be debug, info, warn or error\n";
    return kExitUsage;
  }
  std::string host;
  int port = 0;
  Status st = ParseListen(cfg.listen, &host, &port);
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    std::cerr << "error: cannot create data directory " << cfg.data_dir << ": " << ec.message() << "\n";
    return kExitFailure;
  }

  // Block the shutdown signals before any thread starts, so every thread inherits the mask and
  // only the main thread's sigwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  store::StoreOptions sopts;
  sopts.durability = cfg.durability == "process" ? store::Durability::kProcess : store::Durability::kFull;
  sopts.pool_size = cfg.db_pool_size;
  auto store = store::Open(StoreUrl(cfg), sopts);
  if (!store.ok()) {
    log::Event(log::Level::kError, "store_open_failed", {{"error", store.status().ToString()}});
    std::cerr << "error: " << store.status().message() << "\n";
    return kExitFailure;
  }
  auto secret = LoadJwtSecret(cfg, true);
  auto signing = LoadSigningSecret(cfg, true);
  if (!secret.ok() || !signing.ok()) {
    std::cerr << "error: " << (secret.ok() ? signing.status() : secret.status()).message() << "\n";
    return kExitFailure;
  }
  auth::VerifierOptions vopts;
  vopts.hs256_secret = *secret;
  vopts.public_key_pem_files = cfg.jwt_public_keys;
  vopts.jwks_file = cfg.jwks_file;
  vopts.issuer = cfg.jwt_issuer;
  vopts.audience = cfg.jwt_audience;
  const Clock* clock = SystemClock::Default();
  auto verifier = auth::JwtVerifier::Create(vopts, clock);
  if (!verifier.ok()) {
    std::cerr << "error: " << verifier.status().message() << "\n";
    return kExitUsage;
  }

  jobs::WorkerPool::Options wopts;
  wopts.threads = cfg.workers;
  // A stable lease owner for a fixed listen address: after a crash and restart, the jobs this
  // node held are handed back at once instead of after their leases expire. (With port 0 the
  // address is not stable, so the pool's random owner id is kept.)
  if (port != 0) {
    char hostname[256] = {};
    gethostname(hostname, sizeof(hostname) - 1);
    wopts.owner_id = std::string(hostname) + ":" + std::to_string(port) + ":" +
                     Sha256Hex(std::filesystem::absolute(cfg.data_dir).string()).substr(0, 8);
  }
  jobs::WorkerPool pool(store->get(), clock, wopts);
  autonomy::AutonomyService autonomy(store->get(), clock, &pool);
  autonomy::ConfigService config(store->get(), clock);
  exec::ExecutionService execution(store->get(), clock, &pool);
  exec::Engine engine(store->get(), clock);
  engine.AddConnector("internal", exec::NewInternalConnector());
  engine.AddConnector("http", exec::NewHttpConnector());
  pool.Register(std::string(autonomy::kJobExecuteIntent),
                [&engine](const jobs::Job& job) { return engine.Handle(job); });
  pool.Register(std::string(exec::kJobExpireIntents), [&execution](const jobs::Job& job) {
    return execution.HandleSweep(job, 5000);
  });
  decision::DecisionService decisions(store->get(), clock, &pool);
  decision::DecisionConfig decision_config(store->get(), clock);
  pool.Register(std::string(decision::kJobDecisionRetry),
                [&decisions](const jobs::Job& job) { return decisions.HandleRetry(job); });
  pool.Register(std::string(decision::kJobDecisionPurge), [&decisions](const jobs::Job& job) {
    return decisions.HandlePurge(job, 60000);
  });
  pool.Register(std::string(decision::kJobScheduleTick), [&decisions](const jobs::Job& job) {
    return decisions.HandleScheduleTick(job, 1000);
  });
  st = decisions.ScheduleSystemJobs();
  if (!st.ok()) {
    std::cerr << "error: cannot schedule the decision jobs: " << st.message() << "\n";
    return kExitFailure;
  }
  audit::ExportOptions eopts;
  eopts.directory = cfg.data_dir + "/exports";
  eopts.public_base_url = cfg.public_url;
  eopts.signing_secret = *signing;
  audit::ExportService exports(store->get(), clock, &pool, eopts);
  pool.Register(std::string(audit::kJobAuditExport),
                [&exports](const jobs::Job& job) { return exports.HandleExport(job); });
  pool.Register(std::string(audit::kJobExportSweep), [&exports](const jobs::Job& job) {
    return exports.HandleSweep(job, 600000);
  });
  events::EventFeed feed(store->get());
  events::WebhookService webhooks(store->get(), clock, &pool);
  pool.Register(std::string(events::kJobWebhookDispatch),
                [&webhooks](const jobs::Job& job) { return webhooks.HandleDispatch(job); });
  pool.Register(std::string(events::kJobWebhookDeliver),
                [&webhooks](const jobs::Job& job) { return webhooks.HandleDeliver(job); });
  st = webhooks.ScheduleDispatcher();
  if (!st.ok()) {
    std::cerr << "error: cannot schedule the webhook dispatcher: " << st.message() << "\n";
    return kExitFailure;
  }
  audit::Explanation explanation(store->get());
  audit::Digest digest(store->get(), clock);
  audit::Insights insights(store->get(), clock);
  pool.Register(std::string(audit::kJobDigestTick),
                [&digest](const jobs::Job& job) { return digest.HandleTick(job, 60000); });
  st = digest.ScheduleTick();
  if (!st.ok()) {
    std::cerr << "error: cannot schedule the daily digest: " << st.message() << "\n";
    return kExitFailure;
  }
  st = exports.ScheduleSweeper();
  if (!st.ok()) {
    std::cerr << "error: cannot schedule the export sweeper: " << st.message() << "\n";
    return kExitFailure;
  }
  st = execution.ScheduleSweeper();
  if (!st.ok()) {
    std::cerr << "error: cannot schedule the expiry sweeper: " << st.message() << "\n";
    return kExitFailure;
  }
  api::Metrics metrics;
  store::Store* raw_store = store->get();
  metrics.AddScrapeHook([raw_store, &pool](std::string* out) {
    *out += "# HELP steward_worker_jobs_handled_total Jobs this node's workers ran, by type.\n"
            "# TYPE steward_worker_jobs_handled_total counter\n";
    for (const auto& [type, n] : pool.stats().handled_by_type) {
      *out += "steward_worker_jobs_handled_total{type=\"" + type + "\"} " + std::to_string(n) + "\n";
    }
    *out += "# HELP steward_jobs Jobs in the outbox by type and status.\n# TYPE steward_jobs gauge\n";
    (void)raw_store->Read([&](store::Txn& txn) -> Status {
      return txn.ForEach("SELECT type, status, COUNT(*) FROM jobs GROUP BY type, status", {},
                         [&](const store::Row& r) {
                           *out += "steward_jobs{type=\"" + r.Text(0) + "\",status=\"" + r.Text(1) +
                                   "\"} " + std::to_string(r.Int(2)) + "\n";
                           return true;
                         });
    });
    auto counter = [out](const char* name, const char* help, int64_t value) {
      *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" +
              name + " " + std::to_string(value) + "\n";
    };
    counter("steward_store_commits_total", "Committed write transactions.", raw_store->commits());
    counter("steward_store_batches_total", "Database transactions used for them (group commit).",
            raw_store->batches());
    counter(
        "steward_store_batch_reruns_total",
        "Batches rolled back after a closure failed, whose earlier closures ran again (SQLite).",
        raw_store->batch_reruns());
    counter("steward_store_checkpoints_total", "WAL checkpoints run (SQLite).",
            raw_store->checkpoints());
    counter("steward_store_wal_restarts_total",
            "Times the write-ahead log was started over after a checkpoint copied all of it "
            "(SQLite).",
            raw_store->wal_restarts());
  });

  api::ApiDeps deps;
  deps.store = store->get();
  deps.clock = clock;
  deps.verifier = verifier->get();
  deps.autonomy = &autonomy;
  deps.config = &config;
  deps.exec = &execution;
  deps.decisions = &decisions;
  deps.decision_config = &decision_config;
  deps.exports = &exports;
  deps.explanation = &explanation;
  deps.digest = &digest;
  deps.insights = &insights;
  deps.feed = &feed;
  deps.webhooks = &webhooks;
  deps.metrics = &metrics;
  deps.metrics_public = cfg.metrics_public;
  api::Router router;
  api::RegisterAllRoutes(router, deps);

  if (cfg.print_routes) {
    Json routes = Json::array();
    for (const auto& [method, pattern] : router.Routes()) {
      routes.push_back({{"method", method}, {"pattern", pattern}});
    }
    std::cout << routes.dump(2) << std::endl;
    return kExitOk;
  }

  api::HttpServer::Options hopts;
  hopts.host = host;
  hopts.port = port;
  hopts.io_threads = cfg.io_threads;
  hopts.handler_threads = cfg.handler_threads;
  hopts.access_log = cfg.access_log;
  hopts.header_timeout = std::chrono::milliseconds(cfg.header_timeout_ms);
  hopts.body_timeout = std::chrono::milliseconds(cfg.body_timeout_ms);
  hopts.idle_timeout = std::chrono::milliseconds(cfg.idle_timeout_ms);
  hopts.max_header_bytes = static_cast<uint32_t>(cfg.max_header_bytes);
  hopts.max_connections = FitConnectionsToFdLimit(cfg.max_connections);
  api::HttpServer server(&router, hopts);
  st = feed.Start();
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return kExitFailure;
  }
  st = server.Start();
  if (!st.ok()) {
    log::Event(log::Level::kError, "listen_failed", {{"listen", cfg.listen}, {"error", st.ToString()}});
    std::cerr << "error: " << st.message() << "\n";
    return kExitFailure;
  }
  if (!wopts.owner_id.empty()) {
    int64_t released = 0;
    st = raw_store->Write([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(released, jobs::ReleaseOwner(txn, wopts.owner_id, clock->NowMs()));
      return Status::Ok();
    });
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return kExitFailure;
    }
    if (released > 0) {
      log::Event(log::Level::kInfo, "jobs_released_after_restart",
                 {{"owner", wopts.owner_id}, {"jobs", released}});
    }
  }
  // --workers 0: an API-only node; the other nodes' workers run the jobs it commits.
  if (cfg.workers > 0) st = pool.Start();
  if (!st.ok()) {
    server.Stop();
    std::cerr << "error: " << st.message() << "\n";
    return kExitFailure;
  }
  std::string base = "http://" + host + ":" + std::to_string(server.port());
  if (cfg.public_url.empty()) exports.SetPublicBaseUrl(base);
  log::Event(log::Level::kInfo, "server_started",
             {{"listen", host + ":" + std::to_string(server.port())},
              {"store", std::string(raw_store->backend())},
              {"durability", cfg.durability},
              {"workers", cfg.workers}});

  if (cfg.demo) {
    Status demo = SetUpDemo(&config);
    auth::MintRequest req;
    req.subject = "demo-admin";
    req.tenant_id = kDemoTenant;
    req.roles = {"admin"};
    req.now_ms = clock->NowMs();
    req.ttl_ms = kDemoTokenTtlMs;
    req.issuer = cfg.jwt_issuer;
    req.audience = cfg.jwt_audience;
    auto token = auth::MintHs256(*secret, req);
    if (!demo.ok() || !token.ok()) {
      std::cerr << "error: demo set-up failed: " << (demo.ok() ? token.status() : demo).message() << "\n";
    } else {
      std::cout << "\nSteward is running at " << base << " (store " << StoreUrl(cfg) << ")\n\n"
                << "Demo tenant '" << kDemoTenant << "', account '" << kDemoAccount
                << "': CREATE_INTERNAL_TASK auto-executes, budget 100/day.\n\n"
                << "Admin token (24 h):\n  export STEWARD_TOKEN=" << *token << "\n\n"
                << "Create an intent that auto-executes:\n"
                << "  curl -s -X POST " << base << "/v1/intents \\\n"
                << "    -H \"Authorization: Bearer $STEWARD_TOKEN\" -H 'Content-Type: application/json' \\\n"
                << "    -d '{\"account_id\":\"" << kDemoAccount
                << "\",\"action_type\":\"CREATE_INTERNAL_TASK\",\"parameters\":{\"title\":\"Call back "
                   "Acme\"},\"confidence_score\":0.92}'\n\n"
                << "Stop with Ctrl-C.\n"
                << std::flush;
    }
  }

  int sig = 0;
  sigwait(&signals, &sig);
  log::Event(log::Level::kInfo, "shutdown_started", {{"signal", sig}});
  feed.Stop();  // wakes long-polls so the server's in-flight requests finish
  server.Stop();
  pool.Stop();
  log::Event(log::Level::kInfo, "shutdown_complete");
  return kExitOk;
}

}  // namespace steward::cli
