// Roles, HS256 verification, claim rules, malformed tokens and minting.
// RS256/ES256/JWKS and key configuration: jwt_asym_test.cc.

#include <gtest/gtest.h>

#include "auth/jwt_claims.h"
#include "auth/jwt_mint.h"
#include "auth/jwt_test_util.h"
#include "auth/jwt_verifier.h"
#include "auth/roles.h"
#include "common/clock.h"

namespace steward::auth {
namespace {

using testing::BaseClaims;
using testing::HeaderFor;
using testing::IsUnauthenticated;
using testing::kNowMs;
using testing::kNowS;
using testing::kSecret;
using testing::MakeToken;
using testing::Signer;

// ---------------------------------------------------------------- roles

TEST(Roles, WireNamesRoundTrip) {
  for (Role r : {Role::kViewer, Role::kAgent, Role::kApprover, Role::kOperator, Role::kAdmin,
                 Role::kPlatformAdmin}) {
    auto parsed = ParseRole(RoleName(r));
    ASSERT_TRUE(parsed.has_value()) << RoleName(r);
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_STREQ(RoleName(Role::kPlatformAdmin), "platform_admin");
  EXPECT_EQ(ParseRole("operator"), Role::kOperator);
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("admin ").has_value());
}

TEST(Roles, ChainIsOrdered) {
  EXPECT_LT(Role::kViewer, Role::kAgent);
  EXPECT_LT(Role::kAgent, Role::kApprover);
  EXPECT_LT(Role::kApprover, Role::kOperator);
  EXPECT_LT(Role::kOperator, Role::kAdmin);
  const Role chain[] = {Role::kViewer, Role::kAgent, Role::kApprover, Role::kOperator,
                        Role::kAdmin};
  for (Role held : chain) {
    for (Role required : chain) {
      EXPECT_EQ(RoleIncludes(held, required), held >= required)
          << RoleName(held) << " vs " << RoleName(required);
    }
    EXPECT_FALSE(RoleIncludes(held, Role::kPlatformAdmin)) << RoleName(held);
    EXPECT_TRUE(RoleIncludes(Role::kPlatformAdmin, held)) << RoleName(held);
  }
  EXPECT_TRUE(RoleIncludes(Role::kPlatformAdmin, Role::kPlatformAdmin));
}

TEST(Roles, HasRole) {
  Principal p;
  EXPECT_FALSE(HasRole(p, Role::kViewer));  // no roles at all
  p.roles = {Role::kApprover};
  EXPECT_TRUE(HasRole(p, Role::kViewer));
  EXPECT_TRUE(HasRole(p, Role::kAgent));
  EXPECT_TRUE(HasRole(p, Role::kApprover));
  EXPECT_FALSE(HasRole(p, Role::kOperator));
  p.roles = {Role::kAdmin};
  EXPECT_TRUE(HasRole(p, Role::kOperator));
  EXPECT_FALSE(HasRole(p, Role::kPlatformAdmin));
  p.roles = {Role::kPlatformAdmin};
  EXPECT_TRUE(HasRole(p, Role::kAdmin));
  EXPECT_TRUE(HasRole(p, Role::kPlatformAdmin));
  p.roles = {Role::kViewer, Role::kOperator};
  EXPECT_TRUE(HasRole(p, Role::kApprover));
}

// ---------------------------------------------------------------- HS256 verification

class HsVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VerifierOptions o;
    o.hs256_secret = kSecret;
    auto v = JwtVerifier::Create(o, &clock_);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    verifier_ = std::move(v).value();
  }
  Result<Principal> VerifyClaims(const Json& claims) {
    return verifier_->Verify(MakeToken(HeaderFor("HS256"), claims, Signer::kHs256));
  }

