#include "services/ingestion/ingestion_policy.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/ingestion/sha256.h"

namespace gaitkeeper::ingestion {

using authz::Access;
using authz::Limit;

const authz::Policy& IngestionPolicy() {
  static const authz::Policy kPolicy = {
      // The athlete's profile and data: the athlete (the companion app); linked clinicians read.
      {.method = "CreateAthlete", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "GetAthlete", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "UpdateAthlete", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "CreateSession", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "GetSession", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "ListSessions", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "UploadSamples", .athlete = Access::kOwn, .limit = Limit::kUpload, .stream = true},
      {.method = "UploadImuSamples", .athlete = Access::kOwn, .limit = Limit::kUpload, .stream = true},
      {.method = "GetUploadState", .athlete = Access::kOwn},
      {.method = "ReadSamples", .athlete = Access::kOwn, .clinician = Access::kLinked, .stream = true},
      {.method = "ImportActivity", .athlete = Access::kOwn, .limit = Limit::kUpload, .stream = true},
      {.method = "CompleteSession", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "CreatePainReport", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "ListPainReports", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "CreateQuestionnaireResponse", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "ListQuestionnaireResponses", .athlete = Access::kOwn, .clinician = Access::kLinked},
      // Identity: operators (service role) create clinics and their first admin; clinic admins
      // manage their clinic's clinicians; athletes grant and revoke care links, clinic admins
      // may revoke them too; clinicians and admins list their clinic's links.
      {.method = "CreateClinic", .service = Access::kAny, .limit = Limit::kWrite},
      {.method = "CreateClinician", .clinic_admin = Access::kOwnClinic, .service = Access::kAny, .limit = Limit::kWrite},
      {.method = "ListClinicians", .clinic_admin = Access::kOwnClinic},
      {.method = "DisableClinician", .clinic_admin = Access::kOwnClinic, .limit = Limit::kWrite},
      {.method = "ListAuditEvents", .athlete = Access::kOwn, .clinic_admin = Access::kOwnClinic},
      {.method = "CreateCareLink", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "RevokeCareLink", .athlete = Access::kOwn, .clinic_admin = Access::kLinked, .limit = Limit::kWrite},
      {.method = "ListCareLinks", .athlete = Access::kOwn, .clinician = Access::kOwnClinic, .clinic_admin = Access::kOwnClinic},
  };
  return kPolicy;
}

absl::StatusOr<std::string> NewAthleteId(const Caller& caller, const std::string& request_id) {
  if (caller.role == Role::kAthlete) {
    if (!names::IsUuid(caller.subject)) {
      return WithReason(absl::FailedPreconditionError("an athlete token's subject must be a UUID"),
                        "SUBJECT_NOT_UUID");
    }
    return absl::AsciiStrToLower(caller.subject);
  }
  if (caller.role != Role::kDevelopment) return std::string();  // the policy refuses other roles
  // Development: derived from the request_id, so that a retry finds the same athlete.
  return names::UuidFromDigest(Sha256(absl::StrCat("athlete:", absl::AsciiStrToLower(request_id))));
}

}  // namespace gaitkeeper::ingestion
