#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "services/common/caller.h"
#include "services/common/logging.h"
#include "services/common/status.h"

namespace gaitkeeper {

// Logs one finished RPC: method, code and latency; never its payload.
void LogRpc(absl::string_view method, const Caller* caller, const absl::Status& status,
            absl::Duration elapsed);

// The path every RPC handler takes: resolve the caller (the one place that decides who is
// calling), run `body(caller)`, log the outcome and map the absl::Status to gRPC once.
template <typename Body>
grpc::Status RunRpc(const CallerResolver& resolver, const grpc::ServerContext& context,
                    absl::string_view method, Body&& body) {
  const absl::Time start = absl::Now();
  absl::StatusOr<Caller> caller = resolver.Resolve(context);
  absl::Status status = caller.ok() ? body(*caller) : caller.status();
  LogRpc(method, caller.ok() ? &*caller : nullptr, status, absl::Now() - start);
  return ToGrpcStatus(status);
}

}  // namespace gaitkeeper
