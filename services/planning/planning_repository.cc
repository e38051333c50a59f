#include "services/planning/planning_repository.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include <algorithm>

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

const char* StateName(v1::PlanState state) {
  switch (state) {
    case v1::PLAN_STATE_DRAFT: return "DRAFT";
    case v1::PLAN_STATE_REJECTED: return "REJECTED";
    default: return "ACTIVE";
  }
}

absl::Status AthleteNotFound(const std::string& athlete_id) {
  return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
}

}  // namespace

absl::StatusOr<rules::PlanRulesInputs> PlanningRepository::LoadInputs(const std::string& athlete_id,
                                                                      const common::v1::Date& start_date,
                                                                      std::string* review_clinic_id) {
  using Inputs = rules::PlanRulesInputs;
  return db::RunInTransaction<Inputs>(pool_, "load_planning_inputs", [&](pqxx::work& tx) -> absl::StatusOr<Inputs> {
    pqxx::result athlete = tx.exec_prepared(q::kPlanningAthleteExists, athlete_id);
    if (athlete.empty()) return AthleteNotFound(athlete_id);
    pqxx::result link = tx.exec_prepared(q::kPlanningActiveCareLink, athlete_id);
    *review_clinic_id = link.empty() ? "" : link[0]["clinic_id"].c_str();
    Inputs inputs;
    inputs.start_date = absl::CivilDay(start_date.year(), start_date.month(), start_date.day());
    inputs.profile.painful_side = static_cast<common::v1::Side>(athlete[0]["painful_side"].as<int>());
    const int64_t midnight = MidnightMicros(start_date);
    pqxx::result score = tx.exec_prepared(q::kPlanningLatestGaitScore, athlete_id, midnight);
    if (!score.empty()) {
      scoring::v1::GaitScore parsed;
      if (!parsed.ParseFromString(db::BytesOf(score[0]["result"]))) {
        return absl::DataLossError("a stored gait score is unreadable");
      }
      inputs.latest_score = rules::SummarizeScore(parsed);
    }
    const std::string day = timeutil::ToIsoDate(start_date);
    for (const pqxx::row& row : tx.exec_prepared(q::kPlanningPainReports28d, athlete_id, day)) {
      rules::PainReport report;
      if (!absl::ParseCivilTime(row["report_date"].c_str(), &report.date)) continue;
      report.during = db::Optional<int>(row["pain_during"]);
      report.after = db::Optional<int>(row["pain_after"]);
      report.next_morning = db::Optional<int>(row["pain_next_morning"]);
      report.night_pain = row["night_pain"].as<bool>();
      report.rest_pain = row["rest_pain"].as<bool>();
      report.swelling = row["swelling"].as<bool>();
      report.locking = row["locking"].as<bool>();
      report.giving_way = row["giving_way"].as<bool>();
      report.session_distance_km = db::Optional<double>(row["session_km"]);
      inputs.pain_reports.push_back(report);
    }
    for (const pqxx::row& row : tx.exec_prepared(q::kPlanningRecentRuns, athlete_id, midnight)) {
      rules::RunRecord run;
      if (!absl::ParseCivilTime(row["run_date"].c_str(), &run.date)) continue;
      run.distance_km = row["km"].as<double>();
      run.duration = absl::Seconds(row["seconds"].as<double>());
      inputs.recent_runs.push_back(run);
    }
    std::sort(inputs.recent_runs.begin(), inputs.recent_runs.end(),
              [](const rules::RunRecord& a, const rules::RunRecord& b) { return a.date < b.date; });
    inputs.longest_run_prev_30d_km = tx.exec_prepared1(q::kPlanningLongestRun30d, athlete_id, midnight)[0].as<double>();
    pqxx::result constraints = tx.exec_prepared(q::kPlanningGetConstraints, athlete_id);
    if (!constraints.empty()) {
      v1::ClinicianConstraints c;
      if (!c.ParseFromString(db::BytesOf(constraints[0]["constraints"]))) {
        return absl::DataLossError("stored clinician constraints are unreadable");
      }
      if (c.has_max_run_km()) inputs.clinician.max_run_km = c.max_run_km();
      inputs.clinician.excluded_keys.insert(c.excluded_items().begin(), c.excluded_items().end());
      if (c.has_cadence_target_spm()) inputs.clinician.cadence_target_spm = c.cadence_target_spm();
      inputs.clinician.note = c.note();
    }
    pqxx::result previous = tx.exec_prepared(q::kPlanningPreviousPlan, athlete_id, day);
    if (!previous.empty()) {
      absl::StatusOr<v1::Plan> plan = PlanFromRow(previous[0]);
      if (!plan.ok()) return plan.status();
      inputs.previous_plan = rules::SummarizePlan(*plan);
      std::vector<v1::CompletionLog> logs;
      for (const pqxx::row& row : tx.exec_prepared(q::kPlanningListCompletionLogs, previous[0]["id"].c_str())) {
        v1::CompletionLog log;
        if (!log.ParseFromString(db::BytesOf(row["log"]))) return absl::DataLossError("a stored log is unreadable");
        logs.push_back(std::move(log));
      }
      inputs.adherence = rules::ComputeAdherence(*plan, logs);
    }
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
  const char* state = StateName(plan.state());
  std::optional<std::string> review_clinic;
  if (!plan.review_clinic().empty()) review_clinic = plan.review_clinic().substr(std::string("clinics/").size());
  return db::RunInTransaction<v1::Plan>(pool_, "store_plan", [&](pqxx::work& tx) -> absl::StatusOr<v1::Plan> {
    pqxx::result inserted = tx.exec_prepared(q::kPlanningInsertPlan, plan_id, athlete_id, request_id,
                                             plan.generator_version(), state, timeutil::ToIsoDate(plan.start_date()),
                                             db::Bytes(inputs), db::Bytes(bytes), review_clinic);
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
    const std::string& athlete_id, v1::PlanState state, const std::optional<pagination::Cursor>& after, int page_size) {
  std::optional<std::string> state_filter;
  if (state != v1::PLAN_STATE_UNSPECIFIED) state_filter = StateName(state);
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<PlanPage>(pool_, "list_plans", [&](pqxx::work& tx) -> absl::StatusOr<PlanPage> {
    if (tx.exec_prepared(q::kPlanningAthleteExists, athlete_id).empty()) return AthleteNotFound(athlete_id);
    pqxx::result rows = tx.exec_prepared(q::kPlanningListPlans, athlete_id, after_us, after_id, page_size + 1, state_filter);
    PlanPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      absl::StatusOr<v1::Plan> plan = PlanFromRow(rows[i]);
      if (!plan.ok()) return plan.status();
      page.plans.push_back(std::move(*plan));
    }
    page.next = db::NextPageCursor(rows, page_size, "create_us");
    return page;
  });
}

absl::StatusOr<v1::Plan> PlanningRepository::GetPlan(const std::string& athlete_id, const std::string& plan_id) {
  return db::RunInTransaction<v1::Plan>(pool_, "get_plan", [&](pqxx::work& tx) -> absl::StatusOr<v1::Plan> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningGetPlan, plan_id, athlete_id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat(names::Plan(athlete_id, plan_id), " not found"));
    return PlanFromRow(rows[0]);
  });
}

absl::StatusOr<v1::Plan> PlanningRepository::ReviewPlan(
    const std::string& athlete_id, const std::string& plan_id, const std::string& request_id,
    const v1::PlanReview& review, const std::string& reviewer_clinic_id,
    const std::function<absl::StatusOr<v1::Plan>(const v1::Plan&)>& edit) {
  return db::RunInTransaction<v1::Plan>(pool_, "review_plan", [&](pqxx::work& tx) -> absl::StatusOr<v1::Plan> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningLockPlan, plan_id, athlete_id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat(names::Plan(athlete_id, plan_id), " not found"));
    absl::StatusOr<v1::Plan> current = PlanFromRow(rows[0]);
    if (!current.ok()) return current.status();
    if (!reviewer_clinic_id.empty() && current->review_clinic() != absl::StrCat("clinics/", reviewer_clinic_id)) {
      return WithReason(absl::PermissionDeniedError("only the clinic that must review this plan may review it"),
                        "NOT_REVIEWING_CLINIC");
    }
    pqxx::result replay = tx.exec_prepared(q::kPlanningFindReviewByRequest, request_id);
    if (!replay.empty()) {
      if (absl::string_view(replay[0]["plan_id"].c_str()) != plan_id) {
        return WithReason(absl::AlreadyExistsError("request_id was already used to review another plan"), "REQUEST_ID_REUSED");
      }
      return current;
    }
    if (current->state() != v1::PLAN_STATE_DRAFT) {
      return WithReason(absl::FailedPreconditionError("only a DRAFT plan can be reviewed"), "PLAN_NOT_DRAFT");
    }
    v1::Plan updated = *current;
    switch (review.action()) {
      case v1::REVIEW_ACTION_APPROVE: updated.set_state(v1::PLAN_STATE_ACTIVE); break;
      case v1::REVIEW_ACTION_REJECT: updated.set_state(v1::PLAN_STATE_REJECTED); break;
      default: {
        absl::StatusOr<v1::Plan> edited = edit(*current);
        if (!edited.ok()) return edited.status();
        updated = std::move(*edited);
      }
    }
    const google::protobuf::Timestamp create_time = updated.create_time();
    updated.clear_create_time();
    const char* action = review.action() == v1::REVIEW_ACTION_APPROVE ? "APPROVE"
                         : review.action() == v1::REVIEW_ACTION_REJECT ? "REJECT" : "EDIT";
    tx.exec_prepared(q::kPlanningUpdatePlan, plan_id, StateName(updated.state()), db::Bytes(updated.SerializeAsString()));
    tx.exec_prepared(q::kPlanningInsertPlanReview, plan_id, request_id, action, review.actor(), review.actor_role(),
                     review.reason(), db::Bytes(review.SerializeAsString()));
    *updated.mutable_create_time() = create_time;
    return updated;
  });
}

