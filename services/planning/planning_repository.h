#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "services/common/db_pool.h"
#include "services/common/pagination.h"
#include "services/planning/plan_generator.h"

namespace gaitkeeper::planning {

class PlanningRepository {
 public:
  explicit PlanningRepository(db::Pool& pool) : pool_(pool) {}

  // Everything plan generation reads for `athlete_id` as of `start_date`. NotFound when the
  // athlete does not exist.
  absl::StatusOr<PlanningInputs> LoadInputs(const std::string& athlete_id, const common::v1::Date& start_date);

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
  absl::StatusOr<PlanPage> ListPlans(const std::string& athlete_id, const std::optional<pagination::Cursor>& after,
                                     int page_size);

 private:
  db::Pool& pool_;
};

}  // namespace gaitkeeper::planning
