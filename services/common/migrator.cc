#include "services/common/migrator.h"

#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "pqxx/pqxx"
#include "services/common/logging.h"

namespace gaitkeeper::db {
namespace {

std::string QueryText(absl::string_view name) {
  for (const NamedQuery& q : Queries()) {
    if (q.name == name) return std::string(q.sql);
  }
  return {};
}

absl::StatusOr<MigrationReport> MigrateLocked(pqxx::connection& conn) {
  {
    pqxx::work tx(conn);
    if (tx.exec_params(QueryText(query::kMigrateAppRoleExists)).empty()) {
      return absl::FailedPreconditionError(
          "role gaitkeeper_app does not exist; create it first (scripts/pg.sh does)");
    }
    tx.exec(QueryText(query::kMigrateCreateSchemaMigrations));
    tx.commit();
  }
  MigrationReport report;
  for (const Migration& migration : Migrations()) {
    pqxx::work tx(conn);
    pqxx::result applied = tx.exec_params(QueryText(query::kMigrateAppliedMigrations),
                                          std::string(migration.sql), migration.version);
    if (!applied.empty()) {
      if (!applied[0]["same_text"].as<bool>()) {
        return absl::FailedPreconditionError(
            absl::StrCat("migration ", migration.name,
                         " differs from the one applied to this database; merged migrations are "
                         "never edited: add a new one"));
      }
      continue;
    }
    tx.exec(std::string(migration.sql));
    tx.exec_params(QueryText(query::kMigrateRecordMigration), migration.version,
                   std::string(migration.name), std::string(migration.sql));
    tx.commit();
    ++report.applied;
    log::Info("migration_applied", {{"version", migration.version}, {"name", migration.name}});
  }
  pqxx::work tx(conn);
  report.current_version = tx.exec_params(QueryText(query::kMigrateMaxVersion))[0][0].as<int>();
  tx.commit();
  return report;
}

}  // namespace

absl::StatusOr<MigrationReport> Migrate(const std::string& url) {
  try {
    pqxx::connection conn(url);
    pqxx::nontransaction(conn).exec(QueryText(query::kMigrateLock));
    absl::StatusOr<MigrationReport> report;
    try {
      report = MigrateLocked(conn);
    } catch (...) {
      pqxx::nontransaction(conn).exec(QueryText(query::kMigrateUnlock));
      throw;
    }
    pqxx::nontransaction(conn).exec(QueryText(query::kMigrateUnlock));
    return report;
  } catch (const pqxx::sql_error& e) {
    // A migration's own SQL failed: its transaction rolled back, nothing half-applied.
    return absl::InternalError(absl::StrCat("migration failed (sqlstate ", e.sqlstate(), "): ",
                                            std::string(e.what()).substr(0, 300)));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot migrate: ", e.what()));
  }
}

}  // namespace gaitkeeper::db
