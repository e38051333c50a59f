#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "services/common/db_pool.h"
#include "services/common/dynamics_series.h"
#include "services/common/pagination.h"
#include "services/common/resource_names.h"
#include "services/scoring/imu/imu_gait.h"
#include "services/scoring/knee_load/knee_load.h"

namespace gaitkeeper::scoring {

// What scoring needs of a session, read from the shared store.
struct SessionForScoring {
  bool completed = false;
  int data_source = 0;  // gaitkeeper.ingestion.v1.DataSource
  int64_t start_us = 0;
  std::optional<float> duration_s;
  std::optional<float> distance_m;
  std::optional<float> height_cm;
  std::optional<float> leg_length_cm;
  DynamicsSeries series;
  // One signal per IMU sensor, gaps between batches filled with NaN (see imu::ImuSignal).
  std::vector<imu::ImuSignal> imu;
  // Sensors skipped while loading, with why (e.g. longer than kMaxImuSeconds).
  std::vector<std::string> imu_notes;
};

// IMU signals longer than this are not analysed (memory bound: 4 h at 1 kHz is ~350 MB of floats).
inline constexpr double kMaxImuSeconds = 4 * 3600;

// Key figures stored as columns beside the serialized score (for planning and trends).
struct ScoreFigures {
  std::optional<double> cadence_spm;
  std::optional<double> step_length_m;
  std::optional<double> speed_mps;
  double distance_m = 0;
  double duration_s = 0;
};

class ScoringRepository {
 public:
  explicit ScoringRepository(db::Pool& pool) : pool_(pool) {}

  // NotFound when the session does not exist; DataLoss when a stored chunk is unreadable.
  absl::StatusOr<SessionForScoring> LoadSession(const names::SessionRef& ref);

  // Stores `score` unless this session already has a score of the same algorithm version; in
  // both cases returns the stored one (the first writer wins, so concurrent scoring is safe). A new
  // score also queues, in the same transaction, a plan request for the planning service.
  absl::StatusOr<v1::GaitScore> StoreScore(const names::SessionRef& ref, int64_t session_start_us,
                                           const v1::GaitScore& score, const ScoreFigures& figures);

  // What the knee-load engine compares a session with: the athlete's scores of the 60 days before
  // `start_us` (this session excluded) and their pain reports of the 180 days before it.
  absl::StatusOr<knee_load::History> LoadHistory(const names::SessionRef& ref, int64_t start_us, int algorithm_version);

  // The athlete's newest 30 scores, newest first (NotFound when the athlete is unknown is not
  // checked here: an unknown athlete has no scores).
  absl::StatusOr<std::vector<v1::GaitScore>> RecentScores(const std::string& athlete_id, int algorithm_version);

  // The score of `algorithm_version`, or nullopt when the session is not scored (yet).
  absl::StatusOr<std::optional<v1::GaitScore>> GetScore(const names::SessionRef& ref,
                                                        int algorithm_version);

  struct ScorePage {
    std::vector<v1::GaitScore> scores;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<ScorePage> ListScores(const std::string& athlete_id, int algorithm_version,
                                       const std::optional<pagination::Cursor>& after, int page_size);

 private:
  db::Pool& pool_;
};

}  // namespace gaitkeeper::scoring
