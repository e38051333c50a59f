#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace gaitkeeper {

// One bad field of a request: `field` is the path in the request ("athlete.height_cm",
// "samples[3].cadence_spm"), `description` says what is wrong without echoing health data.
struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects field violations while validating a request.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    items_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return items_.empty(); }
  const std::vector<FieldViolation>& items() const { return items_; }
  // OK when empty; otherwise InvalidArgument carrying a BadRequest with every violation and an
  // ErrorInfo with `reason` (e.g. "INVALID_SAMPLES").
  absl::Status ToStatus(absl::string_view reason) const;

 private:
  std::vector<FieldViolation> items_;
};

// InvalidArgument with a google.rpc.BadRequest (the violations) and google.rpc.ErrorInfo (the
// reason) attached as payloads; ToGrpcStatus turns them into the gRPC rich error details.
absl::Status InvalidArgumentWithFields(absl::string_view reason,
                                       const std::vector<FieldViolation>& violations);

// Attaches a google.rpc.ErrorInfo{reason, domain="gaitkeeper"} to any status.
absl::Status WithReason(absl::Status status, absl::string_view reason);

// Returns the ErrorInfo reason attached to `status`, or "" when none.
std::string ReasonOf(const absl::Status& status);

// The one mapping from absl::Status to grpc::Status: same code, same message, and any attached
// BadRequest / ErrorInfo / RetryInfo payloads serialized as a google.rpc.Status in
// error_details (the "grpc-status-details-bin" trailer).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse, for clients and tests: a grpc::Status back into absl::Status with payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The field violations of a status made by InvalidArgumentWithFields (empty when none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace gaitkeeper
