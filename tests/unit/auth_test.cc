// Unit tests of services/common/auth: key sets, token verification and minting. Keys are made
// here with OpenSSL (RSA 2048, EC P-256, random HS256 secrets) in a temporary directory; tokens
// are either minted by TokenSigner or assembled by hand (to reach what a signer refuses to make
// and to prove interoperability with other issuers' signatures).
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/common/auth/jwt.h"
#include "services/common/auth/key_set.h"
#include "services/common/status.h"

namespace gaitkeeper::auth {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// OpenSSL helpers (test-only).

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(size));
  BIO_free(bio);
  return out;
}

std::string PrivatePem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return BioContents(bio);
}

std::string EncryptedPrivatePem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  static unsigned char kPass[] = "passphrase";
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio, key, EVP_aes_256_cbc(), kPass, sizeof(kPass) - 1,
                                     nullptr, nullptr),
            1);
  return BioContents(bio);
}

std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  EXPECT_EQ(PEM_write_bio_PUBKEY(bio, key), 1);
  return BioContents(bio);
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  EXPECT_EQ(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)), 1);
  return out;
}

// SHA-256 signature with EVP: PKCS#1 v1.5 for RSA, DER (X9.62) for EC.
std::string EvpSign(EVP_PKEY* key, absl::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &size,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()),
            1);
  std::string sig(size, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()),
            1);
  sig.resize(size);
  EVP_MD_CTX_free(ctx);
  return sig;
}

bool EvpVerify(EVP_PKEY* key, absl::string_view data, absl::string_view sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// DER ECDSA-Sig-Value -> JOSE R||S (RFC 7518 §3.4): each integer left-padded to 32 bytes.
std::string DerToJose(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  EXPECT_NE(sig, nullptr);
  std::string out(64, '\0');
  EXPECT_EQ(BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32),
            32);
  EXPECT_EQ(
      BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32),
      32);
  ECDSA_SIG_free(sig);
  return out;
}

// JOSE R||S -> DER, to check libjwt's ES256 signatures with plain OpenSSL.
std::string JoseToDer(absl::string_view jose) {
  EXPECT_EQ(jose.size(), 64u);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(jose.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int size = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

std::string HmacSha256(absl::string_view secret, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

void WriteFile(const fs::path& path, absl::string_view contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  ASSERT_TRUE(out.good()) << path;
}

// ---------------------------------------------------------------------------------------------
// Hand-made tokens.

std::string B64(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::string Unb64(absl::string_view text) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(text, &out));
  return out;
}

// A JSON object from raw JSON values, in key order: {"a":1,"b":"x"}.
using JsonFields = std::map<std::string, std::string>;
std::string Json(const JsonFields& fields) {
  std::vector<std::string> members;
  for (const auto& [name, value] : fields) members.push_back(absl::StrCat("\"", name, "\":", value));
  return absl::StrCat("{", absl::StrJoin(members, ","), "}");
}
std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

using SignFn = std::function<std::string(absl::string_view signing_input)>;

std::string Compact(absl::string_view header_json, absl::string_view payload_json,
                    const SignFn& sign) {
  std::string input = absl::StrCat(B64(header_json), ".", B64(payload_json));
  return absl::StrCat(input, ".", B64(sign(input)));
}

std::vector<std::string> Parts(absl::string_view token) { return absl::StrSplit(token, '.'); }

// ---------------------------------------------------------------------------------------------
// Fixture: one set of keys for the whole suite (RSA generation takes a moment).

constexpr char kIssuer[] = "gaitkeeper-test";
constexpr char kAudience[] = "gaitkeeper";
constexpr char kClinic[] = "0f8c2b1e-3d4a-4b5c-9d6e-7f8091a2b3c4";
const absl::Time kNow = absl::FromUnixSeconds(1'750'000'000);

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/gk-auth-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = new fs::path(dir_template);
    rs1_ = EVP_RSA_gen(2048);
    rs_other_ = EVP_RSA_gen(2048);
    rs_small_ = EVP_RSA_gen(1024);
    es1_ = EVP_EC_gen("P-256");
    es2_ = EVP_EC_gen("P-256");
    es_other_ = EVP_EC_gen("P-256");
    es_p384_ = EVP_EC_gen("P-384");
    ASSERT_TRUE(rs1_ && rs_other_ && rs_small_ && es1_ && es2_ && es_other_ && es_p384_);
    hs_secret_ = new std::string(RandomBytes(32));
    hs_other_ = new std::string(RandomBytes(32));

    WriteFile(Dir() / "hs.secret", *hs_secret_);
    WriteFile(Dir() / "rs1.pub", PublicPem(rs1_));
    WriteFile(Dir() / "rs1.key", PrivatePem(rs1_));
    WriteFile(Dir() / "es1.pub", PublicPem(es1_));
    WriteFile(Dir() / "es1.key", PrivatePem(es1_));
    WriteFile(Dir() / "es2.pub", PublicPem(es2_));
    WriteFile(Dir() / "es2.key", PrivatePem(es2_));
    WriteFile(Dir() / "verify.keys",
              "# kid alg key_file\n"
              "hs-1 HS256 hs.secret\n"
              "\n"
              "rs-1\tRS256  rs1.pub   # the RSA key\n"
              "   es-1 ES256 es1.pub\r\n"
              "es-2 ES256 es2.pub\n");
    WriteFile(Dir() / "signing.keys",
              "hs-1 HS256 hs.secret\n"
              "rs-1 RS256 rs1.key\n"
              "es-1 ES256 es1.key\n"
              "es-2 ES256 es2.key\n");
  }

  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*dir_, ignored);
    for (EVP_PKEY* key : {rs1_, rs_other_, rs_small_, es1_, es2_, es_other_, es_p384_}) {
      EVP_PKEY_free(key);
    }
    delete dir_;
    delete hs_secret_;
    delete hs_other_;
  }

  static const fs::path& Dir() { return *dir_; }

  static KeySet VerifySet() {
    absl::StatusOr<KeySet> set = LoadKeySet((Dir() / "verify.keys").string(), KeyUse::kVerify);
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? *std::move(set) : KeySet();
  }
  static KeySet SigningSet() {
    absl::StatusOr<KeySet> set = LoadKeySet((Dir() / "signing.keys").string(), KeyUse::kSign);
    EXPECT_TRUE(set.ok()) << set.status();
    return set.ok() ? *std::move(set) : KeySet();
  }
  static TokenVerifier Verifier(KeySet keys = VerifySet()) {
    TokenVerifier::Options options;
    options.issuer = kIssuer;
    options.audience = kAudience;
    return TokenVerifier(std::move(keys), options);
  }
  static TokenSigner Signer(absl::string_view kid) {
    KeySet set = SigningSet();
    const Key* key = set.Find(kid);
    EXPECT_NE(key, nullptr) << kid;
    return TokenSigner(key != nullptr ? *key : Key{});
  }

  // Valid athlete claims issued at kNow for an hour.
  static Claims AthleteClaims() {
    Claims claims;
    claims.subject = "athlete-7";
    claims.issuer = kIssuer;
    claims.role = std::string(kRoleAthlete);
    claims.audience = {kAudience};
    claims.issued_at = kNow;
    claims.expires_at = kNow + absl::Hours(1);
    return claims;
  }

  static std::string Mint(absl::string_view kid, const Claims& claims = AthleteClaims()) {
    absl::StatusOr<std::string> token = Signer(kid).Mint(claims);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : "";
  }

  // The payload of a valid athlete token as raw JSON fields, for hand-made tokens.
  static JsonFields AthletePayload() {
    return {{"iss", Quoted(kIssuer)},
            {"aud", Quoted(kAudience)},
            {"sub", Quoted("athlete-7")},
            {"role", Quoted("athlete")},
            {"iat", absl::StrCat(absl::ToUnixSeconds(kNow))},
            {"exp", absl::StrCat(absl::ToUnixSeconds(kNow + absl::Hours(1)))}};
  }
  static JsonFields Header(absl::string_view alg, absl::string_view kid) {
    return {{"alg", Quoted(alg)}, {"kid", Quoted(kid)}, {"typ", Quoted("JWT")}};
  }
  static SignFn HsSigner(std::string secret) {
    return [secret](absl::string_view input) { return HmacSha256(secret, input); };
  }
  static SignFn RsSigner(EVP_PKEY* key) {
    return [key](absl::string_view input) { return EvpSign(key, input); };
  }
  static SignFn EsSigner(EVP_PKEY* key) {
    return [key](absl::string_view input) { return DerToJose(EvpSign(key, input)); };
  }
  // A hand-made HS256 token signed with the right secret for kid hs-1.
  static std::string HsToken(const JsonFields& payload) {
    return Compact(Json(Header("HS256", "hs-1")), Json(payload), HsSigner(*hs_secret_));
  }

  inline static fs::path* dir_ = nullptr;
  inline static EVP_PKEY* rs1_ = nullptr;
  inline static EVP_PKEY* rs_other_ = nullptr;
  inline static EVP_PKEY* rs_small_ = nullptr;
  inline static EVP_PKEY* es1_ = nullptr;
  inline static EVP_PKEY* es2_ = nullptr;
  inline static EVP_PKEY* es_other_ = nullptr;
  inline static EVP_PKEY* es_p384_ = nullptr;
  inline static std::string* hs_secret_ = nullptr;
  inline static std::string* hs_other_ = nullptr;
};

