// Tests of the http connector against a real HTTP server in a child process:
// tests/connector_server/connector_server.py (python3, standard library). Every test starts its
// own server on a free loopback port and kills it by PID in TearDown.
#include "exec/connectors/http_connector.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/crypto.h"
#include "common/json.h"

namespace steward::exec {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kScriptRelPath[] = "tests/connector_server/connector_server.py";
constexpr char kSecret[] = "s3cret-signing-key";
constexpr auto kStartDeadline = std::chrono::seconds(15);

// ---- locating and running the server --------------------------------------------------------

std::optional<fs::path> FindUpwards(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  while (true) {
    fs::path candidate = dir / kScriptRelPath;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (dir == dir.parent_path()) return std::nullopt;
    dir = dir.parent_path();
  }
}

// $STEWARD_SOURCE_DIR; else upwards from the working directory (ctest runs the binary inside the
// build tree, which sits inside the source tree); else upwards from this file's compile-time path
// (covers a build tree outside the source tree).
std::optional<fs::path> FindServerScript() {
  if (const char* src = std::getenv("STEWARD_SOURCE_DIR"); src != nullptr && *src != '\0') {
    fs::path candidate = fs::path(src) / kScriptRelPath;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  std::error_code ec;
  if (auto found = FindUpwards(fs::current_path(ec)); found && !ec) return found;
  return FindUpwards(fs::path(__FILE__).parent_path());
}

// The python server as a child process. Stop() (and the destructor) kill it by PID.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess() { Stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server and waits until it listens. Returns "" on success, else the reason.
  std::string Start(const std::string& secret) {
    std::optional<fs::path> script = FindServerScript();
    if (!script) {
      return std::string("cannot find ") + kScriptRelPath +
             " (set STEWARD_SOURCE_DIR to the source tree)";
    }
    std::string tmpl = (fs::temp_directory_path() / "http-connector-test.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return "mkdtemp failed";
    dir_ = tmpl;
    const fs::path port_file = dir_ / "port";

    std::vector<std::string> args = {"python3", script->string()};
    args.insert(args.end(), {"--port", "0", "--port-file", port_file.string()});
    if (!secret.empty()) {
      args.push_back("--secret");
      args.push_back(secret);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec. The server dies with the test, even on a crash.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      execvp("python3", argv.data());
      _exit(127);
    }

    const auto deadline = steady_clock::now() + kStartDeadline;
    while (steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "connector server exited during start-up (status " + std::to_string(status) + ")";
      }
      std::ifstream in(port_file);
      if (in >> port_ && port_ > 0) return "";
      std::this_thread::sleep_for(milliseconds(20));
    }
    Stop();
    return "connector server did not write its port file in time";
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      dir_.clear();
    }
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  fs::path dir_;
};

// ---- a plain client for /control, /stats, /reset --------------------------------------------

struct Reply {
  long status = 0;
  std::string body;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

Reply Fetch(const std::string& url, const std::string* post_body) {
  Reply reply;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  if (post_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  }
  CURLcode rc = curl_easy_perform(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc) << " " << url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_cleanup(curl);
  return reply;
}

// A port on loopback that nothing listens on.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// ---- fixture --------------------------------------------------------------------------------

class HttpConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error = server_.Start(kSecret);
    ASSERT_TRUE(error.empty()) << error;
    connector_ = NewHttpConnector();
  }

  void TearDown() override { server_.Stop(); }

  Invocation MakeInvocation(const std::string& key_seed = "seed-1") const {
    Invocation inv;
    inv.tenant_id = "tenant-a";
    inv.account_id = "acct-42";
    inv.action_intent_id = "intent-7";
    inv.action_type = "CREATE_OPPORTUNITY";
    inv.connector_id = "default";
    inv.tool_name = "crm.create_task";
    inv.arguments_json = R"({"priority":2,"title":"Call Bob"})";
    inv.idempotency_key = Sha256Hex(key_seed);
    inv.timeout_ms = 5000;
    ConnectorConfig config;
    config.tenant_id = inv.tenant_id;
    config.connector_id = "default";
    config.url = server_.Url("/tools");
    config.timeout_ms = 5000;
    config.secret = kSecret;
    inv.config = config;
    return inv;
  }