  ManualClock clock_{kNowMs};
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(HsVerifierTest, ValidToken) {
  auto p = VerifyClaims(BaseClaims());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "user-1");
  EXPECT_EQ(p->tenant_id, "tenant-1");
  EXPECT_EQ(p->roles, std::vector<Role>{Role::kApprover});
  EXPECT_EQ(p->highest, Role::kApprover);
  EXPECT_EQ(p->expires_at_ms, (kNowS + 3600) * 1000);
  // No typ header is fine too.
  auto no_typ = verifier_->Verify(MakeToken(Json{{"alg", "HS256"}}, BaseClaims(), Signer::kHs256));
  EXPECT_TRUE(no_typ.ok()) << no_typ.status().ToString();
}

TEST_F(HsVerifierTest, WrongSecretOrTamperedPayload) {
  EXPECT_TRUE(IsUnauthenticated(
      verifier_->Verify(MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256, nullptr,
                                  testing::kOtherSecret)),
      "signature"));
  std::string good = MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256);
  Json forged = BaseClaims();
  forged["roles"] = Json::array({"admin"});
  std::string other = MakeToken(HeaderFor("HS256"), forged, Signer::kHs256, nullptr, "x");
  std::string spliced = good.substr(0, good.find('.')) +
                        other.substr(other.find('.'), other.rfind('.') - other.find('.')) +
                        good.substr(good.rfind('.'));
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(spliced), "signature"));
}

TEST_F(HsVerifierTest, AlgNoneRejected) {
  for (const char* alg : {"none", "None", "NONE"}) {
    Json h{{"alg", alg}, {"typ", "JWT"}};
    EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(MakeToken(h, BaseClaims(), Signer::kNone)),
                                  "alg none"));
    // With a (valid HMAC) signature attached it is still refused.
    EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(MakeToken(h, BaseClaims(), Signer::kHs256)),
                                  "alg none"));
  }
}

TEST_F(HsVerifierTest, ExpiryAndSkew) {
  Json c = BaseClaims();
  c.erase("exp");
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no exp"));
  c["exp"] = "tomorrow";
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed exp"));
  c["exp"] = kNowS - 61;  // beyond the 60 s skew
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "expired"));
  c["exp"] = kNowS - 30;  // within the skew
  EXPECT_TRUE(VerifyClaims(c).ok());
  c["exp"] = static_cast<double>(kNowS) + 0.5;  // fractional NumericDate
  EXPECT_TRUE(VerifyClaims(c).ok());
  // Expires later as the clock moves on.
  c["exp"] = kNowS + 10;
  std::string token = MakeToken(HeaderFor("HS256"), c, Signer::kHs256);
  EXPECT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(70 * 1000);
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(token), "expired"));
}

TEST_F(HsVerifierTest, NotBeforeAndIssuedAt) {
  Json c = BaseClaims();
  c["nbf"] = kNowS + 120;  // beyond skew
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "not valid yet"));
  c["nbf"] = kNowS + 30;  // within skew
  EXPECT_TRUE(VerifyClaims(c).ok());
  c["nbf"] = "soon";
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed nbf"));
  c = BaseClaims();
  c["iat"] = kNowS + 86400;  // iat is ignored
  EXPECT_TRUE(VerifyClaims(c).ok());
  c["iat"] = "whenever";
  EXPECT_TRUE(VerifyClaims(c).ok());
}

// A token accepted once is remembered, but its times are checked again on every use.
TEST_F(HsVerifierTest, RememberedTokensAreStillCheckedAgainstTheClock) {
  Json c = BaseClaims();
  c["nbf"] = kNowS + 120;
  c["exp"] = kNowS + 600;
  std::string token = MakeToken(HeaderFor("HS256"), c, Signer::kHs256);
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(token), "not valid yet"));
  clock_.Advance(70 * 1000);  // nbf now within the skew
  auto p = verifier_->Verify(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->expires_at_ms, (kNowS + 600) * 1000);
  EXPECT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(-70 * 1000);  // a clock stepped back: not valid yet again
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(token), "not valid yet"));
  clock_.Advance(700 * 1000);
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(token), "expired"));
  // A token differing in one signature byte is verified in full, not matched.
  clock_.Advance(-600 * 1000);
  ASSERT_TRUE(verifier_->Verify(token).ok());
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(forged), ""));
}

