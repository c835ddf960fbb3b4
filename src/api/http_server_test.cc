// Black-box tests of HttpServer over real sockets: libcurl for ordinary requests, raw sockets
// where the test needs control of the bytes (limits, pipelining, many connections).
#include "api/http_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <future>
#include <thread>
#include <utility>

#include "api/errors.h"
#include "common/json.h"

namespace steward::api {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// ---- libcurl client -------------------------------------------------------------------------

struct Reply {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercased names
  std::string body;
  Json json() const { return Json::parse(body); }
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

Reply Fetch(int port, const std::string& method, const std::string& target,
            const std::vector<std::string>& headers = {}, const std::string* body = nullptr) {
  Reply reply;
  CURL* curl = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  CURLcode rc = curl_easy_perform(curl);
  EXPECT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc) << " " << method << " " << target;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

Reply Post(int port, const std::string& target, const std::string& body,
           const std::string& content_type = "application/json") {
  return Fetch(port, "POST", target, {"Content-Type: " + content_type}, &body);
}

// ---- raw sockets ----------------------------------------------------------------------------

class RawConn {
 public:
  explicit RawConn(int port, int timeout_ms = 20000) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool connected() const { return connected_; }

  // False when the peer closed or reset before everything was sent.
  bool Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response with a Content-Length body; false on timeout, EOF or reset.
  bool Read(Reply* reply) {
    *reply = Reply();
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t pos = head.find("\r\n");
    std::string status_line = head.substr(0, pos);
    if (status_line.size() < 12) return false;
    reply->status = std::stol(status_line.substr(9, 3));
    while (pos != std::string::npos) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? next : next - pos - 2);
      OnHeader(line.data(), 1, line.size(), &reply->headers);
      pos = next;
    }
    size_t length =
        std::stoul(reply->headers.count("content-length") ? reply->headers["content-length"]
                                                          : std::string("0"));
    while (buf_.size() < length) {
      if (!Fill()) return false;
    }
    reply->body = buf_.substr(0, length);
    buf_.erase(0, length);
    return true;
  }

  // Everything the server sends until it closes the connection (or the receive timeout).
  std::string ReadUntilClosed() {
    while (Fill()) {
    }
    return std::exchange(buf_, std::string());
  }

  // True when the server closed the connection (EOF or reset) within the receive timeout.
  bool ClosedByPeer() {
    char c;
    ssize_t n = recv(fd_, &c, 1, 0);
    if (n == 0) return true;
    return n < 0 && (errno == ECONNRESET || errno == EPIPE);
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

// ---- fixture --------------------------------------------------------------------------------

// A gate that blocks handlers until opened.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    waiting_++;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool AwaitWaiting(int n, milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

Status StatusFor(const std::string& code) {
  if (code == "INVALID_ARGUMENT") return Status::InvalidArgument("bad input", "account_id");
  if (code == "UNAUTHENTICATED") return Status::Unauthenticated("no token");
  if (code == "PERMISSION_DENIED") return Status::PermissionDenied("no role");
  if (code == "NOT_FOUND") return Status::NotFound("no intent");
  if (code == "CONFLICT") return Status::Conflict("duplicate");
  if (code == "GONE") return Status::Gone("expired");
  if (code == "RESOURCE_EXHAUSTED") return Status::ResourceExhausted("slow down", 5);
  if (code == "UNAVAILABLE") return Status::Unavailable("store down");
  return Status::Internal("boom");
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/v1/intents/{id}", [](const HttpRequest& req, const PathParams& p) {
      Json j = {{"route", req.route}, {"id", p.Get("id")}, {"request_id", req.request_id}};
      for (const auto& [k, v] : req.query) j["query"][k] = v;
      return JsonResponse(200, j.dump());
    });
    router_.Add("GET", "/v1/intents/inbox", [](const HttpRequest&, const PathParams&) {
      return JsonResponse(200, R"({"route":"inbox"})");
    });
    router_.Add("PUT", "/v1/intents/{id}",
                [](const HttpRequest&, const PathParams&) { return JsonResponse(200, "{}"); });
    router_.Add("POST", "/v1/intents/{id}/approve",
                [](const HttpRequest& req, const PathParams& p) {
                  Json j = {{"id", p.Get("id")}, {"body_size", req.body.size()}};
                  return JsonResponse(201, j.dump());
                });
    router_.Add(
        "POST", "/v1/raw",
        [](const HttpRequest& req, const PathParams&) {
          return JsonResponse(200, Json{{"body", req.body}}.dump());
        },
        RouteOptions{.accept_any_content_type = true});
    router_.Add("GET", "/err/{code}", [](const HttpRequest&, const PathParams& p) {
      return ErrorResponse(StatusFor(p.Get("code")));
    });
    router_.Add("GET", "/throw", [](const HttpRequest&, const PathParams&) -> HttpResponse {
      throw std::runtime_error("handler bug");
    });
    router_.Add("GET", "/slow", [this](const HttpRequest&, const PathParams&) {
      gate_.Wait();
      return JsonResponse(200, R"({"slow":true})");
    });
    router_.Add("GET", "/sleep", [](const HttpRequest&, const PathParams&) {
      std::this_thread::sleep_for(milliseconds(300));
      return JsonResponse(200, R"({"slept":true})");
    });
    router_.Add("GET", "/file", [this](const HttpRequest&, const PathParams&) {
      HttpResponse r;
      r.content_type = "application/octet-stream";
      r.file_path = file_path_;
      return r;
    });
    router_.Add("GET", "/nofile", [](const HttpRequest&, const PathParams&) {
      HttpResponse r;
      r.file_path = "/nonexistent/steward-file";
      return r;
    });
    options_.access_log = false;
    options_.on_complete = [this](const HttpRequest& req, const HttpResponse& resp, double ms) {
      std::lock_guard<std::mutex> lock(mu_);
      completed_.push_back(req.method + " " + req.route + " " + std::to_string(resp.status));
      EXPECT_GE(ms, 0);
    };
  }

  void StartServer() {
    server_ = std::make_unique<HttpServer>(&router_, options_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    gate_.Open();
    if (server_) server_->Stop();
  }

  Router router_;
  HttpServer::Options options_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  Gate gate_;
  std::string file_path_;
  std::mutex mu_;
  std::vector<std::string> completed_;  // GUARDED_BY(mu_)
};

