// gaitkeeper-planning: builds and wires the planning service. Nothing else happens here.
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/server.h"
#include "services/common/service_config.h"
#include "services/planning/planning_repository.h"
#include "services/planning/planning_service.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  BlockShutdownSignals();
  log::SetService("planning");

  Flags flags("gaitkeeper-planning");
  AddCommonFlags(flags, "planning", "127.0.0.1:50053");
  if (std::optional<int> exit_code = ParseFlagsOrExit(flags, argc, argv)) return *exit_code;
  absl::StatusOr<CommonConfig> config = ReadCommonConfig(flags);
  if (!config.ok()) {
    log::Error("bad_config", {{"error", config.status().message()}});
    return 2;
  }

  db::Pool pool({.url = config->database_url, .size = config->db_pool_size, .query_prefixes = {"planning/"}});
  planning::PlanningRepository repository(pool);
  CallerResolver resolver(config->auth_mode);
  planning::PlanningService service(repository, resolver);

  Server server({.listen_address = config->listen_address,
                 .max_threads = config->max_threads,
                 .shutdown_grace = config->shutdown_grace},
                {&service}, {"gaitkeeper.planning.v1.PlanningService"});
  if (absl::Status started = server.Start(); !started.ok()) {
    log::Error("start_failed", {{"error", started.message()}});
    return 1;
  }
  const int signal = WaitForShutdownSignal();
  log::Info("shutdown_requested", {{"signal", signal}});
  server.Shutdown();
  return 0;
}
