#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "services/common/db_pool.h"
#include "services/common/pagination.h"
#include "services/planning/plan_rules.h"

namespace gaitkeeper::planning {

class PlanningRepository {
 public:
  explicit PlanningRepository(db::Pool& pool) : pool_(pool) {}

  // Everything plan generation reads for `athlete_id` as of `start_date`: the newest score, 28 days
  // of pain reports (with red flags and the linked run's distance), the runs and the longest run of
  // the previous 30 days, the plan in force and its adherence, the painful side. NotFound when the
  // athlete does not exist. Clinician constraints are not stored yet (empty).
  // Also sets *review_clinic_id to the clinic that must review the athlete's plans ("" when the
  // athlete has no active care link).
  absl::StatusOr<rules::PlanRulesInputs> LoadInputs(const std::string& athlete_id, const common::v1::Date& start_date,
                                                    std::string* review_clinic_id);

  // Stores `plan` (its name already set from `plan_id`) under request_id. A repeat returns the
  // stored plan; a request_id already used for another athlete is AlreadyExists.
  absl::StatusOr<v1::Plan> StorePlan(const std::string& athlete_id, const std::string& plan_id,
                                     const std::string& request_id, const v1::Plan& plan);

  // The stored plan of a request_id, if any (checked before generating, so a repeat is cheap).
  absl::StatusOr<std::optional<v1::Plan>> FindByRequest(const std::string& athlete_id, const std::string& request_id);

  // NotFound when the athlete has no plan.
  absl::StatusOr<v1::Plan> CurrentPlan(const std::string& athlete_id);

  struct PlanPage {
    std::vector<v1::Plan> plans;
    std::optional<pagination::Cursor> next;
  };
  // `state` UNSPECIFIED lists every state.
  absl::StatusOr<PlanPage> ListPlans(const std::string& athlete_id, v1::PlanState state,
                                     const std::optional<pagination::Cursor>& after, int page_size);

  // Applies a clinician's review to a DRAFT plan under a row lock and records it (who, role, why,
  // edits). `edit` computes the new plan for EDIT; it may refuse with a status. Idempotent on
  // request_id (a repeat returns the plan as it is now). FailedPrecondition PLAN_NOT_DRAFT when the
  // plan is no longer a draft. PermissionDenied NOT_REVIEWING_CLINIC when reviewer_clinic_id is set
  // and is not the clinic that must review the plan.
  absl::StatusOr<v1::Plan> ReviewPlan(const std::string& athlete_id, const std::string& plan_id,
                                      const std::string& request_id, const v1::PlanReview& review,
                                      const std::string& reviewer_clinic_id,
                                      const std::function<absl::StatusOr<v1::Plan>(const v1::Plan&)>& edit);
  absl::StatusOr<std::vector<v1::PlanReview>> ListPlanReviews(const std::string& athlete_id, const std::string& plan_id);

  // The plan (any state), NotFound when absent.
  absl::StatusOr<v1::Plan> GetPlan(const std::string& athlete_id, const std::string& plan_id);
  // Idempotent on request_id (same payload returns the stored log, another is AlreadyExists).
  absl::StatusOr<v1::CompletionLog> LogCompletion(const std::string& athlete_id, const std::string& plan_id,
                                                  const std::string& request_id, v1::ItemCategory category,
                                                  const v1::CompletionLog& log);
  absl::StatusOr<std::vector<v1::CompletionLog>> ListCompletionLogs(const std::string& plan_id);

  // Replaces the athlete's constraints (the old value is kept). NotFound for an unknown athlete.
  absl::StatusOr<v1::ClinicianConstraints> SetConstraints(const std::string& athlete_id,
                                                          const v1::ClinicianConstraints& constraints,
                                                          const std::string& updated_by);
  // nullopt when none were set.
  absl::StatusOr<std::optional<v1::ClinicianConstraints>> GetConstraints(const std::string& athlete_id);

 private:
  db::Pool& pool_;
};

}  // namespace gaitkeeper::planning
