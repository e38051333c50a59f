#include "tests/support/in_process_stack.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "services/common/auth/key_set.h"
#include "services/common/tls/tls.h"
#include "services/ingestion/ingestion_policy.h"
#include "services/planning/planning_policy.h"
#include "services/scoring/scoring_policy.h"

namespace gaitkeeper::testing {

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }
std::string Localhost(int port) { return absl::StrCat("localhost:", port); }

namespace {
template <typename T>
T OrAbort(absl::StatusOr<T> value, absl::string_view what) {
  if (!value.ok()) {
    std::fprintf(stderr, "in-process stack: %s: %s\n", std::string(what).c_str(), value.status().ToString().c_str());
    std::abort();
  }
  return std::move(*value);
}
}  // namespace

std::shared_ptr<grpc::ChannelCredentials> InProcessStack::ChannelCredentials(absl::string_view service) {
  if (!security_) return grpc::InsecureChannelCredentials();
  tls::ClientTlsFiles files;
  files.ca_file = security_->certs_dir + "/ca.crt";
  if (!service.empty()) {
    files.cert_file = absl::StrCat(security_->certs_dir, "/", service, ".crt");
    files.key_file = absl::StrCat(security_->certs_dir, "/", service, ".key");
  }
  return OrAbort(tls::MakeChannelCredentials(files, "localhost:1"), "channel credentials");
}

Server::Options InProcessStack::ServerOptions(absl::string_view service) {
  Server::Options options;
  options.listen_address = Loopback(0);
  options.shutdown_grace = absl::Milliseconds(200);
  if (security_) {
    options.credentials = OrAbort(
        tls::MakeServerCredentials({.cert_file = absl::StrCat(security_->certs_dir, "/", service, ".crt"),
                                    .key_file = absl::StrCat(security_->certs_dir, "/", service, ".key"),
                                    .client_ca_file = security_->certs_dir + "/ca.crt"},
                                   options.listen_address),
        "server credentials");
  }
  return options;
}

authz::Gate::Options InProcessStack::GateOptions(absl::string_view service, const authz::Policy& policy) const {
  authz::Gate::Options options;
  if (security_) {
    options = security_->limits;
  } else {
    // The data-path tests write fast; development callers are not limited anyway.
    options.write_limit = {.tokens_per_second = 1e6, .burst = 1e6};
    options.upload_limit = {.tokens_per_second = 1e6, .burst = 1e6};
    options.max_streams_per_caller = 1000;
  }
  options.service = std::string(service);
  options.policy = policy;
  return options;
}