TEST_F(HsVerifierTest, SubjectRequired) {
  Json c = BaseClaims();
  c.erase("sub");
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no sub"));
  c["sub"] = "";
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed sub"));
  c["sub"] = 42;
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed sub"));
  c["sub"] = "a@b.example";
  EXPECT_TRUE(VerifyClaims(c).ok());
}

TEST_F(HsVerifierTest, TenantClaims) {
  Json c = BaseClaims();
  c.erase("tenant_id");
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no tenant_id"));
  c["custom:tenant_id"] = "cognito-tenant";
  auto p = VerifyClaims(c);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->tenant_id, "cognito-tenant");
  c["tenant_id"] = "cognito-tenant";  // both, agreeing
  EXPECT_TRUE(VerifyClaims(c).ok());
  c["tenant_id"] = "other";  // both, disagreeing
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "two different tenant"));
  c = BaseClaims();
  for (const char* bad : {"", "bad tenant", "-lead", "a/b"}) {
    c["tenant_id"] = bad;
    EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "not a valid id")) << bad;
  }
  c["tenant_id"] = 7;
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed tenant_id"));
}

TEST_F(HsVerifierTest, RoleStringOrArray) {
  Json c = BaseClaims();
  c.erase("roles");
  c["role"] = "operator";
  auto p = VerifyClaims(c);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->roles, std::vector<Role>{Role::kOperator});

  c = BaseClaims();
  c["roles"] = Json::array({"admin", "viewer", "admin"});
  p = VerifyClaims(c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->roles, (std::vector<Role>{Role::kViewer, Role::kAdmin}));
  EXPECT_EQ(p->highest, Role::kAdmin);

  c["role"] = "platform_admin";  // both claims: union
  p = VerifyClaims(c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->highest, Role::kPlatformAdmin);
  EXPECT_TRUE(HasRole(*p, Role::kPlatformAdmin));

  c = BaseClaims();
  c["roles"] = "agent";  // a single string in `roles` is accepted
  p = VerifyClaims(c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->highest, Role::kAgent);

  c["roles"] = Json::array({"agent", 3});
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed roles"));
  c["roles"] = Json{{"agent", true}};
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "malformed roles"));
}

TEST_F(HsVerifierTest, UnknownRolesIgnored) {
  Json c = BaseClaims();
  c["roles"] = Json::array({"superuser", "agent", "Admin"});
  auto p = VerifyClaims(c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->roles, std::vector<Role>{Role::kAgent});
  c["roles"] = Json::array({"superuser", "Admin"});
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no known role"));
  c["roles"] = Json::array();
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no known role"));
  c.erase("roles");
  EXPECT_TRUE(IsUnauthenticated(VerifyClaims(c), "no known role"));
}

TEST_F(HsVerifierTest, GarbageTokens) {
  std::string good = MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256);
  size_t d1 = good.find('.');
  size_t d2 = good.rfind('.');
  std::string head = good.substr(0, d1);
  std::string body = good.substr(d1 + 1, d2 - d1 - 1);
  std::string sig = good.substr(d2 + 1);
  const std::string cases[] = {
      "",
      "abc",
      "abc.def",
      head + "." + body,
      head + "." + body + ".",
      good + ".extra.parts",
      "..",
      "!!!." + body + "." + sig,
      head + ".%%%." + sig,
      head + "." + body + ".***",
      head + "." + body + "." + sig + "=",
      head + "==." + body + "." + sig,
      Base64UrlEncode("not json") + "." + body + "." + sig,
      Base64UrlEncode("[1,2]") + "." + body + "." + sig,
      Base64UrlEncode("{\"typ\":\"JWT\"}") + "." + body + "." + sig,
      head + "." + Base64UrlEncode("not json") + "." +
          Base64UrlEncode(HmacSha256(kSecret, head + "." + Base64UrlEncode("not json"))),
      good + std::string(9000, 'A'),
      std::string(8193, 'a'),
      "Bearer " + good,
  };
  for (const std::string& token : cases) {
    EXPECT_TRUE(IsUnauthenticated(verifier_->Verify(token))) << "token: " << token.substr(0, 80);
  }
  EXPECT_TRUE(verifier_->Verify(good).ok());
}

