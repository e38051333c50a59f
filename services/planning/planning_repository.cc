#include "services/planning/planning_repository.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "db/sql_catalog.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::planning {
namespace {

namespace q = db::query;

absl::StatusOr<v1::Plan> PlanFromRow(const pqxx::row& row) {
  v1::Plan plan;
  if (!plan.ParseFromString(db::BytesOf(row["plan"]))) return absl::DataLossError("a stored plan is unreadable");
  *plan.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  return plan;
}

int64_t MidnightMicros(const common::v1::Date& date) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilDay(date.year(), date.month(), date.day()), absl::UTCTimeZone()));
}

absl::Status AthleteNotFound(const std::string& athlete_id) {
  return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
}

}  // namespace

absl::StatusOr<PlanningInputs> PlanningRepository::LoadInputs(const std::string& athlete_id,
                                                              const common::v1::Date& start_date) {
  return db::RunInTransaction<PlanningInputs>(pool_, "load_planning_inputs", [&](pqxx::work& tx) -> absl::StatusOr<PlanningInputs> {
    if (tx.exec_prepared(q::kPlanningAthleteExists, athlete_id).empty()) return AthleteNotFound(athlete_id);
    PlanningInputs inputs;
    inputs.start_date = start_date;
    pqxx::result score = tx.exec_prepared(q::kPlanningLatestGaitScore, athlete_id);
    if (!score.empty()) {
      scoring::v1::GaitScore parsed;
      if (!parsed.ParseFromString(db::BytesOf(score[0]["result"]))) {
        return absl::DataLossError("a stored gait score is unreadable");
      }
      inputs.latest_score = std::move(parsed);
    }
    for (const pqxx::row& row : tx.exec_prepared(q::kPlanningRecentPainReports, athlete_id,
                                                 timeutil::ToIsoDate(start_date))) {
      PainEntry entry;
      absl::StatusOr<common::v1::Date> date = timeutil::ParseIsoDate(row["report_date"].c_str());
      if (date.ok()) entry.date = *date;
      entry.during = db::Optional<int>(row["pain_during"]);
      entry.after = db::Optional<int>(row["pain_after"]);
      entry.next_morning = db::Optional<int>(row["pain_next_morning"]);
      inputs.recent_pain.push_back(entry);
    }
    inputs.longest_run_last_30d_km =
        tx.exec_prepared1(q::kPlanningLongestRun30d, athlete_id, MidnightMicros(start_date))[0].as<double>();
    return inputs;
  });
}

absl::StatusOr<std::optional<v1::Plan>> PlanningRepository::FindByRequest(const std::string& athlete_id,
                                                                          const std::string& request_id) {
  using Result = std::optional<v1::Plan>;
  return db::RunInTransaction<Result>(pool_, "find_plan", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningFindPlanByRequest, request_id);
    if (rows.empty()) return Result();
    if (absl::string_view(rows[0]["athlete_id"].c_str()) != athlete_id) {
      return WithReason(absl::AlreadyExistsError("request_id was already used for another athlete's plan"),
                        "REQUEST_ID_REUSED");
    }
    absl::StatusOr<v1::Plan> plan = PlanFromRow(rows[0]);
    if (!plan.ok()) return plan.status();
    return Result(std::move(*plan));
  });
}

absl::StatusOr<v1::Plan> PlanningRepository::StorePlan(const std::string& athlete_id, const std::string& plan_id,
                                                       const std::string& request_id, const v1::Plan& plan) {
  const std::string bytes = plan.SerializeAsString();
  const std::string inputs = plan.inputs().SerializeAsString();
  const char* state = plan.state() == v1::PLAN_STATE_DRAFT ? "DRAFT" : "ACTIVE";
  return db::RunInTransaction<v1::Plan>(pool_, "store_plan", [&](pqxx::work& tx) -> absl::StatusOr<v1::Plan> {
    pqxx::result inserted = tx.exec_prepared(q::kPlanningInsertPlan, plan_id, athlete_id, request_id,
                                             plan.generator_version(), state, timeutil::ToIsoDate(plan.start_date()),
                                             db::Bytes(inputs), db::Bytes(bytes));
    if (!inserted.empty()) {
      v1::Plan stored = plan;
      *stored.mutable_create_time() = timeutil::FromMicros(inserted[0]["create_us"].as<int64_t>());
      return stored;
    }
    // A concurrent request with the same request_id won: return its plan.
    pqxx::result rows = tx.exec_prepared(q::kPlanningFindPlanByRequest, request_id);
    if (rows.empty()) return absl::AbortedError("concurrent plan generation; retry");
    if (absl::string_view(rows[0]["athlete_id"].c_str()) != athlete_id) {
      return WithReason(absl::AlreadyExistsError("request_id was already used for another athlete's plan"),
                        "REQUEST_ID_REUSED");
    }
    return PlanFromRow(rows[0]);
  });
}

absl::StatusOr<v1::Plan> PlanningRepository::CurrentPlan(const std::string& athlete_id) {
  return db::RunInTransaction<v1::Plan>(pool_, "current_plan", [&](pqxx::work& tx) -> absl::StatusOr<v1::Plan> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningCurrentPlan, athlete_id);
    if (rows.empty()) {
      if (tx.exec_prepared(q::kPlanningAthleteExists, athlete_id).empty()) return AthleteNotFound(athlete_id);
      return WithReason(absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " has no plan yet")), "NO_PLAN_YET");
    }
    return PlanFromRow(rows[0]);
  });
}

absl::StatusOr<PlanningRepository::PlanPage> PlanningRepository::ListPlans(
    const std::string& athlete_id, const std::optional<pagination::Cursor>& after, int page_size) {
  std::optional<int64_t> after_us;
  std::optional<std::string> after_id;
  if (after.has_value()) {
    int64_t us = 0;
    if (!absl::SimpleAtoi(after->key, &us) || !names::IsUuid(after->id)) {
      return InvalidArgumentWithFields("INVALID_PAGE_TOKEN", {{"page_token", "is malformed"}});
    }
    after_us = us;
    after_id = after->id;
  }
  return db::RunInTransaction<PlanPage>(pool_, "list_plans", [&](pqxx::work& tx) -> absl::StatusOr<PlanPage> {
    if (tx.exec_prepared(q::kPlanningAthleteExists, athlete_id).empty()) return AthleteNotFound(athlete_id);
    pqxx::result rows = tx.exec_prepared(q::kPlanningListPlans, athlete_id, after_us, after_id, page_size + 1);
    PlanPage page;
    for (int i = 0; i < static_cast<int>(rows.size()) && i < page_size; ++i) {
      absl::StatusOr<v1::Plan> plan = PlanFromRow(rows[i]);
      if (!plan.ok()) return plan.status();
      page.plans.push_back(std::move(*plan));
    }
    if (static_cast<int>(rows.size()) > page_size) {
      const pqxx::row& last = rows[page_size - 1];
      page.next = pagination::Cursor{last["create_us"].c_str(), last["id"].c_str()};
    }
    return page;
  });
}

}  // namespace gaitkeeper::planning
