#include "cli/client_commands.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <memory>
#include <optional>

#include "cli/cli.h"
#include "cli/http_client.h"
#include "audit/export_verify.h"
#include "common/crypto.h"
#include "common/json.h"

namespace steward::cli {
namespace {

// Connection options shared by every client command.
struct Conn {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  bool json = false;
};

// On the root command; the client subcommands fall through to it, so the options may be given
// before or after the subcommand (`steward --json budget get …` or `steward budget get … --json`).
void AddConn(CLI::App* app, Conn* conn) {
  app->add_option("--url", conn->url, "server base URL (client commands)")->envname("STEWARD_URL");
  app->add_option("--token", conn->token, "bearer token (client commands)")->envname("STEWARD_TOKEN");
  app->add_flag("--json", conn->json, "print the server's JSON answer unchanged (client commands)");
}

// A usage problem found after parsing (a malformed --param, say).
struct UsageError {
  std::string message;
};

// Appends `?k=v&…` for the non-empty values.
std::string WithQuery(std::string path,
                      std::initializer_list<std::pair<const char*, std::string>> query) {
  char sep = '?';
  for (const auto& [k, v] : query) {
    if (v.empty()) continue;
    path += sep;
    path += k;
    path += '=';
    path += HttpClient::Escape(v);
    sep = '&';
  }
  return path;
}

Json ParseJsonFlag(const std::string& flag, const std::string& text, bool want_object) {
  auto parsed = ParseJson(text);
  if (!parsed.ok()) throw UsageError{flag + ": " + parsed.status().message()};
  if (want_object && !parsed->is_object()) throw UsageError{flag + " must be a JSON object"};
  return *parsed;
}

// "k=v" → {"k": v} where v is parsed as JSON when it parses (numbers, booleans, objects) and
// taken as a string otherwise.
void AddKeyValue(const std::string& flag, const std::string& kv, Json* obj) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError{flag + " expects KEY=VALUE, got '" + kv + "'"};
  std::string key = kv.substr(0, eq), value = kv.substr(eq + 1);
  auto parsed = ParseJson(value);
  (*obj)[key] = parsed.ok() && !parsed->is_string() ? *parsed : Json(value);
}

// Performs one request and prints its answer; returns the exit code.
int Do(const Conn& conn, const std::string& method, const std::string& path, const Json* body,
       const std::function<void(const Json&)>& human = nullptr) {
  auto client = HttpClient::Create(conn.url, conn.token);
  if (!client.ok()) {
    std::cerr << "error: " << client.status().message() << "\n";
    return kExitUsage;
  }
  auto resp = (*client)->Send(method, path, body ? body->dump() : std::string());
  if (!resp.ok()) {
    std::cerr << "error: " << resp.status().message() << "\n";
    return kExitFailure;
  }
  auto parsed = ParseJson(resp->body);
  bool ok = resp->status >= 200 && resp->status < 300;
  if (!ok) {
    std::string code = "HTTP_" + std::to_string(resp->status), message = resp->body, field;
    if (parsed.ok() && parsed->is_object() && parsed->contains("error") &&
        (*parsed)["error"].is_object()) {
      const Json& e = (*parsed)["error"];
      code = e.value("code", code);
      message = e.value("message", message);
      field = e.value("field", "");
    }
    std::cerr << "error: " << resp->status << " " << code << ": " << message;
    if (!field.empty()) std::cerr << " (field: " << field << ")";
    std::cerr << "\n";
    if (conn.json && !resp->body.empty()) std::cout << resp->body << "\n";
    return kExitFailure;
  }
  if (conn.json || !parsed.ok()) {
    std::cout << resp->body;
    if (resp->body.empty() || resp->body.back() != '\n') std::cout << "\n";
  } else if (human) {
    human(*parsed);
  } else {
    std::cout << parsed->dump(2) << "\n";
  }
  return kExitOk;
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void PrintGate(const Json& g) {
  std::cout << "gate " << Str(g, "result") << " (" << Str(g, "reason") << ")";
  if (g.contains("explanation") && g["explanation"].is_string()) {
    std::cout << ": " << g["explanation"].get<std::string>();
  }
  std::cout << "\n";
}

void PrintIntent(const Json& i) {
  std::cout << Str(i, "action_intent_id") << "  " << Str(i, "status") << "  account "
            << Str(i, "account_id") << "  type " << Str(i, "action_type") << "\n";
}

void PrintIntentList(const Json& page) {
  const Json& items = page.contains("items") ? page["items"] : page;
  if (!items.is_array() || items.empty()) {
    std::cout << "(none)\n";
  } else {
    for (const auto& i : items) PrintIntent(i);
  }
  if (page.is_object() && page.contains("next_cursor") && page["next_cursor"].is_string()) {
    std::cout << "next cursor: " << page["next_cursor"].get<std::string>() << "\n";
  }
}

// Wraps a command body: catches usage errors and records the exit code.
void Run(CLI::App* cmd, int* exit_code, std::function<int()> fn) {
  cmd->callback([exit_code, fn = std::move(fn)] {
    try {
      *exit_code = fn();
    } catch (const UsageError& e) {
      std::cerr << "error: " << e.message << "\n";
      *exit_code = kExitUsage;
    }
  });
}

// All the state of the client commands' flags; lives as long as the App (static storage in
// AddClientCommands), since CLI11 writes into it during parsing.
struct Flags {
  Conn conn;
  std::string id, account, type, status, cursor, date, reason, comment, mode, timezone, tz;
  std::string params_json, target_json, body_json, risk, gate = "auto", trace, expires_at;
  std::string autonomy, execution, method, path;
  std::vector<std::string> params, per_type, types, disabled_types;
  std::optional<double> confidence, threshold;
  std::optional<int64_t> ttl_seconds, max_per_day, limit, max_pending, max_attempts, timeout;
  std::optional<std::string> self_approval;
  bool engage = false, release = false, clear_disabled = false;
};

Json OnOff(const std::string& flag, const std::string& v) {
  if (v == "on" || v == "true") return true;
  if (v == "off" || v == "false") return false;
  throw UsageError{flag + " must be on or off"};
}

std::string LimitStr(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

}  // namespace

void AddClientCommands(CLI::App& app, int* exit_code) {
  static Flags f;  // CLI11 binds flags by reference
  AddConn(&app, &f.conn);
  // Subcommands created from here on inherit fallthrough, so their unknown options (--url,
  // --token, --json) go to the root; serve, token and migrate were added before and do not.
  app.fallthrough(true);

  // --- intents ---------------------------------------------------------------------------
  auto* intents = app.add_subcommand("intents", "create, read and decide action intents");
  intents->require_subcommand(1);

  auto* create = intents->add_subcommand("create", "POST /v1/intents (gate runs unless --gate none)");
  create->add_option("--account", f.account, "account id")->required();
  create->add_option("--type", f.type, "action type, e.g. CREATE_TASK")->required();
  create->add_option("--id", f.id, "client-chosen action_intent_id (idempotent repeat)");
  create->add_option("--param", f.params, "parameter KEY=VALUE (repeatable; VALUE may be JSON)");
  create->add_option("--params", f.params_json, "parameters as one JSON object");
  create->add_option("--target", f.target_json, "target as a JSON object");
  create->add_option("--confidence", f.confidence, "confidence_score in [0,1]");
  create->add_option("--risk", f.risk, "risk_level: LOW, MEDIUM or HIGH");
  create->add_option("--ttl-seconds", f.ttl_seconds, "lifetime of the intent");
  create->add_option("--expires-at", f.expires_at, "RFC 3339 expiry (instead of --ttl-seconds)");
  create->add_option("--max-attempts", f.max_attempts, "execution_policy.max_attempts");
  create->add_option("--timeout-seconds", f.timeout, "execution_policy.timeout_seconds");
  create->add_option("--trace-id", f.trace, "trace id");
  create->add_option("--gate", f.gate, "auto (default) or none")->check(CLI::IsMember({"auto", "none"}));
  Run(create, exit_code, [] {
    Json body = Json::object();
    if (!f.params_json.empty()) body["parameters"] = ParseJsonFlag("--params", f.params_json, true);
    for (const auto& kv : f.params) AddKeyValue("--param", kv, &body["parameters"]);
    if (!f.target_json.empty()) body["target"] = ParseJsonFlag("--target", f.target_json, true);
    body["account_id"] = f.account;
    body["action_type"] = f.type;
    if (!f.id.empty()) body["action_intent_id"] = f.id;
    if (f.confidence) body["confidence_score"] = *f.confidence;
    if (!f.risk.empty()) body["risk_level"] = f.risk;
    if (f.ttl_seconds) body["ttl_seconds"] = *f.ttl_seconds;
    if (!f.expires_at.empty()) body["expires_at"] = f.expires_at;
    if (f.max_attempts) body["execution_policy"]["max_attempts"] = *f.max_attempts;
    if (f.timeout) body["execution_policy"]["timeout_seconds"] = *f.timeout;
    if (!f.trace.empty()) body["trace_id"] = f.trace;
    if (f.gate != "auto") body["gate"] = f.gate;
    return Do(f.conn, "POST", "/v1/intents", &body, [](const Json& r) {
      if (r.contains("intent")) PrintIntent(r["intent"]);
      if (r.contains("gate") && r["gate"].is_object()) PrintGate(r["gate"]);
    });
  });

  auto* get = intents->add_subcommand("get", "GET /v1/intents/{id}");
  get->add_option("id", f.id, "action_intent_id")->required();
  Run(get, exit_code, [] {
    return Do(f.conn, "GET", "/v1/intents/" + HttpClient::Escape(f.id), nullptr);
  });

  auto add_list = [&intents, exit_code](const char* name, const char* help, const char* path, bool with_status) {
    auto* cmd = intents->add_subcommand(name, help);
    cmd->add_option("--account", f.account, "account id");
    cmd->add_option("--type", f.type, "action type");
    if (with_status) cmd->add_option("--status", f.status, "status, e.g. AUTO_EXECUTED");
    cmd->add_option("--limit", f.limit, "page size (1–500, default 50)");
    cmd->add_option("--cursor", f.cursor, "cursor from the previous page");
    std::string p = path;
    Run(cmd, exit_code, [p] {
      return Do(f.conn, "GET",
                WithQuery(p, {{"account_id", f.account}, {"action_type", f.type},
                              {"status", f.status}, {"limit", LimitStr(f.limit)},
                              {"cursor", f.cursor}}),
                nullptr, PrintIntentList);
    });
  };
  add_list("list", "GET /v1/intents with filters", "/v1/intents", true);
  add_list("inbox", "GET /v1/inbox: intents awaiting approval", "/v1/inbox", false);

  auto* cancel = intents->add_subcommand("cancel", "POST /v1/intents/{id}/cancel");
  cancel->add_option("id", f.id, "action_intent_id")->required();
  cancel->add_option("--account", f.account, "account id (checked against the intent)");
  cancel->add_option("--reason", f.reason, "why");
  Run(cancel, exit_code, [] {
    Json body = Json::object();
    if (!f.account.empty()) body["account_id"] = f.account;
    if (!f.reason.empty()) body["reason"] = f.reason;
    return Do(f.conn, "POST", "/v1/intents/" + HttpClient::Escape(f.id) + "/cancel", &body,
              PrintIntent);
  });

  auto* approve = intents->add_subcommand("approve", "POST /v1/intents/{id}/approve");
  approve->add_option("id", f.id, "action_intent_id")->required();
  approve->add_option("--account", f.account, "account id")->required();
  approve->add_option("--param", f.params, "edited parameter KEY=VALUE (repeatable)");
  approve->add_option("--params", f.params_json, "edited parameters as one JSON object");
  approve->add_option("--comment", f.comment, "comment recorded in the ledger");
  Run(approve, exit_code, [] {
    Json body = {{"account_id", f.account}};
    if (!f.params_json.empty()) body["parameters"] = ParseJsonFlag("--params", f.params_json, true);
    for (const auto& kv : f.params) AddKeyValue("--param", kv, &body["parameters"]);
    if (!f.comment.empty()) body["comment"] = f.comment;
    return Do(f.conn, "POST", "/v1/intents/" + HttpClient::Escape(f.id) + "/approve", &body);
  });

  auto* reject = intents->add_subcommand("reject", "POST /v1/intents/{id}/reject");
  reject->add_option("id", f.id, "action_intent_id")->required();
  reject->add_option("--account", f.account, "account id")->required();
  reject->add_option("--reason", f.reason, "why it is rejected")->required();
  Run(reject, exit_code, [] {
    Json body = {{"account_id", f.account}, {"reason", f.reason}};
    return Do(f.conn, "POST", "/v1/intents/" + HttpClient::Escape(f.id) + "/reject", &body);
  });

  // --- gate ------------------------------------------------------------------------------
  auto* gate = app.add_subcommand("gate", "POST /v1/gate/auto-approval for an existing intent");
  gate->add_option("id", f.id, "action_intent_id")->required();
  gate->add_option("--account", f.account, "account id")->required();
  Run(gate, exit_code, [] {
    Json body = {{"action_intent_id", f.id}, {"account_id", f.account}};
    return Do(f.conn, "POST", "/v1/gate/auto-approval", &body, PrintGate);
  });

  // --- budget ----------------------------------------------------------------------------
  auto* budget = app.add_subcommand("budget", "daily autonomy budgets per account");
  budget->require_subcommand(1);
  auto* bget = budget->add_subcommand("get", "GET /v1/autonomy/budget (with today's usage)");
  bget->add_option("--account", f.account, "account id")->required();
  Run(bget, exit_code, [] {
    return Do(f.conn, "GET", WithQuery("/v1/autonomy/budget", {{"account_id", f.account}}), nullptr);
  });
  auto* bset = budget->add_subcommand("set", "PUT /v1/autonomy/budget");
  bset->add_option("--account", f.account, "account id")->required();
  bset->add_option("--max-per-day", f.max_per_day, "max_autonomous_per_day")->required();
  bset->add_option("--per-type", f.per_type, "TYPE=N cap per action type (repeatable)");
  bset->add_option("--timezone", f.timezone, "IANA timezone of the budget day (default UTC)");
  Run(bset, exit_code, [] {
    Json body = {{"account_id", f.account}, {"max_autonomous_per_day", *f.max_per_day}};
    for (const auto& kv : f.per_type) AddKeyValue("--per-type", kv, &body["max_per_action_type"]);
    if (!f.timezone.empty()) body["timezone"] = f.timezone;
    return Do(f.conn, "PUT", "/v1/autonomy/budget", &body);
  });
  auto* bdel = budget->add_subcommand("delete", "DELETE /v1/autonomy/budget (back to the default)");
  bdel->add_option("--account", f.account, "account id")->required();
  Run(bdel, exit_code, [] {
    return Do(f.conn, "DELETE", WithQuery("/v1/autonomy/budget", {{"account_id", f.account}}),
              nullptr);
  });
  auto* bstate = budget->add_subcommand("state", "GET /v1/autonomy/budget/state");
  bstate->add_option("--account", f.account, "account id")->required();
  bstate->add_option("--date", f.date, "budget day YYYY-MM-DD (default today)");
  Run(bstate, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/autonomy/budget/state", {{"account_id", f.account}, {"date", f.date}}),
              nullptr);
  });
  auto* breset = budget->add_subcommand("reset", "DELETE /v1/autonomy/budget/state (usage to 0)");
  breset->add_option("--account", f.account, "account id")->required();
  breset->add_option("--date", f.date, "budget day YYYY-MM-DD (default today)");
  Run(breset, exit_code, [] {
    return Do(f.conn, "DELETE",
              WithQuery("/v1/autonomy/budget/state", {{"account_id", f.account}, {"date", f.date}}),
              nullptr);
  });

