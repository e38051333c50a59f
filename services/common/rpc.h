#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "services/common/authz/gate.h"
#include "services/common/caller.h"
#include "services/common/logging.h"
#include "services/common/status.h"

namespace gaitkeeper {

// Logs one finished RPC: method, code and latency; never its payload.
void LogRpc(absl::string_view method, const Caller* caller, const absl::Status& status,
            absl::Duration elapsed);

// The path every RPC handler takes: the gate authenticates the caller and applies the abuse
// limits, `body(call)` names its target with call.Authorize(...) before touching any data, the
// gate audits and logs the outcome, and the absl::Status is mapped to gRPC once.
template <typename Body>
grpc::Status RunRpc(authz::Gate& gate, const grpc::ServerContext& context, absl::string_view method,
                    Body&& body) {
  authz::Call call(gate, context, method);
  absl::Status status = call.Begin();
  if (status.ok()) status = body(call);
  return ToGrpcStatus(call.Finish(std::move(status)));
}

}  // namespace gaitkeeper
