#pragma once
// Test helpers for the auth tests: OpenSSL key generation and token signing that do not go
// through the code under test (HS256 uses common/crypto's HMAC; RS256/ES256 use EVP directly).

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/crypto.h"
#include "common/json.h"
#include "common/status.h"

namespace steward::auth::testing {

// 2027-01-15T08:00:00Z.
inline constexpr int64_t kNowMs = 1800000000000;
inline constexpr int64_t kNowS = kNowMs / 1000;
inline const std::string kSecret = "0123456789abcdef0123456789abcdef-test";
inline const std::string kOtherSecret = "fedcba9876543210fedcba9876543210-test";

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

inline PkeyPtr GenerateRsa(int bits) {
  return PkeyPtr(EVP_RSA_gen(static_cast<unsigned int>(bits)));
}
inline PkeyPtr GenerateEc(const char* curve) { return PkeyPtr(EVP_EC_gen(curve)); }

inline std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

// EVP signature over `input` with SHA-256: PKCS#1 v1.5 for RSA, DER ECDSA for EC.
inline std::string EvpSign(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) == 1) {
    sig.resize(len);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

// DER ECDSA-Sig-Value -> JWS raw r || s (32 bytes each for P-256).
inline std::string DerToRaw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

enum class Signer { kHs256, kRs256, kEs256, kEs256Der, kNone };

// header.payload.signature; `key` for RS/ES, `secret` for HS.
inline std::string MakeToken(const Json& header, const Json& claims, Signer signer,
                             EVP_PKEY* key = nullptr, const std::string& secret = kSecret) {
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  std::string sig;
  switch (signer) {
    case Signer::kHs256:
      sig = HmacSha256(secret, input);
      break;
    case Signer::kRs256:
      sig = EvpSign(key, input);
      break;
    case Signer::kEs256:
      sig = DerToRaw(EvpSign(key, input));
      break;
    case Signer::kEs256Der:
      sig = EvpSign(key, input);
      break;
    case Signer::kNone:
      break;
  }
  return input + "." + Base64UrlEncode(sig);
}

inline Json BaseClaims() {
  return Json{{"sub", "user-1"},
              {"tenant_id", "tenant-1"},
              {"roles", Json::array({"approver"})},
              {"iat", kNowS},
              {"exp", kNowS + 3600}};
}

inline Json HeaderFor(const std::string& alg, const std::string& kid = "") {
  Json h{{"alg", alg}, {"typ", "JWT"}};
  if (!kid.empty()) h["kid"] = kid;
  return h;
}

// A JWK (public) for an RSA or P-256 key.
inline Json Jwk(EVP_PKEY* key, const std::string& kid) {
  Json jwk{{"kid", kid}};
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
    auto bytes = [](BIGNUM* bn) {
      std::string s(static_cast<size_t>(BN_num_bytes(bn)), '\0');
      BN_bn2bin(bn, reinterpret_cast<unsigned char*>(s.data()));
      return s;
    };
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(bytes(n));
    jwk["e"] = Base64UrlEncode(bytes(e));
    BN_free(n);
    BN_free(e);
  } else {
    unsigned char point[65];
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &len);
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64UrlEncode(std::string(reinterpret_cast<char*>(point + 1), 32));
    jwk["y"] = Base64UrlEncode(std::string(reinterpret_cast<char*>(point + 33), 32));
  }
  return jwk;
}

// Asserts `r` failed with Unauthenticated (and, when given, a message containing `part`).
template <typename T>
::testing::AssertionResult IsUnauthenticated(const Result<T>& r, const std::string& part = "") {
  if (r.ok()) return ::testing::AssertionFailure() << "expected Unauthenticated, got OK";
  if (r.status().code() != Code::kUnauthenticated) {
    return ::testing::AssertionFailure()
           << "expected Unauthenticated, got " << r.status().ToString();
  }
  if (!part.empty() && r.status().message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message '" << r.status().message() << "' lacks '" << part << "'";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace steward::auth::testing
