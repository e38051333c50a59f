#include "services/common/tls/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/grpc_security_constants.h"

namespace gaitkeeper::tls {
namespace {

// Certificates and keys are a few KB; anything larger is not what the operator meant to pass.
constexpr std::size_t kMaxPemFileBytes = 1 << 20;

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", what, " file ", path, ": ", std::strerror(errno)));
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " file ", path));
  }
  if (data.size() > kMaxPemFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " file ", path, " is larger than ", kMaxPemFileBytes, " bytes"));
  }
  return data;
}

// OpenSSL objects with their deleters.
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Never prompt on the terminal for a pass phrase: encrypted keys are refused (gRPC cannot use
// them either).
int NoPassphrase(char*, int, int, void*) { return 0; }

BioPtr MemBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate in `pem`, in order. Our validation must not leave errors on OpenSSL's
// thread-local queue, where gRPC's own TLS code on this thread would find them.
std::vector<X509Ptr> ParseCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  BioPtr bio = MemBio(pem);
  while (bio != nullptr) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();
  return certs;
}

PkeyPtr ParsePrivateKey(const std::string& pem) {
  BioPtr bio = MemBio(pem);
  PkeyPtr key(bio == nullptr ? nullptr
                             : PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  return key;
}

// The PEM contents of a certificate chain and its key, checked to belong together.
struct KeyCertPair {
  std::string cert_chain;
  std::string private_key;
};

absl::StatusOr<KeyCertPair> LoadKeyCertPair(const std::string& cert_file,
                                            const std::string& key_file) {
  absl::StatusOr<std::string> chain = ReadPemFile(cert_file, "TLS certificate");
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key = ReadPemFile(key_file, "TLS key");
  if (!key.ok()) return key.status();

  std::vector<X509Ptr> certs = ParseCertificates(*chain);
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS certificate file ", cert_file, " holds no PEM certificate"));
  }
  PkeyPtr pkey = ParsePrivateKey(*key);
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS key file ", key_file, " holds no unencrypted PEM private key"));
  }
  const bool matches = X509_check_private_key(certs.front().get(), pkey.get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat("TLS key file ", key_file,
                                                   " does not belong to certificate ", cert_file));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(certs.front().get())) < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("TLS certificate ", cert_file, " has expired"));
  }
  return KeyCertPair{*std::move(chain), *std::move(key)};
}

absl::StatusOr<std::string> LoadCaBundle(const std::string& ca_file, absl::string_view what) {
  absl::StatusOr<std::string> pem = ReadPemFile(ca_file, what);
  if (!pem.ok()) return pem.status();
  if (ParseCertificates(*pem).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " file ", ca_file, " holds no PEM certificate"));
  }
  return pem;
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// The host of "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; "" when malformed.
absl::string_view HostOf(absl::string_view host_port) {
  if (absl::StartsWith(host_port, "[")) {
    const std::size_t close = host_port.find(']');
    if (close == absl::string_view::npos) return "";
    const absl::string_view rest = host_port.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return "";
    return host_port.substr(1, close - 1);
  }
  const std::size_t colon = host_port.find(':');
  if (colon == absl::string_view::npos) return host_port;
  if (host_port.find(':', colon + 1) != absl::string_view::npos) return host_port;  // bare v6
  return host_port.substr(0, colon);
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  address = absl::StripAsciiWhitespace(address);
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  if (absl::ConsumePrefix(&address, "ipv4:") || absl::ConsumePrefix(&address, "ipv6:")) {
    if (address.empty()) return false;
    for (absl::string_view one : absl::StrSplit(address, ',')) {
      if (!IsLoopbackHost(HostOf(one))) return false;
    }
    return true;
  }
  if (absl::ConsumePrefix(&address, "dns:")) {
    // dns:host:port, dns:///host:port or dns://resolver/host:port.
    if (absl::ConsumePrefix(&address, "//")) {
      const std::size_t slash = address.find('/');
      if (slash == absl::string_view::npos) return false;
      address = address.substr(slash + 1);
    }
  }
  if (address.empty()) return false;
  return IsLoopbackHost(HostOf(address));
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files, absl::string_view listen_address) {
  const bool has_cert = !files.cert_file.empty();
  const bool has_key = !files.key_file.empty();
  if (has_cert != has_key) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and its key; configure --tls_cert and --tls_key together");
  }
  if (!has_cert) {
    if (!files.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "a client CA (--tls_client_ca) needs a server certificate; configure "
          "--tls_cert/--tls_key");
    }
    if (!IsLoopbackAddress(listen_address)) {
      return absl::FailedPreconditionError(
          "plaintext only on loopback; configure --tls_cert/--tls_key");
    }
    return grpc::InsecureServerCredentials();
  }

  absl::StatusOr<KeyCertPair> pair = LoadKeyCertPair(files.cert_file, files.key_file);
  if (!pair.ok()) return pair.status();

  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!files.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = LoadCaBundle(files.client_ca_file, "TLS client CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *std::move(ca);
    // Request and verify, but do not require: apps connect without a certificate and
    // authenticate with tokens; services present theirs.
    options.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({std::move(pair->private_key), std::move(pair->cert_chain)});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsFiles& files, absl::string_view target) {
  const bool has_cert = !files.cert_file.empty();
  const bool has_key = !files.key_file.empty();
  if (has_cert != has_key) {
    return absl::InvalidArgumentError(
        "a TLS client certificate needs both the certificate and its key");
  }
  if (files.ca_file.empty()) {
    if (has_cert) {
      return absl::InvalidArgumentError(
          "a TLS client certificate needs the CA of the server (ca_file)");
    }
    if (!IsLoopbackAddress(target)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plaintext only to loopback; configure a TLS CA file to call ", target));
    }
    return grpc::InsecureChannelCredentials();
  }

  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = LoadCaBundle(files.ca_file, "TLS CA");
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (has_cert) {
    absl::StatusOr<KeyCertPair> pair = LoadKeyCertPair(files.cert_file, files.key_file);
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = std::move(pair->cert_chain);
    options.pem_private_key = std::move(pair->private_key);
  }
  return grpc::SslCredentials(options);
}

PeerCertificate PeerCertificateOf(const grpc::AuthContext& auth_context) {
  PeerCertificate peer;
  // Plaintext connections have an auth context too (transport_security_type "insecure").
  bool over_tls = false;
  for (const grpc::string_ref& type :
       auth_context.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    if (type == GRPC_SSL_TRANSPORT_SECURITY_TYPE) over_tls = true;
  }
  // gRPC marks a TLS peer authenticated exactly when it presented a certificate (its identity is
  // the SAN, else the CN). Our servers always verify presented certificates, so authenticated
  // means "chains to our client CA".
  if (!over_tls || !auth_context.IsPeerAuthenticated()) return peer;
  peer.verified = true;
  const std::vector<grpc::string_ref> cns =
      auth_context.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (!cns.empty()) peer.common_name.assign(cns.front().data(), cns.front().size());
  return peer;
}

PeerCertificate PeerCertificateOf(const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return {};
  return PeerCertificateOf(*auth);
}

bool PeerHasVerifiedCertificate(const grpc::ServerContextBase& context) {
  return PeerCertificateOf(context).verified;
}

std::string PeerCommonName(const grpc::ServerContextBase& context) {
  return PeerCertificateOf(context).common_name;
}

}  // namespace gaitkeeper::tls