TEST_F(HsVerifierTest, HeaderRules) {
  auto verify_header = [&](const Json& h) {
    return verifier_->Verify(MakeToken(h, BaseClaims(), Signer::kHs256));
  };
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "HS512"}}), "unsupported"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "hs256"}}), "unsupported"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", 1}}), "no alg"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"typ", "JWT"}}), "no alg"));
  EXPECT_TRUE(IsUnauthenticated(
      verify_header(Json{{"alg", "HS256"}, {"crit", Json::array({"exp"})}}), "crit"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "HS256"}, {"typ", "at+jwt"}}), "typ"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "HS256"}, {"kid", 5}}), "kid"));
  // An RS256 / ES256 token when only a shared secret is configured.
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "RS256"}}), "RS256"));
  EXPECT_TRUE(IsUnauthenticated(verify_header(Json{{"alg", "ES256"}}), "ES256"));
  // A kid on an HS256 token is irrelevant.
  EXPECT_TRUE(verify_header(Json{{"alg", "HS256"}, {"kid", "anything"}}).ok());
}

TEST(IssuerAudience, CheckedWhenConfigured) {
  ManualClock clock(kNowMs);
  VerifierOptions o;
  o.hs256_secret = kSecret;
  o.issuer = "https://issuer.example";
  o.audience = "steward";
  auto v = JwtVerifier::Create(o, &clock);
  ASSERT_TRUE(v.ok());
  auto verify = [&](const Json& c) {
    return (*v)->Verify(MakeToken(HeaderFor("HS256"), c, Signer::kHs256));
  };
  Json c = BaseClaims();
  c["iss"] = "https://issuer.example";
  c["aud"] = "steward";
  EXPECT_TRUE(verify(c).ok());
  c["aud"] = Json::array({"other", "steward"});
  EXPECT_TRUE(verify(c).ok());
  c["aud"] = Json::array({"other"});
  EXPECT_TRUE(IsUnauthenticated(verify(c), "audience"));
  c["aud"] = "stewardx";
  EXPECT_TRUE(IsUnauthenticated(verify(c), "audience"));
  c.erase("aud");
  EXPECT_TRUE(IsUnauthenticated(verify(c), "no aud"));
  c["aud"] = "steward";
  c["iss"] = "https://evil.example";
  EXPECT_TRUE(IsUnauthenticated(verify(c), "issuer"));
  c.erase("iss");
  EXPECT_TRUE(IsUnauthenticated(verify(c), "no iss"));

  // Not configured: iss/aud are not looked at.
  VerifierOptions plain;
  plain.hs256_secret = kSecret;
  auto pv = JwtVerifier::Create(plain, &clock);
  ASSERT_TRUE(pv.ok());
  c["iss"] = "anyone";
  c["aud"] = 12;
  EXPECT_TRUE((*pv)->Verify(MakeToken(HeaderFor("HS256"), c, Signer::kHs256)).ok());
}

// ---------------------------------------------------------------- minting

