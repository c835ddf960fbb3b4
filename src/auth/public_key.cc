#include "auth/public_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>

#include "common/crypto.h"
#include "common/json.h"

namespace steward::auth {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr char kP256GroupName[] = "prime256v1";
constexpr size_t kP256CoordinateBytes = 32;

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpPkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ParamDeleter>;

// OpenSSL keeps a per-thread error queue; a failure we turn into a Status must not linger there
// and confuse the next unrelated OpenSSL caller on this thread.
Status Fail(const std::string& source, const std::string& what) {
  ERR_clear_error();
  return Status::InvalidArgument(source + ": " + what);
}

// Strict base64url: no padding, canonical trailing bits.
bool DecodeB64Url(std::string_view text, std::string* out) {
  if (text.empty() || text.find('=') != std::string_view::npos) return false;
  if (!Base64UrlDecode(text, out)) return false;
  return Base64UrlEncode(*out) == text;
}

EvpPkeyPtr FromParams(const char* key_type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  if (!params) return nullptr;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, key_type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  return EvpPkeyPtr(raw);
}

EvpPkeyPtr RsaFromJwk(const std::string& n, const std::string& e) {
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()),
                       nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()),
                       nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld) return nullptr;
  if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  return FromParams("RSA", bld.get());
}

EvpPkeyPtr P256FromJwk(const std::string& x, const std::string& y) {
  // SEC 1 uncompressed point: 0x04 || X || Y.
  std::string point(1, '\x04');
  point += x;
  point += y;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return nullptr;
  if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return FromParams("EC", bld.get());
}

// A JWK member that must be a string when present; sets *present.
Status OptionalJwkString(const Json& jwk, const char* name, const std::string& where,
                         std::string* out, bool* present) {
  auto it = jwk.find(name);
  *present = it != jwk.end();
  if (!*present) return Status::Ok();
  if (!it->is_string()) return Fail(where, std::string("\"") + name + "\" must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

// A required base64url JWK member, decoded.
Status JwkBytes(const Json& jwk, const char* name, const std::string& where, std::string* out) {
  std::string text;
  bool present = false;
  STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, name, where, &text, &present));
  if (!present) return Fail(where, std::string("missing \"") + name + "\"");
  if (!DecodeB64Url(text, out)) {
    return Fail(where, std::string("\"") + name + "\" is not base64url");
  }
  return Status::Ok();
}

}  // namespace

// Turns a parsed OpenSSL key into a PublicKey, enforcing the accepted key types.
class PublicKeyBuilder {
 public:
  static Result<PublicKey> Build(EvpPkeyPtr pkey, std::string kid, std::string source) {
    KeyAlg alg;
    switch (EVP_PKEY_get_base_id(pkey.get())) {
      case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(pkey.get()) < kMinRsaBits) {
          return Fail(source,
                      "RSA keys must have at least " + std::to_string(kMinRsaBits) + " bits");
        }
        alg = KeyAlg::kRs256;
        break;
      case EVP_PKEY_EC: {
        char group[64] = {0};
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof(group), &len) != 1 ||
            std::string_view(group, len) != kP256GroupName) {
          return Fail(source, "EC keys must be on curve P-256 (ES256)");
        }
        alg = KeyAlg::kEs256;
        break;
      }
      default:
        return Fail(source, "only RSA (RS256) and EC P-256 (ES256) public keys are supported");
    }
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      return Fail(source, "the public key fails validation");
    }
    return PublicKey(alg, PublicKey::KeyPtr(pkey.release()), std::move(kid), std::move(source));
  }
};

void PublicKey::KeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

