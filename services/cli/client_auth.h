#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/common/auth/jwt.h"
#include "services/common/auth/key_set.h"
#include "services/common/flags.h"

// The client side of authentication for the command-line tools (gaitkeeper-cli, gaitkeeper-load):
// how their channels are secured and which bearer token each call carries (docs/SECURITY.md).
//
// In development the tools play the identity provider: with --signing_keys (and --kid) they mint
// their callers' tokens locally, as scripts/demo.sh and bench/run.sh do. Otherwise they send the
// token given with --token, or none at all (only services in --auth_mode=development accept
// that). With --tls_ca the channels use TLS trusting that CA (the server certificate must name the
// target's host: localhost / 127.0.0.1 for the development certificates); without it they are
// plaintext, which is only allowed to loopback targets.
namespace gaitkeeper::cli {

// Declares --signing_keys, --kid, --issuer, --audience, --token_ttl_s, --token and --tls_ca, each
// with an environment fallback (GK_JWT_SIGNING_KEYS, GK_JWT_KID, GK_JWT_ISSUER, GK_JWT_AUDIENCE,
// GK_TOKEN_TTL_S, GK_TOKEN, GK_TLS_CA).
void AddClientAuthFlags(Flags& flags);

// The bearer token one caller sends: fixed, minted once, or none. A minted token is renewed when
// half of its lifetime has passed, so long runs never send an expired one. Thread-safe.
class CallerCredentials {
 public:
  // Sends `token` ("" = sends no authorization metadata).
  explicit CallerCredentials(std::string token);
  // Mints tokens with `key` for `claims` (issuer, subject, role, clinic, audience; the times are
  // set at each minting), each valid for `lifetime`.
  CallerCredentials(const auth::Key& key, auth::Claims claims, absl::Duration lifetime);

  // The current token ("" when there is none). Errors are the signer's (InvalidArgument for claims
  // the services would refuse, Internal when signing fails).
  absl::StatusOr<std::string> Token();
  // Adds "authorization: Bearer <token>" to `context` (nothing when there is no token).
  absl::Status Attach(grpc::ClientContext& context);

  // The subject the calls are made as: the minted subject, or the `sub` of the fixed token
  // (read without verification; "" when it cannot be read or there is no token).
  const std::string& subject() const { return subject_; }

 private:
  std::optional<auth::TokenSigner> signer_;
  auth::Claims claims_;
  absl::Duration lifetime_;
  std::string subject_;
  std::mutex mu_;
  std::string token_;
  absl::Time renew_after_ = absl::InfinitePast();
};

// What the flags configure: the signing key (if any), the fixed token (if any) and the CA.
class ClientAuth {
 public:
  // Reads the flags of AddClientAuthFlags. Loads --signing_keys (a KeyUse::kSign set; NotFound or
  // InvalidArgument as auth::LoadKeySet) and picks --kid, which may be left out when the set has
  // exactly one key. InvalidArgument when both --token and --signing_keys are given, when --kid is
  // needed or not in the set, or when --audience is empty.
  static absl::StatusOr<ClientAuth> FromFlags(const Flags& flags);

  // True when callers' tokens are minted here (--signing_keys given).
  bool mints() const { return key_.has_value(); }
  // True when --token was given.
  bool has_fixed_token() const { return !fixed_token_.empty(); }
  bool tls() const { return !ca_file_.empty(); }

  // The credentials of a caller with this identity: minted when mints(); otherwise the --token
  // (or none), whatever the subject and role asked for.
  std::shared_ptr<CallerCredentials> CredentialsFor(absl::string_view subject, absl::string_view role,
                                                    absl::string_view clinic = "") const;

  // A channel to `target`: TLS trusting --tls_ca, or plaintext when it is not set (loopback
  // targets only: FailedPrecondition otherwise). InvalidArgument when the CA file is unusable.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(
      const std::string& target, const grpc::ChannelArguments& args = grpc::ChannelArguments()) const;

  // One phrase for people: how the calls are authenticated and carried, e.g. "RS256 bearer
  // tokens (kid rs256-1) over TLS".
  std::string Describe() const;

 private:
  ClientAuth() = default;

  std::optional<auth::Key> key_;
  std::string issuer_;
  std::string audience_;
  absl::Duration lifetime_ = absl::Hours(1);
  std::string fixed_token_;
  std::string ca_file_;
};

// The `sub` claim of a compact JWT, read WITHOUT checking the signature (for a tool that was
// handed its own token and needs to know whom it names). InvalidArgument when the token is not
// three base64url parts with a JSON payload holding a string `sub`.
absl::StatusOr<std::string> UnverifiedSubject(absl::string_view token);

}  // namespace gaitkeeper::cli