TEST_F(HttpServerTest, RoutesWithPathParamsQueryAndPercentDecoding) {
  StartServer();
  Reply r = Fetch(port_, "GET", "/v1/intents/a%20b%2Fc?x=1&y=two+words%21");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
  Json j = r.json();
  EXPECT_EQ(j["route"], "/v1/intents/{id}");
  EXPECT_EQ(j["id"], "a b/c");
  EXPECT_EQ(j["query"]["x"], "1");
  EXPECT_EQ(j["query"]["y"], "two words!");
  EXPECT_EQ(Fetch(port_, "GET", "/v1/intents/inbox").json()["route"], "inbox");
  EXPECT_EQ(Post(port_, "/v1/intents/ai_1/approve", R"({"account_id":"a"})").status, 201);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(completed_.front(), "GET /v1/intents/{id} 200");
}

TEST_F(HttpServerTest, NotFoundVersusMethodNotAllowed) {
  StartServer();
  Reply r = Fetch(port_, "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["error"]["code"], "NOT_FOUND");
  r = Fetch(port_, "DELETE", "/v1/intents/ai_1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "GET, PUT");
  EXPECT_EQ(r.json()["error"]["code"], "METHOD_NOT_ALLOWED");
  EXPECT_EQ(Fetch(port_, "GET", "/v1/intents/ai_1/").status, 404);  // trailing slash
  EXPECT_EQ(Fetch(port_, "GET", "/v1/intents/ai_1/approve").status, 405);
}

TEST_F(HttpServerTest, UnsupportedMediaType) {
  StartServer();
  Reply r = Post(port_, "/v1/intents/x/approve", "hello", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(r.json()["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
  EXPECT_EQ(Post(port_, "/v1/intents/x/approve", "{}", "application/json; charset=utf-8").status,
            201);
  EXPECT_EQ(Post(port_, "/v1/intents/x/approve", "{}", "Application/JSON").status, 201);
  std::string empty;
  EXPECT_EQ(Fetch(port_, "POST", "/v1/intents/x/approve", {}, &empty).status, 201);
  r = Post(port_, "/v1/raw", "plain text", "text/plain");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["body"], "plain text");
}

TEST_F(HttpServerTest, PayloadTooLargeByContentLength) {
  StartServer();
  // With libcurl (which announces the length and may wait for 100-continue).
  std::string big(2 << 20, 'x');
  Reply r = Post(port_, "/v1/intents/x/approve", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["error"]["code"], "PAYLOAD_TOO_LARGE");
  // Raw: the header announces 2 MiB and the body follows at once.
  RawConn c(port_);
  ASSERT_TRUE(c.connected());
  c.Send(
      "POST /v1/intents/x/approve HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(big.size()) + "\r\n\r\n");
  c.Send(big);  // may fail part-way once the server closes; the answer is already there
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["connection"], "close");
  // Exactly at the limit is fine.
  std::string ok_body = "\"" + std::string((1 << 20) - 2, 'y') + "\"";
  r = Post(port_, "/v1/intents/x/approve", ok_body);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.json()["body_size"], 1 << 20);
}

TEST_F(HttpServerTest, PayloadTooLargeChunked) {
  StartServer();
  RawConn small(port_);
  std::string chunk(1000, 'a');
  small.Send(
      "POST /v1/raw HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n3e8\r\n" +
      chunk + "\r\n0\r\n\r\n");
  Reply r;
  ASSERT_TRUE(small.Read(&r));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["body"].get<std::string>().size(), 1000u);

  RawConn c(port_);
  c.Send(
      "POST /v1/raw HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: text/plain\r\n\r\n");
  std::string big_chunk(64 << 10, 'b');
  for (int i = 0; i < 40; ++i) {  // 2.5 MiB in 64 KiB chunks
    if (!c.Send("10000\r\n" + big_chunk + "\r\n")) break;
  }
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["error"]["code"], "PAYLOAD_TOO_LARGE");
}

TEST_F(HttpServerTest, ErrorShapeForEveryStatusCode) {
  StartServer();
  const std::map<std::string, long> expected = {
      {"INVALID_ARGUMENT", 400},   {"UNAUTHENTICATED", 401}, {"PERMISSION_DENIED", 403},
      {"NOT_FOUND", 404},          {"CONFLICT", 409},        {"GONE", 410},
      {"RESOURCE_EXHAUSTED", 429}, {"UNAVAILABLE", 503},     {"INTERNAL", 500}};
  for (const auto& [code, http] : expected) {
    Reply r = Fetch(port_, "GET", "/err/" + code);
    EXPECT_EQ(r.status, http) << code;
    Json j = r.json();
    ASSERT_TRUE(j.contains("error")) << r.body;
    EXPECT_EQ(j.size(), 1u);
    EXPECT_EQ(j["error"]["code"], code);
    EXPECT_EQ(j["error"]["message"], StatusFor(code).message());
    EXPECT_EQ(j["error"].contains("field"), code == "INVALID_ARGUMENT") << code;
    if (code == "UNAUTHENTICATED") {
      EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    }
    if (code == "RESOURCE_EXHAUSTED") {
      EXPECT_EQ(r.headers["retry-after"], "5");
    }
  }
  EXPECT_EQ(Fetch(port_, "GET", "/err/INVALID_ARGUMENT").json()["error"]["field"], "account_id");
}

TEST_F(HttpServerTest, RequestIdIsEchoedOrGenerated) {
  StartServer();
  Reply r = Fetch(port_, "GET", "/v1/intents/1", {"X-Request-Id: client-id_1.2"});
  EXPECT_EQ(r.headers["x-request-id"], "client-id_1.2");
  EXPECT_EQ(r.json()["request_id"], "client-id_1.2");
  r = Fetch(port_, "GET", "/v1/intents/1", {"X-Request-Id: not sane!"});
  std::string generated = r.headers["x-request-id"];
  EXPECT_NE(generated, "not sane!");
  EXPECT_TRUE(IsSaneRequestId(generated)) << generated;
  EXPECT_EQ(r.json()["request_id"], generated);
  Reply r2 = Fetch(port_, "GET", "/v1/intents/1");
  EXPECT_TRUE(IsSaneRequestId(r2.headers["x-request-id"]));
  EXPECT_NE(r2.headers["x-request-id"], generated);
  EXPECT_TRUE(IsSaneRequestId(Fetch(port_, "GET", "/nope").headers["x-request-id"]));
}

TEST_F(HttpServerTest, HandlerExceptionIs500Json) {
  StartServer();
  Reply r = Fetch(port_, "GET", "/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["error"]["code"], "INTERNAL");
  EXPECT_EQ(r.json()["error"]["message"], "internal error");    // no internals leak
  EXPECT_EQ(Fetch(port_, "GET", "/v1/intents/1").status, 200);  // server still fine
}

TEST_F(HttpServerTest, StreamsFileBodies) {
  file_path_ = (std::filesystem::temp_directory_path() /
                ("steward_http_test_" + std::to_string(getpid()) + ".bin"))
                   .string();
  std::string content;
  for (int i = 0; i < 300000; ++i) content += std::to_string(i % 10) + "abcdefghi"[i % 9];
  {
    std::ofstream f(file_path_, std::ios::binary);
    f << content;
  }
  StartServer();
  Reply r = Fetch(port_, "GET", "/file");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(r.headers["content-length"], std::to_string(content.size()));
  EXPECT_TRUE(r.body == content);
  r = Fetch(port_, "GET", "/nofile");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["error"]["code"], "INTERNAL");
  std::filesystem::remove(file_path_);
}

TEST_F(HttpServerTest, KeepAliveAndPipelining) {
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send(Get("/v1/intents/1") + Get("/v1/intents/2") + Get("/nope")));
  Reply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.json()["id"], "1");
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.json()["id"], "2");
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 404);
  ASSERT_TRUE(c.Send(Get("/v1/intents/3", "Connection: close\r\n")));
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.json()["id"], "3");
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.ClosedByPeer());
}

