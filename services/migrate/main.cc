// gaitkeeper-migrate: applies db/migrations (embedded) to a database. Connect as the schema owner.
#include <cstdio>

#include "services/common/flags.h"
#include "services/common/logging.h"
#include "services/common/migrator.h"

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  log::SetService("migrate");
  Flags flags("gaitkeeper-migrate");
  flags.AddString("database_url", "GK_MIGRATE_DATABASE_URL", "",
                  "libpq URL of the database, connecting as the schema owner (required)");
  absl::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (parsed.ok() && flags.GetString("database_url").empty()) {
    parsed = absl::InvalidArgumentError("--database_url (env GK_MIGRATE_DATABASE_URL) is required");
  }
  if (!parsed.ok()) {
    log::Error("bad_config", {{"error", parsed.message()}});
    return 2;
  }
  absl::StatusOr<db::MigrationReport> report = db::Migrate(flags.GetString("database_url"));
  if (!report.ok()) {
    log::Error("migrate_failed", {{"error", report.status().ToString()}});
    return 1;
  }
  log::Info("migrate_done", {{"applied", report->applied}, {"version", report->current_version}});
  return 0;
}
