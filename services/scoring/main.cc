// gaitkeeper-scoring: builds and wires the scoring service. Nothing else happens here.
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/outbox.h"
#include "services/scoring/planning_handoff.h"
#include "services/common/server.h"
#include "services/common/service_config.h"
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
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;

  db::Pool pool({.url = config.database_url, .size = config.db_pool_size, .query_prefixes = {"scoring/", "common/"}});
  scoring::ScoringRepository repository(pool);
  scoring::PlanningHandoff handoff(
      grpc::CreateChannel(flags.GetString("planning_address"), grpc::InsecureChannelCredentials()), absl::Seconds(30));
  outbox::Dispatcher dispatcher(pool,
                                {.topic = scoring::kPlanOnScoreTopic,
                                 .poll_interval = absl::Milliseconds(flags.GetInt("outbox_poll_ms"))},
                                [&handoff](const std::string& payload) { return handoff.Deliver(payload); });
  CallerResolver resolver(config.auth_mode);
  scoring::ScoringService service(repository, resolver);
  Server server({.listen_address = config.listen_address, .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace},
                {&service}, {"gaitkeeper.scoring.v1.ScoringService"});
  return ServeUntilSignal(server, [&dispatcher] { dispatcher.Start(); }, [&dispatcher] { dispatcher.Stop(); });
}