// Found by fuzz/http_wire_fuzz.cc (fuzz/regressions/http_wire_fuzz/head_then_get): the 405 to
// HEAD carried its body, which a client reads as the start of the next response.
TEST_F(HttpServerTest, ResponseToHeadIsItsHeaderOnly) {
  file_path_ = (std::filesystem::temp_directory_path() /
                ("steward_http_head_" + std::to_string(getpid()) + ".bin"))
                   .string();
  {
    std::ofstream f(file_path_, std::ios::binary);
    f << std::string(5000, 'f');
  }
  router_.Add("HEAD", "/file", [this](const HttpRequest&, const PathParams&) {
    HttpResponse r;
    r.content_type = "application/octet-stream";
    r.file_path = file_path_;
    return r;
  });
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send("HEAD /v1/intents/inbox HTTP/1.1\r\nHost: t\r\n\r\n" +
                     std::string("HEAD /file HTTP/1.1\r\nHost: t\r\n\r\n") +
                     Get("/v1/intents/inbox", "Connection: close\r\n")));
  std::string all = c.ReadUntilClosed();
  std::filesystem::remove(file_path_);
  // Each head, with the Content-Length of the body it leaves out, is followed by the next one.
  size_t end = all.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << all;
  EXPECT_EQ(all.rfind("HTTP/1.1 405 ", 0), 0u) << all;
  EXPECT_NE(all.substr(0, end).find("Content-Length: "), std::string::npos) << all;
  all.erase(0, end + 4);
  end = all.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << all;
  EXPECT_EQ(all.rfind("HTTP/1.1 200 ", 0), 0u) << all;
  EXPECT_NE(all.substr(0, end + 2).find("Content-Length: 5000\r\n"), std::string::npos) << all;
  all.erase(0, end + 4);
  EXPECT_EQ(all.rfind("HTTP/1.1 200 ", 0), 0u) << all;
  EXPECT_NE(all.find("\r\n\r\n{\"route\":\"inbox\"}"), std::string::npos) << all;
}

