#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace gaitkeeper::testing {

// A fresh database in the private PostgreSQL started by scripts/test.sh, migrated as the schema
// owner and dropped at the end. Reads GK_PG_PORT and the role passwords exported by the script.
class TestDatabase {
 public:
  // Creates gk_test_<pid>_<random> and migrates it. Unavailable when the environment names no
  // cluster (see Require()).
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();

  // The application role (what services connect as) and the schema owner.
  const std::string& app_url() const { return app_url_; }
  const std::string& owner_url() const { return owner_url_; }
  const std::string& name() const { return name_; }

  // The process-wide database of this test binary, created on first use. When no cluster is
  // configured the test is skipped with a visible message, unless GK_TEST_REQUIRE_DB=1
  // (scripts/test.sh sets it), in which case it fails.
  static TestDatabase* Shared();

 private:
  TestDatabase() = default;
  std::string name_;
  std::string admin_url_;
  std::string app_url_;
  std::string owner_url_;
};

}  // namespace gaitkeeper::testing

// Use at the top of a test: skips or fails (see TestDatabase::Shared) when no database exists.
#define GK_REQUIRE_DATABASE(db)                                                          \
  ::gaitkeeper::testing::TestDatabase* db = ::gaitkeeper::testing::TestDatabase::Shared(); \
  if (db == nullptr) {                                                                   \
    if (std::getenv("GK_TEST_REQUIRE_DB") != nullptr) FAIL() << "no test database";      \
    GTEST_SKIP() << "no PostgreSQL configured (run ./scripts/test.sh): skipped";         \
  }
