#pragma once
// FuzzServer: the served API of the HTTP fuzz targets — what `steward serve` wires
// (cli/serve.cc): the real Router with the real routes (RegisterAllRoutes) over real services and
// a real SQLite store in a temporary directory — without the HTTP server and the job workers
// (enqueued jobs stay in the store until RunDueJobs). Every service and token runs on a fixed
// ManualClock at kNowMs.
//
// Set-up gives tenant "fuzz-t" an allowlist, modes, a budget for account acct-1 and two
// intents: "ai-pending" (awaiting approval) and "ai-auto" (auto-approved and executed), so seeds
// can reach the state-changing routes. token(selector) is an HS256 token for selector 1..7:
// 1 viewer, 2 agent, 3 approver, 4 operator, 5 admin, 6 platform_admin, all of tenant "fuzz-t",
// 7 an admin of tenant "fuzz-u" (0: none, the empty string). A token minted elsewhere with
// kSecret (e.g. `steward token` with STEWARD_JWT_SECRET=kSecret, see make_corpus.py) is accepted
// too: the verifier checks exp and nbf, not iat.
//
// Also CheckResponseBody, the response properties both HTTP targets check.
//
// Thread-safety: Instance() is created once (the first call must finish before others start);
// Serve and the routes may run on any number of threads (the store is thread-safe);
// RunDueJobs runs on one thread at a time.
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
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

// 2027-01-15T08:00:00Z: the fixed "now" of every service and token.
inline constexpr int64_t kNowMs = 1800000000000;
inline constexpr int64_t kTokenTtlMs = 24LL * 3600 * 1000;
inline constexpr char kSecret[] = "http-fuzz-secret-0123456789abcdef0123";
inline constexpr char kTenant[] = "fuzz-t";
inline constexpr char kOtherTenant[] = "fuzz-u";
inline constexpr size_t kSelectors = 8;
inline constexpr int kMinStatus = 100;
inline constexpr int kMaxStatus = 599;
inline constexpr int kInternalError = 500;
inline constexpr int kFirstErrorStatus = 400;
inline constexpr char kJobOwner[] = "http-fuzz";
inline constexpr int64_t kJobLeaseMs = 60000;
// Jobs run after one input at most (a retry due at once is claimed again).
inline constexpr int kMaxJobsPerInput = 8;

class FuzzServer {
 public:
  // The process's server: created on the first call and never destroyed while the fuzzer runs;
  // its directory is removed at exit. Aborts (Fail) when set-up fails.
  static FuzzServer* Instance() {
    static FuzzServer* server = [] {
      auto* s = new FuzzServer();
      std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(Instance()->dir(), ec);
      });
      return s;
    }();
    return server;
  }

  FuzzServer(const FuzzServer&) = delete;
  FuzzServer& operator=(const FuzzServer&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const api::Router& router() const { return router_; }
  const std::string& token(size_t selector) const { return tokens_[selector]; }

  // One request through ParseTarget, the Router and the handler, as the transport runs it.
  // Returns false when the transport itself would have answered (bad target, 404, 405).
  bool Serve(api::HttpRequest* req, api::HttpResponse* resp) const {
    if (!api::ParseTarget(req->target, &req->path, &req->query)) return false;
    auto match = router_.Match(req->method, req->path);
    if (match.kind != api::Router::RouteMatch::Kind::kFound) return false;
    req->route = match.pattern;
    *resp = api::Router::RunAndWait(match, *req);
    return true;
  }

  // Runs the EXECUTE_INTENT jobs that are due, as the worker pool would: claim one, run the
  // engine, record its outcome. A handler that throws aborts the run (handlers must not throw).
  void RunDueJobs() const {
    const std::vector<std::string> types = {std::string(autonomy::kJobExecuteIntent)};
    for (int i = 0; i < kMaxJobsPerInput; ++i) {
      std::vector<jobs::Job> claimed;
      Status st = store_->Write([&](store::Txn& txn) -> Status {
        STEWARD_ASSIGN_OR_RETURN(
            claimed, jobs::Claim(txn, kJobOwner, clock_.NowMs(), kJobLeaseMs, 1, types));
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

 private:
  FuzzServer() {
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

  // The tenant state the seeds expect; a failing step means the harness is out of date.
  void SetUpTenant() {
    const std::array<std::array<const char*, 3>, 8> steps = {{
        {"PUT", "/v1/autonomy/allowlist",
         R"({"action_types":["CREATE_INTERNAL_TASK","CREATE_INTERNAL_NOTE"]})"},
        {"PUT", "/v1/autonomy/config",
         R"({"action_type":"CREATE_INTERNAL_TASK","mode":"AUTO_EXECUTE"})"},
        {"PUT", "/v1/autonomy/budget",
         R"({"account_id":"acct-1","max_autonomous_per_day":1000000})"},
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

  std::filesystem::path dir_;
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

// The properties of every response both HTTP targets check; `what` names the request in the
// report. Fails when the status is outside 100-599 or is 500; when `check_body` and the content
// type is JSON, when the body does not parse or, for an error status, is not
// {"error": {"code": string, "message": string}}.
inline void CheckResponseBody(int status, std::string_view content_type, std::string_view body,
                              bool check_body, const std::string& what) {
  if (status < kMinStatus || status > kMaxStatus) Fail("status out of range", what);
  if (status == kInternalError) {
    Fail("a request made the server fail (500)", what + " " + std::string(body));
  }
  if (!check_body || content_type.rfind("application/json", 0) != 0) return;
  auto json = ParseJson(body);
  if (!json.ok()) Fail("a JSON response that does not parse", what + " " + std::string(body));
  if (status < kFirstErrorStatus) return;
  auto error = json->find("error");
  if (error == json->end() || !error->is_object() || !error->contains("code") ||
      !(*error)["code"].is_string() || !error->contains("message") ||
      !(*error)["message"].is_string()) {
    Fail("an error response without {error: {code, message}}", what + " " + std::string(body));
  }
}

}  // namespace steward::fuzz
