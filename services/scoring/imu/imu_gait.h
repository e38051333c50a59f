#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

// Running gait from raw IMU samples: pure computation (arrays in, numbers out, no I/O).
//
// Every metric is a Metric<T>: an optional value, how far to trust it (Confidence), how it was
// obtained (method) and, when absent, why (missing_reason). The expected errors quoted below are
// of two kinds, kept apart on purpose: figures from ../shared/domain/EVIDENCE.md, and
// figures measured by tests/unit/imu_gait_test.cc on synthetic signals of known ground truth
// (tests/support/imu_synth.h). The synthetic figures say the code does what it claims under the
// generator's model; they are not a validation against force plates or motion capture.
namespace gaitkeeper::scoring::imu {

// Bumped whenever a change alters results, like scoring::kAlgorithmVersion.
inline constexpr int kImuAlgorithmVersion = 1;

enum class Placement { kFootLeft, kFootRight, kShinLeft, kShinRight, kPelvis, kWrist, kPhone };

// One sensor of one session at a constant rate.
//
// Sensor frame: for foot, shin and pelvis, z is about vertical (+1 g at rest), x forward
// (anterior), y lateral. Pitch convention for gy (foot and shin): positive when the segment
// rotates toe-up / swings forward, so the mid-swing peak of a stride is positive, the push-off
// before toe-off is negative and a heel-first (rearfoot) contact is followed by a negative
// "foot slap". A sensor mounted the other way round must be sign-flipped by the caller.
//
// Dropouts: a constant-rate array cannot skip samples, so a lost sample must be stored as NaN
// (preferred; on any accelerometer or gyroscope axis) or as exactly 0 on all three accelerometer
// axes; such samples are treated as gaps and no event, interval or window spans a gap.
//
// kPhone is analysed like kWrist (hand-held or on an arm band: arm swing dominates).
struct ImuSignal {
  Placement placement = Placement::kPelvis;
  double rate_hz = 0;          // 50..1000
  double accel_range_g = 16;   // |a| on an axis at >= 99.5 % of this counts as clipped
  double start_offset_s = 0;   // time of the first sample from the session start
  std::vector<float> ax, ay, az;  // g
  std::vector<float> gx, gy, gz;  // deg/s; all empty without a gyroscope
};

enum class Confidence { kHigh, kMedium, kLow };

template <typename T>
struct Metric {
  std::optional<T> value;
  Confidence confidence = Confidence::kLow;  // meaningful only with a value
  std::string method;                        // how the value is obtained
  std::string missing_reason;                // non-empty exactly when value is nullopt
};

// Percentiles by linear interpolation between order statistics (as scoring::Summarize).
struct Distribution {
  int64_t count = 0;
  double median = 0;
  double p10 = 0;
  double p90 = 0;
};

enum class GaitKind { kRunning, kWalking };
enum class FootStrike { kRearfoot, kMidfoot, kForefoot };

// One detected initial contact of the instrumented limb (foot, shin), of either foot (pelvis), or
// one arm-swing cycle (wrist, phone: timed at its largest stance pulse, not at initial contact).
// Times are seconds from the session start.
struct ImuContact {
  double time_s = 0;
  GaitKind gait = GaitKind::kRunning;
  std::optional<double> toe_off_s;
  // Stride time: to the next contact (foot, shin, wrist, phone; with a gyroscope, between the
  // mid-swing peaks around this contact, which time it more precisely) or to the contact after
  // next (pelvis). Cadence of this contact = 120 / stride_s, which is immune to left/right
  // differences in step time or in where a step is timed.
  std::optional<float> stride_s;
  // Step time: to the next contact (pelvis), or half the stride (foot, shin, wrist, phone;
  // assumes equal left and right step times).
  std::optional<float> step_s;
  std::optional<float> contact_ms;  // toe-off - contact
  std::optional<float> flight_ms;   // step time - contact time (negative: double support)
  std::optional<float> peak_g;      // peak resultant acceleration around contact
  bool clipped = false;             // peak_g is then a lower bound
  std::optional<FootStrike> strike;
  std::optional<float> contact_pitch_velocity_dps;  // mean gy over the first 20 ms of contact
  std::optional<float> strike_angle_deg;  // foot pitch at contact relative to foot-flat
};

struct CadenceWindow {
  double start_s = 0;      // window start from the session start; windows are kCadenceWindowS
  double cadence_spm = 0;  // median cadence of the running contacts in the window
  int64_t contacts = 0;    // running contacts in the window
};

struct FootStrikeSummary {
  int64_t rearfoot = 0;  // running contacts of each pattern
  int64_t midfoot = 0;
  int64_t forefoot = 0;
  FootStrike dominant = FootStrike::kRearfoot;  // the most frequent
};

// Last third vs first third of the running contacts (by count, in time order).
struct Drift {
  double first_third = 0;  // median over the first third
  double last_third = 0;   // median over the last third
  double change = 0;       // last - first, in the metric's unit
  double change_percent = 0;
};

struct ImuMetrics {
  // InvalidArgument for a malformed signal (see ValidateImuSignal); everything below is then
  // empty and every metric says why.
  absl::Status input_status;
  Placement placement = Placement::kPelvis;
  double duration_s = 0;        // samples / rate, gaps included
  double gap_duration_s = 0;    // samples lost to dropouts
  int64_t gap_count = 0;
  // 2 for a single foot or shin sensor, which sees one contact per stride of its own limb
  // (steps = 2 x strides of that limb), and for wrist and phone (one contact per arm-swing cycle);
  // 1 for the pelvis.
  int steps_per_contact = 1;
  std::vector<ImuContact> contacts;
  // Steps (contacts x steps_per_contact). Running: flight phase present (step time > contact
  // time) where contact time is measured (foot with gyroscope, pelvis); otherwise cadence >=
  // kRunningCadenceSpm. Walking steps are counted, never dropped (EVIDENCE.md section 1: runners
  // in pain often run/walk below 140 spm), but the metrics below describe running steps only.
  int64_t running_steps = 0;
  int64_t walking_steps = 0;

