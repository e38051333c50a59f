#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"
#include "services/common/db_pool.h"

namespace gaitkeeper::outbox {

// Queues a message in the caller's transaction: it is delivered if and only if that transaction
// commits. Requires the pool to prepare "common/" queries.
void Enqueue(pqxx::work& tx, absl::string_view topic, const std::string& payload);

// Number of undelivered messages of a topic (for tests and status output).
absl::StatusOr<int64_t> CountPending(db::Pool& pool, absl::string_view topic);

// Delivers a topic's outbox messages at least once. Each pass leases due messages (so a crashed
// dispatcher's lease expires and another picks them up), calls `deliver` for each, and marks it
// delivered or schedules a retry with exponential backoff. Receivers must be idempotent.
class Dispatcher {
 public:
  using Deliver = std::function<absl::Status(const std::string& payload)>;

  struct Options {
    std::string topic;
    int batch_size = 16;
    absl::Duration poll_interval = absl::Milliseconds(500);
    absl::Duration lease = absl::Seconds(30);
    absl::Duration initial_backoff = absl::Milliseconds(500);
    absl::Duration max_backoff = absl::Seconds(30);
  };

  Dispatcher(db::Pool& pool, Options options, Deliver deliver);
  ~Dispatcher();

  // Starts the background loop.
  void Start();
  // Stops it and waits for the current pass to finish.
  void Stop();
  // Asks for a pass now (after a commit that enqueued something).
  void Wake();
  // One pass: returns how many messages were delivered.
  absl::StatusOr<int> RunOnce();

  // Backoff after `attempts` failed attempts: initial * 2^(attempts-1), capped.
  static absl::Duration Backoff(const Options& options, int attempts);

 private:
  void Loop();

  db::Pool& pool_;
  const Options options_;
  Deliver deliver_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace gaitkeeper::outbox