  InvokeResult Call(const Invocation& inv) { return connector_->Invoke(inv, nullptr); }

  void SetMode(const Json& control) {
    std::string body = control.dump();
    Reply r = Fetch(server_.Url("/control"), &body);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  Json Stats() {
    Reply r = Fetch(server_.Url("/stats"), nullptr);
    EXPECT_EQ(r.status, 200);
    return Json::parse(r.body);
  }

  ServerProcess server_;
  std::unique_ptr<Connector> connector_;
};

// ---- success and exactly-once ---------------------------------------------------------------

TEST_F(HttpConnectorTest, KindAndTransactional) {
  EXPECT_EQ(connector_->kind(), "http");
  EXPECT_FALSE(connector_->transactional());
}

TEST_F(HttpConnectorTest, SuccessReturnsRefsAndSendsSignedRequest) {
  Invocation inv = MakeInvocation();
  const int64_t before = std::time(nullptr);
  InvokeResult r = Call(inv);
  ASSERT_TRUE(r.ok) << r.error_code << ": " << r.error_message;
  EXPECT_EQ(r.error_class, ErrorClass::kNone);
  ASSERT_EQ(r.refs.size(), 1u);
  EXPECT_EQ(r.refs[0].system, "test-crm");
  EXPECT_EQ(r.refs[0].object_type, "task");
  EXPECT_EQ(r.refs[0].object_id, "obj-1");
  EXPECT_EQ(r.refs[0].object_url, "");

  Json stats = Stats();
  EXPECT_EQ(stats["calls"], 1);
  EXPECT_EQ(stats["objects"], 1);
  EXPECT_EQ(stats["calls_per_key"][inv.idempotency_key], 1);
  const Json& headers = stats["last_request"]["headers"];
  EXPECT_EQ(headers["idempotency-key"], inv.idempotency_key);
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_FALSE(headers.contains("expect"));

  const std::string ts = headers["x-steward-timestamp"];
  const int64_t ts_value = std::stoll(ts);
  EXPECT_GE(ts_value, before - 1);
  EXPECT_LE(ts_value, std::time(nullptr) + 1);
  const std::string body = stats["last_request"]["body"];
  EXPECT_EQ(headers["x-steward-signature"], "sha256=" + HmacSha256Hex(kSecret, ts + "." + body));

  Json sent = Json::parse(body);
  EXPECT_EQ(sent.size(), 6u) << body;
  EXPECT_EQ(sent["tool_name"], "crm.create_task");
  EXPECT_EQ(sent["arguments"], Json::parse(inv.arguments_json));
  EXPECT_EQ(sent["idempotency_key"], inv.idempotency_key);
  EXPECT_EQ(sent["tenant_id"], "tenant-a");
  EXPECT_EQ(sent["account_id"], "acct-42");
  EXPECT_EQ(sent["action_intent_id"], "intent-7");
}

TEST_F(HttpConnectorTest, SameKeyTwiceCreatesOneObject) {
  Invocation inv = MakeInvocation("same");
  InvokeResult first = Call(inv);
  InvokeResult second = Call(inv);
  ASSERT_TRUE(first.ok) << first.error_message;
  ASSERT_TRUE(second.ok) << second.error_message;
  ASSERT_EQ(first.refs.size(), 1u);
  ASSERT_EQ(second.refs.size(), 1u);
  EXPECT_EQ(first.refs[0].object_id, second.refs[0].object_id);

  InvokeResult other = Call(MakeInvocation("other"));
  ASSERT_TRUE(other.ok) << other.error_message;
  EXPECT_NE(other.refs[0].object_id, first.refs[0].object_id);

  Json stats = Stats();
  EXPECT_EQ(stats["calls"], 3);
  EXPECT_EQ(stats["calls_per_key"][inv.idempotency_key], 2);
  EXPECT_EQ(stats["objects"], 2);
  EXPECT_EQ(stats["objects_per_key"][inv.idempotency_key], 1);
}

TEST_F(HttpConnectorTest, RetryAfterTransientFailuresCreatesOneObject) {
  SetMode({{"mode", "500"}, {"times", 2}});
  Invocation inv = MakeInvocation("retry");
  EXPECT_EQ(Call(inv).error_class, ErrorClass::kDownstream);
  EXPECT_EQ(Call(inv).error_class, ErrorClass::kDownstream);
  InvokeResult r = Call(inv);
  ASSERT_TRUE(r.ok) << r.error_message;
  Json stats = Stats();
  EXPECT_EQ(stats["calls_per_key"][inv.idempotency_key], 3);
  EXPECT_EQ(stats["objects"], 1);
}

TEST_F(HttpConnectorTest, ConcurrentCallsAreIndependent) {
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 3;
  std::vector<InvokeResult> last(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &last] {
      Invocation inv = MakeInvocation("thread-" + std::to_string(t));
      for (int i = 0; i < kCallsPerThread; ++i) last[t] = Call(inv);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : last) EXPECT_TRUE(r.ok) << r.error_code << ": " << r.error_message;
  Json stats = Stats();
  EXPECT_EQ(stats["calls"], kThreads * kCallsPerThread);
  EXPECT_EQ(stats["objects"], kThreads);
}

// ---- signing --------------------------------------------------------------------------------

TEST_F(HttpConnectorTest, WrongSecretIsAuth) {
  Invocation inv = MakeInvocation();
  inv.config->secret = "not-the-secret";
  InvokeResult r = Call(inv);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, ErrorClass::kAuth);
  EXPECT_EQ(r.error_code, "HTTP_401");
  EXPECT_EQ(r.error_message.find("not-the-secret"), std::string::npos) << r.error_message;
  EXPECT_EQ(Stats()["objects"], 0);
}

