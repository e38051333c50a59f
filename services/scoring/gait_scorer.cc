#include "services/scoring/gait_scorer.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace gaitkeeper::scoring {
namespace {

double Percentile(const std::vector<float>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

const std::vector<float>& ColumnOrEmpty(const std::vector<float>& column, size_t n) {
  static const std::vector<float> kEmpty;
  return column.size() == n ? column : kEmpty;
}

float At(const std::vector<float>& column, size_t i) { return i < column.size() ? column[i] : kMissing; }

v1::MetricSummary* AddMetric(v1::GaitScore& score, v1::Metric metric, const char* unit,
                             const Distribution& d) {
  v1::MetricSummary* m = score.add_metrics();
  m->set_metric(metric);
  m->set_unit(unit);
  m->set_median(d.median);
  m->set_p10(d.p10);
  m->set_p90(d.p90);
  m->set_sample_count(d.count);
  return m;
}

std::string ZoneSentence(const char* what, const std::string& value, v1::Zone zone) {
  // Garmin's bands rank runners from purple (top 5 %) to red (bottom 5 %) on each measure.
  const char* band = nullptr;
  switch (zone) {
    case v1::ZONE_PURPLE: band = "purple zone: top 5 % of runners"; break;
    case v1::ZONE_BLUE: band = "blue zone: 70th–95th percentile of runners"; break;
    case v1::ZONE_GREEN: band = "green zone: 30th–69th percentile, typical"; break;
    case v1::ZONE_ORANGE: band = "orange zone: 5th–29th percentile of runners"; break;
    case v1::ZONE_RED: band = "red zone: bottom 5 % of runners"; break;
    default: return absl::StrFormat("%s %s.", what, value);
  }
  return absl::StrFormat("%s %s (%s; a population band, not an injury threshold).", what, value, band);
}

}  // namespace

Gait ClassifySample(float cadence_spm, float speed_mps) {
  const bool has_cadence = Present(cadence_spm);
  const bool has_speed = Present(speed_mps);
  if ((has_cadence && cadence_spm >= kRunningCadenceSpm) || (has_speed && speed_mps >= kRunningSpeedMps)) {
    return Gait::kRunning;
  }
  const bool still_cadence = !has_cadence || cadence_spm < 40;
  const bool still_speed = !has_speed || speed_mps < 0.5;
  if (still_cadence && still_speed) return Gait::kStopped;
  return Gait::kWalking;
}

Distribution Summarize(const std::vector<float>& values, const std::vector<size_t>& selected) {
  std::vector<float> present;
  present.reserve(selected.size());
  for (size_t i : selected) {
    if (i < values.size() && Present(values[i])) present.push_back(values[i]);
  }
  Distribution d;
  d.count = static_cast<int64_t>(present.size());
  if (present.empty()) return d;
  std::sort(present.begin(), present.end());
  d.median = Percentile(present, 0.5);
  d.p10 = Percentile(present, 0.1);
  d.p90 = Percentile(present, 0.9);
  return d;
}

std::optional<Drift> ThirdsDrift(const std::vector<float>& values, const std::vector<size_t>& running) {
  const size_t third = running.size() / 3;
  if (third == 0) return std::nullopt;
  const std::vector<size_t> first(running.begin(), running.begin() + third);
  const std::vector<size_t> last(running.end() - third, running.end());
  const Distribution a = Summarize(values, first);
  const Distribution b = Summarize(values, last);
  if (a.count < 10 || b.count < 10) return std::nullopt;
  return Drift{a.median, b.median};
}

WalkingSegments FindWalkingSegments(const DynamicsSeries& series, double min_seconds) {
  WalkingSegments out;
  size_t begin = 0;
  bool in_walk = false;
  auto close = [&](size_t end) {
    const double seconds = (series.offset_ms[end - 1] - series.offset_ms[begin]) / 1000.0 + 1.0;
    if (seconds >= min_seconds) {
      ++out.count;
      out.seconds += seconds;
    }
  };
  for (size_t i = 0; i < series.size(); ++i) {
    const bool walking = ClassifySample(At(series.cadence_spm, i), At(series.speed_mps, i)) == Gait::kWalking;
    if (walking && !in_walk) begin = i;
    if (!walking && in_walk) close(i);
    in_walk = walking;
  }
  if (in_walk) close(series.size());
  return out;
}

std::vector<float> StepLengths(const DynamicsSeries& series) {
  const size_t n = series.size();
  std::vector<float> out(n, kMissing);
  for (size_t i = 0; i < n; ++i) {
    const float measured = At(series.step_length_m, i);
    const float speed = At(series.speed_mps, i);
    const float cadence = At(series.cadence_spm, i);
    if (Present(measured) && measured > 0) {
      out[i] = measured;
    } else if (Present(speed) && Present(cadence) && cadence > 0) {
      out[i] = speed / (cadence / 60.0f);
    }
  }
  return out;
}

double DistanceFromSamples(const DynamicsSeries& series) {
  for (size_t i = series.distance_m.size(); i-- > 0;) {
    if (Present(series.distance_m[i])) return series.distance_m[i];
  }
  double metres = 0;
  for (size_t i = 1; i < series.size(); ++i) {
    const float speed = At(series.speed_mps, i);
    const double dt = (series.offset_ms[i] - series.offset_ms[i - 1]) / 1000.0;
    // Gaps longer than 10 s (pauses, dropouts) are not bridged.
    if (Present(speed) && dt > 0 && dt <= 10) metres += speed * dt;
  }
  return metres;
}

double DurationFromSamples(const DynamicsSeries& series) {
  if (series.size() < 2) return 0;
  return (series.offset_ms.back() - series.offset_ms.front()) / 1000.0;
}

v1::GaitScore ScoreDynamics(const DynamicsSeries& series, const AthleteContext& athlete) {
  v1::GaitScore score;
  score.set_algorithm_version(kAlgorithmVersion);
  const size_t n = series.size();
  score.set_sample_count(static_cast<int64_t>(n));

  std::vector<size_t> running;
  int64_t walking = 0;
  for (size_t i = 0; i < n; ++i) {
    switch (ClassifySample(At(series.cadence_spm, i), At(series.speed_mps, i))) {
      case Gait::kRunning: running.push_back(i); break;
      case Gait::kWalking: ++walking; break;
      case Gait::kStopped: break;
    }
  }
  score.set_running_sample_count(static_cast<int64_t>(running.size()));
  score.set_walking_sample_count(walking);
  const WalkingSegments walks = FindWalkingSegments(series, 10);
  score.set_walking_segments(walks.count);
  score.set_walking_seconds(walks.seconds);
  if (running.empty()) return score;

  const Distribution cadence = Summarize(ColumnOrEmpty(series.cadence_spm, n), running);
  if (cadence.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_CADENCE, "steps/min", cadence);
    m->set_zone(CadenceZone(cadence.median));
    m->set_explanation(ZoneSentence("Cadence", absl::StrFormat("%.0f steps/min", cadence.median), m->zone()));
  }

