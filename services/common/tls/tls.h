#pragma once

// TLS for the services: server and channel credentials from PEM files, the "plaintext only on
// loopback" rule, and what a verified client certificate tells a handler about its caller.
//
// The model: every service has a certificate from the Gaitkeeper CA (scripts/gen-dev-certs.sh
// makes a development set). It serves with it and presents it as the client certificate when it
// calls the next service (mutual TLS between services). Mobile apps connect with plain server
// TLS and no certificate; they authenticate with bearer tokens instead.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_context.h"

namespace gaitkeeper::tls {

// PEM files a server is configured with (typically --tls_cert, --tls_key, --tls_client_ca).
struct ServerTlsFiles {
  std::string cert_file;       // certificate chain, leaf first
  std::string key_file;        // private key of the leaf
  std::string client_ca_file;  // CA(s) client certificates must chain to; "" = no client certs
};

// Credentials for grpc::ServerBuilder::AddListeningPort.
//
// - No files: insecure credentials, allowed only when `listen_address` is loopback (see
//   IsLoopbackAddress); otherwise FailedPrecondition
//   "plaintext only on loopback; configure --tls_cert/--tls_key".
// - cert_file + key_file: TLS. With client_ca_file the server requests a client certificate and,
//   when one is presented, verifies it against that CA (a bad one fails the handshake); a client
//   without a certificate is still accepted (GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY).
// Returns InvalidArgument when only one of cert/key is set, when client_ca_file is set without
// them, when a file cannot be read or holds no usable PEM (the message names the file, never its
// contents) or when the key does not belong to the certificate; FailedPrecondition when the
// certificate has expired.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files, absl::string_view listen_address);

// PEM files a client (a service calling another, or the CLI) is configured with.
struct ClientTlsFiles {
  std::string ca_file{};    // CA(s) the server certificate must chain to
  std::string cert_file{};  // optional client certificate chain (services calling each other)
  std::string key_file{};   // its private key
};

// Credentials for grpc::CreateChannel.
//
// - ca_file set: TLS trusting exactly that CA, presenting cert_file/key_file when both are set.
//   The server certificate must name the host of `target` in its subjectAltName.
// - no ca_file: insecure credentials, allowed only when `target` is loopback; otherwise
//   FailedPrecondition.
// Returns InvalidArgument when only one of cert/key is set, when cert/key are set without ca_file,
// or when a file cannot be read / holds no usable PEM / the key does not match; FailedPrecondition
// when the client certificate has expired.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsFiles& files, absl::string_view target);

// True when `address` (a listen address or a channel target) can only reach this machine:
// 127.0.0.0/8, ::1 (also IPv4-mapped ::ffff:127.x), "localhost", with or without a port and with
// the gRPC schemes dns:, ipv4:, ipv6: (every address of a list must be loopback); unix: and
// unix-abstract: sockets count as local. Wildcards (0.0.0.0, [::], ":port") and every other host
// are not loopback.
bool IsLoopbackAddress(absl::string_view address);

// What the TLS handshake proved about the peer of one call.
struct PeerCertificate {
  // The peer presented a client certificate that chains to the server's client CA. Meaningful
  // only on servers built with MakeServerCredentials (which always verifies presented
  // certificates); false on plaintext connections and for TLS clients without a certificate.
  bool verified = false;
  // Subject CN of that certificate ("gaitkeeper-scoring"); "" unless `verified` (or when the
  // certificate has no CN).
  std::string common_name;
};

// From the auth context of a call (grpc::ServerContextBase::auth_context()).
PeerCertificate PeerCertificateOf(const grpc::AuthContext& auth_context);
// Works for sync (grpc::ServerContext) and callback (grpc::CallbackServerContext) handlers.
PeerCertificate PeerCertificateOf(const grpc::ServerContextBase& context);

// Shorthands: PeerCertificateOf(context).verified / .common_name.
bool PeerHasVerifiedCertificate(const grpc::ServerContextBase& context);
std::string PeerCommonName(const grpc::ServerContextBase& context);

}  // namespace gaitkeeper::tls
