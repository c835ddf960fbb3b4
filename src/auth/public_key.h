#pragma once
// PublicKey: one asymmetric JWT verification key, loaded from a PEM document or a JWKS entry.
//
// A key's type pins the one algorithm it verifies — an RSA key (at least 2048 bits) verifies
// RS256 only, an EC key on P-256 verifies ES256 only — which is how JwtVerifier shuts out
// algorithm confusion. Keys are validated with OpenSSL's public-key check when loaded and parsed
// once, so verifying a signature costs only the signature check.
//
// Move-only; immutable once built, and VerifySignature may be called concurrently.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace steward::auth {

enum class KeyAlg { kRs256, kEs256 };

// "RS256" or "ES256".
std::string_view KeyAlgName(KeyAlg alg);

class PublicKey {
 public:
  // Parses the first SubjectPublicKeyInfo PEM block ("-----BEGIN PUBLIC KEY-----") of `pem`.
  // `kid` may be empty; `source` names the key in error messages (a path, "public_key_pems[0]").
  // InvalidArgument when there is no such block, or the key is neither RSA of at least 2048 bits
  // nor EC on P-256, or fails OpenSSL's public-key check.
  static Result<PublicKey> FromPem(std::string_view pem, std::string kid, std::string source);

  // Parses a JWK Set document ({"keys": [...]}, RFC 7517): "kty":"RSA" keys with "n" and "e", and
  // "kty":"EC" keys with "crv":"P-256", "x" and "y", each with an optional "kid". Entries that
  // cannot be RS256/ES256 signature keys are skipped: other "kty" values (including symmetric
  // "oct"), "use" other than "sig", an "alg" other than the one the key type pins, other
  // curves. InvalidArgument when the document is not such a set, a supported entry is malformed,
  // or no entry is usable.
  static Result<std::vector<PublicKey>> FromJwks(std::string_view jwks_json, std::string source);

  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  ~PublicKey() = default;

  // True when `signature`, in JWS form (RFC 7518: PKCS#1 v1.5 for RS256, the raw 64-byte r || s
  // for ES256), is valid over `signing_input` ("header.payload") with SHA-256 under this key.
  // False for any malformed signature. Leaves no entries on OpenSSL's error queue.
  bool VerifySignature(std::string_view signing_input, std::string_view signature) const;

  KeyAlg alg() const { return alg_; }
  // Empty when the key has none.
  const std::string& kid() const { return kid_; }
  // Where the key came from: a path, "public_key_pems[0]", "<jwks path> keys[2]".
  const std::string& source() const { return source_; }

 private:
  struct KeyDeleter {
    void operator()(evp_pkey_st* key) const;
  };
  using KeyPtr = std::unique_ptr<evp_pkey_st, KeyDeleter>;

  PublicKey(KeyAlg alg, KeyPtr key, std::string kid, std::string source)
      : alg_(alg), key_(std::move(key)), kid_(std::move(kid)), source_(std::move(source)) {}

  friend class PublicKeyBuilder;

  KeyAlg alg_;
  KeyPtr key_;
  std::string kid_;
  std::string source_;
};

}  // namespace steward::auth