TEST_F(HttpConnectorTest, MissingSignatureIsAuth) {
  Invocation inv = MakeInvocation();
  inv.config->secret.clear();
  InvokeResult r = Call(inv);
  EXPECT_EQ(r.error_class, ErrorClass::kAuth);
  EXPECT_EQ(r.error_code, "HTTP_401");
  Json stats = Stats();
  EXPECT_FALSE(stats["last_request"]["headers"].contains("x-steward-signature"));
  EXPECT_EQ(stats["objects"], 0);
}

TEST_F(HttpConnectorTest, UnsignedWhenNoSecretConfigured) {
  ServerProcess open_server;
  std::string error = open_server.Start("");
  ASSERT_TRUE(error.empty()) << error;
  Invocation inv = MakeInvocation();
  inv.config->url = open_server.Url("/tools");
  inv.config->secret.clear();
  InvokeResult r = Call(inv);
  ASSERT_TRUE(r.ok) << r.error_message;
  Json stats = Json::parse(Fetch(open_server.Url("/stats"), nullptr).body);
  const Json& headers = stats["last_request"]["headers"];
  EXPECT_FALSE(headers.contains("x-steward-signature"));
  EXPECT_TRUE(headers.contains("x-steward-timestamp"));
  EXPECT_EQ(headers["idempotency-key"], inv.idempotency_key);
}

// ---- status mapping -------------------------------------------------------------------------

