// The only file that includes Boost.Beast/Asio (they are heavy to compile).
#include "api/http_server.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/errors.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/log.h"

namespace steward::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Bytes read while waiting for the next request on an idle keep-alive connection: the buffer
// an idle connection holds (most request headers, token included, fit; longer ones grow it).
constexpr size_t kIdleReadBytes = 1024;
// After a response that closes the connection, unread request bytes are drained for at most
// this long (and this many bytes) so that the client sees the response instead of a reset.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr size_t kLingerMaxBytes = 4 << 20;
constexpr size_t kLingerReadBytes = 64 << 10;
// Pause before accepting again after an accept error such as EMFILE.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
constexpr int kMaxPort = 65535;
constexpr int kMinHttpStatus = 100;
constexpr int kMaxHttpStatus = 999;

std::string ToStd(beast::string_view sv) { return std::string(sv.data(), sv.size()); }

std::string Lower(beast::string_view sv) {
  std::string out(sv.data(), sv.size());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// application/json, with any parameters ("; charset=utf-8"), case-insensitively.
bool IsJsonMediaType(std::string_view content_type) {
  std::string type = Trim(content_type.substr(0, content_type.find(';')));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

bool NeedsJsonBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

// Headers the transport owns; a handler's copies are dropped.
bool IsTransportHeader(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "content-length" || lower == "transfer-encoding" || lower == "connection" ||
         lower == "content-type" || lower == "x-request-id";
}

std::string NewRequestId() { return NewId("req_", SystemClock::Default()->NowMs()); }

// The whole answer to a connection over max_connections: 503 with Retry-After, then close.
std::string OverCapacityResponse() {
  HttpResponse r = ErrorResponse(
      Status::Unavailable("the server has too many open connections; retry later"));
  std::string out = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + r.content_type + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  out += "Connection: close\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n\r\n";
  return out + r.body;
}

// A response ready for the wire: exactly one of the two is set.
struct WireResponse {
  std::optional<http::response<http::string_body>> str;
  std::optional<http::response<http::file_body>> file;
};

template <class Body>
void FillHeader(const HttpResponse& resp, const std::string& request_id, unsigned version,
                http::response<Body>* res) {
  res->version(version);
  res->result(static_cast<unsigned>(resp.status));
  res->set(http::field::content_type, resp.content_type);
  res->set("X-Request-Id", request_id);
  for (const auto& [name, value] : resp.headers) {
    if (!IsTransportHeader(name)) res->insert(name, value);
  }
}

// Converts the head of `resp` for the wire (a file body included; a string body is attached by
// AttachBody). Replaces `resp` by a 500 when it cannot be sent (bad status,
// unreadable file) so that logs and metrics see what the client sees.
WireResponse ToWire(HttpResponse* resp, const std::string& request_id, unsigned version) {
  WireResponse wire;
  if (resp->status < kMinHttpStatus || resp->status > kMaxHttpStatus) {
    log::Event(log::Level::kError, "http_bad_status",
               {{"status", resp->status}, {"request_id", request_id}});
    *resp = ErrorResponse(Status::Internal("internal error"));
  }
  if (!resp->file_path.empty()) {
    beast::error_code ec;
    http::file_body::value_type file;
    file.open(resp->file_path.c_str(), beast::file_mode::scan, ec);
    if (!ec) {
      wire.file.emplace();
      FillHeader(*resp, request_id, version, &*wire.file);
      wire.file->body() = std::move(file);
      wire.file->prepare_payload();
      return wire;
    }
    log::Event(log::Level::kError, "http_file_open_failed",
               {{"file", resp->file_path}, {"error", ec.message()}, {"request_id", request_id}});
    *resp = ErrorResponse(Status::Internal("internal error"));
  }
  wire.str.emplace();
  FillHeader(*resp, request_id, version, &*wire.str);
  return wire;
}

// Moves the body of `resp` (string responses) into `wire`, after logging and metrics saw it.
void AttachBody(HttpResponse* resp, WireResponse* wire) {
  if (!wire->str) return;
  wire->str->body() = std::move(resp->body);
  wire->str->prepare_payload();
}

class Session;

// The server proper; HttpServer::Impl is a thin alias so that Session can name it.
class ServerCore {
 public:
  using Options = HttpServer::Options;
  ServerCore(const Router* router, Options options)
      : router_(router), options_(std::move(options)), over_capacity_(OverCapacityResponse()) {}

  Status Start();
  void Stop();
  int port() const { return port_.load(); }

  // For sessions.
  const Router& router() const { return *router_; }
  const Options& options() const { return options_; }
  net::thread_pool& handler_pool() { return *handler_pool_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // False when the connection limit is reached.
  bool Register(Session* session, const std::shared_ptr<Session>& ptr);
  void Unregister(Session* session);
  // Access log and on_complete hook for one answered request.
  void Complete(const HttpRequest& req, const HttpResponse& resp,
                SteadyClock::time_point start) const;
  // Asynchronous handler calls whose responder still exists somewhere (Session::AsyncCall);
  // Stop waits for them as it joins the handler pool, so no answer arrives, and no session is
  // released, after the io_context and this object are gone.
  void AsyncBegan() { async_pending_.fetch_add(1); }
  void AsyncEnded() {
    std::lock_guard<std::mutex> lock(async_mu_);
    if (async_pending_.fetch_sub(1) == 1) async_idle_.notify_all();
  }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  const Router* const router_;
  const Options options_;
  const std::string over_capacity_;  // the raw 503 for connections over max_connections
  std::atomic<int> port_{0};
  std::atomic<bool> stopping_{false};

  std::mutex lifecycle_mu_;  // serializes Start() and Stop()
  bool started_ = false;     // GUARDED_BY(lifecycle_mu_)
  bool stopped_ = false;     // GUARDED_BY(lifecycle_mu_)
  // Owned here, created by Start() and destroyed by Stop() (in that order: the io_context last,
  // so that sessions still queued in it are destroyed while this object is alive).
  std::unique_ptr<net::io_context> ioc_;
  // Keeps the I/O threads running while a handler may still post a response back.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::unique_ptr<tcp::acceptor> acceptor_;  // on its own strand
  std::unique_ptr<net::steady_timer> accept_retry_;
  std::unique_ptr<net::thread_pool> handler_pool_;
  std::vector<std::thread> io_threads_;

  std::atomic<int> async_pending_{0};
  std::mutex async_mu_;
  std::condition_variable async_idle_;

  mutable std::mutex mu_;
  std::condition_variable sessions_empty_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // GUARDED_BY(mu_)
};

// One connection. All members are touched only on the connection's strand, except `request_`,
// which a handler thread reads while the strand leaves it alone (state kBusy; the posts to
// and from the pool order the accesses). An asynchronous handler runs on the strand itself and
// its answer is posted back to it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore* server, tcp::socket socket)
      : server_(server), opts_(server->options()), stream_(std::move(socket)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  ~Session() { server_->Unregister(this); }

  auto executor() { return stream_.get_executor(); }

  // Starts reading the first request. Runs on the strand.
  void Start() {
    if (server_->stopping()) return Close();
    ReadHeader();
  }

  // Over max_connections (the session is not registered and never started): writes `raw`
  // without waiting — a fresh socket's send buffer has room for it — and closes. Runs on the
  // acceptor's strand.
  void Refuse(std::string_view raw) {
    state_ = State::kClosed;
    beast::error_code ec;
    tcp::socket& socket = stream_.socket();
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(net::buffer(raw.data(), raw.size()), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
  }

  // Server shutdown: a connection waiting for (or receiving) a request is closed; one whose
  // request is being handled or written closes after the write. Runs on the strand.
  void OnStop() {
    if (state_ == State::kReading || state_ == State::kLingering) Close();
  }

 private:
  enum class State { kReading, kBusy, kLingering, kClosed };

  void ReadNext() {
    if (server_->stopping()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is waiting
    // An idle connection holds kIdleReadBytes, not the memory of a past request or body.
    buffer_.shrink_to_fit();
    // Idle keep-alive: wait for the first byte under idle_timeout, then the header under
    // header_timeout, so a slow client cannot hold a connection by trickling bytes.
    state_ = State::kReading;
    stream_.expires_after(opts_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    state_ = State::kReading;
    request_ = HttpRequest();
    request_.remote_addr = remote_;
    version_ = 11;
    keep_alive_ = false;
    parser_.emplace();
    parser_->header_limit(opts_.max_header_bytes);
    parser_->body_limit(opts_.max_body_bytes);
    stream_.expires_after(opts_.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  // True when `ec` was answered (431/400) or the connection closed; false when it is OK.
  bool HandleReadError(beast::error_code ec) {
    if (!ec) return false;
    start_ = SteadyClock::now();
    if (ec == http::error::header_limit) {
      Respond(HeadersTooLargeResponse(opts_.max_header_bytes), /*close=*/true);
    } else if (ec == http::error::body_limit) {
      Respond(PayloadTooLargeResponse(opts_.max_body_bytes), /*close=*/true);
    } else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      Respond(ErrorResponse(Status::InvalidArgument("malformed HTTP request: " + ec.message())),
              /*close=*/true);
    } else {
      Close();  // peer gone, timeout (slow-loris) or shutdown
    }
    return true;
  }

  void OnHeader(beast::error_code ec) {
    if (HandleReadError(ec)) return;
    start_ = SteadyClock::now();
    const auto& msg = parser_->get();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    request_.method = ToStd(msg.method_string());
    request_.target = ToStd(msg.target());
    request_.headers.reserve(std::distance(msg.begin(), msg.end()));
    for (const auto& field : msg) {
      request_.headers.emplace_back(Lower(field.name_string()), Trim(ToStd(field.value())));
    }
    auto id = request_.Header("x-request-id");
    request_.request_id = id && IsSaneRequestId(*id) ? *id : NewRequestId();

    if (auto length = parser_->content_length(); length && *length > opts_.max_body_bytes) {
      return Respond(PayloadTooLargeResponse(opts_.max_body_bytes), /*close=*/true);
    }
    if (parser_->is_done()) return Dispatch();
    auto expect = request_.Header("expect");
    if (expect && beast::iequals(*expect, "100-continue")) {
      continue_.emplace(http::status::continue_, version_);
      stream_.expires_after(opts_.write_timeout);
      return http::async_write(stream_, *continue_,
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                 self->continue_.reset();
                                 if (ec) return self->Close();
                                 self->ReadBody();
                               });
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(opts_.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->HandleReadError(ec)) return;
                       self->Dispatch();
                     });
  }

  // A complete request: resolve it, answer transport errors here, run the handler elsewhere.
  void Dispatch() {
    state_ = State::kBusy;
    stream_.expires_never();
    request_.body = std::move(parser_->get().body());
    parser_.reset();
    if (!ParseTarget(request_.target, &request_.path, &request_.query)) {
      return Respond(ErrorResponse(Status::InvalidArgument("malformed request target")),
                     /*close=*/false);
    }
    Router::RouteMatch match = server_->router().Match(request_.method, request_.path);
    switch (match.kind) {
      case Router::RouteMatch::Kind::kNotFound:
        return Respond(RouteNotFoundResponse(request_.path), /*close=*/false);
      case Router::RouteMatch::Kind::kMethodNotAllowed:
        return Respond(MethodNotAllowedResponse(request_.method, match.allowed),
                       /*close=*/false);
      case Router::RouteMatch::Kind::kFound:
        break;
    }
    request_.route = match.pattern;
    if (!match.options.accept_any_content_type && NeedsJsonBody(request_.method) &&
        !request_.body.empty()) {
      std::string type = request_.Header("content-type").value_or("");
      if (!IsJsonMediaType(type)) {
        return Respond(UnsupportedMediaTypeResponse(type), /*close=*/false);
      }
    }
    if (match.async_handler) return RunAsyncHandler(*match.async_handler, match.params);
    net::post(server_->handler_pool(),
              [self = shared_from_this(), handler = match.handler,
               params = std::move(match.params)]() mutable { self->RunHandler(*handler, params); });
  }

  // One asynchronous handler's call. Every copy of its responder shares it; the last one to go
  // releases the session and then tells the server (AsyncEnded), so Stop, which waits for that,
  // never sees a session outlive it.
  struct AsyncCall {
    explicit AsyncCall(std::shared_ptr<Session> s) : session(std::move(s)) {
      session->server_->AsyncBegan();
    }
    ~AsyncCall() {
      ServerCore* server = session->server_;
      session.reset();
      server->AsyncEnded();
    }
    std::shared_ptr<Session> session;
    std::atomic<bool> answered{false};
  };

  // On the strand: an asynchronous handler runs here and answers later, from any thread; the
  // response it hands back is built on the strand.
  void RunAsyncHandler(const AsyncHandler& handler, const PathParams& params) {
    auto call = std::make_shared<AsyncCall>(shared_from_this());
    Responder respond = [call](ResponseFn make) {
      if (call->answered.exchange(true)) return;  // a second answer is a handler bug; ignore it
      net::post(call->session->executor(),
                [self = call->session, make = std::move(make)]() mutable {
                  self->Finish(self->Guarded([&] { return make(); }));
                });
    };
    bool threw = true;
    HttpResponse failed = Guarded([&] {
      handler(request_, params, std::move(respond));
      threw = false;
      return HttpResponse{};
    });
    // A handler that threw before answering gets its 500 here.
    if (threw && !call->answered.exchange(true)) Finish(std::move(failed));
  }

  // Runs `fn`; an exception becomes a logged 500 INTERNAL response.
  template <typename Fn>
  HttpResponse Guarded(Fn&& fn) {
    try {
      return fn();
    } catch (const std::exception& e) {
      log::Event(log::Level::kError, "http_handler_exception",
                 {{"method", request_.method},
                  {"route", request_.route},
                  {"request_id", request_.request_id},
                  {"error", e.what()}});
    } catch (...) {
      log::Event(log::Level::kError, "http_handler_exception",
                 {{"method", request_.method},
                  {"route", request_.route},
                  {"request_id", request_.request_id},
                  {"error", "unknown exception"}});
    }
    return ErrorResponse(Status::Internal("internal error"));
  }

  // On the strand: a handler's response goes out.
  void Finish(HttpResponse resp) {
    WireResponse wire = ToWire(&resp, request_.request_id, version_);
    server_->Complete(request_, resp, start_);
    AttachBody(&resp, &wire);
    Write(std::move(wire), /*close=*/false);
  }

  // On a handler thread.
  void RunHandler(const Handler& handler, const PathParams& params) {
    HttpResponse resp = Guarded([&] { return handler(request_, params); });
    WireResponse wire = ToWire(&resp, request_.request_id, version_);
    server_->Complete(request_, resp, start_);
    AttachBody(&resp, &wire);
    net::post(executor(), [self = shared_from_this(), wire = std::move(wire)]() mutable {
      self->Write(std::move(wire), /*close=*/false);
    });
  }

  // Answers on the strand (transport errors).
  void Respond(HttpResponse resp, bool close) {
    state_ = State::kBusy;
    if (request_.request_id.empty()) request_.request_id = NewRequestId();
    WireResponse wire = ToWire(&resp, request_.request_id, version_);
    server_->Complete(request_, resp, start_);
    AttachBody(&resp, &wire);
    Write(std::move(wire), close);
  }

  void Write(WireResponse wire, bool close) {
    if (state_ == State::kClosed) return;
    close_after_write_ = close || !keep_alive_ || server_->stopping();
    // A response to HEAD ends with its header (RFC 9112 §6.3), Content-Length included: a client
    // would read a body as the start of the next response on the connection.
    head_only_ = request_.method == "HEAD";
    wire_ = std::move(wire);
    if (wire_.str) {
      wire_.str->keep_alive(!close_after_write_);
      str_sr_.emplace(*wire_.str);
      str_sr_->split(head_only_);
      WriteSome(*str_sr_);
    } else {
      wire_.file->keep_alive(!close_after_write_);
      file_sr_ = std::make_unique<http::response_serializer<http::file_body>>(*wire_.file);
      file_sr_->split(head_only_);
      WriteSome(*file_sr_);
    }
  }

  // Writes piecewise so that write_timeout bounds each step, not a whole (large) download.
  template <class Serializer>
  void WriteSome(Serializer& sr) {
    stream_.expires_after(opts_.write_timeout);
    http::async_write_some(
        stream_, sr, [self = shared_from_this(), &sr](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          const bool done = sr.is_done() || (self->head_only_ && sr.is_header_done());
          if (!done) return self->WriteSome(sr);
          self->OnWritten();
        });
  }

  void OnWritten() {
    str_sr_.reset();
    file_sr_.reset();
    wire_ = WireResponse();
    if (server_->stopping()) return Close();
    if (close_after_write_) return Linger();
    ReadNext();
  }

  // Half-closes and discards what the client still sends (e.g. the body of a 413), so that the
  // response is not lost to a TCP reset; then closes.
  void Linger() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(kLingerTimeout);
    LingerRead();
  }

  void LingerRead() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kLingerReadBytes), [self = shared_from_this()](
                                                                   beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerMaxBytes || self->server_->stopping()) {
        return self->Close();
      }
      self->LingerRead();
    });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  ServerCore* const server_;
  const HttpServer::Options& opts_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_;
  State state_ = State::kReading;

  // The request in progress.
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpRequest request_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  SteadyClock::time_point start_;

  // The response in progress.
  std::optional<http::response<http::empty_body>> continue_;
  WireResponse wire_;
  std::optional<http::response_serializer<http::string_body>> str_sr_;
  // On the heap: its file reader carries a 4 KiB buffer, which would otherwise be most of the
  // memory of every idle connection.
  std::unique_ptr<http::response_serializer<http::file_body>> file_sr_;
  bool close_after_write_ = false;
  bool head_only_ = false;  // the response answers HEAD: its header only
  size_t lingered_ = 0;
};

}  // namespace

