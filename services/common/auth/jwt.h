#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/auth/key_set.h"

// JSON Web Tokens (RFC 7519, JWS compact form) for caller identity: verification for the
// services, minting for gaitkeeper-token and tests. Signatures are checked by libjwt 1.10; the
// header is read (and the key chosen by `kid`) before that, and every claim is checked here with
// the caller's clock.
//
// Thread safety: TokenSigner is immutable after construction and TokenVerifier's only mutable
// state (the cache of verified tokens) is behind a mutex; Verify and Mint may be called from many
// threads at once. Each call uses its own libjwt object; libjwt 1.10 has no global state of its
// own (OpenSSL 3 and jansson's hash seed are initialised thread-safely).
namespace gaitkeeper::auth {

// ErrorInfo reasons of Verify (all with code UNAUTHENTICATED) and BearerToken.
inline constexpr absl::string_view kTokenMissing = "TOKEN_MISSING";
inline constexpr absl::string_view kTokenMalformed = "TOKEN_MALFORMED";
inline constexpr absl::string_view kTokenUnknownKey = "TOKEN_UNKNOWN_KEY";
inline constexpr absl::string_view kTokenBadSignature = "TOKEN_BAD_SIGNATURE";
inline constexpr absl::string_view kTokenAlgorithmMismatch = "TOKEN_ALGORITHM_MISMATCH";
inline constexpr absl::string_view kTokenExpired = "TOKEN_EXPIRED";
inline constexpr absl::string_view kTokenNotYetValid = "TOKEN_NOT_YET_VALID";
inline constexpr absl::string_view kTokenWrongIssuer = "TOKEN_WRONG_ISSUER";
inline constexpr absl::string_view kTokenWrongAudience = "TOKEN_WRONG_AUDIENCE";
inline constexpr absl::string_view kTokenMissingClaim = "TOKEN_MISSING_CLAIM";
inline constexpr absl::string_view kTokenLifetimeTooLong = "TOKEN_LIFETIME_TOO_LONG";

// The `role` claim.
inline constexpr absl::string_view kRoleAthlete = "athlete";
inline constexpr absl::string_view kRoleClinician = "clinician";
inline constexpr absl::string_view kRoleClinicAdmin = "clinic_admin";
inline constexpr absl::string_view kRoleService = "service";

// Longest accepted token (the whole compact form), `sub` and audience list.
inline constexpr size_t kMaxTokenBytes = 8 * 1024;
inline constexpr size_t kMaxSubjectLength = 128;

// What a verified token says about its caller.
struct Claims {
  std::string subject;                // `sub`: 1..128 printable ASCII characters, no spaces
  std::string issuer;                 // `iss`
  std::string role;                   // `role`: athlete | clinician | clinic_admin | service
  std::string clinic;                 // `clinic`: lower-case UUID; clinician / clinic_admin only
  std::string kid;                    // header `kid`: the key that signed it (for logs)
  std::vector<std::string> audience;  // `aud`, a string or an array in the token
  absl::Time issued_at;               // `iat`
  absl::Time expires_at;              // `exp`
  std::optional<absl::Time> not_before;  // `nbf`, when present
};

// The identity rules shared by verifier and signer: `sub` well formed, `role` known, `clinic` a
// lower-case UUID that is present for clinician / clinic_admin, absent for athlete and optional
// for service. Returns UNAUTHENTICATED with reason TOKEN_MISSING_CLAIM or TOKEN_MALFORMED.
absl::Status ValidateIdentity(absl::string_view subject, absl::string_view role,
                              absl::string_view clinic);

// True for a canonical lower-case 8-4-4-4-12 hex UUID.
bool IsLowerCaseUuid(absl::string_view text);

class TokenVerifier {
 public:
  struct Options {
    // Both required: with either empty, every token is refused.
    std::string issuer;    // `iss` must equal this
    std::string audience;  // `aud` must be or contain this
    // Allowed difference between our clock and the issuer's, applied to exp, iat and nbf.
    absl::Duration clock_skew = absl::Seconds(60);
    // Longest accepted exp - iat: long-lived tokens cannot be revoked, so they are refused.
    absl::Duration max_lifetime = absl::Hours(24);
    // Memory for remembering tokens whose signature and claims have verified (0: none). An app
    // sends the same token with every call until it expires; libjwt parses the PEM key again
    // for every signature check, which cost more CPU than the rest of a small RPC (measured in
    // docs/PERFORMANCE.md). A remembered token skips the signature and claim checks only: the
    // time rules (exp, iat, nbf with skew) are applied to it on every call. Only tokens that
    // verified are remembered, keyed on their exact bytes; the key set and options never change
    // during a verifier's life, so the outcome for those bytes cannot change either.
    size_t verified_cache_bytes = 16 << 20;  // about 16,000 RS256 tokens
  };