TEST(Mint, RoundTripsThroughTheVerifier) {
  ManualClock clock(kNowMs);
  MintRequest req;
  req.subject = "alice";
  req.tenant_id = "tenant-9";
  req.roles = {"operator", "viewer", "operator"};
  req.now_ms = kNowMs + 999;
  req.ttl_ms = 3600 * 1000;
  req.issuer = "steward-local";
  req.audience = "steward";
  auto token = MintHs256(kSecret, req);
  ASSERT_TRUE(token.ok()) << token.status().ToString();

  std::string header, payload;
  ASSERT_TRUE(Base64UrlDecode(token->substr(0, token->find('.')), &header));
  EXPECT_EQ(ParseJson(header)->at("alg"), "HS256");
  size_t d1 = token->find('.');
  ASSERT_TRUE(Base64UrlDecode(token->substr(d1 + 1, token->rfind('.') - d1 - 1), &payload));
  Json claims = *ParseJson(payload);
  EXPECT_EQ(claims["sub"], "alice");
  EXPECT_EQ(claims["tenant_id"], "tenant-9");
  EXPECT_EQ(claims["roles"], Json::array({"operator", "viewer"}));
  EXPECT_EQ(claims["iat"], kNowS);
  EXPECT_EQ(claims["exp"], kNowS + 3600);
  EXPECT_EQ(claims["iss"], "steward-local");
  EXPECT_EQ(claims["aud"], "steward");

  VerifierOptions o;
  o.hs256_secret = kSecret;
  o.issuer = "steward-local";
  o.audience = "steward";
  auto v = JwtVerifier::Create(o, &clock);
  ASSERT_TRUE(v.ok());
  auto p = (*v)->Verify(*token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "alice");
  EXPECT_EQ(p->tenant_id, "tenant-9");
  EXPECT_EQ(p->highest, Role::kOperator);
  clock.Advance(3600 * 1000 + 60 * 1000);
  EXPECT_TRUE(IsUnauthenticated((*v)->Verify(*token), "expired"));

  VerifierOptions wrong;
  wrong.hs256_secret = testing::kOtherSecret;
  auto wv = JwtVerifier::Create(wrong, &clock);
  ASSERT_TRUE(wv.ok());
  clock.Set(kNowMs);
  EXPECT_TRUE(IsUnauthenticated((*wv)->Verify(*token), "signature"));
}

TEST(Mint, OmitsIssuerAndAudienceWhenUnset) {
  MintRequest req{"bob", "t1", {"admin"}, kNowMs, 60 * 1000, "", ""};
  auto token = MintHs256(kSecret, req);
  ASSERT_TRUE(token.ok());
  size_t d1 = token->find('.');
  std::string payload;
  ASSERT_TRUE(Base64UrlDecode(token->substr(d1 + 1, token->rfind('.') - d1 - 1), &payload));
  Json claims = *ParseJson(payload);
  EXPECT_FALSE(claims.contains("iss"));
  EXPECT_FALSE(claims.contains("aud"));
}

TEST(Mint, RejectsBadRequests) {
  const MintRequest good{"bob", "t1", {"admin"}, kNowMs, 60 * 1000, "", ""};
  ASSERT_TRUE(MintHs256(kSecret, good).ok());
  auto expect_invalid = [](const Result<std::string>& r) {
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().ToString();
  };
  expect_invalid(MintHs256("short", good));
  expect_invalid(MintHs256("-----BEGIN PUBLIC KEY-----0123456789abcdef0123456789", good));
  MintRequest r = good;
  r.subject = "";
  expect_invalid(MintHs256(kSecret, r));
  r = good;
  r.tenant_id = "bad tenant";
  expect_invalid(MintHs256(kSecret, r));
  r = good;
  r.roles = {};
  expect_invalid(MintHs256(kSecret, r));
  r.roles = {"admin", "superuser"};
  expect_invalid(MintHs256(kSecret, r));
  r = good;
  r.ttl_ms = 0;
  expect_invalid(MintHs256(kSecret, r));
  r.ttl_ms = -5;
  expect_invalid(MintHs256(kSecret, r));
  r = good;
  r.issuer = "\xff\xfe";  // not UTF-8
  expect_invalid(MintHs256(kSecret, r));
}

}  // namespace
}  // namespace steward::auth
