#include "services/common/authz/caller_resolver.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/status.h"
#include "services/common/tls/tls.h"

namespace gaitkeeper::authz {
namespace {

absl::Status Unauthenticated(absl::string_view message, absl::string_view reason) {
  return WithReason(absl::UnauthenticatedError(message), reason);
}

Caller DevelopmentCaller(const grpc::ServerContext& context) {
  Caller caller;
  caller.role = Role::kDevelopment;
  caller.subject = "developer";
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("x-gaitkeeper-dev-subject");
  if (it != metadata.end()) {
    std::string subject(it->second.data(), it->second.size());
    // Only a short printable label: it ends up in logs.
    if (!subject.empty() && subject.size() <= 64 &&
        std::all_of(subject.begin(), subject.end(),
                    [](char c) { return absl::ascii_isgraph(static_cast<unsigned char>(c)); })) {
      caller.subject = subject;
    }
  }
  return caller;
}

}  // namespace

absl::StatusOr<Role> ParseRole(absl::string_view role) {
  if (role == "athlete") return Role::kAthlete;
  if (role == "clinician") return Role::kClinician;
  if (role == "clinic_admin") return Role::kClinicAdmin;
  if (role == "service") return Role::kService;
  return Unauthenticated("token role is not known", "TOKEN_BAD_ROLE");
}

CallerResolver CallerResolver::Development() {
  CallerResolver r;
  r.development_ = true;
  return r;
}

CallerResolver CallerResolver::Tokens(TokenOptions options) {
  CallerResolver r;
  r.tokens_ = std::move(options);
  r.ReplaceVerifier(std::move(r.tokens_.verifier));
  return r;
}

void CallerResolver::ReplaceVerifier(std::shared_ptr<const auth::TokenVerifier> verifier) {
  if (slot_ == nullptr) slot_ = std::make_shared<VerifierSlot>();  // moved from, then reused
  absl::MutexLock lock(&slot_->mu);
  slot_->verifier = std::move(verifier);
}

std::shared_ptr<const auth::TokenVerifier> CallerResolver::verifier() const {
  if (slot_ == nullptr) return nullptr;  // a moved-from resolver refuses everyone
  absl::ReaderMutexLock lock(&slot_->mu);
  return slot_->verifier;
}

absl::StatusOr<Caller> CallerResolver::Resolve(const grpc::ServerContext& context) const {
  if (development_) return DevelopmentCaller(context);
  const std::shared_ptr<const auth::TokenVerifier> verifier = this->verifier();
  if (verifier == nullptr) {
    return Unauthenticated("no token verifier configured", "AUTH_NOT_CONFIGURED");
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return Unauthenticated("missing 'authorization: Bearer <token>' metadata", "TOKEN_MISSING");
  }
  absl::StatusOr<std::string> token =
      auth::BearerToken(absl::string_view(it->second.data(), it->second.size()));
  if (!token.ok()) return token.status();
  absl::StatusOr<auth::Claims> claims = verifier->Verify(*token, absl::Now());
  if (!claims.ok()) return claims.status();
  absl::StatusOr<Role> role = ParseRole(claims->role);
  if (!role.ok()) return role.status();

  const bool service_kid =
      std::find(tokens_.service_kids.begin(), tokens_.service_kids.end(), claims->kid) !=
      tokens_.service_kids.end();
  if (!tokens_.service_kids.empty() && (*role == Role::kService) != service_kid) {
    // A service key signing a user token, or a user key signing a service token.
    return Unauthenticated("token role not allowed for its signing key", "TOKEN_KEY_ROLE_MISMATCH");
  }
  if (*role == Role::kService && tokens_.require_service_certificate &&
      tls::PeerCommonName(context) != absl::StrCat("gaitkeeper-", claims->subject)) {
    return Unauthenticated("service tokens need the service's client certificate",
                           "SERVICE_CERTIFICATE_REQUIRED");
  }
  Caller caller;
  caller.subject = claims->subject;
  caller.role = *role;
  caller.clinic = absl::AsciiStrToLower(claims->clinic);
  return caller;
}

}  // namespace gaitkeeper::authz