TEST_F(HttpServerTest, MalformedRequestIs400AndCloses) {
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  Reply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_TRUE(c.ClosedByPeer());

  RawConn bad_length(port_);
  ASSERT_TRUE(bad_length.Send("POST /v1/raw HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"));
  ASSERT_TRUE(bad_length.Read(&r));
  EXPECT_EQ(r.status, 400);
}

TEST_F(HttpServerTest, OversizedHeadersAre431AndClose) {
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send("GET /v1/intents/1 HTTP/1.1\r\nHost: t\r\nX-Big: " +
                     std::string(20 << 10, 'h') + "\r\n\r\n"));
  Reply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(HttpServerTest, SlowHeaderIsCutOff) {
  options_.header_timeout = milliseconds(300);
  StartServer();
  RawConn c(port_, 5000);
  ASSERT_TRUE(c.Send("GET /v1/intents/1 HTTP/1.1\r\nHo"));
  auto start = steady_clock::now();
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_LT(steady_clock::now() - start, milliseconds(4000));
  // A fresh idle connection is cut off by the same timeout.
  RawConn idle(port_, 5000);
  EXPECT_TRUE(idle.ClosedByPeer());
}

// The whole header has header_timeout, however steadily its bytes trickle in: a client that
// sends one byte every 100 ms is cut off at ~300 ms, not kept alive by its progress.
TEST_F(HttpServerTest, TrickledHeaderIsCutOffByTheWholeHeaderDeadline) {
  options_.header_timeout = milliseconds(300);
  StartServer();
  RawConn c(port_, 100);
  const std::string request = "GET /v1/intents/1 HTTP/1.1\r\nHost: t\r\nX-Slow: " +
                              std::string(100, 'a');
  auto start = steady_clock::now();
  bool cut = false;
  for (char ch : request) {
    if (!c.Send(std::string(1, ch)) || c.ClosedByPeer()) {  // ClosedByPeer waits 100 ms
      cut = true;
      break;
    }
  }
  EXPECT_TRUE(cut);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

TEST_F(HttpServerTest, TrickledBodyIsCutOffByBodyTimeout) {
  options_.body_timeout = milliseconds(300);
  StartServer();
  RawConn c(port_, 100);
  ASSERT_TRUE(c.Send("POST /v1/intents/1/approve HTTP/1.1\r\nHost: t\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"));
  auto start = steady_clock::now();
  bool cut = false;
  for (int i = 0; i < 100 && !cut; ++i) cut = !c.Send("x") || c.ClosedByPeer();
  EXPECT_TRUE(cut);
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
}

// Over max_connections a connection is answered 503 with Retry-After and closed; once one of
// the others closes, a new connection is served again.
TEST_F(HttpServerTest, ConnectionsOverTheLimitAre503) {
  options_.max_connections = 3;
  StartServer();
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawConn>(port_, 5000));
    ASSERT_TRUE(held.back()->Send(Get("/v1/intents/h")));
    Reply r;
    ASSERT_TRUE(held.back()->Read(&r));  // registered and served: the slot is taken
  }
  RawConn over(port_, 5000);
  Reply r;
  ASSERT_TRUE(over.Read(&r));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers["retry-after"], "1");
  EXPECT_EQ(r.json()["error"]["code"], "UNAVAILABLE");
  EXPECT_TRUE(over.ClosedByPeer());
  held.pop_back();
  // The freed slot is noticed once the server has seen the close.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    RawConn again(port_, 5000);
    Reply ok;
    served = again.Send(Get("/v1/intents/again")) && again.Read(&ok) && ok.status == 200;
    if (!served) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  options_.idle_timeout = milliseconds(300);
  StartServer();
  RawConn c(port_, 5000);
  ASSERT_TRUE(c.Send(Get("/v1/intents/1")));
  Reply r;
  ASSERT_TRUE(c.Read(&r));
  auto start = steady_clock::now();
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_LT(steady_clock::now() - start, milliseconds(4000));
}

