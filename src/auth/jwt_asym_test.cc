// RS256 / ES256 verification (PEM and JWKS keys, kid selection, algorithm confusion) and the
// key configuration rules of JwtVerifier::Create.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/jwt_test_util.h"
#include "auth/jwt_verifier.h"
#include "common/clock.h"

namespace steward::auth {
namespace {

using testing::BaseClaims;
using testing::HeaderFor;
using testing::IsUnauthenticated;
using testing::Jwk;
using testing::kNowMs;
using testing::kSecret;
using testing::MakeToken;
using testing::PkeyPtr;
using testing::PublicPem;
using testing::Signer;

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/auth_test_" + name;
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

class AsymTest : public ::testing::Test {
 protected:
  // RSA key generation is slow; one set of keys serves the whole suite.
  static void SetUpTestSuite() {
    rsa_ = testing::GenerateRsa(2048).release();
    rsa2_ = testing::GenerateRsa(2048).release();
    ec_ = testing::GenerateEc("P-256").release();
    ec2_ = testing::GenerateEc("P-256").release();
  }
  static void TearDownTestSuite() {
    for (EVP_PKEY* k : {rsa_, rsa2_, ec_, ec2_}) EVP_PKEY_free(k);
  }

  std::unique_ptr<JwtVerifier> Make(const VerifierOptions& o) {
    auto v = JwtVerifier::Create(o, &clock_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? std::move(v).value() : nullptr;
  }

  static EVP_PKEY* rsa_;
  static EVP_PKEY* rsa2_;
  static EVP_PKEY* ec_;
  static EVP_PKEY* ec2_;
  ManualClock clock_{kNowMs};
};

EVP_PKEY* AsymTest::rsa_ = nullptr;
EVP_PKEY* AsymTest::rsa2_ = nullptr;
EVP_PKEY* AsymTest::ec_ = nullptr;
EVP_PKEY* AsymTest::ec2_ = nullptr;

TEST_F(AsymTest, Rs256FromPemStringAndFile) {
  VerifierOptions o;
  o.public_key_pems = {{PublicPem(rsa_), ""}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  std::string token = MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa_);
  auto p = v->Verify(token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->subject, "user-1");
  EXPECT_EQ(p->highest, Role::kApprover);
  // Signed by another RSA key.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa2_)), "signature"));
  // Any typ is fine on asymmetric tokens (RFC 9068 access tokens say "at+jwt").
  EXPECT_TRUE(v->Verify(MakeToken(Json{{"alg", "RS256"}, {"typ", "at+jwt"}}, BaseClaims(),
                                  Signer::kRs256, rsa_))
                  .ok());
  // A kid the verifier does not know still finds the kid-less key.
  EXPECT_TRUE(
      v->Verify(MakeToken(HeaderFor("RS256", "rotated"), BaseClaims(), Signer::kRs256, rsa_)).ok());

  VerifierOptions f;
  f.public_key_pem_files = {WriteFile("rsa.pem", PublicPem(rsa_))};
  auto vf = Make(f);
  ASSERT_TRUE(vf);
  EXPECT_TRUE(vf->Verify(token).ok());
  EXPECT_EQ(vf->public_key_count(), 1u);
}

TEST_F(AsymTest, Es256FromPem) {
  VerifierOptions o;
  o.public_key_pems = {{PublicPem(ec_), ""}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  auto p = v->Verify(MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kEs256, ec_));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->tenant_id, "tenant-1");
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kEs256, ec2_)), "signature"));
  // JWS wants raw r||s; a DER signature is refused.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kEs256Der, ec_))));
  // Only EC keys are configured: RS256 and HS256 tokens have no key.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa_)), "RS256"));
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256)), "HS256"));
}

TEST_F(AsymTest, AlgorithmIsPinnedByTheKey) {
  // An RSA-signed token relabelled ES256 (and the reverse) never meets a key that takes it.
  VerifierOptions o;
  o.public_key_pems = {{PublicPem(rsa_), ""}, {PublicPem(ec_), ""}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kRs256, rsa_))));
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kEs256, ec_)), "signature"));
  EXPECT_TRUE(v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa_)).ok());
  EXPECT_TRUE(v->Verify(MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kEs256, ec_)).ok());
}

