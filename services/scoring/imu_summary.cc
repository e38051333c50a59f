#include "services/scoring/imu_summary.h"

#include <map>

#include "absl/strings/str_format.h"

namespace gaitkeeper::scoring {
namespace {

v1::Confidence ToProto(imu::Confidence c) {
  switch (c) {
    case imu::Confidence::kHigh: return v1::CONFIDENCE_HIGH;
    case imu::Confidence::kMedium: return v1::CONFIDENCE_MEDIUM;
    case imu::Confidence::kLow: return v1::CONFIDENCE_LOW;
  }
  return v1::CONFIDENCE_UNSPECIFIED;
}

v1::Estimate ToEstimate(const imu::Metric<imu::Distribution>& m) {
  v1::Estimate e;
  e.set_present(m.value.has_value());
  if (m.value.has_value()) {
    e.set_median(m.value->median);
    e.set_p10(m.value->p10);
    e.set_p90(m.value->p90);
    e.set_count(m.value->count);
    e.set_confidence(ToProto(m.confidence));
  }
  e.set_method(m.method);
  e.set_missing_reason(m.missing_reason);
  return e;
}

const char* StrikeName(imu::FootStrike s) {
  switch (s) {
    case imu::FootStrike::kRearfoot: return "rearfoot";
    case imu::FootStrike::kMidfoot: return "midfoot";
    case imu::FootStrike::kForefoot: return "forefoot";
  }
  return "";
}

void AddDrift(v1::Metric metric, const char* name, const char* unit, const imu::Metric<imu::Drift>& d,
              v1::ImuSensorMetrics* out) {
  if (!d.value.has_value()) return;
  v1::MetricDrift* drift = out->add_drift();
  drift->set_metric(metric);
  drift->set_unit(unit);
  drift->set_first_third(d.value->first_third);
  drift->set_last_third(d.value->last_third);
  drift->set_change(d.value->change);
  drift->set_change_percent(d.value->change_percent);
  drift->set_explanation(absl::StrFormat("%s (%s sensor) went from %.4g to %.4g %s between the first and the last third (%+.1f %%).",
                                         name, out->placement(), d.value->first_third, d.value->last_third, unit,
                                         d.value->change_percent));
}

void AddSide(const char* pair, const char* metric, const char* unit,
             const imu::Metric<imu::SideComparison>& m, v1::GaitScore* score) {
  if (!m.value.has_value()) return;
  v1::SideAsymmetry* a = score->add_asymmetry();
  a->set_pair(pair);
  a->set_metric(metric);
  a->set_left(m.value->left);
  a->set_right(m.value->right);
  a->set_symmetry_index_percent(m.value->symmetry_index_percent);
  a->set_left_share_percent(m.value->left_share_percent);
  a->set_confidence(ToProto(m.confidence));
  a->set_explanation(absl::StrFormat("%s: left %.4g %s, right %.4g %s (symmetry index %.1f %%).", metric, m.value->left,
                                     unit, m.value->right, unit, m.value->symmetry_index_percent));
}

}  // namespace

const char* PlacementName(imu::Placement placement) {
  switch (placement) {
    case imu::Placement::kFootLeft: return "foot_left";
    case imu::Placement::kFootRight: return "foot_right";
    case imu::Placement::kShinLeft: return "shin_left";
    case imu::Placement::kShinRight: return "shin_right";
    case imu::Placement::kPelvis: return "pelvis";
    case imu::Placement::kWrist: return "wrist";
    case imu::Placement::kPhone: return "phone";
  }
  return "";
}

v1::ImuSensorMetrics ToProto(const imu::ImuSignal& signal, const imu::ImuMetrics& m) {
  v1::ImuSensorMetrics out;
  out.set_placement(PlacementName(signal.placement));
  out.set_rate_hz(signal.rate_hz);
  out.set_duration_s(m.duration_s);
  out.set_gap_duration_s(m.gap_duration_s);
  if (!m.input_status.ok()) out.set_note(std::string(m.input_status.message()));
  out.set_running_steps(m.running_steps);
  out.set_walking_steps(m.walking_steps);
  *out.mutable_cadence_spm() = ToEstimate(m.cadence_spm);
  *out.mutable_contact_time_ms() = ToEstimate(m.contact_time_ms);
  *out.mutable_flight_time_ms() = ToEstimate(m.flight_time_ms);
  *out.mutable_peak_impact_g() = ToEstimate(m.peak_impact_g);
  out.set_clipped_contacts(m.clipped_contacts);
  out.set_clipped_fraction(m.clipped_fraction);
  v1::FootStrikePattern* strike = out.mutable_foot_strike();
  strike->set_present(m.foot_strike.value.has_value());
  if (m.foot_strike.value.has_value()) {
    strike->set_rearfoot(m.foot_strike.value->rearfoot);
    strike->set_midfoot(m.foot_strike.value->midfoot);
    strike->set_forefoot(m.foot_strike.value->forefoot);
    strike->set_dominant(StrikeName(m.foot_strike.value->dominant));
    strike->set_confidence(ToProto(m.foot_strike.confidence));
  }
  strike->set_method(m.foot_strike.method);
  strike->set_missing_reason(m.foot_strike.missing_reason);
  AddDrift(v1::METRIC_CADENCE, "Cadence", "steps/min", m.cadence_drift, &out);
  AddDrift(v1::METRIC_GROUND_CONTACT_TIME, "Ground contact time", "ms", m.contact_time_drift, &out);
  return out;
}

void AddImuMetrics(const std::vector<imu::ImuSignal>& signals, v1::GaitScore* score) {
  std::map<imu::Placement, imu::ImuMetrics> by_placement;
  for (const imu::ImuSignal& signal : signals) {
    imu::ImuMetrics metrics = imu::AnalyzeImu(signal);
    *score->add_imu() = ToProto(signal, metrics);
    by_placement[signal.placement] = std::move(metrics);
  }
  const std::tuple<imu::Placement, imu::Placement, const char*> pairs[] = {
      {imu::Placement::kFootLeft, imu::Placement::kFootRight, "feet"},
      {imu::Placement::kShinLeft, imu::Placement::kShinRight, "shins"}};
  for (const auto& [left, right, name] : pairs) {
    auto l = by_placement.find(left);
    auto r = by_placement.find(right);
    if (l == by_placement.end() || r == by_placement.end()) continue;
    imu::AsymmetryMetrics a = imu::CompareSides(l->second, r->second);
    AddSide(name, "contact_time_ms", "ms", a.contact_time_ms, score);
    AddSide(name, "peak_impact_g", "g", a.peak_impact_g, score);
  }
}

}  // namespace gaitkeeper::scoring
