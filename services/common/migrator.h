#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace gaitkeeper::db {

struct MigrationReport {
  int applied = 0;         // migrations applied by this run
  int current_version = 0; // highest version recorded after the run
};

// Applies the embedded db/migrations in order, each in its own transaction together with its
// row in schema_migrations. Safe to run twice (applied versions are skipped) and concurrently
// (a session advisory lock serialises migrators). Fails with FailedPrecondition when a recorded
// migration's text differs from the embedded one (merged migrations are never edited) or when
// the application role gaitkeeper_app does not exist. `url` must connect as the schema owner.
absl::StatusOr<MigrationReport> Migrate(const std::string& url);

}  // namespace gaitkeeper::db