  // Cadence in steps/min over running steps: 120 / stride time per contact. Synthetic: median
  // within 1 spm at 100 and 500 Hz (foot, pelvis), within 2 spm at the wrist. EVIDENCE.md gives
  // no IMU step-detection error. Wrist and phone count arm-swing cycles, which assumes one arm
  // cycle per stride (medium confidence at best); synthetic walking steps there are counted
  // within 10 %.
  Metric<Distribution> cadence_spm;
  std::vector<CadenceWindow> cadence_windows;  // kCadenceWindowS windows with >= 3 contacts

  // Ground contact time (ms). Foot with gyroscope: toe-off at the push-off minimum of the pitch
  // angular velocity (EVIDENCE.md section 1: "contact/toe-off from pitch angular velocity
  // minima"); initial contact at the onset of the impact in the acceleration magnitude, because
  // the pitch-velocity minimum after contact lags it by the foot slap (~20-30 ms) for rearfoot
  // strikers and precedes it for forefoot strikers (the gyro minimum is the fallback when no
  // impact is found, with lower confidence). Synthetic: median within 5 ms, 90 % of contacts
  // within 15 ms at 500 Hz. Pelvis: edges of the stance hump of the acceleration magnitude
  // extrapolated to the flight level (free fall reads ~0 g); EVIDENCE.md section 1 expects about
  // +-20 ms; synthetic median within 6 ms at 100 Hz (optimistic: the pelvis model is the
  // centre-of-mass force through a soft-tissue filter). Shin, wrist, phone and a foot without
  // gyroscope: nullopt with the reason.
  Metric<Distribution> contact_time_ms;
  // Flight time (ms) = step time - contact time, so it carries the contact-time error; for a
  // single foot it assumes equal left and right step times.
  Metric<Distribution> flight_time_ms;

