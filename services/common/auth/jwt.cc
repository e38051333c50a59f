#include "services/common/auth/jwt.h"

#include <jwt.h>
#include <openssl/err.h>

#include <climits>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/status.h"

namespace gaitkeeper::auth {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// Latest NumericDate we accept: 9999-12-31T23:59:59Z (keeps absl::Time arithmetic exact).
constexpr double kMaxNumericDate = 253402300799.0;

absl::Status Fail(absl::string_view reason, absl::string_view message) {
  return WithReason(absl::UnauthenticatedError(message), reason);
}

jwt_alg_t ToLibjwt(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHS256:
      return JWT_ALG_HS256;
    case Algorithm::kRS256:
      return JWT_ALG_RS256;
    case Algorithm::kES256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

bool IsBase64UrlChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// True for unpadded base64url text (RFC 7515 §2) of a possible length.
bool IsBase64Url(absl::string_view part) {
  if (part.size() % 4 == 1) return false;
  for (char c : part) {
    if (!IsBase64UrlChar(c)) return false;
  }
  return true;
}

// True when a key or string anywhere in `object` contains a NUL character. protobuf accepts
// "\u0000", jansson (libjwt's parser) does not; such tokens are malformed, not badly signed.
bool HasNul(const Value& value);
bool HasNul(const Struct& object) {
  for (const auto& [name, value] : object.fields()) {
    if (absl::StrContains(name, '\0') || HasNul(value)) return true;
  }
  return false;
}
bool HasNul(const Value& value) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return absl::StrContains(value.string_value(), '\0');
    case Value::kStructValue:
      return HasNul(value.struct_value());
    case Value::kListValue:
      for (const Value& item : value.list_value().values()) {
        if (HasNul(item)) return true;
      }
      return false;
    default:
      return false;
  }
}

// Decodes one part of a compact JWS into a JSON object. nullopt when it is not base64url or not
// a JSON object (protobuf's JSON parser refuses duplicate keys, trailing garbage and invalid
// UTF-8), or has a NUL character. protobuf's error message quotes the input, so it is dropped:
// the caller says what failed.
std::optional<Struct> DecodeJsonPart(absl::string_view part) {
  if (part.empty() || !IsBase64Url(part)) return std::nullopt;
  std::string json;
  if (!absl::WebSafeBase64Unescape(part, &json)) return std::nullopt;
  Struct object;
  if (!google::protobuf::util::JsonStringToMessage(json, &object).ok()) return std::nullopt;
  if (HasNul(object)) return std::nullopt;
  return object;
}

const Value* FieldOf(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? nullptr : &it->second;
}

// A NumericDate (seconds since the epoch, possibly fractional) within [epoch, year 9999].
std::optional<absl::Time> NumericDate(const Value& value) {
  if (value.kind_case() != Value::kNumberValue) return std::nullopt;
  double seconds = value.number_value();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) return std::nullopt;
  return absl::UnixEpoch() + absl::Seconds(seconds);
}

// Reads a required NumericDate claim into `out`; the error to return otherwise.
absl::Status RequiredTime(const Struct& payload, const std::string& name, absl::Time& out) {
  const Value* value = FieldOf(payload, name);
  if (value == nullptr) return Fail(kTokenMissingClaim, absl::StrCat("token has no ", name));
  std::optional<absl::Time> time = NumericDate(*value);
  if (!time.has_value()) {
    return Fail(kTokenMalformed, absl::StrCat(name, " is not a valid NumericDate"));
  }
  out = *time;
  return absl::OkStatus();
}

// Reads a required string claim into `out`.
absl::Status RequiredString(const Struct& payload, const std::string& name, std::string& out) {
  const Value* value = FieldOf(payload, name);
  if (value == nullptr) return Fail(kTokenMissingClaim, absl::StrCat("token has no ", name));
  if (value->kind_case() != Value::kStringValue) {
    return Fail(kTokenMalformed, absl::StrCat(name, " is not a string"));
  }
  out = value->string_value();
  return absl::OkStatus();
}

