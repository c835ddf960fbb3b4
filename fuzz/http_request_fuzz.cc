// Fuzz target: the HTTP request path after the wire parser — request target parsing, routing,
// authentication, role and tenant checks, JSON body parsing and every endpoint's validator and
// service — on the real Router with the real routes (RegisterAllRoutes) over real services and a
// real SQLite store in a temporary directory, created once per process.
//
// Not covered: Boost.Beast's HTTP/1.1 parser inside api/http_server.cc, which exposes no parse
// function without a socket. The harness rebuilds what the transport hands a handler: header
// names lowercased and values trimmed, the path and decoded query from ParseTarget, a request id
// kept only when IsSaneRequestId. It skips the transport's 415 check on purpose, so bodies of
// any media type reach the handlers.
//
// Input: a token selector byte, then a request written like HTTP/1.1:
//   <selector>METHOD TARGET [VERSION]\n
//   Name: value\n          (any number of header lines)
//   \n
//   body
// The selector (its value modulo 8; the digits '0'..'7' read naturally) adds an
// "Authorization: Bearer" header after the input's own headers (so a fuzzed Authorization wins):
// 0 none, 1 viewer, 2 agent, 3 approver, 4 operator, 5 admin, 6 platform_admin, all of tenant
// "fuzz-t", 7 an admin of tenant "fuzz-u". Set-up gives tenant fuzz-t an allowlist, modes, a
// budget for account acct-1 and two intents: "ai-pending" (awaiting approval) and "ai-auto"
// (auto-approved and executed), so seeds can reach the state-changing routes.
// After each request the EXECUTE_INTENT jobs it made due run inline, one claim at a time as the
// worker pool runs them, so the engine and the internal connector see fuzzed parameters too (no
// network: the http connector is not registered; exports, webhooks and timers are not run).
// Properties of every response:
//   - a status in 100-599 and never 500: no request may make the server fail;
//   - a JSON content type means a body that parses; an error status carries
//     {"error": {"code": string, "message": string}};
//   - no handler throws (an uncaught exception aborts the run).
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/http_types.h"
#include "api/metrics.h"
#include "api/router.h"
#include "audit/digest.h"
#include "audit/explanation.h"
#include "audit/export_service.h"
#include "audit/insights.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_verifier.h"
#include "autonomy/autonomy_service.h"
#include "autonomy/config_service.h"
#include "autonomy/gate.h"
#include "common/clock.h"
#include "common/json.h"
#include "decision/decision_config.h"
#include "decision/decision_service.h"
#include "events/event_feed.h"
#include "events/webhooks.h"
#include "exec/connectors/internal_connector.h"
#include "exec/engine.h"
#include "exec/execution_service.h"
#include "fuzz/fuzz_util.h"
#include "jobs/job_queue.h"
#include "store/store.h"

