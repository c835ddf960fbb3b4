#include "auth/jwt_mint.h"

#include <jwt.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "auth/jwt_claims.h"
#include "auth/roles.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"

namespace steward::auth {
namespace {

constexpr int64_t kMinTtlMs = kMsPerSecond;
constexpr int64_t kMaxTtlMs = 10 * 366 * kMsPerDay;

struct JwtDeleter {
  void operator()(jwt_t* p) const { jwt_free(p); }
};
struct CharDeleter {
  void operator()(char* p) const { std::free(p); }  // libjwt 1.10 strings come from malloc
};

}  // namespace

Result<std::string> MintHs256(std::string_view secret, const MintRequest& request) {
  STEWARD_RETURN_IF_ERROR(ValidateHs256Secret(secret));
  if (!IsValidSubject(request.subject)) {
    return Status::InvalidArgument("subject must be 1 to 256 bytes without control characters",
                                   "sub");
  }
  STEWARD_RETURN_IF_ERROR(ValidateId(request.tenant_id, "tenant_id"));
  if (request.roles.empty())
    return Status::InvalidArgument("at least one role is required", "roles");
  Json roles = Json::array();
  for (const std::string& name : request.roles) {
    if (!ParseRole(name)) return Status::InvalidArgument("unknown role '" + name + "'", "roles");
    if (std::find(roles.begin(), roles.end(), name) == roles.end()) roles.push_back(name);
  }
  if (request.ttl_ms < kMinTtlMs || request.ttl_ms > kMaxTtlMs) {
    return Status::InvalidArgument("ttl must be between 1 second and 10 years", "ttl");
  }
  if (request.now_ms < 0) return Status::InvalidArgument("now_ms must not be negative", "now_ms");

  Json claims = Json::object();
  claims[std::string(kClaimSubject)] = request.subject;
  claims[std::string(kClaimTenantId)] = request.tenant_id;
  claims[std::string(kClaimRoles)] = std::move(roles);
  claims[std::string(kClaimIssuedAt)] = request.now_ms / kMsPerSecond;
  claims[std::string(kClaimExpires)] = (request.now_ms + request.ttl_ms) / kMsPerSecond;
  if (!request.issuer.empty()) claims[std::string(kClaimIssuer)] = request.issuer;
  if (!request.audience.empty()) claims[std::string(kClaimAudience)] = request.audience;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) return Status::Internal("libjwt: jwt_new failed");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  std::string key(secret);
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    return Status::Internal("libjwt: cannot set HS256");
  }
  std::string claims_json;
  try {
    claims_json = claims.dump();
  } catch (const Json::exception&) {  // invalid UTF-8 in a string field
    return Status::InvalidArgument("subject, issuer and audience must be valid UTF-8");
  }
  if (jwt_add_grants_json(jwt.get(), claims_json.c_str()) != 0) {
    return Status::Internal("libjwt: cannot add the claims");
  }
  std::unique_ptr<char, CharDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) return Status::Internal("libjwt: cannot encode the token");
  return std::string(encoded.get());
}

}  // namespace steward::auth
