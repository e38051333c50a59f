#pragma once

#include <string>
#include "absl/strings/string_view.h"

namespace gaitkeeper {

enum class Role {
  // Only in development mode (loopback only): no authentication; may call everything.
  kDevelopment,
  kAthlete,
  kClinician,
  kClinicAdmin,
  kService,
};

absl::string_view RoleName(Role role);

// Who is calling an RPC. Resolved once per call by authz::CallerResolver
// (services/common/authz/caller_resolver.h), before any handler logic.
struct Caller {
  std::string subject;  // athlete id, clinician id, service name or the dev subject
  Role role = Role::kDevelopment;
  std::string clinic;   // for clinicians and clinic admins
};

}  // namespace gaitkeeper
