#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "services/common/dynamics_series.h"
#include "services/scoring/zones.h"

// Gait scoring from per-second running dynamics: pure computation over arrays, no I/O.
namespace gaitkeeper::scoring {

// Bumped whenever a change alters scores; every stored score records it, so sessions can be
// re-scored and scores of different versions are never compared silently.
inline constexpr int kAlgorithmVersion = 2;  // 2: + fatigue drift, speed bands, IMU metrics, knee-load score

// A sample counts as running when cadence >= 140 spm or speed >= 2.5 m/s; as stopped when
// speed < 0.5 m/s and cadence < 40 spm (or both absent); otherwise as walking. Walking samples
// are counted and kept (run/walk is common with knee pain), but the running metrics describe
// the running part only.
inline constexpr double kRunningCadenceSpm = 140.0;
inline constexpr double kRunningSpeedMps = 2.5;

enum class Gait { kStopped, kWalking, kRunning };
Gait ClassifySample(float cadence_spm, float speed_mps);

struct Distribution {
  int64_t count = 0;
  double median = 0;
  double p10 = 0;
  double p90 = 0;
};
// Distribution of the present (non-NaN) values of `values` at the indices in `selected`;
// count 0 when none. Percentiles by linear interpolation between order statistics.
Distribution Summarize(const std::vector<float>& values, const std::vector<size_t>& selected);

struct AthleteContext {
  std::optional<double> height_cm;
  std::optional<double> leg_length_cm;
  OscillationSensor oscillation_sensor = OscillationSensor::kChest;
};

// Scores one session's dynamics. Fills metrics (cadence, step length, contact time, vertical
// oscillation and ratio, GCT balance, speed, heart rate where present), sample counts by gait,
// and the step-length assessment; name/session/timestamps are the caller's. Never fails: with
// no running samples the metrics are simply absent.
v1::GaitScore ScoreDynamics(const DynamicsSeries& series, const AthleteContext& athlete);

// First-third vs last-third medians of `values` over the running samples `running` (by order);
// nullopt when either third has fewer than 10 values.
struct Drift {
  double first_third = 0;
  double last_third = 0;
};
std::optional<Drift> ThirdsDrift(const std::vector<float>& values, const std::vector<size_t>& running);

// Speed band edges (m/s) for per-band metrics: running speeds from 2.2 m/s (8 km/h) up, in bands
// of about 1–2 km/h, so step length and cadence are compared at matched speed.
inline constexpr double kSpeedBandEdges[] = {0.0, 2.2, 2.5, 2.8, 3.1, 3.4, 3.8, 4.4, 12.0};

// Stretches of consecutive walking samples of at least `min_seconds`: their count and total
// duration (seconds, from the sample offsets).
struct WalkingSegments {
  int count = 0;
  double seconds = 0;
};
WalkingSegments FindWalkingSegments(const DynamicsSeries& series, double min_seconds);

// Step length of every sample: the measured one when present, else speed / (cadence / 60).
std::vector<float> StepLengths(const DynamicsSeries& series);

// Distance (m) and moving duration (s) of a session from its samples: the last cumulative
// distance when recorded, else speed integrated over time.
double DistanceFromSamples(const DynamicsSeries& series);
double DurationFromSamples(const DynamicsSeries& series);

}  // namespace gaitkeeper::scoring
