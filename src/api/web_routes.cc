// The web Control Center (SPEC §13): the static files under web/, embedded in the binary at
// build time (src/api/web_embed.cmake writes web_assets.inc), so `steward serve` never reads the
// source tree. web/index.html is served at "/", every other file at "/<its path under web/>"
// (the Control Center keeps them under /assets/…); each is an exact GET route, so no request
// path ever reaches the file system and anything else is the router's 404.
//
// Every answer carries a strict Content-Security-Policy (scripts, styles, images and fetches
// from this origin only, no inline code, no framing), nosniff and no-referrer. File names are
// not content-hashed (there is no build step), so caches must revalidate ("no-cache") against a
// strong ETag, the SHA-256 of the bytes: an unchanged file costs a 304 without a body.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "api/api.h"
#include "common/crypto.h"

namespace steward::api {
namespace {

struct EmbeddedFile {
  std::string_view path;  // relative to web/, e.g. "assets/js/main.js"
  const unsigned char* data;
  size_t size;
};

#include "web_assets.inc"  // constexpr EmbeddedFile kWebFiles[] (generated)

constexpr std::string_view kIndexFile = "index.html";
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
constexpr std::string_view kCacheControl = "no-cache";
constexpr int kNotModified = 304;
// Characters of the SHA-256 hex digest kept in the ETag: 128 bits tell versions apart.
constexpr size_t kEtagDigestChars = 32;

struct MediaType {
  std::string_view extension;
  std::string_view content_type;
};
// The extensions web_embed.cmake embeds, and what each is served as.
constexpr MediaType kMediaTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"woff2", "font/woff2"},
};

std::string_view ContentTypeOf(std::string_view path) {
  size_t dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  for (const MediaType& m : kMediaTypes) {
    if (m.extension == ext) return m.content_type;
  }
  return "application/octet-stream";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 §13.1.2: If-None-Match is "*" or a list of entity tags, compared weakly (a "W/"
// prefix is ignored).
bool IfNoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view tag = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

// One served file, prepared once at registration.
struct Asset {
  std::string body;
  std::string content_type;
  std::string etag;  // quoted, e.g. "\"3f2a…\""
};

HttpResponse Serve(const Asset& asset, const HttpRequest& req) {
  HttpResponse resp;
  resp.content_type = asset.content_type;
  resp.headers = {{"Cache-Control", std::string(kCacheControl)},
                  {"ETag", asset.etag},
                  {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                  {"X-Content-Type-Options", "nosniff"},
                  {"X-Frame-Options", "DENY"},
                  {"Referrer-Policy", "no-referrer"},
                  {"Cross-Origin-Opener-Policy", "same-origin"},
                  {"Cross-Origin-Resource-Policy", "same-origin"}};
  auto if_none_match = req.Header("if-none-match");
  if (if_none_match && IfNoneMatchHits(*if_none_match, asset.etag)) {
    resp.status = kNotModified;
    return resp;
  }
  resp.status = 200;
  resp.body = asset.body;
  return resp;
}

}  // namespace

void RegisterWebRoutes(Router& r, const ApiDeps& d) {
  Metrics* metrics = d.metrics;
  for (const EmbeddedFile& file : kWebFiles) {
    auto asset = std::make_shared<Asset>();
    asset->body.assign(reinterpret_cast<const char*>(file.data), file.size);
    asset->content_type = std::string(ContentTypeOf(file.path));
    asset->etag = "\"" + Sha256Hex(asset->body).substr(0, kEtagDigestChars) + "\"";
    std::string pattern = file.path == kIndexFile ? "/" : "/" + std::string(file.path);
    r.Add("GET", pattern, [asset, metrics, pattern](const HttpRequest& req, const PathParams&) {
      const auto start = std::chrono::steady_clock::now();
      HttpResponse resp = Serve(*asset, req);
      if (metrics) {
        metrics->RecordRequest(
            "GET", pattern, resp.status,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
      return resp;
    });
  }
}

}  // namespace steward::api
