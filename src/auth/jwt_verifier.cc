#include "auth/jwt_verifier.h"

#include <jwt.h>
#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "auth/jwt_claims.h"
#include "auth/public_key.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"

namespace steward::auth {
namespace {

constexpr int64_t kMaxClockSkewMs = 3600 * 1000;
// Key files are small; anything bigger is a misconfiguration, not a key.
constexpr std::streamsize kMaxKeyFileBytes = 1 << 20;
// NumericDate bounds (seconds): 0 .. 9999-12-31T23:59:59Z.
constexpr double kMaxNumericDate = 253402300799.0;
constexpr size_t kEs256SignatureBytes = 64;  // raw r || s (RFC 7518 §3.4)

enum class Alg { kHs256, kRs256, kEs256 };

struct Header {
  Alg alg;
  std::optional<std::string> kid;
};

Status Unauth(std::string msg) { return Status::Unauthenticated(std::move(msg)); }

// Strict base64url (RFC 7515 §2): no padding and canonical trailing bits, so one token has
// exactly one spelling.
bool DecodePart(std::string_view text, std::string* out) {
  if (text.find('=') != std::string_view::npos) return false;
  if (!Base64UrlDecode(text, out)) return false;
  return Base64UrlEncode(*out) == text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Result<Header> ParseHeader(std::string_view part) {
  std::string text;
  if (part.empty() || !DecodePart(part, &text)) return Unauth("malformed token header");
  auto json = ParseJsonObject(text);
  if (!json.ok()) return Unauth("malformed token header");

  auto alg_it = json->find("alg");
  if (alg_it == json->end() || !alg_it->is_string()) return Unauth("token header has no alg");
  const std::string& alg = alg_it->get_ref<const std::string&>();
  Header header{Alg::kHs256, std::nullopt};
  if (EqualsIgnoreCase(alg, "none")) return Unauth("unsigned tokens (alg none) are not accepted");
  if (alg == kAlgHs256) {
    header.alg = Alg::kHs256;
  } else if (alg == kAlgRs256) {
    header.alg = Alg::kRs256;
  } else if (alg == kAlgEs256) {
    header.alg = Alg::kEs256;
  } else {
    return Unauth("unsupported token algorithm (accepted: HS256, RS256, ES256)");
  }
  if (json->contains("crit")) return Unauth("token header has a crit parameter (unsupported)");
  // libjwt 1.10, which verifies HS256, refuses any other typ; saying so here gives a clear reason.
  // RS256/ES256 tokens (verified with OpenSSL) may carry any typ, e.g. "at+jwt" (RFC 9068).
  if (auto typ = json->find("typ"); header.alg == Alg::kHs256 && typ != json->end()) {
    if (!typ->is_string() || !EqualsIgnoreCase(typ->get_ref<const std::string&>(), "JWT")) {
      return Unauth("token typ must be JWT");
    }
  }
  if (auto kid = json->find("kid"); kid != json->end()) {
    if (!kid->is_string()) return Unauth("malformed kid in token header");
    header.kid = kid->get<std::string>();
  }
  return header;
}

// True when libjwt verifies `token` with the HS256 `secret` and agrees the token is HS256.
// libjwt uses whatever alg the header names; the caller chose the secret because our own parse
// said HS256, and the jwt_get_alg check closes any gap between libjwt's header parser and ours.
bool LibjwtVerifiesHs256(const std::string& token, std::string_view secret) {
  jwt_t* jwt = nullptr;
  int rc = jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                      static_cast<int>(secret.size()));
  bool ok = rc == 0 && jwt != nullptr && jwt_get_alg(jwt) == JWT_ALG_HS256;
  if (jwt != nullptr) jwt_free(jwt);
  ERR_clear_error();  // a failed verification leaves entries on this thread's OpenSSL queue
  return ok;
}

// A NumericDate claim (seconds, possibly fractional) in ms; false when not a number in range.
bool NumericDateMs(const Json& value, int64_t* ms) {
  if (!value.is_number()) return false;
  double seconds = value.get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) return false;
  *ms = static_cast<int64_t>(std::floor(seconds * 1000.0));
  return true;
}

Status CheckTimes(const Json& claims, int64_t now_ms, int64_t skew_ms, int64_t* expires_at_ms) {
  auto exp = claims.find(kClaimExpires);
  if (exp == claims.end()) return Unauth("token has no exp claim");
  if (!NumericDateMs(*exp, expires_at_ms)) return Unauth("malformed exp claim");
  if (now_ms >= *expires_at_ms + skew_ms) return Unauth("token has expired");
  if (auto nbf = claims.find(kClaimNotBefore); nbf != claims.end()) {
    int64_t nbf_ms = 0;
    if (!NumericDateMs(*nbf, &nbf_ms)) return Unauth("malformed nbf claim");
    if (now_ms + skew_ms < nbf_ms) return Unauth("token is not valid yet (nbf)");
  }
  return Status::Ok();
}

Status CheckIssuerAudience(const Json& claims, const std::string& issuer,
                           const std::string& audience) {
  if (!issuer.empty()) {
    auto iss = claims.find(kClaimIssuer);
    if (iss == claims.end()) return Unauth("token has no iss claim");
    if (!iss->is_string() || iss->get_ref<const std::string&>() != issuer) {
      return Unauth("token issuer is not accepted");
    }
  }
  if (!audience.empty()) {
    auto aud = claims.find(kClaimAudience);
    if (aud == claims.end()) return Unauth("token has no aud claim");
    bool match = false;
    if (aud->is_string()) {
      match = aud->get_ref<const std::string&>() == audience;
    } else if (aud->is_array()) {
      match = std::any_of(aud->begin(), aud->end(), [&](const Json& a) {
        return a.is_string() && a.get_ref<const std::string&>() == audience;
      });
    }
    if (!match) return Unauth("token audience is not accepted");
  }
  return Status::Ok();
}

Status ReadTenant(const Json& claims, std::string* tenant_id) {
  std::optional<std::string> found;
  for (std::string_view name : {kClaimTenantId, kClaimCustomTenantId}) {
    auto it = claims.find(name);
    if (it == claims.end()) continue;
    if (!it->is_string()) return Unauth("malformed " + std::string(name) + " claim");
    const std::string& value = it->get_ref<const std::string&>();
    if (found && *found != value) return Unauth("token carries two different tenant ids");
    found = value;
  }
  if (!found) return Unauth("token has no tenant_id claim");
  if (!IsValidId(*found)) return Unauth("token tenant_id is not a valid id");
  *tenant_id = std::move(*found);
  return Status::Ok();
}

// Adds the known roles named by claim `name` (a string or an array of strings) to `roles`.
Status CollectRoles(const Json& claims, std::string_view name, std::set<Role>* roles) {
  auto it = claims.find(name);
  if (it == claims.end()) return Status::Ok();
  auto add = [&](const Json& v) {
    if (!v.is_string()) return false;
    if (auto role = ParseRole(v.get_ref<const std::string&>())) roles->insert(*role);
    return true;
  };
  if (it->is_array()) {
    for (const Json& v : *it) {
      if (!add(v)) return Unauth("malformed " + std::string(name) + " claim");
    }
    return Status::Ok();
  }
  if (!add(*it)) return Unauth("malformed " + std::string(name) + " claim");
  return Status::Ok();
}

// The signature step. The algorithm parsed from the header chooses the key material; the token
// never supplies it.
Status CheckSignature(const Header& header, std::string_view token, std::string_view signing_input,
                      const std::string& signature, const std::string& hs256_secret,
                      const std::vector<PublicKey>& keys) {
  if (header.alg == Alg::kHs256) {
    if (hs256_secret.empty()) return Unauth("HS256 tokens are not accepted by this server");
    if (!LibjwtVerifiesHs256(std::string(token), hs256_secret)) {
      return Unauth("token signature is invalid");
    }
    return Status::Ok();
  }
  KeyAlg key_alg = header.alg == Alg::kRs256 ? KeyAlg::kRs256 : KeyAlg::kEs256;
  std::vector<const PublicKey*> candidates;
  auto collect = [&](auto&& match) {
    for (const PublicKey& key : keys) {
      if (key.alg() == key_alg && match(key)) candidates.push_back(&key);
    }
  };
  if (header.kid) collect([&](const PublicKey& k) { return k.kid() == *header.kid; });
  if (candidates.empty()) {
    collect([&](const PublicKey& k) { return !header.kid || k.kid().empty(); });
  }
  if (candidates.empty()) {
    return Unauth("no configured " + std::string(KeyAlgName(key_alg)) + " key matches the token");
  }
  bool verified = std::any_of(candidates.begin(), candidates.end(), [&](const PublicKey* key) {
    return key->VerifySignature(signing_input, signature);
  });
  if (!verified) return Unauth("token signature is invalid");
  return Status::Ok();
}

// The claim rules of the header comment, applied to a token whose signature is good.
Result<Principal> PrincipalFromClaims(const Json& claims, int64_t now_ms, int64_t skew_ms,
                                      const std::string& issuer, const std::string& audience) {
  Principal principal;
  STEWARD_RETURN_IF_ERROR(CheckTimes(claims, now_ms, skew_ms, &principal.expires_at_ms));
  STEWARD_RETURN_IF_ERROR(CheckIssuerAudience(claims, issuer, audience));

  auto sub = claims.find(kClaimSubject);
  if (sub == claims.end()) return Unauth("token has no sub claim");
  if (!sub->is_string() || !IsValidSubject(sub->get_ref<const std::string&>())) {
    return Unauth("malformed sub claim");
  }
  principal.subject = sub->get<std::string>();
  STEWARD_RETURN_IF_ERROR(ReadTenant(claims, &principal.tenant_id));

  std::set<Role> roles;
  STEWARD_RETURN_IF_ERROR(CollectRoles(claims, kClaimRoles, &roles));
  STEWARD_RETURN_IF_ERROR(CollectRoles(claims, kClaimRole, &roles));
  if (roles.empty()) return Unauth("token carries no known role");
  principal.roles.assign(roles.begin(), roles.end());
  principal.highest = principal.roles.back();
  return principal;
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read key file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (in.bad()) return Status::InvalidArgument("cannot read key file " + path);
  if (static_cast<std::streamsize>(text.size()) > kMaxKeyFileBytes) {
    return Status::InvalidArgument("key file " + path + " is larger than 1 MiB");
  }
  return text;
}

}  // namespace

