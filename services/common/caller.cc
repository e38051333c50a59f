#include "services/common/caller.h"

namespace gaitkeeper {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kDevelopment: return "development";
    case Role::kAthlete: return "athlete";
    case Role::kClinician: return "clinician";
    case Role::kClinicAdmin: return "clinic_admin";
    case Role::kService: return "service";
  }
  return "unknown";
}

}  // namespace gaitkeeper
