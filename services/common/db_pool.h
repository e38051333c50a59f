#pragma once

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"
#include "services/common/pagination.h"

namespace gaitkeeper::db {

// A bounded pool of PostgreSQL connections. pqxx connections are single-threaded: a Lease gives
// one thread exclusive use of one connection until the Lease is destroyed. Connections are opened
// lazily (a service starts even while the database is still coming up) and every embedded query
// of db/queries is prepared on each new connection under its name.
class Pool {
 public:
  struct Options {
    std::string url;
    int size = 8;
    // How long Acquire waits for a free connection before answering Unavailable.
    absl::Duration acquire_timeout = absl::Seconds(5);
    // Queries of db/queries whose name starts with one of these ("ingestion/", "common/") are
    // prepared on every new connection.
    std::vector<std::string> query_prefixes;
  };

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& connection() { return *connection_; }
    // The connection failed: close it instead of returning it to the pool.
    void MarkBroken() { broken_ = true; }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection);
    Pool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  explicit Pool(Options options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Returns a connection, opening one if fewer than `size` exist. Unavailable when the database
  // cannot be reached or no connection frees up within acquire_timeout.
  absl::StatusOr<Lease> Acquire();

  int size() const { return options_.size; }

 private:
  void Release(std::unique_ptr<pqxx::connection> connection, bool broken);

  const Options options_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // idle + leased + being opened
};

// The tenancy scope of the database work of the current thread (migration 0006, docs/SECURITY.md):
// which athlete and/or clinic the running RPC was authorised for. The authorization gate sets it
// for the duration of one call with a ScopeGuard; every transaction RunInTransaction opens on the
// thread starts by setting it (local to the transaction). Row-level security hides and refuses
// every athlete row outside it; with no scope no athlete row is visible at all.
struct Scope {
  std::string athlete_id;  // "" = none
  std::string clinic_id;   // "" = none
  bool empty() const { return athlete_id.empty() && clinic_id.empty(); }
};

const Scope& CurrentScope();

// Sets the current thread's scope until destroyed (then restores the previous one).
class ScopeGuard {
 public:
  explicit ScopeGuard(Scope scope);
  ~ScopeGuard();
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  Scope previous_;
};

// Applies CurrentScope() to `tx` (nothing when empty). Called by RunInTransaction.
void ApplyScope(pqxx::work& tx);

// Runs `body(pqxx::work&)` in a transaction on a pooled connection and commits when it returns an
// OK status. pqxx exceptions never escape: broken connections become Unavailable (retried once
// when nothing was committed), unique violations AlreadyExists, check violations
// InvalidArgument, serialization failures and deadlocks Aborted, anything else Internal. `what` names the
// operation in logs; statement parameters are never logged.
template <typename T, typename Body>
absl::StatusOr<T> RunInTransaction(Pool& pool, absl::string_view what, Body&& body);

// Maps the pqxx exception currently being handled to a status (call inside catch).
absl::Status StatusFromCurrentException(absl::string_view what, bool* broken_connection);

template <typename T, typename Body>
absl::StatusOr<T> RunInTransaction(Pool& pool, absl::string_view what, Body&& body) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Pool::Lease> lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    bool broken = false;
    bool committing = false;
    absl::Status failure;
    try {
      pqxx::work tx(lease->connection());
      ApplyScope(tx);
      absl::StatusOr<T> result = body(tx);
      if (!result.ok()) return result.status();  // tx aborts in its destructor
      committing = true;
      tx.commit();
      return result;
    } catch (...) {
      failure = StatusFromCurrentException(what, &broken);
    }
    if (broken) lease->MarkBroken();
    // Retry once on a dropped connection, but never when the commit itself may have happened.
    if (!broken || committing || attempt >= 1) return failure;
  }
}

// Reads a nullable column.
template <typename T>
std::optional<T> Optional(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

// Binary parameter / column helpers (bytea).
inline pqxx::binarystring Bytes(const std::string& data) {
  return pqxx::binarystring(data.data(), data.size());
}
inline std::string BytesOf(const pqxx::field& field) {
  pqxx::binarystring b(field);
  return std::string(b.get(), b.size());
}

// Keyset pages (services/common/pagination.h) are read with LIMIT page_size + 1: the extra row
// only tells that another page exists. PageRows is how many rows belong to this page;
// NextPageCursor is the cursor after its last row (`key_column`, then "id") when another page
// exists, else nullopt.
inline int PageRows(const pqxx::result& rows, int page_size) {
  return std::min(static_cast<int>(rows.size()), page_size);
}
inline std::optional<pagination::Cursor> NextPageCursor(const pqxx::result& rows, int page_size,
                                                         const char* key_column) {
  if (static_cast<int>(rows.size()) <= page_size || page_size <= 0) return std::nullopt;
  const pqxx::row last = rows[page_size - 1];
  return pagination::Cursor{last[key_column].c_str(), last["id"].c_str()};
}

}  // namespace gaitkeeper::db

// std::optional<T> parameters are SQL NULL when empty: libpqxx 6.4 supports optional-like types
// itself (pqxx/internal/type_utils.hxx).
