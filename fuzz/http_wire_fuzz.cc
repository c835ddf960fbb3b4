// Fuzz target: the HTTP/1.1 wire path — the raw bytes a client sends to the real api::HttpServer
// (Boost.Beast's parser, the transport's limits, keep-alive, pipelining, chunked bodies,
// Expect: 100-continue, its 400/404/405/413/415/431 answers and the response writer), then
// routing and every handler, on the served API of fuzz_server.h (the real Router with the real
// routes over a real SQLite store in a temporary directory). The server is started once per
// process on 127.0.0.1, an ephemeral port, with small limits and 1-2 s timeouts (a backstop:
// the client's half-close already ends a truncated request), so no input stalls the fuzzer.
//
// Input: the bytes of one TCP connection, written verbatim (any number of pipelined requests,
// or none); then the client half-closes (SHUT_WR) and reads until the server closes the
// connection or kReadTimeout passes without a byte. Seeds authenticate with HS256 tokens of
// tenant "fuzz-t" signed with kSecret (make_corpus.py mints them with `steward token`).
// After each input the EXECUTE_INTENT jobs it made due run inline, as in http_request_fuzz.
// Properties:
//   - every response starts with "HTTP/1.1 " (or "HTTP/1.0 " when the input holds an HTTP/1.0
//     request: the server answers 1.0 in kind) and a status in 100-599 that is never 500; a 1xx
//     is only "100 Continue"; every other response carries Content-Type, X-Request-Id and a
//     Content-Length whose body is there in full when the server closes;
//   - a JSON content type means a body that parses; an error status carries
//     {"error": {"code": string, "message": string}};
//   - nothing follows a response that closes the connection; the response to a HEAD that is the
//     input's first request carries no body on a connection kept open;
//   - the server keeps serving: after every input, GET /healthz on a new connection answers 200
//     within kHealthTimeout (so the input that broke the server is the one reported; checking
//     every 16th input instead measured ~15% more exec/s); and it does not crash (implicit).
// Not covered: what the process does on its own between requests (job workers, timers, the event
// feed, exports, webhooks), concurrent connections, slow clients and the transport's timeouts
// (the bytes arrive at once and the half-close ends a truncated request), the 503 over
// max_connections, the http connector (not registered).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "fuzz/fuzz_server.h"
#include "fuzz/fuzz_util.h"

namespace steward::fuzz {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// Small limits, so that short inputs reach the 413 and 431 answers.
constexpr uint64_t kMaxBodyBytes = 8 << 10;
constexpr uint32_t kMaxHeaderBytes = 4 << 10;
constexpr int kHandlerThreads = 2;
constexpr milliseconds kHeaderTimeout{1000};
constexpr milliseconds kBodyTimeout{1000};
constexpr milliseconds kIdleTimeout{1000};
constexpr milliseconds kWriteTimeout{2000};
constexpr milliseconds kDrainTimeout{1000};
// Every timeout above closes a connection within ~2 s, so a read that waits this long without a
// byte means the server stopped answering the connection.
constexpr milliseconds kReadTimeout{3000};
constexpr milliseconds kHealthTimeout{10000};
constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kDetailBytes = 200;
constexpr char kHealthRequest[] =
    "GET /healthz HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";

// How the server ended a connection.
enum class End { kClosed, kReset, kTimeout };

// `s` cut to kDetailBytes, with bytes outside printable ASCII escaped, for reports.
std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s.substr(0, kDetailBytes)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (s.size() > kDetailBytes) out += "...";
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The real server over FuzzServer's routes; started once, never stopped while the fuzzer runs.
class WireServer {
 public:
  WireServer() {
    api::HttpServer::Options opts;
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.io_threads = 1;
    opts.handler_threads = kHandlerThreads;
    opts.max_body_bytes = kMaxBodyBytes;
    opts.max_header_bytes = kMaxHeaderBytes;
    opts.header_timeout = kHeaderTimeout;
    opts.body_timeout = kBodyTimeout;
    opts.idle_timeout = kIdleTimeout;
    opts.write_timeout = kWriteTimeout;
    opts.drain_timeout = kDrainTimeout;
    opts.access_log = false;
    server_ = std::make_unique<api::HttpServer>(&FuzzServer::Instance()->router(), opts);
    Status st = server_->Start();
    if (!st.ok()) Fail("set-up: HttpServer::Start", st.ToString());
  }

  int port() const { return server_->port(); }

