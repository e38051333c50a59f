#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

// A minimal client for the two standard services every Gaitkeeper server runs, with no generated
// code (Debian ships neither grpcurl nor the health/reflection client stubs): grpc.health.v1
// Health/Check and grpc.reflection.v1alpha ServerReflection list_services, spoken as raw
// protobuf bytes over gRPC's generic stub.
namespace gaitkeeper::probe {

// "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN" or "UNKNOWN"; a gRPC error (e.g. NOT_FOUND for an
// unknown service name, UNAVAILABLE when nothing listens) as a status.
absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, absl::Duration timeout);

// The fully-qualified service names the server lists over reflection.
absl::StatusOr<std::vector<std::string>> ListServices(const std::shared_ptr<grpc::Channel>& channel,
                                                      absl::Duration timeout);

}  // namespace gaitkeeper::probe