bool ServerCore::Register(Session* session, const std::shared_ptr<Session>& ptr) {
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(sessions_.size()) >= options_.max_connections) return false;
  sessions_.emplace(session, ptr);
  return true;
}

void ServerCore::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.erase(session) && sessions_.empty()) sessions_empty_.notify_all();
}

void ServerCore::Complete(const HttpRequest& req, const HttpResponse& resp,
                          SteadyClock::time_point start) const {
  double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
  if (options_.access_log && log::Enabled(log::Level::kInfo)) {
    log::Event(log::Level::kInfo, "http_request",
               {{"method", req.method},
                {"path", req.path.empty() ? req.target : req.path},
                {"route", req.route},
                {"status", resp.status},
                {"duration_ms", ms},
                {"request_id", req.request_id},
                {"remote", req.remote_addr}});
  }
  if (options_.on_complete) {
    try {
      options_.on_complete(req, resp, ms);
    } catch (const std::exception& e) {
      log::Event(log::Level::kError, "http_on_complete_exception", {{"error", e.what()}});
    } catch (...) {
      log::Event(log::Level::kError, "http_on_complete_exception");
    }
  }
}

Status ServerCore::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_) return Status::Internal("HttpServer::Start called twice");
  if (options_.io_threads < 1 || options_.handler_threads < 1) {
    return Status::InvalidArgument("io_threads and handler_threads must be at least 1");
  }
  if (options_.port < 0 || options_.port > kMaxPort) {
    return Status::InvalidArgument("port must be in [0, 65535]", "port");
  }
  ioc_ = std::make_unique<net::io_context>(options_.io_threads);
  std::string where = options_.host + ":" + std::to_string(options_.port);
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = net::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(options_.port));
  } else {
    tcp::resolver resolver(*ioc_);
    auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
    if (ec || results.empty()) {
      ioc_.reset();
      return Status::Unavailable("cannot resolve " + options_.host +
                                 (ec ? ": " + ec.message() : ""));
    }
    endpoint = results.begin()->endpoint();
  }
  acceptor_ = std::make_unique<tcp::acceptor>(net::make_strand(*ioc_));
  auto fail = [&](const char* what) {
    Status st = Status::Unavailable(std::string("cannot listen on ") + where + ": " + what + ": " +
                                    ec.message());
    acceptor_.reset();
    ioc_.reset();
    return st;
  };
  acceptor_->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_->set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set_option");
  acceptor_->bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  port_.store(acceptor_->local_endpoint(ec).port());
  accept_retry_ = std::make_unique<net::steady_timer>(acceptor_->get_executor());
  handler_pool_ = std::make_unique<net::thread_pool>(options_.handler_threads);
  work_.emplace(ioc_->get_executor());
  net::post(acceptor_->get_executor(), [this] { DoAccept(); });
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] {
      // Handlers catch their own exceptions; this keeps an unexpected one from ending the
      // thread (and with it the server).
      while (true) {
        try {
          ioc_->run();
          return;
        } catch (const std::exception& e) {
          log::Event(log::Level::kError, "http_io_exception", {{"error", e.what()}});
        }
      }
    });
  }
  started_ = true;
  return Status::Ok();
}

