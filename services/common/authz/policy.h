#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/common/caller.h"
#include "services/common/db_pool.h"

// Authorization decisions (docs/SECURITY.md). Pure logic: the Gate (gate.h) fetches the facts
// from the database and applies the decision; each service lists its rules in one table
// (services/<service>/<service>_policy.cc).
namespace gaitkeeper::authz {

// What an RPC reads or changes, taken from the request by the handler before any data is read.
struct Target {
  std::string athlete_id;  // whose health data ("" = none)
  std::string clinic_id;   // which clinic's clinicians or links ("" = none)
  std::string resource;    // the resource name, for the audit trail ("athletes/a/sessions/s")
};

Target AthleteTarget(absl::string_view athlete_id, absl::string_view resource);
Target ClinicTarget(absl::string_view clinic_id, absl::string_view resource);

// What a role may do with an RPC.
enum class Access {
  kNone,       // the role may not call the RPC: PERMISSION_DENIED
  kOwn,        // athlete: only their own data (target athlete == subject)
  kLinked,     // clinician / clinic admin: an athlete with an active care link to their clinic
  kOwnClinic,  // clinician / clinic admin: their own clinic (target clinic == their clinic)
  kAny,        // service: any target (internal RPCs)
};

// Which abuse limit a call counts against (per caller; services and development are exempt).
enum class Limit { kNone, kWrite, kUpload };

struct Rule {
  absl::string_view method;
  Access athlete = Access::kNone;
  Access clinician = Access::kNone;
  Access clinic_admin = Access::kNone;
  Access service = Access::kNone;
  Limit limit = Limit::kNone;
  // Streaming RPCs count against the per-caller concurrent stream limit.
  bool stream = false;
};

using Policy = std::vector<Rule>;

// The rule for `method`, or nullptr (a method without a rule is refused: fail closed).
const Rule* FindRule(const Policy& policy, absl::string_view method);

// The access `role` has to `rule` (development: kAny).
Access AccessOf(const Rule& rule, Role role);

// PERMISSION_DENIED ROLE_NOT_ALLOWED: this role may never call the RPC. Decided before the
// handler reads the request, so a role that may not call an RPC learns nothing else about it.
absl::Status RoleNotAllowed(const Rule& rule, const Caller& caller);

// What the database says about a clinician or clinic admin caller (gk_clinician_access).
struct ClinicianFacts {
  std::optional<std::string> role;  // "CLINICIAN" / "CLINIC_ADMIN" when active in the token's clinic
  bool linked = false;              // the target athlete has an active care link to that clinic
};

// Clinician and clinic-admin callers need ClinicianFacts; other roles do not.
bool NeedsClinicianFacts(const Caller& caller);

struct Decision {
  absl::Status status;  // OK, PERMISSION_DENIED or NOT_FOUND (with an ErrorInfo reason)
  db::Scope scope;      // the database scope of the call when allowed
  bool audited = false; // someone other than the athlete touches an athlete's data
};

// Decides one call. Denials follow AIP-193: a role that may never call the RPC gets
// PERMISSION_DENIED (this reveals nothing about any tenant); a target outside the caller's tenancy
// (another athlete, an unlinked or revoked patient, another clinic) gets NOT_FOUND, the same
// answer as for an id that does not exist, so other tenants' existence is not revealed.
Decision Decide(const Rule& rule, const Caller& caller, const Target& target,
                const ClinicianFacts& facts);

}  // namespace gaitkeeper::authz