TEST_F(AsymTest, AlgorithmConfusionRejected) {
  // The classic attack: HS256 with the server's RSA public key (PEM text) as the HMAC secret.
  std::string pem = PublicPem(rsa_);
  std::string forged = MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256, nullptr, pem);
  VerifierOptions rsa_only;
  rsa_only.public_key_pems = {{pem, ""}};
  auto v1 = Make(rsa_only);
  ASSERT_TRUE(v1);
  EXPECT_TRUE(IsUnauthenticated(v1->Verify(forged), "HS256"));

  VerifierOptions both = rsa_only;
  both.hs256_secret = kSecret;
  auto v2 = Make(both);
  ASSERT_TRUE(v2);
  EXPECT_TRUE(IsUnauthenticated(v2->Verify(forged), "signature"));
  // Same with the canonical PEM the verifier itself holds, and with alg spelled oddly.
  Json h{{"alg", "HS256"}};
  EXPECT_TRUE(IsUnauthenticated(
      v2->Verify(MakeToken(h, BaseClaims(), Signer::kHs256, nullptr, pem)), "signature"));
  EXPECT_TRUE(v2->Verify(MakeToken(h, BaseClaims(), Signer::kHs256)).ok());

  // And the configuration side: a PEM can never be the shared secret.
  VerifierOptions pem_secret;
  pem_secret.hs256_secret = pem;
  pem_secret.public_key_pems = {{pem, ""}};
  auto bad = JwtVerifier::Create(pem_secret, &clock_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
}

TEST_F(AsymTest, AlgNoneRejectedWithKeysConfigured) {
  VerifierOptions o;
  o.hs256_secret = kSecret;
  o.public_key_pems = {{PublicPem(rsa_), ""}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  Json h{{"alg", "none"}};
  EXPECT_TRUE(IsUnauthenticated(v->Verify(MakeToken(h, BaseClaims(), Signer::kNone)), "none"));
  EXPECT_TRUE(
      IsUnauthenticated(v->Verify(MakeToken(h, BaseClaims(), Signer::kRs256, rsa_)), "none"));
}

TEST_F(AsymTest, KidSelectsAmongPemKeys) {
  VerifierOptions o;
  o.public_key_pems = {{PublicPem(rsa_), "a"}, {PublicPem(rsa2_), "b"}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  EXPECT_TRUE(
      v->Verify(MakeToken(HeaderFor("RS256", "b"), BaseClaims(), Signer::kRs256, rsa2_)).ok());
  EXPECT_TRUE(
      v->Verify(MakeToken(HeaderFor("RS256", "a"), BaseClaims(), Signer::kRs256, rsa_)).ok());
  // Signed by b but naming a: only key a is tried.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256", "a"), BaseClaims(), Signer::kRs256, rsa2_)),
      "signature"));
  // Unknown kid and no kid-less key to fall back on.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256", "zzz"), BaseClaims(), Signer::kRs256, rsa_)),
      "no configured RS256 key"));
  // No kid: every RSA key is tried.
  EXPECT_TRUE(v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa2_)).ok());
}

TEST_F(AsymTest, JwksFile) {
  Json oct{{"kty", "oct"}, {"kid", "hs"}, {"k", Base64UrlEncode(kSecret)}};
  Json enc = Jwk(rsa2_, "enc-key");
  enc["use"] = "enc";
  Json rsa = Jwk(rsa_, "r1");
  rsa["alg"] = "RS256";
  rsa["use"] = "sig";
  Json p384{{"kty", "EC"}, {"crv", "P-384"}, {"kid", "p384"}, {"x", "AA"}, {"y", "AA"}};
  Json jwks{{"keys", Json::array({oct, enc, rsa, Jwk(ec_, "e1"), p384})}};
  VerifierOptions o;
  o.jwks_file = WriteFile("jwks.json", jwks.dump());
  auto v = Make(o);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->public_key_count(), 2u);  // oct, enc and P-384 skipped

  auto p = v->Verify(MakeToken(HeaderFor("RS256", "r1"), BaseClaims(), Signer::kRs256, rsa_));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  p = v->Verify(MakeToken(HeaderFor("ES256", "e1"), BaseClaims(), Signer::kEs256, ec_));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  p = v->Verify(MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa_));
  EXPECT_TRUE(p.ok()) << p.status().ToString();

  // kid of the EC key on an RS256 token; kid of a skipped key; unknown kid.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256", "e1"), BaseClaims(), Signer::kRs256, rsa_))));
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("RS256", "enc-key"), BaseClaims(), Signer::kRs256, rsa2_))));
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("ES256", "nope"), BaseClaims(), Signer::kEs256, ec_))));
  // The JWKS "oct" key is not an HS256 key.
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("HS256", "hs"), BaseClaims(), Signer::kHs256)), "HS256"));
  // Claim rules apply to asymmetric tokens as well.
  Json expired = BaseClaims();
  expired["exp"] = testing::kNowS - 3600;
  EXPECT_TRUE(IsUnauthenticated(
      v->Verify(MakeToken(HeaderFor("ES256", "e1"), expired, Signer::kEs256, ec_)), "expired"));
}