  // --- config (modes) --------------------------------------------------------------------
  auto* config = app.add_subcommand("config", "autonomy modes per tenant, account and action type");
  config->require_subcommand(1);
  auto* cget = config->add_subcommand("get", "GET /v1/autonomy/config");
  cget->add_option("--account", f.account, "account id");
  cget->add_option("--type", f.type, "action type");
  Run(cget, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/autonomy/config", {{"account_id", f.account}, {"action_type", f.type}}),
              nullptr);
  });
  auto* cset = config->add_subcommand("set", "PUT /v1/autonomy/config");
  cset->add_option("--mode", f.mode, "OFF, SUGGEST_ONLY, DRAFT_ONLY, APPROVAL_REQUIRED or AUTO_EXECUTE")
      ->required();
  cset->add_option("--account", f.account, "account id (omit for the tenant default)");
  cset->add_option("--type", f.type, "action type (omit for every type)");
  Run(cset, exit_code, [] {
    Json body = {{"mode", f.mode}};
    if (!f.account.empty()) body["account_id"] = f.account;
    if (!f.type.empty()) body["action_type"] = f.type;
    return Do(f.conn, "PUT", "/v1/autonomy/config", &body);
  });
  auto* cdel = config->add_subcommand("delete", "DELETE /v1/autonomy/config");
  cdel->add_option("--account", f.account, "account id");
  cdel->add_option("--type", f.type, "action type");
  Run(cdel, exit_code, [] {
    return Do(f.conn, "DELETE",
              WithQuery("/v1/autonomy/config", {{"account_id", f.account}, {"action_type", f.type}}),
              nullptr);
  });

  // --- allowlist -------------------------------------------------------------------------
  auto* allow = app.add_subcommand("allowlist", "action types that may run on their own");
  allow->require_subcommand(1);
  auto* aget = allow->add_subcommand("get", "GET /v1/autonomy/allowlist");
  aget->add_option("--account", f.account, "account id (omit for the tenant list)");
  Run(aget, exit_code, [] {
    return Do(f.conn, "GET", WithQuery("/v1/autonomy/allowlist", {{"account_id", f.account}}),
              nullptr);
  });
  auto* aset = allow->add_subcommand("set", "PUT /v1/autonomy/allowlist (replaces the list)");
  aset->add_option("--account", f.account, "account id (omit for the tenant list)");
  aset->add_option("types", f.types, "action types (none clears the list)");
  Run(aset, exit_code, [] {
    Json body = {{"action_types", f.types}};
    if (!f.account.empty()) body["account_id"] = f.account;
    return Do(f.conn, "PUT", "/v1/autonomy/allowlist", &body);
  });
  auto* adel = allow->add_subcommand("delete", "DELETE /v1/autonomy/allowlist");
  adel->add_option("--account", f.account, "account id (omit for the tenant list)");
  Run(adel, exit_code, [] {
    return Do(f.conn, "DELETE", WithQuery("/v1/autonomy/allowlist", {{"account_id", f.account}}),
              nullptr);
  });

  // --- kill switches ---------------------------------------------------------------------
  auto* ks = app.add_subcommand("kill-switch", "the tenant's kill switches");
  ks->require_subcommand(1);
  auto* kget = ks->add_subcommand("get", "GET /v1/autonomy/kill-switches");
  Run(kget, exit_code, [] { return Do(f.conn, "GET", "/v1/autonomy/kill-switches", nullptr); });
  auto* kset = ks->add_subcommand("set", "PUT /v1/autonomy/kill-switches (only the given switches)");
  kset->add_option("--autonomy", f.autonomy, "on or off: autonomous decisions");
  kset->add_option("--execution", f.execution, "on or off: execution of approved intents");
  kset->add_option("--disable-type", f.disabled_types, "action type to disable (repeatable; replaces the list)");
  kset->add_flag("--clear-disabled-types", f.clear_disabled, "enable every action type again");
  Run(kset, exit_code, [] {
    Json body = Json::object();
    if (!f.autonomy.empty()) body["autonomy_enabled"] = OnOff("--autonomy", f.autonomy);
    if (!f.execution.empty()) body["execution_enabled"] = OnOff("--execution", f.execution);
    if (!f.disabled_types.empty() || f.clear_disabled) body["disabled_action_types"] = f.disabled_types;
    if (body.empty()) throw UsageError{"give at least one of --autonomy, --execution, --disable-type, --clear-disabled-types"};
    return Do(f.conn, "PUT", "/v1/autonomy/kill-switches", &body);
  });
  auto* estop = ks->add_subcommand("emergency-stop", "PUT /v1/platform/emergency-stop (platform_admin)");
  estop->add_flag("--engage", f.engage, "stop autonomy and execution for every tenant");
  estop->add_flag("--release", f.release, "lift the emergency stop");
  Run(estop, exit_code, [] {
    if (f.engage == f.release) throw UsageError{"give exactly one of --engage or --release"};
    Json body = {{"engaged", f.engage}};
    return Do(f.conn, "PUT", "/v1/platform/emergency-stop", &body);
  });

  // --- policy ----------------------------------------------------------------------------
  auto* policy = app.add_subcommand("policy", "thresholds of AutoApprovalPolicyV1");
  policy->require_subcommand(1);
  auto* pget = policy->add_subcommand("get", "GET /v1/autonomy/policy");
  Run(pget, exit_code, [] { return Do(f.conn, "GET", "/v1/autonomy/policy", nullptr); });
  auto* pset = policy->add_subcommand("set", "PUT /v1/autonomy/policy");
  pset->add_option("--confidence-threshold", f.threshold, "minimum confidence_score in [0,1]");
  pset->add_option("--allow-self-approval", f.self_approval, "on or off");
  pset->add_option("--max-pending-jobs", f.max_pending, "saturation bound on pending jobs");
  Run(pset, exit_code, [] {
    Json body = Json::object();
    if (f.threshold) body["confidence_threshold"] = *f.threshold;
    if (f.self_approval) body["allow_self_approval"] = OnOff("--allow-self-approval", *f.self_approval);
    if (f.max_pending) body["max_pending_jobs"] = *f.max_pending;
    if (body.empty()) throw UsageError{"give at least one threshold to change"};
    return Do(f.conn, "PUT", "/v1/autonomy/policy", &body);
  });

  // --- ledger (remote) -------------------------------------------------------------------
  auto* ledger = app.add_subcommand("ledger", "the tenant's hash-chained audit ledger");
  ledger->require_subcommand(1);
  auto* llist = ledger->add_subcommand("list", "GET /v1/ledger with filters");
  llist->add_option("--account", f.account, "account id");
  llist->add_option("--type", f.type, "event type, e.g. GATE_EVALUATED");
  llist->add_option("--intent", f.id, "action_intent_id");
  llist->add_option("--limit", f.limit, "page size");
  llist->add_option("--cursor", f.cursor, "cursor from the previous page");
  Run(llist, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/ledger", {{"account_id", f.account}, {"event_type", f.type},
                                       {"action_intent_id", f.id}, {"limit", LimitStr(f.limit)},
                                       {"cursor", f.cursor}}),
              nullptr);
  });
  auto* lfile = ledger->add_subcommand("verify", "check an exported file's hash chain offline (CSV, JSON, NDJSON)");
  lfile->add_option("file", f.path, "the export file")->required();
  lfile->add_option("--anchor", f.trace, "hash of the entry before the file's first row");
  Run(lfile, exit_code, [] {
    std::optional<std::string> anchor;
    if (!f.trace.empty()) anchor = f.trace;
    auto r = audit::VerifyExportFile(f.path, anchor);
    if (!r.ok()) {
      std::cerr << "error: " << f.path << ": " << r.status().message() << "\n";
      return r.status().code() == Code::kNotFound ? kExitUsage : kExitFailure;
    }
    Json j = {{"ok", r->ok}, {"format", r->format}, {"rows", r->rows}, {"segments", r->segments},
              {"last_hash", r->last_hash}};
    if (!r->ok) {
      j["first_broken_row"] = *r->first_broken_row;
      j["first_broken_seq"] = *r->first_broken_seq;
      j["reason"] = r->reason;
    }
    if (f.conn.json) {
      std::cout << j.dump() << "\n";
    } else if (r->ok) {
      std::cout << "OK: " << r->rows << " rows (" << r->format << "), " << r->segments
                << " chain segment(s), last hash " << r->last_hash << "\n";
    } else {
      std::cout << "BROKEN at row " << *r->first_broken_row << " (seq " << *r->first_broken_seq
                << "): " << r->reason << "\n";
    }
    return r->ok ? kExitOk : kExitFailure;
  });
  auto* lver = ledger->add_subcommand("verify-remote", "GET /v1/ledger/verify: the server checks the chain");
  Run(lver, exit_code, [] {
    return Do(f.conn, "GET", "/v1/ledger/verify", nullptr, [](const Json& r) {
      std::cout << (r.value("ok", false) ? "chain OK" : "chain BROKEN") << ", " << Str(r, "checked")
                << " entries checked\n";
      if (!r.value("ok", false)) std::cout << r.dump(2) << "\n";
    });
  });

  // --- executions, replay, connectors ----------------------------------------------------
  auto* execs = app.add_subcommand("executions", "what was executed, and how it ended");
  execs->require_subcommand(1);
  auto* eget = execs->add_subcommand("get", "GET /v1/executions/{id}: attempt, outcome, replays");
  eget->add_option("id", f.id, "action_intent_id")->required();
  Run(eget, exit_code, [] {
    return Do(f.conn, "GET", "/v1/executions/" + HttpClient::Escape(f.id), nullptr, [](const Json& r) {
      const Json& a = r["attempt"];
      std::cout << Str(r, "action_intent_id") << "  attempt " << Str(a, "status") << " ("
                << Str(a, "attempt_count") << " tries)";
      if (r.contains("outcome") && r["outcome"].is_object()) {
        const Json& o = r["outcome"];
        std::cout << "  outcome " << Str(o, "status") << " " << Str(o, "taxonomy") << "  approval "
                  << Str(o, "approval_source") << (o.value("auto_executed", false) ? " (autopilot)" : "");
        if (o.contains("error_class") && o["error_class"].is_string()) {
          std::cout << "  error " << Str(o, "error_class") << " " << Str(o, "error_message");
        }
      } else {
        std::cout << "  no outcome yet";
      }
      std::cout << "\n";
      if (r.contains("replays") && !r["replays"].empty()) {
        std::cout << r["replays"].size() << " replay(s)\n";
      }
    });
  });
  auto* elist = execs->add_subcommand("list", "GET /v1/executions: the timeline, newest first");
  elist->add_option("--account", f.account, "account id");
  elist->add_option("--status", f.status, "SUCCEEDED, FAILED, CANCELLED or EXPIRED");
  elist->add_option("--auto-executed", f.autonomy, "true or false");
  elist->add_option("--since", f.date, "RFC 3339 timestamp");
  elist->add_option("--limit", f.limit, "page size (1–500, default 50)");
  elist->add_option("--cursor", f.cursor, "cursor from the previous page");
  Run(elist, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/executions", {{"account_id", f.account}, {"status", f.status},
                                           {"auto_executed", f.autonomy}, {"since", f.date},
                                           {"limit", LimitStr(f.limit)}, {"cursor", f.cursor}}),
              nullptr, [](const Json& page) {
                if (!page.contains("items") || page["items"].empty()) std::cout << "(none)\n";
                for (const auto& o : page.value("items", Json::array())) {
                  std::cout << Str(o, "completed_at") << "  " << Str(o, "action_intent_id") << "  "
                            << Str(o, "status") << "  " << Str(o, "taxonomy") << "  "
                            << Str(o, "action_type") << "  account " << Str(o, "account_id")
                            << (o.value("auto_executed", false) ? "  autopilot" : "") << "\n";
                }
                if (page.contains("next_cursor") && page["next_cursor"].is_string()) {
                  std::cout << "next cursor: " << page["next_cursor"].get<std::string>() << "\n";
                }
              });
  });
  auto* replay = app.add_subcommand("replay", "POST /v1/autonomy/replay: execute a finished intent again");
  replay->add_option("id", f.id, "action_intent_id")->required();
  replay->add_option("--account", f.account, "account id")->required();
  replay->add_option("--reason", f.reason, "why it is replayed")->required();
  Run(replay, exit_code, [] {
    Json body = {{"action_intent_id", f.id}, {"account_id", f.account}, {"replay_reason", f.reason}};
    return Do(f.conn, "POST", "/v1/autonomy/replay", &body);
  });
  auto* conns = app.add_subcommand("connector", "per-tenant http connectors");
  conns->require_subcommand(1);
  auto* cnget = conns->add_subcommand("get", "GET /v1/connectors/{id} (with the circuit breaker)");
  cnget->add_option("id", f.id, "connector id, e.g. default")->required();
  Run(cnget, exit_code, [] { return Do(f.conn, "GET", "/v1/connectors/" + HttpClient::Escape(f.id), nullptr); });
  auto* cnset = conns->add_subcommand("set", "PUT /v1/connectors/{id}");
  cnset->add_option("id", f.id, "connector id, e.g. default")->required();
  cnset->add_option("--endpoint", f.path, "the URL Steward POSTs tool calls to")->required();
  cnset->add_option("--timeout-ms", f.timeout, "per-call timeout (100–120000, default 10000)");
  cnset->add_option("--secret", f.body_json, "HMAC signing secret (16–512 characters)");
  Run(cnset, exit_code, [] {
    Json body = {{"kind", "http"}, {"url", f.path}};
    if (f.timeout) body["timeout_ms"] = *f.timeout;
    if (!f.body_json.empty()) body["secret"] = f.body_json;
    return Do(f.conn, "PUT", "/v1/connectors/" + HttpClient::Escape(f.id), &body);
  });

  // --- decisions -------------------------------------------------------------------------
  auto* trig = app.add_subcommand("trigger", "POST /v1/decisions/triggers: a RUN_DECISION");
  trig->add_option("--account", f.account, "account id")->required();
  trig->add_option("--type", f.type, "trigger type, e.g. SIGNAL_ARRIVED")->required();
  trig->add_option("--key", f.id, "idempotency key")->required();
  trig->add_option("--correlation-id", f.trace, "correlation id");
  Run(trig, exit_code, [] {
    Json body = {{"account_id", f.account}, {"trigger_type", f.type}, {"idempotency_key", f.id}};
    if (!f.trace.empty()) body["correlation_id"] = f.trace;
    return Do(f.conn, "POST", "/v1/decisions/triggers", &body, [](const Json& r) {
      std::cout << Str(r, "result");
      if (r.contains("reason")) std::cout << " " << Str(r, "reason");
      if (r.contains("defer_until")) std::cout << " until " << Str(r, "defer_until");
      std::cout << ": " << Str(r, "explanation") << "\n";
      if (r.contains("original")) std::cout << "original: " << r["original"].dump() << "\n";
    });
  });
  auto* dec = app.add_subcommand("decisions", "decision evaluations and reservations");
  dec->require_subcommand(1);
  auto* runs = dec->add_subcommand("runs", "GET /v1/decisions/runs, newest first");
  runs->add_option("--account", f.account, "account id");
  runs->add_option("--type", f.type, "trigger type");
  runs->add_option("--result", f.status, "ALLOW, DEFER or SKIP");
  runs->add_option("--limit", f.limit, "page size (1–500, default 50)");
  runs->add_option("--cursor", f.cursor, "cursor from the previous page");
  Run(runs, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/decisions/runs", {{"account_id", f.account}, {"trigger_type", f.type},
                                               {"result", f.status}, {"limit", LimitStr(f.limit)},
                                               {"cursor", f.cursor}}),
              nullptr, [](const Json& page) {
                if (page.value("items", Json::array()).empty()) std::cout << "(none)\n";
                for (const auto& i : page.value("items", Json::array())) {
                  std::cout << Str(i, "evaluated_at") << "  " << Str(i, "account_id") << "  "
                            << Str(i, "trigger_type") << "  " << Str(i, "result") << " "
                            << (i["reason"].is_null() ? "" : Str(i, "reason")) << "  key "
                            << Str(i, "idempotency_key") << "\n";
                }
                if (page.contains("next_cursor") && page["next_cursor"].is_string()) {
                  std::cout << "next cursor: " << page["next_cursor"].get<std::string>() << "\n";
                }
              });
  });
  auto* resv = dec->add_subcommand("reservation", "GET /v1/decisions/idempotency/{key}");
  resv->add_option("key", f.id, "idempotency key")->required();
  Run(resv, exit_code, [] {
    return Do(f.conn, "GET", "/v1/decisions/idempotency/" + HttpClient::Escape(f.id), nullptr);
  });
  auto* sched = app.add_subcommand("schedules", "ritual schedules (cron in an IANA time zone)");
  sched->require_subcommand(1);
  auto* sget = sched->add_subcommand("get", "GET /v1/autonomy/schedules");
  sget->add_option("--account", f.account, "account id");
  Run(sget, exit_code, [] {
    return Do(f.conn, "GET", WithQuery("/v1/autonomy/schedules", {{"account_id", f.account}}), nullptr);
  });
  auto* sset = sched->add_subcommand("set", "PUT /v1/autonomy/schedules");
  sset->add_option("--account", f.account, "account id")->required();
  sset->add_option("--type", f.type, "trigger type, e.g. TIME_RITUAL_DAILY_BRIEF")->required();
  sset->add_option("--cron", f.method, "5-field cron, e.g. \"0 8 * * 1-5\"")->required();
  sset->add_option("--timezone", f.timezone, "IANA time zone, e.g. America/New_York")->required();
  sset->add_option("--enabled", f.autonomy, "on or off")->required();
  Run(sset, exit_code, [] {
    Json body = {{"account_id", f.account}, {"trigger_type", f.type}, {"cron", f.method},
                 {"timezone", f.timezone}, {"enabled", OnOff("--enabled", f.autonomy)}};
    return Do(f.conn, "PUT", "/v1/autonomy/schedules", &body);
  });
  auto* optin = app.add_subcommand("opt-in", "PUT /v1/autonomy/opt-in: an account's consent to rituals");
  optin->add_option("--account", f.account, "account id")->required();
  optin->add_option("--opted-in", f.autonomy, "on or off")->required();
  Run(optin, exit_code, [] {
    Json body = {{"account_id", f.account}, {"opted_in", OnOff("--opted-in", f.autonomy)}};
    return Do(f.conn, "PUT", "/v1/autonomy/opt-in", &body);
  });
  auto* digest = app.add_subcommand("digest-settings", "PUT /v1/autonomy/digest/settings");
  digest->add_option("--enabled", f.autonomy, "on or off")->required();
  digest->add_option("--hour", f.max_per_day, "local hour 0–23 (default 8)");
  digest->add_option("--timezone", f.timezone, "IANA time zone (default UTC)");
  Run(digest, exit_code, [] {
    Json body = {{"enabled", OnOff("--enabled", f.autonomy)}};
    if (f.max_per_day) body["hour"] = *f.max_per_day;
    if (!f.timezone.empty()) body["timezone"] = f.timezone;
    return Do(f.conn, "PUT", "/v1/autonomy/digest/settings", &body);
  });

  // --- audit exports and offline verification --------------------------------------------
  auto* exp = app.add_subcommand("export", "audit exports of the ledger");
  exp->require_subcommand(1);
  auto* ecreate = exp->add_subcommand("create", "POST /v1/autonomy/audit/exports [--wait: poll, then download]");
  ecreate->add_option("--from", f.date, "YYYY-MM-DD or RFC 3339")->required();
  ecreate->add_option("--to", f.expires_at, "YYYY-MM-DD (inclusive) or RFC 3339")->required();
  ecreate->add_option("--format", f.risk, "csv (default), json or ndjson");
  ecreate->add_option("--account", f.account, "only this account's entries");
  ecreate->add_flag("--wait", f.engage, "wait for COMPLETED with a progress display, then download");
  ecreate->add_option("--out", f.path, "file to download to (default ./<export_id>.<format>)");
  Run(ecreate, exit_code, [] {
    Json body = {{"from", f.date}, {"to", f.expires_at}};
    if (!f.risk.empty()) body["format"] = f.risk;
    if (!f.account.empty()) body["account_id"] = f.account;
    if (!f.engage) return Do(f.conn, "POST", "/v1/autonomy/audit/exports", &body);
    auto client = HttpClient::Create(f.conn.url, f.conn.token);
    if (!client.ok()) throw UsageError{client.status().message()};
    auto resp = (*client)->Send("POST", "/v1/autonomy/audit/exports", body.dump());
    if (!resp.ok()) {
      std::cerr << "error: " << resp.status().message() << "\n";
      return kExitFailure;
    }
    auto created = ParseJson(resp->body);
    if (resp->status != 202 || !created.ok() || !created->contains("export_id")) {
      std::cerr << "error: " << resp->status << ": " << resp->body << "\n";
      return kExitFailure;
    }
    const std::string id = (*created)["export_id"];
    const bool tty = isatty(fileno(stderr));
    const char* spin = "|/-\\";
    Json status;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0;; ++i) {
      auto r = (*client)->Send("GET", "/v1/autonomy/audit/exports/" + HttpClient::Escape(id));
      if (!r.ok() || r->status != 200) {
        std::cerr << "\nerror: " << (r.ok() ? r->body : r.status().message()) << "\n";
        return kExitFailure;
      }
      status = ParseJson(r->body).value();
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string st = status.value("status", "");
      if (tty) {
        std::cerr << "\r" << spin[i % 4] << " export " << id << ": " << st << "  " << static_cast<int>(secs) << " s   " << std::flush;
      } else if (i % 10 == 0) {
        std::cerr << "export " << id << ": " << st << " after " << static_cast<int>(secs) << " s\n";
      }
      if (st == "COMPLETED" || st == "FAILED") break;
      if (secs > 3600) {
        std::cerr << "\nerror: the export did not finish within an hour\n";
        return kExitFailure;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (tty) std::cerr << "\n";
    if (status["status"] != "COMPLETED") {
      std::cerr << "error: export failed: " << Str(status, "error_message") << "\n";
      if (f.conn.json) std::cout << status.dump() << "\n";
      return kExitFailure;
    }
    std::string out = f.path.empty() ? "./" + id + "." + status.value("format", "csv") : f.path;
    auto dl = (*client)->Download(status["presigned_url"], out);
    if (!dl.ok() || *dl != 200) {
      std::cerr << "error: download failed: " << (dl.ok() ? "HTTP " + std::to_string(*dl) : dl.status().message()) << "\n";
      return kExitFailure;
    }
    // The file must be the one the server hashed.
    std::ifstream in(out, std::ios::binary);
    Sha256Stream h;
    std::vector<char> buf(1 << 20);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
    }
    std::string sha = h.FinalHex();
    if (sha != status.value("sha256", "")) {
      std::cerr << "error: the downloaded file's SHA-256 " << sha << " differs from the server's " << Str(status, "sha256") << "\n";
      return kExitFailure;
    }
    if (f.conn.json) {
      status["file"] = out;
      std::cout << status.dump() << "\n";
    } else {
      std::cout << "wrote " << out << ": " << Str(status, "row_count") << " rows, " << Str(status, "bytes")
                << " bytes, sha256 " << sha << "\n";
    }
    return kExitOk;
  });
  auto* elist2 = exp->add_subcommand("list", "GET /v1/autonomy/audit/exports");
  Run(elist2, exit_code, [] {
    return Do(f.conn, "GET", "/v1/autonomy/audit/exports", nullptr, [](const Json& page) {
      if (page.value("items", Json::array()).empty()) std::cout << "(none)\n";
      for (const auto& e : page.value("items", Json::array())) {
        std::cout << Str(e, "created_at") << "  " << Str(e, "export_id") << "  " << Str(e, "status") << "  "
                  << Str(e, "format") << "  " << Str(e, "from") << " .. " << Str(e, "to") << "  rows "
                  << Str(e, "row_count") << "\n";
      }
    });
  });
  auto* eget2 = exp->add_subcommand("get", "GET /v1/autonomy/audit/exports/{id}");
  eget2->add_option("id", f.id, "export id")->required();
  Run(eget2, exit_code, [] {
    return Do(f.conn, "GET", "/v1/autonomy/audit/exports/" + HttpClient::Escape(f.id), nullptr);
  });

  // --- events ----------------------------------------------------------------------------
  auto* ev = app.add_subcommand("events", "the tenant's event feed");
  ev->require_subcommand(1);
  auto* tail = ev->add_subcommand("tail", "GET /v1/events: print events; --follow keeps long-polling");
  tail->add_option("--type", f.types, "event type (repeatable), e.g. EXECUTION_COMPLETED");
  tail->add_option("--after", f.cursor, "cursor to start after (default: the beginning)");
  tail->add_flag("--follow", f.engage, "keep waiting for new events (Ctrl-C to stop)");
  Run(tail, exit_code, [] {
    auto client = HttpClient::Create(f.conn.url, f.conn.token, 40000);
    if (!client.ok()) throw UsageError{client.status().message()};
    std::string cursor = f.cursor;
    while (true) {
      std::vector<std::pair<const char*, std::string>> q = {{"after", cursor}, {"limit", "500"}};
      if (f.engage) q.push_back({"wait", "25"});
      std::string path = "/v1/events";
      char sep = '?';
      for (const auto& [k, v] : q) {
        if (v.empty()) continue;
        path += sep + std::string(k) + "=" + HttpClient::Escape(v);
        sep = '&';
      }
      for (const auto& t : f.types) {
        path += sep + std::string("type=") + HttpClient::Escape(t);
        sep = '&';
      }
      auto r = (*client)->Send("GET", path);
      if (!r.ok()) {
        std::cerr << "error: " << r.status().message() << "\n";
        return kExitFailure;
      }
      auto page = ParseJson(r->body);
      if (r->status != 200 || !page.ok()) {
        std::cerr << "error: " << r->status << ": " << r->body << "\n";
        return kExitFailure;
      }
      for (const auto& e : page->value("items", Json::array())) {
        if (f.conn.json) {
          std::cout << e.dump() << "\n";
        } else {
          std::cout << Str(e, "created_at") << "  " << Str(e, "event_id") << "  " << Str(e, "type")
                    << "  account " << Str(e, "account_id") << "  " << e.value("data", Json::object()).dump() << "\n";
        }
      }
      std::cout << std::flush;
      if (page->contains("next_cursor") && (*page)["next_cursor"].is_string() &&
          !(*page)["next_cursor"].get<std::string>().empty()) {
        cursor = (*page)["next_cursor"];
      }
      if (!f.engage && page->value("items", Json::array()).size() < 500) return kExitOk;
    }
  });

  // --- explanations, digest, insights -----------------------------------------------------
  auto* explain = app.add_subcommand("explain", "GET /v1/autonomy/ledger/explanation: why Steward did this");
  explain->add_option("id", f.id, "action_intent_id")->required();
  explain->add_option("--account", f.account, "account id (checked against the intent)");
  Run(explain, exit_code, [] {
    return Do(f.conn, "GET",
              WithQuery("/v1/autonomy/ledger/explanation", {{"action_intent_id", f.id}, {"account_id", f.account}}),
              nullptr, [](const Json& r) {
                const Json& why = r.value("why", Json::object());
                std::cout << "path: " << Str(why, "path") << "\n";
                if (why.contains("gate") && why["gate"].is_object()) {
                  std::cout << "gate: " << Str(why["gate"], "result") << " (" << Str(why["gate"], "reason")
                            << "): " << Str(why["gate"], "explanation") << "\n";
                }
                if (r.contains("which_policy") && r["which_policy"].is_object()) {
                  std::cout << "policy: " << Str(r["which_policy"], "policy_version") << " "
                            << Str(r["which_policy"], "policy_clause") << "\n";
                }
                if (r.contains("outcome") && r["outcome"].is_object()) {
                  std::cout << "outcome: " << Str(r["outcome"], "status") << " " << Str(r["outcome"], "taxonomy") << "\n";
                }
                for (const auto& c : r.value("counterfactual", Json::object()).value("items", Json::array())) {
                  std::cout << "  - " << Str(c, "explanation") << "\n";
                }
                std::cout << r.value("timeline", Json::array()).size() << " ledger entries; --json for all of it\n";
              });
  });
  auto* dig = app.add_subcommand("digest", "GET /v1/autonomy/digest: what autopilot did on a day");
  dig->add_option("--account", f.account, "account id")->required();
  dig->add_option("--date", f.date, "YYYY-MM-DD (default today in the digest's time zone)");
  Run(dig, exit_code, [] {
    return Do(f.conn, "GET", WithQuery("/v1/autonomy/digest", {{"account_id", f.account}, {"date", f.date}}), nullptr);
  });
  auto* ins = app.add_subcommand("insights", "GET /v1/autonomy/insights: evidence per action type");
  ins->add_option("--type", f.type, "action type");
  ins->add_option("--days", f.limit, "window in days (1–90, default 30)");
  Run(ins, exit_code, [] {
    return Do(f.conn, "GET", WithQuery("/v1/autonomy/insights", {{"action_type", f.type}, {"days", LimitStr(f.limit)}}), nullptr);
  });

  // --- raw API call ----------------------------------------------------------------------
  auto* api = app.add_subcommand("api", "send any request to the API, like `curl` with the token");
  api->add_option("method", f.method, "GET, POST, PUT or DELETE")
      ->required()
      ->check(CLI::IsMember({"GET", "POST", "PUT", "DELETE"}));
  api->add_option("path", f.path, "path with query, e.g. /v1/intents?limit=5")->required();
  api->add_option("--body", f.body_json, "JSON body");
  Run(api, exit_code, [] {
    if (f.path.empty() || f.path[0] != '/') throw UsageError{"path must start with /"};
    std::optional<Json> body;
    if (!f.body_json.empty()) body = ParseJsonFlag("--body", f.body_json, false);
    return Do(f.conn, f.method, f.path, body ? &*body : nullptr);
  });
}

}  // namespace steward::cli