namespace steward::fuzz {
namespace {

namespace fs = std::filesystem;

// 2027-01-15T08:00:00Z: the fixed "now" of every service and token.
constexpr int64_t kNowMs = 1800000000000;
constexpr int64_t kTokenTtlMs = 24LL * 3600 * 1000;
constexpr char kSecret[] = "http-fuzz-secret-0123456789abcdef0123";
constexpr char kTenant[] = "fuzz-t";
constexpr char kOtherTenant[] = "fuzz-u";
constexpr size_t kSelectors = 8;
constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;
constexpr int kInternalError = 500;
constexpr int kFirstErrorStatus = 400;
constexpr char kJobOwner[] = "http-fuzz";
constexpr int64_t kJobLeaseMs = 60000;
// Jobs run after one request at most (a retry due at once is claimed again).
constexpr int kMaxJobsPerInput = 8;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// The served API: what `steward serve` wires (cli/serve.cc), without the HTTP server and the
// job workers (enqueued jobs stay in the store).
class Server {
 public:
  Server() {
    char tmpl[] = "/tmp/steward-http-fuzz.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) Fail("set-up", "mkdtemp failed");
    dir_ = tmpl;
    store::StoreOptions sopts;
    sopts.durability = store::Durability::kProcess;  // no fsync per commit: speed
    auto st = store::Open("sqlite://" + (dir_ / "steward.db").string(), sopts);
    if (!st.ok()) Fail("set-up: store", st.status().ToString());
    store_ = std::move(st).value();
    auth::VerifierOptions vopts;
    vopts.hs256_secret = kSecret;
    auto verifier = auth::JwtVerifier::Create(vopts, &clock_);
    if (!verifier.ok()) Fail("set-up: verifier", verifier.status().ToString());
    verifier_ = std::move(verifier).value();

    autonomy_ = std::make_unique<autonomy::AutonomyService>(store_.get(), &clock_, nullptr);
    config_ = std::make_unique<autonomy::ConfigService>(store_.get(), &clock_);
    exec_ = std::make_unique<exec::ExecutionService>(store_.get(), &clock_, nullptr);
    decisions_ = std::make_unique<decision::DecisionService>(store_.get(), &clock_, nullptr);
    decision_config_ = std::make_unique<decision::DecisionConfig>(store_.get(), &clock_);
    audit::ExportOptions eopts;
    eopts.directory = (dir_ / "exports").string();
    eopts.signing_secret = kSecret;
    exports_ = std::make_unique<audit::ExportService>(store_.get(), &clock_, nullptr, eopts);
    explanation_ = std::make_unique<audit::Explanation>(store_.get());
    digest_ = std::make_unique<audit::Digest>(store_.get(), &clock_);
    insights_ = std::make_unique<audit::Insights>(store_.get(), &clock_);
    // Not started: a long-poll (?wait=) then answers at once instead of blocking the fuzzer.
    feed_ = std::make_unique<events::EventFeed>(store_.get());
    webhooks_ = std::make_unique<events::WebhookService>(store_.get(), &clock_, nullptr);
    engine_ = std::make_unique<exec::Engine>(store_.get(), &clock_);
    engine_->AddConnector("internal", exec::NewInternalConnector());

    api::ApiDeps deps;
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.verifier = verifier_.get();
    deps.autonomy = autonomy_.get();
    deps.config = config_.get();
    deps.exec = exec_.get();
    deps.decisions = decisions_.get();
    deps.decision_config = decision_config_.get();
    deps.exports = exports_.get();
    deps.explanation = explanation_.get();
    deps.digest = digest_.get();
    deps.insights = insights_.get();
    deps.feed = feed_.get();
    deps.webhooks = webhooks_.get();
    deps.metrics = &metrics_;
    deps.metrics_public = true;
    api::RegisterAllRoutes(router_, deps);

    const std::array<std::pair<const char*, const char*>, kSelectors> who = {{
        {"", ""},
        {kTenant, "viewer"},
        {kTenant, "agent"},
        {kTenant, "approver"},
        {kTenant, "operator"},
        {kTenant, "admin"},
        {kTenant, "platform_admin"},
        {kOtherTenant, "admin"},
    }};
    for (size_t i = 1; i < kSelectors; ++i) {
      auth::MintRequest m;
      m.subject = std::string("fuzz-") + who[i].second;
      m.tenant_id = who[i].first;
      m.roles = {who[i].second};
      m.now_ms = kNowMs;
      m.ttl_ms = kTokenTtlMs;
      auto token = auth::MintHs256(kSecret, m);
      if (!token.ok()) Fail("set-up: token", token.status().ToString());
      tokens_[i] = *token;
    }
    SetUpTenant();
    RunDueJobs();  // executes "ai-auto"
  }

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const fs::path& dir() const { return dir_; }

  // One request through ParseTarget, the Router and the handler, as the transport runs it.
  // Returns false when the transport itself would have answered (bad target, 404, 405).
  bool Serve(api::HttpRequest* req, api::HttpResponse* resp) const {
    if (!api::ParseTarget(req->target, &req->path, &req->query)) return false;
    auto match = router_.Match(req->method, req->path);
    if (match.kind != api::Router::RouteMatch::Kind::kFound) return false;
    req->route = match.pattern;
    *resp = (*match.handler)(*req, match.params);
    return true;
  }

