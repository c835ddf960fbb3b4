// Fuzz target: JWT verification (auth/jwt_verifier.h) and public-key loading (auth/public_key.h).
//
// Input: a mode byte, then the mode's text:
//   T<token>        a bearer token as sent (any other first byte: the whole input is the token);
//   H<header>\n<claims>   two JSON texts, base64url-encoded and signed here with the HS256
//                   secret, so the claim rules behind the signature check are reached;
//   E<header>\n<claims>   the same, signed ES256 with the EC key of this process;
//   R<header>\n<claims>   the same, signed RS256 with the RSA key of this process;
//   K<jwks>         a JWK Set document (PublicKey::FromJwks);
//   P<pem>          a PEM document (PublicKey::FromPem).
// Tokens go to two verifiers (with and without issuer/audience checks) whose "now" is fixed at
// kNowMs (2027-01-15T08:00:00Z), so seeds minted for that time stay valid.
// Properties:
//   - an accepted token yields a principal that obeys the header contract of jwt_verifier.h
//     (valid subject and tenant id, sorted known roles, `highest` their maximum, not expired);
//   - a token signed here with the key its header names (ES256/RS256, kid "ec-1"/"rsa-1") is
//     never refused for its signature.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "auth/jwt_claims.h"
#include "auth/jwt_verifier.h"
#include "auth/public_key.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "fuzz/fuzz_util.h"

namespace {

using steward::fuzz::Fail;

// 2027-01-15T08:00:00Z; the seeds' iat/exp are around it.
constexpr int64_t kNowMs = 1800000000000;
// The HS256 secret of the seeds (the same as the auth tests').
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test";
constexpr char kIssuer[] = "steward-fuzz";
constexpr char kAudience[] = "steward-api";
constexpr int kRsaBits = 2048;
constexpr size_t kP256CoordinateBytes = 32;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

// SHA-256 signature of `input`: PKCS#1 v1.5 for RSA, DER ECDSA for EC.
std::string Sign(EVP_PKEY* key, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, in, input.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                       input.size()) != 1) {
      len = 0;
    }
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (sig.empty()) Fail("cannot sign", "EVP_DigestSign failed");
  return sig;
}

// DER ECDSA-Sig-Value -> the JWS form r || s.
std::string DerToRaw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(2 * kP256CoordinateBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, kP256CoordinateBytes);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + kP256CoordinateBytes, kP256CoordinateBytes);
  ECDSA_SIG_free(sig);
  return raw;
}

struct Fixture {
  steward::ManualClock clock{kNowMs};
  PkeyPtr ec_key{EVP_EC_gen("P-256")};
  PkeyPtr rsa_key{EVP_RSA_gen(kRsaBits)};
  std::unique_ptr<steward::auth::JwtVerifier> plain;    // secret and keys only
  std::unique_ptr<steward::auth::JwtVerifier> checked;  // + issuer and audience

  Fixture() {
    if (!ec_key || !rsa_key) Fail("cannot generate keys", "EVP_EC_gen/EVP_RSA_gen");
    steward::auth::VerifierOptions o;
    o.hs256_secret = kSecret;
    o.public_key_pems = {{PublicPem(ec_key.get()), "ec-1"}, {PublicPem(rsa_key.get()), "rsa-1"}};
    auto plain_or = steward::auth::JwtVerifier::Create(o, &clock);
    o.issuer = kIssuer;
    o.audience = kAudience;
    auto checked_or = steward::auth::JwtVerifier::Create(o, &clock);
    if (!plain_or.ok() || !checked_or.ok()) Fail("cannot create the verifiers", "Create");
    plain = std::move(plain_or).value();
    checked = std::move(checked_or).value();
  }
};

const Fixture& F() {
  static const Fixture* fixture = new Fixture();
  return *fixture;
}

void CheckPrincipal(const steward::auth::Principal& p, std::string_view token) {
  using steward::auth::Role;
  if (!steward::auth::IsValidSubject(p.subject)) Fail("accepted an invalid subject", token);
  if (!steward::IsValidId(p.tenant_id)) Fail("accepted an invalid tenant id", token);
  if (p.roles.empty() || !std::is_sorted(p.roles.begin(), p.roles.end()) ||
      std::adjacent_find(p.roles.begin(), p.roles.end()) != p.roles.end() ||
      p.highest != p.roles.back()) {
    Fail("roles are not sorted, unique and non-empty", token);
  }
  if (p.expires_at_ms + 60000 <= kNowMs) Fail("accepted an expired token", token);
}

void VerifyToken(std::string_view token) {
  for (const auto* v : {F().plain.get(), F().checked.get()}) {
    auto principal = v->Verify(token);
    if (principal.ok()) {
      CheckPrincipal(*principal, token);
    } else if (principal.status().code() != steward::Code::kUnauthenticated) {
      Fail("a refusal that is not Unauthenticated", principal.status().ToString());
    }
  }
}

// Signs header.claims with the mode's key; `alg` is the algorithm that key verifies.
void SignAndVerify(char mode, std::string_view rest) {
  std::string_view header = steward::fuzz::NextLine(&rest);
  std::string input = steward::Base64UrlEncode(header) + "." + steward::Base64UrlEncode(rest);
  std::string sig;
  std::string_view alg;
  if (mode == 'H') {
    sig = steward::HmacSha256(kSecret, input);
    alg = "HS256";
  } else if (mode == 'E') {
    sig = DerToRaw(Sign(F().ec_key.get(), input));
    alg = "ES256";
  } else {
    sig = Sign(F().rsa_key.get(), input);
    alg = "RS256";
  }
  const std::string token = input + "." + steward::Base64UrlEncode(sig);
  VerifyToken(token);
  if (mode == 'H') return;  // libjwt re-parses HS256 tokens with its own JSON parser
  auto h = steward::ParseJsonObject(header);
  if (!h.ok()) return;
  auto a = h->find("alg");
  if (a == h->end() || !a->is_string() || a->get<std::string>() != alg) return;
  auto refusal = F().plain->Verify(token);
  if (!refusal.ok() && refusal.status().message() == "token signature is invalid") {
    Fail("a correctly signed token was refused for its signature", token);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)F();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const char mode = input[0];
  std::string_view rest = input.substr(1);
  switch (mode) {
    case 'H':
    case 'E':
    case 'R':
      SignAndVerify(mode, rest);
      break;
    case 'K':
      (void)steward::auth::PublicKey::FromJwks(rest, "fuzz");
      break;
    case 'P':
      (void)steward::auth::PublicKey::FromPem(rest, "", "fuzz");
      break;
    case 'T':
      VerifyToken(rest);
      break;
    default:
      VerifyToken(input);
      break;
  }
  return 0;
}
