#include "services/scoring/planning_handoff.h"

#include "services/common/handoff.h"

namespace gaitkeeper::scoring {

PlanningHandoff::PlanningHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline,
                                 outbox::Authenticate authenticate)
    : stub_(planning::v1::PlanningService::NewStub(std::move(channel))), deadline_(deadline), authenticate_(std::move(authenticate)) {}

absl::Status PlanningHandoff::Deliver(const std::string& payload) {
  return outbox::DeliverUnary(*stub_, &planning::v1::PlanningService::Stub::GeneratePlan, payload, deadline_, authenticate_);
}

}  // namespace gaitkeeper::scoring
