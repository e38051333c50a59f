// gaitkeeper-score-bench: end-to-end time to score a 60-minute session including its database
// reads, split into the read (ScoringRepository::LoadSession) and the computation (dynamics
// scorer + IMU analysis), each repeated --repeats times (median reported). The session is written
// first through the real ingestion repository. Needs a migrated database (--database_url, app role).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/cli/synthetic_session.h"
#include "services/common/db_pool.h"
#include "services/common/flags.h"
#include "services/common/resource_names.h"
#include "services/common/time_util.h"
#include "services/ingestion/ingestion_repository.h"
#include "services/scoring/gait_scorer.h"
#include "services/scoring/imu_summary.h"
#include "services/scoring/scoring_repository.h"
#include "tests/support/imu_synth.h"

namespace gaitkeeper::bench {
namespace {

namespace ing = ingestion::v1;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Run(const Flags& flags) {
  const int minutes = static_cast<int>(flags.GetInt("minutes"));
  const double rate = static_cast<double>(flags.GetInt("imu_rate_hz"));
  db::Pool pool({.url = flags.GetString("database_url"), .size = 2,
                 .query_prefixes = {"ingestion/", "common/", "scoring/"}});
  ingestion::IngestionRepository ingestion(pool);
  scoring::ScoringRepository scoring(pool);

  // Everything below is one athlete's data: the tenancy scope an authorised call of theirs would
  // run in (row-level security hides every athlete row outside it).
  const std::string athlete_id = names::NewUuid();
  db::ScopeGuard scope({.athlete_id = athlete_id, .clinic_id = ""});

  // Write the session: per-second dynamics and one foot IMU with gyroscope at `rate`.
  ing::Athlete athlete_in;
  athlete_in.set_height_cm(175);
  absl::StatusOr<ing::Athlete> athlete = ingestion.CreateAthlete(athlete_id, names::NewUuid(), athlete_in);
  if (!athlete.ok()) {
    std::fprintf(stderr, "%s\n", athlete.status().ToString().c_str());
    return 1;
  }
  ing::Session session_in;
  *session_in.mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 7200LL * 1000000);
  absl::StatusOr<ing::Session> session = ingestion.CreateSession(athlete_id, names::NewUuid(), session_in);
  if (!session.ok()) return 1;
  const names::SessionRef ref = *names::ParseSession(session->name(), "session");
  synthetic::RunProfile profile;
  profile.duration_s = minutes * 60;
  const std::vector<ing::DynamicsSample> run = synthetic::GenerateRun(profile);
  for (size_t b = 0; b < run.size(); b += 3600) {
    ing::UploadSamplesRequest batch;
    for (size_t i = b; i < std::min(run.size(), b + 3600); ++i) *batch.add_samples() = run[i];
    if (!ingestion.AppendBatch(ref, static_cast<int64_t>(b / 3600 + 1), batch).ok()) return 1;
  }
  test_support::SynthConfig config;
  config.placement = scoring::imu::Placement::kFootRight;
  config.rate_hz = rate;
  config.bouts = {test_support::GaitBout{.running = true, .duration_s = minutes * 60.0}};
  const scoring::imu::ImuSignal signal = test_support::Synthesize(config).signal;
  const size_t per_batch = 10000;
  for (size_t b = 0; b < signal.ax.size(); b += per_batch) {
    ing::UploadImuSamplesRequest r;
    r.set_sequence(static_cast<int64_t>(b / per_batch + 1));
    r.mutable_stream()->set_placement(ing::SENSOR_PLACEMENT_FOOT_RIGHT);
    r.mutable_stream()->set_rate_hz(static_cast<float>(rate));
    r.mutable_stream()->set_accel_range_g(16);
    r.mutable_stream()->set_has_gyroscope(true);
    r.mutable_stream()->set_gyro_range_dps(2000);
    r.set_start_offset_us(static_cast<uint64_t>(b * 1e6 / rate));
    const size_t end = std::min(signal.ax.size(), b + per_batch);
    for (size_t i = b; i < end; ++i) {
      r.add_accel_x_g(signal.ax[i]);
      r.add_accel_y_g(signal.ay[i]);
      r.add_accel_z_g(signal.az[i]);
      r.add_gyro_x_dps(std::clamp(signal.gx[i], -2000.0f, 2000.0f));
      r.add_gyro_y_dps(std::clamp(signal.gy[i], -2000.0f, 2000.0f));
      r.add_gyro_z_dps(std::clamp(signal.gz[i], -2000.0f, 2000.0f));
    }
    if (!ingestion.AppendImuBatch(ref, r, 0).ok()) return 1;
  }

  std::vector<double> read_ms, dynamics_ms, imu_ms;
  for (int i = 0; i < flags.GetInt("repeats"); ++i) {
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<scoring::SessionForScoring> loaded = scoring.LoadSession(ref);
    const Clock::time_point t1 = Clock::now();
    if (!loaded.ok() || loaded->imu.size() != 1) return 1;
    scoring::v1::GaitScore score = scoring::ScoreDynamics(loaded->series, scoring::AthleteContext{});
    const Clock::time_point t2 = Clock::now();
    scoring::AddImuMetrics(loaded->imu, &score);
    const Clock::time_point t3 = Clock::now();
    read_ms.push_back(Ms(t1 - t0));
    dynamics_ms.push_back(Ms(t2 - t1));
    imu_ms.push_back(Ms(t3 - t2));
  }
  const double imu_samples = static_cast<double>(signal.ax.size());
  absl::PrintF(
      "score-e2e minutes=%d imu_rate_hz=%.0f dynamics_samples=%d imu_samples=%.0f read_ms=%.1f "
      "dynamics_compute_ms=%.1f imu_compute_ms=%.1f compute_over_read=%.2f\n",
      minutes, rate, run.size(), imu_samples, Median(read_ms), Median(dynamics_ms), Median(imu_ms),
      (Median(dynamics_ms) + Median(imu_ms)) / Median(read_ms));
  return 0;
}

}  // namespace
}  // namespace gaitkeeper::bench

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  Flags flags("gaitkeeper-score-bench");
  flags.AddString("database_url", "GK_DATABASE_URL", "", "the migrated database (application role)");
  flags.AddInt("minutes", "GK_BENCH_MINUTES", 60, 1, 240, "session length");
  flags.AddInt("imu_rate_hz", "GK_BENCH_IMU_RATE_HZ", 500, 50, 1000, "IMU sample rate");
  flags.AddInt("repeats", "GK_BENCH_REPEATS", 5, 1, 100, "timed repetitions (median reported)");
  absl::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok() || flags.GetString("database_url").empty()) {
    std::fprintf(stderr, "gaitkeeper-score-bench: --database_url is required\n");
    return 2;
  }
  return bench::Run(flags);
}
