#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/handoff.h"
#include "gaitkeeper/planning/v1/planning.grpc.pb.h"

namespace gaitkeeper::scoring {

// The outbox topic that tells planning a new score changed the runner's picture; its payload is
// a serialized gaitkeeper.planning.v1.GeneratePlanRequest whose request_id is the score's id, so a
// redelivery yields the same plan.
inline constexpr char kPlanOnScoreTopic[] = "planning.generate_plan";

// Delivers one such message to the planning service over gRPC.
class PlanningHandoff {
 public:
  // `authenticate` (may be empty) adds this service's token to each call.
  PlanningHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline,
                  outbox::Authenticate authenticate = {});
  absl::Status Deliver(const std::string& payload);

 private:
  std::unique_ptr<planning::v1::PlanningService::Stub> stub_;
  absl::Duration deadline_;
  outbox::Authenticate authenticate_;
};

}  // namespace gaitkeeper::scoring
