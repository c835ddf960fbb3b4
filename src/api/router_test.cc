// Unit tests of the Router, the request helpers and the Status -> HTTP error mapping.
#include "api/router.h"

#include <gtest/gtest.h>

#include "api/errors.h"
#include "common/json.h"

namespace steward::api {
namespace {

Handler Named(std::string name) {
  return [name](const HttpRequest&, const PathParams&) { return JsonResponse(200, name); };
}

std::string CallOf(const Router::RouteMatch& m) {
  return (*m.handler)(HttpRequest(), m.params).body;
}

TEST(RouterTest, LiteralBeatsParameterAndParamsAreDecoded) {
  Router r;
  r.Add("GET", "/v1/intents/{id}", Named("get"));
  r.Add("GET", "/v1/intents/inbox", Named("inbox"));
  r.Add("POST", "/v1/intents/{id}/approve", Named("approve"));
  r.Add("GET", "/v1/registry/action-types/{type}", Named("type"));

  auto m = r.Match("GET", "/v1/intents/inbox");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(CallOf(m), "inbox");
  EXPECT_EQ(m.pattern, "/v1/intents/inbox");

  m = r.Match("GET", "/v1/intents/ai_1");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(CallOf(m), "get");
  EXPECT_EQ(m.params.Get("id"), "ai_1");
  EXPECT_EQ(m.params.Get("nope"), "");

  m = r.Match("POST", "/v1/intents/a%20b%2Fc/approve");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.Get("id"), "a b/c");
  EXPECT_EQ(m.pattern, "/v1/intents/{id}/approve");

  // '+' is a literal in a path.
  m = r.Match("GET", "/v1/registry/action-types/A+B");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.Get("type"), "A+B");
}

TEST(RouterTest, ParameterIsTriedWhenLiteralBranchHasNoRoute) {
  Router r;
  r.Add("GET", "/a/{x}/c", Named("param"));
  r.Add("GET", "/a/b/d", Named("literal"));
  auto m = r.Match("GET", "/a/b/c");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(CallOf(m), "param");
  EXPECT_EQ(m.params.Get("x"), "b");
}

TEST(RouterTest, MethodFallsBackToLessSpecificPatternBeforeReporting405) {
  Router r;
  r.Add("PUT", "/a/b", Named("put-literal"));
  r.Add("GET", "/a/{x}", Named("get-param"));
  auto m = r.Match("GET", "/a/b");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(CallOf(m), "get-param");
  m = r.Match("DELETE", "/a/b");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PUT"}));
}

TEST(RouterTest, NotFoundVersusMethodNotAllowed) {
  Router r;
  r.Add("GET", "/v1/autonomy/config", Named("get"));
  r.Add("PUT", "/v1/autonomy/config", Named("put"));
  auto m = r.Match("POST", "/v1/autonomy/config");
  EXPECT_EQ(m.kind, Router::RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PUT"}));
  EXPECT_EQ(r.Match("GET", "/v1/autonomy/config/").kind, Router::RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/autonomy").kind, Router::RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/autonomy/config/x").kind, Router::RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/autonomy/%zz").kind, Router::RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "").kind, Router::RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, EmptySegmentNeverMatchesParameter) {
  Router r;
  r.Add("GET", "/v1/intents/{id}", Named("get"));
  EXPECT_EQ(r.Match("GET", "/v1/intents/").kind, Router::RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Match("GET", "/v1/intents//").kind, Router::RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, DifferentParameterNamesAtTheSamePosition) {
  Router r;
  r.Add("GET", "/v1/x/{id}", Named("a"));
  r.Add("GET", "/v1/x/{other}/y", Named("b"));
  auto m = r.Match("GET", "/v1/x/1/y");
  ASSERT_EQ(m.kind, Router::RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.Get("other"), "1");
  EXPECT_FALSE(m.params.Has("id"));
}

TEST(RouterTest, RoutesListsEveryRouteInOrderAndOptionsAreKept) {
  Router r;
  r.Add("GET", "/healthz", Named("h"));
  r.Add("POST", "/v1/upload", Named("u"), RouteOptions{.accept_any_content_type = true});
  auto routes = r.Routes();
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0], (std::pair<std::string, std::string>{"GET", "/healthz"}));
  EXPECT_EQ(routes[1], (std::pair<std::string, std::string>{"POST", "/v1/upload"}));
  EXPECT_TRUE(r.Match("POST", "/v1/upload").options.accept_any_content_type);
  EXPECT_FALSE(r.Match("GET", "/healthz").options.accept_any_content_type);
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
  Router r;
  r.Add("GET", "/a", Named("a"));
  EXPECT_DEATH(r.Add("GET", "/a", Named("b")), "registered twice");
  EXPECT_DEATH(r.Add("GET", "a", Named("b")), "must start with");
  EXPECT_DEATH(r.Add("GET", "/a/{x}/{x}", Named("b")), "duplicate parameter");
}

