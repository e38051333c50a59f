#include "services/ingestion/scoring_handoff.h"

#include "services/common/handoff.h"

namespace gaitkeeper::ingestion {

ScoringHandoff::ScoringHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline,
                               outbox::Authenticate authenticate)
    : stub_(scoring::v1::ScoringService::NewStub(std::move(channel))), deadline_(deadline), authenticate_(std::move(authenticate)) {}

absl::Status ScoringHandoff::Deliver(const std::string& payload) {
  return outbox::DeliverUnary(*stub_, &scoring::v1::ScoringService::Stub::ScoreSession, payload, deadline_, authenticate_);
}

}  // namespace gaitkeeper::ingestion
