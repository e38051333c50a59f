#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/handoff.h"
#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"

namespace gaitkeeper::ingestion {

// Delivers one "score this session" outbox message to the scoring service over gRPC.
class ScoringHandoff {
 public:
  // `authenticate` (may be empty) adds this service's token to each call.
  ScoringHandoff(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration deadline,
                 outbox::Authenticate authenticate = {});

  // `payload` is a serialized ScoreSessionRequest. OK when scoring stored (or already had) the
  // score; the gRPC error otherwise, so the outbox retries.
  absl::Status Deliver(const std::string& payload);

 private:
  std::unique_ptr<scoring::v1::ScoringService::Stub> stub_;
  absl::Duration deadline_;
  outbox::Authenticate authenticate_;
};

}  // namespace gaitkeeper::ingestion
