#include "services/common/limits/limits.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "services/common/status.h"

namespace gaitkeeper::limits {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

RateLimiter::Options Opts(double tokens_per_second, double burst,
                          size_t max_tracked_callers = 100000) {
  RateLimiter::Options options;
  options.tokens_per_second = tokens_per_second;
  options.burst = burst;
  options.max_tracked_callers = max_tracked_callers;
  return options;
}

// Takes `cost` until refused and returns how many succeeded (stops at `limit`).
int TakeUntilRefused(RateLimiter& limiter, absl::string_view caller, double cost, absl::Time now,
                     int limit = 1000) {
  int taken = 0;
  while (taken < limit && limiter.Take(caller, cost, now).ok()) ++taken;
  return taken;
}

// ---------------------------------------------------------------------------------------------
// RateLimiter

TEST(RateLimiterTest, BurstIsAllowedThenRefused) {
  RateLimiter limiter(Opts(2, 3));
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());

  absl::Status refused = limiter.Take("athlete:a", 1, kT0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(refused), "RATE_LIMITED");
  EXPECT_NE(refused.message().find("rate limit:"), absl::string_view::npos) << refused;
  EXPECT_NE(refused.message().find("try again in 500 ms"), absl::string_view::npos) << refused;
}

TEST(RateLimiterTest, RefillsExactlyWithPassedInTime) {
  RateLimiter limiter(Opts(2, 3));
  ASSERT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0), 3);

  // One token takes exactly 500 ms to come back.
  EXPECT_FALSE(limiter.Take("athlete:a", 1, kT0 + absl::Milliseconds(499)).ok());
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0 + absl::Milliseconds(500)).ok());
  EXPECT_FALSE(limiter.Take("athlete:a", 1, kT0 + absl::Milliseconds(500)).ok());

  // 1 s later: exactly two more.
  EXPECT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0 + absl::Milliseconds(1500)), 2);

  // Refill stops at the burst however long the caller was away.
  EXPECT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0 + absl::Hours(5)), 3);
}

TEST(RateLimiterTest, FractionalCostsAndRatesAddUpExactly) {
  // 0.1-token steps at 10 tokens/s are not exact in binary floating point.
  RateLimiter limiter(Opts(10, 1));
  EXPECT_EQ(TakeUntilRefused(limiter, "athlete:a", 0.1, kT0), 10);
  EXPECT_EQ(RetryDelayOf(limiter.Take("athlete:a", 0.1, kT0)), absl::Milliseconds(10));
  EXPECT_EQ(TakeUntilRefused(limiter, "athlete:a", 0.1, kT0 + absl::Milliseconds(30)), 3);

  RateLimiter thirds(Opts(3, 3));
  EXPECT_EQ(TakeUntilRefused(thirds, "athlete:a", 1, kT0), 3);
  EXPECT_EQ(TakeUntilRefused(thirds, "athlete:a", 1, kT0 + absl::Seconds(1)), 3);
}

TEST(RateLimiterTest, RetryDelayIsTheTimeUntilEnoughTokensExist) {
  // 2 tokens/s, empty bucket, cost 1 -> 500 ms.
  RateLimiter limiter(Opts(2, 1));
  ASSERT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());
  absl::Status refused = limiter.Take("athlete:a", 1, kT0);
  ASSERT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(refused), absl::Milliseconds(500));

  // Partly refilled: 0.4 tokens after 200 ms, 0.6 missing -> 300 ms.
  EXPECT_EQ(RetryDelayOf(limiter.Take("athlete:a", 1, kT0 + absl::Milliseconds(200))),
            absl::Milliseconds(300));

  // A bigger cost waits longer: empty bucket of 4 at 2 tokens/s, cost 3 -> 1.5 s.
  RateLimiter big(Opts(2, 4));
  ASSERT_TRUE(big.Take("athlete:a", 4, kT0).ok());
  absl::Status refused_big = big.Take("athlete:a", 3, kT0);
  EXPECT_EQ(RetryDelayOf(refused_big), absl::Milliseconds(1500));
  EXPECT_NE(refused_big.message().find("try again in 1500 ms"), absl::string_view::npos)
      << refused_big;
}

TEST(RateLimiterTest, RetryDelayIsRoundedUpToAMillisecondAndRetryingThenSucceeds) {
  // 3 tokens/s: one token takes 333.33 ms; the client is told 334 ms.
  RateLimiter limiter(Opts(3, 1));
  ASSERT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());
  absl::Status refused = limiter.Take("athlete:a", 1, kT0);
  ASSERT_EQ(RetryDelayOf(refused), absl::Milliseconds(334));
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0 + *RetryDelayOf(refused)).ok());
}