struct JwtVerifier::State {
  std::string hs256_secret;
  std::vector<PublicKey> keys;
  std::string issuer;
  std::string audience;
  int64_t clock_skew_ms = 0;
  const Clock* clock = nullptr;
};

// Accepted tokens: the principal and the time claims (exp, nbf) to check again on every use.
struct JwtVerifier::Remembered {
  struct Entry {
    Principal principal;
    Json times;  // {"exp": …, "nbf": …} as in the token
  };
  std::mutex mu;
  std::unordered_map<std::string, Entry> entries;  // GUARDED_BY(mu)
};

JwtVerifier::JwtVerifier(std::unique_ptr<const State> state)
    : state_(std::move(state)), remembered_(std::make_unique<Remembered>()) {}
JwtVerifier::~JwtVerifier() = default;

size_t JwtVerifier::public_key_count() const { return state_->keys.size(); }

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(const VerifierOptions& options,
                                                         const Clock* clock) {
  auto state = std::make_unique<State>();
  state->clock = clock != nullptr ? clock : SystemClock::Default();
  if (options.clock_skew_ms < 0 || options.clock_skew_ms > kMaxClockSkewMs) {
    return Status::InvalidArgument("clock_skew_ms must be between 0 and 3600000");
  }
  state->clock_skew_ms = options.clock_skew_ms;
  state->issuer = options.issuer;
  state->audience = options.audience;
  if (!options.hs256_secret.empty()) {
    STEWARD_RETURN_IF_ERROR(ValidateHs256Secret(options.hs256_secret));
    state->hs256_secret = options.hs256_secret;
  }
  for (const std::string& path : options.public_key_pem_files) {
    STEWARD_ASSIGN_OR_RETURN(std::string pem, ReadKeyFile(path));
    STEWARD_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromPem(pem, "", path));
    state->keys.push_back(std::move(key));
  }
  for (size_t i = 0; i < options.public_key_pems.size(); ++i) {
    const PublicKeyPem& p = options.public_key_pems[i];
    STEWARD_ASSIGN_OR_RETURN(
        PublicKey key,
        PublicKey::FromPem(p.pem, p.kid, "public_key_pems[" + std::to_string(i) + "]"));
    state->keys.push_back(std::move(key));
  }
  if (!options.jwks_file.empty()) {
    STEWARD_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(options.jwks_file));
    STEWARD_ASSIGN_OR_RETURN(std::vector<PublicKey> keys,
                             PublicKey::FromJwks(text, options.jwks_file));
    for (PublicKey& key : keys) state->keys.push_back(std::move(key));
  }
  if (state->hs256_secret.empty() && state->keys.empty()) {
    return Status::InvalidArgument("no JWT verification key is configured");
  }
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(state)));
}