absl::StatusOr<std::vector<v1::PlanReview>> PlanningRepository::ListPlanReviews(const std::string& athlete_id,
                                                                              const std::string& plan_id) {
  using Result = std::vector<v1::PlanReview>;
  return db::RunInTransaction<Result>(pool_, "list_plan_reviews", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    if (tx.exec_prepared(q::kPlanningGetPlan, plan_id, athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Plan(athlete_id, plan_id), " not found"));
    }
    Result out;
    for (const pqxx::row& row : tx.exec_prepared(q::kPlanningListPlanReviews, plan_id)) {
      v1::PlanReview review;
      if (!review.ParseFromString(db::BytesOf(row["review"]))) return absl::DataLossError("a stored review is unreadable");
      *review.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
      out.push_back(std::move(review));
    }
    return out;
  });
}

absl::StatusOr<v1::CompletionLog> PlanningRepository::LogCompletion(const std::string& athlete_id,
                                                                    const std::string& plan_id,
                                                                    const std::string& request_id,
                                                                    v1::ItemCategory category,
                                                                    const v1::CompletionLog& log) {
  const std::string id = names::NewUuid();
  v1::CompletionLog stored = log;
  stored.set_name(absl::StrCat(names::Plan(athlete_id, plan_id), "/completions/", id));
  stored.clear_create_time();
  const std::string fingerprint = absl::StrCat(plan_id, "|", log.SerializeAsString());
  return db::RunInTransaction<v1::CompletionLog>(pool_, "log_completion", [&](pqxx::work& tx) -> absl::StatusOr<v1::CompletionLog> {
    pqxx::result inserted = tx.exec_prepared(q::kPlanningInsertCompletionLog, id, plan_id, athlete_id, request_id,
                                             db::Bytes(fingerprint), log.item_index(), static_cast<int>(category),
                                             timeutil::ToIsoDate(log.done_date()), db::Bytes(stored.SerializeAsString()));
    v1::CompletionLog out;
    if (!inserted.empty()) {
      out = stored;
      *out.mutable_create_time() = timeutil::FromMicros(inserted[0]["create_us"].as<int64_t>());
      return out;
    }
    pqxx::result existing = tx.exec_prepared(q::kPlanningFindCompletionByRequest, request_id, db::Bytes(fingerprint));
    if (existing.empty()) return absl::AbortedError("concurrent log; retry");
    if (!existing[0]["same_payload"].as<bool>()) {
      return WithReason(absl::AlreadyExistsError("request_id was already used for another completion"), "REQUEST_ID_REUSED");
    }
    if (!out.ParseFromString(db::BytesOf(existing[0]["log"]))) return absl::DataLossError("a stored log is unreadable");
    *out.mutable_create_time() = timeutil::FromMicros(existing[0]["create_us"].as<int64_t>());
    return out;
  });
}

