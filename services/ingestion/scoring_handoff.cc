#include "services/ingestion/scoring_handoff.h"

#include <chrono>

#include "services/common/status.h"

namespace gaitkeeper::ingestion {

ScoringHandoff::ScoringHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline)
    : stub_(scoring::v1::ScoringService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::Status ScoringHandoff::Deliver(const std::string& payload) {
  scoring::v1::ScoreSessionRequest request;
  if (!request.ParseFromString(payload)) {
    return absl::DataLossError("outbox payload is not a ScoreSessionRequest");
  }
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  scoring::v1::GaitScore score;
  return FromGrpcStatus(stub_->ScoreSession(&context, request, &score));
}

}  // namespace gaitkeeper::ingestion
