#include "tests/support/in_process_stack.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace gaitkeeper::testing {

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

InProcessStack::InProcessStack(const std::string& database_url) {
  pool_ = std::make_unique<db::Pool>(db::Pool::Options{
      .url = database_url, .size = 8, .query_prefixes = {"ingestion/", "common/", "scoring/", "planning/"}});
  planning_repository_ = std::make_unique<planning::PlanningRepository>(*pool_);
  planning_service_ = std::make_unique<planning::PlanningService>(*planning_repository_, resolver_);
  planning_server_ = std::make_unique<Server>(Server::Options{}, std::vector<grpc::Service*>{planning_service_.get()},
                                              std::vector<std::string>{"gaitkeeper.planning.v1.PlanningService"});
  if (!planning_server_->Start().ok()) std::abort();

  scoring_repository_ = std::make_unique<scoring::ScoringRepository>(*pool_);
  plan_handoff_ = std::make_unique<scoring::PlanningHandoff>(
      grpc::CreateChannel(Loopback(planning_server_->port()), grpc::InsecureChannelCredentials()), absl::Seconds(10));
  plan_dispatcher_ = std::make_unique<outbox::Dispatcher>(
      *pool_,
      outbox::Dispatcher::Options{.topic = scoring::kPlanOnScoreTopic,
                                  .initial_backoff = absl::Milliseconds(20),
                                  .max_backoff = absl::Milliseconds(200)},
      [this](const std::string& payload) { return plan_handoff_->Deliver(payload); });
  scoring_service_ = std::make_unique<scoring::ScoringService>(*scoring_repository_, resolver_);
  if (absl::Status started = StartScoring(); !started.ok()) std::abort();

  ingestion_repository_ = std::make_unique<ingestion::IngestionRepository>(*pool_);
  handoff_ = std::make_unique<ingestion::ScoringHandoff>(
      grpc::CreateChannel(Loopback(scoring_port_), grpc::InsecureChannelCredentials()), absl::Seconds(10));
  dispatcher_ = std::make_unique<outbox::Dispatcher>(
      *pool_,
      outbox::Dispatcher::Options{.topic = ingestion::kScoreSessionTopic,
                                  .initial_backoff = absl::Milliseconds(20),
                                  .max_backoff = absl::Milliseconds(200)},
      [this](const std::string& payload) { return handoff_->Deliver(payload); });
  ingestion_service_ = std::make_unique<ingestion::IngestionService>(*ingestion_repository_, resolver_, nullptr);
  ingestion_server_ = std::make_unique<Server>(Server::Options{}, std::vector<grpc::Service*>{ingestion_service_.get()},
                                               std::vector<std::string>{"gaitkeeper.ingestion.v1.IngestionService"});
  if (!ingestion_server_->Start().ok()) std::abort();


  ingestion_stub_ = ingestion::v1::IngestionService::NewStub(
      grpc::CreateChannel(Loopback(ingestion_server_->port()), grpc::InsecureChannelCredentials()));
  scoring_stub_ = scoring::v1::ScoringService::NewStub(
      grpc::CreateChannel(Loopback(scoring_port_), grpc::InsecureChannelCredentials()));
  planning_stub_ = planning::v1::PlanningService::NewStub(
      grpc::CreateChannel(Loopback(planning_server_->port()), grpc::InsecureChannelCredentials()));
}

InProcessStack::~InProcessStack() {
  if (ingestion_server_) ingestion_server_->Shutdown();
  if (planning_server_) planning_server_->Shutdown();
  StopScoring();
}

void InProcessStack::StopScoring() {
  if (scoring_server_ != nullptr) {
    scoring_server_->Shutdown();
    scoring_server_.reset();
  }
}

absl::Status InProcessStack::StartScoring() {
  Server::Options options;
  options.listen_address = Loopback(scoring_port_);  // port 0 the first time
  options.shutdown_grace = absl::Milliseconds(200);
  scoring_server_ = std::make_unique<Server>(options, std::vector<grpc::Service*>{scoring_service_.get()},
                                             std::vector<std::string>{"gaitkeeper.scoring.v1.ScoringService"});
  absl::Status started = scoring_server_->Start();
  if (started.ok()) scoring_port_ = scoring_server_->port();
  return started;
}

int64_t InProcessStack::DeliverPending(absl::Duration timeout) {
  return Deliver(*dispatcher_, ingestion::kScoreSessionTopic, timeout);
}

int64_t InProcessStack::DeliverPendingPlans(absl::Duration timeout) {
  return Deliver(*plan_dispatcher_, scoring::kPlanOnScoreTopic, timeout);
}

int64_t InProcessStack::Deliver(outbox::Dispatcher& dispatcher, const char* topic, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    (void)dispatcher.RunOnce();
    absl::StatusOr<int64_t> pending = outbox::CountPending(*pool_, topic);
    if (pending.ok() && *pending == 0) return 0;
    if (absl::Now() > deadline) return pending.ok() ? *pending : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

}  // namespace gaitkeeper::testing