TEST(RateLimiterTest, RefusedTakeTakesNothing) {
  RateLimiter limiter(Opts(1, 2));
  ASSERT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0), 2);
  // Hammering while empty does not push the refill further out.
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(limiter.Take("athlete:a", 1, kT0).ok());
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0 + absl::Seconds(1)).ok());
}

TEST(RateLimiterTest, CallersAreIndependent) {
  RateLimiter limiter(Opts(1, 2));
  ASSERT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0), 2);
  EXPECT_EQ(TakeUntilRefused(limiter, "athlete:b", 1, kT0), 2);
  EXPECT_EQ(TakeUntilRefused(limiter, "clinician:c", 1, kT0), 2);
  EXPECT_EQ(limiter.TrackedCallers(), 3u);
}

TEST(RateLimiterTest, CostLargerThanBurstIsInvalidArgument) {
  RateLimiter limiter(Opts(2, 3));
  EXPECT_EQ(limiter.Take("athlete:a", 3.5, kT0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limiter.Take("athlete:a", -1, kT0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limiter.Take("athlete:a", std::nan(""), kT0).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limiter.Take("athlete:a", std::numeric_limits<double>::infinity(), kT0).code(),
            absl::StatusCode::kInvalidArgument);
  // None of those touched the bucket: the whole burst is still there.
  EXPECT_TRUE(limiter.Take("athlete:a", 3, kT0).ok());
  // A zero cost is always fine.
  EXPECT_TRUE(limiter.Take("athlete:a", 0, kT0).ok());
}

TEST(RateLimiterTest, InvalidOptionsAreReportedAndRefuseEveryTake) {
  EXPECT_TRUE(RateLimiter::Validate(Opts(2, 3)).ok());
  EXPECT_EQ(RateLimiter::Validate(Opts(0, 3)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::Validate(Opts(2, -1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::Validate(Opts(std::nan(""), 3)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RateLimiter::Validate(Opts(2, 3, 0)).code(), absl::StatusCode::kInvalidArgument);

  RateLimiter broken(Opts(0, 3));
  EXPECT_EQ(broken.Take("athlete:a", 1, kT0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(broken.TrackedCallers(), 0u);
}

TEST(RateLimiterTest, ClockSteppingBackwardsDoesNotRefill) {
  RateLimiter limiter(Opts(1, 2));
  ASSERT_EQ(TakeUntilRefused(limiter, "athlete:a", 1, kT0 + absl::Seconds(10)), 2);
  // The clock steps back 10 s: treated as the latest time seen, so still empty, and the retry
  // delay is measured from that latest time.
  absl::Status refused = limiter.Take("athlete:a", 1, kT0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(refused), absl::Seconds(1));
  EXPECT_TRUE(limiter.Take("athlete:a", 1, kT0 + absl::Seconds(11)).ok());
}

TEST(RateLimiterTest, TrackedCallersStayWithinTheBound) {
  RateLimiter limiter(Opts(1, 5, /*max_tracked_callers=*/4));
  for (int i = 0; i < 100; ++i) {
    const absl::Time now = kT0 + absl::Milliseconds(i);
    // Every new caller is admitted (it starts with a full bucket)...
    EXPECT_TRUE(limiter.Take(absl::StrCat("athlete:", i), 1 + i % 5, now).ok()) << i;
    // ...and the map never exceeds the bound.
    EXPECT_LE(limiter.TrackedCallers(), 4u) << i;
  }
  EXPECT_EQ(limiter.TrackedCallers(), 4u);
}

TEST(RateLimiterTest, FullBucketsAreEvictedBeforeAPartlyEmptyOne) {
  RateLimiter limiter(Opts(1, 10, /*max_tracked_callers=*/3));
  ASSERT_TRUE(limiter.Take("athlete:greedy", 10, kT0).ok());  // empty
  ASSERT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());        // full again at kT0 + 1 s
  ASSERT_TRUE(limiter.Take("athlete:b", 1, kT0).ok());        // full again at kT0 + 1 s

  // At kT0 + 2 s greedy holds 2 of 10 tokens; a and b are full (idle). Three new callers arrive:
  // the first two push out a and b; the third must push out a fuller newcomer (9 of 10), not
  // greedy.
  const absl::Time later = kT0 + absl::Seconds(2);
  ASSERT_TRUE(limiter.Take("athlete:c", 1, later).ok());
  ASSERT_TRUE(limiter.Take("athlete:d", 1, later).ok());
  ASSERT_TRUE(limiter.Take("athlete:e", 1, later).ok());
  EXPECT_EQ(limiter.TrackedCallers(), 3u);

  // greedy was not forgiven: only 2 tokens, so 3 is refused, 1 s short.
  absl::Status refused = limiter.Take("athlete:greedy", 3, later);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(refused), absl::Seconds(1));
  EXPECT_TRUE(limiter.Take("athlete:greedy", 2, later).ok());
}

TEST(RateLimiterTest, ConcurrentTakesAreConsistent) {
  constexpr int kThreads = 8;
  constexpr int kTakesPerThread = 2000;
  RateLimiter limiter(Opts(1, 100, /*max_tracked_callers=*/64));
  std::atomic<int> shared_ok{0};
  std::vector<int> own_ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string own = absl::StrCat("athlete:own-", t);
      for (int i = 0; i < kTakesPerThread; ++i) {
        // All at one instant, so nothing refills: the shared caller gets exactly its burst.
        if (limiter.Take("athlete:shared", 1, kT0).ok()) shared_ok.fetch_add(1);
        if (i < 100 && limiter.Take(own, 1, kT0).ok()) ++own_ok[t];
        // Churn of one-off callers to exercise eviction under contention.
        (void)limiter.Take(absl::StrCat("athlete:churn-", t, "-", i), 1, kT0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // Eviction may have dropped and forgiven a partly-empty caller (all are partly empty here), so
  // a caller can only be sure to have got at least its burst, and the bound must hold.
  EXPECT_GE(shared_ok.load(), 100);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(own_ok[t], 100) << t;
  EXPECT_LE(limiter.TrackedCallers(), 64u);
}

TEST(RateLimiterTest, ConcurrentTakesOnOneCallerGetExactlyTheBurst) {
  constexpr int kThreads = 8;
  RateLimiter limiter(Opts(1, 250));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.Take("athlete:shared", 1, kT0).ok()) ok.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 250);
  EXPECT_EQ(limiter.TrackedCallers(), 1u);
}

TEST(RateLimiterTest, RefusalRoundTripsThroughGrpcStatus) {
  RateLimiter limiter(Opts(2, 1));
  ASSERT_TRUE(limiter.Take("athlete:a", 1, kT0).ok());
  absl::Status refused = limiter.Take("athlete:a", 1, kT0);

  grpc::Status wire = ToGrpcStatus(refused);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(wire.error_message(), std::string(refused.message()));
  // What a non-C++ client sees in grpc-status-details-bin.
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(wire.error_details()));
  bool saw_retry_info = false;
  for (const auto& any : rich.details()) {
    google::rpc::RetryInfo info;
    if (any.UnpackTo(&info)) {
      saw_retry_info = true;
      EXPECT_EQ(info.retry_delay().seconds(), 0);
      EXPECT_EQ(info.retry_delay().nanos(), 500000000);
    }
  }
  EXPECT_TRUE(saw_retry_info);

  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(back), absl::Milliseconds(500));
  EXPECT_EQ(ReasonOf(back), "RATE_LIMITED");
}

// ---------------------------------------------------------------------------------------------
// RetryDelayOf / WithRetryDelay

TEST(RetryDelayOfTest, AbsentWhenNoRetryInfo) {
  EXPECT_EQ(RetryDelayOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(RetryDelayOf(absl::ResourceExhaustedError("x")), std::nullopt);
  EXPECT_EQ(RetryDelayOf(WithReason(absl::ResourceExhaustedError("x"), "RATE_LIMITED")),
            std::nullopt);
}

TEST(RetryDelayOfTest, ReadsBackSecondsAndNanos) {
  absl::Status status =
      WithRetryDelay(absl::UnavailableError("x"), absl::Seconds(2) + absl::Milliseconds(250));
  EXPECT_EQ(RetryDelayOf(status), absl::Milliseconds(2250));
  EXPECT_EQ(RetryDelayOf(FromGrpcStatus(ToGrpcStatus(status))), absl::Milliseconds(2250));
  // OK stays OK, without payloads.
  EXPECT_TRUE(WithRetryDelay(absl::OkStatus(), absl::Seconds(1)).ok());
  // A negative delay is clamped to zero.
  EXPECT_EQ(RetryDelayOf(WithRetryDelay(absl::UnavailableError("x"), absl::Seconds(-3))),
            absl::ZeroDuration());
}

// ---------------------------------------------------------------------------------------------
// StreamLimiter

TEST(StreamLimiterTest, AdmitsUpToTheLimitThenRefuses) {
  StreamLimiter limiter(2);
  absl::StatusOr<StreamLimiter::Permit> first = limiter.Enter("athlete:a");
  absl::StatusOr<StreamLimiter::Permit> second = limiter.Enter("athlete:a");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(first->held());
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 2);

  absl::StatusOr<StreamLimiter::Permit> third = limiter.Enter("athlete:a");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(third.status()), "TOO_MANY_STREAMS");
  EXPECT_EQ(RetryDelayOf(third.status()), absl::Seconds(1));
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 2);
}

TEST(StreamLimiterTest, ReleasingOneLetsAnotherIn) {
  StreamLimiter limiter(2);
  std::optional<absl::StatusOr<StreamLimiter::Permit>> first(limiter.Enter("athlete:a"));
  absl::StatusOr<StreamLimiter::Permit> second = limiter.Enter("athlete:a");
  ASSERT_TRUE(first->ok());
  ASSERT_TRUE(second.ok());
  ASSERT_FALSE(limiter.Enter("athlete:a").ok());

  first.reset();  // the stream ends
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 1);
  absl::StatusOr<StreamLimiter::Permit> third = limiter.Enter("athlete:a");
  EXPECT_TRUE(third.ok()) << third.status();
  EXPECT_FALSE(limiter.Enter("athlete:a").ok());
}

TEST(StreamLimiterTest, MovedPermitsReleaseExactlyOnce) {
  StreamLimiter limiter(3);
  {
    absl::StatusOr<StreamLimiter::Permit> entered = limiter.Enter("athlete:a");
    ASSERT_TRUE(entered.ok());
    StreamLimiter::Permit moved(std::move(*entered));
    EXPECT_TRUE(moved.held());
    EXPECT_FALSE(entered->held());
    {
      StreamLimiter::Permit moved_again = std::move(moved);
      EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 1);
    }
    // moved_again released the slot; the moved-from permits release nothing more.
    EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 0);
  }
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 0);

  // Move-assigning over a held permit releases the slot it held.
  StreamLimiter::Permit a = *limiter.Enter("athlete:a");
  StreamLimiter::Permit b = *limiter.Enter("athlete:a");
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 2);
  a = std::move(b);
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 1);
  a = StreamLimiter::Permit();
  EXPECT_FALSE(a.held());
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 0);
  EXPECT_EQ(limiter.TrackedCallers(), 0u);
}

