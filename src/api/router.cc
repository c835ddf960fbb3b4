#include "api/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <set>

namespace steward::api {

struct Router::Route {
  Handler handler;     // one of handler and async is set
  AsyncHandler async;
  std::string pattern;
  std::vector<std::string> param_names;  // in the order of their segments
  RouteOptions options;
};

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;           // the "{…}" child, whatever its name
  std::map<std::string, Route> methods;  // routes ending at this node
};

namespace {

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::string_view rest = path.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

[[noreturn]] void BadRoute(const std::string& method, const std::string& pattern, const char* why) {
  std::fprintf(stderr, "Router::Add(%s, %s): %s\n", method.c_str(), pattern.c_str(), why);
  std::abort();
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  if (!handler) BadRoute(method, pattern, "empty handler");
  AddRoute(std::move(method), std::move(pattern), std::move(handler), nullptr, options);
}

void Router::AddAsync(std::string method, std::string pattern, AsyncHandler handler,
                      RouteOptions options) {
  if (!handler) BadRoute(method, pattern, "empty handler");
  AddRoute(std::move(method), std::move(pattern), nullptr, std::move(handler), options);
}

void Router::AddRoute(std::string method, std::string pattern, Handler handler,
                      AsyncHandler async, RouteOptions options) {
  if (method.empty()) BadRoute(method, pattern, "empty method");
  if (pattern.empty() || pattern[0] != '/') BadRoute(method, pattern, "must start with '/'");
  Node* node = root_.get();
  std::vector<std::string> names;
  for (std::string_view seg : SplitPath(pattern)) {
    if (IsParam(seg)) {
      std::string name(seg.substr(1, seg.size() - 2));
      if (name.empty() || name.find_first_of("{}/") != std::string::npos) {
        BadRoute(method, pattern, "bad parameter name");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        BadRoute(method, pattern, "duplicate parameter name");
      }
      names.push_back(std::move(name));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) {
        BadRoute(method, pattern, "'{' or '}' inside a literal segment");
      }
      auto it = node->literals.find(seg);
      if (it == node->literals.end()) {
        it = node->literals.emplace(std::string(seg), std::make_unique<Node>()).first;
      }
      node = it->second.get();
    }
  }
  if (node->methods.count(method)) BadRoute(method, pattern, "registered twice");
  routes_.emplace_back(method, pattern);
  node->methods.emplace(std::move(method),
                        Route{std::move(handler), std::move(async), std::move(pattern),
                              std::move(names), options});
}

void Router::Collect(const Node* node, const std::vector<std::string>& segments, size_t i,
                     std::vector<std::string>* captured,
                     std::vector<std::pair<const Node*, std::vector<std::string>>>* out) const {
  if (i == segments.size()) {
    if (!node->methods.empty()) out->emplace_back(node, *captured);
    return;
  }
  const std::string& seg = segments[i];
  if (auto it = node->literals.find(seg); it != node->literals.end()) {
    Collect(it->second.get(), segments, i + 1, captured, out);
  }
  if (node->param && !seg.empty()) {
    captured->push_back(seg);
    Collect(node->param.get(), segments, i + 1, captured, out);
    captured->pop_back();
  }
}

Router::RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  if (path.empty() || path[0] != '/') return result;
  std::vector<std::string> segments;
  for (std::string_view raw : SplitPath(path)) {
    auto decoded = PercentDecode(raw, /*plus_is_space=*/false);
    if (!decoded) return result;
    segments.push_back(std::move(*decoded));
  }
  std::vector<std::pair<const Node*, std::vector<std::string>>> candidates;
  std::vector<std::string> captured;
  Collect(root_.get(), segments, 0, &captured, &candidates);
  if (candidates.empty()) return result;
  for (auto& [node, values] : candidates) {
    auto it = node->methods.find(std::string(method));
    if (it == node->methods.end()) continue;
    const Route& route = it->second;
    std::vector<std::pair<std::string, std::string>> params;
    params.reserve(values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      params.emplace_back(route.param_names[k], std::move(values[k]));
    }
    result.kind = RouteMatch::Kind::kFound;
    if (route.async) {
      result.async_handler = &route.async;
    } else {
      result.handler = &route.handler;
    }
    result.params = PathParams(std::move(params));
    result.pattern = route.pattern;
    result.options = route.options;
    return result;
  }
  std::set<std::string> allowed;
  for (const auto& candidate : candidates) {
    for (const auto& entry : candidate.first->methods) allowed.insert(entry.first);
  }
  result.kind = RouteMatch::Kind::kMethodNotAllowed;
  result.allowed.assign(allowed.begin(), allowed.end());
  return result;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const { return routes_; }

HttpResponse Router::RunAndWait(const RouteMatch& match, const HttpRequest& request) {
  if (match.handler) return (*match.handler)(request, match.params);
  auto made = std::make_shared<std::promise<ResponseFn>>();
  std::future<ResponseFn> response = made->get_future();
  (*match.async_handler)(request, match.params,
                         [made](ResponseFn make) { made->set_value(std::move(make)); });
  return response.get()();
}

}  // namespace steward::api
