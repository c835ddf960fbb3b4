#include "cli/server_config.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace steward::cli {
namespace {

constexpr size_t kSecretBytes = 32;
// Bounds of the HTTP limits settings.
constexpr int64_t kMaxTimeoutMs = 3600LL * 1000;
constexpr int kMaxConnectionsCap = 1 << 20;
constexpr int kMinHeaderBytes = 1 << 10;
constexpr int kMaxHeaderBytesCap = 1 << 20;

Status ParseTimeout(const std::string& key, const std::string& v, int64_t* out) {
  auto ms = ParseDurationMs(v);
  if (!ms.ok() || *ms > kMaxTimeoutMs) {
    return Status::InvalidArgument(key + " must be a duration from 1ms to 1h (e.g. 500ms, 10s, " +
                                   "2m), not '" + v + "'");
  }
  *out = *ms;
  return Status::Ok();
}

Status ParseBool(const std::string& key, const std::string& v, bool* out) {
  if (v == "1" || v == "true" || v == "yes" || v == "on") {
    *out = true;
  } else if (v == "0" || v == "false" || v == "no" || v == "off") {
    *out = false;
  } else {
    return Status::InvalidArgument(key + " must be true or false, not '" + v + "'");
  }
  return Status::Ok();
}

Status ParseInt(const std::string& key, const std::string& v, int lo, int hi, int* out) {
  try {
    size_t pos = 0;
    int n = std::stoi(v, &pos);
    if (pos != v.size() || n < lo || n > hi) throw std::out_of_range(v);
    *out = n;
    return Status::Ok();
  } catch (const std::exception&) {
    return Status::InvalidArgument(key + " must be an integer from " + std::to_string(lo) +
                                   " to " + std::to_string(hi) + ", not '" + v + "'");
  }
}

std::vector<std::string> SplitComma(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

Result<int64_t> ParseDurationMs(const std::string& text) {
  // stoll would accept leading blanks and a sign.
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    return Status::InvalidArgument("not a duration: '" + text + "'");
  }
  size_t pos = 0;
  long long n = 0;
  try {
    n = std::stoll(text, &pos);
  } catch (const std::exception&) {
    return Status::InvalidArgument("not a duration: '" + text + "'");
  }
  std::string unit = text.substr(pos);
  const int64_t mult = unit.empty() || unit == "s" ? 1000
                       : unit == "ms"              ? 1
                       : unit == "m"               ? 60'000
                       : unit == "h"               ? 3'600'000
                                                   : 0;
  constexpr long long kMaxCount = 1LL << 40;
  if (mult == 0 || n <= 0 || n > kMaxCount) {
    return Status::InvalidArgument("not a duration: '" + text + "'");
  }
  return static_cast<int64_t>(n) * mult;
}

Status ApplySetting(ServerConfig* c, const std::string& key, const std::string& v) {
  if (key == "listen") c->listen = v;
  else if (key == "data_dir") c->data_dir = v;
  else if (key == "db") c->db = v;
  else if (key == "durability") {
    if (v != "full" && v != "process") return Status::InvalidArgument("durability must be full or process");
    c->durability = v;
  } else if (key == "public_url") c->public_url = v;
  else if (key == "demo") return ParseBool(key, v, &c->demo);
  else if (key == "io_threads") return ParseInt(key, v, 1, 64, &c->io_threads);
  else if (key == "handler_threads") return ParseInt(key, v, 1, 1024, &c->handler_threads);
  else if (key == "workers") return ParseInt(key, v, 0, 256, &c->workers);
  else if (key == "db_pool_size") return ParseInt(key, v, 1, 512, &c->db_pool_size);
  else if (key == "log_level") c->log_level = v;
  else if (key == "access_log") return ParseBool(key, v, &c->access_log);
  else if (key == "metrics_public") return ParseBool(key, v, &c->metrics_public);
  else if (key == "jwt_secret") c->jwt_secret = v;
  else if (key == "jwt_secret_file") c->jwt_secret_file = v;
  else if (key == "jwt_public_keys") c->jwt_public_keys = SplitComma(v);
  else if (key == "jwks_file") c->jwks_file = v;
  else if (key == "jwt_issuer") c->jwt_issuer = v;
  else if (key == "jwt_audience") c->jwt_audience = v;
  else if (key == "signing_secret_file") c->signing_secret_file = v;
  else if (key == "header_timeout") return ParseTimeout(key, v, &c->header_timeout_ms);
  else if (key == "body_timeout") return ParseTimeout(key, v, &c->body_timeout_ms);
  else if (key == "idle_timeout") return ParseTimeout(key, v, &c->idle_timeout_ms);
  else if (key == "max_connections") {
    return ParseInt(key, v, 1, kMaxConnectionsCap, &c->max_connections);
  } else if (key == "max_header_bytes") {
    return ParseInt(key, v, kMinHeaderBytes, kMaxHeaderBytesCap, &c->max_header_bytes);
  } else return Status::InvalidArgument("unknown setting '" + key + "'");
  return Status::Ok();
}

namespace {

constexpr const char* kKeys[] = {
    "listen", "data_dir", "db", "durability", "public_url", "demo", "io_threads",
    "handler_threads", "workers", "db_pool_size", "log_level", "access_log", "metrics_public", "jwt_secret",
    "jwt_secret_file", "jwt_public_keys", "jwks_file", "jwt_issuer", "jwt_audience",
    "signing_secret_file", "header_timeout", "body_timeout", "idle_timeout", "max_connections",
    "max_header_bytes"};

Result<std::string> LoadOrCreateSecret(const std::string& path, bool create, const char* what) {
  std::ifstream in(path);
  if (in) {
    std::string s;
    std::getline(in, s);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    if (s.size() < 16) return Status::InvalidArgument(std::string(what) + " in " + path + " is shorter than 16 characters");
    return s;
  }
  if (!create) {
    return Status::NotFound(std::string("no ") + what + " at " + path +
                            " (start `steward serve` once, or set it explicitly)");
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::Unavailable("cannot create " + std::filesystem::path(path).parent_path().string() + ": " + ec.message());
  ::chmod(std::filesystem::path(path).parent_path().c_str(), 0700);
  std::string secret = HexEncode(RandomBytes(kSecretBytes));
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Unavailable("cannot write " + tmp);
    out << secret << "\n";
    out.flush();
    if (!out) return Status::Unavailable("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Unavailable("cannot create " + path + ": " + ec.message());
  return secret;
}

}  // namespace

Status LoadConfigFileAndEnv(ServerConfig* cfg) {
  if (const char* f = std::getenv("STEWARD_CONFIG"); f && cfg->config_file.empty()) cfg->config_file = f;
  if (!cfg->config_file.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(cfg->config_file);
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument("config file " + cfg->config_file + ": " +
                                     std::string(e.description()));
    }
    for (const auto& [k, node] : table) {
      std::string key(k.str());
      std::string value;
      if (auto s = node.value<std::string>()) value = *s;
      else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
      else if (auto i = node.value<int64_t>()) value = std::to_string(*i);
      else if (auto arr = node.as_array()) {
        for (const auto& e : *arr) {
          if (auto s = e.value<std::string>()) value += (value.empty() ? "" : ",") + *s;
        }
      } else {
        return Status::InvalidArgument("config file " + cfg->config_file + ": unsupported value for " + key);
      }
      Status st = ApplySetting(cfg, key, value);
      if (!st.ok()) return Status::InvalidArgument("config file " + cfg->config_file + ": " + st.message());
    }
  }
  for (const char* key : kKeys) {
    std::string env = "STEWARD_";
    for (const char* p = key; *p; ++p) env += static_cast<char>(std::toupper(*p));
    if (const char* v = std::getenv(env.c_str())) {
      Status st = ApplySetting(cfg, key, v);
      if (!st.ok()) return Status::InvalidArgument(env + ": " + st.message());
    }
  }
  return Status::Ok();
}

std::string StoreUrl(const ServerConfig& cfg) {
  if (!cfg.db.empty()) return cfg.db;
  return "sqlite://" + (std::filesystem::path(cfg.data_dir) / "steward.db").string();
}

Result<std::string> LoadJwtSecret(const ServerConfig& cfg, bool create) {
  if (!cfg.jwt_secret.empty()) {
    if (cfg.jwt_secret.size() < 32) return Status::InvalidArgument("jwt_secret must be at least 32 characters");
    return cfg.jwt_secret;
  }
  std::string path = cfg.jwt_secret_file.empty()
                         ? (std::filesystem::path(cfg.data_dir) / "secrets" / "jwt_hs256.key").string()
                         : cfg.jwt_secret_file;
  return LoadOrCreateSecret(path, create, "JWT secret");
}

Result<std::string> LoadSigningSecret(const ServerConfig& cfg, bool create) {
  std::string path = cfg.signing_secret_file.empty()
                         ? (std::filesystem::path(cfg.data_dir) / "secrets" / "signing.key").string()
                         : cfg.signing_secret_file;
  return LoadOrCreateSecret(path, create, "signing secret");
}

Status ParseListen(const std::string& listen, std::string* host, int* port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("listen must be host:port, not '" + listen + "'");
  }
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  return ParseInt("listen port", listen.substr(colon + 1), 0, 65535, port);
}

}  // namespace steward::cli
