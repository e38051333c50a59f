#include "services/common/db_pool.h"

#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "services/common/logging.h"

namespace gaitkeeper::db {

namespace {
thread_local Scope current_scope;
}  // namespace

const Scope& CurrentScope() { return current_scope; }

ScopeGuard::ScopeGuard(Scope scope) : previous_(std::move(current_scope)) {
  current_scope = std::move(scope);
}

ScopeGuard::~ScopeGuard() { current_scope = std::move(previous_); }

void ApplyScope(pqxx::work& tx) {
  if (current_scope.empty()) return;
  tx.exec_prepared(query::kCommonSetScope, current_scope.athlete_id, current_scope.clinic_id);
}

Pool::Lease::Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

Pool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

Pool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->Release(std::move(connection_), broken_);
}

Pool::Pool(Options options) : options_(std::move(options)) {}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    const bool ready = available_.wait_for(
        lock, absl::ToChronoNanoseconds(options_.acquire_timeout),
        [this] { return !idle_.empty() || open_ < options_.size; });
    if (!ready) {
      return absl::UnavailableError("all database connections are busy; try again");
    }
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserve a slot, then connect without holding the lock
  }
  try {
    auto connection = std::make_unique<pqxx::connection>(options_.url);
    for (const NamedQuery& query : Queries()) {
      for (const std::string& prefix : options_.query_prefixes) {
        if (query.name.substr(0, prefix.size()) == prefix) {
          connection->prepare(std::string(query.name), std::string(query.sql));
          break;
        }
      }
    }
    return Lease(this, std::move(connection));
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --open_;
    }
    available_.notify_one();
    // libpq's message names host and reason, never a password (URLs in config carry none in logs).
    log::Warning("db_connect_failed", {{"error", std::string(e.what()).substr(0, 200)}});
    return absl::UnavailableError("database unavailable");
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> connection, bool broken) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (broken || !connection->is_open()) {
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  available_.notify_one();
}

absl::Status StatusFromCurrentException(absl::string_view what, bool* broken_connection) {
  *broken_connection = false;
  try {
    throw;
  } catch (const pqxx::broken_connection&) {
    *broken_connection = true;
    log::Warning("db_connection_lost", {{"operation", what}});
    return absl::UnavailableError("database connection lost");
  } catch (const pqxx::in_doubt_error&) {
    *broken_connection = true;
    log::Error("db_commit_in_doubt", {{"operation", what}});
    return absl::UnavailableError("database connection lost during commit; outcome unknown, retry with the same request_id");
  } catch (const pqxx::unique_violation&) {
    return absl::AlreadyExistsError(absl::StrCat(what, ": already exists"));
  } catch (const pqxx::foreign_key_violation&) {
    return absl::NotFoundError(absl::StrCat(what, ": a referenced resource does not exist"));
  } catch (const pqxx::check_violation&) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": a value is out of range"));
  } catch (const pqxx::transaction_rollback&) {
    // Serialization failures and deadlocks: the transaction was rolled back; a retry can succeed.
    return absl::AbortedError(absl::StrCat(what, ": concurrent change, retry"));
  } catch (const pqxx::data_exception& e) {
    log::Warning("db_data_exception", {{"operation", what}, {"sqlstate", e.sqlstate()}});
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid value"));
  } catch (const pqxx::sql_error& e) {
    log::Error("db_sql_error", {{"operation", what}, {"sqlstate", e.sqlstate()}});
    return absl::InternalError(absl::StrCat(what, ": database error"));
  } catch (const std::exception& e) {
    log::Error("db_error", {{"operation", what}, {"error", std::string(e.what()).substr(0, 200)}});
    return absl::InternalError(absl::StrCat(what, ": database error"));
  }
}

}  // namespace gaitkeeper::db
