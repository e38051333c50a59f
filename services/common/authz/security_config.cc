#include "services/common/authz/security_config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/auth/key_set.h"
#include "services/common/logging.h"

namespace gaitkeeper::authz {

void AddSecurityFlags(Flags& flags, absl::string_view service) {
  const std::string prefix = absl::StrCat("GK_", absl::AsciiStrToUpper(service), "_");
  flags.AddChoice("auth_mode", "GK_AUTH_MODE", "jwt", {"jwt", "development"},
                  "jwt: every call needs a bearer token; development: no authentication, loopback "
                  "only, for tests");
  flags.AddString("jwt_keys", "GK_JWT_KEYS", "",
                  "key-set file of the token verification keys ('kid alg key_file' per line)");
  flags.AddString("jwt_issuer", "GK_JWT_ISSUER", "gaitkeeper", "expected token issuer (iss)");
  flags.AddString("jwt_audience", "GK_JWT_AUDIENCE", "gaitkeeper", "expected token audience (aud)");
  flags.AddInt("jwt_clock_skew_s", "GK_JWT_CLOCK_SKEW_S", 60, 0, 300,
               "clock skew tolerated on exp/iat/nbf");
  flags.AddInt("jwt_max_lifetime_s", "GK_JWT_MAX_LIFETIME_S", 24 * 3600, 60, 24 * 3600,
               "longest accepted token lifetime (exp - iat); tokens cannot be revoked, so keep it short");
  flags.AddInt("jwt_verified_cache_kib", "GK_JWT_VERIFIED_CACHE_KIB", 16384, 0, 1 << 20,
               "memory for remembering verified tokens (their time rules are still checked on every call); 0 = off");
  flags.AddString("jwt_service_kids", "GK_JWT_SERVICE_KIDS", "",
                  "comma-separated key ids that sign service tokens (and only those)");
  flags.AddString("service_signing_keys", "GK_SERVICE_SIGNING_KEYS", "",
                  "key-set file with this service's signing key (for calls to other services)");
  flags.AddString("service_kid", "GK_SERVICE_KID", "", "key id in --service_signing_keys to sign with");
  flags.AddString("tls_cert", prefix + "TLS_CERT", "", "PEM certificate to serve TLS with (and present to other services)");
  flags.AddString("tls_key", prefix + "TLS_KEY", "", "PEM private key of --tls_cert");
  flags.AddString("tls_ca", "GK_TLS_CA", "",
                  "PEM CA that signs the services' certificates: verifies client certificates and "
                  "the services this one calls");
  flags.AddInt("write_rate_per_s", "GK_WRITE_RATE_PER_S", 10, 1, 1000000, "writes per second per caller");
  flags.AddInt("write_burst", "GK_WRITE_BURST", 60, 1, 1000000, "writes a caller may burst");
  flags.AddInt("upload_rate_per_s", "GK_UPLOAD_RATE_PER_S", 1, 1, 1000000, "uploads (streams) per second per caller");
  flags.AddInt("upload_burst", "GK_UPLOAD_BURST", 20, 1, 1000000, "uploads a caller may burst");
  flags.AddInt("max_streams_per_caller", "GK_MAX_STREAMS_PER_CALLER", 4, 1, 10000,
               "concurrent streaming calls per caller");
}

absl::StatusOr<SecurityConfig> ReadSecurityConfig(const Flags& flags, absl::string_view service,
                                                  absl::string_view listen_address,
                                                  bool calls_other_services) {
  SecurityConfig config;
  const bool loopback = tls::IsLoopbackAddress(listen_address);

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials =
      tls::MakeServerCredentials({.cert_file = flags.GetString("tls_cert"),
                                  .key_file = flags.GetString("tls_key"),
                                  .client_ca_file = flags.GetString("tls_ca")},
                                 listen_address);
  if (!server_credentials.ok()) return server_credentials.status();
  config.server_credentials = *server_credentials;  // plaintext (loopback only) when no cert
  const bool tls_on = !flags.GetString("tls_cert").empty();
  config.client_tls = {.ca_file = flags.GetString("tls_ca"),
                       .cert_file = flags.GetString("tls_cert"),
                       .key_file = flags.GetString("tls_key")};

  const std::string issuer = flags.GetString("jwt_issuer");
  const std::string audience = flags.GetString("jwt_audience");
  if (flags.GetString("auth_mode") == "development") {
    if (!loopback) {
      return absl::FailedPreconditionError(
          "--auth_mode=development is only allowed on a loopback --listen address");
    }
    config.resolver = std::make_unique<CallerResolver>(CallerResolver::Development());
    log::Warning("development_auth_mode",
                 {{"message",
                   "AUTH MODE 'development': callers are NOT authenticated and may call "
                   "everything. Loopback only; never use it with real health data."}});
  } else {
    const std::string keys_file = flags.GetString("jwt_keys");
    if (keys_file.empty()) {
      return absl::InvalidArgumentError("--jwt_keys (env GK_JWT_KEYS) is required with --auth_mode=jwt");
    }
    absl::StatusOr<auth::KeySet> keys = auth::LoadKeySet(keys_file, auth::KeyUse::kVerify);
    if (!keys.ok()) return keys.status();
    const auth::TokenVerifier::Options verifier_options{
        .issuer = issuer,
        .audience = audience,
        .clock_skew = absl::Seconds(flags.GetInt("jwt_clock_skew_s")),
        .max_lifetime = absl::Seconds(flags.GetInt("jwt_max_lifetime_s")),
        .verified_cache_bytes = static_cast<size_t>(flags.GetInt("jwt_verified_cache_kib")) * 1024};
    CallerResolver::TokenOptions options;
    options.verifier = std::make_shared<auth::TokenVerifier>(std::move(*keys), verifier_options);
    for (absl::string_view kid : absl::StrSplit(flags.GetString("jwt_service_kids"), ',', absl::SkipEmpty())) {
      options.service_kids.emplace_back(kid);
    }
    // Mutual TLS between services: with a client CA, service tokens need the service's cert.
    options.require_service_certificate = tls_on && !flags.GetString("tls_ca").empty();
    config.resolver = std::make_unique<CallerResolver>(CallerResolver::Tokens(std::move(options)));
    config.reload_keys = [keys_file, verifier_options, resolver = config.resolver.get()]() -> absl::Status {
      absl::StatusOr<auth::KeySet> reloaded = auth::LoadKeySet(keys_file, auth::KeyUse::kVerify);
      if (!reloaded.ok()) return reloaded.status();
      resolver->ReplaceVerifier(std::make_shared<auth::TokenVerifier>(std::move(*reloaded), verifier_options));
      return absl::OkStatus();
    };

    if (calls_other_services) {
      const std::string signing_file = flags.GetString("service_signing_keys");
      const std::string kid = flags.GetString("service_kid");
      if (signing_file.empty() || kid.empty()) {
        return absl::InvalidArgumentError(
            "--service_signing_keys and --service_kid are required with --auth_mode=jwt (this "
            "service calls another one)");
      }
      absl::StatusOr<auth::KeySet> signing = auth::LoadKeySet(signing_file, auth::KeyUse::kSign);
      if (!signing.ok()) return signing.status();
      const auth::Key* key = signing->Find(kid);
      if (key == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("--service_kid ", kid, " is not in --service_signing_keys"));
      }
      config.service_tokens = std::make_unique<ServiceTokenSource>(ServiceTokenSource::Options{
          .signing_key = *key, .subject = std::string(service), .issuer = issuer, .audience = audience});
    }
  }
  if (!tls_on) {
    log::Warning("plaintext_transport",
                 {{"message", "no --tls_cert: serving plaintext gRPC (allowed on loopback only)"}});
  }