TEST_F(HttpConnectorTest, MapsStatusCodesToErrorClasses) {
  const std::vector<std::pair<int, ErrorClass>> cases = {
      {401, ErrorClass::kAuth},       {403, ErrorClass::kAuth},
      {400, ErrorClass::kValidation}, {404, ErrorClass::kValidation},
      {409, ErrorClass::kValidation}, {422, ErrorClass::kValidation},
      {429, ErrorClass::kRateLimit},  {500, ErrorClass::kDownstream},
      {502, ErrorClass::kDownstream}, {503, ErrorClass::kDownstream},
      {302, ErrorClass::kDownstream},
  };
  for (const auto& [status, cls] : cases) {
    SCOPED_TRACE(status);
    SetMode({{"mode", std::to_string(status)}});
    InvokeResult r = Call(MakeInvocation());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_class, cls);
    EXPECT_EQ(r.error_code, "HTTP_" + std::to_string(status));
    EXPECT_NE(r.error_message.find(std::to_string(status)), std::string::npos) << r.error_message;
    EXPECT_NE(r.error_message.find("mode " + std::to_string(status)), std::string::npos)
        << "the body excerpt: " << r.error_message;
    EXPECT_FALSE(r.retry_after_ms.has_value());
    EXPECT_TRUE(r.refs.empty());
  }
  EXPECT_EQ(Stats()["objects"], 0);
}

TEST_F(HttpConnectorTest, RateLimitWithRetryAfterSeconds) {
  SetMode({{"mode", "429"}, {"retry_after", 7}});
  InvokeResult r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kRateLimit);
  EXPECT_EQ(r.error_code, "HTTP_429");
  ASSERT_TRUE(r.retry_after_ms.has_value());
  EXPECT_EQ(*r.retry_after_ms, 7000);
  EXPECT_EQ(Stats()["objects"], 0);
}

TEST_F(HttpConnectorTest, RateLimitWithRetryAfterHttpDate) {
  SetMode({{"mode", "429"}, {"retry_after", HttpDate(std::time(nullptr) + 60)}});
  InvokeResult r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kRateLimit);
  ASSERT_TRUE(r.retry_after_ms.has_value());
  EXPECT_GE(*r.retry_after_ms, 57000);
  EXPECT_LE(*r.retry_after_ms, 61000);

  // A date in the past means "now", never a negative delay.
  SetMode({{"mode", "429"}, {"retry_after", HttpDate(std::time(nullptr) - 3600)}});
  r = Call(MakeInvocation());
  ASSERT_TRUE(r.retry_after_ms.has_value());
  EXPECT_EQ(*r.retry_after_ms, 0);

  SetMode({{"mode", "429"}, {"retry_after", "soon"}});
  r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kRateLimit);
  EXPECT_FALSE(r.retry_after_ms.has_value());
}

TEST_F(HttpConnectorTest, TimesRevertsToOk) {
  SetMode({{"mode", "429"}, {"retry_after", 1}, {"times", 1}});
  Invocation inv = MakeInvocation();
  EXPECT_EQ(Call(inv).error_class, ErrorClass::kRateLimit);
  InvokeResult r = Call(inv);
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_EQ(Stats()["objects"], 1);
}

// ---- transport failures ---------------------------------------------------------------------

TEST_F(HttpConnectorTest, HangIsTimeoutWithinIntentTimeout) {
  SetMode({{"mode", "hang"}, {"hang_seconds", 30}});
  Invocation inv = MakeInvocation();
  inv.timeout_ms = 300;
  const auto start = steady_clock::now();
  InvokeResult r = Call(inv);
  const auto elapsed = steady_clock::now() - start;
  EXPECT_EQ(r.error_class, ErrorClass::kTimeout);
  EXPECT_EQ(r.error_code, "TIMEOUT");
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_EQ(Stats()["objects"], 0);
}

TEST_F(HttpConnectorTest, ConnectorTimeoutWinsWhenSmaller) {
  SetMode({{"mode", "hang"}, {"hang_seconds", 30}});
  Invocation inv = MakeInvocation();
  inv.timeout_ms = 30000;
  inv.config->timeout_ms = 300;
  const auto start = steady_clock::now();
  InvokeResult r = Call(inv);
  EXPECT_EQ(r.error_class, ErrorClass::kTimeout);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(HttpConnectorTest, ConnectionRefusedIsDownstream) {
  Invocation inv = MakeInvocation();
  inv.config->url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/tools";
  InvokeResult r = Call(inv);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, ErrorClass::kDownstream);
  EXPECT_EQ(r.error_code, "CONNECTION_FAILED");
  EXPECT_EQ(r.error_message.find(kSecret), std::string::npos);
}

