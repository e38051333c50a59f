#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace gaitkeeper {

// Runs one gRPC server the house way: sync API on a bounded thread pool, the standard health
// service (grpc.health.v1, per service name and overall ""), server reflection for grpcurl and
// ghz, and a graceful drain on shutdown (health NOT_SERVING first, then in-flight calls get up to
// the grace period).
class Server {
 public:
  struct Options {
    std::string listen_address = "127.0.0.1:0";
    int max_threads = 16;
    // Largest request message accepted; larger ones get RESOURCE_EXHAUSTED from gRPC itself.
    int max_receive_message_bytes = 4 * 1024 * 1024;
    absl::Duration shutdown_grace = absl::Seconds(10);
    // TLS (authz/security_config.h); null = plaintext, which the configuration only allows on
    // loopback.
    std::shared_ptr<grpc::ServerCredentials> credentials;
  };

  // `services` are registered but not owned; they must outlive the server.
  Server(Options options, std::vector<grpc::Service*> services,
         std::vector<std::string> service_names);
  ~Server();

  // Binds and starts serving. Unavailable when the address cannot be bound.
  absl::Status Start();
  // The bound port (useful with port 0).
  int port() const { return port_; }
  // Marks NOT_SERVING, waits up to the grace period for in-flight calls, then stops.
  void Shutdown();
  // Health status of every registered service.
  void SetServing(bool serving);

 private:
  Options options_;
  std::vector<grpc::Service*> services_;
  std::vector<std::string> service_names_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it later creates. Call
// first thing in main, before any thread exists; ServeUntilSignal then waits for them.
void BlockShutdownSignals();

// The tail of every service's main: starts `server`, runs `after_start`, waits for SIGTERM or
// SIGINT, drains the server, runs `after_stop`. Each SIGHUP meanwhile runs `on_reload` (the
// services reload their token keys: authz::KeyReloader) and the wait goes on. Returns the process
// exit code (1 when the server cannot start).
int ServeUntilSignal(Server& server, const std::function<void()>& after_start = {},
                     const std::function<void()>& after_stop = {},
                     const std::function<void()>& on_reload = {});

}  // namespace gaitkeeper
