#include "services/planning/planning_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/pagination.h"
#include "services/common/resource_names.h"
#include "services/common/rpc.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::planning {

grpc::Status PlanningService::GeneratePlan(grpc::ServerContext* context, const v1::GeneratePlanRequest* request,
                                           v1::Plan* response) {
  return RunRpc(resolver_, *context, "GeneratePlan", [&](const Caller&) -> absl::Status {
    Violations violations;
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) violations.Add("parent", "must be athletes/{athlete}");
    if (!names::IsUuid(request->request_id())) {
      violations.Add("request_id", request->request_id().empty() ? "is required (a client-generated UUID)" : "must be a UUID");
    }
    if (request->has_start_date() && !timeutil::IsValidDate(request->start_date())) {
      violations.Add("start_date", "is not a calendar date");
    }
    if (absl::Status valid = violations.ToStatus("INVALID_PLAN_REQUEST"); !valid.ok()) return valid;

    absl::StatusOr<std::optional<v1::Plan>> existing = repository_.FindByRequest(*athlete, request->request_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      *response = std::move(**existing);
      return absl::OkStatus();
    }
    const common::v1::Date start = request->has_start_date() ? request->start_date()
                                                             : timeutil::DateOfMicros(timeutil::NowMicros());
    absl::StatusOr<PlanningInputs> inputs = repository_.LoadInputs(*athlete, start);
    if (!inputs.ok()) return inputs.status();
    v1::Plan plan = planning::GeneratePlan(*inputs);
    const std::string plan_id = names::NewUuid();
    plan.set_name(names::Plan(*athlete, plan_id));
    absl::StatusOr<v1::Plan> stored = repository_.StorePlan(*athlete, plan_id, request->request_id(), plan);
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::GetCurrentPlan(grpc::ServerContext* context, const v1::GetCurrentPlanRequest* request,
                                             v1::Plan* response) {
  return RunRpc(resolver_, *context, "GetCurrentPlan", [&](const Caller&) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    absl::StatusOr<v1::Plan> plan = repository_.CurrentPlan(*athlete);
    if (!plan.ok()) return plan.status();
    *response = std::move(*plan);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return RunRpc(resolver_, *context, "ListPlans", [&](const Caller&) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    absl::StatusOr<int> page_size = pagination::EffectivePageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    const std::string scope = absl::StrCat("plans:", *athlete);
    std::optional<pagination::Cursor> after;
    if (!request->page_token().empty()) {
      absl::StatusOr<pagination::Cursor> cursor = pagination::Decode(request->page_token(), scope);
      if (!cursor.ok()) return cursor.status();
      after = *cursor;
    }
    absl::StatusOr<PlanningRepository::PlanPage> page = repository_.ListPlans(*athlete, after, *page_size);
    if (!page.ok()) return page.status();
    for (v1::Plan& p : page->plans) *response->add_plans() = std::move(p);
    if (page->next.has_value()) response->set_next_page_token(pagination::Encode(scope, *page->next));
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::planning