void ServerCore::DoAccept() {
  acceptor_->async_accept(
      net::make_strand(*ioc_),
      [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void ServerCore::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping() || ec == net::error::operation_aborted) return;
  if (ec) {
    // E.g. out of file descriptors: back off instead of spinning.
    log::Event(log::Level::kWarn, "http_accept_failed", {{"error", ec.message()}});
    accept_retry_->expires_after(kAcceptRetryDelay);
    accept_retry_->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  beast::error_code opt_ec;
  socket.set_option(tcp::no_delay(true), opt_ec);
  auto session = std::make_shared<Session>(this, std::move(socket));
  if (Register(session.get(), session)) {
    net::post(session->executor(), [session] { session->Start(); });
  } else {
    session->Refuse(over_capacity_);
  }
  DoAccept();
}

void ServerCore::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_.store(true, std::memory_order_release);
  net::post(acceptor_->get_executor(), [this] {
    beast::error_code ec;
    acceptor_->close(ec);
    accept_retry_->cancel();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> sessions_lock(mu_);
    for (auto& entry : sessions_) {
      if (auto s = entry.second.lock()) live.push_back(std::move(s));
    }
  }
  // Outside mu_: the last reference may be dropped here, and ~Session locks mu_.
  for (auto& s : live) net::post(s->executor(), [s] { s->OnStop(); });
  live.clear();
  {
    std::unique_lock<std::mutex> sessions_lock(mu_);
    sessions_empty_.wait_for(sessions_lock, options_.drain_timeout,
                             [this] { return sessions_.empty(); });
  }
  work_.reset();
  ioc_->stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  handler_pool_->stop();  // drops queued work; join waits for running handlers only
  handler_pool_->join();
  handler_pool_.reset();
  {
    // Like the pool's running handlers, pending asynchronous ones are waited for: their answers
    // are posted to the (stopped) io_context and destroyed with it below.
    std::unique_lock<std::mutex> lock(async_mu_);
    async_idle_.wait(lock, [this] { return async_pending_.load() == 0; });
  }
  accept_retry_.reset();
  acceptor_.reset();
  ioc_.reset();  // destroys the sessions still queued in it
}

class HttpServer::Impl : public ServerCore {
 public:
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(const Router* router, Options options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

int HttpServer::port() const { return impl_->port(); }

}  // namespace steward::api
