#include "services/common/authz/gate.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/sql_catalog.h"
#include "services/common/logging.h"
#include "services/common/resource_names.h"
#include "services/common/rpc.h"
#include "services/common/status.h"

namespace gaitkeeper::authz {
namespace {

std::optional<std::string> UuidOrNull(const std::string& id) {
  if (id.empty() || !names::IsUuid(id)) return std::nullopt;
  return id;
}

std::string CallerKey(const Caller& caller) {
  return absl::StrCat(RoleName(caller.role), ":", caller.subject);
}

}  // namespace

Gate::Gate(const CallerResolver& resolver, db::Pool& pool, Options options)
    : resolver_(resolver),
      pool_(pool),
      options_(std::move(options)),
      writes_(options_.write_limit),
      uploads_(options_.upload_limit),
      streams_(options_.max_streams_per_caller) {}

absl::StatusOr<ClinicianFacts> Gate::FetchClinicianFacts(const Caller& caller, const Target& target) {
  ClinicianFacts facts;
  std::optional<std::string> clinician = UuidOrNull(caller.subject);
  std::optional<std::string> clinic = UuidOrNull(caller.clinic);
  if (!clinician || !clinic) return facts;  // not a provisioned clinician: no role, no link
  std::optional<std::string> athlete = UuidOrNull(target.athlete_id);
  return db::RunInTransaction<ClinicianFacts>(
      pool_, "clinician_access", [&](pqxx::work& tx) -> absl::StatusOr<ClinicianFacts> {
        pqxx::row row = tx.exec_prepared1(db::query::kCommonClinicianAccess, *clinician, *clinic, athlete);
        facts.role = db::Optional<std::string>(row["clinician_role"]);
        facts.linked = row["linked"].as<bool>();
        return facts;
      });
}

absl::Status Gate::WriteAudit(const Caller& caller, const Target& target, absl::string_view method,
                              absl::StatusCode outcome) {
  absl::StatusOr<bool> written = db::RunInTransaction<bool>(
      pool_, "insert_audit_event", [&](pqxx::work& tx) -> absl::StatusOr<bool> {
        tx.exec_prepared0(db::query::kCommonInsertAuditEvent, names::NewUuid(), caller.subject,
                          std::string(RoleName(caller.role)), UuidOrNull(caller.clinic),
                          UuidOrNull(target.athlete_id), options_.service, std::string(method),
                          target.resource, absl::StatusCodeToString(outcome));
        return true;
      });
  return written.status();
}

Call::Call(Gate& gate, const grpc::ServerContext& context, absl::string_view method)
    : gate_(gate), context_(context), method_(method), start_(absl::Now()) {}

absl::Status Call::Begin() {
  absl::StatusOr<Caller> caller = gate_.resolver_.Resolve(context_);
  if (!caller.ok()) return caller.status();
  caller_ = std::move(*caller);
  rule_ = FindRule(gate_.options_.policy, method_);
  if (rule_ == nullptr) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat(method_, " has no access rule")),
                      "NO_ACCESS_RULE");
  }
  if (AccessOf(*rule_, caller_->role) == Access::kNone) return RoleNotAllowed(*rule_, *caller_);
  // Services and the loopback development mode are not limited.
  if (caller_->role == Role::kService || caller_->role == Role::kDevelopment) return absl::OkStatus();
  const std::string key = CallerKey(*caller_);
  const absl::Time now = absl::Now();
  if (rule_->limit == Limit::kWrite) {
    if (absl::Status s = gate_.writes_.Take(key, 1, now); !s.ok()) return s;
  } else if (rule_->limit == Limit::kUpload) {
    if (absl::Status s = gate_.uploads_.Take(key, 1, now); !s.ok()) return s;
  }
  if (rule_->stream) {
    absl::StatusOr<limits::StreamLimiter::Permit> permit = gate_.streams_.Enter(key);
    if (!permit.ok()) return permit.status();
    stream_permit_.emplace(std::move(*permit));
  }
  return absl::OkStatus();
}

absl::Status Call::Authorize(Target target) {
  if (target_.has_value()) {
    if (target_->athlete_id == target.athlete_id && target_->clinic_id == target.clinic_id) {
      return decision_->status;
    }
    return WithReason(absl::InvalidArgumentError("one call may only touch one athlete or clinic"),
                      "MIXED_TARGETS");
  }
  ClinicianFacts facts;
  if (NeedsClinicianFacts(*caller_)) {
    absl::StatusOr<ClinicianFacts> fetched = gate_.FetchClinicianFacts(*caller_, target);
    if (!fetched.ok()) return fetched.status();
    facts = *fetched;
  }
  target_ = std::move(target);
  decision_ = Decide(*rule_, *caller_, *target_, facts);
  // A refusal by role alone never looked at the athlete's data: not audited. Allowed calls and
  // tenancy refusals (NOT_FOUND, inactive clinician) are.
  if (ReasonOf(decision_->status) == "ROLE_NOT_ALLOWED") decision_->audited = false;
  if (decision_->status.ok()) scope_.emplace(decision_->scope);
  return decision_->status;
}

absl::Status Call::Finish(absl::Status status) {
  scope_.reset();
  if (status.ok() && caller_.has_value() && !decision_.has_value()) {
    // A handler that never named its target: a bug. Refuse rather than answer unchecked.
    log::Error("rpc_not_authorized", {{"method", method_}});
    status = absl::InternalError("call was not authorized");
  }
  if (decision_.has_value() && decision_->audited) {
    absl::Status audit = gate_.WriteAudit(*caller_, *target_, method_, status.code());
    if (!audit.ok()) {
      log::Error("audit_write_failed", {{"method", method_}, {"code", absl::StatusCodeToString(audit.code())}});
      status = absl::UnavailableError("audit trail unavailable; try again");
    }
  }
  if (decision_.has_value() && !decision_->status.ok()) {
    log::Info("access_denied", {{"method", method_},
                                {"caller_role", RoleName(caller_->role)},
                                {"reason", ReasonOf(decision_->status)}});
  }
  LogRpc(method_, caller_.has_value() ? &*caller_ : nullptr, status, absl::Now() - start_);
  stream_permit_.reset();
  return status;
}

}  // namespace gaitkeeper::authz