Result<Principal> JwtVerifier::Verify(std::string_view token) const {
  if (token.empty()) return Unauth("empty token");
  if (token.size() > kMaxTokenBytes) return Unauth("token is larger than 8 KiB");
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Unauth("token is not a signed JWT (header.payload.signature)");
  }
  std::string_view payload_part = token.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view signature_part = token.substr(dot2 + 1);
  const State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(remembered_->mu);
    auto it = remembered_->entries.find(std::string(token));
    if (it != remembered_->entries.end()) {
      int64_t expires_at_ms = 0;
      STEWARD_RETURN_IF_ERROR(
          CheckTimes(it->second.times, s.clock->NowMs(), s.clock_skew_ms, &expires_at_ms));
      return it->second.principal;
    }
  }

  STEWARD_ASSIGN_OR_RETURN(Header header, ParseHeader(token.substr(0, dot1)));
  std::string payload, signature;
  if (signature_part.empty()) return Unauth("token has no signature");
  if (!DecodePart(signature_part, &signature)) return Unauth("malformed token signature");
  if (payload_part.empty() || !DecodePart(payload_part, &payload)) {
    return Unauth("malformed token payload");
  }
  if (header.alg == Alg::kEs256 && signature.size() != kEs256SignatureBytes) {
    return Unauth("malformed ES256 signature");
  }

  STEWARD_RETURN_IF_ERROR(
      CheckSignature(header, token, token.substr(0, dot2), signature, s.hs256_secret, s.keys));
  auto claims = ParseJsonObject(payload);
  if (!claims.ok()) return Unauth("malformed token payload");
  STEWARD_ASSIGN_OR_RETURN(
      Principal principal,
      PrincipalFromClaims(*claims, s.clock->NowMs(), s.clock_skew_ms, s.issuer, s.audience));
  Remembered::Entry entry{principal, Json::object()};
  for (std::string_view name : {kClaimExpires, kClaimNotBefore}) {
    auto it = claims->find(name);
    if (it != claims->end()) entry.times[std::string(name)] = *it;
  }
  std::lock_guard<std::mutex> lock(remembered_->mu);
  if (remembered_->entries.size() >= kMaxRememberedTokens) remembered_->entries.clear();
  remembered_->entries.emplace(std::string(token), std::move(entry));
  return principal;
}

}  // namespace steward::auth
