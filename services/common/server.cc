#include "services/common/server.h"

#include <signal.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/common/logging.h"

namespace gaitkeeper {

Server::Server(Options options, std::vector<grpc::Service*> services,
               std::vector<std::string> service_names)
    : options_(std::move(options)),
      services_(std::move(services)),
      service_names_(std::move(service_names)) {}

Server::~Server() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
  }
}

absl::Status Server::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen_address,
                           options_.credentials != nullptr ? options_.credentials
                                                           : grpc::InsecureServerCredentials(),
                           &port_);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  grpc::ResourceQuota quota("gaitkeeper");
  quota.SetMaxThreads(options_.max_threads);
  builder.SetResourceQuota(quota);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address));
  }
  SetServing(true);
  log::Info("server_started", {{"address", options_.listen_address}, {"port", port_},
                               {"max_threads", options_.max_threads}});
  return absl::OkStatus();
}

void Server::SetServing(bool serving) {
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  for (const std::string& name : service_names_) health->SetServingStatus(name, serving);
}

void Server::Shutdown() {
  if (server_ == nullptr) return;
  log::Info("server_draining", {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_grace));
  server_->Wait();
  server_.reset();
  log::Info("server_stopped");
}

namespace {

sigset_t ServiceSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  const sigset_t set = ServiceSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int ServeUntilSignal(Server& server, const std::function<void()>& after_start,
                     const std::function<void()>& after_stop, const std::function<void()>& on_reload) {
  if (absl::Status started = server.Start(); !started.ok()) {
    log::Error("start_failed", {{"error", started.message()}});
    return 1;
  }
  if (after_start) after_start();
  const sigset_t set = ServiceSignals();
  int signal = 0;
  while (true) {
    if (sigwait(&set, &signal) != 0) {
      log::Error("sigwait_failed");  // cannot wait for signals: stop rather than spin
      break;
    }
    if (signal != SIGHUP) break;
    log::Info("reload_requested", {{"signal", signal}});
    if (on_reload) on_reload();
  }
  log::Info("shutdown_requested", {{"signal", signal}});
  server.Shutdown();
  if (after_stop) after_stop();
  return 0;
}

}  // namespace gaitkeeper
