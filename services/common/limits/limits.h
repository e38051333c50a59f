#pragma once

// Per-caller abuse limits shared by the services: a token-bucket request rate limiter and a cap on
// concurrent streams. The caller key is the authenticated identity ("athlete:<uuid>",
// "service:planning"); never key on anything the client can choose freely, or an abuser gets a
// fresh bucket per request.
//
// Refusals are ResourceExhausted statuses carrying a google.rpc.RetryInfo and a google.rpc.ErrorInfo
// reason ("RATE_LIMITED", "TOO_MANY_STREAMS"); ToGrpcStatus (services/common/status.h) sends
// both to the client in grpc-status-details-bin.

#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gaitkeeper::limits {

// ErrorInfo reasons attached to refusals.
inline constexpr char kRateLimitedReason[] = "RATE_LIMITED";
inline constexpr char kTooManyStreamsReason[] = "TOO_MANY_STREAMS";

// The RetryInfo delay attached to a StreamLimiter refusal.
inline constexpr absl::Duration kStreamRetryDelay = absl::Seconds(1);

// A token bucket per caller key. Each caller starts with a full bucket of `burst` tokens, which
// refills continuously at `tokens_per_second` up to `burst`.
//
// Implemented as GCRA (a "theoretical arrival time" per caller), which is exactly a token bucket
// but keeps one absl::Time per caller and does the bookkeeping in integer absl::Duration
// arithmetic, so refills with passed-in times are exact (a request at most 1 µs early is allowed,
// to absorb the rounding of cost / tokens_per_second into a Duration).
//
// Memory is bounded: at most `max_tracked_callers` buckets exist. When a new caller arrives at the
// bound, the fullest bucket is dropped: an idle (full) bucket loses nothing, and a partly-empty
// bucket is only forgotten (and so forgiven) when every tracked bucket is partly empty, and then
// the one closest to full goes first.
//
// Thread-safe. One mutex guards everything because the eviction order is global; the critical
// section is a hash lookup and an ordered-set update (O(log n)).
class RateLimiter {
 public:
  struct Options {
    double tokens_per_second = 0;  // > 0, finite
    double burst = 0;              // > 0, finite: the bucket size and the largest allowed cost
    size_t max_tracked_callers = 100000;  // >= 1
  };

  // OK when the options are usable; otherwise InvalidArgument naming the bad option. Call it at
  // start-up to fail fast; a limiter built from bad options refuses every Take.
  static absl::Status Validate(const Options& options);

  explicit RateLimiter(Options options);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes `cost` tokens from `caller`'s bucket as of `now` and returns OK when the bucket holds
  // at least `cost` tokens. Otherwise nothing is taken and the result is ResourceExhausted
  // ("rate limit: ... try again in N ms") carrying a RetryInfo whose retry_delay is the time
  // until the bucket holds `cost` tokens (rounded up to a millisecond) and an ErrorInfo reason
  // "RATE_LIMITED".
  //
  // Returns InvalidArgument (a programming error, not the caller's fault) when `cost` is negative,
  // not finite or larger than `burst` (it could never succeed), or when the options are invalid.
  // A cost of 0 is always OK and tracks nothing.
  //
  // `now` comes from the caller so tests are deterministic; pass absl::Now() in services. A `now`
  // earlier than a previous one is treated as the latest one seen (buckets do not refill until
  // time passes it again).
  absl::Status Take(absl::string_view caller, double cost, absl::Time now);

  // The number of callers with a bucket; never more than max_tracked_callers.
  size_t TrackedCallers() const;

 private:
  struct IndexEntry {
    absl::Time tat;
    const std::string* caller;  // the key inside buckets_ (node_hash_map keys do not move)
  };
  struct IndexOrder {
    bool operator()(const IndexEntry& a, const IndexEntry& b) const;
  };
  using Index = std::set<IndexEntry, IndexOrder>;
  struct Bucket {
    // The theoretical arrival time: the bucket is full at or after `tat`; at an earlier `now`
    // it lacks (tat - now) * tokens_per_second tokens.
    absl::Time tat;
    Index::iterator position;  // this bucket's entry in index_
  };

  absl::Duration DurationOf(double tokens) const;
  void EvictFullestLocked();  // mu_ held

  const Options options_;
  const absl::Status options_status_;
  const absl::Duration capacity_;  // burst expressed as refill time

  mutable std::mutex mu_;  // guards the three members below
  // The latest `now` seen; an earlier `now` is treated as this one.
  absl::Time latest_now_ = absl::InfinitePast();
  absl::node_hash_map<std::string, Bucket> buckets_;
  // Buckets ordered by tat: the first is the fullest, the eviction candidate.
  Index index_;
};

// At most `max_per_caller` concurrent streams per caller key. Thread-safe; a caller with no open
// stream takes no memory.
class StreamLimiter {
 public:
  // A held stream slot, released when the Permit is destroyed (or assigned over). Move-only; a
  // moved-from or default-constructed Permit holds nothing. The StreamLimiter must outlive its
  // Permits.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

    // True while this Permit holds a slot.
    bool held() const { return limiter_ != nullptr; }

   private:
    friend class StreamLimiter;
    Permit(StreamLimiter* limiter, std::string caller)
        : limiter_(limiter), caller_(std::move(caller)) {}
    void Release();

    StreamLimiter* limiter_ = nullptr;
    std::string caller_;
  };

  // `max_per_caller` must be >= 1; a limiter built with less refuses every Enter with
  // InvalidArgument.
  explicit StreamLimiter(int max_per_caller);

  StreamLimiter(const StreamLimiter&) = delete;
  StreamLimiter& operator=(const StreamLimiter&) = delete;

  // Takes a stream slot for `caller`. Returns ResourceExhausted with an ErrorInfo reason
  // "TOO_MANY_STREAMS" and a RetryInfo of kStreamRetryDelay when `caller` already holds
  // max_per_caller slots.
  absl::StatusOr<Permit> Enter(absl::string_view caller);

  // The slots `caller` holds now.
  int ActiveStreams(absl::string_view caller) const;

  // The number of callers holding at least one slot.
  size_t TrackedCallers() const;

 private:
  void Release(const std::string& caller);

  const int max_per_caller_;
  mutable std::mutex mu_;  // guards active_
  absl::flat_hash_map<std::string, int> active_;
};

// The retry_delay of the google.rpc.RetryInfo attached to `status` (by the limiters above, or by
// FromGrpcStatus from a server's reply), or nullopt when there is none or it does not parse.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// Attaches a google.rpc.RetryInfo{retry_delay = delay} to a non-OK status (OK is returned as is).
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

}  // namespace gaitkeeper::limits
