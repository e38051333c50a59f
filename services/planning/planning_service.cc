#include "services/planning/planning_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/list_request.h"
#include "services/common/resource_names.h"
#include "services/common/rpc.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
#include "services/planning/exercise_library.h"
#include "services/planning/plan_review.h"

namespace gaitkeeper::planning {

grpc::Status PlanningService::GeneratePlan(grpc::ServerContext* context, const v1::GeneratePlanRequest* request,
                                           v1::Plan* response) {
  return RunRpc(gate_, *context, "GeneratePlan", [&](authz::Call& call) -> absl::Status {
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
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;

    absl::StatusOr<std::optional<v1::Plan>> existing = repository_.FindByRequest(*athlete, request->request_id());
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      *response = std::move(**existing);
      return absl::OkStatus();
    }
    const common::v1::Date start = request->has_start_date() ? request->start_date()
                                                             : timeutil::DateOfMicros(timeutil::NowMicros());
    std::string review_clinic;
    absl::StatusOr<rules::PlanRulesInputs> inputs = repository_.LoadInputs(*athlete, start, &review_clinic);
    if (!inputs.ok()) return inputs.status();
    if (absl::Status valid = rules::ValidatePlanRulesInputs(*inputs); !valid.ok()) return valid;
    v1::Plan plan = rules::GeneratePlanV2(*inputs);
    // A runner linked to a clinic gets a draft that a clinician approves; others get it directly.
    if (!review_clinic.empty()) {
      plan.set_state(v1::PLAN_STATE_DRAFT);
      plan.set_review_clinic(absl::StrCat("clinics/", review_clinic));
    }
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
  return RunRpc(gate_, *context, "GetCurrentPlan", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Plan> plan = repository_.CurrentPlan(*athlete);
    if (!plan.ok()) return plan.status();
    *response = std::move(*plan);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return RunRpc(gate_, *context, "ListPlans", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::AthleteList> list = pagination::ParseAthleteList(request->parent(), request->page_size(), request->page_token(), "plans", absl::StrCat(request->state()));
    if (!list.ok()) return list.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(list->athlete_id, request->parent())); !allowed.ok()) return allowed;
    if (!v1::PlanState_IsValid(request->state())) {
      return InvalidArgumentWithFields("INVALID_FILTER", {{"state", "is not a known value"}});
    }
    absl::StatusOr<PlanningRepository::PlanPage> page = repository_.ListPlans(list->athlete_id, request->state(), list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::Plan& p : page->plans) *response->add_plans() = std::move(p);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

namespace {
absl::StatusOr<std::vector<std::string>> ParsePlan(const std::string& name, absl::string_view field) {
  return names::Parse(name, {"athletes", "plans"}, field);
}
}  // namespace

grpc::Status PlanningService::ReviewPlan(grpc::ServerContext* context, const v1::ReviewPlanRequest* request,
                                         v1::Plan* response) {
  return RunRpc(gate_, *context, "ReviewPlan", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = ParsePlan(request->name(), "name");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget((*ids)[0], request->name())); !allowed.ok()) return allowed;
    Violations v;
    if (!names::IsUuid(request->request_id())) v.Add("request_id", "must be a UUID");
    if (request->action() == v1::REVIEW_ACTION_UNSPECIFIED || !v1::ReviewAction_IsValid(request->action())) {
      v.Add("action", "must be APPROVE, EDIT or REJECT");
    }
    if ((request->action() == v1::REVIEW_ACTION_EDIT || request->action() == v1::REVIEW_ACTION_REJECT) &&
        request->reason().empty()) {
      v.Add("reason", "is required for EDIT and REJECT");
    }
    if (request->reason().size() > 2000) v.Add("reason", "must be at most 2000 bytes");
    if (request->action() == v1::REVIEW_ACTION_EDIT && request->edits_size() == 0) v.Add("edits", "EDIT needs at least one edit");
    if (request->action() != v1::REVIEW_ACTION_EDIT && request->edits_size() > 0) v.Add("edits", "only EDIT carries edits");
    if (absl::Status valid = v.ToStatus("INVALID_REVIEW"); !valid.ok()) return valid;
    v1::PlanReview review;
    review.set_plan(request->name());
    review.set_action(request->action());
    *review.mutable_edits() = request->edits();
    review.set_reason(request->reason());
    review.set_actor(call.caller().subject);
    review.set_actor_role(std::string(RoleName(call.caller().role)));
    const std::vector<v1::PlanEdit> edits(request->edits().begin(), request->edits().end());
    absl::StatusOr<v1::Plan> plan = repository_.ReviewPlan(
        (*ids)[0], (*ids)[1], request->request_id(), review,
        // A clinician may review only the plans their own clinic must review.
        call.caller().role == Role::kClinician ? call.caller().clinic : std::string(),
        [&](const v1::Plan& current) { return ApplyEdits(current, edits); });
    if (!plan.ok()) return plan.status();
    *response = std::move(*plan);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::ListPlanReviews(grpc::ServerContext* context, const v1::ListPlanReviewsRequest* request,
                                              v1::ListPlanReviewsResponse* response) {
  return RunRpc(gate_, *context, "ListPlanReviews", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = ParsePlan(request->plan(), "plan");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget((*ids)[0], request->plan())); !allowed.ok()) return allowed;
    absl::StatusOr<std::vector<v1::PlanReview>> reviews = repository_.ListPlanReviews((*ids)[0], (*ids)[1]);
    if (!reviews.ok()) return reviews.status();
    for (v1::PlanReview& r : *reviews) *response->add_reviews() = std::move(r);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::LogCompletion(grpc::ServerContext* context, const v1::LogCompletionRequest* request,
                                            v1::CompletionLog* response) {
  return RunRpc(gate_, *context, "LogCompletion", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = ParsePlan(request->parent(), "parent");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget((*ids)[0], request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Plan> plan = repository_.GetPlan((*ids)[0], (*ids)[1]);
    if (!plan.ok()) return plan.status();
    const v1::CompletionLog& log = request->completion();
    Violations v;
    if (!names::IsUuid(request->request_id())) v.Add("request_id", "must be a UUID");
    if (log.item_index() < 0 || log.item_index() >= plan->items_size()) v.Add("completion.item_index", "is not an item of the plan");
    if (!log.has_done_date() || !timeutil::IsValidDate(log.done_date())) {
      v.Add("completion.done_date", "is required");
    } else {
      const std::string day = timeutil::ToIsoDate(log.done_date());
      if (day < timeutil::ToIsoDate(plan->start_date()) || day > timeutil::ToIsoDate(timeutil::AddDays(plan->start_date(), 7))) {
        v.Add("completion.done_date", "must fall within the plan's week (or the day after)");
      }
    }
    if (log.sets_done() < 0 || log.sets_done() > 50) v.Add("completion.sets_done", "must be 0–50");
    if (log.reps_done() < 0 || log.reps_done() > 500) v.Add("completion.reps_done", "must be 0–500");
    if (log.duration_minutes() < 0 || log.duration_minutes() > 600) v.Add("completion.duration_minutes", "must be 0–600");
    if (!(log.distance_km() >= 0 && log.distance_km() <= 200)) v.Add("completion.distance_km", "must be 0–200");
    if (log.has_pain_during() && (log.pain_during() < 0 || log.pain_during() > 10)) v.Add("completion.pain_during", "must be 0–10");
    if (log.has_effort() && (log.effort() < 0 || log.effort() > 10)) v.Add("completion.effort", "must be 0–10");
    if (absl::Status valid = v.ToStatus("INVALID_COMPLETION"); !valid.ok()) return valid;
    if (plan->state() != v1::PLAN_STATE_ACTIVE) {
      return WithReason(absl::FailedPreconditionError("only an ACTIVE plan takes completions"), "PLAN_NOT_ACTIVE");
    }
    absl::StatusOr<v1::CompletionLog> stored = repository_.LogCompletion(
        (*ids)[0], (*ids)[1], request->request_id(), plan->items(log.item_index()).category(), log);
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::GetAdherence(grpc::ServerContext* context, const v1::GetAdherenceRequest* request,
                                           v1::AdherenceSummary* response) {
  return RunRpc(gate_, *context, "GetAdherence", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = ParsePlan(request->plan(), "plan");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget((*ids)[0], request->plan())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Plan> plan = repository_.GetPlan((*ids)[0], (*ids)[1]);
    if (!plan.ok()) return plan.status();
    absl::StatusOr<std::vector<v1::CompletionLog>> logs = repository_.ListCompletionLogs((*ids)[1]);
    if (!logs.ok()) return logs.status();
    *response = ComputeAdherence(*plan, *logs);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::SetClinicianConstraints(grpc::ServerContext* context,
                                                      const v1::SetClinicianConstraintsRequest* request,
                                                      v1::ClinicianConstraints* response) {
  return RunRpc(gate_, *context, "SetClinicianConstraints", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    const v1::ClinicianConstraints& c = request->constraints();
    Violations v;
    if (c.has_max_run_km() && !(c.max_run_km() >= 0.5 && c.max_run_km() <= 100)) {
      v.Add("constraints.max_run_km", "must be 0.5–100 km");
    }
    if (c.has_cadence_target_spm() && !(c.cadence_target_spm() >= 120 && c.cadence_target_spm() <= 230)) {
      v.Add("constraints.cadence_target_spm", "must be 120–230 steps/min");
    }
    for (int i = 0; i < c.excluded_items_size(); ++i) {
      if (rules::FindExercise(c.excluded_items(i)) == nullptr) {
        v.Add(absl::StrCat("constraints.excluded_items[", i, "]"), "is not an exercise of the library");
      }
    }
    if (c.note().size() > 2000) v.Add("constraints.note", "must be at most 2000 bytes");
    if (absl::Status valid = v.ToStatus("INVALID_CONSTRAINTS"); !valid.ok()) return valid;
    absl::StatusOr<v1::ClinicianConstraints> stored = repository_.SetConstraints(*athlete, c, call.caller().subject);
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::GetClinicianConstraints(grpc::ServerContext* context,
                                                      const v1::GetClinicianConstraintsRequest* request,
                                                      v1::ClinicianConstraints* response) {
  return RunRpc(gate_, *context, "GetClinicianConstraints", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<std::optional<v1::ClinicianConstraints>> c = repository_.GetConstraints(*athlete);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return absl::NotFoundError(absl::StrCat(request->parent(), " has no clinician constraints"));
    *response = std::move(**c);
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::planning