absl::StatusOr<std::vector<v1::CompletionLog>> PlanningRepository::ListCompletionLogs(const std::string& plan_id) {
  using Result = std::vector<v1::CompletionLog>;
  return db::RunInTransaction<Result>(pool_, "list_completion_logs", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    Result out;
    for (const pqxx::row& row : tx.exec_prepared(q::kPlanningListCompletionLogs, plan_id)) {
      v1::CompletionLog log;
      if (!log.ParseFromString(db::BytesOf(row["log"]))) return absl::DataLossError("a stored log is unreadable");
      out.push_back(std::move(log));
    }
    return out;
  });
}

absl::StatusOr<v1::ClinicianConstraints> PlanningRepository::SetConstraints(const std::string& athlete_id,
                                                                          const v1::ClinicianConstraints& constraints,
                                                                          const std::string& updated_by) {
  v1::ClinicianConstraints stored = constraints;
  stored.set_name(absl::StrCat(names::Athlete(athlete_id), "/clinicianConstraints"));
  stored.set_updated_by(updated_by);
  stored.clear_update_time();
  return db::RunInTransaction<v1::ClinicianConstraints>(pool_, "set_constraints", [&](pqxx::work& tx) -> absl::StatusOr<v1::ClinicianConstraints> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningUpsertConstraints, athlete_id, db::Bytes(stored.SerializeAsString()), updated_by);
    if (rows.empty()) return AthleteNotFound(athlete_id);
    v1::ClinicianConstraints out = stored;
    *out.mutable_update_time() = timeutil::FromMicros(rows[0]["update_us"].as<int64_t>());
    return out;
  });
}

absl::StatusOr<std::optional<v1::ClinicianConstraints>> PlanningRepository::GetConstraints(const std::string& athlete_id) {
  using Result = std::optional<v1::ClinicianConstraints>;
  return db::RunInTransaction<Result>(pool_, "get_constraints", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    pqxx::result rows = tx.exec_prepared(q::kPlanningGetConstraints, athlete_id);
    if (rows.empty()) return Result();
    v1::ClinicianConstraints out;
    if (!out.ParseFromString(db::BytesOf(rows[0]["constraints"]))) return absl::DataLossError("stored constraints are unreadable");
    *out.mutable_update_time() = timeutil::FromMicros(rows[0]["update_us"].as<int64_t>());
    return Result(std::move(out));
  });
}

}  // namespace gaitkeeper::planning
