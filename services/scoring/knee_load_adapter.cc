#include "services/scoring/knee_load_adapter.h"

namespace gaitkeeper::scoring {
namespace {

using knee_load::DataSource;

const v1::MetricSummary* FindMetric(const v1::GaitScore& score, v1::Metric metric) {
  for (const auto& m : score.metrics()) {
    if (m.metric() == metric && m.sample_count() > 0) return &m;
  }
  return nullptr;
}

const v1::MetricDrift* FindDrift(const google::protobuf::RepeatedPtrField<v1::MetricDrift>& drifts, v1::Metric metric) {
  for (const auto& d : drifts) {
    if (d.metric() == metric) return &d;
  }
  return nullptr;
}

DataSource SourceOfPlacement(const std::string& placement) {
  if (placement == "shin_left" || placement == "shin_right") return DataSource::kShinImu;
  if (placement == "foot_left" || placement == "foot_right") return DataSource::kFootImu;
  if (placement == "pelvis") return DataSource::kPelvisImu;
  if (placement == "wrist") return DataSource::kWatchWrist;
  return DataSource::kPhone;
}

int ImpactPreference(const std::string& placement) {
  switch (SourceOfPlacement(placement)) {
    case DataSource::kShinImu: return 0;
    case DataSource::kFootImu: return 1;
    case DataSource::kPelvisImu: return 2;
    default: return 3;
  }
}

// Stable identifiers for the API (the engine's names are for people).
const char* SpikeBandId(knee_load::SpikeBand band) {
  switch (band) {
    case knee_load::SpikeBand::kNoDistance: return "no_distance";
    case knee_load::SpikeBand::kNoBaseline: return "no_baseline";
    case knee_load::SpikeBand::kNone: return "none";
    case knee_load::SpikeBand::k10To30: return "10_to_30";
    case knee_load::SpikeBand::k30To100: return "30_to_100";
    case knee_load::SpikeBand::kOver100: return "over_100";
  }
  return "";
}

v1::Confidence ToProto(knee_load::Confidence c) {
  switch (c) {
    case knee_load::Confidence::kHigh: return v1::CONFIDENCE_HIGH;
    case knee_load::Confidence::kMedium: return v1::CONFIDENCE_MEDIUM;
    case knee_load::Confidence::kLow: return v1::CONFIDENCE_LOW;
  }
  return v1::CONFIDENCE_UNSPECIFIED;
}

}  // namespace

DataSource SourceFromSession(int data_source) {
  switch (data_source) {
    case 2: return DataSource::kWatchWrist;   // DATA_SOURCE_WATCH
    case 3: return DataSource::kFootPod;      // DATA_SOURCE_FOOT_POD
    case 4: return DataSource::kChestStrap;   // DATA_SOURCE_CHEST_STRAP
    case 5: return DataSource::kFileImport;   // DATA_SOURCE_FILE_IMPORT
    default: return DataSource::kUnknown;     // companion app or unspecified
  }
}

knee_load::SessionFigures FiguresFromScore(const v1::GaitScore& score, int64_t start_s, std::optional<double> distance_m,
                                           std::optional<double> duration_s, DataSource source) {
  knee_load::SessionFigures f;
  f.start_time_s = start_s;
  f.distance_m = distance_m;
  f.duration_s = duration_s;
  f.source = source;
  f.running_sample_count = score.running_sample_count();
  if (const auto* m = FindMetric(score, v1::METRIC_SPEED)) f.median_speed_mps = m->median();
  if (const auto* m = FindMetric(score, v1::METRIC_CADENCE)) {
    f.cadence_median_spm = m->median();
    f.cadence_p10_spm = m->p10();
    f.cadence_p90_spm = m->p90();
  }
  if (const auto* m = FindMetric(score, v1::METRIC_STEP_LENGTH)) f.step_length_m = m->median();
  if (const auto* m = FindMetric(score, v1::METRIC_GROUND_CONTACT_TIME)) f.ground_contact_time_ms = m->median();
  if (const auto* m = FindMetric(score, v1::METRIC_GCT_BALANCE)) f.gct_balance_left_pct = m->median();
  if (const auto* m = FindMetric(score, v1::METRIC_VERTICAL_OSCILLATION)) f.vertical_oscillation_cm = m->median();
  if (const auto* m = FindMetric(score, v1::METRIC_VERTICAL_RATIO)) f.vertical_ratio_pct = m->median();
  if (const auto* d = FindDrift(score.drift(), v1::METRIC_CADENCE)) {
    f.cadence_first_third_spm = d->first_third();
    f.cadence_last_third_spm = d->last_third();
  }
  if (const auto* d = FindDrift(score.drift(), v1::METRIC_GROUND_CONTACT_TIME)) {
    f.gct_first_third_ms = d->first_third();
    f.gct_last_third_ms = d->last_third();
  }
  if (const auto* d = FindDrift(score.drift(), v1::METRIC_VERTICAL_OSCILLATION)) {
    f.vo_first_third_cm = d->first_third();
    f.vo_last_third_cm = d->last_third();
  }
  // IMU: impact from the best-placed sensor that has it; foot strike from a foot sensor.
  const v1::ImuSensorMetrics* impact = nullptr;
  for (const auto& imu : score.imu()) {
    if (imu.peak_impact_g().present() && (impact == nullptr || ImpactPreference(imu.placement()) < ImpactPreference(impact->placement()))) {
      impact = &imu;
    }
    if (imu.foot_strike().present() && !f.foot_strikes.has_value()) {
      f.foot_strikes = knee_load::FootStrikeCounts{imu.foot_strike().rearfoot(), imu.foot_strike().midfoot(),
                                                   imu.foot_strike().forefoot()};
      f.sources.foot_strike = SourceOfPlacement(imu.placement());
    }
  }
  if (impact != nullptr) {
    f.peak_impact_median_g = impact->peak_impact_g().median();
    f.peak_impact_p90_g = impact->peak_impact_g().p90();
    f.impact_clipped_fraction = impact->clipped_fraction();
    f.impact_step_count = impact->peak_impact_g().count();
    f.imu_rate_hz = impact->rate_hz();
    f.sources.impact = SourceOfPlacement(impact->placement());
  }
  for (const auto& a : score.asymmetry()) {
    if (a.metric() == "contact_time_ms") f.contact_time_asymmetry_pct = a.symmetry_index_percent();
    if (a.metric() == "peak_impact_g") f.impact_asymmetry_pct = a.symmetry_index_percent();
    f.sources.asymmetry = a.pair() == "shins" ? DataSource::kShinImu : DataSource::kFootImu;
  }
  return f;
}

v1::KneeLoad ToProto(const knee_load::KneeLoadResult& r) {
  v1::KneeLoad out;
  out.set_version(r.version);
  if (r.total.has_value()) out.set_total(*r.total);
  out.set_factors_scored(r.factors_scored);
  out.set_completeness(r.completeness);
  out.set_confidence(ToProto(r.confidence));
  out.set_explanation(r.explanation);
  for (const knee_load::FactorScore& f : r.factors) {
    v1::KneeLoadFactor* p = out.add_factors();
    p->set_factor(knee_load::FactorName(f.factor));
    if (f.value.has_value()) p->set_value(*f.value);
    p->set_unit(f.unit);
    p->set_band(f.band);
    if (f.sub_score.has_value()) p->set_sub_score(*f.sub_score);
    p->set_weight(f.weight);
    p->set_contribution(f.contribution);
    if (f.baseline.has_value()) p->set_baseline(f.baseline->median);
    p->set_baseline_sessions(f.baseline_sessions);
    p->set_confidence(ToProto(f.confidence));
    p->set_confidence_reason(f.confidence_reason);
    p->set_modifiable(f.modifiable);
    p->set_explanation(f.explanation);
  }
  if (r.top_factor.has_value()) out.set_top_factor(knee_load::FactorName(*r.top_factor));
  out.set_top_factor_advice(r.top_factor_advice);
  v1::RunningLoad* load = out.mutable_running_load();
  if (r.load.distance_m.has_value()) load->set_distance_m(*r.load.distance_m);
  if (r.load.duration_s.has_value()) load->set_duration_s(*r.load.duration_s);
  load->set_spike_band(SpikeBandId(r.load.spike.band));
  if (r.load.spike.longest_previous_m.has_value()) load->set_longest_previous_m(*r.load.spike.longest_previous_m);
  load->set_previous_runs(r.load.spike.previous_runs);
  if (r.load.spike.excess_pct.has_value()) load->set_excess_percent(*r.load.spike.excess_pct);
  if (r.load.spike.hazard_ratio.has_value()) load->set_hazard_ratio(*r.load.spike.hazard_ratio);
  load->set_spike_explanation(r.load.spike.explanation);
  load->set_this_week_m(r.load.weekly.this_week_m);
  load->set_previous_week_m(r.load.weekly.previous_week_m);
  if (r.load.weekly.change_pct.has_value()) load->set_weekly_change_percent(*r.load.weekly.change_pct);
  load->set_weekly_explanation(r.load.weekly.explanation);
  if (r.load.training.acwr.has_value()) load->set_acute_chronic_ratio(*r.load.training.acwr);
  load->set_ctl(r.load.training.ctl);
  load->set_atl(r.load.training.atl);
  load->set_tsb(r.load.training.tsb);
  load->set_training_load_explanation(r.load.training.explanation);
  for (const knee_load::PainLink& link : r.pain_links) {
    v1::PainLink* p = out.add_pain_links();
    p->set_figure(link.figure);
    p->set_unit(link.unit);
    p->set_outcome(link.outcome == knee_load::PainOutcome::kAfterRun ? "after_run" : "next_morning");
    p->set_n(link.n);
    if (link.rho.has_value()) p->set_rho(*link.rho);
    p->set_explanation(link.explanation);
  }
  return out;
}

}  // namespace gaitkeeper::scoring
