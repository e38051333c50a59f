#include "services/scoring/scoring_repository.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "services/common/outbox.h"
#include "services/common/status.h"
#include "services/scoring/planning_handoff.h"
#include "services/common/time_util.h"

namespace gaitkeeper::scoring {
namespace {

namespace q = db::query;

// 1 = per-second running dynamics (see session_sample_chunks.kind).
constexpr int kDynamicsKind = 1;

absl::StatusOr<v1::GaitScore> ScoreFromRow(const pqxx::row& row) {
  v1::GaitScore score;
  if (!score.ParseFromString(db::BytesOf(row["result"]))) {
    return absl::DataLossError("a stored gait score is unreadable");
  }
  *score.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  return score;
}

}  // namespace

absl::StatusOr<SessionForScoring> ScoringRepository::LoadSession(const names::SessionRef& ref) {
  return db::RunInTransaction<SessionForScoring>(pool_, "load_session_for_scoring", [&](pqxx::work& tx) -> absl::StatusOr<SessionForScoring> {
    pqxx::result rows = tx.exec_prepared(q::kScoringGetSessionForScoring, ref.session_id, ref.athlete_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    SessionForScoring out;
    out.completed = absl::string_view(rows[0]["state"].c_str()) == "COMPLETED";
    out.start_us = rows[0]["start_us"].as<int64_t>();
    out.duration_s = db::Optional<float>(rows[0]["duration_s"]);
    out.distance_m = db::Optional<float>(rows[0]["distance_m"]);
    out.height_cm = db::Optional<float>(rows[0]["height_cm"]);
    out.leg_length_cm = db::Optional<float>(rows[0]["leg_length_cm"]);
    common::v1::DynamicsChunk chunk;
    for (const pqxx::row& row : tx.exec_prepared(q::kScoringLoadSampleChunks, ref.session_id, kDynamicsKind)) {
      pqxx::binarystring bytes(row["payload"]);
      if (!chunk.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::DataLossError("a stored sample chunk is unreadable");
      }
      absl::Status appended = AppendChunk(chunk, &out.series);
      if (!appended.ok()) return appended;
    }
    return out;
  });
}

absl::StatusOr<v1::GaitScore> ScoringRepository::StoreScore(const names::SessionRef& ref,
                                                            int64_t session_start_us,
                                                            const v1::GaitScore& score,
                                                            const ScoreFigures& figures) {
  const std::string result = score.SerializeAsString();
  return db::RunInTransaction<v1::GaitScore>(pool_, "store_score", [&](pqxx::work& tx) -> absl::StatusOr<v1::GaitScore> {
    pqxx::result inserted =
        tx.exec_prepared(q::kScoringInsertGaitScore, ref.session_id, ref.athlete_id, score.algorithm_version(),
                         session_start_us, figures.cadence_spm, figures.step_length_m, figures.speed_mps,
                         figures.distance_m, figures.duration_s, db::Bytes(result));
    if (!inserted.empty()) {
      // A new score changes the runner's picture: planning prepares the next plan from it, starting
      // the day after the session. The score's id makes the plan request idempotent.
      planning::v1::GeneratePlanRequest plan;
      plan.set_parent(names::Athlete(ref.athlete_id));
      plan.set_request_id(inserted[0]["id"].c_str());
      *plan.mutable_start_date() = timeutil::AddDays(timeutil::DateOfMicros(session_start_us), 1);
      outbox::Enqueue(tx, kPlanOnScoreTopic, plan.SerializeAsString());
    }
    pqxx::result rows = tx.exec_prepared(q::kScoringGetGaitScore, ref.session_id, ref.athlete_id,
                                         score.algorithm_version());
    if (rows.empty()) return absl::InternalError("stored score vanished");
    return ScoreFromRow(rows[0]);
  });
}

absl::StatusOr<std::optional<v1::GaitScore>> ScoringRepository::GetScore(const names::SessionRef& ref,
                                                                          int algorithm_version) {
  using Result = std::optional<v1::GaitScore>;
  return db::RunInTransaction<Result>(pool_, "get_score", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    pqxx::result rows = tx.exec_prepared(q::kScoringGetGaitScore, ref.session_id, ref.athlete_id, algorithm_version);
    if (rows.empty()) return Result();
    absl::StatusOr<v1::GaitScore> score = ScoreFromRow(rows[0]);
    if (!score.ok()) return score.status();
    return Result(std::move(*score));
  });
}

absl::StatusOr<ScoringRepository::ScorePage> ScoringRepository::ListScores(
    const std::string& athlete_id, int algorithm_version, const std::optional<pagination::Cursor>& after,
    int page_size) {
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
  return db::RunInTransaction<ScorePage>(pool_, "list_scores", [&](pqxx::work& tx) -> absl::StatusOr<ScorePage> {
    pqxx::result rows = tx.exec_prepared(q::kScoringListGaitScores, athlete_id, algorithm_version, after_us,
                                         after_id, page_size + 1);
    ScorePage page;
    for (int i = 0; i < static_cast<int>(rows.size()) && i < page_size; ++i) {
      absl::StatusOr<v1::GaitScore> score = ScoreFromRow(rows[i]);
      if (!score.ok()) return score.status();
      page.scores.push_back(std::move(*score));
    }
    if (static_cast<int>(rows.size()) > page_size) {
      const pqxx::row& last = rows[page_size - 1];
      page.next = pagination::Cursor{last["start_us"].c_str(), last["id"].c_str()};
    }
    return page;
  });
}

}  // namespace gaitkeeper::scoring