// 300 keep-alive connections make requests while one handler is blocked: all are answered.
TEST_F(HttpServerTest, ManyKeepAliveConnectionsWhileAHandlerBlocks) {
  options_.io_threads = 1;
  options_.handler_threads = 8;
  StartServer();
  RawConn slow(port_);
  ASSERT_TRUE(slow.Send(Get("/slow")));
  ASSERT_TRUE(gate_.AwaitWaiting(1, milliseconds(5000)));

  constexpr int kConns = 300;
  constexpr int kRounds = 3;
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < kConns; ++i) {
    conns.push_back(std::make_unique<RawConn>(port_, 20000));
    ASSERT_TRUE(conns.back()->connected()) << i;
  }
  int answered = 0;
  auto start = steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kConns; ++i) {
      ASSERT_TRUE(conns[i]->Send(Get("/v1/intents/c" + std::to_string(i))));
    }
    for (int i = 0; i < kConns; ++i) {
      Reply r;
      ASSERT_TRUE(conns[i]->Read(&r)) << "connection " << i << " round " << round;
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.json()["id"], "c" + std::to_string(i));
      answered++;
    }
  }
  EXPECT_EQ(answered, kConns * kRounds);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(15));  // generous
  gate_.Open();
  Reply r;
  ASSERT_TRUE(slow.Read(&r));
  EXPECT_EQ(r.json()["slow"], true);
}

