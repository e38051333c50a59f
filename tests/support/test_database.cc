#include "tests/support/test_database.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <random>

#include "absl/strings/str_cat.h"
#include "pqxx/pqxx"
#include "services/common/migrator.h"

namespace gaitkeeper::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string Url(const std::string& user, const std::string& password, const std::string& port,
                const std::string& db) {
  return absl::StrCat("postgresql://", user, ":", password, "@127.0.0.1:", port, "/", db);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  const std::string port = Env("GK_PG_PORT");
  const std::string admin_pw = Env("GK_PG_ADMIN_PASSWORD");
  if (port.empty() || admin_pw.empty()) return absl::UnavailableError("GK_PG_PORT / GK_PG_ADMIN_PASSWORD not set");
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  std::mt19937_64 rng{std::random_device{}()};
  db->name_ = absl::StrCat("gk_test_", getpid(), "_", rng() % 1000000);
  db->admin_url_ = Url("gaitkeeper_admin", admin_pw, port, "postgres");
  db->owner_url_ = Url("gaitkeeper_owner", Env("GK_PG_OWNER_PASSWORD"), port, db->name_);
  db->app_url_ = Url("gaitkeeper_app", Env("GK_PG_APP_PASSWORD"), port, db->name_);
  try {
    pqxx::connection admin(db->admin_url_);
    pqxx::nontransaction tx(admin);
    // Identifiers cannot be parameters; the name is generated above from digits only.
    tx.exec(absl::StrCat("CREATE DATABASE ", tx.quote_name(db->name_), " OWNER gaitkeeper_owner"));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot create test database: ", e.what()));
  }
  absl::StatusOr<db::MigrationReport> migrated = db::Migrate(db->owner_url_);
  if (!migrated.ok()) return migrated.status();
  return db;
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec(absl::StrCat("DROP DATABASE IF EXISTS ", tx.quote_name(name_), " WITH (FORCE)"));
  } catch (const std::exception& e) {
    std::cerr << "could not drop test database " << name_ << ": " << e.what() << "\n";
  }
}

TestDatabase* TestDatabase::Shared() {
  static std::once_flag once;
  static std::unique_ptr<TestDatabase> shared;
  std::call_once(once, [] {
    absl::StatusOr<std::unique_ptr<TestDatabase>> created = Create();
    if (created.ok()) {
      shared = std::move(*created);
      std::atexit([] { shared.reset(); });
    } else {
      std::cerr << "[ test database unavailable: " << created.status() << " ]\n";
    }
  });
  return shared.get();
}

}  // namespace gaitkeeper::testing
