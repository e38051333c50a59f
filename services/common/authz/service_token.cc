#include "services/common/authz/service_token.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace gaitkeeper::authz {

ServiceTokenSource::ServiceTokenSource(Options options)
    : options_(std::move(options)), signer_(options_.signing_key) {}

absl::StatusOr<std::string> ServiceTokenSource::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = absl::Now();
  if (now < renew_after_) return token_;
  auth::Claims claims;
  claims.subject = options_.subject;
  claims.issuer = options_.issuer;
  claims.audience = {options_.audience};
  claims.role = "service";
  claims.issued_at = now;
  claims.expires_at = now + options_.lifetime;
  absl::StatusOr<std::string> token = signer_.Mint(claims);
  if (!token.ok()) return token.status();
  token_ = *token;
  renew_after_ = now + options_.lifetime / 2;
  return token_;
}

absl::Status ServiceTokenSource::Attach(grpc::ClientContext& context) {
  absl::StatusOr<std::string> token = Token();
  if (!token.ok()) return token.status();
  context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  return absl::OkStatus();
}

}  // namespace gaitkeeper::authz
