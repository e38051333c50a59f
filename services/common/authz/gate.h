#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "services/common/authz/caller_resolver.h"
#include "services/common/authz/policy.h"
#include "services/common/caller.h"
#include "services/common/db_pool.h"
#include "services/common/limits/limits.h"

namespace gaitkeeper::authz {

// One per service: everything a call passes before and after its handler (docs/SECURITY.md).
//   Begin:     authenticate (CallerResolver), find the method's rule (none: refused), apply the
//              per-caller write / upload rate limits and the concurrent-stream limit.
//   Authorize: decide on the target the handler names (policy.h), with the clinician facts from
//              the database, and set the database scope (row-level security) for the call.
//   Finish:    write the audit row when someone other than the athlete touched the athlete's
//              data (whatever the outcome), and log the call (method, role, code, reason; never
//              the data).
class Gate {
 public:
  struct Options {
    std::string service;  // "ingestion", "scoring", "planning" (audit rows, logs)
    Policy policy;
    limits::RateLimiter::Options write_limit{.tokens_per_second = 10, .burst = 60};
    limits::RateLimiter::Options upload_limit{.tokens_per_second = 1, .burst = 20};
    int max_streams_per_caller = 4;
  };

  Gate(const CallerResolver& resolver, db::Pool& pool, Options options);

  const CallerResolver& resolver() const { return resolver_; }
  const Options& options() const { return options_; }

 private:
  friend class Call;
  absl::StatusOr<ClinicianFacts> FetchClinicianFacts(const Caller& caller, const Target& target);
  absl::Status WriteAudit(const Caller& caller, const Target& target, absl::string_view method,
                          absl::StatusCode outcome);

  const CallerResolver& resolver_;
  db::Pool& pool_;
  Options options_;
  limits::RateLimiter writes_;
  limits::RateLimiter uploads_;
  limits::StreamLimiter streams_;
};

// One RPC passing through the gate. Handlers receive it from RunRpc (services/common/rpc.h).
class Call {
 public:
  Call(Gate& gate, const grpc::ServerContext& context, absl::string_view method);
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // Authenticates and applies the abuse limits. The handler runs only when this is OK.
  absl::Status Begin();

  // Who is calling (valid once Begin is OK).
  const Caller& caller() const { return *caller_; }

  // The handler names what the call touches, before reading or writing anything. OK: the call
  // may go on, and its database work is scoped to the target. A second call with the same
  // target is a no-op; with another target it is refused (one call, one tenant).
  absl::Status Authorize(Target target);

  // Audits and logs the outcome; returns the status to answer with (Unavailable when the audit
  // row of an audited call cannot be written: no data leaves without its audit row).
  absl::Status Finish(absl::Status status);

 private:
  Gate& gate_;
  const grpc::ServerContext& context_;
  absl::string_view method_;
  absl::Time start_;
  const Rule* rule_ = nullptr;
  std::optional<Caller> caller_;
  std::optional<limits::StreamLimiter::Permit> stream_permit_;
  std::optional<Target> target_;
  std::optional<Decision> decision_;
  std::optional<db::ScopeGuard> scope_;
};

}  // namespace gaitkeeper::authz