// Asserts an UNAUTHENTICATED failure with `reason` whose message does not echo the token.
void ExpectRefused(const absl::StatusOr<Claims>& result, absl::string_view token,
                   absl::string_view reason) {
  ASSERT_FALSE(result.ok()) << "expected " << reason;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated) << result.status();
  EXPECT_EQ(ReasonOf(result.status()), reason) << result.status();
  for (absl::string_view part : absl::StrSplit(token, '.')) {
    if (part.size() >= 8) {
      EXPECT_FALSE(absl::StrContains(result.status().message(), part)) << result.status();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Key sets.

TEST_F(AuthTest, LoadsVerifyAndSigningSets) {
  KeySet verify = VerifySet();
  ASSERT_EQ(verify.keys().size(), 4u);
  ASSERT_NE(verify.Find("hs-1"), nullptr);
  EXPECT_EQ(verify.Find("hs-1")->alg, Algorithm::kHS256);
  EXPECT_EQ(verify.Find("hs-1")->material, *hs_secret_);
  EXPECT_EQ(verify.Find("rs-1")->alg, Algorithm::kRS256);
  EXPECT_EQ(verify.Find("rs-1")->material, PublicPem(rs1_));
  EXPECT_EQ(verify.Find("es-1")->alg, Algorithm::kES256);  // after leading blanks and a CR
  EXPECT_EQ(verify.Find("es-2")->alg, Algorithm::kES256);
  EXPECT_EQ(verify.Find("nope"), nullptr);
  EXPECT_EQ(SigningSet().Find("rs-1")->material, PrivatePem(rs1_));
}

TEST_F(AuthTest, KeySetAcceptsAbsolutePaths) {
  fs::path set = Dir() / "absolute.keys";
  WriteFile(set, absl::StrCat("es-1 ES256 ", (Dir() / "es1.pub").string(), "\n"));
  absl::StatusOr<KeySet> keys = LoadKeySet(set.string(), KeyUse::kVerify);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_NE(keys->Find("es-1"), nullptr);
}

TEST_F(AuthTest, KeySetFileMissingIsNotFound) {
  absl::StatusOr<KeySet> keys = LoadKeySet((Dir() / "missing.keys").string(), KeyUse::kVerify);
  EXPECT_EQ(keys.status().code(), absl::StatusCode::kNotFound);
}

struct BadKeySetCase {
  std::string name;
  // Files to write first (name -> contents), then the set's text.
  std::vector<std::pair<std::string, std::string>> files;
  std::string set;
  KeyUse use;
  absl::StatusCode code;
  std::string message_part;  // expected in the message (e.g. the line)
};

TEST_F(AuthTest, BadKeySetsAreRefusedNamingTheLine) {
  const std::string short_secret = RandomBytes(31);
  const std::vector<BadKeySetCase> cases = {
      {"too_few_fields", {}, "hs-1 HS256\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "line 1"},
      {"too_many_fields", {}, "# c\nhs-1 HS256 hs.secret extra\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "line 2"},
      {"bad_kid_chars", {}, "hs/1 HS256 hs.secret\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "key id"},
      {"kid_too_long", {}, absl::StrCat(std::string(65, 'k'), " HS256 hs.secret\n"), KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "key id"},
      {"duplicate_kid", {}, "hs-1 HS256 hs.secret\nhs-1 HS256 hs.secret\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "line 2: duplicate"},
      {"alg_lower_case", {}, "hs-1 hs256 hs.secret\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "algorithm"},
      {"alg_none", {}, "hs-1 none hs.secret\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "algorithm"},
      {"alg_ps256", {}, "rs-1 PS256 rs1.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "algorithm"},
      {"short_secret", {{"short.secret", short_secret}}, "hs-s HS256 short.secret\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "31 bytes"},
      {"pem_as_secret", {}, "hs-p HS256 rs1.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "PEM"},
      {"rs256_with_ec_key", {}, "rs-x RS256 es1.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "not an RSA key"},
      {"es256_with_rsa_key", {}, "es-x ES256 rs1.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "not an EC P-256 key"},
      {"rsa_1024", {{"small.pub", PublicPem(rs_small_)}}, "rs-s RS256 small.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "1024 bits"},
      {"ec_p384", {{"p384.pub", PublicPem(es_p384_)}}, "es-p ES256 p384.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "not an EC P-256 key"},
      {"private_key_to_verify", {}, "rs-1 RS256 rs1.key\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "public key"},
      {"public_key_to_sign", {}, "es-1 ES256 es1.pub\n", KeyUse::kSign, absl::StatusCode::kInvalidArgument, "private key"},
      {"encrypted_private_key", {{"enc.key", EncryptedPrivatePem(es1_)}}, "es-e ES256 enc.key\n", KeyUse::kSign, absl::StatusCode::kInvalidArgument, "unencrypted"},
      {"garbage_pem", {{"garbage.pub", "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"}}, "rs-g RS256 garbage.pub\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "line 1"},
      {"missing_key_file", {}, "hs-1 HS256 hs.secret\nrs-9 RS256 nowhere.pub\n", KeyUse::kVerify, absl::StatusCode::kNotFound, "line 2"},
      {"key_file_is_a_directory", {}, "hs-1 HS256 .\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "line 1"},
      {"empty_set", {}, "# nothing here\n\n", KeyUse::kVerify, absl::StatusCode::kInvalidArgument, "no keys"},
  };
  for (const BadKeySetCase& c : cases) {
    SCOPED_TRACE(c.name);
    for (const auto& [name, contents] : c.files) WriteFile(Dir() / name, contents);
    fs::path set = Dir() / absl::StrCat(c.name, ".keys");
    WriteFile(set, c.set);
    absl::StatusOr<KeySet> keys = LoadKeySet(set.string(), c.use);
    ASSERT_FALSE(keys.ok());
    EXPECT_EQ(keys.status().code(), c.code) << keys.status();
    EXPECT_TRUE(absl::StrContains(keys.status().message(), c.message_part)) << keys.status();
    // Never key material: no PEM body, no secret bytes.
    EXPECT_FALSE(absl::StrContains(keys.status().message(), "-----BEGIN")) << keys.status();
    EXPECT_FALSE(absl::StrContains(keys.status().message(), hs_secret_->substr(0, 8)));
    EXPECT_FALSE(absl::StrContains(keys.status().message(), short_secret.substr(0, 8)));
  }
}

TEST_F(AuthTest, KeySetCreateValidatesKeys) {
  EXPECT_TRUE(KeySet::Create({{"a", Algorithm::kHS256, RandomBytes(32)}}, KeyUse::kVerify).ok());
  EXPECT_FALSE(KeySet::Create({{"a", Algorithm::kHS256, RandomBytes(8)}}, KeyUse::kVerify).ok());
  EXPECT_FALSE(KeySet::Create({{"a", Algorithm::kHS256, RandomBytes(32)},
                               {"a", Algorithm::kHS256, RandomBytes(32)}},
                              KeyUse::kVerify)
                   .ok());
  EXPECT_FALSE(KeySet::Create({{"", Algorithm::kHS256, RandomBytes(32)}}, KeyUse::kVerify).ok());
}

// ---------------------------------------------------------------------------------------------
// Round trips and key rotation.

TEST_F(AuthTest, RoundTripForEachAlgorithm) {
  TokenVerifier verifier = Verifier();
  for (const char* kid : {"hs-1", "rs-1", "es-1", "es-2"}) {
    SCOPED_TRACE(kid);
    std::string token = Mint(kid);
    absl::StatusOr<Claims> claims = verifier.Verify(token, kNow + absl::Minutes(5));
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(claims->subject, "athlete-7");
    EXPECT_EQ(claims->issuer, kIssuer);
    EXPECT_EQ(claims->role, "athlete");
    EXPECT_EQ(claims->clinic, "");
    EXPECT_EQ(claims->kid, kid);
    EXPECT_EQ(claims->audience, std::vector<std::string>{kAudience});
    EXPECT_EQ(claims->issued_at, kNow);
    EXPECT_EQ(claims->expires_at, kNow + absl::Hours(1));
    EXPECT_FALSE(claims->not_before.has_value());
  }
}

// ---------------------------------------------------------------------------------------------
// The cache of verified tokens: the same answers as without it, time rules on every call.

void ExpectSameClaims(const Claims& a, const Claims& b) {
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.issuer, b.issuer);
  EXPECT_EQ(a.role, b.role);
  EXPECT_EQ(a.clinic, b.clinic);
  EXPECT_EQ(a.kid, b.kid);
  EXPECT_EQ(a.audience, b.audience);
  EXPECT_EQ(a.issued_at, b.issued_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.not_before, b.not_before);
}

TEST_F(AuthTest, ARememberedTokenGivesTheSameClaimsAsAFreshCheck) {
  TokenVerifier cached = Verifier();
  TokenVerifier::Options no_cache = cached.options();
  no_cache.verified_cache_bytes = 0;
  const TokenVerifier uncached(VerifySet(), no_cache);
  for (const char* kid : {"hs-1", "rs-1", "es-1", "es-2"}) {
    SCOPED_TRACE(kid);
    Claims claims = AthleteClaims();
    claims.role = std::string(kRoleClinician);
    claims.clinic = kClinic;
    claims.audience = {kAudience, "another-audience"};
    claims.not_before = kNow - absl::Minutes(1);
    const std::string token = Mint(kid, claims);
    absl::StatusOr<Claims> fresh = uncached.Verify(token, kNow);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    for (int call = 0; call < 3; ++call) {
      absl::StatusOr<Claims> again = cached.Verify(token, kNow + absl::Minutes(call));
      ASSERT_TRUE(again.ok()) << again.status();
      ExpectSameClaims(*again, *fresh);
    }
  }
  EXPECT_EQ(cached.RememberedTokens(), 4);
  EXPECT_EQ(uncached.RememberedTokens(), 0);
}

TEST_F(AuthTest, ARememberedTokenStillObeysTheTimeRules) {
  const absl::Duration skew = absl::Seconds(60);
  TokenVerifier verifier = Verifier();
  Claims claims = AthleteClaims();  // iat kNow, exp kNow + 1 h
  claims.not_before = kNow + absl::Minutes(10);
  const std::string token = Mint("rs-1", claims);
  ASSERT_TRUE(verifier.Verify(token, kNow + absl::Minutes(20)).ok());
  ASSERT_EQ(verifier.RememberedTokens(), 1);
  ExpectRefused(verifier.Verify(token, kNow + absl::Hours(1) + skew + absl::Seconds(1)), token, kTokenExpired);
  ExpectRefused(verifier.Verify(token, kNow + absl::Minutes(10) - skew - absl::Seconds(1)), token, kTokenNotYetValid);
  Claims future = AthleteClaims();
  future.issued_at = kNow + absl::Minutes(5);
  future.expires_at = kNow + absl::Minutes(65);
  const std::string issued_later = Mint("rs-1", future);
  ASSERT_TRUE(verifier.Verify(issued_later, kNow + absl::Minutes(5)).ok());
  ExpectRefused(verifier.Verify(issued_later, kNow + absl::Minutes(5) - skew - absl::Seconds(1)), issued_later,
                kTokenNotYetValid);
  // Still remembered, and still good inside its window.
  EXPECT_TRUE(verifier.Verify(token, kNow + absl::Minutes(30)).ok());
  EXPECT_EQ(verifier.RememberedTokens(), 2);
}

TEST_F(AuthTest, RefusedTokensAreNeverRemembered) {
  TokenVerifier verifier = Verifier();
  std::string bad = Mint("es-1");
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  for (int i = 0; i < 2; ++i) ExpectRefused(verifier.Verify(bad, kNow), bad, kTokenBadSignature);
  // Refused for its time, then checked again at a time it is valid: accepted, from a full check.
  const std::string token = Mint("hs-1");
  ExpectRefused(verifier.Verify(token, kNow + absl::Hours(2)), token, kTokenExpired);
  EXPECT_EQ(verifier.RememberedTokens(), 0);
  EXPECT_TRUE(verifier.Verify(token, kNow).ok());
  EXPECT_EQ(verifier.RememberedTokens(), 1);
}

TEST_F(AuthTest, TheCacheStaysWithinItsMemoryBudget) {
  TokenVerifier::Options options = Verifier().options();
  options.verified_cache_bytes = 4096;  // a handful of tokens
  // Tokens of one size (two-digit subjects), valid from kNow for `hours`.
  auto token_for = [](int i, int hours) {
    Claims claims = AthleteClaims();
    claims.subject = absl::StrCat("athlete-", 10 + i);
    claims.expires_at = kNow + absl::Hours(hours);
    return Mint("hs-1", claims);
  };
  const TokenVerifier verifier(VerifySet(), options);
  std::vector<std::string> tokens;
  for (int i = 0; i < 60; ++i) tokens.push_back(token_for(i, 1));
  std::vector<size_t> counts;  // remembered after each call
  for (int round = 0; round < 2; ++round) {
    for (const std::string& token : tokens) {
      absl::StatusOr<Claims> claims = verifier.Verify(token, kNow);
      ASSERT_TRUE(claims.ok()) << claims.status();
      counts.push_back(verifier.RememberedTokens());
    }
  }
  const size_t capacity = *std::max_element(counts.begin(), counts.end());
  ASSERT_GE(capacity, 2u);
  EXPECT_LT(capacity, tokens.size());
  EXPECT_LE(capacity * tokens[0].size(), 4096u) << capacity << " tokens remembered";
  // Once full, the next new token makes room by dropping about half of the live ones.
  const size_t full = std::find(counts.begin(), counts.end(), capacity) - counts.begin();
  ASSERT_LT(full + 1, counts.size());
  EXPECT_LE(counts[full + 1], capacity / 2 + 1);

  // When the budget is reached, expired tokens are dropped first and all live ones kept.
  const TokenVerifier fresh(VerifySet(), options);
  const size_t live = capacity / 2;
  for (size_t i = 0; i < capacity; ++i) {
    ASSERT_TRUE(fresh.Verify(token_for(static_cast<int>(i), i < live ? 10 : 1), kNow).ok());
  }
  ASSERT_EQ(fresh.RememberedTokens(), capacity);
  ASSERT_TRUE(fresh.Verify(token_for(70, 10), kNow + absl::Hours(3)).ok());
  EXPECT_EQ(fresh.RememberedTokens(), live + 1);
}

TEST_F(AuthTest, MintedHeaderAndPayloadHaveTheDocumentedShape) {
  Claims claims = AthleteClaims();
  claims.not_before = kNow;
  std::string token = Mint("es-1", claims);
  std::vector<std::string> parts = Parts(token);
  ASSERT_EQ(parts.size(), 3u);
  std::string header = Unb64(parts[0]);
  EXPECT_TRUE(absl::StrContains(header, "\"alg\":\"ES256\"")) << header;
  EXPECT_TRUE(absl::StrContains(header, "\"kid\":\"es-1\"")) << header;
  EXPECT_TRUE(absl::StrContains(header, "\"typ\":\"JWT\"")) << header;
  std::string payload = Unb64(parts[1]);
  EXPECT_TRUE(absl::StrContains(payload, "\"aud\":\"gaitkeeper\"")) << payload;  // one: a string
  EXPECT_TRUE(absl::StrContains(payload, absl::StrCat("\"iat\":", absl::ToUnixSeconds(kNow))));
  EXPECT_TRUE(absl::StrContains(payload, absl::StrCat("\"nbf\":", absl::ToUnixSeconds(kNow))));
  EXPECT_FALSE(absl::StrContains(payload, "clinic")) << payload;
  absl::StatusOr<Claims> verified = Verifier().Verify(token, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->not_before, kNow);
}

TEST_F(AuthTest, EveryRoleRoundTrips) {
  struct Case {
    std::string role;
    std::string clinic;
  };
  TokenVerifier verifier = Verifier();
  for (const Case& c : std::vector<Case>{{"athlete", ""},
                                         {"clinician", kClinic},
                                         {"clinic_admin", kClinic},
                                         {"service", ""},
                                         {"service", kClinic}}) {
    SCOPED_TRACE(c.role + "/" + c.clinic);
    Claims claims = AthleteClaims();
    claims.role = c.role;
    claims.clinic = c.clinic;
    absl::StatusOr<Claims> verified = verifier.Verify(Mint("rs-1", claims), kNow);
    ASSERT_TRUE(verified.ok()) << verified.status();
    EXPECT_EQ(verified->role, c.role);
    EXPECT_EQ(verified->clinic, c.clinic);
  }
}

TEST_F(AuthTest, KeyRotationBothKidsVerifyAndARemovedKidIsUnknown) {
  TokenVerifier both = Verifier();
  std::string old_token = Mint("es-1");
  std::string new_token = Mint("es-2");
  EXPECT_TRUE(both.Verify(old_token, kNow).ok());
  EXPECT_TRUE(both.Verify(new_token, kNow).ok());

  fs::path rotated = Dir() / "rotated.keys";
  WriteFile(rotated, "es-2 ES256 es2.pub\n");
  absl::StatusOr<KeySet> keys = LoadKeySet(rotated.string(), KeyUse::kVerify);
  ASSERT_TRUE(keys.ok()) << keys.status();
  TokenVerifier after = Verifier(*std::move(keys));
  EXPECT_TRUE(after.Verify(new_token, kNow).ok());
  absl::StatusOr<Claims> old_result = after.Verify(old_token, kNow);
  ExpectRefused(old_result, old_token, kTokenUnknownKey);
  EXPECT_TRUE(absl::StrContains(old_result.status().message(), "es-1"));
}

// ---------------------------------------------------------------------------------------------
// Time: exp, iat, nbf and lifetime, all against the caller's clock (libjwt checks none of them).

TEST_F(AuthTest, TimeRulesWithClockSkew) {
  const absl::Duration skew = absl::Seconds(60);
  struct Case {
    std::string name;
    absl::Time iat;
    absl::Time exp;
    std::optional<absl::Time> nbf;
    absl::Time now;
    std::string reason;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"fresh", kNow, kNow + absl::Hours(1), std::nullopt, kNow, ""},
      {"expired_within_skew", kNow, kNow + absl::Hours(1), std::nullopt, kNow + absl::Hours(1) + skew, ""},
      {"expired_beyond_skew", kNow, kNow + absl::Hours(1), std::nullopt, kNow + absl::Hours(1) + skew + absl::Seconds(1), std::string(kTokenExpired)},
      {"long_expired", kNow, kNow + absl::Hours(1), std::nullopt, kNow + absl::Hours(48), std::string(kTokenExpired)},
      {"iat_future_within_skew", kNow + skew, kNow + absl::Hours(1), std::nullopt, kNow, ""},
      {"iat_future_beyond_skew", kNow + skew + absl::Seconds(1), kNow + absl::Hours(1), std::nullopt, kNow, std::string(kTokenNotYetValid)},
      {"nbf_within_skew", kNow, kNow + absl::Hours(1), kNow + skew, kNow, ""},
      {"nbf_beyond_skew", kNow, kNow + absl::Hours(1), kNow + skew + absl::Seconds(1), kNow, std::string(kTokenNotYetValid)},
      {"nbf_past", kNow, kNow + absl::Hours(1), kNow - absl::Hours(1), kNow, ""},
      {"lifetime_24h", kNow, kNow + absl::Hours(24), std::nullopt, kNow, ""},
      {"lifetime_too_long", kNow, kNow + absl::Hours(24) + absl::Seconds(1), std::nullopt, kNow, std::string(kTokenLifetimeTooLong)},
      // exp decades ahead of the wall clock but behind `now`: libjwt must not decide anything.
      {"caller_clock_wins", absl::FromUnixSeconds(4'000'000'000), absl::FromUnixSeconds(4'000'003'600), std::nullopt, absl::FromUnixSeconds(4'000'100'000), std::string(kTokenExpired)},
      // exp in 2001, long before the wall clock, but `now` is inside it: accepted.
      {"past_token_at_past_now", absl::FromUnixSeconds(1'000'000'000), absl::FromUnixSeconds(1'000'003'600), std::nullopt, absl::FromUnixSeconds(1'000'000'100), ""},
  };
  TokenVerifier verifier = Verifier();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Claims claims = AthleteClaims();
    claims.issued_at = c.iat;
    claims.expires_at = c.exp;
    claims.not_before = c.nbf;
    std::string token = Mint("hs-1", claims);
    absl::StatusOr<Claims> result = verifier.Verify(token, c.now);
    if (c.reason.empty()) {
      EXPECT_TRUE(result.ok()) << result.status();
    } else {
      ExpectRefused(result, token, c.reason);
    }
  }
}

TEST_F(AuthTest, FractionalNumericDatesAreAccepted) {
  JsonFields payload = AthletePayload();
  payload["iat"] = absl::StrCat(absl::ToUnixSeconds(kNow), ".5");
  absl::StatusOr<Claims> claims = Verifier().Verify(HsToken(payload), kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->issued_at, kNow + absl::Milliseconds(500));
}

// ---------------------------------------------------------------------------------------------
// Issuer, audience and the claims themselves (hand-made tokens reach what Mint refuses).

TEST_F(AuthTest, IssuerAndAudience) {
  TokenVerifier verifier = Verifier();
  Claims claims = AthleteClaims();
  claims.issuer = "someone-else";
  std::string token = Mint("rs-1", claims);
  ExpectRefused(verifier.Verify(token, kNow), token, kTokenWrongIssuer);

  claims = AthleteClaims();
  claims.audience = {"another-api"};
  token = Mint("rs-1", claims);
  ExpectRefused(verifier.Verify(token, kNow), token, kTokenWrongAudience);

  claims.audience = {"another-api", kAudience};
  token = Mint("rs-1", claims);
  EXPECT_TRUE(absl::StrContains(Unb64(Parts(token)[1]), "\"aud\":[\"another-api\",\"gaitkeeper\"]"));
  absl::StatusOr<Claims> verified = verifier.Verify(token, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->audience, (std::vector<std::string>{"another-api", kAudience}));
}

TEST_F(AuthTest, AVerifierWithoutIssuerOrAudienceRefusesEverything) {
  // Tokens with empty iss / aud must not match a verifier whose options were left empty.
  JsonFields payload = AthletePayload();
  payload["iss"] = Quoted("");
  std::string token = HsToken(payload);
  TokenVerifier::Options no_issuer;
  no_issuer.audience = kAudience;
  ExpectRefused(TokenVerifier(VerifySet(), no_issuer).Verify(token, kNow), token,
                kTokenWrongIssuer);

  payload = AthletePayload();
  payload["aud"] = Quoted("");
  token = HsToken(payload);
  TokenVerifier::Options no_audience;
  no_audience.issuer = kIssuer;
  ExpectRefused(TokenVerifier(VerifySet(), no_audience).Verify(token, kNow), token,
                kTokenWrongAudience);
}

TEST_F(AuthTest, ClaimRules) {
  struct Case {
    std::string name;
    std::map<std::string, std::optional<std::string>> edits;  // nullopt = remove the claim
    std::string reason;                                       // "" = accepted
  };
  const std::string iat = absl::StrCat(absl::ToUnixSeconds(kNow));
  const std::vector<Case> cases = {
      {"valid", {}, ""},
      {"missing_iss", {{"iss", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"iss_not_string", {{"iss", "7"}}, std::string(kTokenMalformed)},
      {"missing_aud", {{"aud", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"aud_number", {{"aud", "1"}}, std::string(kTokenMalformed)},
      {"aud_array_with_number", {{"aud", "[\"gaitkeeper\",1]"}}, std::string(kTokenMalformed)},
      {"aud_empty_array", {{"aud", "[]"}}, std::string(kTokenWrongAudience)},
      {"aud_array_match", {{"aud", "[\"x\",\"gaitkeeper\"]"}}, ""},
      {"missing_exp", {{"exp", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"missing_iat", {{"iat", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"exp_string", {{"exp", "\"tomorrow\""}}, std::string(kTokenMalformed)},
      {"exp_negative", {{"exp", "-5"}}, std::string(kTokenMalformed)},
      {"exp_huge", {{"exp", "1e300"}}, std::string(kTokenMalformed)},
      {"exp_before_iat", {{"exp", iat}}, std::string(kTokenMalformed)},
      {"nbf_string", {{"nbf", "\"now\""}}, std::string(kTokenMalformed)},
      {"missing_sub", {{"sub", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"empty_sub", {{"sub", "\"\""}}, std::string(kTokenMissingClaim)},
      {"sub_with_space", {{"sub", "\"a b\""}}, std::string(kTokenMalformed)},
      {"sub_with_control", {{"sub", "\"a\\u0000b\""}}, std::string(kTokenMalformed)},
      {"sub_128", {{"sub", Quoted(std::string(128, 's'))}}, ""},
      {"sub_129", {{"sub", Quoted(std::string(129, 's'))}}, std::string(kTokenMalformed)},
      {"missing_role", {{"role", std::nullopt}}, std::string(kTokenMissingClaim)},
      {"unknown_role", {{"role", "\"admin\""}}, std::string(kTokenMalformed)},
      {"role_wrong_case", {{"role", "\"Athlete\""}}, std::string(kTokenMalformed)},
      {"athlete_with_clinic", {{"clinic", Quoted(kClinic)}}, std::string(kTokenMalformed)},
      {"clinician_without_clinic", {{"role", "\"clinician\""}}, std::string(kTokenMissingClaim)},
      {"clinic_admin_without_clinic", {{"role", "\"clinic_admin\""}}, std::string(kTokenMissingClaim)},
      {"clinician_with_clinic", {{"role", "\"clinician\""}, {"clinic", Quoted(kClinic)}}, ""},
      {"clinician_upper_case_clinic", {{"role", "\"clinician\""}, {"clinic", Quoted("0F8C2B1E-3D4A-4B5C-9D6E-7F8091A2B3C4")}}, std::string(kTokenMalformed)},
      {"clinician_clinic_not_uuid", {{"role", "\"clinician\""}, {"clinic", "\"clinic-1\""}}, std::string(kTokenMalformed)},
      {"clinician_empty_clinic", {{"role", "\"clinician\""}, {"clinic", "\"\""}}, std::string(kTokenMalformed)},
      {"clinician_clinic_number", {{"role", "\"clinician\""}, {"clinic", "5"}}, std::string(kTokenMalformed)},
      {"extra_claims_ignored", {{"jti", "\"abc\""}, {"scope", "[\"x\"]"}}, ""},
  };
  TokenVerifier verifier = Verifier();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    JsonFields payload = AthletePayload();
    for (const auto& [name, value] : c.edits) {
      if (value.has_value()) {
        payload[name] = *value;
      } else {
        payload.erase(name);
      }
    }
    std::string token = HsToken(payload);
    absl::StatusOr<Claims> result = verifier.Verify(token, kNow);
    if (c.reason.empty()) {
      EXPECT_TRUE(result.ok()) << result.status();
    } else {
      ExpectRefused(result, token, c.reason);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Signatures and algorithms.

TEST_F(AuthTest, TamperedPayloadOrSignatureIsABadSignature) {
  TokenVerifier verifier = Verifier();
  Claims service = AthleteClaims();
  service.role = std::string(kRoleService);
  for (const char* kid : {"hs-1", "rs-1", "es-1"}) {
    SCOPED_TRACE(kid);
    std::vector<std::string> athlete = Parts(Mint(kid));
    std::vector<std::string> other = Parts(Mint(kid, service));
    // A valid payload of another token under this token's signature.
    std::string swapped = absl::StrCat(athlete[0], ".", other[1], ".", athlete[2]);
    ExpectRefused(verifier.Verify(swapped, kNow), swapped, kTokenBadSignature);
    // One character of the signature changed (in the middle: the last character of base64url
    // can carry unused bits).
    std::string sig = athlete[2];
    sig[sig.size() / 2] = sig[sig.size() / 2] == 'A' ? 'B' : 'A';
    std::string flipped = absl::StrCat(athlete[0], ".", athlete[1], ".", sig);
    ExpectRefused(verifier.Verify(flipped, kNow), flipped, kTokenBadSignature);
    // Signature cut short.
    std::string cut = absl::StrCat(athlete[0], ".", athlete[1], ".", athlete[2].substr(0, 20));
    ExpectRefused(verifier.Verify(cut, kNow), cut, kTokenBadSignature);
    // No signature at all.
    std::string unsigned_token = absl::StrCat(athlete[0], ".", athlete[1], ".");
    ExpectRefused(verifier.Verify(unsigned_token, kNow), unsigned_token, kTokenBadSignature);
  }
}

TEST_F(AuthTest, AnotherKeyWithTheSameKidIsABadSignature) {
  TokenVerifier verifier = Verifier();
  const std::string payload = Json(AthletePayload());
  struct Case {
    std::string kid;
    std::string alg;
    SignFn sign;
  };
  for (const Case& c : std::vector<Case>{{"hs-1", "HS256", HsSigner(*hs_other_)},
                                         {"rs-1", "RS256", RsSigner(rs_other_)},
                                         {"es-1", "ES256", EsSigner(es_other_)},
                                         {"es-1", "ES256", EsSigner(es2_)}}) {
    SCOPED_TRACE(c.kid);
    std::string token = Compact(Json(Header(c.alg, c.kid)), payload, c.sign);
    ExpectRefused(verifier.Verify(token, kNow), token, kTokenBadSignature);
  }
}

TEST_F(AuthTest, AlgorithmConfusionIsRefused) {
  TokenVerifier verifier = Verifier();
  const std::string payload = Json(AthletePayload());
  // The classic attack: HS256 "signed" with the verifier's public PEM as the HMAC secret.
  for (const auto& [kid, key] : std::vector<std::pair<std::string, EVP_PKEY*>>{{"rs-1", rs1_},
                                                                             {"es-1", es1_}}) {
    SCOPED_TRACE(kid);
    std::string token = Compact(Json(Header("HS256", kid)), payload, HsSigner(PublicPem(key)));
    ExpectRefused(verifier.Verify(token, kNow), token, kTokenAlgorithmMismatch);
  }
  // Any other pairing of header alg and key alg, even with a signature that would verify.
  struct Case {
    std::string alg;
    std::string kid;
    SignFn sign;
  };
  for (const Case& c : std::vector<Case>{{"RS256", "es-1", RsSigner(rs1_)},
                                         {"ES256", "rs-1", EsSigner(es1_)},
                                         {"RS256", "hs-1", RsSigner(rs1_)},
                                         {"hs256", "hs-1", HsSigner(*hs_secret_)},
                                         {"HS512", "hs-1", HsSigner(*hs_secret_)},
                                         {"PS256", "rs-1", RsSigner(rs1_)}}) {
    SCOPED_TRACE(c.alg + "/" + c.kid);
    std::string token = Compact(Json(Header(c.alg, c.kid)), payload, c.sign);
    ExpectRefused(verifier.Verify(token, kNow), token, kTokenAlgorithmMismatch);
  }
}

TEST_F(AuthTest, DuplicateHeaderMembersAreRefused) {
  // protobuf and jansson could disagree on which "alg" counts; a duplicate is malformed.
  std::string header = R"({"alg":"RS256","kid":"rs-1","alg":"HS256","typ":"JWT"})";
  std::string token =
      Compact(header, Json(AthletePayload()), HsSigner(PublicPem(rs1_)));
  ExpectRefused(Verifier().Verify(token, kNow), token, kTokenMalformed);
}

TEST_F(AuthTest, AlgNoneIsRefused) {
  TokenVerifier verifier = Verifier();
  auto no_signature = [](absl::string_view) { return std::string(); };
  for (const char* alg : {"none", "None", "NONE"}) {
    for (const char* kid : {"hs-1", "rs-1", "es-1"}) {
      SCOPED_TRACE(absl::StrCat(alg, "/", kid));
      std::string token = Compact(Json(Header(alg, kid)), Json(AthletePayload()), no_signature);
      ExpectRefused(verifier.Verify(token, kNow), token, kTokenAlgorithmMismatch);
    }
  }
  // And without a kid.
  std::string token = Compact(R"({"alg":"none"})", Json(AthletePayload()), no_signature);
  ExpectRefused(verifier.Verify(token, kNow), token, kTokenAlgorithmMismatch);
}

TEST_F(AuthTest, HeaderRules) {
  const std::string payload = Json(AthletePayload());
  const SignFn sign = HsSigner(*hs_secret_);
  struct Case {
    std::string name;
    std::string header;
    std::string reason;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"no_typ", R"({"alg":"HS256","kid":"hs-1"})", ""},
      {"typ_lower_case", R"({"alg":"HS256","kid":"hs-1","typ":"jwt"})", ""},
      {"missing_kid", R"({"alg":"HS256","typ":"JWT"})", std::string(kTokenUnknownKey)},
      {"empty_kid", R"({"alg":"HS256","kid":"","typ":"JWT"})", std::string(kTokenUnknownKey)},
      {"kid_number", R"({"alg":"HS256","kid":1,"typ":"JWT"})", std::string(kTokenUnknownKey)},
      {"unknown_kid", R"({"alg":"HS256","kid":"hs-9","typ":"JWT"})", std::string(kTokenUnknownKey)},
      {"missing_alg", R"({"kid":"hs-1","typ":"JWT"})", std::string(kTokenMalformed)},
      {"alg_number", R"({"alg":256,"kid":"hs-1"})", std::string(kTokenMalformed)},
      {"typ_other", R"({"alg":"HS256","kid":"hs-1","typ":"JWE"})", std::string(kTokenMalformed)},
      {"crit", R"({"alg":"HS256","kid":"hs-1","crit":["exp"],"exp":1})", std::string(kTokenMalformed)},
      {"header_array", R"(["HS256"])", std::string(kTokenMalformed)},
      {"header_not_json", "alg=HS256", std::string(kTokenMalformed)},
  };
  TokenVerifier verifier = Verifier();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string token = Compact(c.header, payload, sign);
    absl::StatusOr<Claims> result = verifier.Verify(token, kNow);
    if (c.reason.empty()) {
      EXPECT_TRUE(result.ok()) << result.status();
    } else {
      ExpectRefused(result, token, c.reason);
    }
  }
}

TEST_F(AuthTest, PayloadThatIsNotAJsonObjectIsMalformed) {
  TokenVerifier verifier = Verifier();
  for (const char* payload : {"[1,2]", "\"x\"", "{\"sub\":", "{} trailing"}) {
    SCOPED_TRACE(payload);
    std::string token = Compact(Json(Header("HS256", "hs-1")), payload, HsSigner(*hs_secret_));
    ExpectRefused(verifier.Verify(token, kNow), token, kTokenMalformed);
  }
}

TEST_F(AuthTest, JsonThatOnlyOneParserAcceptsIsRefused) {
  // protobuf reads any JSON number as a double; jansson (libjwt) refuses integers beyond 64 bits.
  // Either way the token is refused (libjwt's refusal is reported as a bad signature).
  JsonFields payload = AthletePayload();
  payload["jti"] = "123456789012345678901234567890";
  std::string token = HsToken(payload);
  absl::StatusOr<Claims> result = Verifier().Verify(token, kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
}

// ---------------------------------------------------------------------------------------------
// Interoperability: JOSE ES256 signatures are raw R||S (64 bytes), not DER.

// Whether a JOSE signature's R or S has a leading zero byte (the case a padding bug breaks).
bool HasShortComponent(absl::string_view jose) { return jose[0] == '\0' || jose[32] == '\0'; }

TEST_F(AuthTest, Es256TokensSignedWithPlainOpensslVerify) {
  TokenVerifier verifier = Verifier();
  const std::string header = R"({"alg":"ES256","kid":"es-1"})";  // no typ, as many issuers do
  const std::string payload = Json(AthletePayload());
  // Sign until a signature with a short R or S (leading zero, ~1 in 64) has been seen too.
  int short_seen = 0;
  int iterations = 0;
  for (; iterations < 5000 && (iterations < 64 || short_seen == 0); ++iterations) {
    std::string input = absl::StrCat(B64(header), ".", B64(payload));
    std::string jose = DerToJose(EvpSign(es1_, input));
    ASSERT_EQ(jose.size(), 64u);
    short_seen += HasShortComponent(jose) ? 1 : 0;
    std::string token = absl::StrCat(input, ".", B64(jose));
    absl::StatusOr<Claims> claims = verifier.Verify(token, kNow);
    ASSERT_TRUE(claims.ok()) << "iteration " << iterations << ": " << claims.status();
  }
  EXPECT_GT(short_seen, 0) << "no short R/S in " << iterations << " signatures";

  // A DER signature (what OpenSSL produces natively) is not JOSE: refused.
  std::string input = absl::StrCat(B64(header), ".", B64(payload));
  std::string der_token = absl::StrCat(input, ".", B64(EvpSign(es1_, input)));
  ExpectRefused(verifier.Verify(der_token, kNow), der_token, kTokenBadSignature);
}

TEST_F(AuthTest, MintedEs256SignaturesAreJoseAndVerifyWithPlainOpenssl) {
  TokenSigner signer = Signer("es-1");
  int short_seen = 0;
  int iterations = 0;
  for (; iterations < 5000 && (iterations < 64 || short_seen == 0); ++iterations) {
    Claims claims = AthleteClaims();
    claims.subject = absl::StrCat("athlete-", iterations);  // a fresh message each time
    absl::StatusOr<std::string> token = signer.Mint(claims);
    ASSERT_TRUE(token.ok()) << token.status();
    std::vector<std::string> parts = Parts(*token);
    std::string jose = Unb64(parts[2]);
    ASSERT_EQ(jose.size(), 64u) << "iteration " << iterations;
    short_seen += HasShortComponent(jose) ? 1 : 0;
    ASSERT_TRUE(EvpVerify(es1_, absl::StrCat(parts[0], ".", parts[1]), JoseToDer(jose)))
        << "iteration " << iterations;
  }
  EXPECT_GT(short_seen, 0) << "no short R/S in " << iterations << " signatures";
}

TEST_F(AuthTest, Rs256AndHs256TokensSignedWithPlainOpensslVerify) {
  TokenVerifier verifier = Verifier();
  const std::string payload = Json(AthletePayload());
  std::string rs = Compact(R"({"alg":"RS256","kid":"rs-1"})", payload, RsSigner(rs1_));
  EXPECT_TRUE(verifier.Verify(rs, kNow).ok());
  std::string hs = Compact(R"({"alg":"HS256","kid":"hs-1"})", payload, HsSigner(*hs_secret_));
  EXPECT_TRUE(verifier.Verify(hs, kNow).ok());
  // And the minted ones verify with plain OpenSSL.
  std::vector<std::string> parts = Parts(Mint("rs-1"));
  EXPECT_TRUE(EvpVerify(rs1_, absl::StrCat(parts[0], ".", parts[1]), Unb64(parts[2])));
  parts = Parts(Mint("hs-1"));
  EXPECT_EQ(Unb64(parts[2]), HmacSha256(*hs_secret_, absl::StrCat(parts[0], ".", parts[1])));
}

// ---------------------------------------------------------------------------------------------
// Garbage never crashes and is always refused.

TEST_F(AuthTest, GarbageIsMalformed) {
  TokenVerifier verifier = Verifier();
  const std::string valid = Mint("hs-1");
  std::vector<std::string> parts = Parts(valid);
  const std::vector<std::string> inputs = {
      "",
      ".",
      "..",
      "...",
      "abc",
      "abc.def",
      absl::StrCat(parts[0], ".", parts[1]),
      absl::StrCat(valid, ".", parts[2]),  // four parts
      absl::StrCat(parts[0], "..", parts[2]),
      absl::StrCat(".", parts[1], ".", parts[2]),
      "!!!!.@@@@.####",
      absl::StrCat(parts[0], "=.", parts[1], ".", parts[2]),  // padding is not base64url
      absl::StrCat(parts[0], ".", parts[1], ".", parts[2], "="),
      absl::StrCat("A", parts[0], ".", parts[1], ".", parts[2]),  // impossible length
      std::string("eyJ\0hbGc.e30.e30", 16),
      absl::StrCat(valid, std::string(kMaxTokenBytes, 'A')),  // too long
      std::string(kMaxTokenBytes + 1, 'A'),
      std::string(1 << 20, '.'),
      absl::StrCat(B64(absl::StrCat("{\"a\":", std::string(6000, '['))), ".e30.e30"),  // deep
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("input ", i));
    ExpectRefused(verifier.Verify(inputs[i], kNow), inputs[i], kTokenMalformed);
  }
}

TEST_F(AuthTest, RandomMutationsNeverCrashOrChangeClaims) {
  TokenVerifier verifier = Verifier();
  std::mt19937 random(20240607);
  for (const char* kid : {"hs-1", "rs-1", "es-1"}) {
    const std::string valid = Mint(kid);
    for (int i = 0; i < 300; ++i) {
      std::string token = valid;
      switch (random() % 4) {
        case 0:
          token[random() % token.size()] = static_cast<char>(random() % 256);
          break;
        case 1:
          token.erase(random() % token.size(), 1 + random() % 8);
          break;
        case 2:
          token.insert(random() % token.size(), 1, "A.-_=~ \x80"[random() % 8]);
          break;
        default:
          token.resize(random() % token.size());
          break;
      }
      absl::StatusOr<Claims> result = verifier.Verify(token, kNow);
      if (result.ok()) {
        // Only a base64url spelling of the same bytes can pass (e.g. unused trailing bits).
        EXPECT_EQ(result->subject, "athlete-7");
        EXPECT_EQ(result->role, "athlete");
      } else {
        EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
        EXPECT_NE(ReasonOf(result.status()), "");
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Concurrency: one verifier, many threads, every algorithm.

TEST_F(AuthTest, VerifyIsSafeFromManyThreads) {
  const TokenVerifier verifier = Verifier();
  const std::vector<std::string> good = {Mint("hs-1"), Mint("rs-1"), Mint("es-1"), Mint("es-2")};
  std::string bad = good[2];
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string& token = good[(t + i) % good.size()];
        if (!verifier.Verify(token, kNow).ok()) ++failures;
        absl::StatusOr<Claims> refused = verifier.Verify(bad, kNow);
        if (refused.ok() || ReasonOf(refused.status()) != kTokenBadSignature) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// Minting refuses what the verifier would refuse.

TEST_F(AuthTest, MintRefusesInvalidClaims) {
  TokenSigner signer = Signer("hs-1");
  struct Case {
    std::string name;
    std::function<void(Claims&)> edit;
  };
  const std::vector<Case> cases = {
      {"no_issuer", [](Claims& c) { c.issuer.clear(); }},
      {"no_audience", [](Claims& c) { c.audience.clear(); }},
      {"empty_audience", [](Claims& c) { c.audience = {""}; }},
      {"no_subject", [](Claims& c) { c.subject.clear(); }},
      {"subject_with_space", [](Claims& c) { c.subject = "a b"; }},
      {"unknown_role", [](Claims& c) { c.role = "root"; }},
      {"clinician_without_clinic", [](Claims& c) { c.role = "clinician"; }},
      {"athlete_with_clinic", [](Claims& c) { c.clinic = kClinic; }},
      {"exp_not_after_iat", [](Claims& c) { c.expires_at = c.issued_at; }},
      {"exp_within_the_same_second", [](Claims& c) { c.expires_at = c.issued_at + absl::Milliseconds(500); }},
      {"nul_in_issuer", [](Claims& c) { c.issuer = std::string("a\0b", 3); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Claims claims = AthleteClaims();
    c.edit(claims);
    absl::StatusOr<std::string> token = signer.Mint(claims);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument) << token.status();
  }
}

TEST_F(AuthTest, MintWithAPublicKeyFails) {
  KeySet verify = VerifySet();
  absl::StatusOr<std::string> token = TokenSigner(*verify.Find("rs-1")).Mint(AthleteClaims());
  EXPECT_FALSE(token.ok());
}

TEST_F(AuthTest, MintEscapesStrings) {
  Claims claims = AthleteClaims();
  claims.issuer = "quote\"back\\slash";
  claims.audience = {"aud\"1", kAudience};
  std::string token = Mint("hs-1", claims);
  TokenVerifier::Options options;
  options.issuer = claims.issuer;
  options.audience = kAudience;
  absl::StatusOr<Claims> verified = TokenVerifier(VerifySet(), options).Verify(token, kNow);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->issuer, claims.issuer);
  EXPECT_EQ(verified->audience, claims.audience);
}

// ---------------------------------------------------------------------------------------------
// The authorization header.

TEST(BearerTokenTest, ParsesTheAuthorizationHeader) {
  struct Case {
    std::string value;
    std::optional<std::string> token;  // nullopt = refused with TOKEN_MISSING
  };
  const std::vector<Case> cases = {
      {"Bearer abc.def.ghi", "abc.def.ghi"},
      {"bearer abc.def.ghi", "abc.def.ghi"},
      {"BEARER abc.def.ghi", "abc.def.ghi"},
      {"Bearer   abc.def.ghi  ", "abc.def.ghi"},
      {"Bearer\tabc", "abc"},
      {"Bearer abc==", "abc=="},
      {"Bearer a-b_c.d~e+f/g", "a-b_c.d~e+f/g"},
      {"", std::nullopt},
      {"   ", std::nullopt},
      {"Bearer", std::nullopt},
      {"Bearer ", std::nullopt},
      {"Bearerabc.def.ghi", std::nullopt},
      {"Basic dXNlcjpwYXNz", std::nullopt},
      {"Token abc", std::nullopt},
      {"abc.def.ghi", std::nullopt},
      {"Bearer abc def", std::nullopt},
      {"Bearer abc,def", std::nullopt},
      {"Bearer =abc", std::nullopt},
      {"Bearer ab=c", std::nullopt},
      {"Bearer abc\n", "abc"},
      {"Bearer ab\x01", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    absl::StatusOr<std::string> token = BearerToken(c.value);
    if (c.token.has_value()) {
      ASSERT_TRUE(token.ok()) << token.status();
      EXPECT_EQ(*token, *c.token);
    } else {
      ASSERT_FALSE(token.ok());
      EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated);
      EXPECT_EQ(ReasonOf(token.status()), kTokenMissing);
    }
  }
}

TEST(UuidTest, LowerCaseOnly) {
  EXPECT_TRUE(IsLowerCaseUuid(kClinic));
  EXPECT_FALSE(IsLowerCaseUuid("0F8C2B1E-3D4A-4B5C-9D6E-7F8091A2B3C4"));
  EXPECT_FALSE(IsLowerCaseUuid("0f8c2b1e3d4a4b5c9d6e7f8091a2b3c4"));
  EXPECT_FALSE(IsLowerCaseUuid("0f8c2b1e-3d4a-4b5c-9d6e-7f8091a2b3cg"));
  EXPECT_FALSE(IsLowerCaseUuid(""));
}

}  // namespace
}  // namespace gaitkeeper::auth
