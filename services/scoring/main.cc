// gaitkeeper-scoring: builds and wires the scoring service. Nothing else happens here.
#include "services/common/db_pool.h"
#include "services/common/logging.h"
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
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;

  db::Pool pool({.url = config.database_url, .size = config.db_pool_size, .query_prefixes = {"scoring/"}});
  scoring::ScoringRepository repository(pool);
  CallerResolver resolver(config.auth_mode);
  scoring::ScoringService service(repository, resolver);
  Server server({.listen_address = config.listen_address, .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace},
                {&service}, {"gaitkeeper.scoring.v1.ScoringService"});
  return ServeUntilSignal(server);
}
