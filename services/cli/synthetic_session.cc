#include "services/cli/synthetic_session.h"

#include <algorithm>
#include <random>

namespace gaitkeeper::synthetic {

std::vector<ingestion::v1::DynamicsSample> GenerateRun(const RunProfile& p) {
  std::mt19937_64 rng(p.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<ingestion::v1::DynamicsSample> out;
  out.reserve(p.duration_s);
  double distance = 0;
  for (int t = 0; t < p.duration_s; ++t) {
    const double progress = p.duration_s > 1 ? static_cast<double>(t) / (p.duration_s - 1) : 0;
    const bool walking = p.walk_every_s > 0 && t > 0 && (t % p.walk_every_s) < p.walk_for_s &&
                         t >= p.walk_every_s;
    double cadence = p.cadence_spm * (1 + p.cadence_drift * progress) + p.cadence_noise_spm * normal(rng);
    double speed = p.speed_mps * (1 + p.relative_noise * normal(rng));
    double gct = p.ground_contact_time_ms * (1 + p.contact_time_drift * progress) * (1 + p.relative_noise * normal(rng));
    double vo = p.vertical_oscillation_cm * (1 + p.relative_noise * normal(rng));
    double hr = p.heart_rate_bpm + 10 * progress + 2 * normal(rng);
    if (walking) {
      cadence = 115 + 3 * normal(rng);
      speed = 1.5 * (1 + p.relative_noise * normal(rng));
      gct = 600 * (1 + p.relative_noise * normal(rng));
      vo = 4.0 * (1 + p.relative_noise * normal(rng));
      hr -= 25;
    }
    speed = std::max(0.0, speed);
    distance += speed;
    ingestion::v1::DynamicsSample s;
    s.set_offset_ms(static_cast<uint32_t>(t) * 1000);
    s.set_speed_mps(static_cast<float>(speed));
    s.set_distance_m(static_cast<float>(distance));
    s.set_heart_rate_bpm(static_cast<float>(std::clamp(hr, 40.0, 220.0)));
    if (uniform(rng) >= p.dropout_fraction) {
      const double step_length = speed / (cadence / 60.0);
      s.set_cadence_spm(static_cast<float>(std::clamp(cadence, 60.0, 250.0)));
      s.set_step_length_m(static_cast<float>(std::clamp(step_length, 0.2, 2.5)));
      s.set_ground_contact_time_ms(static_cast<float>(std::clamp(gct, 120.0, 1200.0)));
      s.set_vertical_oscillation_cm(static_cast<float>(std::clamp(vo, 2.0, 20.0)));
      s.set_vertical_ratio_pct(static_cast<float>(std::clamp(vo / (step_length * 100.0) * 100.0, 1.0, 29.0)));
      s.set_gct_balance_left_pct(static_cast<float>(std::clamp(p.gct_balance_left_pct + 0.4 * normal(rng), 40.0, 60.0)));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gaitkeeper::synthetic
