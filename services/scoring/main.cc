// gaitkeeper-scoring: builds and wires the scoring service. Nothing else happens here.
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/scoring/planning_handoff.h"
#include "services/common/server.h"
#include "services/common/authz/security_config.h"
#include "services/common/service_config.h"
#include "services/scoring/scoring_policy.h"
#include "services/scoring/scoring_repository.h"
#include "services/scoring/scoring_service.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  BlockShutdownSignals();
  log::SetService("scoring");
  Flags flags("gaitkeeper-scoring");
  AddCommonFlags(flags, "scoring", "127.0.0.1:50052");
  flags.AddString("planning_address", "GK_PLANNING_ADDRESS", "127.0.0.1:50053",
                  "host:port of the planning service (new scores are handed to it)");
  flags.AddInt("outbox_poll_ms", "GK_SCORING_OUTBOX_POLL_MS", 500, 10, 60000,
               "how often undelivered planning hand-offs are retried at the least");
  authz::AddSecurityFlags(flags, "scoring");
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;
  authz::SecurityConfig security;
  if (std::optional<int> exit_code = authz::LoadSecurityOrExit(flags, "scoring", config.listen_address,
                                                               /*calls_other_services=*/true, &security)) {
    return *exit_code;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> planning_channel =
      authz::ChannelTo(security, flags.GetString("planning_address"));
  if (!planning_channel.ok()) {
    log::Error("bad_config", {{"error", planning_channel.status().message()}});
    return 2;
  }

  db::Pool pool({.url = config.database_url, .size = config.db_pool_size, .query_prefixes = {"scoring/", "common/"}});
  scoring::ScoringRepository repository(pool);
  outbox::Authenticate authenticate;
  if (security.service_tokens != nullptr) {
    authenticate = [&security](grpc::ClientContext& c) { return security.service_tokens->Attach(c); };
  }
  scoring::PlanningHandoff handoff(*planning_channel, absl::Seconds(30), authenticate);
  outbox::Dispatcher dispatcher(pool,
                                {.topic = scoring::kPlanOnScoreTopic,
                                 .poll_interval = absl::Milliseconds(flags.GetInt("outbox_poll_ms"))},
                                [&handoff](const std::string& payload) { return handoff.Deliver(payload); });
  authz::Gate::Options gate_options = security.gate;
  gate_options.service = "scoring";
  gate_options.policy = scoring::ScoringPolicy();
  authz::Gate gate(*security.resolver, pool, gate_options);
  scoring::ScoringService service(repository, gate);
  Server server({.listen_address = config.listen_address, .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace, .credentials = security.server_credentials},
                {&service}, {"gaitkeeper.scoring.v1.ScoringService"});
  return ServeUntilSignal(server, [&dispatcher] { dispatcher.Start(); }, [&dispatcher] { dispatcher.Stop(); },
                          authz::KeyReloader(security));
}