  // `keys` should be a KeyUse::kVerify set (public keys and HS256 secrets).
  TokenVerifier(KeySet keys, Options options);
  ~TokenVerifier();
  TokenVerifier(TokenVerifier&&) noexcept;
  TokenVerifier& operator=(TokenVerifier&&) noexcept;

  // Verifies a compact JWS token at time `now`. Every failure is UNAUTHENTICATED with an
  // ErrorInfo reason (kToken* above); messages never contain the token or claim values.
  //   TOKEN_MALFORMED           not three base64url parts of JSON objects, longer than 8 KiB,
  //                             a claim of the wrong type or value (unknown role, bad clinic...)
  //   TOKEN_UNKNOWN_KEY         header without `kid`, or a kid that is not in the key set
  //   TOKEN_ALGORITHM_MISMATCH  header `alg` is not the algorithm of the kid's key (or "none")
  //   TOKEN_BAD_SIGNATURE       the signature does not verify with the kid's key
  //   TOKEN_WRONG_ISSUER        `iss` is not Options::issuer
  //   TOKEN_WRONG_AUDIENCE      `aud` does not contain Options::audience
  //   TOKEN_MISSING_CLAIM       no iss, aud, exp, iat, sub or role; clinician without clinic
  //   TOKEN_EXPIRED             now > exp + clock_skew
  //   TOKEN_NOT_YET_VALID       iat > now + clock_skew, or now < nbf - clock_skew
  //   TOKEN_LIFETIME_TOO_LONG   exp - iat > max_lifetime
  absl::StatusOr<Claims> Verify(absl::string_view token, absl::Time now) const;

  const Options& options() const { return options_; }
  const KeySet& keys() const { return keys_; }
  // How many verified tokens are remembered now (for tests and diagnostics).
  size_t RememberedTokens() const;

 private:
  class VerifiedTokens;

  // Everything but the cache: shape, header, signature, then the claims.
  absl::StatusOr<Claims> VerifyUncached(absl::string_view token, absl::Time now) const;
  // exp, iat and nbf against `now`, with the clock skew.
  absl::Status CheckTimes(const Claims& claims, absl::Time now) const;

  KeySet keys_;
  Options options_;
  std::unique_ptr<VerifiedTokens> verified_;  // null when Options::verified_cache_bytes is 0
};

// The token of an HTTP / gRPC `authorization` header value "Bearer <token>" (scheme
// case-insensitive, RFC 6750 token68 characters). UNAUTHENTICATED with reason TOKEN_MISSING for
// an empty value, another scheme or a malformed token.
absl::StatusOr<std::string> BearerToken(absl::string_view authorization_header_value);

class TokenSigner {
 public:
  // `signing_key` should come from a KeyUse::kSign set (a private key or an HS256 secret).
  explicit TokenSigner(Key signing_key);

  // A compact JWS with header {"alg", "kid", "typ":"JWT"} and claims iss, sub, aud (a string
  // when there is one audience, else an array), role, clinic (when not empty), iat, exp and nbf
  // (when set), times in whole seconds. Returns InvalidArgument when the claims would not pass
  // TokenVerifier (empty issuer or audience, bad identity, exp not after iat), Internal when
  // signing fails (e.g. the key is a public key).
  absl::StatusOr<std::string> Mint(const Claims& claims) const;

  const Key& key() const { return key_; }

 private:
  Key key_;
};

}  // namespace gaitkeeper::auth
