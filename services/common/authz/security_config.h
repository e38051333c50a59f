#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "services/common/authz/caller_resolver.h"
#include "services/common/authz/gate.h"
#include "services/common/authz/service_token.h"
#include "services/common/flags.h"
#include "services/common/tls/tls.h"

namespace gaitkeeper::authz {

// Everything a service binary needs to know about who may call it and how it calls others
// (docs/SECURITY.md): the caller resolver, the server's TLS credentials, the credentials and
// service token for outgoing calls, and the abuse limits of its gate.
struct SecurityConfig {
  std::unique_ptr<CallerResolver> resolver;
  std::shared_ptr<grpc::ServerCredentials> server_credentials;  // TLS, or plaintext on loopback
  tls::ClientTlsFiles client_tls;
  std::unique_ptr<ServiceTokenSource> service_tokens;  // null in development mode
  Gate::Options gate;  // limits filled in; service and policy left to main
  // Reads --jwt_keys again and puts the new key set in force for every later call (SIGHUP, see
  // ServeUntilSignal). On any error the keys in force stay, and the error is returned. Null in
  // development mode.
  std::function<absl::Status()> reload_keys;
};

// Declares --auth_mode, --jwt_keys, --jwt_issuer, --jwt_audience, --jwt_clock_skew_s,
// --jwt_max_lifetime_s, --jwt_verified_cache_kib, --jwt_service_kids, --service_signing_keys, --service_kid, --tls_cert, --tls_key, --tls_ca and
// the limits (--write_rate_per_s, --write_burst, --upload_rate_per_s, --upload_burst,
// --max_streams_per_caller), each with an environment fallback (see --help).
void AddSecurityFlags(Flags& flags, absl::string_view service);

// Reads and checks them. `listen_address` decides what is allowed without TLS and in development
// mode (loopback only). `calls_other_services`: the service needs a service signing key.
absl::StatusOr<SecurityConfig> ReadSecurityConfig(const Flags& flags, absl::string_view service,
                                                  absl::string_view listen_address,
                                                  bool calls_other_services);

// ReadSecurityConfig, or the exit code (2) after logging what is wrong.
std::optional<int> LoadSecurityOrExit(const Flags& flags, absl::string_view service,
                                      absl::string_view listen_address, bool calls_other_services,
                                      SecurityConfig* config);

// What a service does on SIGHUP: reloads the token keys (config.reload_keys) and logs the
// outcome ("keys_reloaded" or "keys_reload_failed"; the keys in force stay on failure).
std::function<void()> KeyReloader(SecurityConfig& config);

// A channel to another service with this service's client TLS (or plaintext on loopback).
absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelTo(const SecurityConfig& config,
                                                         const std::string& target);

}  // namespace gaitkeeper::authz
