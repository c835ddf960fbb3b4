#pragma once
// HttpServer: the HTTP/1.1 transport of the API (SPEC §10), on Boost.Beast/Asio (kept inside
// http_server.cc).
//
// Overview: `io_threads` threads run the sockets (accept, read, write; never a handler).
// Each connection reads one request at a time (keep-alive and pipelining-safe: a pipelined
// request waits in the buffer until the previous response is written). A complete request is
// resolved on the Router; transport errors (400 malformed, 404, 405, 413, 415, 431) are
// answered on the I/O thread, everything else is handed to a pool of `handler_threads`
// threads, where the handler may block (database); its response is posted back to the
// connection's strand and written. Responses always carry Content-Type, Content-Length and
// X-Request-Id; a response to HEAD is its header only (Content-Length still that of the body).
//
// Request limits: a Content-Length over `max_body_bytes` is answered 413 before the body is
// read; a chunked body is cut off at the same limit (413). Both close the connection, as do
// 400 (malformed) and 431 (headers over `max_header_bytes`). A connection that has not sent a
// complete header within `header_timeout` is closed (slow-loris), as is a keep-alive connection
// idle for `idle_timeout`.
//
// Media type: a POST/PUT/PATCH with a non-empty body must be Content-Type application/json
// (parameters allowed), unless its route was added with accept_any_content_type; else 415.
//
// Thread-safety: Start() and Stop() may be called from any thread except the server's own I/O
// and handler threads (Stop() from there would deadlock); Stop() may run concurrently with
// in-flight requests and is idempotent. port() is safe after Start(). The Router must outlive
// the server and is only read (Match) once Start() was called.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "api/router.h"
#include "common/status.h"

namespace steward::api {

class HttpServer {
 public:
  struct Options {
    // Address to listen on: an IP literal or a resolvable name. Default loopback only.
    std::string host = "127.0.0.1";
    // TCP port; 0 picks an ephemeral port (see port()).
    int port = 0;
    // Threads running socket I/O. Default 1 (handlers do the heavy work elsewhere).
    int io_threads = 1;
    // Threads running handlers; bounds the requests in a handler at once (the rest queue).
    int handler_threads = 32;
    // Largest accepted request body (Content-Length or chunked total). Default 1 MiB.
    uint64_t max_body_bytes = 1 << 20;
    // Largest request line + headers. Default 16 KiB.
    uint32_t max_header_bytes = 16 << 10;
    // Open connections at most; one beyond is accepted, answered 503 (Retry-After: 1) and
    // closed at once. Default 10000 (`steward serve` sets its own, see server_config.h).
    int max_connections = 10000;
    // Time allowed from a connection's first byte (or its accept) to a complete header.
    std::chrono::milliseconds header_timeout{10'000};
    // Time allowed to receive a request body once its header is complete.
    std::chrono::milliseconds body_timeout{30'000};
    // Time a keep-alive connection may sit idle between requests before it is closed.
    std::chrono::milliseconds idle_timeout{75'000};
    // Time a response write may make no progress before the connection is dropped.
    std::chrono::milliseconds write_timeout{30'000};
    // Stop() waits this long for in-flight requests before closing every connection.
    std::chrono::milliseconds drain_timeout{10'000};
    // One structured JSON line per request via common/log.h (event "http_request": method,
    // path, route, status, duration_ms, request_id, remote). Default on; off for benchmarks.
    bool access_log = true;
    // Called once per answered request, after the response is built and before it is written,
    // on the thread that built it (a handler thread, or an I/O thread for transport errors):
    // must be quick and thread-safe (e.g. metrics). `duration_ms` runs from the complete
    // request header to the built response. Exceptions it throws are logged and dropped.
    std::function<void(const HttpRequest&, const HttpResponse&, double duration_ms)> on_complete;
  };

  // `router` is not owned and must outlive the server.
  HttpServer(const Router* router, Options options);
  // Calls Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O and handler threads. Returns Unavailable when the
  // address cannot be resolved or bound (e.g. port in use), InvalidArgument for bad options.
  // REQUIRES: called at most once.
  Status Start();

  // Stops accepting, closes idle connections, lets in-flight requests finish and be written
  // (their connections then close) for up to `drain_timeout`, then closes every connection,
  // drops queued-but-unstarted handler work and joins all threads (waiting for handlers still
  // running: a handler must not block forever). Idempotent; a no-op before Start().
  void Stop();

  // The bound port (useful with Options::port = 0); 0 before a successful Start().
  int port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace steward::api
