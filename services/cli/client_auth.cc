#include "services/cli/client_auth.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/common/tls/tls.h"

namespace gaitkeeper::cli {

void AddClientAuthFlags(Flags& flags) {
  flags.AddString("signing_keys", "GK_JWT_SIGNING_KEYS", "",
                  "key-set file of signing keys: mint the callers' tokens locally (development: the "
                  "tool plays the identity provider)");
  flags.AddString("kid", "GK_JWT_KID", "",
                  "key id in --signing_keys to sign with; may be left out when the set has one key");
  flags.AddString("issuer", "GK_JWT_ISSUER", "gaitkeeper-dev", "iss claim of minted tokens");
  flags.AddString("audience", "GK_JWT_AUDIENCE", "gaitkeeper", "aud claim of minted tokens");
  flags.AddInt("token_ttl_s", "GK_TOKEN_TTL_S", 3600, 60, 86400,
               "lifetime of minted tokens (renewed at half-life)");
  flags.AddString("token", "GK_TOKEN", "",
                  "bearer token to send instead of minting one (e.g. from gaitkeeper-token)");
  flags.AddString("tls_ca", "GK_TLS_CA", "",
                  "PEM CA to verify the services' certificates with; unset = plaintext (loopback only)");
}

CallerCredentials::CallerCredentials(std::string token) : token_(std::move(token)) {
  if (!token_.empty()) {
    absl::StatusOr<std::string> subject = UnverifiedSubject(token_);
    if (subject.ok()) subject_ = *subject;
  }
  renew_after_ = absl::InfiniteFuture();
}

CallerCredentials::CallerCredentials(const auth::Key& key, auth::Claims claims, absl::Duration lifetime)
    : signer_(std::in_place, key), claims_(std::move(claims)), lifetime_(lifetime), subject_(claims_.subject) {}

absl::StatusOr<std::string> CallerCredentials::Token() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!signer_.has_value()) return token_;
  const absl::Time now = absl::Now();
  if (!token_.empty() && now < renew_after_) return token_;
  auth::Claims claims = claims_;
  // Whole seconds, as the token carries them, so exp - iat is exactly the lifetime.
  claims.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  claims.expires_at = claims.issued_at + lifetime_;
  absl::StatusOr<std::string> token = signer_->Mint(claims);
  if (!token.ok()) return token.status();
  token_ = std::move(*token);
  renew_after_ = claims.issued_at + lifetime_ / 2;
  return token_;
}

absl::Status CallerCredentials::Attach(grpc::ClientContext& context) {
  absl::StatusOr<std::string> token = Token();
  if (!token.ok()) return token.status();
  if (!token->empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  return absl::OkStatus();
}

absl::StatusOr<ClientAuth> ClientAuth::FromFlags(const Flags& flags) {
  ClientAuth out;
  out.issuer_ = flags.GetString("issuer");
  out.audience_ = flags.GetString("audience");
  out.lifetime_ = absl::Seconds(flags.GetInt("token_ttl_s"));
  out.fixed_token_ = flags.GetString("token");
  out.ca_file_ = flags.GetString("tls_ca");
  if (out.audience_.empty()) return absl::InvalidArgumentError("--audience must not be empty");

  const std::string& keys_file = flags.GetString("signing_keys");
  if (keys_file.empty()) return out;
  if (!out.fixed_token_.empty()) {
    return absl::InvalidArgumentError("give --token or --signing_keys, not both");
  }
  absl::StatusOr<auth::KeySet> keys = auth::LoadKeySet(keys_file, auth::KeyUse::kSign);
  if (!keys.ok()) return keys.status();
  const std::string& kid = flags.GetString("kid");
  if (kid.empty()) {
    if (keys->keys().size() != 1) {
      return absl::InvalidArgumentError("--kid is required: the signing key set has several keys");
    }
    out.key_ = keys->keys().front();
  } else {
    const auth::Key* key = keys->Find(kid);
    if (key == nullptr) return absl::InvalidArgumentError(absl::StrCat("no key ", kid, " in --signing_keys"));
    out.key_ = *key;
  }
  return out;
}

std::shared_ptr<CallerCredentials> ClientAuth::CredentialsFor(absl::string_view subject, absl::string_view role,
                                                              absl::string_view clinic) const {
  if (!key_.has_value()) return std::make_shared<CallerCredentials>(fixed_token_);
  auth::Claims claims;
  claims.issuer = issuer_;
  claims.subject = std::string(subject);
  claims.role = std::string(role);
  claims.clinic = std::string(clinic);
  claims.audience = absl::StrSplit(audience_, ',', absl::SkipEmpty());
  return std::make_shared<CallerCredentials>(*key_, std::move(claims), lifetime_);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientAuth::Channel(const std::string& target,
                                                                   const grpc::ChannelArguments& args) const {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      tls::MakeChannelCredentials({.ca_file = ca_file_}, target);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateCustomChannel(target, *credentials, args);
}

std::string ClientAuth::Describe() const {
  std::string how;
  if (key_.has_value()) {
    how = absl::StrCat(auth::AlgorithmName(key_->alg), " bearer tokens (kid ", key_->kid, ", minted locally)");
  } else if (!fixed_token_.empty()) {
    how = "the bearer token given with --token";
  } else {
    how = "no bearer token";
  }
  return absl::StrCat(how, tls() ? " over TLS" : " over plaintext (loopback)");
}

absl::StatusOr<std::string> UnverifiedSubject(absl::string_view token) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &payload)) {
    return absl::InvalidArgumentError("the token is not a compact JWT");
  }
  google::protobuf::Struct claims;
  if (!google::protobuf::util::JsonStringToMessage(payload, &claims).ok()) {
    return absl::InvalidArgumentError("the token's payload is not a JSON object");
  }
  auto sub = claims.fields().find("sub");
  if (sub == claims.fields().end() || !sub->second.has_string_value()) {
    return absl::InvalidArgumentError("the token has no sub claim");
  }
  return sub->second.string_value();
}

}  // namespace gaitkeeper::cli
