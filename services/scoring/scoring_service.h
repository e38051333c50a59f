#pragma once

#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"
#include "services/common/authz/gate.h"
#include "services/scoring/scoring_repository.h"

namespace gaitkeeper::scoring {

// The gRPC face of scoring: validate -> load -> GaitScorer (pure) -> store -> map errors.
class ScoringService final : public v1::ScoringService::Service {
 public:
  ScoringService(ScoringRepository& repository, authz::Gate& gate)
      : repository_(repository), gate_(gate) {}

  grpc::Status ScoreSession(grpc::ServerContext* context, const v1::ScoreSessionRequest* request,
                            v1::GaitScore* response) override;
  grpc::Status GetSessionScore(grpc::ServerContext* context, const v1::GetSessionScoreRequest* request,
                               v1::GaitScore* response) override;
  grpc::Status ListScores(grpc::ServerContext* context, const v1::ListScoresRequest* request,
                          v1::ListScoresResponse* response) override;
  grpc::Status GetRunnerSummary(grpc::ServerContext* context, const v1::GetRunnerSummaryRequest* request,
                                v1::RunnerSummary* response) override;

 private:
  absl::StatusOr<v1::GaitScore> ScoreAndStore(const names::SessionRef& ref);

  ScoringRepository& repository_;
  authz::Gate& gate_;
};

}  // namespace gaitkeeper::scoring
