// docs/openapi.json against the routes Steward serves: the router built by RegisterAllRoutes
// (over real services on a temporary SQLite store, wired as `steward serve` wires them) and the
// document must list the same (method, path) pairs; the embedded copy served at
// /v1/openapi.json must equal the file; the document must be internally consistent ($refs,
// path parameters, operation ids, error schema); and each operation's x-steward-role must be
// the lowest role the handler lets through.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "api/api.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_verifier.h"
#include "common/json.h"

namespace steward::api {
namespace {

namespace fs = std::filesystem;
using MethodPath = std::pair<std::string, std::string>;

// Documented operations whose routes are being added in another change, as {"GET", "/v1/…"}.
// The test tolerates exactly these being absent from the router; once one is routed it fails
// until its entry is removed. Empty when every documented operation is served.
const std::set<MethodPath> kPendingRoutes = {};

constexpr char kDocumentRelPath[] = "docs/openapi.json";
constexpr char kDocumentRoute[] = "/v1/openapi.json";
constexpr char kTenant[] = "t-openapi";
constexpr char kJwtSecret[] = "openapi-test-secret-0123456789abcdef";
constexpr int64_t kTokenTtlMs = 3600 * 1000;
constexpr char kRoleNone[] = "none";
// Tenant roles, lowest first (auth/roles.h); platform_admin stands apart above admin.
const std::vector<std::string> kRoleChain = {"viewer", "agent", "approver", "operator", "admin"};
constexpr char kPlatformAdmin[] = "platform_admin";
const std::set<std::string> kHttpMethods = {"get",   "put",  "post",    "delete",
                                            "patch", "head", "options", "trace"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// docs/openapi.json: under STEWARD_SOURCE_DIR when defined, else found by walking up from the
// working directory and from this file's directory. Empty when not found.
fs::path FindDocument() {
  std::vector<fs::path> starts;
#ifdef STEWARD_SOURCE_DIR
  starts.emplace_back(STEWARD_SOURCE_DIR);
#endif
  starts.push_back(fs::current_path());
  starts.push_back(fs::absolute(fs::path(__FILE__)).parent_path());
  for (const fs::path& start : starts) {
    for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
      std::error_code ec;
      if (fs::is_regular_file(dir / kDocumentRelPath, ec)) return dir / kDocumentRelPath;
      if (dir == dir.root_path()) break;
    }
  }
  return {};
}

// Resolves a local JSON pointer ("#/components/schemas/Intent"); nullptr when it does not.
const Json* Resolve(const Json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  try {
    const Json::json_pointer pointer(ref.substr(1));
    return doc.contains(pointer) ? &doc.at(pointer) : nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Every "$ref" under `node`, with where it was found.
void CollectRefs(const Json& node, const std::string& where,
                 std::vector<std::pair<std::string, std::string>>* out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it->is_string()) {
        out->emplace_back(where, it->get<std::string>());
      } else {
        CollectRefs(*it, where + "/" + it.key(), out);
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CollectRefs(node[i], where + "[" + std::to_string(i) + "]", out);
    }
  }
}

// `node` itself, or what its "$ref" points at.
const Json& Deref(const Json& doc, const Json& node) {
  if (node.is_object() && node.contains("$ref")) {
    if (const Json* target = Resolve(doc, node["$ref"].get<std::string>())) return *target;
  }
  return node;
}

std::vector<std::string> Placeholders(const std::string& path) {
  std::vector<std::string> out;
  size_t open = 0;
  while ((open = path.find('{', open)) != std::string::npos) {
    size_t close = path.find('}', open);
    if (close == std::string::npos) break;
    out.push_back(path.substr(open + 1, close - open - 1));
    open = close + 1;
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::set<MethodPath>& items) {
  std::string out;
  for (const auto& [method, path] : items) out += "\n  " + method + " " + path;
  return out;
}

// One operation of the document.
struct Operation {
  std::string method;  // upper case
  std::string path;
  const Json* op;
  const Json* path_item;
};

// The real services over a temporary SQLite store, as `steward serve` builds them (without
// workers: nothing here runs jobs).
class ServedApi {
 public:
  explicit ServedApi(bool metrics_public) {
    dir_ = fs::temp_directory_path() / ("steward_openapi_test_" + std::to_string(::getpid()) +
                                        (metrics_public ? "_public" : "_private"));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = store::Open("sqlite://" + (dir_ / "steward.db").string()).value();
    auth::VerifierOptions vopts;
    vopts.hs256_secret = kJwtSecret;
    verifier_ = auth::JwtVerifier::Create(vopts, clock_).value();
    autonomy_ = std::make_unique<autonomy::AutonomyService>(store_.get(), clock_, nullptr);
    config_ = std::make_unique<autonomy::ConfigService>(store_.get(), clock_);
    exec_ = std::make_unique<exec::ExecutionService>(store_.get(), clock_, nullptr);
    decisions_ = std::make_unique<decision::DecisionService>(store_.get(), clock_, nullptr);
    decision_config_ = std::make_unique<decision::DecisionConfig>(store_.get(), clock_);
    audit::ExportOptions eopts;
    eopts.directory = (dir_ / "exports").string();
    eopts.signing_secret = kJwtSecret;
    exports_ = std::make_unique<audit::ExportService>(store_.get(), clock_, nullptr, eopts);
    explanation_ = std::make_unique<audit::Explanation>(store_.get());
    digest_ = std::make_unique<audit::Digest>(store_.get(), clock_);
    insights_ = std::make_unique<audit::Insights>(store_.get(), clock_);
    feed_ = std::make_unique<events::EventFeed>(store_.get());
    webhooks_ = std::make_unique<events::WebhookService>(store_.get(), clock_, nullptr);

    ApiDeps deps;
    deps.store = store_.get();
    deps.clock = clock_;
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
    deps.metrics_public = metrics_public;
    RegisterAllRoutes(router_, deps);
    // RegisterAllRoutes may or may not include the document route yet.
    if (router_.Match("GET", kDocumentRoute).kind != Router::RouteMatch::Kind::kFound) {
      RegisterOpenApiRoutes(router_, deps);
    }
  }
  ~ServedApi() {
    webhooks_.reset();
    feed_.reset();
    exports_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ServedApi(const ServedApi&) = delete;
  ServedApi& operator=(const ServedApi&) = delete;

  const Router& router() const { return router_; }

  std::set<MethodPath> Routes() const {
    auto routes = router_.Routes();
    return {routes.begin(), routes.end()};
  }

  // Calls the handler of (method, pattern) on `pattern` with each {param} filled in, with a
  // bearer token for `role` ("" = no Authorization header) and no body.
  HttpResponse Call(const std::string& method, const std::string& pattern,
                    const std::string& role) const {
    std::string path = pattern;
    for (const auto& name : Placeholders(pattern)) {
      path.replace(path.find("{" + name + "}"), name.size() + 2, "probe-1");
    }
    auto match = router_.Match(method, path);
    if (match.kind != Router::RouteMatch::Kind::kFound || match.pattern != pattern) {
      ADD_FAILURE() << method << " " << path << " does not reach the route " << pattern;
      HttpResponse none;
      none.status = 0;
      return none;
    }
    HttpRequest req;
    req.method = method;
    req.target = path;
    req.path = path;
    req.route = pattern;
    if (!role.empty()) req.headers.emplace_back("authorization", "Bearer " + Token(role));
    return Router::RunAndWait(match, req);
  }

 private:
  std::string Token(const std::string& role) const {
    auth::MintRequest m;
    m.subject = "openapi-probe";
    m.tenant_id = kTenant;
    m.roles = {role};
    m.now_ms = clock_->NowMs();
    m.ttl_ms = kTokenTtlMs;
    return auth::MintHs256(kJwtSecret, m).value();
  }

  fs::path dir_;
  const Clock* clock_ = SystemClock::Default();
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
  Metrics metrics_;
  Router router_;
};

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    doc_path_ = new fs::path(FindDocument());
    ASSERT_FALSE(doc_path_->empty()) << "cannot find " << kDocumentRelPath
                                     << " (define STEWARD_SOURCE_DIR or run from the tree)";
    doc_text_ = new std::string(ReadFile(*doc_path_));
    auto parsed = ParseJson(*doc_text_);
    ASSERT_TRUE(parsed.ok()) << kDocumentRelPath << ": " << parsed.status().ToString();
    doc_ = new Json(std::move(parsed).value());
    api_ = new ServedApi(/*metrics_public=*/true);
  }
  static void TearDownTestSuite() {
    delete api_;
    delete doc_;
    delete doc_text_;
    delete doc_path_;
    api_ = nullptr;
    doc_ = nullptr;
    doc_text_ = nullptr;
    doc_path_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(doc_, nullptr) << "the document did not load";
    ASSERT_NE(api_, nullptr) << "the API did not start";
  }

  static std::vector<Operation> Operations() {
    std::vector<Operation> out;
    for (auto p = (*doc_)["paths"].begin(); p != (*doc_)["paths"].end(); ++p) {
      for (auto m = p->begin(); m != p->end(); ++m) {
        if (kHttpMethods.count(m.key())) out.push_back({Upper(m.key()), p.key(), &*m, &*p});
      }
    }
    return out;
  }

  static std::set<MethodPath> Documented() {
    std::set<MethodPath> out;
    for (const auto& o : Operations()) out.emplace(o.method, o.path);
    return out;
  }

  static std::string Role(const Operation& o) { return o.op->value("x-steward-role", ""); }

  static inline fs::path* doc_path_ = nullptr;
  static inline std::string* doc_text_ = nullptr;
  static inline Json* doc_ = nullptr;
  static inline ServedApi* api_ = nullptr;
};

TEST_F(OpenApiTest, ServedDocumentIsTheFileByteForByte) {
  auto match = api_->router().Match("GET", kDocumentRoute);
  ASSERT_EQ(match.kind, Router::RouteMatch::Kind::kFound);
  HttpResponse resp = Router::RunAndWait(match, HttpRequest{});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "application/json");
  std::string cache_control;
  for (const auto& [name, value] : resp.headers) {
    if (name == "Cache-Control") cache_control = value;
  }
  EXPECT_EQ(cache_control, "public, max-age=300");
  ASSERT_EQ(resp.body.size(), doc_text_->size())
      << "src/api/openapi_routes.cc embeds a different document than " << doc_path_->string()
      << "; copy the file into the literal (see the comment at the top of openapi_routes.cc)";
  EXPECT_TRUE(resp.body == *doc_text_)
      << "src/api/openapi_routes.cc embeds a different document than " << doc_path_->string();
  EXPECT_EQ((*doc_)["openapi"], "3.0.3");
}

// The Control Center's static files (RegisterWebRoutes): pages, not API operations, so the
// document leaves them out. Taken from the web routes' own registration, so an API route can
// never hide among them.
std::set<MethodPath> WebRoutes() {
  Router router;
  RegisterWebRoutes(router, ApiDeps{});
  auto routes = router.Routes();
  return {routes.begin(), routes.end()};
}

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  std::set<MethodPath> documented = Documented(), web = WebRoutes(), missing;
  for (const auto& route : api_->Routes()) {
    if (!documented.count(route) && !web.count(route)) missing.insert(route);
  }
  EXPECT_TRUE(missing.empty()) << "routes missing from " << kDocumentRelPath << ":"
                               << Join(missing);
}

