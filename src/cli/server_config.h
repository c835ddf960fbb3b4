#pragma once
// ServerConfig: every setting of `steward serve` (SPEC §11), found in this order, later winning:
// built-in defaults < config file (TOML, `--config` or STEWARD_CONFIG) < STEWARD_* environment
// < command-line flags. The same resolution serves `steward token`, so a token minted locally is
// signed with the secret the server uses.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace steward::cli {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";      // STEWARD_LISTEN
  std::string data_dir = "./.steward";        // STEWARD_DATA_DIR
  std::string db;                             // STEWARD_DB; default sqlite://<data_dir>/steward.db
  std::string durability = "full";            // STEWARD_DURABILITY: full | process
  std::string public_url;                     // STEWARD_PUBLIC_URL; default http://<listen>
  bool demo = false;                          // STEWARD_DEMO
  int io_threads = 1;                         // STEWARD_IO_THREADS
  int handler_threads = 64;                   // STEWARD_HANDLER_THREADS
  int workers = 4;                            // STEWARD_WORKERS (job worker threads)
  int db_pool_size = 8;                       // STEWARD_DB_POOL_SIZE: PostgreSQL connections (SQLite readers)
  std::string log_level = "info";             // STEWARD_LOG_LEVEL
  bool access_log = true;                     // STEWARD_ACCESS_LOG
  bool metrics_public = true;                 // STEWARD_METRICS_PUBLIC: /metrics without a token
  // HTTP limits (docs/RELIABILITY.md "Limits"). Durations are "500ms", "10s", "2m" or seconds.
  int64_t header_timeout_ms = 10'000;         // STEWARD_HEADER_TIMEOUT: accept → full header
  int64_t body_timeout_ms = 30'000;           // STEWARD_BODY_TIMEOUT: full header → full body
  int64_t idle_timeout_ms = 75'000;           // STEWARD_IDLE_TIMEOUT: idle keep-alive connection
  int max_connections = 20'000;               // STEWARD_MAX_CONNECTIONS: more are answered 503
  int max_header_bytes = 16 << 10;            // STEWARD_MAX_HEADER_BYTES: request line + headers
  // JWT verification (SPEC §3).
  std::string jwt_secret;                     // STEWARD_JWT_SECRET (else the file below)
  std::string jwt_secret_file;                // STEWARD_JWT_SECRET_FILE; default <data_dir>/secrets/jwt_hs256.key
  std::vector<std::string> jwt_public_keys;   // STEWARD_JWT_PUBLIC_KEYS (comma-separated PEM files)
  std::string jwks_file;                      // STEWARD_JWKS_FILE
  std::string jwt_issuer;                     // STEWARD_JWT_ISSUER
  std::string jwt_audience;                   // STEWARD_JWT_AUDIENCE
  // Signing secret of download links (issue 5) and webhooks.
  std::string signing_secret_file;            // STEWARD_SIGNING_SECRET_FILE; default <data_dir>/secrets/signing.key
  std::string config_file;                    // STEWARD_CONFIG
  // Flag only (`serve --print-routes`): build the router exactly as serving would, print every
  // route as JSON [{"method", "pattern"}] on stdout and exit without listening.
  bool print_routes = false;
};

// Applies the config file named by `cfg->config_file` (if any) and the environment onto `cfg`.
// Flags are applied by the caller afterwards. InvalidArgument names a bad key or value.
Status LoadConfigFileAndEnv(ServerConfig* cfg);

// Sets one setting by its name: the TOML key, which is also the environment variable without
// STEWARD_ in lower case (e.g. "header_timeout"). InvalidArgument for an unknown key or a bad
// value. Flags of `steward serve` go through it too.
Status ApplySetting(ServerConfig* cfg, const std::string& key, const std::string& value);

// "250ms", "10s", "2m", "1h" or a bare number of seconds → milliseconds (> 0).
// InvalidArgument otherwise.
Result<int64_t> ParseDurationMs(const std::string& text);

// The store URL (db or the default under data_dir).
std::string StoreUrl(const ServerConfig& cfg);

// Reads the HS256 secret: jwt_secret, else the secret file; when `create` and the file is
// absent, generates 32 random bytes (hex) into it with mode 0600.
Result<std::string> LoadJwtSecret(const ServerConfig& cfg, bool create);
// Same for the signing secret.
Result<std::string> LoadSigningSecret(const ServerConfig& cfg, bool create);

// Splits "host:port"; InvalidArgument on a bad form.
Status ParseListen(const std::string& listen, std::string* host, int* port);

}  // namespace steward::cli
