#include "services/common/caller.h"

#include "absl/strings/ascii.h"

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

absl::StatusOr<Caller> CallerResolver::Resolve(const grpc::ServerContext& context) const {
  switch (mode_) {
    case AuthMode::kDevelopment: {
      Caller caller;
      caller.role = Role::kDevelopment;
      caller.subject = "developer";
      const auto& metadata = context.client_metadata();
      auto it = metadata.find("x-gaitkeeper-dev-subject");
      if (it != metadata.end()) {
        std::string subject(it->second.data(), it->second.size());
        // Only a short printable label: it ends up in logs.
        if (!subject.empty() && subject.size() <= 64) {
          bool printable = true;
          for (char c : subject) printable = printable && absl::ascii_isgraph(static_cast<unsigned char>(c));
          if (printable) caller.subject = subject;
        }
      }
      return caller;
    }
  }
  return absl::UnauthenticatedError("no authentication mode configured");
}

}  // namespace gaitkeeper
