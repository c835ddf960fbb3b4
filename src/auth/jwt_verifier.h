#pragma once
// JwtVerifier: turns a bearer token into a Principal, or refuses it (SPEC §3).
//
// Accepted: compact JWS tokens of at most kMaxTokenBytes with "alg" HS256, RS256 or ES256. The
// algorithm is pinned by the key, never by the token: the header is parsed here first, HS256 is
// verified only with the configured shared secret, RS256 only with RSA keys, ES256 only with
// EC P-256 keys. Key selection for RS256/ES256: when the header has a "kid", the keys of that
// algorithm with exactly that kid, or — if there are none — the keys of that algorithm without
// a kid (PEM files); without a "kid", every key of that algorithm. Keys are never taken from the
// token ("jwk", "jku", "x5u" and "x5c" headers are ignored); a "crit" header is refused; "typ" is
// free except that an HS256 token's typ, when present, must be "JWT" (libjwt 1.10 verifies
// HS256 and insists on it).
//
// Claims, checked only after the signature: `exp` is required and must not be past (now >=
// exp + skew is expired); `nbf`, when present, must not be future (now + skew < nbf); `iat` is
// ignored; `iss` and `aud` must match when configured (`aud` may be a string or an array); `sub`
// is required (1..256 bytes, no control characters); the tenant comes from `tenant_id` or
// `custom:tenant_id` (both present must agree) and must be a valid id (common/ids.h); roles come
// from `roles` and `role` (each a string or an array of strings), unknown names are ignored and
// at least one known role is required.
//
// Every refusal is Status::Unauthenticated with a message that says what was wrong (never
// echoing token content).
//
// Thread-safe: keys and rules are immutable after Create; Verify may be called concurrently.
// Verify remembers up to kMaxRememberedTokens tokens it accepted (keyed by their exact bytes, so
// any other token, however similar, is verified in full): a repeated token skips the signature
// and claim parsing, but `exp` and `nbf` are checked against the clock on every call.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"

namespace steward::auth {

// An in-memory public key: a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), RSA of at
// least 2048 bits (RS256) or EC P-256 (ES256).
struct PublicKeyPem {
  std::string pem;
  std::string kid;  // optional; default "" (matches tokens without a kid or an unknown kid)
};

struct VerifierOptions {
  // HS256 shared secret. Default "": HS256 tokens are refused. When set: at least
  // kMinHs256SecretBytes (32) bytes and not a PEM document.
  std::string hs256_secret;
  // Paths of public key PEM files (as PublicKeyPem, without kid). Default: none.
  std::vector<std::string> public_key_pem_files;
  // In-memory public keys. Default: none.
  std::vector<PublicKeyPem> public_key_pems;
  // Path of a JWK Set file (RSA and EC P-256 keys, selected by kid). Default "": none.
  std::string jwks_file;
  // Required `iss` value. Default "": not checked.
  std::string issuer;
  // Required `aud` value (or member of the `aud` array). Default "": not checked.
  std::string audience;
  // Tolerance for `exp` and `nbf`, in ms; 0..3600000. Default 60000 (SPEC §3).
  int64_t clock_skew_ms = 60000;
};

class JwtVerifier {
 public:
  // Loads every configured key. `clock` supplies "now" for `exp`/`nbf`; nullptr means
  // SystemClock::Default(). REQUIRES: `clock` outlives the verifier.
  // InvalidArgument when no key at all is configured, the secret is too short or a PEM, a file
  // cannot be read, a PEM or JWKS key is malformed or of an unsupported type, or the skew is out
  // of range.
  static Result<std::unique_ptr<JwtVerifier>> Create(const VerifierOptions& options,
                                                     const Clock* clock);

  JwtVerifier(const JwtVerifier&) = delete;
  JwtVerifier& operator=(const JwtVerifier&) = delete;
  ~JwtVerifier();

  // The principal of `token` (the bare JWT, without "Bearer "), or Unauthenticated.
  Result<Principal> Verify(std::string_view token) const;

  // How many asymmetric keys were loaded (PEM and JWKS); for start-up logs.
  size_t public_key_count() const;

 static constexpr size_t kMaxRememberedTokens = 1024;

 private:
  struct State;
  struct Remembered;
  explicit JwtVerifier(std::unique_ptr<const State> state);

  std::unique_ptr<const State> state_;
  std::unique_ptr<Remembered> remembered_;  // accepted tokens; internally locked
};

}  // namespace steward::auth