TEST_F(HttpServerTest, StopWithIdleConnectionsIsPrompt) {
  StartServer();  // idle_timeout stays at its 75 s default
  std::vector<std::unique_ptr<RawConn>> conns;
  for (int i = 0; i < 50; ++i) {
    conns.push_back(std::make_unique<RawConn>(port_));
    if (i % 2 == 0) {  // half have served a request, half never sent anything
      Reply r;
      ASSERT_TRUE(conns.back()->Send(Get("/v1/intents/1")));
      ASSERT_TRUE(conns.back()->Read(&r));
    }
  }
  auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  for (auto& c : conns) EXPECT_TRUE(c->ClosedByPeer());
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, StopLetsInFlightRequestsFinish) {
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send(Get("/sleep")));
  std::this_thread::sleep_for(milliseconds(100));  // the handler is running
  auto start = steady_clock::now();
  server_->Stop();
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000));
  Reply r;
  ASSERT_TRUE(c.Read(&r));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["slept"], true);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.ClosedByPeer());
  // No longer accepting.
  RawConn late(port_, 2000);
  EXPECT_FALSE(late.connected() && late.Send(Get("/v1/intents/1")) && late.Read(&r));
}

// An asynchronous route: the handler returns at once and answers later from another thread
// (as the store's syncer does); the answer goes out on the connection, keep-alive intact. One
// that throws before answering is a 500; a second answer is ignored.
TEST_F(HttpServerTest, AsyncHandlersAnswerFromAnotherThread) {
  std::vector<std::thread> answerers;
  std::mutex answerers_mu;
  router_.AddAsync("POST", "/async/{id}",
                   [&](const HttpRequest& req, const PathParams& p, Responder respond) {
                     std::string id = p.Get("id");
                     size_t size = req.body.size();
                     std::lock_guard<std::mutex> lock(answerers_mu);
                     answerers.emplace_back([id, size, respond] {
                       std::this_thread::sleep_for(milliseconds(20));
                       respond([id, size] {
                         return JsonResponse(201, Json{{"id", id}, {"size", size}}.dump());
                       });
                       respond([] { return JsonResponse(200, R"({"second":true})"); });
                     });
                   });
  router_.AddAsync("GET", "/async-throw",
                   [](const HttpRequest&, const PathParams&, Responder) {
                     throw std::runtime_error("async handler bug");
                   });
  StartServer();
  RawConn c(port_);
  for (int i = 0; i < 3; ++i) {
    std::string id = "a" + std::to_string(i);
    ASSERT_TRUE(c.Send("POST /async/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nContent-Length: 2\r\n\r\n{}"));
    Reply r;
    ASSERT_TRUE(c.Read(&r));
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.json()["id"], id);
    EXPECT_EQ(r.json()["size"], 2);
  }
  Reply r = Fetch(port_, "GET", "/async-throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["error"]["code"], "INTERNAL");
  EXPECT_EQ(Fetch(port_, "GET", "/v1/intents/1").status, 200);
  std::lock_guard<std::mutex> lock(answerers_mu);
  for (auto& t : answerers) t.join();
}

// Stop waits for an asynchronous handler that has not answered yet, as it waits for a running
// handler thread; the late answer is dropped, never written to a closed server.
TEST_F(HttpServerTest, StopWaitsForPendingAsyncAnswers) {
  std::promise<Responder> pending;
  auto pending_future = pending.get_future();
  router_.AddAsync("GET", "/async-late", [&](const HttpRequest&, const PathParams&,
                                             Responder respond) {
    pending.set_value(std::move(respond));
  });
  StartServer();
  RawConn c(port_);
  ASSERT_TRUE(c.Send(Get("/async-late")));
  ASSERT_EQ(pending_future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  Responder respond = pending_future.get();
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server_->Stop();
    stopped = true;
  });
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(stopped.load()) << "Stop returned while an async handler had not answered";
  respond([] { return JsonResponse(200, R"({"late":true})"); });
  respond = nullptr;  // the last reference to the call: the server may now finish stopping
  stopper.join();
  EXPECT_TRUE(stopped.load());
}

TEST_F(HttpServerTest, StartFailsWhenPortIsBusy) {
  StartServer();
  HttpServer::Options o;
  o.port = port_;
  o.access_log = false;
  HttpServer second(&router_, o);
  Status st = second.Start();
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  second.Stop();
  HttpServer::Options bad;
  bad.host = "no-such-host.invalid";
  HttpServer third(&router_, bad);
  EXPECT_EQ(third.Start().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace steward::api