// ---- configuration and request validation ---------------------------------------------------

TEST_F(HttpConnectorTest, MissingConfigIsValidation) {
  Invocation inv = MakeInvocation();
  inv.config.reset();
  InvokeResult r = Call(inv);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_class, ErrorClass::kValidation);
  EXPECT_EQ(r.error_code, "CONNECTOR_NOT_CONFIGURED");

  inv = MakeInvocation();
  inv.config->url.clear();
  r = Call(inv);
  EXPECT_EQ(r.error_class, ErrorClass::kValidation);
  EXPECT_EQ(r.error_code, "CONNECTOR_NOT_CONFIGURED");
  EXPECT_EQ(Stats()["calls"], 0);
}

TEST_F(HttpConnectorTest, OnlyHttpAndHttpsUrls) {
  for (const std::string url : {"ftp://127.0.0.1/tools", "file:///etc/passwd", "127.0.0.1:1/tools",
                                "gopher://127.0.0.1/"}) {
    SCOPED_TRACE(url);
    Invocation inv = MakeInvocation();
    inv.config->url = url;
    InvokeResult r = Call(inv);
    EXPECT_EQ(r.error_class, ErrorClass::kValidation);
    EXPECT_EQ(r.error_code, "INVALID_CONNECTOR_URL");
  }
  EXPECT_EQ(Stats()["calls"], 0);
}

TEST_F(HttpConnectorTest, BadArgumentsOrKeyAreValidation) {
  for (const std::string args : {"[1,2]", "{bad", "\"text\""}) {
    SCOPED_TRACE(args);
    Invocation inv = MakeInvocation();
    inv.arguments_json = args;
    InvokeResult r = Call(inv);
    EXPECT_EQ(r.error_class, ErrorClass::kValidation);
    EXPECT_EQ(r.error_code, "INVALID_ARGUMENTS");
  }
  for (const std::string key : {"", "abc\r\nX-Injected: 1", "has space"}) {
    SCOPED_TRACE(key);
    Invocation inv = MakeInvocation();
    inv.idempotency_key = key;
    InvokeResult r = Call(inv);
    EXPECT_EQ(r.error_class, ErrorClass::kValidation);
    EXPECT_EQ(r.error_code, "INVALID_IDEMPOTENCY_KEY");
  }
  EXPECT_EQ(Stats()["calls"], 0);
}

TEST_F(HttpConnectorTest, EmptyArgumentsAreSentAsEmptyObject) {
  Invocation inv = MakeInvocation();
  inv.arguments_json.clear();
  ASSERT_TRUE(Call(inv).ok);
  Json sent = Json::parse(std::string(Stats()["last_request"]["body"]));
  EXPECT_EQ(sent["arguments"], Json::object());
}

// ---- response validation --------------------------------------------------------------------

TEST_F(HttpConnectorTest, MalformedResponsesAreDownstreamBadResponse) {
  const std::vector<std::string> bodies = {
      "not json",
      "",
      "[]",
      "{}",
      R"({"external_object_refs": {}})",
      R"({"external_object_refs": ["x"]})",
      R"({"external_object_refs": [{"system": "", "object_type": "t", "object_id": "1"}]})",
      R"({"external_object_refs": [{"system": "s", "object_id": "1"}]})",
      R"({"external_object_refs": [{"system": "s", "object_type": "t", "object_id": 5}]})",
      R"({"external_object_refs": [{"system": "s", "object_type": "t", "object_id": "1",
          "object_url": 5}]})",
      R"({"external_object_refs": [{"system": "s", "object_type": "t", "object_id": "1"}, 7]})",
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body);
    SetMode({{"mode", "raw"}, {"status", 200}, {"body", body}});
    InvokeResult r = Call(MakeInvocation());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error_class, ErrorClass::kDownstream);
    EXPECT_EQ(r.error_code, "BAD_RESPONSE");
    EXPECT_TRUE(r.refs.empty());
  }
}

