#include "services/scoring/scoring_repository.h"

#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "services/common/outbox.h"
#include "services/common/status.h"
#include "services/scoring/knee_load_adapter.h"
#include "services/scoring/planning_handoff.h"
#include "services/common/time_util.h"

namespace gaitkeeper::scoring {
namespace {

namespace q = db::query;

// 1 = per-second running dynamics (see session_sample_chunks.kind).
constexpr int kDynamicsKind = 1;

imu::Placement PlacementOf(int placement) {
  // Values of gaitkeeper.ingestion.v1.SensorPlacement.
  switch (placement) {
    case 1: return imu::Placement::kFootLeft;
    case 2: return imu::Placement::kFootRight;
    case 3: return imu::Placement::kShinLeft;
    case 4: return imu::Placement::kShinRight;
    case 5: return imu::Placement::kPelvis;
    case 6: return imu::Placement::kWrist;
    default: return imu::Placement::kPhone;
  }
}

// Concatenates a sensor's batches into one constant-rate signal; a gap between batches becomes
// NaN samples (dropouts), so no event spans it.
absl::Status LoadImuStream(pqxx::work& tx, const pqxx::row& stream, SessionForScoring* out) {
  imu::ImuSignal signal;
  signal.placement = PlacementOf(stream["placement"].as<int>());
  signal.rate_hz = stream["rate_hz"].as<double>();
  signal.accel_range_g = stream["accel_range_g"].as<double>();
  const bool gyro = stream["has_gyroscope"].as<bool>();
  const double max_samples = kMaxImuSeconds * signal.rate_hz;
  common::v1::ImuChunk chunk;
  int64_t next_index = -1;
  for (const pqxx::row& row : tx.exec_prepared(q::kScoringLoadImuChunks, stream["id"].c_str())) {
    pqxx::binarystring bytes(row["payload"]);
    if (!chunk.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError("a stored IMU chunk is unreadable");
    }
    const int64_t first_index = std::llround(static_cast<double>(chunk.start_offset_us()) * signal.rate_hz / 1e6);
    if (next_index < 0) {
      signal.start_offset_s = chunk.start_offset_us() / 1e6;
      next_index = first_index;
    }
    if (first_index - next_index + static_cast<double>(signal.ax.size()) + chunk.accel_x_g_size() > max_samples) {
      out->imu_notes.push_back(absl::StrCat("an IMU sensor longer than ", kMaxImuSeconds / 3600, " h was not analysed"));
      return absl::OkStatus();
    }
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int64_t i = next_index; i < first_index; ++i) {  // dropout between batches
      for (auto* axis : {&signal.ax, &signal.ay, &signal.az}) axis->push_back(nan);
      if (gyro) {
        for (auto* axis : {&signal.gx, &signal.gy, &signal.gz}) axis->push_back(nan);
      }
    }
    signal.ax.insert(signal.ax.end(), chunk.accel_x_g().begin(), chunk.accel_x_g().end());
    signal.ay.insert(signal.ay.end(), chunk.accel_y_g().begin(), chunk.accel_y_g().end());
    signal.az.insert(signal.az.end(), chunk.accel_z_g().begin(), chunk.accel_z_g().end());
    if (gyro) {
      signal.gx.insert(signal.gx.end(), chunk.gyro_x_dps().begin(), chunk.gyro_x_dps().end());
      signal.gy.insert(signal.gy.end(), chunk.gyro_y_dps().begin(), chunk.gyro_y_dps().end());
      signal.gz.insert(signal.gz.end(), chunk.gyro_z_dps().begin(), chunk.gyro_z_dps().end());
    }
    next_index = std::max(next_index, first_index) + chunk.accel_x_g_size();
  }
  if (!signal.ax.empty()) out->imu.push_back(std::move(signal));
  return absl::OkStatus();
}

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
    out.data_source = rows[0]["source"].as<int>();
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
    for (const pqxx::row& stream : tx.exec_prepared(q::kScoringListImuStreams, ref.session_id)) {
      absl::Status loaded = LoadImuStream(tx, stream, &out);
      if (!loaded.ok()) return loaded;
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

absl::StatusOr<knee_load::History> ScoringRepository::LoadHistory(const names::SessionRef& ref, int64_t start_us,
                                                                 int algorithm_version) {
  return db::RunInTransaction<knee_load::History>(pool_, "load_history", [&](pqxx::work& tx) -> absl::StatusOr<knee_load::History> {
    knee_load::History history;
    for (const pqxx::row& row : tx.exec_prepared(q::kScoringHistoryScores, ref.athlete_id, algorithm_version, start_us,
                                                 ref.session_id)) {
      v1::GaitScore score;
      if (!score.ParseFromString(db::BytesOf(row["result"]))) return absl::DataLossError("a stored gait score is unreadable");
      history.sessions.push_back(FiguresFromScore(score, row["start_us"].as<int64_t>() / 1000000,
                                                  db::Optional<double>(row["distance_m"]),
                                                  db::Optional<double>(row["duration_s"]), knee_load::DataSource::kUnknown));
    }
    for (const pqxx::row& row : tx.exec_prepared(q::kScoringHistoryPain, ref.athlete_id, start_us)) {
      knee_load::PainReport report;
      report.date_s = row["date_s"].as<int64_t>();
      report.during = db::Optional<double>(row["pain_during"]);
      report.after = db::Optional<double>(row["pain_after"]);
      report.next_morning = db::Optional<double>(row["pain_next_morning"]);
      report.session_start_s = db::Optional<int64_t>(row["session_start_s"]);
      history.pain_reports.push_back(report);
    }
    return history;
  });
}

absl::StatusOr<std::vector<v1::GaitScore>> ScoringRepository::RecentScores(const std::string& athlete_id,
                                                                          int algorithm_version) {
  using Result = std::vector<v1::GaitScore>;
  return db::RunInTransaction<Result>(pool_, "recent_scores", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    Result out;
    for (const pqxx::row& row : tx.exec_prepared(q::kScoringRecentScores, athlete_id, algorithm_version)) {
      absl::StatusOr<v1::GaitScore> score = ScoreFromRow(row);
      if (!score.ok()) return score.status();
      out.push_back(std::move(*score));
    }
    return out;
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
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<ScorePage>(pool_, "list_scores", [&](pqxx::work& tx) -> absl::StatusOr<ScorePage> {
    pqxx::result rows = tx.exec_prepared(q::kScoringListGaitScores, athlete_id, algorithm_version, after_us,
                                         after_id, page_size + 1);
    ScorePage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      absl::StatusOr<v1::GaitScore> score = ScoreFromRow(rows[i]);
      if (!score.ok()) return score.status();
      page.scores.push_back(std::move(*score));
    }
    page.next = db::NextPageCursor(rows, page_size, "start_us");
    return page;
  });
}

}  // namespace gaitkeeper::scoring
