// gaitkeeper-ingestion: builds and wires the ingestion service. Nothing else happens here.
#include <memory>

#include "grpcpp/grpcpp.h"
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/common/server.h"
#include "services/common/service_config.h"
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
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;

  db::Pool pool({.url = config.database_url,
                 .size = config.db_pool_size,
                 .query_prefixes = {"ingestion/", "common/"}});
  ingestion::IngestionRepository repository(pool);
  ingestion::ScoringHandoff handoff(
      grpc::CreateChannel(flags.GetString("scoring_address"), grpc::InsecureChannelCredentials()),
      absl::Seconds(30));
  outbox::Dispatcher dispatcher(
      pool,
      {.topic = ingestion::kScoreSessionTopic,
       .poll_interval = absl::Milliseconds(flags.GetInt("outbox_poll_ms"))},
      [&handoff](const std::string& payload) { return handoff.Deliver(payload); });
  CallerResolver resolver(config.auth_mode);
  ingestion::IngestionService service(repository, resolver, [&dispatcher] { dispatcher.Wake(); });

  Server server({.listen_address = config.listen_address,
                 .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace},
                {&service}, {"gaitkeeper.ingestion.v1.IngestionService"});
  return ServeUntilSignal(server, [&dispatcher] { dispatcher.Start(); }, [&dispatcher] { dispatcher.Stop(); });
}