  // Peak resultant acceleration (g) per running contact: foot and shin within [-10, +60] ms of
  // contact, pelvis over the stance. EVIDENCE.md section 1: needs >= 200 Hz, >= 500 Hz for heel
  // transients; shin peaks reach ~25 g, above a +-16 g range. Below 100 Hz: nullopt; 100-199 Hz:
  // low confidence; any clipped contact: low confidence and the values are lower bounds.
  // Synthetic: median within 10 % at 500 Hz unclipped (measured 2-5 % low for foot and shin,
  // from sampling and the sensor's anti-alias filter); about 25 % low at 100 Hz (foot). Wrist and
  // phone: nullopt (arm swing, not lower-limb load). Loading rate is deliberately not computed (EVIDENCE.md: limits of
  // agreement beyond +-65 %).
  Metric<Distribution> peak_impact_g;
  int64_t clipped_contacts = 0;  // running contacts whose impact window reached the range
  double clipped_fraction = 0;   // of running contacts with an impact value

  // Foot strike, foot sensor with gyroscope only. Rearfoot when the mean pitch angular velocity
  // over the first 20 ms of contact is below 0 deg/s (EVIDENCE.md section 1: a 0 deg/s cut-off
  // separated rearfoot from the others 92 % of the time). Others: forefoot when the strike angle
  // (gyro-integrated pitch from contact to foot-flat) is below -0.8 deg, else midfoot; -0.8 deg
  // is Mo et al. 2021 (Res Sports Med; motion-capture foot-strike angle vs the strike index, not
  // in EVIDENCE.md, not validated for IMU angles): a weaker split, hence low confidence when the
  // dominant pattern is midfoot or forefoot, medium when rearfoot (low below 200 Hz). Synthetic:
  // rearfoot and forefoot >= 95 % of contacts right; a midfoot landing with a slightly positive
  // (heel-first) angle has a small negative pitch velocity and is called rearfoot by the
  // EVIDENCE.md cut-off (most synthetic midfoot contacts are), so "rearfoot" includes flat
  // landings.
  Metric<FootStrikeSummary> foot_strike;

  // Fatigue drift (needs >= kMinDriftContacts running contacts spanning >= kMinDriftSpanS).
  Metric<Drift> cadence_drift;       // spm
  Metric<Drift> contact_time_drift;  // ms
  Metric<Drift> impact_drift;        // g
};

// Symmetry index SI = 100 * (L - R) / ((L + R) / 2) of the per-side medians (Robinson et al.
// 1987); positive when the left value is larger. left_share_percent = 100 * L / (L + R) is
// comparable with the GCT-balance zones of EVIDENCE.md section 2 (green within 50.7 % either way).
struct SideComparison {
  double left = 0;
  double right = 0;
  double symmetry_index_percent = 0;
  double left_share_percent = 0;
};

struct AsymmetryMetrics {
  Metric<SideComparison> contact_time_ms;  // synthetic: SI within 2 points for a 6 % asymmetry
  Metric<SideComparison> peak_impact_g;
};

inline constexpr double kMinRateHz = 50;
inline constexpr double kMaxRateHz = 1000;
inline constexpr double kClipFraction = 0.995;
inline constexpr double kCadenceWindowS = 10;
// Same threshold as scoring::kRunningCadenceSpm (gait_scorer.h), for sensors without contact time.
inline constexpr double kRunningCadenceSpm = 140;
inline constexpr int64_t kMinDriftContacts = 30;
inline constexpr double kMinDriftSpanS = 60;

// Returns InvalidArgument when the rate is outside [kMinRateHz, kMaxRateHz], the range is not
// positive, the accelerometer axes differ in length, or the gyroscope axes are neither all empty
// nor all as long as the accelerometer's.
absl::Status ValidateImuSignal(const ImuSignal& signal);

// Analyses one sensor. Never fails and never throws: a malformed signal gives input_status !=
// OK; a short (< 4 s gap-free), flat, aperiodic or dropout-ridden signal gives nullopt metrics
// with reasons. Linear in the number of samples; allocates per call, not per sample.
ImuMetrics AnalyzeImu(const ImuSignal& signal);

// Left/right comparison of two analyses of the same session: (kFootLeft, kFootRight) or
// (kShinLeft, kShinRight). Anything else, or a side without the metric, gives nullopt with the
// reason. Confidence is the lower of the two sides'.
AsymmetryMetrics CompareSides(const ImuMetrics& left, const ImuMetrics& right);

}  // namespace gaitkeeper::scoring::imu
