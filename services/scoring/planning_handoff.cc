#include "services/scoring/planning_handoff.h"

#include "services/common/handoff.h"

namespace gaitkeeper::scoring {

PlanningHandoff::PlanningHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline)
    : stub_(planning::v1::PlanningService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::Status PlanningHandoff::Deliver(const std::string& payload) {
  return outbox::DeliverUnary(*stub_, &planning::v1::PlanningService::Stub::GeneratePlan, payload, deadline_);
}

}  // namespace gaitkeeper::scoring
