#pragma once

#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/common/flags.h"

namespace gaitkeeper {

// Configuration every service binary shares. Flags win over environment variables
// (GK_<SERVICE>_LISTEN, GK_DATABASE_URL, ...), which win over defaults.
struct CommonConfig {
  std::string listen_address;
  std::string database_url;
  int db_pool_size = 8;
  int max_threads = 16;
  absl::Duration shutdown_grace = absl::Seconds(10);
};

// Declares --listen, --database_url, --db_pool_size, --max_threads, --shutdown_grace_s,
// --log_level. Security flags (tokens, TLS, limits): authz/security_config.h. `service` is "ingestion" etc. (env GK_INGESTION_LISTEN).
void AddCommonFlags(Flags& flags, absl::string_view service, std::string default_listen);

// Parses argv and the environment. Returns an exit code when the program should stop now
// (--help: 0; a bad or missing value: 2, after logging what is wrong), nullopt to go on.
std::optional<int> ParseFlagsOrExit(Flags& flags, int argc, char** argv);

// Reads and checks the common values (e.g. a database URL is required). Also applies
// --log_level.
absl::StatusOr<CommonConfig> ReadCommonConfig(const Flags& flags);

// ParseFlagsOrExit + ReadCommonConfig: fills *config, or returns the exit code to stop with.
std::optional<int> LoadConfigOrExit(Flags& flags, int argc, char** argv, CommonConfig* config);

}  // namespace gaitkeeper
