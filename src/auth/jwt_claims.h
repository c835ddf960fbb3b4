#pragma once
// The JWT wire vocabulary Steward speaks (SPEC §3), defined once for minting and verifying, and
// the checks both sides share. Pure functions; thread-safe.

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace steward::auth {

// Claim names.
inline constexpr std::string_view kClaimSubject = "sub";
inline constexpr std::string_view kClaimTenantId = "tenant_id";
inline constexpr std::string_view kClaimCustomTenantId = "custom:tenant_id";  // Cognito style
inline constexpr std::string_view kClaimRoles = "roles";                      // array of role names
inline constexpr std::string_view kClaimRole = "role";                        // one role name
inline constexpr std::string_view kClaimIssuedAt = "iat";
inline constexpr std::string_view kClaimExpires = "exp";
inline constexpr std::string_view kClaimNotBefore = "nbf";
inline constexpr std::string_view kClaimIssuer = "iss";
inline constexpr std::string_view kClaimAudience = "aud";

// Algorithm names of the JOSE header.
inline constexpr std::string_view kAlgHs256 = "HS256";
inline constexpr std::string_view kAlgRs256 = "RS256";
inline constexpr std::string_view kAlgEs256 = "ES256";

// Tokens longer than this are refused before any parsing.
inline constexpr size_t kMaxTokenBytes = 8 * 1024;
// RFC 7518 §3.2: an HS256 key MUST be at least as long as the hash output (256 bits).
inline constexpr size_t kMinHs256SecretBytes = 32;
// Longest accepted `sub`.
inline constexpr size_t kMaxSubjectBytes = 256;

// OK, or InvalidArgument when `secret` is shorter than kMinHs256SecretBytes or looks like a PEM
// document (a public key configured as a shared secret is the algorithm-confusion hole).
Status ValidateHs256Secret(std::string_view secret);

// True when `subject` is 1..kMaxSubjectBytes bytes without ASCII control characters.
bool IsValidSubject(std::string_view subject);

}  // namespace steward::auth