TEST(StreamLimiterTest, CallersAreIndependentAndIdleCallersAreErased) {
  StreamLimiter limiter(1);
  {
    absl::StatusOr<StreamLimiter::Permit> a = limiter.Enter("athlete:a");
    absl::StatusOr<StreamLimiter::Permit> b = limiter.Enter("athlete:b");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_FALSE(limiter.Enter("athlete:a").ok());
    EXPECT_EQ(limiter.TrackedCallers(), 2u);
  }
  EXPECT_EQ(limiter.TrackedCallers(), 0u);
  EXPECT_EQ(limiter.ActiveStreams("athlete:a"), 0);
}

TEST(StreamLimiterTest, InvalidLimitRefusesEveryStream) {
  StreamLimiter limiter(0);
  absl::StatusOr<StreamLimiter::Permit> permit = limiter.Enter("athlete:a");
  EXPECT_EQ(permit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limiter.TrackedCallers(), 0u);
}

TEST(StreamLimiterTest, ConcurrentEnterAndReleaseKeepCountsConsistent) {
  constexpr int kThreads = 8;
  constexpr int kMax = 3;
  StreamLimiter limiter(kMax);
  std::atomic<int> holding{0};
  std::atomic<int> peak{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string caller = (i % 2 == 0) ? "athlete:shared" : absl::StrCat("athlete:", t);
        absl::StatusOr<StreamLimiter::Permit> permit = limiter.Enter(caller);
        if (!permit.ok()) {
          EXPECT_EQ(permit.status().code(), absl::StatusCode::kResourceExhausted);
          continue;
        }
        admitted.fetch_add(1);
        if (caller == "athlete:shared") {
          const int now_holding = holding.fetch_add(1) + 1;
          int seen = peak.load();
          while (now_holding > seen && !peak.compare_exchange_weak(seen, now_holding)) {
          }
          EXPECT_LE(limiter.ActiveStreams(caller), kMax);
          std::this_thread::yield();
          holding.fetch_sub(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_GT(admitted.load(), 0);
  EXPECT_LE(peak.load(), kMax);
  EXPECT_EQ(limiter.ActiveStreams("athlete:shared"), 0);
  EXPECT_EQ(limiter.TrackedCallers(), 0u);
}

TEST(StreamLimiterTest, RefusalRoundTripsThroughGrpcStatus) {
  StreamLimiter limiter(1);
  absl::StatusOr<StreamLimiter::Permit> held = limiter.Enter("athlete:a");
  ASSERT_TRUE(held.ok());
  absl::Status refused = limiter.Enter("athlete:a").status();

  absl::Status back = FromGrpcStatus(ToGrpcStatus(refused));
  EXPECT_EQ(back.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(back.message(), refused.message());
  EXPECT_EQ(RetryDelayOf(back), absl::Seconds(1));
  EXPECT_EQ(ReasonOf(back), "TOO_MANY_STREAMS");
}

}  // namespace
}  // namespace gaitkeeper::limits