  // Runs the EXECUTE_INTENT jobs that are due, as the worker pool would: claim one, run the
  // engine, record its outcome. A handler that throws aborts the run (handlers must not throw).
  void RunDueJobs() const {
    const std::vector<std::string> types = {std::string(autonomy::kJobExecuteIntent)};
    for (int i = 0; i < kMaxJobsPerInput; ++i) {
      std::vector<jobs::Job> claimed;
      Status st = store_->Write([&](store::Txn& txn) -> Status {
        STEWARD_ASSIGN_OR_RETURN(claimed,
                                 jobs::Claim(txn, kJobOwner, clock_.NowMs(), kJobLeaseMs, 1, types));
        return Status::Ok();
      });
      if (!st.ok()) Fail("claiming a job failed", st.ToString());
      if (claimed.empty()) return;
      const jobs::Job& job = claimed.front();
      const jobs::Outcome outcome = engine_->Handle(job);
      st = store_->Write([&](store::Txn& txn) -> Status {
        const int64_t now = clock_.NowMs();
        switch (outcome.kind) {
          case jobs::Outcome::Kind::kDone:
            return jobs::Complete(txn, job.job_id, kJobOwner).status();
          case jobs::Outcome::Kind::kRetryAt:
            return jobs::RetryAt(txn, job.job_id, kJobOwner, outcome.run_at_ms, outcome.error, now)
                .status();
          case jobs::Outcome::Kind::kFailed:
            return jobs::Fail(txn, job.job_id, kJobOwner, outcome.error, now).status();
          case jobs::Outcome::Kind::kCompletedByHandler:
            return Status::Ok();
        }
        return Status::Ok();
      });
      if (!st.ok()) Fail("recording a job outcome failed", st.ToString());
    }
  }

  const std::string& token(size_t selector) const { return tokens_[selector]; }

 private:
  // The tenant state the seeds expect; a failing step means the harness is out of date.
  void SetUpTenant() {
    const std::array<std::array<const char*, 3>, 8> steps = {{
        {"PUT", "/v1/autonomy/allowlist",
         R"({"action_types":["CREATE_INTERNAL_TASK","CREATE_INTERNAL_NOTE"]})"},
        {"PUT", "/v1/autonomy/config", R"({"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"})"},
        {"PUT", "/v1/autonomy/budget", R"({"account_id":"acct-1","max_autonomous_per_day":1000000})"},
        {"POST", "/v1/intents",
         R"({"action_intent_id":"ai-pending","account_id":"acct-1","action_type":"CREATE_INTERNAL_NOTE","parameters":{"body":"hello"},"confidence_score":0.5})"},
        {"POST", "/v1/intents",
         R"({"action_intent_id":"ai-auto","account_id":"acct-1","action_type":"CREATE_INTERNAL_TASK","parameters":{"title":"Call back Acme"},"confidence_score":0.92})"},
        {"PUT", "/v1/autonomy/opt-in", R"({"account_id":"acct-1","opted_in":true})"},
        {"PUT", "/v1/autonomy/digest/settings", R"({"enabled":true})"},
        {"PUT", "/v1/autonomy/schedules",
         R"({"account_id":"acct-1","trigger_type":"TIME_RITUAL_RENEWAL_RUNWAY","cron":"0 8 * * MON-FRI","timezone":"Europe/Berlin","enabled":true})"},
    }};
    for (const auto& [method, target, body] : steps) {
      api::HttpRequest req;
      req.method = method;
      req.target = target;
      req.headers = {{"authorization", "Bearer " + tokens_[5]},
                     {"content-type", "application/json"}};
      req.body = body;
      api::HttpResponse resp;
      if (!Serve(&req, &resp) || resp.status >= kFirstErrorStatus) {
        Fail("set-up step failed", std::string(method) + " " + target + " -> " +
                                       std::to_string(resp.status) + " " + resp.body);
      }
    }
  }

