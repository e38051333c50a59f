#include "services/common/authz/policy.h"

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace gaitkeeper::authz {
absl::Status RoleNotAllowed(const Rule& rule, const Caller& caller) {
  return WithReason(absl::PermissionDeniedError(absl::StrCat("role ", RoleName(caller.role),
                                                             " may not call ", rule.method)),
                    "ROLE_NOT_ALLOWED");
}

namespace {

// The same answer whether the resource does not exist or belongs to someone else.
absl::Status OutsideTenancy() {
  return WithReason(absl::NotFoundError("resource not found"), "NOT_FOUND");
}

}  // namespace

Access AccessOf(const Rule& rule, Role role) {
  switch (role) {
    case Role::kAthlete: return rule.athlete;
    case Role::kClinician: return rule.clinician;
    case Role::kClinicAdmin: return rule.clinic_admin;
    case Role::kService: return rule.service;
    case Role::kDevelopment: return Access::kAny;
  }
  return Access::kNone;
}

namespace {
absl::string_view DatabaseRoleOf(Role role) {
  return role == Role::kClinicAdmin ? "CLINIC_ADMIN" : "CLINICIAN";
}
}  // namespace

Target AthleteTarget(absl::string_view athlete_id, absl::string_view resource) {
  return Target{std::string(athlete_id), "", std::string(resource)};
}

Target ClinicTarget(absl::string_view clinic_id, absl::string_view resource) {
  return Target{"", std::string(clinic_id), std::string(resource)};
}

const Rule* FindRule(const Policy& policy, absl::string_view method) {
  for (const Rule& rule : policy) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

bool NeedsClinicianFacts(const Caller& caller) {
  return caller.role == Role::kClinician || caller.role == Role::kClinicAdmin;
}

Decision Decide(const Rule& rule, const Caller& caller, const Target& target,
                const ClinicianFacts& facts) {
  Decision d;
  d.audited = NeedsClinicianFacts(caller) && !target.athlete_id.empty();
  const Access access = AccessOf(rule, caller.role);
  switch (access) {
    case Access::kNone:
      d.status = RoleNotAllowed(rule, caller);
      return d;
    case Access::kAny:
      // Services (internal RPCs) and the loopback-only development mode.
      if (caller.role != Role::kService && caller.role != Role::kDevelopment) {
        d.status = RoleNotAllowed(rule, caller);  // a misconfigured table: fail closed
        return d;
      }
      d.scope = {target.athlete_id, target.clinic_id};
      return d;
    case Access::kOwn:
      if (caller.role != Role::kAthlete || target.athlete_id.empty()) {
        d.status = RoleNotAllowed(rule, caller);
        return d;
      }
      if (target.athlete_id != caller.subject) {
        d.status = OutsideTenancy();
        return d;
      }
      d.scope = {caller.subject, ""};
      return d;
    case Access::kLinked:
    case Access::kOwnClinic:
      break;
  }
  // Clinicians and clinic admins: the token must name an active member of its clinic with the
  // same role (a disabled clinician loses access at once, whatever their token says).
  if (!NeedsClinicianFacts(caller) || caller.clinic.empty()) {
    d.status = RoleNotAllowed(rule, caller);
    return d;
  }
  if (!facts.role.has_value() || *facts.role != DatabaseRoleOf(caller.role)) {
    d.status = WithReason(absl::PermissionDeniedError("clinician account is not active in this clinic"),
                          "CLINICIAN_NOT_ACTIVE");
    return d;
  }
  if (access == Access::kOwnClinic) {
    if (target.clinic_id.empty()) {
      d.status = RoleNotAllowed(rule, caller);
      return d;
    }
    if (target.clinic_id != caller.clinic) {
      d.status = OutsideTenancy();
      return d;
    }
    d.scope = {"", caller.clinic};
    return d;
  }
  // kLinked
  if (target.athlete_id.empty()) {
    d.status = RoleNotAllowed(rule, caller);
    return d;
  }
  if (!facts.linked) {
    d.status = OutsideTenancy();
    return d;
  }
  // Clinicians see the patient's data; clinic admins only manage the clinic's links to them.
  d.scope = caller.role == Role::kClinician ? db::Scope{target.athlete_id, ""}
                                            : db::Scope{"", caller.clinic};
  return d;
}

}  // namespace gaitkeeper::authz