  const std::vector<float> step_lengths = StepLengths(series);
  const Distribution step = Summarize(step_lengths, running);
  const Distribution speed = Summarize(ColumnOrEmpty(series.speed_mps, n), running);
  if (step.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_STEP_LENGTH, "m", step);
    m->set_zone(v1::ZONE_UNSPECIFIED);  // no published population zones for step length
    v1::StepLengthAssessment* a = score.mutable_step_length();
    a->set_step_length_m(step.median);
    a->set_speed_mps(speed.count > 0 ? speed.median : 0);
    std::string sentence = absl::StrFormat("Step length %.2f m", step.median);
    if (speed.count > 0) absl::StrAppendFormat(&sentence, " at %.1f km/h", speed.median * 3.6);
    if (athlete.height_cm.has_value() && *athlete.height_cm > 0) {
      a->set_relative_to_height(step.median / (*athlete.height_cm / 100.0));
      absl::StrAppendFormat(&sentence, " is %.0f %% of your height", a->relative_to_height() * 100);
    }
    if (cadence.count > 0 && speed.count > 0) {
      // At the same speed, step length = speed / step rate: +5–10 % cadence shortens the step.
      const double low = cadence.median * 1.05;
      const double high = cadence.median * 1.10;
      absl::StrAppendFormat(&sentence,
                            "; at the same speed, +5–10 %% cadence (%.0f → %.0f–%.0f steps/min) would "
                            "shorten it to %.2f–%.2f m.",
                            cadence.median, low, high, speed.median / (high / 60.0),
                            speed.median / (low / 60.0));
    } else {
      sentence += ".";
    }
    a->set_explanation(sentence);
    m->set_explanation(sentence);
  }

  const Distribution gct = Summarize(ColumnOrEmpty(series.ground_contact_time_ms, n), running);
  if (gct.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_GROUND_CONTACT_TIME, "ms", gct);
    m->set_zone(GroundContactTimeZone(gct.median));
    m->set_explanation(ZoneSentence("Ground contact time", absl::StrFormat("%.0f ms", gct.median), m->zone()));
  }
  const Distribution vo = Summarize(ColumnOrEmpty(series.vertical_oscillation_cm, n), running);
  if (vo.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_VERTICAL_OSCILLATION, "cm", vo);
    m->set_zone(VerticalOscillationZone(vo.median, athlete.oscillation_sensor));
    m->set_explanation(ZoneSentence("Vertical oscillation", absl::StrFormat("%.1f cm", vo.median), m->zone()));
  }
  const Distribution ratio = Summarize(ColumnOrEmpty(series.vertical_ratio_pct, n), running);
  if (ratio.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_VERTICAL_RATIO, "%", ratio);
    m->set_zone(VerticalRatioZone(ratio.median, athlete.oscillation_sensor));
    m->set_explanation(ZoneSentence("Vertical ratio", absl::StrFormat("%.1f %%", ratio.median), m->zone()));
  }
  const Distribution balance = Summarize(ColumnOrEmpty(series.gct_balance_left_pct, n), running);
  if (balance.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_GCT_BALANCE, "% left", balance);
    m->set_zone(GctBalanceZone(balance.median));
    m->set_explanation(absl::StrFormat(
        "Ground contact balance %.1f %% left / %.1f %% right (%s).", balance.median,
        100 - balance.median, balance.median >= 49.3 && balance.median <= 50.7 ? "even" : "uneven"));
  }
  if (speed.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_SPEED, "m/s", speed);
    m->set_explanation(absl::StrFormat("Running speed %.1f km/h (median).", speed.median * 3.6));
  }
  // Per speed band: cadence and step length change with speed, so compare like with like.
  if (speed.count > 0) {
    const std::vector<float>& speeds = ColumnOrEmpty(series.speed_mps, n);
    for (size_t b = 0; b + 1 < std::size(kSpeedBandEdges); ++b) {
      std::vector<size_t> in_band;
      for (size_t i : running) {
        if (Present(speeds[i]) && speeds[i] >= kSpeedBandEdges[b] && speeds[i] < kSpeedBandEdges[b + 1]) in_band.push_back(i);
      }
      if (in_band.size() < 30) continue;  // under half a minute: not a band worth reporting
      v1::SpeedBand* band = score.add_speed_bands();
      band->set_min_speed_mps(kSpeedBandEdges[b]);
      band->set_max_speed_mps(kSpeedBandEdges[b + 1]);
      band->set_sample_count(static_cast<int64_t>(in_band.size()));
      band->set_cadence_median_spm(Summarize(ColumnOrEmpty(series.cadence_spm, n), in_band).median);
      const Distribution band_step = Summarize(step_lengths, in_band);
      band->set_step_length_median_m(band_step.median);
      if (athlete.height_cm.has_value() && *athlete.height_cm > 0) {
        band->set_step_length_relative_to_height(band_step.median / (*athlete.height_cm / 100.0));
      }
      band->set_ground_contact_time_median_ms(Summarize(ColumnOrEmpty(series.ground_contact_time_ms, n), in_band).median);
    }
  }

  // Fatigue drift of cadence, contact time and oscillation (first vs last third of the running part).
  struct DriftSpec {
    v1::Metric metric;
    const char* name;
    const char* unit;
    const std::vector<float>* values;
  };
  const DriftSpec drifts[] = {
      {v1::METRIC_CADENCE, "Cadence", "steps/min", &series.cadence_spm},
      {v1::METRIC_GROUND_CONTACT_TIME, "Ground contact time", "ms", &series.ground_contact_time_ms},
      {v1::METRIC_VERTICAL_OSCILLATION, "Vertical oscillation", "cm", &series.vertical_oscillation_cm},
  };
  for (const DriftSpec& spec : drifts) {
    std::optional<Drift> d = ThirdsDrift(ColumnOrEmpty(*spec.values, n), running);
    if (!d.has_value()) continue;
    v1::MetricDrift* out = score.add_drift();
    out->set_metric(spec.metric);
    out->set_unit(spec.unit);
    out->set_first_third(d->first_third);
    out->set_last_third(d->last_third);
    out->set_change(d->last_third - d->first_third);
    out->set_change_percent(d->first_third != 0 ? 100.0 * (d->last_third - d->first_third) / d->first_third : 0);
    out->set_explanation(absl::StrFormat("%s went from %.4g to %.4g %s between the first and the last third of the run (%+.1f %%).",
                                         spec.name, d->first_third, d->last_third, spec.unit, out->change_percent()));
  }

  const Distribution hr = Summarize(ColumnOrEmpty(series.heart_rate_bpm, n), running);
  if (hr.count > 0) {
    v1::MetricSummary* m = AddMetric(score, v1::METRIC_HEART_RATE, "bpm", hr);
    m->set_explanation(absl::StrFormat("Heart rate %.0f bpm while running (median).", hr.median));
  }
  return score;
}

}  // namespace gaitkeeper::scoring
