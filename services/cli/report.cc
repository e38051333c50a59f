#include "services/cli/report.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/time_util.h"
#include "services/scoring/zones.h"

namespace gaitkeeper::cli {
namespace {

const char* MetricName(scoring::v1::Metric metric) {
  switch (metric) {
    case scoring::v1::METRIC_CADENCE: return "Cadence";
    case scoring::v1::METRIC_STEP_LENGTH: return "Step length";
    case scoring::v1::METRIC_GROUND_CONTACT_TIME: return "Ground contact time";
    case scoring::v1::METRIC_VERTICAL_OSCILLATION: return "Vertical oscillation";
    case scoring::v1::METRIC_VERTICAL_RATIO: return "Vertical ratio";
    case scoring::v1::METRIC_GCT_BALANCE: return "GCT balance";
    case scoring::v1::METRIC_SPEED: return "Speed";
    case scoring::v1::METRIC_HEART_RATE: return "Heart rate";
    default: return "?";
  }
}

const char* CategoryName(planning::v1::ItemCategory c) {
  switch (c) {
    case planning::v1::ITEM_CATEGORY_RUN: return "run";
    case planning::v1::ITEM_CATEGORY_GAIT_CUE: return "gait cue";
    case planning::v1::ITEM_CATEGORY_STRENGTH: return "strength";
    case planning::v1::ITEM_CATEGORY_ISOMETRIC: return "isometric";
    case planning::v1::ITEM_CATEGORY_STRETCH: return "stretch";
    case planning::v1::ITEM_CATEGORY_MASSAGE: return "massage";
    case planning::v1::ITEM_CATEGORY_EDUCATION: return "education";
    case planning::v1::ITEM_CATEGORY_REST: return "rest";
    default: return "?";
  }
}

const char* ConfidenceName(scoring::v1::Confidence c) {
  switch (c) {
    case scoring::v1::CONFIDENCE_HIGH: return "high";
    case scoring::v1::CONFIDENCE_MEDIUM: return "medium";
    case scoring::v1::CONFIDENCE_LOW: return "low";
    default: return "unknown";
  }
}

std::string DoseText(const planning::v1::Dose& d) {
  std::string out;
  if (d.sets() > 0 && d.reps() > 0) out = absl::StrFormat("%d x %d", d.sets(), d.reps());
  if (d.sets() > 0 && d.hold_seconds() > 0) out = absl::StrFormat("%d x %d s", d.sets(), d.hold_seconds());
  if (d.distance_km_cap() > 0) out = absl::StrFormat("max %.1f km", d.distance_km_cap());
  return out;
}

}  // namespace

std::string FormatScore(const scoring::v1::GaitScore& score) {
  std::string out = absl::StrFormat(
      "Gait score for %s (algorithm v%d)\n  samples: %d (running %d, walking %d)\n", score.session(),
      score.algorithm_version(), score.sample_count(), score.running_sample_count(), score.walking_sample_count());
  for (const scoring::v1::MetricSummary& m : score.metrics()) {
    absl::StrAppendFormat(&out, "  %-21s median %7.2f %-9s (p10 %.2f, p90 %.2f)%s\n", MetricName(m.metric()),
                          m.median(), m.unit(), m.p10(), m.p90(),
                          m.zone() != scoring::v1::ZONE_UNSPECIFIED
                              ? absl::StrCat("  zone: ", scoring::ZoneName(m.zone()))
                              : "");
  }
  for (const scoring::v1::MetricSummary& m : score.metrics()) {
    if (!m.explanation().empty()) absl::StrAppend(&out, "  - ", m.explanation(), "\n");
  }
  for (const scoring::v1::SpeedBand& b : score.speed_bands()) {
    absl::StrAppendFormat(&out, "  At %.1f–%.1f km/h (%d s): cadence %.0f steps/min, step %.2f m\n", b.min_speed_mps() * 3.6,
                          b.max_speed_mps() * 3.6, b.sample_count(), b.cadence_median_spm(), b.step_length_median_m());
  }
  if (score.walking_segments() > 0) {
    absl::StrAppendFormat(&out, "  Walking: %d stretches, %.0f s in all (kept, not dropped)\n", score.walking_segments(),
                          score.walking_seconds());
  }
  if (score.drift_size() > 0) absl::StrAppend(&out, "  Fatigue drift:\n");
  for (const scoring::v1::MetricDrift& d : score.drift()) absl::StrAppend(&out, "  - ", d.explanation(), "\n");
  for (const scoring::v1::ImuSensorMetrics& imu : score.imu()) {
    absl::StrAppendFormat(&out, "  IMU %s (%.0f Hz): %d running steps", imu.placement(), imu.rate_hz(), imu.running_steps());
    if (imu.cadence_spm().present()) absl::StrAppendFormat(&out, ", cadence %.0f", imu.cadence_spm().median());
    if (imu.contact_time_ms().present()) absl::StrAppendFormat(&out, ", contact %.0f ms", imu.contact_time_ms().median());
    if (imu.peak_impact_g().present()) absl::StrAppendFormat(&out, ", impact %.1f g", imu.peak_impact_g().median());
    if (imu.foot_strike().present()) absl::StrAppend(&out, ", ", imu.foot_strike().dominant(), " strike");
    absl::StrAppend(&out, "\n");
  }
  for (const scoring::v1::SideAsymmetry& a : score.asymmetry()) absl::StrAppend(&out, "  - ", a.explanation(), "\n");
  const scoring::v1::KneeLoad& knee = score.knee_load();
  if (knee.has_total()) {
    absl::StrAppendFormat(&out, "\nKnee-load score %.0f / 100 (higher = more load on the knee; %d of 8 factors, confidence %s)\n",
                          knee.total(), knee.factors_scored(), ConfidenceName(knee.confidence()));
    if (!knee.top_factor().empty()) absl::StrAppend(&out, "  Work on: ", knee.top_factor(), ". ", knee.top_factor_advice(), "\n");
    for (const scoring::v1::KneeLoadFactor& f : knee.factors()) {
      if (!f.has_sub_score() && !f.has_value()) continue;
      std::string baseline = f.has_baseline() ? absl::StrFormat(", your 30-day baseline %.4g", f.baseline()) : "";
      absl::StrAppendFormat(&out, "  %-21s %s%s%s\n", f.factor(),
                            f.has_sub_score() ? absl::StrFormat("%5.1f points", f.contribution()) : "  not scored",
                            f.band().empty() ? "" : absl::StrCat(" [", f.band(), "]"), baseline);
      if (!f.explanation().empty()) absl::StrAppend(&out, "      ", f.explanation(), "\n");
    }
    absl::StrAppend(&out, "  Load: ", knee.running_load().spike_explanation(), "\n");
  }
  return out;
}

std::string FormatPlan(const planning::v1::Plan& plan) {
  std::string out = absl::StrFormat("Plan %s (generator v%d), week from %s\n  %s\n", plan.name(),
                                    plan.generator_version(), timeutil::ToIsoDate(plan.start_date()), plan.summary());
  if (plan.has_cadence_target()) {
    absl::StrAppendFormat(&out, "  Cadence target: %.0f -> %.0f-%.0f steps/min, because %s\n",
                          plan.cadence_target().current_spm(), plan.cadence_target().target_low_spm(),
                          plan.cadence_target().target_high_spm(), plan.cadence_target().because());
  }
  int day = -1;
  for (const planning::v1::PlanItem& item : plan.items()) {
    if (item.day() != day) {
      day = item.day();
      const common::v1::Date date = timeutil::AddDays(plan.start_date(), day);
      static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
      absl::StrAppendFormat(&out, "  %s %s\n", kDays[timeutil::Weekday(date)], timeutil::ToIsoDate(date));
    }
    const std::string dose = DoseText(item.dose());
    absl::StrAppendFormat(&out, "    [%s] %s%s\n        because %s\n", CategoryName(item.category()), item.title(),
                          dose.empty() ? "" : absl::StrCat(" (", dose, ")"), item.because());
  }
  return out;
}

}  // namespace gaitkeeper::cli
