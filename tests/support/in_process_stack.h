#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "gaitkeeper/planning/v1/planning.grpc.pb.h"
#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"
#include "services/common/authz/caller_resolver.h"
#include "services/common/authz/gate.h"
#include "services/common/authz/service_token.h"
#include "services/common/db_pool.h"
#include "services/common/outbox.h"
#include "services/common/server.h"
#include "services/ingestion/ingestion_repository.h"
#include "services/ingestion/ingestion_service.h"
#include "services/ingestion/scoring_handoff.h"
#include "services/planning/planning_repository.h"
#include "services/planning/planning_service.h"
#include "services/scoring/planning_handoff.h"
#include "services/scoring/scoring_repository.h"
#include "services/scoring/scoring_service.h"

namespace gaitkeeper::testing {

// The three services wired as their main.cc files wire them, in this process, on loopback ports
// chosen by the OS, talking to each other and to `database_url` for real. The outbox dispatcher
// is not started: tests drive it with DeliverPending() so delivery is deterministic.
//
// Without `Security` the services run in development auth mode on plaintext loopback (the data
// path tests). With it they run as in production: bearer tokens verified against
// `keys_dir/verify.keys` (scripts/gen-dev-keys.sh; service tokens only from kid es256-1), TLS
// with the certificates of scripts/gen-dev-certs.sh in `certs_dir`, mutual TLS and service
// tokens between the services, and the given abuse limits. The stubs then speak TLS (trusting
// the dev CA, no client certificate: like the companion app); tests add the token per call.
class InProcessStack {
 public:
  struct Security {
    std::string certs_dir;
    std::string keys_dir;
    std::string issuer = "gaitkeeper-test";
    std::string audience = "gaitkeeper";
    authz::Gate::Options limits;  // only the limits are used
  };

  explicit InProcessStack(const std::string& database_url, std::optional<Security> security = std::nullopt);
  ~InProcessStack();

  // Scoring can be stopped and started again on the same port (to test delivery after an outage).
  void StopScoring();
  absl::Status StartScoring();

  ingestion::v1::IngestionService::Stub& ingestion() { return *ingestion_stub_; }
  scoring::v1::ScoringService::Stub& scoring() { return *scoring_stub_; }
  planning::v1::PlanningService::Stub& planning() { return *planning_stub_; }
  // Ingestion's dispatcher (completed sessions -> scoring).
  outbox::Dispatcher& dispatcher() { return *dispatcher_; }
  // Scoring's dispatcher (new scores -> planning).
  outbox::Dispatcher& plan_dispatcher() { return *plan_dispatcher_; }
  db::Pool& pool() { return *pool_; }
  int ingestion_port() const { return ingestion_server_->port(); }
  int scoring_port() const { return scoring_port_; }
  int planning_port() const { return planning_server_->port(); }

  // Runs ingestion's dispatcher until nothing is pending or `timeout` passes; returns the count left.
  int64_t DeliverPending(absl::Duration timeout = absl::Seconds(20));
  // The same for scoring's plan requests.
  int64_t DeliverPendingPlans(absl::Duration timeout = absl::Seconds(20));

 private:
  int64_t Deliver(outbox::Dispatcher& dispatcher, const char* topic, absl::Duration timeout);

  std::unique_ptr<db::Pool> pool_;
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(absl::string_view service);
  Server::Options ServerOptions(absl::string_view service);
  authz::Gate::Options GateOptions(absl::string_view service, const authz::Policy& policy) const;

  std::optional<Security> security_;
  std::unique_ptr<authz::CallerResolver> resolver_;
  std::unique_ptr<authz::ServiceTokenSource> ingestion_tokens_;
  std::unique_ptr<authz::ServiceTokenSource> scoring_tokens_;
  std::unique_ptr<authz::Gate> ingestion_gate_;
  std::unique_ptr<authz::Gate> scoring_gate_;
  std::unique_ptr<authz::Gate> planning_gate_;
  std::unique_ptr<scoring::ScoringRepository> scoring_repository_;
  std::unique_ptr<scoring::ScoringService> scoring_service_;
  std::unique_ptr<Server> scoring_server_;
  int scoring_port_ = 0;
  std::unique_ptr<scoring::PlanningHandoff> plan_handoff_;
  std::unique_ptr<outbox::Dispatcher> plan_dispatcher_;
  std::unique_ptr<ingestion::IngestionRepository> ingestion_repository_;
  std::unique_ptr<ingestion::ScoringHandoff> handoff_;
  std::unique_ptr<outbox::Dispatcher> dispatcher_;
  std::unique_ptr<ingestion::IngestionService> ingestion_service_;
  std::unique_ptr<Server> ingestion_server_;
  std::unique_ptr<planning::PlanningRepository> planning_repository_;
  std::unique_ptr<planning::PlanningService> planning_service_;
  std::unique_ptr<Server> planning_server_;
  std::unique_ptr<ingestion::v1::IngestionService::Stub> ingestion_stub_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_stub_;
  std::unique_ptr<planning::v1::PlanningService::Stub> planning_stub_;
};

// "127.0.0.1:<port>"
std::string Loopback(int port);
// "localhost:<port>" (the name in the development certificates).
std::string Localhost(int port);

}  // namespace gaitkeeper::testing