  fs::path dir_;
  ManualClock clock_{kNowMs};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::JwtVerifier> verifier_;
  std::unique_ptr<autonomy::AutonomyService> autonomy_;
  std::unique_ptr<autonomy::ConfigService> config_;
  std::unique_ptr<exec::ExecutionService> exec_;
  std::unique_ptr<decision::DecisionService> decisions_;
  std::unique_ptr<decision::DecisionConfig> decision_config_;
  std::unique_ptr<audit::ExportService> exports_;
  std::unique_ptr<audit::Explanation> explanation_;
  std::unique_ptr<audit::Digest> digest_;
  std::unique_ptr<audit::Insights> insights_;
  std::unique_ptr<events::EventFeed> feed_;
  std::unique_ptr<events::WebhookService> webhooks_;
  std::unique_ptr<exec::Engine> engine_;
  api::Metrics metrics_;
  api::Router router_;
  std::array<std::string, kSelectors> tokens_;
};

// Created once per process and never destroyed while the fuzzer runs; its directory is
// removed at exit.
Server* TheServer() {
  static Server* server = [] {
    auto* s = new Server();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(TheServer()->dir(), ec);
    });
    return s;
  }();
  return server;
}

// Parses the input into `req`; false when it is not a request the wire parser would pass on.
bool ParseInput(std::string_view input, api::HttpRequest* req) {
  if (input.empty()) return false;
  const size_t selector = static_cast<unsigned char>(input[0]) % kSelectors;
  input.remove_prefix(1);
  std::string_view line = NextLine(&input);
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return false;
  req->method = std::string(line.substr(0, sp));
  std::string_view target = line.substr(sp + 1);
  target = target.substr(0, target.find(' '));
  if (target.empty()) return false;
  req->target = std::string(target);
  while (true) {
    if (input.empty()) break;
    std::string_view header = NextLine(&input);
    if (header.empty()) break;
    size_t colon = header.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    req->headers.emplace_back(Lower(header.substr(0, colon)), Trim(header.substr(colon + 1)));
  }
  req->body = std::string(input);
  if (selector != 0) {
    req->headers.emplace_back("authorization", "Bearer " + TheServer()->token(selector));
  }
  auto id = req->Header("x-request-id");
  req->request_id = id && api::IsSaneRequestId(*id) ? *id : "req_fuzz";
  req->remote_addr = "127.0.0.1:1";
  return true;
}

void CheckResponse(const api::HttpRequest& req, const api::HttpResponse& resp) {
  const std::string what = req.method + " " + req.target + " -> " + std::to_string(resp.status);
  if (resp.status < kMinStatus || resp.status > kMaxStatus) Fail("status out of range", what);
  if (resp.status == kInternalError) Fail("a request made the server fail (500)", what + " " + resp.body);
  if (!resp.file_path.empty() || resp.content_type.rfind("application/json", 0) != 0) return;
  auto body = ParseJson(resp.body);
  if (!body.ok()) Fail("a JSON response that does not parse", what + " " + resp.body);
  if (resp.status < kFirstErrorStatus) return;
  auto error = body->find("error");
  if (error == body->end() || !error->is_object() || !error->contains("code") ||
      !(*error)["code"].is_string() || !error->contains("message") ||
      !(*error)["message"].is_string()) {
    Fail("an error response without {error: {code, message}}", what + " " + resp.body);
  }
}

}  // namespace
}  // namespace steward::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)steward::fuzz::TheServer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward::fuzz;
  steward::api::HttpRequest req;
  if (!ParseInput(std::string_view(reinterpret_cast<const char*>(data), size), &req)) return 0;
  steward::api::HttpResponse resp;
  if (!TheServer()->Serve(&req, &resp)) return 0;
  CheckResponse(req, resp);
  TheServer()->RunDueJobs();
  return 0;
}
