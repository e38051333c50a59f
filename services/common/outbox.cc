#include "services/common/outbox.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "services/common/logging.h"

namespace gaitkeeper::outbox {
namespace {
struct Leased {
  int64_t id;
  std::string payload;
  int attempts;
};
}  // namespace

void Enqueue(pqxx::work& tx, absl::string_view topic, const std::string& payload) {
  tx.exec_prepared(db::query::kCommonInsertOutbox, std::string(topic), db::Bytes(payload));
}

absl::StatusOr<int64_t> CountPending(db::Pool& pool, absl::string_view topic) {
  return db::RunInTransaction<int64_t>(pool, "count_outbox", [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
    return tx.exec_prepared1(db::query::kCommonCountPendingOutbox, std::string(topic))[0].as<int64_t>();
  });
}

Dispatcher::Dispatcher(db::Pool& pool, Options options, Deliver deliver)
    : pool_(pool), options_(std::move(options)), deliver_(std::move(deliver)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

absl::Duration Dispatcher::Backoff(const Options& options, int attempts) {
  absl::Duration backoff = options.initial_backoff;
  for (int i = 1; i < attempts && backoff < options.max_backoff; ++i) backoff *= 2;
  return std::min(backoff, options.max_backoff);
}

absl::StatusOr<int> Dispatcher::RunOnce() {
  absl::StatusOr<std::vector<Leased>> leased = db::RunInTransaction<std::vector<Leased>>(
      pool_, "claim_outbox", [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Leased>> {
        std::vector<Leased> out;
        for (const auto& row : tx.exec_prepared(db::query::kCommonClaimOutbox, options_.topic,
                                                options_.batch_size,
                                                absl::ToDoubleSeconds(options_.lease))) {
          out.push_back({row["id"].as<int64_t>(), db::BytesOf(row["payload"]),
                         row["attempts"].as<int>()});
        }
        return out;
      });
  if (!leased.ok()) return leased.status();
  int delivered = 0;
  for (const Leased& message : *leased) {
    absl::Status result = deliver_(message.payload);
    absl::StatusOr<bool> marked = db::RunInTransaction<bool>(
        pool_, "mark_outbox", [&](pqxx::work& tx) -> absl::StatusOr<bool> {
          if (result.ok()) {
            tx.exec_prepared(db::query::kCommonMarkOutboxDelivered, message.id);
          } else {
            tx.exec_prepared(db::query::kCommonMarkOutboxFailed, message.id,
                             absl::ToDoubleSeconds(Backoff(options_, message.attempts)),
                             absl::StrCat(absl::StatusCodeToString(result.code()), ": ",
                                          result.message().substr(0, 200)));
          }
          return true;
        });
    if (result.ok()) {
      ++delivered;
      log::Info("outbox_delivered", {{"topic", options_.topic}, {"id", message.id},
                                     {"attempts", message.attempts}});
    } else {
      log::Warning("outbox_delivery_failed",
                   {{"topic", options_.topic}, {"id", message.id}, {"attempts", message.attempts},
                    {"code", absl::StatusCodeToString(result.code())}});
    }
    // Not marked: the lease expires and the message is tried again (at least once).
    if (!marked.ok()) return marked.status();
  }
  return delivered;
}

void Dispatcher::Loop() {
  log::Info("outbox_dispatcher_started", {{"topic", options_.topic}});
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stop_) break;
    }
    absl::StatusOr<int> delivered = RunOnce();
    bool more = delivered.ok() && *delivered >= options_.batch_size;
    std::unique_lock<std::mutex> lock(mu_);
    if (!more) {
      wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.poll_interval),
                     [this] { return stop_ || woken_; });
    }
    woken_ = false;
  }
  log::Info("outbox_dispatcher_stopped", {{"topic", options_.topic}});
}

}  // namespace gaitkeeper::outbox
