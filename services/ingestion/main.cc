// gaitkeeper-ingestion: builds and wires the ingestion service. Nothing else happens here.
#include <memory>

#include "grpcpp/grpcpp.h"
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/common/server.h"
#include "services/common/authz/security_config.h"
#include "services/common/service_config.h"
#include "services/ingestion/ingestion_policy.h"
#include "services/ingestion/ingestion_repository.h"
#include "services/ingestion/ingestion_service.h"
#include "services/ingestion/scoring_handoff.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  BlockShutdownSignals();
  log::SetService("ingestion");

  Flags flags("gaitkeeper-ingestion");
  AddCommonFlags(flags, "ingestion", "127.0.0.1:50051");
  flags.AddString("scoring_address", "GK_SCORING_ADDRESS", "127.0.0.1:50052",
                  "host:port of the scoring service (completed sessions are handed to it)");
  flags.AddInt("outbox_poll_ms", "GK_INGESTION_OUTBOX_POLL_MS", 500, 10, 60000,
               "how often undelivered scoring hand-offs are retried at the least");
  authz::AddSecurityFlags(flags, "ingestion");
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;
  authz::SecurityConfig security;
  if (std::optional<int> exit_code = authz::LoadSecurityOrExit(flags, "ingestion", config.listen_address,
                                                               /*calls_other_services=*/true, &security)) {
    return *exit_code;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> scoring_channel =
      authz::ChannelTo(security, flags.GetString("scoring_address"));
  if (!scoring_channel.ok()) {
    log::Error("bad_config", {{"error", scoring_channel.status().message()}});
    return 2;
  }

  db::Pool pool({.url = config.database_url,
                 .size = config.db_pool_size,
                 .query_prefixes = {"ingestion/", "common/"}});
  ingestion::IngestionRepository repository(pool);
  outbox::Authenticate authenticate;
  if (security.service_tokens != nullptr) {
    authenticate = [&security](grpc::ClientContext& c) { return security.service_tokens->Attach(c); };
  }
  ingestion::ScoringHandoff handoff(*scoring_channel, absl::Seconds(30), authenticate);
  outbox::Dispatcher dispatcher(
      pool,
      {.topic = ingestion::kScoreSessionTopic,
       .poll_interval = absl::Milliseconds(flags.GetInt("outbox_poll_ms"))},
      [&handoff](const std::string& payload) { return handoff.Deliver(payload); });
  authz::Gate::Options gate_options = security.gate;
  gate_options.service = "ingestion";
  gate_options.policy = ingestion::IngestionPolicy();
  authz::Gate gate(*security.resolver, pool, gate_options);
  ingestion::IngestionService service(repository, gate, [&dispatcher] { dispatcher.Wake(); });

  Server server({.listen_address = config.listen_address,
                 .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace,
                 .credentials = security.server_credentials},
                {&service}, {"gaitkeeper.ingestion.v1.IngestionService"});
  return ServeUntilSignal(server, [&dispatcher] { dispatcher.Start(); }, [&dispatcher] { dispatcher.Stop(); },
                          authz::KeyReloader(security));
}
