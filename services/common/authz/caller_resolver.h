#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "services/common/auth/jwt.h"
#include "services/common/caller.h"

namespace gaitkeeper::authz {

// Authentication: the one place a service learns who is calling (docs/SECURITY.md).
//
// Token mode (the default): every call carries "authorization: Bearer <JWT>"; the token is
// verified (key by kid, algorithm pinned per key, issuer, audience, expiry with clock skew) and
// its claims give subject, role and clinic. Service-role tokens are only accepted when signed by
// one of the service keys, and, when TLS with client certificates is configured, only from a peer
// that presented a certificate of our CA named "gaitkeeper-<subject>" (mutual TLS).
//
// Development mode: no credentials; the caller is {subject from "x-gaitkeeper-dev-subject" or
// "developer", role development}. Only allowed on a loopback listen address (service_config.cc
// refuses anything else) and loudly logged at start. Tests of the data paths use it.
class CallerResolver {
 public:
  struct TokenOptions {
    std::shared_ptr<const auth::TokenVerifier> verifier;
    // Key ids whose tokens may carry the service role, and only that role. Empty: any key may.
    std::vector<std::string> service_kids;
    // Service-role tokens need a verified peer certificate with CN "gaitkeeper-<subject>".
    bool require_service_certificate = false;
  };

  static CallerResolver Development();
  static CallerResolver Tokens(TokenOptions options);

  // Unauthenticated (with an ErrorInfo reason such as TOKEN_EXPIRED) when the call carries no
  // acceptable identity.
  absl::StatusOr<Caller> Resolve(const grpc::ServerContext& context) const;

  bool development() const { return development_; }

  // Replaces the token verifier (a reloaded key set, docs/SECURITY.md "Key rotation") for every
  // call that starts afterwards; calls already past authentication are not affected. The new
  // verifier starts with an empty cache, so a removed kid is refused at once. Thread-safe.
  void ReplaceVerifier(std::shared_ptr<const auth::TokenVerifier> verifier);

 private:
  // The current verifier; shared by moved-from copies made while the resolver is built.
  struct VerifierSlot {
    mutable absl::Mutex mu;
    std::shared_ptr<const auth::TokenVerifier> verifier ABSL_GUARDED_BY(mu);
  };

  CallerResolver() = default;
  std::shared_ptr<const auth::TokenVerifier> verifier() const;

  bool development_ = false;
  TokenOptions tokens_;  // its verifier moved into the slot, which holds the current one
  std::shared_ptr<VerifierSlot> slot_ = std::make_shared<VerifierSlot>();
};

// Parses a role claim ("athlete", "clinician", "clinic_admin", "service").
absl::StatusOr<Role> ParseRole(absl::string_view role);

}  // namespace gaitkeeper::authz