TEST(HttpTypesTest, TargetQueryAndHeaders) {
  HttpRequest req;
  ASSERT_TRUE(ParseTarget("/v1/x?a=1&b=two+words&c=%2F%26&flag&&a=2", &req.path, &req.query));
  EXPECT_EQ(req.path, "/v1/x");
  EXPECT_EQ(req.QueryParam("a"), "1");
  EXPECT_EQ(req.QueryParam("b"), "two words");
  EXPECT_EQ(req.QueryParam("c"), "/&");
  EXPECT_EQ(req.QueryParam("flag"), "");
  EXPECT_EQ(req.QueryParam("missing"), std::nullopt);
  EXPECT_EQ(req.query.size(), 5u);
  EXPECT_FALSE(ParseTarget("/x?a=%4", &req.path, &req.query));
  EXPECT_FALSE(ParseTarget("http://host/x", &req.path, &req.query));
  req.headers = {{"content-type", "application/json"}};
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  EXPECT_EQ(req.Header("accept"), std::nullopt);
  EXPECT_EQ(PercentDecode("%41%2b+", false), "A++");
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
}

TEST(HttpTypesTest, SaneRequestIds) {
  EXPECT_TRUE(IsSaneRequestId("abc-123_X.y"));
  EXPECT_FALSE(IsSaneRequestId(""));
  EXPECT_FALSE(IsSaneRequestId("has space"));
  EXPECT_FALSE(IsSaneRequestId("quote\""));
  EXPECT_TRUE(IsSaneRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsSaneRequestId(std::string(129, 'a')));
}

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(ErrorsTest, EveryStatusCodeMapsToItsHttpStatusAndShape) {
  struct Case {
    Status status;
    int http;
    const char* code;
  };
  const Case cases[] = {
      {Status::InvalidArgument("bad", "account_id"), 400, "INVALID_ARGUMENT"},
      {Status::Unauthenticated("who"), 401, "UNAUTHENTICATED"},
      {Status::PermissionDenied("no"), 403, "PERMISSION_DENIED"},
      {Status::NotFound("gone"), 404, "NOT_FOUND"},
      {Status::Conflict("dup"), 409, "CONFLICT"},
      {Status::Gone("expired"), 410, "GONE"},
      {Status::ResourceExhausted("slow down", 7), 429, "RESOURCE_EXHAUSTED"},
      {Status::Unavailable("later"), 503, "UNAVAILABLE"},
      {Status::Internal("oops"), 500, "INTERNAL"},
  };
  for (const Case& c : cases) {
    HttpResponse r = ErrorResponse(c.status);
    EXPECT_EQ(r.status, c.http) << c.code;
    EXPECT_EQ(r.content_type, "application/json");
    Json j = Json::parse(r.body);
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j["error"]["code"], c.code);
    EXPECT_EQ(j["error"]["message"], c.status.message());
    EXPECT_EQ(j["error"].contains("field"), !c.status.field().empty()) << c.code;
  }
  EXPECT_EQ(Json::parse(ErrorResponse(cases[0].status).body)["error"]["field"], "account_id");
  EXPECT_EQ(HeaderOf(ErrorResponse(Status::Unauthenticated("x")), "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(HeaderOf(ErrorResponse(Status::ResourceExhausted("x", 7)), "Retry-After"), "7");
  EXPECT_EQ(HeaderOf(ErrorResponse(Status::ResourceExhausted("x", 0)), "Retry-After"), "1");
  EXPECT_EQ(ErrorResponse(Status::Ok()).status, 500);
}

TEST(ErrorsTest, TransportErrors) {
  HttpResponse r = MethodNotAllowedResponse("DELETE", {"GET", "PUT"});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(HeaderOf(r, "Allow"), "GET, PUT");
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "METHOD_NOT_ALLOWED");
  EXPECT_EQ(Json::parse(PayloadTooLargeResponse(1 << 20).body)["error"]["code"],
            "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(PayloadTooLargeResponse(1 << 20).status, 413);
  EXPECT_EQ(UnsupportedMediaTypeResponse("text/plain").status, 415);
  EXPECT_EQ(Json::parse(UnsupportedMediaTypeResponse("").body)["error"]["code"],
            "UNSUPPORTED_MEDIA_TYPE");
  EXPECT_EQ(RouteNotFoundResponse("/x").status, 404);
  EXPECT_EQ(Json::parse(RouteNotFoundResponse("/x").body)["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(HeadersTooLargeResponse(16384).status, 431);
  // Invalid UTF-8 from a client never breaks the JSON.
  EXPECT_NO_THROW(Json::parse(ErrorResponse(Status::InvalidArgument("\xff\xfe")).body));
}

}  // namespace
}  // namespace steward::api