 private:
  std::unique_ptr<api::HttpServer> server_;
};

WireServer* TheWireServer() {
  static WireServer* server = new WireServer();
  return server;
}

// A non-blocking socket connected to 127.0.0.1:`port`; Fails when the connection cannot be made
// within `timeout`. (A blocking connect() would fail with EINTR when libFuzzer's timer fires.)
int Connect(int port, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) Fail("socket() failed", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
  if (errno != EINPROGRESS && errno != EINTR) {
    Fail("the server refused a connection", std::strerror(errno));
  }
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) Fail("the server refused a connection", "connect timed out");
    pollfd p{fd, POLLOUT, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc < 0 && errno != EINTR) Fail("poll() failed", std::strerror(errno));
    if (rc > 0) break;
  }
  int error = 0;
  socklen_t len = sizeof(error);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    Fail("the server refused a connection", std::strerror(error));
  }
  return fd;
}

// Sends `input` on a new connection to `port`, half-closes and appends what comes back to
// `reply` until the server closes, resets or stays silent for `timeout`. Sending and reading
// interleave, so a server that answers before it has read everything never deadlocks with us.
End Exchange(int port, std::string_view input, milliseconds timeout, std::string* reply) {
  const int fd = Connect(port, timeout);
  size_t sent = 0;
  bool shut = false;
  End end = End::kTimeout;
  auto deadline = SteadyClock::now() + timeout;
  char chunk[kReadChunk];
  while (true) {
    if (!shut && sent == input.size()) {
      ::shutdown(fd, SHUT_WR);
      shut = true;
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, static_cast<short>(POLLIN | (shut ? 0 : POLLOUT)), 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    if (!shut && (p.revents & POLLOUT)) {
      ssize_t n = ::send(fd, input.data() + sent, input.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        shut = true;  // the server stopped reading (closed); what it sent is still readable
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n > 0) {
        reply->append(chunk, static_cast<size_t>(n));
        deadline = SteadyClock::now() + timeout;
      } else if (n == 0) {
        end = End::kClosed;
        break;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        end = End::kReset;
        break;
      }
    }
  }
  // Close with a reset: no TIME_WAIT left behind (thousands of connections a minute).
  linger abort{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  ::close(fd);
  return end;
}

constexpr int kContinue = 100;
constexpr int kFirstFinal = 200;
constexpr std::string_view kEndOfHead = "\r\n\r\n";

// The head of one response.
struct Response {
  int status = 0;
  std::string status_line;
  std::string content_type;
  uint64_t length = 0;  // Content-Length (0 for a 1xx)
  bool closes = false;  // Connection: close (1.1), no Connection: keep-alive (1.0)
};

// Takes the head of the response at the front of `*rest` off it (its body stays). False when the
// head is cut short; Fails when it breaks a property of the head.
bool TakeHead(std::string_view* rest, bool allow_http10, Response* r) {
  size_t head_end = rest->find(kEndOfHead);
  if (head_end == std::string_view::npos) return false;
  std::string_view head = rest->substr(0, head_end);
  std::string_view line = head.substr(0, head.find("\r\n"));
  r->status_line = std::string(line);
  const bool http11 = line.rfind("HTTP/1.1 ", 0) == 0;
  const bool http10 = allow_http10 && line.rfind("HTTP/1.0 ", 0) == 0;
  if (!http11 && !http10) Fail("a response that does not start with HTTP/1.1", Printable(*rest));
  constexpr size_t kStatusAt = 9;
  constexpr size_t kStatusDigits = 3;
  if (line.size() < kStatusAt + kStatusDigits ||
      (line.size() > kStatusAt + kStatusDigits && line[kStatusAt + kStatusDigits] != ' ')) {
    Fail("a status line without a 3-digit status", Printable(line));
  }
  int status = 0;
  for (size_t i = kStatusAt; i < kStatusAt + kStatusDigits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) {
      Fail("a status line without a 3-digit status", Printable(line));
    }
    status = status * 10 + (line[i] - '0');
  }
  r->status = status;
  std::string_view fields = head.substr(line.size());
  bool has_length = false;
  bool has_content_type = false;
  bool has_request_id = false;
  bool keep_alive_token = false;
  bool close_token = false;
  while (!fields.empty()) {
    fields.remove_prefix(fields.rfind("\r\n", 0) == 0 ? 2 : 0);
    std::string_view field = fields.substr(0, fields.find("\r\n"));
    fields.remove_prefix(field.size());
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      Fail("a response header line without a name", Printable(field));
    }
    const std::string name = Lower(field.substr(0, colon));
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    if (name == "content-length") {
      if (has_length) Fail("a response with two Content-Length headers", Printable(head));
      has_length = true;
      if (value.empty()) Fail("an empty Content-Length", Printable(head));
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || r->length > (UINT64_MAX - 9) / 10) {
          Fail("a malformed Content-Length", Printable(head));
        }
        r->length = r->length * 10 + static_cast<uint64_t>(c - '0');
      }
    } else if (name == "content-type") {
      has_content_type = true;
      r->content_type = std::string(value);
    } else if (name == "x-request-id") {
      has_request_id = true;
    } else if (name == "connection") {
      const std::string v = Lower(value);
      close_token = v.find("close") != std::string::npos;
      keep_alive_token = v.find("keep-alive") != std::string::npos;
    }
  }
  rest->remove_prefix(head_end + kEndOfHead.size());
  if (status < kFirstFinal) {
    // An interim response has no body (and here no fields to check).
    if (status != kContinue) Fail("an interim response other than 100 Continue", Printable(line));
    r->length = 0;
    return true;
  }
  if (!has_length) Fail("a response without Content-Length", Printable(head));
  if (!has_content_type) Fail("a response without Content-Type", Printable(head));
  if (!has_request_id) Fail("a response without X-Request-Id", Printable(head));
  r->closes = http11 ? close_token : !keep_alive_token;
  return true;
}

