#include "services/common/limits/limits.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "services/common/status.h"

namespace gaitkeeper::limits {
namespace {

// Durations come from doubles (cost / rate), so a bucket refilled for exactly the right time can
// be a few quarter-nanoseconds short; a request at most this early is allowed.
constexpr absl::Duration kTolerance = absl::Microseconds(1);

// google.protobuf.Duration holds at most 10,000 years.
constexpr int64_t kMaxProtoDurationSeconds = 315576000000;

std::string RetryInfoTypeUrl() {
  return absl::StrCat("type.googleapis.com/", google::rpc::RetryInfo::descriptor()->full_name());
}

}  // namespace

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  delay = std::clamp(delay, absl::ZeroDuration(), absl::Seconds(kMaxProtoDurationSeconds));
  const int64_t seconds = absl::IDivDuration(delay, absl::Seconds(1), &delay);
  google::rpc::RetryInfo info;
  info.mutable_retry_delay()->set_seconds(seconds);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(delay)));
  status.SetPayload(RetryInfoTypeUrl(), absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  absl::optional<absl::Cord> bytes = status.GetPayload(RetryInfoTypeUrl());
  if (!bytes.has_value()) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*bytes)) || !info.has_retry_delay()) return std::nullopt;
  const int64_t seconds = info.retry_delay().seconds();
  const int32_t nanos = info.retry_delay().nanos();
  if (seconds < 0 || nanos < 0 || nanos > 999999999) return std::nullopt;
  return absl::Seconds(seconds) + absl::Nanoseconds(nanos);
}

// ---------------------------------------------------------------------------------------------
// RateLimiter

absl::Status RateLimiter::Validate(const Options& options) {
  if (!std::isfinite(options.tokens_per_second) || options.tokens_per_second <= 0) {
    return absl::InvalidArgumentError("rate limiter: tokens_per_second must be finite and > 0");
  }
  if (!std::isfinite(options.burst) || options.burst <= 0) {
    return absl::InvalidArgumentError("rate limiter: burst must be finite and > 0");
  }
  if (absl::Seconds(options.burst / options.tokens_per_second) == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError("rate limiter: burst / tokens_per_second is too large");
  }
  if (options.max_tracked_callers < 1) {
    return absl::InvalidArgumentError("rate limiter: max_tracked_callers must be >= 1");
  }
  return absl::OkStatus();
}

RateLimiter::RateLimiter(Options options)
    : options_(options),
      options_status_(Validate(options)),
      capacity_(options_status_.ok() ? DurationOf(options.burst) : absl::ZeroDuration()) {}

absl::Duration RateLimiter::DurationOf(double tokens) const {
  return absl::Seconds(tokens / options_.tokens_per_second);
}

bool RateLimiter::IndexOrder::operator()(const IndexEntry& a, const IndexEntry& b) const {
  if (a.tat != b.tat) return a.tat < b.tat;
  return std::less<const std::string*>()(a.caller, b.caller);
}

absl::Status RateLimiter::Take(absl::string_view caller, double cost, absl::Time now) {
  if (!options_status_.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("rate limiter misconfigured: ", options_status_.message()));
  }
  if (!std::isfinite(cost) || cost < 0) {
    return absl::InvalidArgumentError("rate limit cost must be finite and >= 0");
  }
  if (cost > options_.burst) {
    return absl::InvalidArgumentError(
        absl::StrCat("rate limit cost ", cost, " exceeds the burst of ", options_.burst));
  }
  if (cost == 0) return absl::OkStatus();
  const absl::Duration increment = DurationOf(cost);

  std::lock_guard<std::mutex> lock(mu_);
  // Wall clocks step backwards; never let that refill a bucket twice.
  latest_now_ = std::max(latest_now_, now);
  now = latest_now_;

  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    // A new caller starts full, and cost <= burst, so this always succeeds.
    if (buckets_.size() >= options_.max_tracked_callers) EvictFullestLocked();
    it = buckets_.emplace(std::string(caller), Bucket{}).first;
    it->second.tat = now + increment;
    it->second.position = index_.insert({it->second.tat, &it->first}).first;
    return absl::OkStatus();
  }

  Bucket& bucket = it->second;
  const absl::Time new_tat = std::max(bucket.tat, now) + increment;
  const absl::Duration excess = (new_tat - now) - capacity_;
  if (excess > kTolerance) {
    const absl::Duration delay = absl::Ceil(excess - kTolerance, absl::Milliseconds(1));
    absl::Status refused = absl::ResourceExhaustedError(
        absl::StrCat("rate limit: too many requests from this caller; try again in ",
                     absl::ToInt64Milliseconds(delay), " ms"));
    return WithReason(WithRetryDelay(std::move(refused), delay), kRateLimitedReason);
  }
  bucket.tat = new_tat;
  Index::node_type node = index_.extract(bucket.position);
  node.value().tat = new_tat;
  bucket.position = index_.insert(std::move(node)).position;
  return absl::OkStatus();
}

void RateLimiter::EvictFullestLocked() {
  if (index_.empty()) return;
  // The smallest tat is the fullest bucket: idle (full) buckets go before any partly-empty one.
  const std::string* caller = index_.begin()->caller;
  index_.erase(index_.begin());
  buckets_.erase(*caller);
}

size_t RateLimiter::TrackedCallers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

// ---------------------------------------------------------------------------------------------
// StreamLimiter

StreamLimiter::Permit::Permit(Permit&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), caller_(std::move(other.caller_)) {}

StreamLimiter::Permit& StreamLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    caller_ = std::move(other.caller_);
  }
  return *this;
}

StreamLimiter::Permit::~Permit() { Release(); }

void StreamLimiter::Permit::Release() {
  if (limiter_ == nullptr) return;
  limiter_->Release(caller_);
  limiter_ = nullptr;
  caller_.clear();
}

StreamLimiter::StreamLimiter(int max_per_caller) : max_per_caller_(max_per_caller) {}

absl::StatusOr<StreamLimiter::Permit> StreamLimiter::Enter(absl::string_view caller) {
  if (max_per_caller_ < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream limiter misconfigured: max_per_caller is ", max_per_caller_));
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(caller);
  if (it != active_.end() && it->second >= max_per_caller_) {
    absl::Status refused = absl::ResourceExhaustedError(absl::StrCat(
        "stream limit: at most ", max_per_caller_,
        " concurrent streams per caller; try again in ",
        absl::ToInt64Milliseconds(kStreamRetryDelay), " ms"));
    return WithReason(WithRetryDelay(std::move(refused), kStreamRetryDelay),
                      kTooManyStreamsReason);
  }
  if (it == active_.end()) it = active_.emplace(std::string(caller), 0).first;
  ++it->second;
  return Permit(this, std::string(caller));
}

void StreamLimiter::Release(const std::string& caller) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(caller);
  if (it == active_.end()) return;
  if (--it->second <= 0) active_.erase(it);
}

int StreamLimiter::ActiveStreams(absl::string_view caller) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(caller);
  return it == active_.end() ? 0 : it->second;
}

size_t StreamLimiter::TrackedCallers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.size();
}

}  // namespace gaitkeeper::limits
