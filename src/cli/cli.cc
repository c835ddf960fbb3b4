#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "auth/jwt_mint.h"
#include "cli/client_commands.h"
#include "cli/server_config.h"
#include "common/clock.h"
#include "store/store.h"

namespace steward::cli {
namespace {

// "90", "90s", "15m", "1h", "7d" → milliseconds.
bool ParseDuration(const std::string& s, int64_t* ms) {
  if (s.empty()) return false;
  size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(s, &pos);
  } catch (const std::exception&) {
    return false;
  }
  if (n <= 0) return false;
  std::string unit = s.substr(pos);
  int64_t mult = unit.empty() || unit == "s" ? 1000 : unit == "m" ? 60000 : unit == "h" ? 3600000
                 : unit == "d"                ? 86400000
                                              : 0;
  if (mult == 0) return false;
  *ms = n * mult;
  return true;
}

// The HTTP limits of `serve` (docs/RELIABILITY.md): flag, setting (server_config.h
// ApplySetting) and help.
struct LimitFlag {
  const char* flag;
  const char* key;
  const char* help;
};
constexpr LimitFlag kLimitFlags[] = {
    {"--header-timeout", "header_timeout",
     "time from accept (or a request's first byte) to a complete header, e.g. 10s "
     "(STEWARD_HEADER_TIMEOUT)"},
    {"--body-timeout", "body_timeout",
     "time to receive a request body, e.g. 30s (STEWARD_BODY_TIMEOUT)"},
    {"--idle-timeout", "idle_timeout",
     "idle keep-alive connection lifetime, e.g. 75s (STEWARD_IDLE_TIMEOUT)"},
    {"--max-connections", "max_connections",
     "open connections; more are answered 503 (STEWARD_MAX_CONNECTIONS)"},
    {"--max-header-bytes", "max_header_bytes",
     "request line + headers; more is 431 (STEWARD_MAX_HEADER_BYTES)"}};

void AddServerOptions(CLI::App* cmd, ServerConfig* cfg, bool full) {
  cmd->add_option("--config", cfg->config_file, "TOML config file (STEWARD_CONFIG)");
  cmd->add_option("--data-dir", cfg->data_dir, "data directory (STEWARD_DATA_DIR)");
  cmd->add_option("--db", cfg->db, "store URL: sqlite:///path or postgresql://… (STEWARD_DB)");
  if (!full) return;
  cmd->add_option("--listen", cfg->listen, "host:port to listen on (STEWARD_LISTEN)");
  cmd->add_option("--durability", cfg->durability,
                  "full (survives power loss, default) or process (survives a crash only)")
      ->check(CLI::IsMember({"full", "process"}));
  cmd->add_option("--public-url", cfg->public_url, "base URL clients use (STEWARD_PUBLIC_URL)");
  cmd->add_option("--workers", cfg->workers, "job worker threads (STEWARD_WORKERS)");
  cmd->add_option("--db-pool-size", cfg->db_pool_size,
                  "PostgreSQL connections of this node (SQLite: readers), 1-512, default 8 "
                  "(STEWARD_DB_POOL_SIZE)")
      ->check(CLI::Range(1, 512));
  cmd->add_option("--handler-threads", cfg->handler_threads, "HTTP handler threads");
  cmd->add_option("--io-threads", cfg->io_threads, "HTTP I/O threads");
  cmd->add_option("--log-level", cfg->log_level, "debug, info, warn or error");
  cmd->add_flag("--demo", cfg->demo, "create a demo tenant and print an admin token");
}

// Adds kLimitFlags to `cmd`; their values are kept as text in `values` (by setting) until the
// settings are merged.
void AddLimitOptions(CLI::App* cmd, std::map<std::string, std::string>* values) {
  for (const LimitFlag& f : kLimitFlags) cmd->add_option(f.flag, (*values)[f.key], f.help);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"Steward — the autonomy control plane for AI agents"};
  app.require_subcommand(1);
  int exit_code = kExitOk;

