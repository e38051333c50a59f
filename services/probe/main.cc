// gaitkeeper-probe: asks a server for its health and its services (reflection). Exit 0 when the
// requested service is SERVING. Used by scripts/stack.sh and deploy readiness checks. Health and
// reflection need no token; a server that serves TLS needs --tls_ca (the CA its certificate
// chains to, and whose certificate names the address's host).
#include <cstdio>
#include <iostream>

#include "absl/strings/str_join.h"
#include "services/common/flags.h"
#include "services/common/tls/tls.h"
#include "services/probe/probe_client.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  Flags flags("gaitkeeper-probe");
  flags.AddString("address", "GK_PROBE_ADDRESS", "127.0.0.1:50051", "server host:port");
  flags.AddString("service", "GK_PROBE_SERVICE", "", "service name to check ('' = the whole server)");
  flags.AddInt("timeout_ms", "GK_PROBE_TIMEOUT_MS", 2000, 10, 60000, "deadline of each call");
  flags.AddChoice("list", "GK_PROBE_LIST", "no", {"yes", "no"}, "also list services over reflection");
  flags.AddString("tls_ca", "GK_TLS_CA", "", "PEM CA to verify a TLS server with; unset = plaintext");
  absl::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::cerr << "gaitkeeper-probe: " << parsed.message() << "\n";
    return 2;
  }
  // Without a CA: plaintext to any address (a probe sends no credentials and reads no data).
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!flags.GetString("tls_ca").empty()) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls =
        tls::MakeChannelCredentials({.ca_file = flags.GetString("tls_ca")}, flags.GetString("address"));
    if (!tls.ok()) {
      std::cerr << "gaitkeeper-probe: " << tls.status().message() << "\n";
      return 2;
    }
    credentials = *tls;
  }
  auto channel = grpc::CreateChannel(flags.GetString("address"), credentials);
  const absl::Duration timeout = absl::Milliseconds(flags.GetInt("timeout_ms"));
  absl::StatusOr<std::string> health = probe::CheckHealth(channel, flags.GetString("service"), timeout);
  if (!health.ok()) {
    std::cout << flags.GetString("address") << " health: " << health.status().ToString() << "\n";
    return 1;
  }
  std::cout << flags.GetString("address") << " health: " << *health << "\n";
  if (flags.GetString("list") == "yes") {
    absl::StatusOr<std::vector<std::string>> services = probe::ListServices(channel, timeout);
    if (!services.ok()) {
      std::cout << "reflection: " << services.status().ToString() << "\n";
      return 1;
    }
    std::cout << "services: " << absl::StrJoin(*services, ", ") << "\n";
  }
  return *health == "SERVING" ? 0 : 1;
}