bool PublicKey::VerifySignature(std::string_view signing_input, std::string_view signature) const {
  std::string der;  // what EVP expects for ECDSA
  if (alg_ == KeyAlg::kEs256) {
    if (signature.size() != 2 * kP256CoordinateBytes) return false;
    const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(raw, kP256CoordinateBytes, nullptr);
    BIGNUM* s = BN_bin2bn(raw + kP256CoordinateBytes, kP256CoordinateBytes, nullptr);
    if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
      BN_free(r);
      BN_free(s);
      ECDSA_SIG_free(sig);
      ERR_clear_error();
      return false;
    }
    int len = i2d_ECDSA_SIG(sig, nullptr);
    if (len > 0) {
      der.resize(static_cast<size_t>(len));
      auto* out = reinterpret_cast<unsigned char*>(der.data());
      len = i2d_ECDSA_SIG(sig, &out);
    }
    ECDSA_SIG_free(sig);  // owns r and s now
    if (len <= 0) {
      ERR_clear_error();
      return false;
    }
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signing_input.data()),
                             signing_input.size()) == 1;
  ERR_clear_error();  // a failed check leaves entries on this thread's queue
  return ok;
}

std::string_view KeyAlgName(KeyAlg alg) {
  return alg == KeyAlg::kRs256 ? std::string_view("RS256") : std::string_view("ES256");
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem, std::string kid, std::string source) {
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
    return Fail(source, "expected a \"-----BEGIN PUBLIC KEY-----\" PEM block");
  }
  BioPtr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!in) return Status::Internal(source + ": out of memory");
  EvpPkeyPtr pkey(PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr));
  if (!pkey) return Fail(source, "cannot parse the PEM public key");
  return PublicKeyBuilder::Build(std::move(pkey), std::move(kid), std::move(source));
}

Result<std::vector<PublicKey>> PublicKey::FromJwks(std::string_view jwks_json, std::string source) {
  auto doc = ParseJsonObject(jwks_json);
  if (!doc.ok()) return Fail(source, "not a JSON object");
  auto keys = doc->find("keys");
  if (keys == doc->end() || !keys->is_array()) return Fail(source, "missing \"keys\" array");

  std::vector<PublicKey> out;
  for (size_t i = 0; i < keys->size(); ++i) {
    const Json& jwk = (*keys)[i];
    std::string where = source + " keys[" + std::to_string(i) + "]";
    if (!jwk.is_object()) return Fail(where, "not a JSON object");
    std::string kty, use, alg, kid, crv;
    bool has_kty = false, has_use = false, has_alg = false, has_kid = false, has_crv = false;
    STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, "kty", where, &kty, &has_kty));
    STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, "use", where, &use, &has_use));
    STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, "alg", where, &alg, &has_alg));
    STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, "kid", where, &kid, &has_kid));
    STEWARD_RETURN_IF_ERROR(OptionalJwkString(jwk, "crv", where, &crv, &has_crv));
    if (!has_kty) return Fail(where, "missing \"kty\"");
    if (has_use && use != "sig") continue;

    EvpPkeyPtr pkey;
    if (kty == "RSA") {
      if (has_alg && alg != KeyAlgName(KeyAlg::kRs256)) continue;
      std::string n, e;
      STEWARD_RETURN_IF_ERROR(JwkBytes(jwk, "n", where, &n));
      STEWARD_RETURN_IF_ERROR(JwkBytes(jwk, "e", where, &e));
      pkey = RsaFromJwk(n, e);
    } else if (kty == "EC") {
      if (has_alg && alg != KeyAlgName(KeyAlg::kEs256)) continue;
      if (!has_crv) return Fail(where, "missing \"crv\"");
      if (crv != "P-256") continue;
      std::string x, y;
      STEWARD_RETURN_IF_ERROR(JwkBytes(jwk, "x", where, &x));
      STEWARD_RETURN_IF_ERROR(JwkBytes(jwk, "y", where, &y));
      if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes) {
        return Fail(where, "P-256 coordinates must be 32 bytes");
      }
      pkey = P256FromJwk(x, y);
    } else {
      continue;  // "oct" and others: Steward takes no symmetric keys from a JWKS.
    }
    if (!pkey) return Fail(where, "the key parameters are invalid");
    STEWARD_ASSIGN_OR_RETURN(PublicKey key,
                             PublicKeyBuilder::Build(std::move(pkey), std::move(kid), where));
    out.push_back(std::move(key));
  }
  if (out.empty()) return Fail(source, "no usable RS256 or ES256 key");
  return out;
}

}  // namespace steward::auth