  // Flags given on the command line override file and environment; CLI11 writes them into
  // `flags`, and we re-apply them after loading the rest.
  ServerConfig serve_cfg, token_cfg, migrate_cfg;
  auto* serve = app.add_subcommand("serve", "run the HTTP API, the Control Center and the workers");
  AddServerOptions(serve, &serve_cfg, true);
  std::map<std::string, std::string> limit_values;
  AddLimitOptions(serve, &limit_values);
  serve->add_flag("--print-routes", serve_cfg.print_routes,
                  "print every route (method, pattern) as JSON and exit without serving");
  serve->callback([&] {
    ServerConfig merged;
    merged.config_file = serve_cfg.config_file;
    Status st = LoadConfigFileAndEnv(&merged);
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      exit_code = kExitUsage;
      return;
    }
    for (const auto* opt : serve->get_options()) {
      if (opt->count() == 0) continue;
      const std::string& n = opt->get_name();
      if (n == "--data-dir") merged.data_dir = serve_cfg.data_dir;
      else if (n == "--db") merged.db = serve_cfg.db;
      else if (n == "--listen") merged.listen = serve_cfg.listen;
      else if (n == "--durability") merged.durability = serve_cfg.durability;
      else if (n == "--public-url") merged.public_url = serve_cfg.public_url;
      else if (n == "--workers") merged.workers = serve_cfg.workers;
      else if (n == "--db-pool-size") merged.db_pool_size = serve_cfg.db_pool_size;
      else if (n == "--handler-threads") merged.handler_threads = serve_cfg.handler_threads;
      else if (n == "--io-threads") merged.io_threads = serve_cfg.io_threads;
      else if (n == "--log-level") merged.log_level = serve_cfg.log_level;
      else if (n == "--demo") merged.demo = serve_cfg.demo;
    }
    for (const LimitFlag& f : kLimitFlags) {
      if (serve->get_option(f.flag)->count() == 0) continue;
      st = ApplySetting(&merged, f.key, limit_values[f.key]);
      if (!st.ok()) {
        std::cerr << "error: " << f.flag << ": " << st.message() << "\n";
        exit_code = kExitUsage;
        return;
      }
    }
    merged.print_routes = serve_cfg.print_routes;
    exit_code = Serve(merged);
  });

  std::string tenant, sub = "local-admin", ttl = "1h";
  std::vector<std::string> roles;
  auto* token = app.add_subcommand("token", "mint an HS256 token with the server's secret");
  AddServerOptions(token, &token_cfg, false);
  token->add_option("--tenant", tenant, "tenant id")->required();
  token->add_option("--role", roles, "role (repeatable): viewer, agent, approver, operator, admin, platform_admin")
      ->required();
  token->add_option("--sub", sub, "subject (principal) recorded as actor");
  token->add_option("--ttl", ttl, "lifetime: 90s, 15m, 1h, 7d");
  token->callback([&] {
    ServerConfig merged;
    merged.config_file = token_cfg.config_file;
    Status st = LoadConfigFileAndEnv(&merged);
    if (st.ok()) {
      if (token->get_option("--data-dir")->count()) merged.data_dir = token_cfg.data_dir;
      if (token->get_option("--db")->count()) merged.db = token_cfg.db;
    }
    int64_t ttl_ms = 0;
    if (!st.ok() || !ParseDuration(ttl, &ttl_ms)) {
      std::cerr << "error: " << (st.ok() ? "--ttl must look like 90s, 15m, 1h or 7d" : st.message()) << "\n";
      exit_code = kExitUsage;
      return;
    }
    auto secret = LoadJwtSecret(merged, true);
    if (!secret.ok()) {
      std::cerr << "error: " << secret.status().message() << "\n";
      exit_code = kExitFailure;
      return;
    }
    auth::MintRequest req;
    req.subject = sub;
    req.tenant_id = tenant;
    req.roles = roles;
    req.now_ms = SystemClock::Default()->NowMs();
    req.ttl_ms = ttl_ms;
    req.issuer = merged.jwt_issuer;
    req.audience = merged.jwt_audience;
    auto tok = auth::MintHs256(*secret, req);
    if (!tok.ok()) {
      std::cerr << "error: " << tok.status().message() << "\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << *tok << "\n";
  });

  auto* migrate = app.add_subcommand("migrate", "apply the store's schema migrations and exit");
  AddServerOptions(migrate, &migrate_cfg, false);
  migrate->callback([&] {
    ServerConfig merged;
    merged.config_file = migrate_cfg.config_file;
    Status st = LoadConfigFileAndEnv(&merged);
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      exit_code = kExitUsage;
      return;
    }
    if (migrate->get_option("--data-dir")->count()) merged.data_dir = migrate_cfg.data_dir;
    if (migrate->get_option("--db")->count()) merged.db = migrate_cfg.db;
    if (merged.db.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(merged.data_dir, ec);
    }
    auto v = store::Migrate(StoreUrl(merged));
    if (!v.ok()) {
      std::cerr << "error: " << v.status().message() << "\n";
      exit_code = kExitFailure;
      return;
    }
    std::cout << "schema version " << *v << "\n";
  });

  AddClientCommands(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace steward::cli
