#pragma once
// MintHs256: issues Steward's own HS256 tokens (`steward token`, the `--demo` admin token, tests).
// The result verifies with a JwtVerifier configured with the same secret, issuer and audience.
// Thread-safe (no shared state).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace steward::auth {

struct MintRequest {
  std::string subject;             // `sub`; required (1..256 bytes, no control characters)
  std::string tenant_id;           // `tenant_id`; required, a valid id (common/ids.h)
  std::vector<std::string> roles;  // `roles`; at least one, each a wire role name (roles.h)
  int64_t now_ms = 0;              // `iat` = now_ms / 1000 (seconds, truncated)
  int64_t ttl_ms = 0;              // `exp` = (now_ms + ttl_ms) / 1000; 1 s .. 10 years
  std::string issuer;              // `iss` when non-empty; default "" (omitted)
  std::string audience;            // `aud` (a string) when non-empty; default "" (omitted)
};

// A compact JWS: header {"alg":"HS256","typ":"JWT"}, claims sub, tenant_id, roles (array, in the
// given order, duplicates dropped), iat, exp and, when set, iss and aud.
// InvalidArgument (naming the field) when `secret` fails ValidateHs256Secret (jwt_claims.h), or a
// request field breaks the rules above; Internal if libjwt fails.
Result<std::string> MintHs256(std::string_view secret, const MintRequest& request);

}  // namespace steward::auth