  config.gate.write_limit = {.tokens_per_second = static_cast<double>(flags.GetInt("write_rate_per_s")),
                             .burst = static_cast<double>(flags.GetInt("write_burst"))};
  config.gate.upload_limit = {.tokens_per_second = static_cast<double>(flags.GetInt("upload_rate_per_s")),
                              .burst = static_cast<double>(flags.GetInt("upload_burst"))};
  config.gate.max_streams_per_caller = static_cast<int>(flags.GetInt("max_streams_per_caller"));
  return config;
}

std::optional<int> LoadSecurityOrExit(const Flags& flags, absl::string_view service,
                                      absl::string_view listen_address, bool calls_other_services,
                                      SecurityConfig* config) {
  absl::StatusOr<SecurityConfig> read =
      ReadSecurityConfig(flags, service, listen_address, calls_other_services);
  if (!read.ok()) {
    log::Error("bad_config", {{"error", read.status().message()}});
    return 2;
  }
  *config = std::move(*read);
  return std::nullopt;
}

std::function<void()> KeyReloader(SecurityConfig& config) {
  return [&config] {
    if (!config.reload_keys) {
      log::Info("keys_reload_skipped", {{"reason", "no token keys in development mode"}});
      return;
    }
    if (absl::Status reloaded = config.reload_keys(); !reloaded.ok()) {
      log::Error("keys_reload_failed", {{"error", reloaded.message()}, {"kept", "the keys in force"}});
      return;
    }
    log::Info("keys_reloaded");
  };
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(const SecurityConfig& config,
                                                         const std::string& target) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      tls::MakeChannelCredentials(config.client_tls, target);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateChannel(target, *credentials);
}

}  // namespace gaitkeeper::authz
