#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace gaitkeeper {

enum class Role {
  // Only in development mode: no authentication; may call everything. Never in production.
  kDevelopment,
  kAthlete,
  kClinician,
  kClinicAdmin,
  kService,
};

absl::string_view RoleName(Role role);

// Who is calling an RPC. Resolved once per call by CallerResolver, before any handler logic.
struct Caller {
  std::string subject;  // athlete id, clinician id, service name or the dev subject
  Role role = Role::kDevelopment;
  std::string clinic;   // for clinicians and clinic admins
};

// The one place every RPC of a service goes through to learn who is calling.
//
// Today there is only `AuthMode::kDevelopment`: no credentials are checked; the caller is
// {subject from the "x-gaitkeeper-dev-subject" header or "developer", role kDevelopment}. The
// services log a loud warning at start in this mode. Real bearer-token authentication (issue
// "Who may see what") replaces this resolver without touching handlers.
class CallerResolver {
 public:
  enum class AuthMode { kDevelopment };

  explicit CallerResolver(AuthMode mode) : mode_(mode) {}

  // Unauthenticated when the call carries no acceptable identity.
  absl::StatusOr<Caller> Resolve(const grpc::ServerContext& context) const;

  AuthMode mode() const { return mode_; }

 private:
  AuthMode mode_;
};

}  // namespace gaitkeeper
