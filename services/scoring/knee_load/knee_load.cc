#include "services/scoring/knee_load/knee_load.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/scoring/knee_load/weights.h"

namespace gaitkeeper::scoring::knee_load {
namespace {

constexpr const KneeLoadTable& kT = kKneeLoadTable;
constexpr int64_t kSecondsPerDay = 86400;
constexpr double kMaxMagnitude = kT.input.max_magnitude;
constexpr double kMinPositive = kT.input.min_positive;
constexpr double kPct = kT.resolution.percent;

// ---------------------------------------------------------------------------------------------
// Input hygiene: anything non-finite or absurd becomes missing.

std::optional<double> Finite(std::optional<double> v) {
  if (!v.has_value() || !std::isfinite(*v) || std::fabs(*v) > kMaxMagnitude) return std::nullopt;
  return v;
}

std::optional<double> Positive(std::optional<double> v) {
  v = Finite(v);
  if (!v.has_value() || *v < kMinPositive) return std::nullopt;
  return v;
}

std::optional<double> InRange(std::optional<double> v, double lo, double hi) {
  v = Finite(v);
  if (!v.has_value() || *v < lo || *v > hi) return std::nullopt;
  return v;
}

std::optional<int64_t> Count(std::optional<int64_t> v) {
  if (!v.has_value() || *v < 0 || static_cast<double>(*v) > kT.input.max_count) return std::nullopt;
  return v;
}

SessionFigures Sanitize(const SessionFigures& in) {
  SessionFigures s = in;
  s.distance_m = Positive(s.distance_m);
  s.duration_s = Positive(s.duration_s);
  s.median_speed_mps = Positive(s.median_speed_mps);
  s.running_sample_count = Count(s.running_sample_count);
  s.cadence_median_spm = Positive(s.cadence_median_spm);
  s.cadence_p10_spm = Positive(s.cadence_p10_spm);
  s.cadence_p90_spm = Positive(s.cadence_p90_spm);
  s.step_length_m = Positive(s.step_length_m);
  s.ground_contact_time_ms = Positive(s.ground_contact_time_ms);
  // Exclusive bounds: a balance of 0 or 100 % means one foot never touched the ground.
  s.gct_balance_left_pct = InRange(s.gct_balance_left_pct, kMinPositive, 100 - kMinPositive);
  s.vertical_oscillation_cm = Positive(s.vertical_oscillation_cm);
  s.vertical_ratio_pct = Positive(s.vertical_ratio_pct);
  s.cadence_first_third_spm = Positive(s.cadence_first_third_spm);
  s.cadence_last_third_spm = Positive(s.cadence_last_third_spm);
  s.step_length_first_third_m = Positive(s.step_length_first_third_m);
  s.step_length_last_third_m = Positive(s.step_length_last_third_m);
  s.gct_first_third_ms = Positive(s.gct_first_third_ms);
  s.gct_last_third_ms = Positive(s.gct_last_third_ms);
  s.vo_first_third_cm = Positive(s.vo_first_third_cm);
  s.vo_last_third_cm = Positive(s.vo_last_third_cm);
  s.peak_impact_median_g = Positive(s.peak_impact_median_g);
  s.peak_impact_p90_g = Positive(s.peak_impact_p90_g);
  s.impact_clipped_fraction = InRange(s.impact_clipped_fraction, 0, 1);
  s.impact_step_count = Count(s.impact_step_count);
  s.imu_rate_hz = Positive(s.imu_rate_hz);
  if (s.foot_strikes.has_value()) {
    const FootStrikeCounts& f = *s.foot_strikes;
    if (!Count(f.rearfoot) || !Count(f.midfoot) || !Count(f.forefoot) ||
        f.rearfoot + f.midfoot + f.forefoot == 0) {
      s.foot_strikes.reset();
    }
  }
  // A symmetry index lies within +-200 % by definition.
  s.contact_time_asymmetry_pct = InRange(s.contact_time_asymmetry_pct, -200, 200);
  s.impact_asymmetry_pct = InRange(s.impact_asymmetry_pct, -200, 200);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

// Rounds to the given resolution as an integer count of steps, so that band boundaries compare
// exactly (10.000000000000009 % is 10.0 % at 0.1 % resolution).
int64_t Steps(double value, double resolution) {
  return std::llround(std::clamp(value / resolution, -1e15, 1e15));
}
bool AtMost(double value, double max, double resolution) {
  return Steps(value, resolution) <= Steps(max, resolution);
}
bool AtLeast(double value, double min, double resolution) {
  return Steps(value, resolution) >= Steps(min, resolution);
}

double Age(int64_t start, int64_t now) {
  return static_cast<double>(now) - static_cast<double>(start);
}
bool WithinDays(int64_t start, int64_t now, int days) {
  const double age = Age(start, now);
  return age > 0 && age <= static_cast<double>(days) * kSecondsPerDay;
}

int64_t DayOf(int64_t unix_s) {
  int64_t day = unix_s / kSecondsPerDay;
  if (unix_s % kSecondsPerDay < 0) --day;
  return day;
}

Confidence Lower(Confidence a, Confidence b) { return a < b ? a : b; }

DataSource Resolve(const SessionFigures& s, const std::optional<DataSource>& figure_source) {
  return figure_source.value_or(s.source);
}

const SourceConfidence& RulesFor(DataSource source) {
  for (const SourceConfidence& rule : kSourceConfidence) {
    if (rule.source == source) return rule;
  }
  return kSourceConfidence[0];
}

const char* SourceName(DataSource source) {
  switch (source) {
    case DataSource::kUnknown:
      return "unknown sensor";
    case DataSource::kWatchWrist:
      return "wrist watch";
    case DataSource::kChestStrap:
      return "chest strap";
    case DataSource::kFootPod:
      return "foot pod";
    case DataSource::kFootImu:
      return "foot IMU";
    case DataSource::kShinImu:
      return "shin IMU";
    case DataSource::kPelvisImu:
      return "pelvis IMU";
    case DataSource::kPhone:
      return "phone";
    case DataSource::kFileImport:
      return "imported file";
  }
  return "unknown sensor";
}

// "a chest strap", "an imported file".
std::string ASource(DataSource source) {
  const std::string name = SourceName(source);
  const bool vowel =
      name[0] == 'a' || name[0] == 'e' || name[0] == 'i' || name[0] == 'o' || name[0] == 'u';
  return absl::StrCat(vowel ? "an " : "a ", name);
}

double Kmh(double mps) { return mps * 3.6; }

// ---------------------------------------------------------------------------------------------
// Figures derived from a session (shared by the factors, the baselines and the pain links).

std::optional<double> StepLength(const SessionFigures& s) {
  if (s.step_length_m.has_value()) return s.step_length_m;
  if (s.median_speed_mps.has_value() && s.cadence_median_spm.has_value()) {
    return *s.median_speed_mps / (*s.cadence_median_spm / 60.0);
  }
  return std::nullopt;
}

// The runner's cadence for a target: measured, else implied by speed and step length.
std::optional<double> OwnCadence(const SessionFigures& s) {
  if (s.cadence_median_spm.has_value()) return s.cadence_median_spm;
  if (s.median_speed_mps.has_value() && s.step_length_m.has_value()) {
    return *s.median_speed_mps / *s.step_length_m * 60.0;
  }
  return std::nullopt;
}

std::optional<double> RearfootSharePct(const SessionFigures& s) {
  if (!s.foot_strikes.has_value()) return std::nullopt;
  const FootStrikeCounts& f = *s.foot_strikes;
  const double total = static_cast<double>(f.rearfoot + f.midfoot + f.forefoot);
  if (total <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(f.rearfoot) / total;
}

int64_t FootStrikeTotal(const SessionFigures& s) {
  if (!s.foot_strikes.has_value()) return 0;
  return s.foot_strikes->rearfoot + s.foot_strikes->midfoot + s.foot_strikes->forefoot;
}

// Contact-time symmetry index (signed, + = left longer) and where it came from: the GCT balance
// when present (SI = 4 (balance - 50)), else the IMU figure.
struct AsymmetryFigure {
  double si_pct = 0;
  bool from_balance = false;
  DataSource source = DataSource::kUnknown;
};
std::optional<AsymmetryFigure> Asymmetry(const SessionFigures& s) {
  if (s.gct_balance_left_pct.has_value()) {
    return AsymmetryFigure{4.0 * (*s.gct_balance_left_pct - 50.0), true,
                           Resolve(s, s.sources.contact_time)};
  }
  if (s.contact_time_asymmetry_pct.has_value()) {
    return AsymmetryFigure{*s.contact_time_asymmetry_pct, false, Resolve(s, s.sources.asymmetry)};
  }
  return std::nullopt;
}

std::optional<double> ToKm(std::optional<double> m) {
  if (!m.has_value()) return std::nullopt;
  return *m / 1000.0;
}

// ---------------------------------------------------------------------------------------------
// The scored session with its cleaned history.

struct Context {
  SessionFigures session;
  AthleteProfile athlete;
  // Sessions strictly before the scored one, ascending by start, one per start time.
  std::vector<SessionFigures> past;
  std::vector<PainReport> reports;
};

Context MakeContext(const SessionFigures& session, const AthleteProfile& athlete,
                    const History& history) {
  Context c;
  c.session = Sanitize(session);
  c.athlete.height_cm = Positive(athlete.height_cm);
  c.athlete.leg_length_cm = Positive(athlete.leg_length_cm);
  const int64_t t = c.session.start_time_s;
  for (const SessionFigures& s : history.sessions) {
    if (s.start_time_s < t) c.past.push_back(Sanitize(s));
  }
  std::sort(c.past.begin(), c.past.end(), [](const SessionFigures& a, const SessionFigures& b) {
    if (a.start_time_s != b.start_time_s) return a.start_time_s < b.start_time_s;
    const double da = a.distance_m.value_or(-1), db = b.distance_m.value_or(-1);
    if (da != db) return da > db;
    return a.duration_s.value_or(-1) > b.duration_s.value_or(-1);
  });
  c.past.erase(std::unique(c.past.begin(), c.past.end(),
                           [](const SessionFigures& a, const SessionFigures& b) {
                             return a.start_time_s == b.start_time_s;
                           }),
               c.past.end());
  for (PainReport r : history.pain_reports) {
    r.during = InRange(r.during, 0, 10);
    r.after = InRange(r.after, 0, 10);
    r.next_morning = InRange(r.next_morning, 0, 10);
    c.reports.push_back(r);
  }
  return c;
}

struct BaselineCount {
  std::optional<Baseline> baseline;
  int sessions = 0;
};

// Median of `figure` over the past sessions of the baseline window that have it (a figure
// function returns nullopt to exclude a session, e.g. one from another sensor).
BaselineCount OwnBaseline(
    const Context& c, const std::function<std::optional<double>(const SessionFigures&)>& figure) {
  std::vector<double> values;
  for (const SessionFigures& s : c.past) {
    if (!WithinDays(s.start_time_s, c.session.start_time_s, kT.baseline.window_days)) continue;
    if (std::optional<double> v = figure(s)) values.push_back(*v);
  }
  BaselineCount out;
  out.sessions = static_cast<int>(values.size());
  if (out.sessions >= kT.baseline.min_sessions) {
    out.baseline = Baseline{*Median(values), out.sessions};
  }
  return out;
}

void ApplyBaseline(const BaselineCount& b, FactorScore& f) {
  f.baseline = b.baseline;
  f.baseline_sessions = b.sessions;
}

// The running-sample rule shared by the running-dynamics factors.
void CapBySamples(const SessionFigures& s, FactorScore& f) {
  if (s.running_sample_count.has_value() &&
      *s.running_sample_count < kT.confidence.min_running_samples) {
    f.confidence = Confidence::kLow;
    absl::StrAppendFormat(&f.confidence_reason, "; only %d running samples",
                          *s.running_sample_count);
  }
}

std::string CadenceTarget(double cadence) {
  return absl::StrFormat("+%.0f–%.0f %% of your own cadence: %.0f → %.0f–%.0f spm",
                         kT.cadence.target_low_pct, kT.cadence.target_high_pct, cadence,
                         cadence * (1 + kT.cadence.target_low_pct / 100),
                         cadence * (1 + kT.cadence.target_high_pct / 100));
}

// ---------------------------------------------------------------------------------------------
// Garmin colour zones (EVIDENCE.md §2).

enum class Zone { kPurple, kBlue, kGreen, kOrange, kRed };

const char* ZoneLabel(Zone z) {
  switch (z) {
    case Zone::kPurple:
      return "purple";
    case Zone::kBlue:
      return "blue";
    case Zone::kGreen:
      return "green";
    case Zone::kOrange:
      return "orange";
    case Zone::kRed:
      return "red";
  }
  return "red";
}

// The zone's place among runners, in the metric's favourable direction.
const char* ZonePercentile(Zone z) {
  switch (z) {
    case Zone::kPurple:
      return "the best 5 % of runners";
    case Zone::kBlue:
      return "runners' 70th–95th percentile";
    case Zone::kGreen:
      return "runners' 30th–69th percentile";
    case Zone::kOrange:
      return "runners' 5th–29th percentile";
    case Zone::kRed:
      return "the last 5 % of runners";
  }
  return "";
}

double ZonePointsOf(const ZonePoints& p, Zone z) {
  switch (z) {
    case Zone::kPurple:
      return p.purple;
    case Zone::kBlue:
      return p.blue;
    case Zone::kGreen:
      return p.green;
    case Zone::kOrange:
      return p.orange;
    case Zone::kRed:
      return p.red;
  }
  return p.red;
}

Zone CadenceZone(double spm) {
  const CadenceTable& t = kT.cadence;
  if (AtLeast(spm, t.purple_min, kT.resolution.cadence_spm)) return Zone::kPurple;
  if (AtLeast(spm, t.blue_min, kT.resolution.cadence_spm)) return Zone::kBlue;
  if (AtLeast(spm, t.green_min, kT.resolution.cadence_spm)) return Zone::kGreen;
  if (AtLeast(spm, t.orange_min, kT.resolution.cadence_spm)) return Zone::kOrange;
  return Zone::kRed;
}

Zone UpperBoundZone(double value, const ZoneUpperBounds& b, double resolution) {
  if (AtMost(value, b.purple_max, resolution)) return Zone::kPurple;
  if (AtMost(value, b.blue_max, resolution)) return Zone::kBlue;
  if (AtMost(value, b.green_max, resolution)) return Zone::kGreen;
  if (AtMost(value, b.orange_max, resolution)) return Zone::kOrange;
  return Zone::kRed;
}

std::string ZoneClause(Zone z) {
  return absl::StrFormat("Garmin's %s zone (%s: a population band, not an injury threshold)",
                         ZoneLabel(z), ZonePercentile(z));
}

// ---------------------------------------------------------------------------------------------
// Factors. Each returns its FactorScore without weight or contribution.

FactorScore ScoreCadence(const Context& c) {
  const SessionFigures& s = c.session;
  FactorScore f;
  f.factor = Factor::kCadence;
  f.unit = "spm";
  f.modifiable = true;
  if (!s.cadence_median_spm.has_value()) {
    f.explanation = "No cadence for the running part of this session: cadence not scored.";
    return f;
  }
  const double cadence = *s.cadence_median_spm;
  const Zone zone = CadenceZone(cadence);
  f.value = cadence;
  f.band = ZoneLabel(zone);
  f.sub_score = ZonePointsOf(kT.cadence.points, zone);
  const DataSource source = Resolve(s, s.sources.cadence);
  f.confidence = RulesFor(source).cadence;
  f.confidence_reason = absl::StrCat("cadence from ", ASource(source));
  CapBySamples(s, f);
  ApplyBaseline(OwnBaseline(c, [](const SessionFigures& p) { return p.cadence_median_spm; }), f);

  f.explanation = absl::StrFormat("Cadence %.0f spm is in %s", cadence, ZoneClause(zone));
  if (f.baseline.has_value()) {
    absl::StrAppendFormat(&f.explanation,
                          "; your usual is %.0f spm (median of %d sessions in the last %d days)",
                          f.baseline->median, f.baseline->count, kT.baseline.window_days);
  }
  if (s.cadence_first_third_spm.has_value() && s.cadence_last_third_spm.has_value()) {
    const double drift = (*s.cadence_last_third_spm / *s.cadence_first_third_spm - 1) * 100;
    if (drift <= -kT.drift.notable_pct) {
      absl::StrAppendFormat(&f.explanation,
                            "; it fell %.0f %% from the first to the last third (%.0f → %.0f spm)",
                            -drift, *s.cadence_first_third_spm, *s.cadence_last_third_spm);
    }
  }
  if (zone == Zone::kPurple) {
    f.explanation += "; no change needed.";
  } else {
    absl::StrAppend(&f.explanation, "; to lower knee load try ", CadenceTarget(cadence),
                    " at the same speed, not a fixed 180.");
  }
  return f;
}

FactorScore ScoreOverstride(const Context& c) {
  const SessionFigures& s = c.session;
  const OverstrideTable& t = kT.overstride;
  FactorScore f;
  f.factor = Factor::kOverstride;
  f.unit = "m";
  f.modifiable = true;
  const std::optional<double> step = StepLength(s);
  if (!step.has_value()) {
    f.explanation =
        "No step length (nor speed with cadence) for the running part of this session: "
        "overstride not scored.";
    return f;
  }
  f.value = *step;
  const DataSource source = Resolve(s, s.sources.cadence);
  if (!s.median_speed_mps.has_value()) {
    f.confidence = Confidence::kLow;
    f.confidence_reason = "no speed to judge the step length against";
    f.explanation = absl::StrFormat(
        "Step length %.2f m, but no running speed to judge it against: overstride not scored.",
        *step);
    return f;
  }
  const double speed = *s.median_speed_mps;

  // Population reference: step / body length against the speed-dependent reference.
  std::optional<double> pop_points;
  std::string pop_label, pop_clause;
  const bool use_leg = c.athlete.leg_length_cm.has_value();
  const std::optional<double> body_cm = use_leg ? c.athlete.leg_length_cm : c.athlete.height_cm;
  if (body_cm.has_value()) {
    const double ratio = *step / (*body_cm / 100);
    const double reference =
        t.step_to_height_per_mps * speed / (use_leg ? t.leg_to_height_ratio : 1.0);
    const double excess = (ratio / reference - 1) * 100;
    if (AtMost(excess, t.typical_max_pct, kPct)) {
      pop_points = t.typical_points;
      pop_label = "typical";
    } else if (AtMost(excess, t.slightly_long_max_pct, kPct)) {
      pop_points = t.slightly_long_points;
      pop_label = "a little long";
    } else if (AtMost(excess, t.long_max_pct, kPct)) {
      pop_points = t.long_points;
      pop_label = "long";
    } else {
      pop_points = t.very_long_points;
      pop_label = "very long";
    }
    const char* body = use_leg ? "leg length" : "height";
    pop_label = absl::StrCat(pop_label, " for your ", body);
    pop_clause = absl::StrFormat(" is %s (%.0f %% of it; our reference at this speed is %.0f %%)",
                                 pop_label, ratio * 100, reference * 100);
  }

  // Own reference: the runner's step length at matched speed.
  const BaselineCount own = OwnBaseline(c, [&](const SessionFigures& p) -> std::optional<double> {
    if (!p.median_speed_mps.has_value() ||
        std::fabs(*p.median_speed_mps - speed) > t.matched_speed_tolerance_mps) {
      return std::nullopt;
    }
    return StepLength(p);
  });
  ApplyBaseline(own, f);
  std::optional<double> own_points;
  std::string own_label, own_clause;
  if (own.baseline.has_value()) {
    const double excess = (*step / own.baseline->median - 1) * 100;
    if (AtMost(excess, t.own_usual_max_pct, kPct)) {
      own_points = t.own_usual_points;
      own_label = "as usual";
    } else if (AtMost(excess, t.own_longer_max_pct, kPct)) {
      own_points = t.own_longer_points;
      own_label = "longer than usual";
    } else {
      own_points = t.own_much_longer_points;
      own_label = "much longer than usual";
    }
    own_clause = absl::StrFormat(
        "%s: %+.0f %% vs your usual %.2f m at %.1f±%.1f km/h (median of %d sessions in the last %d "
        "days)",
        own_label, excess, own.baseline->median, Kmh(speed), Kmh(t.matched_speed_tolerance_mps),
        own.baseline->count, kT.baseline.window_days);
  }

  if (!pop_points.has_value() && !own_points.has_value()) {
    f.confidence = Confidence::kLow;
    f.confidence_reason = "no height, leg length or own history at this speed";
    f.explanation = absl::StrFormat(
        "Step length %.2f m at %.1f km/h: no height or leg length and no history of yours at this "
        "speed to judge it against, so overstride is not scored.",
        *step, Kmh(speed));
    return f;
  }
  if (own_points.has_value() && (!pop_points.has_value() || *own_points > *pop_points)) {
    f.sub_score = own_points;
    f.band = own_label;
  } else {
    f.sub_score = pop_points;
    f.band = pop_label;
  }
  if (own_points.has_value()) {
    f.confidence = Lower(RulesFor(source).cadence, Confidence::kMedium);
    f.confidence_reason = absl::StrCat(
        "no published norm for step length; compared with your own steps at similar speed (from ",
        ASource(source), ")");
  } else {
    f.confidence = Confidence::kLow;
    f.confidence_reason =
        "no published norm for step length and no history of yours at this speed yet";
  }
  CapBySamples(s, f);

  f.explanation = absl::StrFormat("Step length %.2f m at %.1f km/h", *step, Kmh(speed));
  if (pop_points.has_value()) {
    f.explanation += pop_clause;
    if (own_points.has_value()) absl::StrAppend(&f.explanation, "; ", own_clause);
  } else {
    absl::StrAppend(&f.explanation, " is ", own_clause);
  }
  const std::optional<double> cadence = OwnCadence(s);
  if (*f.sub_score > 0 && cadence.has_value()) {
    const double low = *cadence * (1 + kT.cadence.target_low_pct / 100);
    const double high = *cadence * (1 + kT.cadence.target_high_pct / 100);
    absl::StrAppend(&f.explanation, "; try ", CadenceTarget(*cadence),
                    absl::StrFormat(", which at the same speed shortens the step to %.2f–%.2f m.",
                                    speed / (high / 60), speed / (low / 60)));
  } else {
    f.explanation += ".";
  }
  return f;
}

FactorScore ScoreFootStrike(const Context& c) {
  const SessionFigures& s = c.session;
  const FootStrikeTable& t = kT.foot_strike;
  FactorScore f;
  f.factor = Factor::kFootStrike;
  f.unit = "% rearfoot";
  f.modifiable = true;
  const std::optional<double> share = RearfootSharePct(s);
  if (!share.has_value()) {
    f.explanation = "No foot-strike counts (they need a foot-mounted IMU): foot strike not scored.";
    return f;
  }
  f.value = *share;
  if (AtLeast(*share, t.mostly_rearfoot_min_pct, kPct)) {
    f.band = "mostly rearfoot";
    f.sub_score = t.mostly_rearfoot_points;
  } else if (AtLeast(*share, t.mixed_min_pct, kPct)) {
    f.band = "mixed";
    f.sub_score = t.mixed_points;
  } else {
    f.band = "mostly midfoot/forefoot";
    f.sub_score = t.mostly_fore_points;
  }
  const DataSource source = Resolve(s, s.sources.foot_strike);
  f.confidence = RulesFor(source).foot_strike;
  f.confidence_reason = source == DataSource::kFootImu
                            ? "foot IMU: the rearfoot/other split is right about 92 % of the time"
                            : absl::StrCat("foot strike from ", ASource(source),
                                           ": only a foot-mounted IMU can tell it");
  const int64_t total = FootStrikeTotal(s);
  if (total < kT.confidence.min_foot_strikes) {
    f.confidence = Confidence::kLow;
    absl::StrAppendFormat(&f.confidence_reason, "; only %d landings classified", total);
  }
  ApplyBaseline(OwnBaseline(c,
                            [&](const SessionFigures& p) -> std::optional<double> {
                              if (Resolve(p, p.sources.foot_strike) != source) return std::nullopt;
                              return RearfootSharePct(p);
                            }),
                f);

  f.explanation = absl::StrFormat("%.0f %% of %d classified landings were rearfoot (%s)", *share,
                                  total, f.band);
  if (f.baseline.has_value()) {
    absl::StrAppendFormat(&f.explanation, "; your usual is %.0f %% (median of %d sessions)",
                          f.baseline->median, f.baseline->count);
  }
  if (*f.sub_score > t.mostly_fore_points) {
    absl::StrAppendFormat(&f.explanation,
                          "; a midfoot/forefoot landing cuts peak knee-cap (patellofemoral) stress "
                          "by about %.0f %% but loads the calf and Achilles more, so pair any "
                          "change with calf raises.",
                          t.rearfoot_to_forefoot_stress_cut_pct);
  } else {
    absl::StrAppendFormat(
        &f.explanation,
        "; that spares the knee (about %.0f %% less patellofemoral stress than a "
        "rearfoot landing) but loads the calf and Achilles: keep up calf strength.",
        t.rearfoot_to_forefoot_stress_cut_pct);
  }
  return f;
}

FactorScore ScoreVerticalOscillation(const Context& c) {
  const SessionFigures& s = c.session;
  const OscillationTable& t = kT.oscillation;
  FactorScore f;
  f.factor = Factor::kVerticalOscillation;
  f.modifiable = true;
  const bool have_vo = s.vertical_oscillation_cm.has_value();
  if (!have_vo && !s.vertical_ratio_pct.has_value()) {
    f.unit = "cm";
    f.explanation = "No vertical oscillation for the running part of this session: not scored.";
    return f;
  }
  const DataSource source = Resolve(s, s.sources.oscillation);
  const bool pod = source == DataSource::kFootPod;
  const char* columns = pod ? "foot pod" : "chest strap";
  Zone zone;
  if (have_vo) {
    f.unit = "cm";
    f.value = *s.vertical_oscillation_cm;
    zone = UpperBoundZone(*f.value, pod ? t.vo_pod_cm : t.vo_chest_cm, kT.resolution.oscillation);
  } else {
    f.unit = "% vertical ratio";
    f.value = *s.vertical_ratio_pct;
    zone = UpperBoundZone(*f.value, pod ? t.ratio_pod_pct : t.ratio_chest_pct,
                          kT.resolution.oscillation);
  }
  f.band = ZoneLabel(zone);
  f.sub_score = ZonePointsOf(t.points, zone);
  f.confidence = RulesFor(source).oscillation;
  f.confidence_reason = absl::StrCat(have_vo ? "vertical oscillation" : "vertical ratio", " from ",
                                     ASource(source), "; no study links it to knee load");
  CapBySamples(s, f);
  ApplyBaseline(OwnBaseline(c,
                            [&](const SessionFigures& p) -> std::optional<double> {
                              if (Resolve(p, p.sources.oscillation) != source) return std::nullopt;
                              return have_vo ? p.vertical_oscillation_cm : p.vertical_ratio_pct;
                            }),
                f);

  if (have_vo) {
    f.explanation = absl::StrFormat("Vertical oscillation %.1f cm", *f.value);
    if (s.vertical_ratio_pct.has_value()) {
      absl::StrAppendFormat(&f.explanation, " (vertical ratio %.1f %%)", *s.vertical_ratio_pct);
    }
  } else {
    f.explanation = absl::StrFormat("Vertical ratio %.1f %%", *f.value);
  }
  absl::StrAppendFormat(&f.explanation, " is in %s for a %s; no study links it to knee load",
                        ZoneClause(zone), columns);
  if (f.baseline.has_value()) {
    absl::StrAppendFormat(&f.explanation, "; your usual is %.1f %s (median of %d sessions)",
                          f.baseline->median, have_vo ? "cm" : "%", f.baseline->count);
  }
  if (zone == Zone::kOrange || zone == Zone::kRed) {
    f.explanation += "; quicker, shorter steps usually reduce the bounce.";
  } else {
    f.explanation += ".";
  }
  return f;
}

FactorScore ScoreContactTime(const Context& c) {
  const SessionFigures& s = c.session;
  FactorScore f;
  f.factor = Factor::kContactTime;
  f.unit = "ms";
  f.modifiable = true;
  if (!s.ground_contact_time_ms.has_value()) {
    f.explanation = "No ground contact time for the running part of this session: not scored.";
    return f;
  }
  const double gct = *s.ground_contact_time_ms;
  const Zone zone = UpperBoundZone(gct, kT.contact_time.ms, kT.resolution.contact_time_ms);
  f.value = gct;
  f.band = ZoneLabel(zone);
  f.sub_score = ZonePointsOf(kT.contact_time.points, zone);
  const DataSource source = Resolve(s, s.sources.contact_time);
  f.confidence = RulesFor(source).contact_time;
  f.confidence_reason = absl::StrCat("contact time from ", ASource(source));
  CapBySamples(s, f);
  ApplyBaseline(OwnBaseline(c,
                            [&](const SessionFigures& p) -> std::optional<double> {
                              if (Resolve(p, p.sources.contact_time) != source) return std::nullopt;
                              return p.ground_contact_time_ms;
                            }),
                f);

  f.explanation = absl::StrFormat(
      "Ground contact time %.0f ms is in %s; it depends on speed and is only a proxy for "
      "overstriding",
      gct, ZoneClause(zone));
  if (f.baseline.has_value()) {
    absl::StrAppendFormat(&f.explanation, "; your usual is %.0f ms (median of %d sessions)",
                          f.baseline->median, f.baseline->count);
  }
  if (s.gct_first_third_ms.has_value() && s.gct_last_third_ms.has_value()) {
    const double drift = (*s.gct_last_third_ms / *s.gct_first_third_ms - 1) * 100;
    if (drift >= kT.drift.notable_pct) {
      absl::StrAppendFormat(&f.explanation,
                            "; it rose %.0f %% from the first to the last third (%.0f → %.0f ms)",
                            drift, *s.gct_first_third_ms, *s.gct_last_third_ms);
    }
  }
  const std::optional<double> cadence = OwnCadence(s);
  if (*f.sub_score >= kT.contact_time.points.green && cadence.has_value()) {
    absl::StrAppend(&f.explanation, "; ", CadenceTarget(*cadence), " usually shortens it.");
  } else {
    f.explanation += ".";
  }
  return f;
}

FactorScore ScoreImpact(const Context& c) {
  const SessionFigures& s = c.session;
  const ImpactTable& t = kT.impact;
  FactorScore f;
  f.factor = Factor::kImpact;
  f.unit = "g";
  f.modifiable = true;
  if (!s.peak_impact_median_g.has_value()) {
    f.explanation = "No impact figures (they need a body-worn IMU): impact not scored.";
    return f;
  }
  const double g = *s.peak_impact_median_g;
  f.value = g;
  const DataSource source = Resolve(s, s.sources.impact);
  const bool shin = source == DataSource::kShinImu;
  f.confidence = RulesFor(source).impact;
  switch (source) {
    case DataSource::kWatchWrist:
    case DataSource::kPhone:
      f.confidence_reason =
          absl::StrCat(ASource(source), " accelerometer feels arm or body swing, not the landing");
      break;
    case DataSource::kShinImu:
      f.confidence_reason = "shin IMU: accelerometer impact figures are imprecise";
      break;
    default:
      f.confidence_reason = absl::StrCat(
          "impact from ", ASource(source),
          ": accelerometer impact figures are imprecise and the only reference is tibial");
      break;
  }
  const bool clipped =
      s.impact_clipped_fraction.has_value() && *s.impact_clipped_fraction > t.max_clipped_fraction;
  if (s.imu_rate_hz.has_value() && *s.imu_rate_hz < t.min_rate_hz) {
    f.confidence = Confidence::kLow;
    absl::StrAppendFormat(&f.confidence_reason, "; sampled at %.0f Hz (needs >= %.0f Hz)",
                          *s.imu_rate_hz, t.min_rate_hz);
  }
  if (clipped) {
    f.confidence = Confidence::kLow;
    absl::StrAppendFormat(&f.confidence_reason, "; %.0f %% of peaks clipped",
                          *s.impact_clipped_fraction * 100);
  }
  if (s.impact_step_count.has_value() && *s.impact_step_count < kT.confidence.min_impact_steps) {
    f.confidence = Confidence::kLow;
    absl::StrAppendFormat(&f.confidence_reason, "; only %d steps", *s.impact_step_count);
  }
  ApplyBaseline(OwnBaseline(c,
                            [&](const SessionFigures& p) -> std::optional<double> {
                              if (Resolve(p, p.sources.impact) != source) return std::nullopt;
                              return p.peak_impact_median_g;
                            }),
                f);

  std::string p90;
  if (s.peak_impact_p90_g.has_value())
    p90 = absl::StrFormat(" (90th percentile %.1f g)", *s.peak_impact_p90_g);
  if (shin) {
    const bool above = !AtMost(g, t.tibial_screening_g, kT.resolution.impact_g);
    f.band = absl::StrFormat("%s the %.0f g screening level", above ? "above" : "at or below",
                             t.tibial_screening_g);
    f.sub_score = above ? t.above_points : t.below_points;
    f.explanation = absl::StrFormat("Peak tibial acceleration %.1f g%s is %s", g, p90, f.band);
    if (f.baseline.has_value()) {
      absl::StrAppendFormat(&f.explanation, "; your usual is %.1f g (median of %d sessions)",
                            f.baseline->median, f.baseline->count);
    }
    if (above) {
      absl::StrAppendFormat(&f.explanation,
                            "; in a study, real-time impact feedback taught runners to land "
                            "softer and cut it by about %.0f %%",
                            t.feedback_cut_pct);
    }
  } else {
    f.band = "no reference for this sensor";
    f.explanation = absl::StrFormat(
        "Peak impact %.1f g%s from %s: there is no validated reference for this sensor, so it is "
        "tracked against your own baseline only and not scored",
        g, p90, ASource(source));
    if (f.baseline.has_value()) {
      const double change = (g / f.baseline->median - 1) * 100;
      if (std::fabs(change) < t.own_change_note_pct) {
        absl::StrAppendFormat(&f.explanation, " (about your usual %.1f g, median of %d sessions)",
                              f.baseline->median, f.baseline->count);
      } else {
        absl::StrAppendFormat(&f.explanation,
                              " (%.0f %% %s your usual %.1f g, median of %d sessions)",
                              std::fabs(change), change >= 0 ? "above" : "below",
                              f.baseline->median, f.baseline->count);
      }
    }
  }
  if (clipped) {
    absl::StrAppendFormat(&f.explanation,
                          "; %.0f %% of the peaks hit the sensor's range, so the true values are "
                          "higher",
                          *s.impact_clipped_fraction * 100);
  }
  f.explanation += ".";
  return f;
}

FactorScore ScoreAsymmetry(const Context& c) {
  const SessionFigures& s = c.session;
  const AsymmetryTable& t = kT.asymmetry;
  FactorScore f;
  f.factor = Factor::kAsymmetry;
  f.unit = "% symmetry index (+ = left longer)";
  f.modifiable = false;  // often a consequence of one-sided pain: tracked, not a cue
  const std::optional<AsymmetryFigure> a = Asymmetry(s);
  if (!a.has_value()) {
    f.explanation = "No left/right contact figures in this session: asymmetry not scored.";
    return f;
  }
  f.value = a->si_pct;
  int band;
  if (a->from_balance) {
    const double dev = std::fabs(*s.gct_balance_left_pct - 50);
    band = AtMost(dev, t.balance_even_max_dev, kPct)       ? 0
           : AtMost(dev, t.balance_moderate_max_dev, kPct) ? 1
                                                           : 2;
  } else {
    const double si = std::fabs(a->si_pct);
    band = AtMost(si, t.si_even_max_pct, kPct)       ? 0
           : AtMost(si, t.si_moderate_max_pct, kPct) ? 1
                                                     : 2;
  }
  static constexpr const char* kLabels[] = {"even", "uneven", "markedly uneven"};
  f.band = kLabels[band];
  f.sub_score = band == 0 ? t.even_points : band == 1 ? t.moderate_points : t.marked_points;
  const SourceConfidence& rules = RulesFor(a->source);
  f.confidence = a->from_balance ? rules.contact_time : rules.asymmetry;
  f.confidence_reason = absl::StrCat(a->from_balance ? "contact balance" : "contact-time asymmetry",
                                     " from ", ASource(a->source));
  CapBySamples(s, f);
  const bool from_balance = a->from_balance;
  const DataSource source = a->source;
  ApplyBaseline(OwnBaseline(c,
                            [&](const SessionFigures& p) -> std::optional<double> {
                              const std::optional<AsymmetryFigure> pa = Asymmetry(p);
                              if (!pa.has_value() || pa->from_balance != from_balance ||
                                  pa->source != source) {
                                return std::nullopt;
                              }
                              return pa->si_pct;
                            }),
                f);

  const char* longer = a->si_pct > 0 ? "left" : a->si_pct < 0 ? "right" : "neither";
  if (a->from_balance) {
    f.explanation = absl::StrFormat(
        "Ground contact balance %.1f %% left / %.1f %% right (symmetry index %+.1f %%, %s side "
        "longer) is %s",
        *s.gct_balance_left_pct, 100 - *s.gct_balance_left_pct, a->si_pct, longer, f.band);
  } else {
    f.explanation = absl::StrFormat("Contact-time symmetry index %+.1f %% (%s side longer) is %s",
                                    a->si_pct, longer, f.band);
  }
  if (s.impact_asymmetry_pct.has_value()) {
    absl::StrAppendFormat(&f.explanation, "; impact symmetry index %+.1f %% (no reference band)",
                          *s.impact_asymmetry_pct);
  }
  if (f.baseline.has_value()) {
    absl::StrAppendFormat(&f.explanation, "; your usual is %+.1f %% (median of %d sessions)",
                          f.baseline->median, f.baseline->count);
  }
  f.explanation +=
      "; one-sided knee pain often shows here, so it is tracked per side rather than cued.";
  return f;
}

// ---------------------------------------------------------------------------------------------
// Running load (EVIDENCE.md §5).

struct Spike {
  SpikeBand band = SpikeBand::kNoDistance;
  std::optional<double> longest_m;
  int runs = 0;
  std::optional<double> excess_pct;
};

// The spike of a run of `distance` at `start` against the runs of `past` (ascending) in the
// previous window.
Spike SpikeOf(std::optional<double> distance, int64_t start,
              const std::vector<SessionFigures>& past) {
  Spike out;
  for (const SessionFigures& p : past) {
    if (p.start_time_s >= start) break;
    if (!p.distance_m.has_value() || !WithinDays(p.start_time_s, start, kT.spike.window_days)) {
      continue;
    }
    ++out.runs;
    out.longest_m = std::max(out.longest_m.value_or(0), *p.distance_m);
  }
  if (!distance.has_value()) {
    out.band = SpikeBand::kNoDistance;
    return out;
  }
  if (!out.longest_m.has_value()) {
    out.band = SpikeBand::kNoBaseline;
    return out;
  }
  const double excess = (*distance / *out.longest_m - 1) * 100;
  out.excess_pct = excess;
  const SpikeTable& t = kT.spike;
  if (AtMost(excess, t.none_max_pct, kPct)) {
    out.band = SpikeBand::kNone;
  } else if (AtMost(excess, t.moderate_max_pct, kPct)) {
    out.band = SpikeBand::k10To30;
  } else if (AtMost(excess, t.large_max_pct, kPct)) {
    out.band = SpikeBand::k30To100;
  } else {
    out.band = SpikeBand::kOver100;
  }
  return out;
}

SpikeAnalysis AnalyseSpike(const Context& c) {
  const SessionFigures& s = c.session;
  const SpikeTable& t = kT.spike;
  const Spike spike = SpikeOf(s.distance_m, s.start_time_s, c.past);
  SpikeAnalysis a;
  a.band = spike.band;
  a.longest_previous_m = spike.longest_m;
  a.previous_runs = spike.runs;
  a.excess_pct = spike.excess_pct;
  switch (spike.band) {
    case SpikeBand::kNoDistance:
      a.explanation = "No distance for this session: no spike check.";
      return a;
    case SpikeBand::kNoBaseline:
      a.explanation = absl::StrFormat(
          "No run with a distance in the previous %d days: no baseline for a spike check yet.",
          t.window_days);
      return a;
    case SpikeBand::kNone:
      a.hazard_ratio = 1.0;
      break;
    case SpikeBand::k10To30:
      a.hazard_ratio = t.hr_moderate;
      break;
    case SpikeBand::k30To100:
      a.hazard_ratio = t.hr_large;
      break;
    case SpikeBand::kOver100:
      a.hazard_ratio = t.hr_very_large;
      break;
  }
  const double km = *s.distance_m / 1000, longest_km = *spike.longest_m / 1000;
  const double excess = *spike.excess_pct;
  if (spike.band == SpikeBand::kNone) {
    a.explanation = absl::StrFormat(
        "This %.1f km run is %s your longest run of the previous %d days (%.1f km, %d runs): no "
        "spike (within %.0f %%).",
        km,
        excess > 0 ? absl::StrFormat("%.0f %% longer than", excess) : std::string("no longer than"),
        t.window_days, longest_km, spike.runs, t.none_max_pct);
    return a;
  }
  a.explanation = absl::StrFormat(
      "This %.1f km run is %.1f %% longer than your longest run of the previous %d days (%.1f km, "
      "%d runs); in a study of 5,205 runners, single-run spikes of %s went with %.2f times the "
      "injury rate of runs within %.0f %% (an association, not a certainty)",
      km, excess, t.window_days, longest_km, spike.runs, SpikeBandName(spike.band), *a.hazard_ratio,
      t.none_max_pct);
  if (spike.band == SpikeBand::k30To100) {
    absl::StrAppendFormat(&a.explanation,
                          "; that ratio is lower than the %.2f of 10–30 %% spikes, most likely "
                          "noise, so it is scored no lower",
                          t.hr_moderate);
  }
  a.explanation += ".";
  return a;
}

// Distance of the scored session and the past ones whose age is in [min_age, max_age), in m.
// The scored session has age 0.
double DistanceInAgeRange(const Context& c, double min_age_s, double max_age_s) {
  double total = 0;
  if (min_age_s <= 0 && max_age_s > 0) total += c.session.distance_m.value_or(0);
  for (const SessionFigures& p : c.past) {
    const double age = Age(p.start_time_s, c.session.start_time_s);
    if (age >= min_age_s && age < max_age_s) total += p.distance_m.value_or(0);
  }
  return total;
}

WeeklyChange AnalyseWeekly(const Context& c) {
  const WeeklyTable& t = kT.weekly;
  const double week = static_cast<double>(t.week_days) * kSecondsPerDay;
  WeeklyChange w;
  w.this_week_m = DistanceInAgeRange(c, 0, week);
  w.previous_week_m = DistanceInAgeRange(c, week, 2 * week);
  if (w.previous_week_m <= 0) {
    w.explanation = absl::StrFormat(
        "This week (last %d days) %.1f km; no distance in the week before to compare with.",
        t.week_days, w.this_week_m / 1000);
    return w;
  }
  w.change_pct = (w.this_week_m / w.previous_week_m - 1) * 100;
  w.explanation = absl::StrFormat(
      "This week (last %d days) %.1f km vs %.1f km the week before (%+.0f %%); for context, "
      "weekly distance up %.0f %% over two weeks went with %.2f times the injury rate in one "
      "study, while the \"10 %% rule\" itself showed no protective effect.",
      t.week_days, w.this_week_m / 1000, w.previous_week_m / 1000, *w.change_pct,
      t.nielsen_increase_pct, t.nielsen_hr);
  return w;
}

TrainingLoad AnalyseTraining(const Context& c) {
  const TrainingLoadTable& t = kT.training;
  TrainingLoad out;
  const double day = kSecondsPerDay;
  out.acute_m = DistanceInAgeRange(c, 0, kT.weekly.week_days * day);
  out.chronic_weekly_m = DistanceInAgeRange(c, 0, t.acwr_chronic_days * day) /
                         (static_cast<double>(t.acwr_chronic_days) / kT.weekly.week_days);
  if (out.chronic_weekly_m > 0) out.acwr = out.acute_m / out.chronic_weekly_m;

  // Daily km by UTC day; CTL_d = CTL_{d-1} + (load_d - CTL_{d-1}) / 42, ATL likewise with 7
  // (the TrainingPeaks recurrence), starting from 0.
  const int64_t today = DayOf(c.session.start_time_s);
  const int64_t first_allowed = today - t.max_history_days;
  std::map<int64_t, double> km_by_day;
  km_by_day[today] += c.session.distance_m.value_or(0) / 1000;
  for (const SessionFigures& p : c.past) {
    const int64_t d = DayOf(p.start_time_s);
    if (d >= first_allowed) km_by_day[d] += p.distance_m.value_or(0) / 1000;
  }
  double ctl = 0, atl = 0;
  for (int64_t d = km_by_day.begin()->first; d <= today; ++d) {
    if (d == today) out.tsb = ctl - atl;
    const auto it = km_by_day.find(d);
    const double load = it == km_by_day.end() ? 0 : it->second;
    ctl += (load - ctl) / t.ctl_days;
    atl += (load - atl) / t.atl_days;
  }
  out.ctl = ctl;
  out.atl = atl;

  out.explanation = "Context only, not part of the score: ";
  if (out.acwr.has_value()) {
    absl::StrAppendFormat(
        &out.explanation,
        "acute:chronic distance ratio %.2f (the %.1f–%.1f \"sweet spot\" and >= %.1f \"danger\" "
        "come from team sports, are contested, and did not predict injury in a 5,205-runner "
        "study); ",
        *out.acwr, t.acwr_sweet_low, t.acwr_sweet_high, t.acwr_danger);
  }
  absl::StrAppendFormat(&out.explanation,
                        "fitness (CTL, %.0f-day) %.1f, fatigue (ATL, %.0f-day) %.1f, form (TSB) "
                        "%+.1f, in km per day.",
                        t.ctl_days, out.ctl, t.atl_days, out.atl, out.tsb);
  return out;
}

RunningLoad AnalyseLoad(const Context& c) {
  RunningLoad load;
  load.distance_m = c.session.distance_m;
  load.duration_s = c.session.duration_s;
  load.spike = AnalyseSpike(c);
  load.weekly = AnalyseWeekly(c);
  load.training = AnalyseTraining(c);
  return load;
}

FactorScore ScoreLoadSpike(const Context& c, const SpikeAnalysis& spike) {
  FactorScore f;
  f.factor = Factor::kLoadSpike;
  f.unit = "% over the longest run of the previous 30 days";
  f.modifiable = true;
  f.baseline_sessions = spike.previous_runs;  // the spike is itself a comparison with them
  f.explanation = spike.explanation;
  f.value = spike.excess_pct;
  const SpikeTable& t = kT.spike;
  switch (spike.band) {
    case SpikeBand::kNoDistance:
    case SpikeBand::kNoBaseline:
      return f;
    case SpikeBand::kNone:
      f.sub_score = t.none_points;
      break;
    case SpikeBand::k10To30:
      f.sub_score = t.moderate_points;
      break;
    case SpikeBand::k30To100:
      f.sub_score = t.large_points;
      break;
    case SpikeBand::kOver100:
      f.sub_score = t.very_large_points;
      break;
  }
  f.band = SpikeBandName(spike.band);
  const DataSource source = Resolve(c.session, c.session.sources.distance);
  f.confidence = RulesFor(source).distance;
  f.confidence_reason = absl::StrCat("distance from ", ASource(source));
  return f;
}

// ---------------------------------------------------------------------------------------------
// Total and top factor.

double WeightOf(Factor factor) {
  const FactorWeights& w = kT.weights;
  switch (factor) {
    case Factor::kOverstride:
      return w.overstride;
    case Factor::kCadence:
      return w.cadence;
    case Factor::kFootStrike:
      return w.foot_strike;
    case Factor::kVerticalOscillation:
      return w.vertical_oscillation;
    case Factor::kContactTime:
      return w.contact_time;
    case Factor::kImpact:
      return w.impact;
    case Factor::kAsymmetry:
      return w.asymmetry;
    case Factor::kLoadSpike:
      return w.load_spike;
  }
  return 0;
}

double FullWeight() {
  double sum = 0;
  for (int i = 0; i < kFactorCount; ++i) sum += WeightOf(static_cast<Factor>(i));
  return sum;
}

void Combine(KneeLoadResult& r) {
  double scored_weight = 0, low_weight = 0, weighted = 0;
  for (FactorScore& f : r.factors) {
    f.weight = WeightOf(f.factor);
    if (!f.sub_score.has_value()) continue;
    ++r.factors_scored;
    scored_weight += f.weight;
    weighted += f.weight * *f.sub_score;
    if (f.confidence == Confidence::kLow) low_weight += f.weight;
  }
  r.completeness = scored_weight / FullWeight();
  if (scored_weight <= 0) {
    r.confidence = Confidence::kLow;
    r.explanation = absl::StrFormat(
        "No knee-load score: none of the %d factors could be scored from this session's data.",
        kFactorCount);
    return;
  }
  for (FactorScore& f : r.factors) {
    if (f.sub_score.has_value()) f.contribution = f.weight * *f.sub_score / scored_weight;
  }
  r.total = weighted / scored_weight;
  const ConfidenceTable& t = kT.confidence;
  if (r.completeness < t.total_medium_completeness) {
    r.confidence = Confidence::kLow;
  } else if (r.completeness < t.total_high_completeness ||
             low_weight / scored_weight >= t.total_low_share_cap) {
    r.confidence = Confidence::kMedium;
  } else {
    r.confidence = Confidence::kHigh;
  }
  r.explanation = absl::StrFormat(
      "Knee-load score %.0f/100 (higher = more knee load) from %d of %d factors, %.0f %% of the "
      "full weight; %s confidence",
      *r.total, r.factors_scored, kFactorCount, r.completeness * 100, ConfidenceName(r.confidence));
  if (r.completeness < t.total_medium_completeness) {
    r.explanation += ": a partial picture, not comparable with a score from all factors.";
  } else {
    r.explanation += ".";
  }
}

// Tie-break order: load advice first (EVIDENCE.md §4, Esculier 2018), then by strength of the
// gait evidence (§3). Asymmetry is not modifiable and never chosen.
constexpr Factor kTopPriority[] = {
    Factor::kLoadSpike,
    Factor::kOverstride,
    Factor::kCadence,
    Factor::kImpact,
    Factor::kFootStrike,
    Factor::kContactTime,
    Factor::kVerticalOscillation,
};

std::string Advice(Factor factor, const Context& c, const RunningLoad& load) {
  const std::optional<double> cadence = OwnCadence(c.session);
  const std::string steps =
      cadence.has_value()
          ? absl::StrCat(CadenceTarget(*cadence), " at the same speed, not a fixed 180")
          : absl::StrFormat("+%.0f–%.0f %% of your own cadence at the same speed, not a fixed 180",
                            kT.cadence.target_low_pct, kT.cadence.target_high_pct);
  switch (factor) {
    case Factor::kLoadSpike:
      return absl::StrFormat(
          "Running load: this run was %.1f %% over your longest of the previous %d days (%.1f "
          "km); keep the next runs within %.0f %% of your longest recent run and build up "
          "gradually.",
          load.spike.excess_pct.value_or(0), kT.spike.window_days,
          load.spike.longest_previous_m.value_or(0) / 1000, kT.spike.none_max_pct);
    case Factor::kOverstride:
      return absl::StrCat("Shorter, quicker steps: ", steps, ".");
    case Factor::kCadence:
      return absl::StrCat("Quicker steps: ", steps, ".");
    case Factor::kContactTime:
      return absl::StrCat("Quicker, lighter steps: ", steps, ".");
    case Factor::kVerticalOscillation:
      return absl::StrCat("Less bounce: quicker, shorter steps, ", steps, ".");
    case Factor::kImpact:
      return absl::StrFormat(
          "Land softer and quieter: impact feedback cut peak tibial acceleration by about %.0f %% "
          "in a study, and the change held a month later.",
          kT.impact.feedback_cut_pct);
    case Factor::kFootStrike:
      return "Try a softer, more midfoot landing and add calf raises: it moves load from the "
             "knee to the calf and Achilles.";
    case Factor::kAsymmetry:
      return "";
  }
  return "";
}

void ChooseTop(KneeLoadResult& r, const Context& c) {
  int64_t best = 0;
  for (Factor factor : kTopPriority) {
    const FactorScore& f = r.factors[static_cast<int>(factor)];
    if (!f.modifiable || !f.sub_score.has_value()) continue;
    const int64_t rounded = Steps(f.contribution, kT.top.tie_resolution_points);
    if (rounded > best) {
      best = rounded;
      r.top_factor = factor;
    }
  }
  if (r.top_factor.has_value()) r.top_factor_advice = Advice(*r.top_factor, c, r.load);
}

// ---------------------------------------------------------------------------------------------
// Fatigue drift.

FatigueDrift Drift(const SessionFigures& s) {
  FatigueDrift d;
  const auto pct = [](std::optional<double> first, std::optional<double> last) {
    return first.has_value() && last.has_value() ? std::optional<double>((*last / *first - 1) * 100)
                                                 : std::nullopt;
  };
  d.cadence_pct = pct(s.cadence_first_third_spm, s.cadence_last_third_spm);
  d.step_length_pct = pct(s.step_length_first_third_m, s.step_length_last_third_m);
  d.contact_time_pct = pct(s.gct_first_third_ms, s.gct_last_third_ms);
  d.vertical_oscillation_pct = pct(s.vo_first_third_cm, s.vo_last_third_cm);
  std::vector<std::string> parts;
  bool notable = false;
  const auto add = [&](const char* name, std::optional<double> p, const std::string& values) {
    if (!p.has_value()) return;
    notable = notable || std::fabs(*p) >= kT.drift.notable_pct;
    parts.push_back(absl::StrFormat("%s %+.0f %% (%s)", name, *p, values));
  };
  if (d.cadence_pct.has_value()) {
    add("cadence", d.cadence_pct,
        absl::StrFormat("%.0f → %.0f spm", *s.cadence_first_third_spm, *s.cadence_last_third_spm));
  }
  if (d.step_length_pct.has_value()) {
    add("step length", d.step_length_pct,
        absl::StrFormat("%.2f → %.2f m", *s.step_length_first_third_m,
                        *s.step_length_last_third_m));
  }
  if (d.contact_time_pct.has_value()) {
    add("contact time", d.contact_time_pct,
        absl::StrFormat("%.0f → %.0f ms", *s.gct_first_third_ms, *s.gct_last_third_ms));
  }
  if (d.vertical_oscillation_pct.has_value()) {
    add("vertical oscillation", d.vertical_oscillation_pct,
        absl::StrFormat("%.1f → %.1f cm", *s.vo_first_third_cm, *s.vo_last_third_cm));
  }
  if (parts.empty()) return d;
  d.explanation =
      absl::StrCat("From the first to the last third of the run: ", absl::StrJoin(parts, ", "));
  d.explanation += notable ? "; form that changes late in a run is a sign of fatigue."
                           : "; your form held steady.";
  return d;
}

// ---------------------------------------------------------------------------------------------
// Pain links.

struct PainFigure {
  const char* name;
  const char* label;
  const char* unit;
  std::function<std::optional<double>(const SessionFigures&, const std::vector<SessionFigures>&)>
      value;
};

std::vector<PainFigure> PainFigures() {
  using Past = std::vector<SessionFigures>;
  return {
      {"step_length", "step length", "m",
       [](const SessionFigures& s, const Past&) { return StepLength(s); }},
      {"cadence", "cadence", "spm",
       [](const SessionFigures& s, const Past&) { return s.cadence_median_spm; }},
      {"rearfoot_share", "rearfoot share", "%",
       [](const SessionFigures& s, const Past&) { return RearfootSharePct(s); }},
      {"vertical_oscillation", "vertical oscillation", "cm",
       [](const SessionFigures& s, const Past&) { return s.vertical_oscillation_cm; }},
      {"contact_time", "ground contact time", "ms",
       [](const SessionFigures& s, const Past&) { return s.ground_contact_time_ms; }},
      {"peak_impact", "peak impact", "g",
       [](const SessionFigures& s, const Past&) { return s.peak_impact_median_g; }},
      {"asymmetry", "contact-time asymmetry", "% |symmetry index|",
       [](const SessionFigures& s, const Past&) -> std::optional<double> {
         const std::optional<AsymmetryFigure> a = Asymmetry(s);
         if (!a.has_value()) return std::nullopt;
         return std::fabs(a->si_pct);
       }},
      {"distance", "distance", "km",
       [](const SessionFigures& s, const Past&) { return ToKm(s.distance_m); }},
      {"duration", "duration", "min",
       [](const SessionFigures& s, const Past&) -> std::optional<double> {
         if (!s.duration_s.has_value()) return std::nullopt;
         return *s.duration_s / 60;
       }},
      {"load_spike", "load spike", "%",
       [](const SessionFigures& s, const Past& past) {
         return SpikeOf(s.distance_m, s.start_time_s, past).excess_pct;
       }},
  };
}

const char* OutcomeLabel(PainOutcome outcome) {
  return outcome == PainOutcome::kAfterRun ? "after-run" : "next-morning";
}

std::vector<PainLink> LinkPainImpl(const Context& c) {
  // The highest rating of each outcome per linked session.
  struct Ratings {
    std::optional<double> after;
    std::optional<double> next_morning;
  };
  const auto max_of = [](std::optional<double> a, std::optional<double> b) {
    if (!a.has_value()) return b;
    if (!b.has_value()) return a;
    return std::optional<double>(std::max(*a, *b));
  };
  std::map<int64_t, Ratings> ratings;
  for (const PainReport& r : c.reports) {
    if (!r.session_start_s.has_value()) continue;
    Ratings& x = ratings[*r.session_start_s];
    x.after = max_of(x.after, r.after);
    x.next_morning = max_of(x.next_morning, r.next_morning);
  }
  std::vector<const SessionFigures*> sessions;
  for (const SessionFigures& p : c.past) sessions.push_back(&p);
  sessions.push_back(&c.session);

  std::vector<PainLink> links;
  const int min_n = kT.pain.min_sessions;
  for (const PainFigure& figure : PainFigures()) {
    for (PainOutcome outcome : {PainOutcome::kAfterRun, PainOutcome::kNextMorning}) {
      std::vector<double> xs, ys;
      for (const SessionFigures* s : sessions) {
        const auto it = ratings.find(s->start_time_s);
        if (it == ratings.end()) continue;
        const std::optional<double> pain =
            outcome == PainOutcome::kAfterRun ? it->second.after : it->second.next_morning;
        if (!pain.has_value()) continue;
        const std::optional<double> x = figure.value(*s, c.past);
        if (!x.has_value() || !std::isfinite(*x)) continue;
        xs.push_back(*x);
        ys.push_back(*pain);
      }
      PainLink link;
      link.figure = figure.name;
      link.unit = figure.unit;
      link.outcome = outcome;
      link.n = static_cast<int>(xs.size());
      if (link.n < min_n) {
        link.explanation = absl::StrFormat(
            "Not enough sessions yet (n=%d): %s and %s pain need at least %d sessions with both "
            "before a link is shown.",
            link.n, figure.label, OutcomeLabel(outcome), min_n);
      } else if (!(link.rho = SpearmanRho(xs, ys)).has_value()) {
        link.explanation = absl::StrFormat(
            "No variation in %s or in %s pain across %d sessions: no correlation to show.",
            figure.label, OutcomeLabel(outcome), link.n);
      } else {
        const double rho = *link.rho;
        std::string relation;
        if (std::fabs(rho) <= kT.pain.no_link_max_abs_rho) {
          relation = absl::StrFormat("%s showed no clear link with %s pain", figure.label,
                                     OutcomeLabel(outcome));
        } else {
          relation = absl::StrFormat("higher %s went with %s %s pain", figure.label,
                                     rho > 0 ? "more" : "less", OutcomeLabel(outcome));
        }
        link.explanation = absl::StrFormat(
            "Across %d of your sessions, %s (Spearman rank correlation %+.2f); this is an "
            "association in your own data, not proof that one causes the other%s.",
            link.n, relation, rho,
            link.n < kT.pain.few_sessions ? ", and with this few sessions treat it as a hint" : "");
      }
      links.push_back(std::move(link));
    }
  }
  return links;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API.

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::vector<double> AverageRanks(const std::vector<double>& values) {
  const size_t n = values.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    // Positions i..j (0-based) hold ranks i+1..j+1; their average is (i + j) / 2 + 1.
    const double rank = static_cast<double>(i + j) / 2 + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

std::optional<double> SpearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) return std::nullopt;
  const std::vector<double> rx = AverageRanks(x);
  const std::vector<double> ry = AverageRanks(y);
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    mx += rx[i];
    my += ry[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

const char* FactorName(Factor factor) {
  switch (factor) {
    case Factor::kOverstride:
      return "overstride";
    case Factor::kCadence:
      return "cadence";
    case Factor::kFootStrike:
      return "foot_strike";
    case Factor::kVerticalOscillation:
      return "vertical_oscillation";
    case Factor::kContactTime:
      return "contact_time";
    case Factor::kImpact:
      return "impact";
    case Factor::kAsymmetry:
      return "asymmetry";
    case Factor::kLoadSpike:
      return "load_spike";
  }
  return "unknown";
}

const char* ConfidenceName(Confidence confidence) {
  switch (confidence) {
    case Confidence::kLow:
      return "low";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kHigh:
      return "high";
  }
  return "low";
}

const char* SpikeBandName(SpikeBand band) {
  switch (band) {
    case SpikeBand::kNoDistance:
      return "no distance";
    case SpikeBand::kNoBaseline:
      return "no baseline";
    case SpikeBand::kNone:
      return "no spike (<= 10 %)";
    case SpikeBand::k10To30:
      return "10–30 %";
    case SpikeBand::k30To100:
      return "30–100 %";
    case SpikeBand::kOver100:
      return "over 100 %";
  }
  return "no distance";
}

RunningLoad AnalyseRunningLoad(const SessionFigures& session, const History& history) {
  return AnalyseLoad(MakeContext(session, AthleteProfile{}, history));
}

std::vector<PainLink> LinkPain(const SessionFigures& session, const History& history) {
  return LinkPainImpl(MakeContext(session, AthleteProfile{}, history));
}

KneeLoadResult Score(const SessionFigures& session, const AthleteProfile& athlete,
                     const History& history) {
  const Context c = MakeContext(session, athlete, history);
  KneeLoadResult r;
  r.version = kKneeLoadVersion;
  r.load = AnalyseLoad(c);
  r.drift = Drift(c.session);
  r.factors.reserve(kFactorCount);
  r.factors.push_back(ScoreOverstride(c));
  r.factors.push_back(ScoreCadence(c));
  r.factors.push_back(ScoreFootStrike(c));
  r.factors.push_back(ScoreVerticalOscillation(c));
  r.factors.push_back(ScoreContactTime(c));
  r.factors.push_back(ScoreImpact(c));
  r.factors.push_back(ScoreAsymmetry(c));
  r.factors.push_back(ScoreLoadSpike(c, r.load.spike));
  Combine(r);
  ChooseTop(r, c);
  r.pain_links = LinkPainImpl(c);
  return r;
}

}  // namespace gaitkeeper::scoring::knee_load