InProcessStack::InProcessStack(const std::string& database_url, std::optional<Security> security)
    : security_(std::move(security)) {
  pool_ = std::make_unique<db::Pool>(db::Pool::Options{
      .url = database_url, .size = 8, .query_prefixes = {"ingestion/", "common/", "scoring/", "planning/"}});
  // The target of a TLS channel must match the certificates' names: localhost.
  auto target = [this](int port) { return security_ ? Localhost(port) : Loopback(port); };
  outbox::Authenticate ingestion_auth;
  outbox::Authenticate scoring_auth;
  if (security_) {
    auth::KeySet verify = OrAbort(auth::LoadKeySet(security_->keys_dir + "/verify.keys", auth::KeyUse::kVerify), "verify keys");
    auth::KeySet sign = OrAbort(auth::LoadKeySet(security_->keys_dir + "/signing.keys", auth::KeyUse::kSign), "signing keys");
    authz::CallerResolver::TokenOptions options;
    options.verifier = std::make_shared<auth::TokenVerifier>(
        std::move(verify), auth::TokenVerifier::Options{.issuer = security_->issuer, .audience = security_->audience});
    options.service_kids = {"es256-1"};
    options.require_service_certificate = true;
    resolver_ = std::make_unique<authz::CallerResolver>(authz::CallerResolver::Tokens(std::move(options)));
    for (auto [name, tokens] : {std::pair{"ingestion", &ingestion_tokens_}, std::pair{"scoring", &scoring_tokens_}}) {
      *tokens = std::make_unique<authz::ServiceTokenSource>(authz::ServiceTokenSource::Options{
          .signing_key = *sign.Find("es256-1"), .subject = name, .issuer = security_->issuer, .audience = security_->audience});
    }
    ingestion_auth = [this](grpc::ClientContext& c) { return ingestion_tokens_->Attach(c); };
    scoring_auth = [this](grpc::ClientContext& c) { return scoring_tokens_->Attach(c); };
  } else {
    resolver_ = std::make_unique<authz::CallerResolver>(authz::CallerResolver::Development());
  }
  ingestion_gate_ = std::make_unique<authz::Gate>(*resolver_, *pool_, GateOptions("ingestion", ingestion::IngestionPolicy()));
  scoring_gate_ = std::make_unique<authz::Gate>(*resolver_, *pool_, GateOptions("scoring", scoring::ScoringPolicy()));
  planning_gate_ = std::make_unique<authz::Gate>(*resolver_, *pool_, GateOptions("planning", planning::PlanningPolicy()));

  planning_repository_ = std::make_unique<planning::PlanningRepository>(*pool_);
  planning_service_ = std::make_unique<planning::PlanningService>(*planning_repository_, *planning_gate_);
  planning_server_ = std::make_unique<Server>(ServerOptions("planning"), std::vector<grpc::Service*>{planning_service_.get()},
                                              std::vector<std::string>{"gaitkeeper.planning.v1.PlanningService"});
  if (!planning_server_->Start().ok()) std::abort();

  scoring_repository_ = std::make_unique<scoring::ScoringRepository>(*pool_);
  plan_handoff_ = std::make_unique<scoring::PlanningHandoff>(
      grpc::CreateChannel(target(planning_server_->port()), ChannelCredentials("scoring")), absl::Seconds(10), scoring_auth);
  plan_dispatcher_ = std::make_unique<outbox::Dispatcher>(
      *pool_,
      outbox::Dispatcher::Options{.topic = scoring::kPlanOnScoreTopic,
                                  .initial_backoff = absl::Milliseconds(20),
                                  .max_backoff = absl::Milliseconds(200)},
      [this](const std::string& payload) { return plan_handoff_->Deliver(payload); });
  scoring_service_ = std::make_unique<scoring::ScoringService>(*scoring_repository_, *scoring_gate_);
  if (absl::Status started = StartScoring(); !started.ok()) std::abort();

  ingestion_repository_ = std::make_unique<ingestion::IngestionRepository>(*pool_);
  handoff_ = std::make_unique<ingestion::ScoringHandoff>(
      grpc::CreateChannel(target(scoring_port_), ChannelCredentials("ingestion")), absl::Seconds(10), ingestion_auth);
  dispatcher_ = std::make_unique<outbox::Dispatcher>(
      *pool_,
      outbox::Dispatcher::Options{.topic = ingestion::kScoreSessionTopic,
                                  .initial_backoff = absl::Milliseconds(20),
                                  .max_backoff = absl::Milliseconds(200)},
      [this](const std::string& payload) { return handoff_->Deliver(payload); });
  ingestion_service_ = std::make_unique<ingestion::IngestionService>(*ingestion_repository_, *ingestion_gate_, nullptr);
  ingestion_server_ = std::make_unique<Server>(ServerOptions("ingestion"), std::vector<grpc::Service*>{ingestion_service_.get()},
                                               std::vector<std::string>{"gaitkeeper.ingestion.v1.IngestionService"});
  if (!ingestion_server_->Start().ok()) std::abort();

  // The clients: like the companion app, TLS without a client certificate.
  ingestion_stub_ = ingestion::v1::IngestionService::NewStub(
      grpc::CreateChannel(target(ingestion_server_->port()), ChannelCredentials("")));
  scoring_stub_ = scoring::v1::ScoringService::NewStub(grpc::CreateChannel(target(scoring_port_), ChannelCredentials("")));
  planning_stub_ = planning::v1::PlanningService::NewStub(
      grpc::CreateChannel(target(planning_server_->port()), ChannelCredentials("")));
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
  Server::Options options = ServerOptions("scoring");
  options.listen_address = Loopback(scoring_port_);  // port 0 the first time
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
