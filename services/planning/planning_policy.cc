#include "services/planning/planning_policy.h"

namespace gaitkeeper::planning {

using authz::Access;
using authz::Limit;

const authz::Policy& PlanningPolicy() {
  static const authz::Policy kPolicy = {
      // Scoring asks for a plan after each new score (service role); the runner may ask for the
      // next week's plan themselves.
      {.method = "GeneratePlan", .athlete = Access::kOwn, .service = Access::kAny, .limit = Limit::kWrite},
      // The runner reads their plans and logs what they did; linked clinicians read, review
      // (only plans their clinic must review: planning_repository.cc) and set constraints.
      {.method = "GetCurrentPlan", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "ListPlans", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "ReviewPlan", .clinician = Access::kLinked, .limit = Limit::kWrite},
      {.method = "ListPlanReviews", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "LogCompletion", .athlete = Access::kOwn, .limit = Limit::kWrite},
      {.method = "GetAdherence", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "SetClinicianConstraints", .clinician = Access::kLinked, .limit = Limit::kWrite},
      {.method = "GetClinicianConstraints", .athlete = Access::kOwn, .clinician = Access::kLinked},
  };
  return kPolicy;
}

}  // namespace gaitkeeper::planning
