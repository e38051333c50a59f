#pragma once

#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "services/common/auth/jwt.h"
#include "services/common/auth/key_set.h"

namespace gaitkeeper::authz {

// The bearer token a service presents when it calls another service (ingestion -> scoring's
// ScoreSession, scoring -> planning's GeneratePlan): role "service", subject the calling
// service's name, signed with a service key (docs/SECURITY.md). Minted locally, short-lived,
// cached and renewed when less than half of its lifetime is left. Thread-safe.
class ServiceTokenSource {
 public:
  struct Options {
    auth::Key signing_key;
    std::string subject;  // "ingestion", "scoring"
    std::string issuer;
    std::string audience;
    absl::Duration lifetime = absl::Minutes(5);
  };

  explicit ServiceTokenSource(Options options);

  absl::StatusOr<std::string> Token();
  // Adds "authorization: Bearer <token>" to an outgoing call.
  absl::Status Attach(grpc::ClientContext& context);

 private:
  Options options_;
  auth::TokenSigner signer_;
  std::mutex mu_;
  std::string token_;
  absl::Time renew_after_ = absl::InfinitePast();
};

}  // namespace gaitkeeper::authz