TEST_F(AsymTest, CreateRejectsBadConfiguration) {
  auto expect_invalid = [&](const VerifierOptions& o, const std::string& part) {
    auto v = JwtVerifier::Create(o, &clock_);
    ASSERT_FALSE(v.ok()) << part;
    EXPECT_EQ(v.status().code(), Code::kInvalidArgument);
    EXPECT_NE(v.status().message().find(part), std::string::npos) << v.status().message();
  };
  expect_invalid(VerifierOptions{}, "no JWT verification key");
  VerifierOptions o;
  o.hs256_secret = "too-short";
  expect_invalid(o, "at least 32 bytes");
  o = {};
  o.hs256_secret = kSecret;
  o.clock_skew_ms = -1;
  expect_invalid(o, "clock_skew_ms");
  o = {};
  o.public_key_pem_files = {::testing::TempDir() + "/does-not-exist.pem"};
  expect_invalid(o, "cannot read");
  o = {};
  o.public_key_pems = {{"not a pem", ""}};
  expect_invalid(o, "PEM");
  o.public_key_pems = {{"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ""}};
  expect_invalid(o, "cannot parse");
  PkeyPtr small = testing::GenerateRsa(1024);
  o.public_key_pems = {{PublicPem(small.get()), ""}};
  expect_invalid(o, "2048");
  PkeyPtr p384 = testing::GenerateEc("P-384");
  o.public_key_pems = {{PublicPem(p384.get()), ""}};
  expect_invalid(o, "P-256");
  PkeyPtr ed = PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  o.public_key_pems = {{PublicPem(ed.get()), ""}};
  expect_invalid(o, "only RSA");
  o = {};
  o.jwks_file = WriteFile("bad.json", "{not json");
  expect_invalid(o, "not a JSON object");
  o.jwks_file = WriteFile("nokeys.json", "{\"keys\": 5}");
  expect_invalid(o, "keys");
  o.jwks_file = WriteFile("oct.json", R"({"keys":[{"kty":"oct","k":"AAAA"}]})");
  expect_invalid(o, "no usable");
  o.jwks_file = WriteFile("badn.json", R"({"keys":[{"kty":"RSA","n":"***","e":"AQAB"}]})");
  expect_invalid(o, "\"n\"");
  Json short_ec = Jwk(ec_, "x");
  short_ec["x"] = "AAAA";
  o.jwks_file = WriteFile("shortec.json", Json{{"keys", Json::array({short_ec})}}.dump());
  expect_invalid(o, "32 bytes");
  // A point that is not on the curve.
  Json off_curve = Jwk(ec_, "x");
  off_curve["y"] = Base64UrlEncode(std::string(32, '\x01'));
  o.jwks_file = WriteFile("offcurve.json", Json{{"keys", Json::array({off_curve})}}.dump());
  expect_invalid(o, "keys[0]");
}

TEST_F(AsymTest, ConcurrentVerify) {
  VerifierOptions o;
  o.hs256_secret = kSecret;
  o.public_key_pems = {{PublicPem(rsa_), ""}, {PublicPem(ec_), ""}};
  auto v = Make(o);
  ASSERT_TRUE(v);
  const std::string tokens[] = {
      MakeToken(HeaderFor("HS256"), BaseClaims(), Signer::kHs256),
      MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa_),
      MakeToken(HeaderFor("ES256"), BaseClaims(), Signer::kEs256, ec_),
  };
  const std::string bad = MakeToken(HeaderFor("RS256"), BaseClaims(), Signer::kRs256, rsa2_);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        if (!v->Verify(tokens[(t + i) % 3]).ok()) failures.fetch_add(1);
        if (v->Verify(bad).ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace steward::auth
