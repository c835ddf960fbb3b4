// Fuzz target: the HTTP request path after the wire parser — request target parsing, routing,
// authentication, role and tenant checks, JSON body parsing and every endpoint's validator and
// service — on the real Router with the real routes (RegisterAllRoutes) over real services and a
// real SQLite store in a temporary directory, created once per process (FuzzServer,
// fuzz_server.h).
//
// Not covered: Boost.Beast's HTTP/1.1 parser inside api/http_server.cc, which exposes no parse
// function without a socket (http_wire_fuzz.cc covers it over a socket, slower). The harness
// rebuilds what the transport hands a handler: header names lowercased and values trimmed, the
// path and decoded query from ParseTarget, a request id kept only when IsSaneRequestId. It skips
// the transport's 415 check on purpose, so bodies of any media type reach the handlers.
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
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "fuzz/fuzz_server.h"
#include "fuzz/fuzz_util.h"

namespace steward::fuzz {
namespace {

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

FuzzServer* TheServer() { return FuzzServer::Instance(); }

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
  CheckResponseBody(resp.status, resp.content_type, resp.body, resp.file_path.empty(), what);
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