bool IsPrintableNoSpace(absl::string_view text) {
  for (char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool IsToken68Char(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

}  // namespace

bool IsLowerCaseUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

absl::Status ValidateIdentity(absl::string_view subject, absl::string_view role,
                              absl::string_view clinic) {
  if (subject.empty()) return Fail(kTokenMissingClaim, "token has no sub");
  if (subject.size() > kMaxSubjectLength || !IsPrintableNoSpace(subject)) {
    return Fail(kTokenMalformed, absl::StrCat("sub must be 1 to ", kMaxSubjectLength,
                                              " printable ASCII characters without spaces"));
  }
  if (role.empty()) return Fail(kTokenMissingClaim, "token has no role");
  const bool clinic_role = role == kRoleClinician || role == kRoleClinicAdmin;
  if (!clinic_role && role != kRoleAthlete && role != kRoleService) {
    return Fail(kTokenMalformed, "role must be athlete, clinician, clinic_admin or service");
  }
  if (clinic_role && clinic.empty()) {
    return Fail(kTokenMissingClaim, absl::StrCat("a ", role, " token needs a clinic"));
  }
  if (role == kRoleAthlete && !clinic.empty()) {
    return Fail(kTokenMalformed, "an athlete token must not have a clinic");
  }
  if (!clinic.empty() && !IsLowerCaseUuid(clinic)) {
    return Fail(kTokenMalformed, "clinic must be a lower-case UUID");
  }
  return absl::OkStatus();
}

// Tokens that verified, by their exact bytes, within a memory budget. When full, tokens that have
// expired (beyond the skew) are dropped first, then about half of the rest, in the map's (hash)
// order, which is as good as random: a bound that never lets the cache grow, and a caller whose
// token is dropped pays one signature check again.
class TokenVerifier::VerifiedTokens {
 public:
  VerifiedTokens(size_t max_bytes, absl::Duration clock_skew) : max_bytes_(max_bytes), clock_skew_(clock_skew) {}

  std::optional<Claims> Find(absl::string_view token) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = claims_.find(token);
    if (it == claims_.end()) return std::nullopt;
    return it->second;
  }

  void Remember(absl::string_view token, const Claims& claims, absl::Time now) {
    const size_t cost = CostOf(token, claims);
    if (cost > max_bytes_) return;
    absl::MutexLock lock(&mu_);
    if (claims_.contains(token)) return;
    if (bytes_ + cost > max_bytes_) {
      DropWhile([&](const Claims& remembered) { return now > remembered.expires_at + clock_skew_; });
    }
    if (bytes_ + cost > max_bytes_) {
      DropWhile([&](const Claims&) { return bytes_ + cost > max_bytes_ / 2; });
    }
    claims_.emplace(std::string(token), claims);
    bytes_ += cost;
  }

  size_t size() const {
    absl::ReaderMutexLock lock(&mu_);
    return claims_.size();
  }

 private:
  // The memory of one entry: the key and the claims with their strings, plus the map's slot.
  static size_t CostOf(absl::string_view token, const Claims& claims) {
    size_t cost = sizeof(std::string) + token.size() + sizeof(Claims) + claims.subject.size() +
                  claims.issuer.size() + claims.role.size() + claims.clinic.size() + claims.kid.size() + 16;
    for (const std::string& audience : claims.audience) cost += sizeof(std::string) + audience.size();
    return cost;
  }

  // Erases the entries for which `drop` says so (asked again before each one).
  template <typename Drop>
  void DropWhile(Drop drop) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (auto it = claims_.begin(); it != claims_.end();) {
      if (drop(it->second)) {
        bytes_ -= CostOf(it->first, it->second);
        claims_.erase(it++);
      } else {
        ++it;
      }
    }
  }

  const size_t max_bytes_;
  const absl::Duration clock_skew_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Claims> claims_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

TokenVerifier::TokenVerifier(KeySet keys, Options options)
    : keys_(std::move(keys)),
      options_(std::move(options)),
      verified_(options_.verified_cache_bytes > 0
                    ? std::make_unique<VerifiedTokens>(options_.verified_cache_bytes, options_.clock_skew)
                    : nullptr) {}

TokenVerifier::~TokenVerifier() = default;
TokenVerifier::TokenVerifier(TokenVerifier&&) noexcept = default;
TokenVerifier& TokenVerifier::operator=(TokenVerifier&&) noexcept = default;

absl::StatusOr<Claims> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (verified_ != nullptr) {
    if (std::optional<Claims> known = verified_->Find(token); known.has_value()) {
      if (absl::Status s = CheckTimes(*known, now); !s.ok()) return s;
      return *std::move(known);
    }
  }
  absl::StatusOr<Claims> claims = VerifyUncached(token, now);
  if (claims.ok() && verified_ != nullptr) verified_->Remember(token, *claims, now);
  return claims;
}

