#include "services/common/service_config.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/logging.h"

namespace gaitkeeper {

void AddCommonFlags(Flags& flags, absl::string_view service, std::string default_listen) {
  const std::string prefix = absl::StrCat("GK_", absl::AsciiStrToUpper(service), "_");
  flags.AddString("listen", prefix + "LISTEN", std::move(default_listen),
                  "host:port to serve gRPC on (plaintext: keep it on loopback)");
  flags.AddString("database_url", "GK_DATABASE_URL", "",
                  "libpq URL of the database, connecting as the application role (required)");
  flags.AddInt("db_pool_size", prefix + "DB_POOL_SIZE", 8, 1, 256,
               "maximum open database connections");
  flags.AddInt("max_threads", prefix + "MAX_THREADS", 16, 2, 1024,
               "maximum gRPC handler threads (each may hold one database connection)");
  flags.AddInt("shutdown_grace_s", prefix + "SHUTDOWN_GRACE_S", 10, 0, 300,
               "seconds in-flight calls get to finish after SIGTERM/SIGINT");
  flags.AddChoice("log_level", "GK_LOG_LEVEL", "info", {"debug", "info", "warning", "error"},
                  "lowest level logged");
}

std::optional<int> ParseFlagsOrExit(Flags& flags, int argc, char** argv) {
  absl::Status status = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!status.ok()) {
    log::Error("bad_config", {{"error", status.message()}});
    return 2;
  }
  return std::nullopt;
}

absl::StatusOr<CommonConfig> ReadCommonConfig(const Flags& flags) {
  CommonConfig config;
  config.listen_address = flags.GetString("listen");
  if (config.listen_address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError("--listen must be host:port");
  }
  config.database_url = flags.GetString("database_url");
  if (config.database_url.empty()) {
    return absl::InvalidArgumentError("--database_url (env GK_DATABASE_URL) is required");
  }
  config.db_pool_size = static_cast<int>(flags.GetInt("db_pool_size"));
  config.max_threads = static_cast<int>(flags.GetInt("max_threads"));
  config.shutdown_grace = absl::Seconds(flags.GetInt("shutdown_grace_s"));
  log::Level level = log::Level::kInfo;
  log::ParseLevel(flags.GetString("log_level"), &level);
  log::SetMinLevel(level);
  return config;
}

std::optional<int> LoadConfigOrExit(Flags& flags, int argc, char** argv, CommonConfig* config) {
  if (std::optional<int> exit_code = ParseFlagsOrExit(flags, argc, argv)) return exit_code;
  absl::StatusOr<CommonConfig> read = ReadCommonConfig(flags);
  if (!read.ok()) {
    log::Error("bad_config", {{"error", read.status().message()}});
    return 2;
  }
  *config = std::move(*read);
  return std::nullopt;
}

}  // namespace gaitkeeper
