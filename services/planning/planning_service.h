#pragma once

#include "gaitkeeper/planning/v1/planning.grpc.pb.h"
#include "services/common/authz/gate.h"
#include "services/planning/planning_repository.h"

namespace gaitkeeper::planning {

// The gRPC face of planning: validate -> load inputs -> GeneratePlan (pure) -> store.
class PlanningService final : public v1::PlanningService::Service {
 public:
  PlanningService(PlanningRepository& repository, authz::Gate& gate)
      : repository_(repository), gate_(gate) {}

  grpc::Status GeneratePlan(grpc::ServerContext* context, const v1::GeneratePlanRequest* request,
                            v1::Plan* response) override;
  grpc::Status GetCurrentPlan(grpc::ServerContext* context, const v1::GetCurrentPlanRequest* request,
                              v1::Plan* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                         v1::ListPlansResponse* response) override;
  grpc::Status ReviewPlan(grpc::ServerContext* context, const v1::ReviewPlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status ListPlanReviews(grpc::ServerContext* context, const v1::ListPlanReviewsRequest* request,
                               v1::ListPlanReviewsResponse* response) override;
  grpc::Status LogCompletion(grpc::ServerContext* context, const v1::LogCompletionRequest* request,
                             v1::CompletionLog* response) override;
  grpc::Status GetAdherence(grpc::ServerContext* context, const v1::GetAdherenceRequest* request,
                            v1::AdherenceSummary* response) override;
  grpc::Status SetClinicianConstraints(grpc::ServerContext* context, const v1::SetClinicianConstraintsRequest* request,
                                       v1::ClinicianConstraints* response) override;
  grpc::Status GetClinicianConstraints(grpc::ServerContext* context, const v1::GetClinicianConstraintsRequest* request,
                                       v1::ClinicianConstraints* response) override;

 private:
  PlanningRepository& repository_;
  authz::Gate& gate_;
};

}  // namespace gaitkeeper::planning