size_t TokenVerifier::RememberedTokens() const { return verified_ == nullptr ? 0 : verified_->size(); }

absl::Status TokenVerifier::CheckTimes(const Claims& claims, absl::Time now) const {
  if (now > claims.expires_at + options_.clock_skew) return Fail(kTokenExpired, "token has expired");
  if (claims.issued_at > now + options_.clock_skew) {
    return Fail(kTokenNotYetValid, "token is issued in the future");
  }
  if (claims.not_before.has_value() && now < *claims.not_before - options_.clock_skew) {
    return Fail(kTokenNotYetValid, "token is not valid yet (nbf)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Claims> TokenVerifier::VerifyUncached(absl::string_view token, absl::Time now) const {
  // 1. Shape: three base64url parts, bounded size. Nothing is decoded before the size check.
  if (token.empty()) return Fail(kTokenMalformed, "token is empty");
  if (token.size() > kMaxTokenBytes) {
    return Fail(kTokenMalformed, absl::StrCat("token is longer than ", kMaxTokenBytes, " bytes"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Fail(kTokenMalformed, "token must be three dot-separated parts (compact JWS)");
  }
  if (!IsBase64Url(parts[2])) return Fail(kTokenMalformed, "signature is not base64url");

  // 2. Header, read before any signature check so the key is chosen by kid and the algorithm is
  //    the key's, never the token's.
  std::optional<Struct> header = DecodeJsonPart(parts[0]);
  if (!header.has_value()) return Fail(kTokenMalformed, "header is not a base64url JSON object");
  if (FieldOf(*header, "crit") != nullptr) {
    return Fail(kTokenMalformed, "header has critical extensions (crit), none are supported");
  }
  if (const Value* typ = FieldOf(*header, "typ"); typ != nullptr) {
    if (typ->kind_case() != Value::kStringValue ||
        !absl::EqualsIgnoreCase(typ->string_value(), "JWT")) {
      return Fail(kTokenMalformed, "header typ must be JWT");
    }
  }
  const Value* alg = FieldOf(*header, "alg");
  if (alg == nullptr || alg->kind_case() != Value::kStringValue) {
    return Fail(kTokenMalformed, "header has no alg");
  }
  if (absl::EqualsIgnoreCase(alg->string_value(), "none")) {
    return Fail(kTokenAlgorithmMismatch, "unsigned tokens (alg none) are refused");
  }
  const Value* kid_value = FieldOf(*header, "kid");
  if (kid_value == nullptr || kid_value->kind_case() != Value::kStringValue ||
      kid_value->string_value().empty()) {
    return Fail(kTokenUnknownKey, "header has no kid");
  }
  const std::string& kid = kid_value->string_value();
  const Key* key = keys_.Find(kid);
  if (key == nullptr) {
    // A well-formed kid is not secret and helps during key rotation; anything else is not echoed.
    return Fail(kTokenUnknownKey,
                IsValidKid(kid) ? absl::StrCat("unknown key id ", kid) : "unknown key id");
  }
  if (alg->string_value() != AlgorithmName(key->alg)) {
    return Fail(kTokenAlgorithmMismatch,
                absl::StrCat("key ", kid, " is for ", AlgorithmName(key->alg)));
  }
  if (parts[2].empty()) return Fail(kTokenBadSignature, "token has no signature");

  std::optional<Struct> payload = DecodeJsonPart(parts[1]);
  if (!payload.has_value()) return Fail(kTokenMalformed, "payload is not a base64url JSON object");

  // 3. Signature, with the kid's key. libjwt parses header and payload again (with jansson) and
  //    checks the signature over the first two parts. It does not check any claim. JSON that
  //    protobuf accepts and jansson refuses (an integer beyond 64 bits) also ends up here.
  if (key->material.size() > static_cast<size_t>(INT_MAX)) {
    return Fail(kTokenBadSignature, "key is unusable");
  }
  const std::string nul_terminated(token);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, nul_terminated.c_str(),
                            reinterpret_cast<const unsigned char*>(key->material.data()),
                            static_cast<int>(key->material.size()));
  JwtPtr decoded(raw);
  // libjwt leaves OpenSSL errors on this thread's queue when a check fails; a stale entry there
  // can make a later, unrelated TLS call on the same thread report a failure.
  ERR_clear_error();
  if (rc != 0 || decoded == nullptr) {
    return Fail(kTokenBadSignature, "signature does not verify");
  }
  // Defence in depth: libjwt must have used the algorithm and key id we chose (a parser
  // difference between protobuf and jansson must not lead to another algorithm).
  const char* decoded_kid = jwt_get_header(decoded.get(), "kid");
  if (jwt_get_alg(decoded.get()) != ToLibjwt(key->alg) || decoded_kid == nullptr ||
      kid != decoded_kid) {
    return Fail(kTokenAlgorithmMismatch, "header was read differently by the signature check");
  }

  // 4. Claims, with our clock.
  Claims claims;
  claims.kid = kid;
  if (absl::Status s = RequiredString(*payload, "iss", claims.issuer); !s.ok()) return s;
  // Empty never matches, so a verifier configured without an issuer or audience fails closed.
  if (claims.issuer.empty() || claims.issuer != options_.issuer) {
    return Fail(kTokenWrongIssuer, "token is from another issuer");
  }

  const Value* aud = FieldOf(*payload, "aud");
  if (aud == nullptr) return Fail(kTokenMissingClaim, "token has no aud");
  if (aud->kind_case() == Value::kStringValue) {
    claims.audience.push_back(aud->string_value());
  } else if (aud->kind_case() == Value::kListValue) {
    for (const Value& item : aud->list_value().values()) {
      if (item.kind_case() != Value::kStringValue) {
        return Fail(kTokenMalformed, "aud must be a string or an array of strings");
      }
      claims.audience.push_back(item.string_value());
    }
  } else {
    return Fail(kTokenMalformed, "aud must be a string or an array of strings");
  }
  bool audience_matches = false;
  for (const std::string& audience : claims.audience) {
    audience_matches = audience_matches || (!audience.empty() && audience == options_.audience);
  }
  if (!audience_matches) return Fail(kTokenWrongAudience, "token is for another audience");

  if (absl::Status s = RequiredTime(*payload, "exp", claims.expires_at); !s.ok()) return s;
  if (absl::Status s = RequiredTime(*payload, "iat", claims.issued_at); !s.ok()) return s;
  if (const Value* nbf = FieldOf(*payload, "nbf"); nbf != nullptr) {
    claims.not_before = NumericDate(*nbf);
    if (!claims.not_before.has_value()) {
      return Fail(kTokenMalformed, "nbf is not a valid NumericDate");
    }
  }
  if (claims.expires_at <= claims.issued_at) return Fail(kTokenMalformed, "exp is not after iat");
  if (absl::Status s = CheckTimes(claims, now); !s.ok()) return s;
  if (claims.expires_at - claims.issued_at > options_.max_lifetime) {
    return Fail(kTokenLifetimeTooLong,
                absl::StrCat("token lifetime exceeds ", absl::FormatDuration(options_.max_lifetime)));
  }

  if (absl::Status s = RequiredString(*payload, "sub", claims.subject); !s.ok()) return s;
  if (absl::Status s = RequiredString(*payload, "role", claims.role); !s.ok()) return s;
  if (const Value* clinic = FieldOf(*payload, "clinic"); clinic != nullptr) {
    if (clinic->kind_case() != Value::kStringValue || clinic->string_value().empty()) {
      return Fail(kTokenMalformed, "clinic must be a non-empty string");
    }
    claims.clinic = clinic->string_value();
  }
  if (absl::Status s = ValidateIdentity(claims.subject, claims.role, claims.clinic); !s.ok()) {
    return s;
  }
  return claims;
}

absl::StatusOr<std::string> BearerToken(absl::string_view authorization_header_value) {
  constexpr absl::string_view kScheme = "Bearer";
  absl::string_view value = absl::StripAsciiWhitespace(authorization_header_value);
  if (value.empty()) return Fail(kTokenMissing, "no bearer token");
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return Fail(kTokenMissing, "authorization must be \"Bearer <token>\"");
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  // RFC 6750 b64token: token68 characters, then only '=' padding.
  size_t end = 0;
  while (end < token.size() && IsToken68Char(token[end])) ++end;
  if (end == 0) return Fail(kTokenMissing, "authorization must be \"Bearer <token>\"");
  while (end < token.size() && token[end] == '=') ++end;
  if (end != token.size()) return Fail(kTokenMissing, "bearer token has invalid characters");
  return std::string(token);
}

TokenSigner::TokenSigner(Key signing_key) : key_(std::move(signing_key)) {}

absl::StatusOr<std::string> TokenSigner::Mint(const Claims& claims) const {
  if (claims.issuer.empty()) return absl::InvalidArgumentError("issuer is required");
  if (claims.audience.empty()) return absl::InvalidArgumentError("audience is required");
  for (const std::string& audience : claims.audience) {
    if (audience.empty()) return absl::InvalidArgumentError("audience must not be empty");
  }
  if (absl::Status identity = ValidateIdentity(claims.subject, claims.role, claims.clinic);
      !identity.ok()) {
    return absl::InvalidArgumentError(identity.message());
  }
  // NumericDates are written in whole seconds (truncated), as most issuers do.
  const int64_t iat = absl::ToUnixSeconds(claims.issued_at);
  const int64_t exp = absl::ToUnixSeconds(claims.expires_at);
  if (iat < 0 || exp > static_cast<int64_t>(kMaxNumericDate)) {
    return absl::InvalidArgumentError("iat and exp must be between 1970 and 9999");
  }
  if (exp <= iat) return absl::InvalidArgumentError("exp must be after iat");
  std::optional<int64_t> nbf;
  if (claims.not_before.has_value()) {
    nbf = absl::ToUnixSeconds(*claims.not_before);
    if (*nbf < 0 || *nbf > static_cast<int64_t>(kMaxNumericDate)) {
      return absl::InvalidArgumentError("nbf must be between 1970 and 9999");
    }
  }

  // String claims go through protobuf's JSON printer (proper escaping), the times through
  // jwt_add_grant_int so they are JSON integers.
  Struct strings;
  auto& fields = *strings.mutable_fields();
  fields["iss"].set_string_value(claims.issuer);
  fields["sub"].set_string_value(claims.subject);
  fields["role"].set_string_value(claims.role);
  if (!claims.clinic.empty()) fields["clinic"].set_string_value(claims.clinic);
  if (claims.audience.size() == 1) {
    fields["aud"].set_string_value(claims.audience.front());
  } else {
    auto* list = fields["aud"].mutable_list_value();
    for (const std::string& audience : claims.audience) list->add_values()->set_string_value(audience);
  }
  std::string strings_json;
  if (!google::protobuf::util::MessageToJsonString(strings, &strings_json).ok() ||
      absl::StrContains(strings_json, "\\u0000")) {
    return absl::InvalidArgumentError("claims must be valid UTF-8 without NUL characters");
  }

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  if (key_.material.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("signing key is too large");
  }
  bool ok = jwt_set_alg(jwt.get(), ToLibjwt(key_.alg),
                        reinterpret_cast<const unsigned char*>(key_.material.data()),
                        static_cast<int>(key_.material.size())) == 0 &&
            jwt_add_header(jwt.get(), "kid", key_.kid.c_str()) == 0 &&
            jwt_add_grants_json(jwt.get(), strings_json.c_str()) == 0 &&
            jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(iat)) == 0 &&
            jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(exp)) == 0;
  if (ok && nbf.has_value()) ok = jwt_add_grant_int(jwt.get(), "nbf", static_cast<long>(*nbf)) == 0;
  if (!ok) {
    ERR_clear_error();
    return absl::InternalError("could not build the token");
  }
  char* encoded = jwt_encode_str(jwt.get());
  ERR_clear_error();
  if (encoded == nullptr) {
    return absl::InternalError(absl::StrCat("signing with key ", key_.kid, " (",
                                            AlgorithmName(key_.alg), ") failed"));
  }
  std::string token(encoded);
  std::free(encoded);  // libjwt 1.10 allocates with malloc and has no jwt_free_str
  return token;
}

}  // namespace gaitkeeper::auth