// The web routes are GETs of "/" and of files beside it, served by RegisterAllRoutes, and none
// of them is or shadows an API path (/v1/…) or an operations endpoint.
TEST_F(OpenApiTest, WebRoutesAreStaticPagesOutsideTheApi) {
  std::set<MethodPath> web = WebRoutes(), routes = api_->Routes(), documented = Documented();
  ASSERT_TRUE(web.count({"GET", "/"})) << "the Control Center is not served at /";
  for (const auto& route : web) {
    const auto& [method, path] = route;
    EXPECT_EQ(method, "GET") << path;
    EXPECT_NE(path.rfind("/v1/", 0), 0u) << path << " is a web route under the API's /v1";
    EXPECT_EQ(path.find('{'), std::string::npos) << path << " is not one exact file";
    EXPECT_FALSE(documented.count(route)) << path << " is both a web file and an operation";
    EXPECT_TRUE(routes.count(route)) << path << " is not served by RegisterAllRoutes";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRouted) {
  std::set<MethodPath> routes = api_->Routes(), unrouted, stale_pending;
  for (const auto& op : Documented()) {
    if (!routes.count(op) && !kPendingRoutes.count(op)) unrouted.insert(op);
  }
  for (const auto& pending : kPendingRoutes) {
    if (routes.count(pending)) stale_pending.insert(pending);
  }
  EXPECT_TRUE(unrouted.empty()) << "documented operations the router lacks:" << Join(unrouted);
  EXPECT_TRUE(stale_pending.empty())
      << "routed now, so remove them from kPendingRoutes in openapi_test.cc:"
      << Join(stale_pending);
  std::set<MethodPath> documented = Documented(), undocumented_pending;
  for (const auto& pending : kPendingRoutes) {
    if (!documented.count(pending)) undocumented_pending.insert(pending);
  }
  EXPECT_TRUE(undocumented_pending.empty())
      << "kPendingRoutes names operations the document lacks:" << Join(undocumented_pending);
}

TEST_F(OpenApiTest, EveryRefResolves) {
  std::vector<std::pair<std::string, std::string>> refs;
  CollectRefs(*doc_, "#", &refs);
  EXPECT_FALSE(refs.empty());
  for (const auto& [where, ref] : refs) {
    EXPECT_NE(Resolve(*doc_, ref), nullptr) << where << ": $ref " << ref << " does not resolve";
  }
}

TEST_F(OpenApiTest, EveryPathParameterIsDeclared) {
  for (const auto& o : Operations()) {
    const std::string name = o.method + " " + o.path;
    std::set<std::string> declared;
    for (const Json* list : {o.path_item, o.op}) {
      if (!list->contains("parameters")) continue;
      for (const auto& p : (*list)["parameters"]) {
        const Json& param = Deref(*doc_, p);
        ASSERT_TRUE(param.contains("name") && param.contains("in")) << name << ": " << p.dump();
        if (param["in"] != "path") continue;
        declared.insert(param["name"].get<std::string>());
        EXPECT_EQ(param.value("required", false), true)
            << name << ": path parameter " << param["name"] << " must be required";
      }
    }
    std::vector<std::string> placeholders = Placeholders(o.path);
    for (const auto& ph : placeholders) {
      EXPECT_TRUE(declared.count(ph)) << name << ": {" << ph << "} is not declared as a path "
                                      << "parameter";
    }
    for (const auto& d : declared) {
      EXPECT_NE(std::find(placeholders.begin(), placeholders.end(), d), placeholders.end())
          << name << ": declares path parameter " << d << " that the path lacks";
    }
  }
}

TEST_F(OpenApiTest, EveryOperationHasAUniqueIdAndARole) {
  std::map<std::string, std::string> ids;
  const std::set<std::string> roles = {kRoleNone,  "viewer", "agent",       "approver",
                                       "operator", "admin",  kPlatformAdmin};
  for (const auto& o : Operations()) {
    const std::string name = o.method + " " + o.path;
    ASSERT_TRUE(o.op->contains("operationId")) << name << " has no operationId";
    std::string id = (*o.op)["operationId"].get<std::string>();
    auto [it, inserted] = ids.emplace(id, name);
    EXPECT_TRUE(inserted) << name << " and " << it->second << " share operationId " << id;
    EXPECT_TRUE(roles.count(Role(o)))
        << name << ": x-steward-role missing or unknown (" << Role(o) << ")";
    ASSERT_TRUE(o.op->contains("security")) << name << " states no security";
    const Json& security = (*o.op)["security"];
    bool anonymous_ok = security.empty();
    for (const auto& alt : security) anonymous_ok |= alt.empty();
    EXPECT_EQ(anonymous_ok, Role(o) == kRoleNone)
        << name << ": security " << security.dump() << " disagrees with role " << Role(o);
  }
}

TEST_F(OpenApiTest, ErrorResponsesUseTheErrorSchema) {
  for (const auto& o : Operations()) {
    const std::string name = o.method + " " + o.path;
    ASSERT_TRUE(o.op->contains("responses")) << name;
    bool has_2xx = false;
    for (auto r = (*o.op)["responses"].begin(); r != (*o.op)["responses"].end(); ++r) {
      has_2xx |= r.key()[0] == '2';
      if (r.key()[0] != '4' && r.key()[0] != '5') continue;
      const Json& resp = Deref(*doc_, *r);
      Json schema = resp.value(Json::json_pointer("/content/application~1json/schema"), Json());
      EXPECT_EQ(schema.value("$ref", ""), "#/components/schemas/Error")
          << name << " " << r.key() << " does not answer the Error schema";
    }
    EXPECT_TRUE(has_2xx) << name << " documents no 2xx response";
    if (Role(o) != kRoleNone) {
      for (const char* code : {"401", "403"}) {
        EXPECT_TRUE((*o.op)["responses"].contains(code)) << name << " lacks " << code;
      }
    }
  }
}

// x-steward-role is the lowest role the handler accepts: no token is 401, the role just below
// is 403 for the role, the documented role gets past authorization. Public operations need no
// token. Every probe has no body and placeholder ids, so nothing is written.
TEST_F(OpenApiTest, DocumentedRolesAreTheRoutersMinimum) {
  std::set<MethodPath> routes = api_->Routes();
  for (const auto& o : Operations()) {
    if (!routes.count({o.method, o.path})) continue;  // pending, checked elsewhere
    const std::string name = o.method + " " + o.path;
    const std::string role = Role(o);
    if (role == kRoleNone) {
      EXPECT_NE(api_->Call(o.method, o.path, "").status, 401) << name << " asks for a token";
      continue;
    }
    EXPECT_EQ(api_->Call(o.method, o.path, "").status, 401) << name << " needs no token";
    std::string below;
    if (role == kPlatformAdmin) {
      below = kRoleChain.back();
    } else {
      auto it = std::find(kRoleChain.begin(), kRoleChain.end(), role);
      ASSERT_NE(it, kRoleChain.end()) << name << ": unknown role " << role;
      if (it != kRoleChain.begin()) below = *(it - 1);
    }
    const std::string refusal = "needs the " + role + " role";
    if (!below.empty()) {
      HttpResponse r = api_->Call(o.method, o.path, below);
      EXPECT_EQ(r.status, 403) << name << " lets " << below << " through: " << r.body;
      EXPECT_NE(r.body.find(refusal), std::string::npos) << name << ": " << r.body;
    }
    HttpResponse r = api_->Call(o.method, o.path, role);
    EXPECT_NE(r.status, 401) << name << ": " << r.body;
    EXPECT_TRUE(r.status != 403 || r.body.find("role") == std::string::npos)
        << name << " refuses its documented role " << role << ": " << r.body;
  }
}

// With metrics configured private, /metrics needs the role the document names for that case.
TEST_F(OpenApiTest, PrivateMetricsNeedTheDocumentedRole) {
  const Json& op = (*doc_)["paths"]["/metrics"]["get"];
  ASSERT_TRUE(op.contains("x-steward-role-when-private"));
  const std::string role = op["x-steward-role-when-private"].get<std::string>();
  auto it = std::find(kRoleChain.begin(), kRoleChain.end(), role);
  ASSERT_NE(it, kRoleChain.end());
  ASSERT_NE(it, kRoleChain.begin());
  ServedApi private_api(/*metrics_public=*/false);
  EXPECT_EQ(private_api.Call("GET", "/metrics", "").status, 401);
  EXPECT_EQ(private_api.Call("GET", "/metrics", *(it - 1)).status, 403);
  EXPECT_EQ(private_api.Call("GET", "/metrics", role).status, 200);
}

}  // namespace
}  // namespace steward::api
