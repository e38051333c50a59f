#pragma once

#include <cstdint>
#include <vector>

#include "services/scoring/imu/imu_gait.h"

// Synthetic IMU recordings of running (and walking) with known ground truth, for the tests and
// the benchmark of services/scoring/imu.
//
// The model is built step by step from kinematics and forces, not from the detector's rules:
// - a step schedule alternating feet, with step-to-step jitter, linear fatigue drift, per-foot
//   contact-time and impact asymmetry, running and walking bouts;
// - foot and shin: the sagittal pitch angle is a sum of smooth raised-cosine angular-velocity
//   pulses per stride (contact rotation, push-off, swing, pre-contact), with the strike pattern
//   setting the angle at contact (rearfoot heel-first: positive angle, negative "slap" velocity
//   after contact; forefoot: negative angle, positive heel-drop velocity; midfoot: about flat);
//   the segment's linear acceleration comes from a swing trajectory, rotation about heel/toe
//   pivots (foot) or the knee (shin), and an impact pulse at contact (broad component plus, for
//   rearfoot, a sharp heel transient); gravity is projected through the pitch;
// - pelvis and wrist: specific force = summed ground reaction force / body mass of both feet
//   (running: skewed half-sine with a rearfoot impact bump; walking: double hump, so double
//   support and the absence of flight emerge), through a soft-tissue second-order filter; the
//   wrist adds a pendulum arm swing at stride frequency;
// - sensor: mounting tilt of a few degrees (fixed rotation), bias and slow baseline wander,
//   white noise, a first-order anti-alias filter at 0.45 x rate, sampling from a >= 2 kHz
//   internal signal, clipping at the range, 16-bit quantisation, dropouts (NaN or zeros).
//
// Assumptions that the tests therefore cannot check: toe-off is within a few ms of the push-off
// minimum of the foot's pitch velocity (the generator places it there, per EVIDENCE.md section
// 1), the pelvis sees the centre-of-mass force, and the chosen pulse shapes.
namespace gaitkeeper::test_support {

enum class StrikePattern { kRearfoot, kMidfoot, kForefoot };

struct GaitBout {
  bool running = true;
  double duration_s = 60;
};

// Samples lost in transmission, stored as NaN or, with as_zero, as exact zeros (both are gaps to
// AnalyzeImu).
struct Dropout {
  double start_s = 0;
  double duration_s = 0;
  bool as_zero = false;
};

struct SynthConfig {
  scoring::imu::Placement placement = scoring::imu::Placement::kFootLeft;
  double rate_hz = 500;
  double accel_range_g = 16;
  bool gyroscope = true;
  double start_offset_s = 0;
  // Consecutive bouts; the recording lasts their total.
  std::vector<GaitBout> bouts = {GaitBout{}};

  // Running, at the start of the running time; drifts are the change by its end (linear).
  double cadence_spm = 170;
  double contact_ms = 240;
  double cadence_drift_spm = 0;
  double contact_drift_ms = 0;
  double impact_drift_g = 0;
  StrikePattern strike = StrikePattern::kRearfoot;
  // Amplitude of the impact pulse at a foot or shin sensor (g above the rest of the signal).
  double impact_g = 8;
  // Relative left-right differences: left = base * (1 + a / 2), right = base * (1 - a / 2).
  double contact_asymmetry = 0;
  double impact_asymmetry = 0;
  double jitter = 0.015;  // relative SD of step time, contact time and impact, step to step

  // Walking.
  double walk_cadence_spm = 112;
  double walk_duty_factor = 0.62;  // contact time / stride time (> 0.5: double support)

  // Sensor.
  double accel_noise_g = 0.03;
  double gyro_noise_dps = 4;
  double tilt_deg = 4;      // mounting misalignment scale (roll, pitch, yaw of this order)
  double wander_g = 0.03;   // baseline wander amplitude per accelerometer axis
  double wander_dps = 3;    // gyroscope bias wander amplitude
  std::vector<Dropout> dropouts;
  uint64_t seed = 1;  // the step schedule depends on the seed only, not on the placement
};

// Ground truth of one step (either foot). Times in seconds from the session start.
struct TrueStep {
  double contact_s = 0;
  double toe_off_s = 0;
  double step_s = 0;  // to the next step's contact
  bool left = true;
  bool running = true;
  StrikePattern strike = StrikePattern::kRearfoot;
  double contact_ms = 0;
  double flight_ms = 0;  // step_s - contact time (negative while walking)
  // Peak resultant specific force at the sensor, before noise and sensor filtering: foot and
  // shin within [-10, +60] ms of contact of the instrumented limb's steps, pelvis over the
  // stance of every step; NaN where not defined (other limb, wrist).
  double peak_g = 0;
};

struct SynthRecording {
  scoring::imu::ImuSignal signal;
  std::vector<TrueStep> steps;  // every step whose contact lies within the recording
};

SynthRecording Synthesize(const SynthConfig& config);

// True when a step belongs to the limb a foot or shin placement instruments (always for others).
bool OnInstrumentedLimb(scoring::imu::Placement placement, const TrueStep& step);

}  // namespace gaitkeeper::test_support
