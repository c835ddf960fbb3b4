#pragma once
// Router: maps (method, path) to a handler. Patterns are '/'-separated segments, each either a
// literal ("intents") or a parameter ("{id}"), e.g. "/v1/intents/{id}/approve".
//
// Matching rules:
//   - Paths are compared segment by segment; the raw segment is percent-decoded first, so a
//     parameter may hold any byte, including '/' sent as "%2F".
//   - A literal segment beats a parameter at the same position ("/v1/intents/inbox" is chosen
//     over "/v1/intents/{id}" for that path); the parameter is still tried when the literal
//     branch has no route for the path.
//   - Among the routes whose pattern matches the path, the most specific one registered for
//     the request's method wins. When patterns match but none for that method, the result is
//     kMethodNotAllowed with the union of their methods (for the Allow header); when no
//     pattern matches, kNotFound.
//   - A trailing slash is significant: "/v1/intents/" does not match "/v1/intents". Empty
//     segments ("//") never match a parameter.
//
// Thread-safety: Add() is not thread-safe and must complete before the server starts; after
// that, Match() and Routes() may be called from any number of threads concurrently.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.h"

namespace steward::api {

// A request handler. Runs on a handler thread (never an I/O thread) and may block (e.g. on the
// store). It must not let an exception escape (one that does becomes a 500 INTERNAL).
using Handler = std::function<HttpResponse(const HttpRequest&, const PathParams&)>;

// An asynchronous handler, for routes whose work is a store write that need not hold a thread
// while it commits. It runs on the connection's I/O thread, so it must never block: it does its
// CPU work, hands the write to the store (Store::WriteAsync) and returns. It answers exactly once,
// from any thread, by calling `respond` with a function that builds the response; that function
// runs on the connection's I/O thread. An exception escaping the handler before it has called
// `respond` becomes a 500 INTERNAL.
using ResponseFn = std::function<HttpResponse()>;
using Responder = std::function<void(ResponseFn)>;
using AsyncHandler = std::function<void(const HttpRequest&, const PathParams&, Responder)>;

// Options of one route.
struct RouteOptions {
  // When false (default), a POST/PUT/PATCH with a non-empty body must be Content-Type
  // application/json (parameters such as charset allowed), else the transport answers 415.
  // Set true for routes that take other media types.
  bool accept_any_content_type = false;
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` (e.g. "GET") on `pattern`.
  // REQUIRES: `pattern` starts with '/'; parameter segments are "{name}" with a non-empty name
  // unique within the pattern; (method, pattern) is not registered yet. A violation is a
  // programming error: it is reported on stderr and aborts the process (at start-up).
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  // The same for an asynchronous handler.
  void AddAsync(std::string method, std::string pattern, AsyncHandler handler,
                RouteOptions options = {});

  struct RouteMatch {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // kFound: owned by the Router (null for an async route)
    const AsyncHandler* async_handler = nullptr;  // kFound: set for an async route instead
    PathParams params;                 // kFound: decoded parameters
    std::string pattern;               // kFound: the matched pattern
    RouteOptions options;              // kFound: the route's options
    std::vector<std::string> allowed;  // kMethodNotAllowed: sorted methods, for Allow
  };

  // Resolves `method` and `path` (the raw, still percent-encoded path without the query).
  // A path whose escapes are malformed is kNotFound.
  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Runs a found route's handler, sync or async, and returns its response: for an async route it
  // blocks until the handler answers and builds the response on this thread. For tests and
  // tools, never on an I/O thread.
  static HttpResponse RunAndWait(const RouteMatch& match, const HttpRequest& request);

  // Every registered (method, pattern), in registration order.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Node;
  struct Route;
  void AddRoute(std::string method, std::string pattern, Handler handler, AsyncHandler async,
                RouteOptions options);
  void Collect(const Node* node, const std::vector<std::string>& segments, size_t i,
               std::vector<std::string>* captured,
               std::vector<std::pair<const Node*, std::vector<std::string>>>* out) const;

  std::unique_ptr<Node> root_;
  std::vector<std::pair<std::string, std::string>> routes_;  // registration order
};

}  // namespace steward::api