TEST_F(HttpConnectorTest, AcceptsObjectUrlAndEmptyRefs) {
  SetMode({{"mode", "raw"},
           {"status", 201},
           {"body", R"({"external_object_refs": [{"system": "s", "object_type": "t",
               "object_id": "1", "object_url": "https://crm.example/1"}], "extra": true})"}});
  InvokeResult r = Call(MakeInvocation());
  ASSERT_TRUE(r.ok) << r.error_message;
  ASSERT_EQ(r.refs.size(), 1u);
  EXPECT_EQ(r.refs[0].object_url, "https://crm.example/1");

  SetMode({{"mode", "raw"}, {"status", 200}, {"body", R"({"external_object_refs": []})"}});
  r = Call(MakeInvocation());
  ASSERT_TRUE(r.ok) << r.error_message;
  EXPECT_TRUE(r.refs.empty());
}

TEST_F(HttpConnectorTest, OversizedBodyIsCutOff) {
  SetMode({{"mode", "huge"}, {"status", 200}, {"bytes", 2 * 1024 * 1024}});
  InvokeResult r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kDownstream);
  EXPECT_EQ(r.error_code, "BAD_RESPONSE");
  EXPECT_LT(r.error_message.size(), 400u);

  // An error status keeps its class; only the body is cut.
  SetMode({{"mode", "huge"}, {"status", 401}, {"bytes", 2 * 1024 * 1024}});
  r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kAuth);
  EXPECT_EQ(r.error_code, "HTTP_401");
  EXPECT_LT(r.error_message.size(), 400u);
}

TEST_F(HttpConnectorTest, ErrorMessageIsShortPrintableAndNeverHasTheSecret) {
  SetMode({{"mode", "raw"}, {"status", 500}, {"body", std::string(5000, 'y')}});
  InvokeResult r = Call(MakeInvocation());
  EXPECT_EQ(r.error_code, "HTTP_500");
  EXPECT_LT(r.error_message.size(), 300u);
  EXPECT_NE(r.error_message.find("yyyy"), std::string::npos);

  SetMode({{"mode", "raw"}, {"status", 400}, {"body", std::string("echo ") + kSecret + "\n\x01"}});
  r = Call(MakeInvocation());
  EXPECT_EQ(r.error_class, ErrorClass::kValidation);
  EXPECT_EQ(r.error_message.find(kSecret), std::string::npos) << r.error_message;
  for (char c : r.error_message) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "byte " << static_cast<int>(c);
  }
}

// ---- error classes --------------------------------------------------------------------------

TEST(ErrorClassTest, NamesParseAndPolicies) {
  // class, name, retryable, trips breaker
  const std::vector<std::tuple<ErrorClass, std::string, bool, bool>> table = {
      {ErrorClass::kNone, "", false, false},
      {ErrorClass::kAuth, "AUTH", false, false},
      {ErrorClass::kRateLimit, "RATE_LIMIT", true, true},
      {ErrorClass::kValidation, "VALIDATION", false, false},
      {ErrorClass::kDownstream, "DOWNSTREAM", true, true},
      {ErrorClass::kTimeout, "TIMEOUT", true, true},
      {ErrorClass::kUnknown, "UNKNOWN", true, true},
  };
  for (const auto& [cls, name, retryable, trips] : table) {
    SCOPED_TRACE(name);
    EXPECT_EQ(ErrorClassName(cls), name);
    EXPECT_EQ(ParseErrorClass(name), cls);
    EXPECT_EQ(IsRetryable(cls), retryable);
    EXPECT_EQ(TripsBreaker(cls), trips);
  }
  EXPECT_FALSE(ParseErrorClass("auth").has_value());
  EXPECT_FALSE(ParseErrorClass("NONE").has_value());
  EXPECT_FALSE(ParseErrorClass("HTTP_500").has_value());
}

}  // namespace
}  // namespace steward::exec
