#pragma once

#include <cstdint>
#include <vector>

#include "gaitkeeper/ingestion/v1/ingestion.pb.h"

// A synthetic running session with known ground truth, playing the companion app (and feeding
// tests and benchmarks). Deterministic for a given seed.
namespace gaitkeeper::synthetic {

struct RunProfile {
  int duration_s = 30 * 60;
  double cadence_spm = 162;          // at the start of the run
  double speed_mps = 2.8;            // ~10 km/h
  double ground_contact_time_ms = 265;
  double vertical_oscillation_cm = 9.5;
  double gct_balance_left_pct = 50.4;
  double heart_rate_bpm = 148;
  // Fatigue: cadence falls and contact time rises linearly by these fractions by the end.
  double cadence_drift = -0.03;
  double contact_time_drift = 0.05;
  // Gaussian noise, as a fraction of the value (cadence in spm is absolute).
  double cadence_noise_spm = 2.0;
  double relative_noise = 0.03;
  // A walking break of this many seconds every `walk_every_s` (0 = none): cadence ~115 spm.
  int walk_every_s = 0;
  int walk_for_s = 60;
  // Fraction of samples that lose their running-dynamics fields (dropouts).
  double dropout_fraction = 0.02;
  uint64_t seed = 42;
};

// One sample per second, offsets from 0.
std::vector<ingestion::v1::DynamicsSample> GenerateRun(const RunProfile& profile);

}  // namespace gaitkeeper::synthetic
