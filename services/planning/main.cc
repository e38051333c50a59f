// gaitkeeper-planning: builds and wires the planning service. Nothing else happens here.
#include "services/common/db_pool.h"
#include "services/common/logging.h"
#include "services/common/server.h"
#include "services/common/authz/security_config.h"
#include "services/common/service_config.h"
#include "services/planning/planning_policy.h"
#include "services/planning/planning_repository.h"
#include "services/planning/planning_service.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  BlockShutdownSignals();
  log::SetService("planning");
  Flags flags("gaitkeeper-planning");
  AddCommonFlags(flags, "planning", "127.0.0.1:50053");
  authz::AddSecurityFlags(flags, "planning");
  CommonConfig config;
  if (std::optional<int> exit_code = LoadConfigOrExit(flags, argc, argv, &config)) return *exit_code;
  authz::SecurityConfig security;
  if (std::optional<int> exit_code = authz::LoadSecurityOrExit(flags, "planning", config.listen_address,
                                                               /*calls_other_services=*/false, &security)) {
    return *exit_code;
  }

  db::Pool pool({.url = config.database_url, .size = config.db_pool_size, .query_prefixes = {"planning/", "common/"}});
  planning::PlanningRepository repository(pool);
  authz::Gate::Options gate_options = security.gate;
  gate_options.service = "planning";
  gate_options.policy = planning::PlanningPolicy();
  authz::Gate gate(*security.resolver, pool, gate_options);
  planning::PlanningService service(repository, gate);
  Server server({.listen_address = config.listen_address, .max_threads = config.max_threads,
                 .shutdown_grace = config.shutdown_grace, .credentials = security.server_credentials},
                {&service}, {"gaitkeeper.planning.v1.PlanningService"});
  return ServeUntilSignal(server, {}, {}, authz::KeyReloader(security));
}