// A response cut short: allowed when a read timeout or a reset ended the connection, not when
// the server closed it cleanly.
void CutShort(End end, std::string_view rest) {
  if (end == End::kClosed) Fail("the server closed in the middle of a response", Printable(rest));
}

// Checks every response in `reply` (what the connection of `input` read back, ended by `end`).
void CheckReply(std::string_view input, std::string_view reply, End end) {
  const bool allow_http10 = input.find("HTTP/1.0") != std::string_view::npos;
  // A response to HEAD has no body, whatever its Content-Length says (RFC 9112 §6.3). Only the
  // answer to the input's first request is known to answer HEAD; for the others (which depend on
  // how the server cut the bytes) a head followed by the next head or by the end is taken for one
  // when the input holds a HEAD.
  const bool has_head = input.find("HEAD ") != std::string_view::npos;
  bool first_final = true;
  std::string_view rest = reply;
  for (int index = 0; !rest.empty(); ++index) {
    Response r;
    if (!TakeHead(&rest, allow_http10, &r)) return CutShort(end, rest);
    if (r.status < kFirstFinal) continue;
    const bool answers_head = first_final && input.rfind("HEAD ", 0) == 0;
    first_final = false;
    const std::string what = "response " + std::to_string(index) + ": " + Printable(r.status_line);
    const bool next_is_head = rest.empty() || rest.rfind("HTTP/1.", 0) == 0;
    // A body on a connection kept open is read as the next response. (When the server did not
    // get as far as the method, a malformed request, it sends the body, then closes.)
    if (answers_head && !r.closes && !next_is_head) {
      Fail("a response to HEAD with a body on a kept-alive connection",
           what + " then " + Printable(rest));
    }
    std::string_view body;
    const bool bodiless = has_head && next_is_head && r.length > 0;
    if (!bodiless) {
      if (rest.size() < r.length) return CutShort(end, rest);
      body = rest.substr(0, r.length);
      rest.remove_prefix(r.length);
    }
    CheckResponseBody(r.status, r.content_type, body, /*check_body=*/!bodiless, what);
    if (r.closes && !rest.empty()) {
      Fail("bytes after a response that closes the connection", what + " then " + Printable(rest));
    }
  }
}

// The server still answers GET /healthz with 200 on a new connection.
void CheckHealthy(int port, std::string_view input) {
  std::string reply;
  Exchange(port, kHealthRequest, kHealthTimeout, &reply);
  if (reply.rfind("HTTP/1.1 200 ", 0) != 0) {
    Fail("the server stopped serving: GET /healthz after the input got",
         Printable(reply) + "\n  input: " + Printable(input));
  }
}

}  // namespace
}  // namespace steward::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A write to a connection the server closed must fail with EPIPE, not end the process.
  ::signal(SIGPIPE, SIG_IGN);
  (void)steward::fuzz::FuzzServer::Instance();
  (void)steward::fuzz::TheWireServer();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const int port = TheWireServer()->port();
  std::string reply;
  const End end = Exchange(port, input, kReadTimeout, &reply);
  CheckReply(input, reply, end);
  CheckHealthy(port, input);
  FuzzServer::Instance()->RunDueJobs();
  return 0;
}
