#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/common/status.h"

namespace gaitkeeper::outbox {

// Delivers one outbox payload (a serialized `Request`) by calling a unary RPC of `stub`. OK when
// the peer accepted it; the peer's gRPC error otherwise, so the dispatcher retries. DataLoss when
// the payload does not parse (a bug: retrying cannot help, but the row stays for operators).
// `authenticate` (may be empty) adds the calling service's credentials to the call.
using Authenticate = std::function<absl::Status(grpc::ClientContext&)>;

template <typename Stub, typename Request, typename Response>
absl::Status DeliverUnary(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                          const std::string& payload, absl::Duration deadline,
                          const Authenticate& authenticate = {}) {
  Request request;
  if (!request.ParseFromString(payload)) {
    return absl::DataLossError(std::string("outbox payload is not a ") + Request::descriptor()->full_name());
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
  if (authenticate) {
    if (absl::Status s = authenticate(context); !s.ok()) return s;
  }
  Response response;
  return FromGrpcStatus((stub.*method)(&context, request, &response));
}

}  // namespace gaitkeeper::outbox
