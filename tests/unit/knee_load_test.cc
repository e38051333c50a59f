#include "services/scoring/knee_load/knee_load.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "services/scoring/knee_load/weights.h"

namespace gaitkeeper::scoring::knee_load {
namespace {

// Success when `text` contains every one of `parts`; else the missing part and the text.
::testing::AssertionResult Has(const std::string& text, std::initializer_list<const char*> parts) {
  for (const char* part : parts) {
    if (text.find(part) == std::string::npos) {
      return ::testing::AssertionFailure() << "missing \"" << part << "\" in: " << text;
    }
  }
  return ::testing::AssertionSuccess();
}

// Success when `text` contains none of `parts`.
::testing::AssertionResult Lacks(const std::string& text,
                                 std::initializer_list<const char*> parts) {
  for (const char* part : parts) {
    if (text.find(part) != std::string::npos) {
      return ::testing::AssertionFailure() << "unexpected \"" << part << "\" in: " << text;
    }
  }
  return ::testing::AssertionSuccess();
}

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'700'000'000;  // the scored session's start
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const KneeLoadTable& kTable = kKneeLoadTable;

AthleteProfile Height(double cm) {
  AthleteProfile a;
  a.height_cm = cm;
  return a;
}

// A pain report; `during` is never used by the engine.
PainReport Pain(int64_t date_s, std::optional<double> after, std::optional<double> next_morning,
                std::optional<int64_t> session_start_s) {
  PainReport r;
  r.date_s = date_s;
  r.after = after;
  r.next_morning = next_morning;
  r.session_start_s = session_start_s;
  return r;
}

// A session with only load figures (distance from a GPS watch).
SessionFigures LoadRun(int64_t start, double km) {
  SessionFigures s;
  s.start_time_s = start;
  s.distance_m = km * 1000;
  s.duration_s = km * 360;
  s.source = DataSource::kChestStrap;
  s.sources.distance = DataSource::kWatchWrist;
  return s;
}

// A running session with chest-strap dynamics, all in unremarkable zones.
SessionFigures GaitRun(int64_t start, double km) {
  SessionFigures s = LoadRun(start, km);
  s.running_sample_count = 3600;
  s.median_speed_mps = 3.0;
  s.cadence_median_spm = 170;
  s.cadence_p10_spm = 164;
  s.cadence_p90_spm = 176;
  s.step_length_m = 3.0 * 60 / 170;
  s.ground_contact_time_ms = 250;
  s.gct_balance_left_pct = 50.0;
  s.vertical_oscillation_cm = 8.5;
  s.vertical_ratio_pct = 8.0;
  return s;
}

const FactorScore& FactorOf(const KneeLoadResult& r, Factor factor) {
  return r.factors.at(static_cast<size_t>(factor));
}

KneeLoadResult ScoreAlone(const SessionFigures& s, const AthleteProfile& a = {}) {
  return Score(s, a, History{});
}

// Every number and string of a result, doubles in hex so that "identical" means bit-identical.
std::string Dump(const KneeLoadResult& r) {
  const auto opt = [](const std::optional<double>& v) {
    return v.has_value() ? absl::StrFormat("%a", *v) : std::string("-");
  };
  std::string out = absl::StrCat("v", r.version, " total ", opt(r.total), " n ", r.factors_scored,
                                 " c ", absl::StrFormat("%a", r.completeness), " ",
                                 ConfidenceName(r.confidence), "|", r.explanation, "\n");
  for (const FactorScore& f : r.factors) {
    absl::StrAppend(&out, FactorName(f.factor), " ", opt(f.value), " ", f.unit, " ", f.band, " ",
                    opt(f.sub_score), " ", absl::StrFormat("%a %a", f.weight, f.contribution), " ",
                    f.baseline ? absl::StrFormat("%a/%d", f.baseline->median, f.baseline->count)
                               : std::string("-"),
                    " ", f.baseline_sessions, " ", ConfidenceName(f.confidence), " ",
                    f.confidence_reason, " ", f.modifiable, "|", f.explanation, "\n");
  }
  absl::StrAppend(&out, "top ", r.top_factor ? FactorName(*r.top_factor) : "-", "|",
                  r.top_factor_advice, "\n");
  absl::StrAppend(&out, "drift ", opt(r.drift.cadence_pct), opt(r.drift.step_length_pct),
                  opt(r.drift.contact_time_pct), opt(r.drift.vertical_oscillation_pct), "|",
                  r.drift.explanation, "\n");
  const RunningLoad& l = r.load;
  absl::StrAppend(&out, "load ", opt(l.distance_m), opt(l.duration_s), " ",
                  SpikeBandName(l.spike.band), opt(l.spike.longest_previous_m),
                  l.spike.previous_runs, opt(l.spike.excess_pct), opt(l.spike.hazard_ratio), "|",
                  l.spike.explanation, "\n");
  absl::StrAppend(&out, absl::StrFormat("%a %a", l.weekly.this_week_m, l.weekly.previous_week_m),
                  opt(l.weekly.change_pct), "|", l.weekly.explanation, "\n");
  absl::StrAppend(&out,
                  absl::StrFormat("%a %a %a %a %a", l.training.acute_m, l.training.chronic_weekly_m,
                                  l.training.ctl, l.training.atl, l.training.tsb),
                  opt(l.training.acwr), "|", l.training.explanation, "\n");
  for (const PainLink& p : r.pain_links) {
    absl::StrAppend(&out, p.figure, " ", p.unit, " ", static_cast<int>(p.outcome), " ", p.n, " ",
                    opt(p.rho), "|", p.explanation, "\n");
  }
  return out;
}

// All the doubles of a result.
std::vector<double> Numbers(const KneeLoadResult& r) {
  std::vector<double> v = {r.completeness,
                           r.load.weekly.this_week_m,
                           r.load.weekly.previous_week_m,
                           r.load.training.acute_m,
                           r.load.training.chronic_weekly_m,
                           r.load.training.ctl,
                           r.load.training.atl,
                           r.load.training.tsb};
  const auto add = [&](const std::optional<double>& x) {
    if (x.has_value()) v.push_back(*x);
  };
  add(r.total);
  for (const FactorScore& f : r.factors) {
    add(f.value);
    add(f.sub_score);
    v.push_back(f.weight);
    v.push_back(f.contribution);
    if (f.baseline) v.push_back(f.baseline->median);
  }
  add(r.drift.cadence_pct);
  add(r.drift.step_length_pct);
  add(r.drift.contact_time_pct);
  add(r.drift.vertical_oscillation_pct);
  add(r.load.distance_m);
  add(r.load.duration_s);
  add(r.load.spike.longest_previous_m);
  add(r.load.spike.excess_pct);
  add(r.load.spike.hazard_ratio);
  add(r.load.weekly.change_pct);
  add(r.load.training.acwr);
  for (const PainLink& p : r.pain_links) add(p.rho);
  return v;
}

void ExpectAllFinite(const KneeLoadResult& r) {
  for (double x : Numbers(r)) EXPECT_TRUE(std::isfinite(x)) << Dump(r);
  EXPECT_TRUE(Lacks(r.explanation, {"nan"}));
  for (const FactorScore& f : r.factors) {
    EXPECT_TRUE(Lacks(f.explanation, {"nan", " inf"}));
  }
}

// ---------------------------------------------------------------------------------------------
// The table.

TEST(KneeLoadTableTest, WeightsSumTo100AndVersionIsReported) {
  const FactorWeights& w = kTable.weights;
  EXPECT_DOUBLE_EQ(w.load_spike + w.overstride + w.cadence + w.impact + w.foot_strike +
                       w.contact_time + w.asymmetry + w.vertical_oscillation,
                   100);
  EXPECT_EQ(kTable.version, kKneeLoadVersion);
  EXPECT_EQ(ScoreAlone(LoadRun(kT0, 5)).version, kKneeLoadVersion);
}

TEST(KneeLoadTableTest, EveryFactorIsReportedInOrderWithItsWeight) {
  const KneeLoadResult r = ScoreAlone(SessionFigures{});
  ASSERT_EQ(r.factors.size(), static_cast<size_t>(kFactorCount));
  for (int i = 0; i < kFactorCount; ++i) {
    EXPECT_EQ(r.factors[i].factor, static_cast<Factor>(i));
    EXPECT_GT(r.factors[i].weight, 0);
    EXPECT_FALSE(r.factors[i].sub_score.has_value()) << FactorName(r.factors[i].factor);
  }
  EXPECT_FALSE(r.total.has_value());
  EXPECT_EQ(r.factors_scored, 0);
  EXPECT_EQ(r.completeness, 0);
  EXPECT_EQ(r.confidence, Confidence::kLow);
  EXPECT_TRUE(Has(r.explanation, {"No knee-load score"}));
  EXPECT_FALSE(r.top_factor.has_value());
}

// ---------------------------------------------------------------------------------------------
// Banding at the boundaries.

struct BandCase {
  double value;
  const char* band;
  double points;
};

TEST(CadenceFactorTest, BandsAtGarminBoundaries) {
  const ZonePoints& p = kTable.cadence.points;
  const BandCase cases[] = {
      {184, "purple", p.purple},   {183.5, "purple", p.purple},  // rounded to 1 spm first
      {183.4, "blue", p.blue},     {174, "blue", p.blue},       {173, "green", p.green},
      {164, "green", p.green},     {163, "orange", p.orange},   {153, "orange", p.orange},
      {152.5, "orange", p.orange}, {152.4, "red", p.red},       {120, "red", p.red},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.cadence_median_spm = c.value;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kCadence);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    EXPECT_EQ(f.value, c.value);
    EXPECT_EQ(f.unit, "spm");
  }
}

TEST(ContactTimeFactorTest, BandsAtGarminBoundaries) {
  const ZonePoints& p = kTable.contact_time.points;
  const BandCase cases[] = {
      {217, "purple", p.purple}, {218, "blue", p.blue},     {248, "blue", p.blue},
      {248.4, "blue", p.blue},   {249, "green", p.green},   {277, "green", p.green},
      {278, "orange", p.orange}, {308, "orange", p.orange}, {309, "red", p.red},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.ground_contact_time_ms = c.value;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kContactTime);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
  }
}

TEST(VerticalOscillationFactorTest, BandsAtGarminBoundariesForChestAndPod) {
  const ZonePoints& p = kTable.oscillation.points;
  struct Case {
    DataSource source;
    double vo;
    const char* band;
    double points;
  };
  const Case cases[] = {
      {DataSource::kChestStrap, 6.3, "purple", p.purple},
      {DataSource::kChestStrap, 6.4, "blue", p.blue},
      {DataSource::kChestStrap, 8.1, "blue", p.blue},
      {DataSource::kChestStrap, 8.2, "green", p.green},
      {DataSource::kChestStrap, 9.7, "green", p.green},
      {DataSource::kChestStrap, 9.8, "orange", p.orange},
      {DataSource::kChestStrap, 11.5, "orange", p.orange},
      {DataSource::kChestStrap, 11.6, "red", p.red},
      {DataSource::kFootPod, 6.7, "purple", p.purple},
      {DataSource::kFootPod, 6.8, "blue", p.blue},
      {DataSource::kFootPod, 10.9, "green", p.green},
      {DataSource::kFootPod, 11.0, "orange", p.orange},
      {DataSource::kFootPod, 13.0, "orange", p.orange},
      {DataSource::kFootPod, 13.1, "red", p.red},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(static_cast<int>(c.source), " ", c.vo));
    SessionFigures s;
    s.source = c.source;
    s.vertical_oscillation_cm = c.vo;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kVerticalOscillation);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    EXPECT_EQ(f.unit, "cm");
  }
}

TEST(VerticalOscillationFactorTest, FallsBackToVerticalRatio) {
  SessionFigures s;
  s.source = DataSource::kChestStrap;
  s.vertical_ratio_pct = 10.1;
  FactorScore f = FactorOf(ScoreAlone(s), Factor::kVerticalOscillation);
  EXPECT_EQ(f.band, "orange");
  EXPECT_EQ(f.unit, "% vertical ratio");
  s.vertical_ratio_pct = 10.2;
  f = FactorOf(ScoreAlone(s), Factor::kVerticalOscillation);
  EXPECT_EQ(f.band, "red");
  EXPECT_TRUE(Has(f.explanation, {"Vertical ratio 10.2 %", "not an injury threshold",
                                  "no study links it to knee load"}));
}

TEST(OverstrideFactorTest, BandsAgainstHeightAtBoundaries) {
  // 175 cm at 3.0 m/s: reference step / height = 0.21 x 3.0 = 0.63, i.e. a 1.1025 m step.
  const double reference_step = 0.21 * 3.0 * 1.75;
  const OverstrideTable& t = kTable.overstride;
  const BandCase cases[] = {
      {0.95, "typical for your height", t.typical_points},
      {1.00, "typical for your height", t.typical_points},
      {1.10, "a little long for your height", t.slightly_long_points},
      {1.101, "long for your height", t.long_points},
      {1.20, "long for your height", t.long_points},
      {1.201, "very long for your height", t.very_long_points},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.median_speed_mps = 3.0;
    s.step_length_m = reference_step * c.value;
    s.cadence_median_spm = 165;
    const FactorScore f = FactorOf(ScoreAlone(s, Height(175)), Factor::kOverstride);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    EXPECT_EQ(f.confidence, Confidence::kLow) << "no own history: population heuristic only";
  }
}

TEST(OverstrideFactorTest, LegLengthIsPreferredToHeight) {
  SessionFigures s;
  s.median_speed_mps = 3.0;
  // Leg 90 cm: reference step / leg = 0.21 x 3.0 / 0.53 = 1.1887, i.e. a 1.0698 m step.
  s.step_length_m = 1.0698 * 1.15;
  const FactorScore f = FactorOf(
      ScoreAlone(s, AthleteProfile{.height_cm = 250, .leg_length_cm = 90}), Factor::kOverstride);
  EXPECT_EQ(f.band, "long for your leg length");
  EXPECT_TRUE(Has(f.explanation, {"of it"}));
}

TEST(OverstrideFactorTest, OwnMatchedSpeedBaselineAtBoundaries) {
  History h;
  for (int i = 1; i <= 3; ++i) {
    SessionFigures p = GaitRun(kT0 - i * kDay, 8);
    p.median_speed_mps = 3.0 + 0.1 * (i - 2);  // 2.9, 3.0, 3.1: all within +-0.3 m/s
    p.step_length_m = 1.00;
    h.sessions.push_back(p);
  }
  // A faster session with a longer step: outside the matched speed, must be ignored.
  SessionFigures fast = GaitRun(kT0 - 4 * kDay, 8);
  fast.median_speed_mps = 3.5;
  fast.step_length_m = 2.0;
  h.sessions.push_back(fast);

  const OverstrideTable& t = kTable.overstride;
  const BandCase cases[] = {
      {0.95, "as usual", t.own_usual_points},
      {1.03, "as usual", t.own_usual_points},
      {1.031, "longer than usual", t.own_longer_points},
      {1.10, "longer than usual", t.own_longer_points},
      {1.101, "much longer than usual", t.own_much_longer_points},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s = GaitRun(kT0, 8);
    s.step_length_m = c.value;
    const FactorScore f = FactorOf(Score(s, AthleteProfile{}, h), Factor::kOverstride);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    ASSERT_TRUE(f.baseline.has_value());
    EXPECT_DOUBLE_EQ(f.baseline->median, 1.00);
    EXPECT_EQ(f.baseline->count, 3);
    EXPECT_EQ(f.confidence, Confidence::kMedium) << "own history, but no published norm";
  }
}

TEST(OverstrideFactorTest, TakesTheWorseOfHeightAndOwnComparison) {
  History h;
  for (int i = 1; i <= 3; ++i) {
    SessionFigures p = GaitRun(kT0 - i * kDay, 8);
    p.step_length_m = 1.30;  // a habitually long step
    h.sessions.push_back(p);
  }
  SessionFigures s = GaitRun(kT0, 8);
  s.step_length_m = 1.30;
  const FactorScore f = FactorOf(Score(s, Height(175), h), Factor::kOverstride);
  // 1.30 / 1.75 = 74 % vs 63 %: +18 % "long", although "as usual" for the runner.
  EXPECT_EQ(f.band, "long for your height");
  EXPECT_EQ(f.sub_score, kTable.overstride.long_points);
  EXPECT_TRUE(Has(f.explanation, {"74 %", "as usual"}));
}

TEST(OverstrideFactorTest, NeedsSpeedAndAReference) {
  SessionFigures s;
  s.step_length_m = 1.2;
  FactorScore f = FactorOf(ScoreAlone(s, Height(175)), Factor::kOverstride);
  EXPECT_FALSE(f.sub_score.has_value());
  EXPECT_EQ(f.value, 1.2);
  EXPECT_TRUE(Has(f.explanation, {"no running speed"}));
  s.median_speed_mps = 3;
  f = FactorOf(ScoreAlone(s), Factor::kOverstride);
  EXPECT_FALSE(f.sub_score.has_value());
  EXPECT_TRUE(Has(f.explanation, {"no height or leg length"}));
}

TEST(OverstrideFactorTest, StepLengthIsDerivedFromSpeedAndCadence) {
  SessionFigures s;
  s.median_speed_mps = 3.0;
  s.cadence_median_spm = 150;
  const FactorScore f = FactorOf(ScoreAlone(s, Height(175)), Factor::kOverstride);
  ASSERT_TRUE(f.value.has_value());
  EXPECT_DOUBLE_EQ(*f.value, 1.2);
}

TEST(FootStrikeFactorTest, BandsByRearfootShareAtBoundaries) {
  const FootStrikeTable& t = kTable.foot_strike;
  struct Case {
    FootStrikeCounts counts;
    const char* band;
    double points;
  };
  const Case cases[] = {
      {{670, 200, 130}, "mostly rearfoot", t.mostly_rearfoot_points},
      {{669, 200, 131}, "mixed", t.mixed_points},
      {{330, 370, 300}, "mixed", t.mixed_points},
      {{329, 371, 300}, "mostly midfoot/forefoot", t.mostly_fore_points},
      {{0, 0, 500}, "mostly midfoot/forefoot", t.mostly_fore_points},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.counts.rearfoot);
    SessionFigures s;
    s.source = DataSource::kFootImu;
    s.foot_strikes = c.counts;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kFootStrike);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    EXPECT_EQ(f.confidence, Confidence::kMedium);
    // The knee-vs-calf trade-off is always stated.
    EXPECT_TRUE(Has(f.explanation, {"27 %", "calf"}));
  }
}

TEST(ImpactFactorTest, ShinImpactBandsAtTheScreeningLevel) {
  const ImpactTable& t = kTable.impact;
  const BandCase cases[] = {
      {6.0, "at or below the 8 g screening level", t.below_points},
      {8.0, "at or below the 8 g screening level", t.below_points},
      {8.04, "at or below the 8 g screening level", t.below_points},
      {8.1, "above the 8 g screening level", t.above_points},
      {14, "above the 8 g screening level", t.above_points},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.source = DataSource::kShinImu;
    s.peak_impact_median_g = c.value;
    s.imu_rate_hz = 500;
    s.impact_step_count = 3000;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kImpact);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    EXPECT_EQ(f.confidence, Confidence::kMedium);
  }
}

TEST(AsymmetryFactorTest, BalanceBandsAtGarminBoundaries) {
  const AsymmetryTable& t = kTable.asymmetry;
  const BandCase cases[] = {
      {50.0, "even", t.even_points},
      {50.7, "even", t.even_points},
      {49.3, "even", t.even_points},
      {50.8, "uneven", t.moderate_points},
      {49.2, "uneven", t.moderate_points},
      {52.2, "uneven", t.moderate_points},
      {47.8, "uneven", t.moderate_points},
      {52.3, "markedly uneven", t.marked_points},
      {47.7, "markedly uneven", t.marked_points},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.gct_balance_left_pct = c.value;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kAsymmetry);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
    ASSERT_TRUE(f.value.has_value());
    EXPECT_NEAR(*f.value, 4 * (c.value - 50), 1e-9);  // symmetry index
    EXPECT_FALSE(f.modifiable);
  }
}

TEST(AsymmetryFactorTest, ImuSymmetryIndexBandsAtBoundaries) {
  const AsymmetryTable& t = kTable.asymmetry;
  const BandCase cases[] = {
      {2.8, "even", t.even_points},
      {-2.8, "even", t.even_points},
      {2.9, "uneven", t.moderate_points},
      {8.8, "uneven", t.moderate_points},
      {8.9, "markedly uneven", t.marked_points},
      {-9, "markedly uneven", t.marked_points},
  };
  for (const BandCase& c : cases) {
    SCOPED_TRACE(c.value);
    SessionFigures s;
    s.source = DataSource::kFootImu;
    s.contact_time_asymmetry_pct = c.value;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kAsymmetry);
    EXPECT_EQ(f.band, c.band);
    EXPECT_EQ(f.sub_score, c.points);
  }
}

TEST(AsymmetryFactorTest, ExplanationNamesTheSides) {
  SessionFigures s;
  s.gct_balance_left_pct = 52.5;
  s.impact_asymmetry_pct = -6;
  const FactorScore f = FactorOf(ScoreAlone(s), Factor::kAsymmetry);
  EXPECT_TRUE(
      Has(f.explanation, {"52.5 % left / 47.5 % right", "+10.0 %", "left side longer", "-6.0 %"}));
}

// ---------------------------------------------------------------------------------------------
// Explanations.

TEST(ExplanationTest, CadenceGivesOwnCadenceTargetNotAFixed180) {
  SessionFigures s;
  s.cadence_median_spm = 160;
  const FactorScore f = FactorOf(ScoreAlone(s), Factor::kCadence);
  EXPECT_TRUE(Has(f.explanation,
                  {"Cadence 160 spm", "orange", "+5–10 % of your own cadence: 160 → 168–176 spm",
                   "not a fixed 180", "not an injury threshold"}));
  EXPECT_TRUE(Lacks(f.explanation, {"→ 180"}));
}

TEST(ExplanationTest, CadenceTargetScalesWithTheRunnersOwnCadence) {
  SessionFigures s;
  s.cadence_median_spm = 140;
  EXPECT_TRUE(Has(FactorOf(ScoreAlone(s), Factor::kCadence).explanation, {"140 → 147–154 spm"}));
  s.cadence_median_spm = 178;
  EXPECT_TRUE(Has(FactorOf(ScoreAlone(s), Factor::kCadence).explanation, {"178 → 187–196 spm"}));
  s.cadence_median_spm = 186;  // purple: nothing to change
  const std::string e = FactorOf(ScoreAlone(s), Factor::kCadence).explanation;
  EXPECT_TRUE(Has(e, {"no change needed"}));
  EXPECT_TRUE(Lacks(e, {"→"}));
}

TEST(ExplanationTest, CadenceMentionsFatigueDrop) {
  SessionFigures s;
  s.cadence_median_spm = 166;
  s.cadence_first_third_spm = 170;
  s.cadence_last_third_spm = 162;
  EXPECT_TRUE(Has(FactorOf(ScoreAlone(s), Factor::kCadence).explanation,
                  {"fell 5 % from the first to the last third (170 → 162 spm)"}));
}

TEST(ExplanationTest, OverstrideHasTheNumbersAndTheCadenceTarget) {
  SessionFigures s;
  s.median_speed_mps = 3.5;  // 12.6 km/h
  s.step_length_m = 1.31;
  s.cadence_median_spm = 160;
  const FactorScore f = FactorOf(ScoreAlone(s, Height(160)), Factor::kOverstride);
  // 1.31 / 1.60 = 82 % against 0.21 x 3.5 = 74 %: +11 %, "long".
  EXPECT_EQ(f.band, "long for your height");
  EXPECT_TRUE(
      Has(f.explanation,
          {"Step length 1.31 m at 12.6 km/h is long for your height", "82 % of it", "74 %",
           "+5–10 % of your own cadence: 160 → 168–176 spm", "shortens the step to 1.19–1.25 m"}));
}

TEST(ExplanationTest, LoadSpikeQuotesTheStudyWithoutClaimingCause) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 3 * kDay, 10));
  const KneeLoadResult r = Score(LoadRun(kT0, 15), {}, h);
  EXPECT_TRUE(Has(r.load.spike.explanation,
                  {"15.0 km", "50.0 % longer", "10.0 km", "1.52", "association"}));
  EXPECT_EQ(FactorOf(r, Factor::kLoadSpike).explanation, r.load.spike.explanation);
}

TEST(ExplanationTest, ImpactFromShinAboveScreeningMentionsFeedback) {
  SessionFigures s;
  s.source = DataSource::kShinImu;
  s.peak_impact_median_g = 9.4;
  s.peak_impact_p90_g = 12.1;
  EXPECT_TRUE(
      Has(FactorOf(ScoreAlone(s), Factor::kImpact).explanation, {"9.4 g", "12.1 g", "50 %"}));
}

// ---------------------------------------------------------------------------------------------
// Total, renormalisation, completeness, top factor.

TEST(TotalTest, RenormalisesOverTheFactorsPresent) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 10));
  SessionFigures s = LoadRun(kT0, 10);
  s.cadence_median_spm = 150;  // red: 85 points
  const KneeLoadResult r = Score(s, {}, h);
  // Cadence (weight 15, 85 points) and load spike (weight 25, 0 points).
  const double w_c = kTable.weights.cadence, w_l = kTable.weights.load_spike;
  ASSERT_TRUE(r.total.has_value());
  EXPECT_DOUBLE_EQ(*r.total, (w_c * 85 + w_l * 0) / (w_c + w_l));
  EXPECT_EQ(r.factors_scored, 2);
  EXPECT_DOUBLE_EQ(r.completeness, (w_c + w_l) / 100);
  EXPECT_DOUBLE_EQ(FactorOf(r, Factor::kCadence).contribution, *r.total);
  EXPECT_DOUBLE_EQ(FactorOf(r, Factor::kLoadSpike).contribution, 0);
  EXPECT_EQ(r.confidence, Confidence::kLow);
  EXPECT_TRUE(
      Has(r.explanation, {"higher = more knee load", "2 of 8 factors", "40 %", "partial picture"}));
}

TEST(TotalTest, ContributionsSumToTheTotal) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 10));
  SessionFigures s = GaitRun(kT0, 12);
  s.source = DataSource::kFootImu;
  s.sources.cadence = DataSource::kChestStrap;
  s.sources.contact_time = DataSource::kChestStrap;
  s.sources.oscillation = DataSource::kChestStrap;
  s.sources.impact = DataSource::kShinImu;
  s.foot_strikes = FootStrikeCounts{800, 150, 50};
  s.peak_impact_median_g = 9;
  const KneeLoadResult r = Score(s, Height(170), h);
  EXPECT_EQ(r.factors_scored, 8);
  EXPECT_DOUBLE_EQ(r.completeness, 1.0);
  double sum = 0;
  for (const FactorScore& f : r.factors) sum += f.contribution;
  ASSERT_TRUE(r.total.has_value());
  EXPECT_NEAR(sum, *r.total, 1e-9);
  EXPECT_GE(*r.total, 0);
  EXPECT_LE(*r.total, 100);
}

TEST(TotalTest, AllWorstBandsGive100AndAllBestGive0) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 5));
  SessionFigures worst = LoadRun(kT0, 12);  // > 100 % spike
  worst.cadence_median_spm = 140;
  SessionFigures best = LoadRun(kT0, 5);
  best.cadence_median_spm = 190;
  const KneeLoadResult rw = Score(worst, {}, h);
  const KneeLoadResult rb = Score(best, {}, h);
  ASSERT_TRUE(rw.total.has_value());
  ASSERT_TRUE(rb.total.has_value());
  EXPECT_DOUBLE_EQ(*rw.total, (15 * 85.0 + 25 * 100.0) / 40);
  EXPECT_DOUBLE_EQ(*rb.total, 0);
  EXPECT_GT(*rw.total, *rb.total);  // higher = more knee load
}

TEST(TotalTest, ConfidenceFollowsCompletenessAndLowConfidenceShare) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 10));
  // No foot strike, no impact: 80 % of the weight; only overstride (20 of 80) is low.
  SessionFigures s = GaitRun(kT0, 10);
  KneeLoadResult r = Score(s, Height(175), h);
  EXPECT_DOUBLE_EQ(r.completeness, 0.8);
  EXPECT_EQ(FactorOf(r, Factor::kOverstride).confidence, Confidence::kLow);
  EXPECT_EQ(r.confidence, Confidence::kHigh);
  // Without height: 60 %, medium.
  r = Score(s, {}, h);
  EXPECT_DOUBLE_EQ(r.completeness, 0.6);
  EXPECT_EQ(r.confidence, Confidence::kMedium);
  // A short running part makes every gait factor low: 55 of the 80 scored weight.
  s.running_sample_count = 30;
  r = Score(s, Height(175), h);
  EXPECT_EQ(r.confidence, Confidence::kMedium);
  for (const FactorScore& f : r.factors) {
    if (f.factor != Factor::kLoadSpike) {
      EXPECT_NE(f.confidence, Confidence::kHigh) << FactorName(f.factor);
    }
  }
}

TEST(TopFactorTest, LargestModifiableContributionWins) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 10));
  SessionFigures s = LoadRun(kT0, 10);  // no spike: 0 points
  s.cadence_median_spm = 160;           // orange: 15 x 60 = 900
  s.ground_contact_time_ms = 320;       // red: 8 x 85 = 680
  s.gct_balance_left_pct = 55;          // red but not modifiable: 7 x 80 = 560
  KneeLoadResult r = Score(s, {}, h);
  ASSERT_TRUE(r.top_factor.has_value());
  EXPECT_EQ(*r.top_factor, Factor::kCadence);
  EXPECT_TRUE(Has(r.top_factor_advice, {"160 → 168–176 spm", "not a fixed 180"}));

  SessionFigures only_asymmetry = LoadRun(kT0, 10);
  only_asymmetry.gct_balance_left_pct = 55;
  r = Score(only_asymmetry, {}, h);
  EXPECT_FALSE(r.top_factor.has_value()) << "asymmetry is tracked, not cued";
}

TEST(TopFactorTest, TiesGoToThePriorityOrder) {
  // Overstride "a little long" (20 x 35 = 700) ties with shin impact above 8 g (10 x 70 = 700):
  // overstride comes first in the priority order.
  SessionFigures s;
  s.median_speed_mps = 3.0;
  s.step_length_m = 0.21 * 3.0 * 1.75 * 1.05;
  s.sources.impact = DataSource::kShinImu;
  s.peak_impact_median_g = 10;
  const KneeLoadResult r = ScoreAlone(s, Height(175));
  ASSERT_EQ(FactorOf(r, Factor::kOverstride).sub_score, kTable.overstride.slightly_long_points);
  ASSERT_EQ(FactorOf(r, Factor::kImpact).sub_score, kTable.impact.above_points);
  EXPECT_DOUBLE_EQ(FactorOf(r, Factor::kOverstride).contribution,
                   FactorOf(r, Factor::kImpact).contribution);
  ASSERT_TRUE(r.top_factor.has_value());
  EXPECT_EQ(*r.top_factor, Factor::kOverstride);
}

TEST(TopFactorTest, NothingToWorkOnWhenAllContributionsAreZero) {
  SessionFigures s;
  s.cadence_median_spm = 190;
  EXPECT_FALSE(ScoreAlone(s).top_factor.has_value());
}

// ---------------------------------------------------------------------------------------------
// Confidence rules.

TEST(ConfidenceTest, ImpactFromWristOrPhoneIsLowAndNotScored) {
  for (DataSource source : {DataSource::kWatchWrist, DataSource::kPhone}) {
    SCOPED_TRACE(static_cast<int>(source));
    SessionFigures s;
    s.sources.impact = source;
    s.peak_impact_median_g = 12;
    const FactorScore f = FactorOf(ScoreAlone(s), Factor::kImpact);
    EXPECT_EQ(f.confidence, Confidence::kLow);
    EXPECT_FALSE(f.sub_score.has_value());
    EXPECT_EQ(f.value, 12);
    EXPECT_EQ(f.band, "no reference for this sensor");
    EXPECT_TRUE(Has(f.explanation, {"not scored"}));
  }
}

TEST(ConfidenceTest, ImpactLowWhenUndersampledClippedOrShort) {
  SessionFigures s;
  s.sources.impact = DataSource::kShinImu;
  s.peak_impact_median_g = 9;
  s.imu_rate_hz = 500;
  s.impact_step_count = 2000;
  EXPECT_EQ(FactorOf(ScoreAlone(s), Factor::kImpact).confidence, Confidence::kMedium);

  SessionFigures slow = s;
  slow.imu_rate_hz = 100;
  EXPECT_EQ(FactorOf(ScoreAlone(slow), Factor::kImpact).confidence, Confidence::kLow);

  SessionFigures clipped = s;
  clipped.impact_clipped_fraction = 0.05;
  const FactorScore f = FactorOf(ScoreAlone(clipped), Factor::kImpact);
  EXPECT_EQ(f.confidence, Confidence::kLow);
  EXPECT_TRUE(Has(f.explanation, {"5 % of the peaks hit the sensor's range"}));

  SessionFigures few = s;
  few.impact_step_count = 50;
  EXPECT_EQ(FactorOf(ScoreAlone(few), Factor::kImpact).confidence, Confidence::kLow);
}

TEST(ConfidenceTest, FootStrikeNeedsAFootImuAndEnoughLandings) {
  SessionFigures s;
  s.foot_strikes = FootStrikeCounts{500, 300, 200};
  s.source = DataSource::kFootImu;
  EXPECT_EQ(FactorOf(ScoreAlone(s), Factor::kFootStrike).confidence, Confidence::kMedium);
  s.source = DataSource::kWatchWrist;
  EXPECT_EQ(FactorOf(ScoreAlone(s), Factor::kFootStrike).confidence, Confidence::kLow);
  s.source = DataSource::kFootImu;
  s.foot_strikes = FootStrikeCounts{50, 30, 10};
  EXPECT_EQ(FactorOf(ScoreAlone(s), Factor::kFootStrike).confidence, Confidence::kLow);
}

TEST(ConfidenceTest, BySourceAndSampleCount) {
  struct Case {
    DataSource source;
    Confidence cadence;
    Confidence contact_time;
    Confidence oscillation;
  };
  const Case cases[] = {
      {DataSource::kChestStrap, Confidence::kHigh, Confidence::kHigh, Confidence::kHigh},
      {DataSource::kFootPod, Confidence::kHigh, Confidence::kHigh, Confidence::kHigh},
      {DataSource::kWatchWrist, Confidence::kHigh, Confidence::kLow, Confidence::kLow},
      {DataSource::kPelvisImu, Confidence::kHigh, Confidence::kMedium, Confidence::kMedium},
      {DataSource::kPhone, Confidence::kMedium, Confidence::kLow, Confidence::kLow},
      {DataSource::kFileImport, Confidence::kMedium, Confidence::kMedium, Confidence::kMedium},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.source));
    SessionFigures s = GaitRun(kT0, 10);
    s.source = c.source;
    KneeLoadResult r = ScoreAlone(s);
    EXPECT_EQ(FactorOf(r, Factor::kCadence).confidence, c.cadence);
    EXPECT_EQ(FactorOf(r, Factor::kContactTime).confidence, c.contact_time);
    EXPECT_EQ(FactorOf(r, Factor::kVerticalOscillation).confidence, c.oscillation);
    s.running_sample_count = kTable.confidence.min_running_samples - 1;
    r = ScoreAlone(s);
    EXPECT_EQ(FactorOf(r, Factor::kCadence).confidence, Confidence::kLow);
    EXPECT_TRUE(Has(FactorOf(r, Factor::kCadence).confidence_reason, {"59 running samples"}));
  }
}

TEST(ConfidenceTest, PerFigureSourceOverridesTheSessionSource) {
  SessionFigures s = GaitRun(kT0, 10);
  s.source = DataSource::kWatchWrist;
  s.sources.contact_time = DataSource::kChestStrap;
  const KneeLoadResult r = ScoreAlone(s);
  EXPECT_EQ(FactorOf(r, Factor::kContactTime).confidence, Confidence::kHigh);
  EXPECT_EQ(FactorOf(r, Factor::kVerticalOscillation).confidence, Confidence::kLow);
}

// ---------------------------------------------------------------------------------------------
// Baselines.

TEST(BaselineTest, MedianOfTheLast30DaysWithMinimumCount) {
  History h;
  const double cadences[] = {160, 170, 165};
  for (int i = 0; i < 3; ++i) {
    SessionFigures p = GaitRun(kT0 - (i + 1) * kDay, 8);
    p.cadence_median_spm = cadences[i];
    h.sessions.push_back(p);
  }
  SessionFigures old = GaitRun(kT0 - 31 * kDay, 8);  // outside the window
  old.cadence_median_spm = 100;
  h.sessions.push_back(old);
  SessionFigures later = GaitRun(kT0 + kDay, 8);  // after the scored session: ignored
  later.cadence_median_spm = 100;
  h.sessions.push_back(later);

  FactorScore f = FactorOf(Score(GaitRun(kT0, 8), {}, h), Factor::kCadence);
  ASSERT_TRUE(f.baseline.has_value());
  EXPECT_DOUBLE_EQ(f.baseline->median, 165);
  EXPECT_EQ(f.baseline->count, 3);
  EXPECT_EQ(f.baseline_sessions, 3);
  EXPECT_TRUE(Has(f.explanation, {"your usual is 165 spm (median of 3 sessions"}));

  // Exactly 30 days before is inside the window; an even count averages the middle two.
  SessionFigures edge = GaitRun(kT0 - 30 * kDay, 8);
  edge.cadence_median_spm = 172;
  h.sessions.push_back(edge);
  f = FactorOf(Score(GaitRun(kT0, 8), {}, h), Factor::kCadence);
  ASSERT_TRUE(f.baseline.has_value());
  EXPECT_DOUBLE_EQ(f.baseline->median, 167.5);
  EXPECT_EQ(f.baseline->count, 4);

  // Below the minimum count: no baseline, but the count is reported.
  h.sessions.resize(2);
  f = FactorOf(Score(GaitRun(kT0, 8), {}, h), Factor::kCadence);
  EXPECT_FALSE(f.baseline.has_value());
  EXPECT_EQ(f.baseline_sessions, 2);
  EXPECT_TRUE(Lacks(f.explanation, {"your usual"}));
}

TEST(BaselineTest, SensorDependentFiguresOnlyCompareTheSameSensor) {
  History h;
  for (int i = 1; i <= 3; ++i) {
    SessionFigures p = GaitRun(kT0 - i * kDay, 8);
    p.source = DataSource::kFootPod;
    p.vertical_oscillation_cm = 12;
    h.sessions.push_back(p);
  }
  const KneeLoadResult r = Score(GaitRun(kT0, 8), {}, h);  // chest strap
  EXPECT_FALSE(FactorOf(r, Factor::kVerticalOscillation).baseline.has_value());
  EXPECT_EQ(FactorOf(r, Factor::kVerticalOscillation).baseline_sessions, 0);
  EXPECT_TRUE(FactorOf(r, Factor::kCadence).baseline.has_value());  // cadence: any sensor
}

TEST(BaselineTest, MedianAndRanksBuildingBlocks) {
  EXPECT_FALSE(Median({}).has_value());
  EXPECT_EQ(Median({3}), 3);
  EXPECT_EQ(Median({5, 1, 3}), 3);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(AverageRanks({10, 20, 20, 30}), (std::vector<double>{1, 2.5, 2.5, 4}));
  EXPECT_EQ(AverageRanks({5, 5, 5}), (std::vector<double>{2, 2, 2}));
  EXPECT_EQ(AverageRanks({3, 1, 2}), (std::vector<double>{3, 1, 2}));
}

// ---------------------------------------------------------------------------------------------
// Running load.

TEST(SpikeTest, BandsAtExactly10_30_100Percent) {
  const SpikeTable& t = kTable.spike;
  struct Case {
    double km;
    SpikeBand band;
    double hr;
    double points;
  };
  const Case cases[] = {
      {8, SpikeBand::kNone, 1.0, t.none_points},
      {11, SpikeBand::kNone, 1.0, t.none_points},  // exactly 10 %
      {11.01, SpikeBand::k10To30, t.hr_moderate, t.moderate_points},
      {13, SpikeBand::k10To30, t.hr_moderate, t.moderate_points},  // exactly 30 %
      {13.01, SpikeBand::k30To100, t.hr_large, t.large_points},
      {20, SpikeBand::k30To100, t.hr_large, t.large_points},  // exactly 100 %
      {20.01, SpikeBand::kOver100, t.hr_very_large, t.very_large_points},
  };
  History h;
  h.sessions.push_back(LoadRun(kT0 - 5 * kDay, 10));  // the longest
  h.sessions.push_back(LoadRun(kT0 - 3 * kDay, 6));
  h.sessions.push_back(LoadRun(kT0 - 40 * kDay, 30));  // outside the 30 days
  for (const Case& c : cases) {
    SCOPED_TRACE(c.km);
    const KneeLoadResult r = Score(LoadRun(kT0, c.km), {}, h);
    EXPECT_EQ(r.load.spike.band, c.band);
    EXPECT_EQ(r.load.spike.hazard_ratio, c.hr);
    EXPECT_EQ(r.load.spike.longest_previous_m, 10000);
    EXPECT_EQ(r.load.spike.previous_runs, 2);
    ASSERT_TRUE(r.load.spike.excess_pct.has_value());
    EXPECT_NEAR(*r.load.spike.excess_pct, (c.km / 10 - 1) * 100, 1e-9);
    EXPECT_EQ(FactorOf(r, Factor::kLoadSpike).sub_score, c.points);
    EXPECT_EQ(FactorOf(r, Factor::kLoadSpike).confidence, Confidence::kHigh);  // GPS watch
  }
}

TEST(SpikeTest, BiggerSpikeNeverScoresLower) {
  const SpikeTable& t = kTable.spike;
  EXPECT_LE(t.none_points, t.moderate_points);
  EXPECT_LE(t.moderate_points, t.large_points);
  EXPECT_LE(t.large_points, t.very_large_points);
}

TEST(SpikeTest, NoHistoryMeansNoBaseline) {
  const KneeLoadResult r = ScoreAlone(LoadRun(kT0, 10));
  EXPECT_EQ(r.load.spike.band, SpikeBand::kNoBaseline);
  EXPECT_FALSE(r.load.spike.hazard_ratio.has_value());
  EXPECT_FALSE(r.load.spike.excess_pct.has_value());
  EXPECT_TRUE(Has(r.load.spike.explanation, {"no baseline"}));
  EXPECT_FALSE(FactorOf(r, Factor::kLoadSpike).sub_score.has_value());
  EXPECT_EQ(FactorOf(r, Factor::kLoadSpike).band, "");

  SessionFigures no_distance = LoadRun(kT0, 10);
  no_distance.distance_m.reset();
  History h;
  h.sessions.push_back(LoadRun(kT0 - kDay, 10));
  EXPECT_EQ(Score(no_distance, {}, h).load.spike.band, SpikeBand::kNoDistance);
}

TEST(WeeklyChangeTest, RollingWeeksAtTheirBoundary) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 5));       // this week
  h.sessions.push_back(LoadRun(kT0 - 7 * kDay + 1, 4));   // this week (just)
  h.sessions.push_back(LoadRun(kT0 - 7 * kDay, 8));       // previous week (exactly 7 days)
  h.sessions.push_back(LoadRun(kT0 - 14 * kDay + 1, 4));  // previous week
  h.sessions.push_back(LoadRun(kT0 - 14 * kDay, 50));     // neither
  const KneeLoadResult r = Score(LoadRun(kT0, 9), {}, h);
  EXPECT_DOUBLE_EQ(r.load.weekly.this_week_m, 18000);
  EXPECT_DOUBLE_EQ(r.load.weekly.previous_week_m, 12000);
  ASSERT_TRUE(r.load.weekly.change_pct.has_value());
  EXPECT_DOUBLE_EQ(*r.load.weekly.change_pct, 50);
  EXPECT_TRUE(Has(r.load.weekly.explanation, {"18.0 km vs 12.0 km", "+50 %", "10 % rule"}));

  const KneeLoadResult alone = ScoreAlone(LoadRun(kT0, 9));
  EXPECT_FALSE(alone.load.weekly.change_pct.has_value());
  EXPECT_DOUBLE_EQ(alone.load.weekly.this_week_m, 9000);
}

TEST(TrainingLoadTest, CtlAtlTsbAgainstAHandComputedExample) {
  // Day 0: 10 km, day 1: rest, day 2 (today): 5 km. With CTL += (load - CTL) / 42 and
  // ATL += (load - ATL) / 7:
  //   day 0: CTL = 10/42 = 0.238095, ATL = 10/7 = 1.428571
  //   day 1: CTL = 0.238095 x 41/42 = 0.232426, ATL = 1.428571 x 6/7 = 1.224490
  //   TSB today = 0.232426 - 1.224490 = -0.992063
  //   day 2: CTL = 0.232426 + (5 - 0.232426)/42 = 0.345940,
  //          ATL = 1.224490 + (5 - 1.224490)/7 = 1.763848
  const int64_t day0 = (kT0 / kDay - 2) * kDay + 3600;
  History h;
  h.sessions.push_back(LoadRun(day0, 10));
  const KneeLoadResult r = Score(LoadRun(day0 + 2 * kDay + 7200, 5), {}, h);
  EXPECT_NEAR(r.load.training.ctl, 0.345939963, 1e-9);
  EXPECT_NEAR(r.load.training.atl, 1.763848397, 1e-9);
  EXPECT_NEAR(r.load.training.tsb, -0.992063492, 1e-9);
  // Acute = 15 km in the last 7 days; chronic = 15 km in 28 days / 4 = 3.75 km per week.
  EXPECT_DOUBLE_EQ(r.load.training.acute_m, 15000);
  EXPECT_DOUBLE_EQ(r.load.training.chronic_weekly_m, 3750);
  EXPECT_EQ(r.load.training.acwr, 4.0);
  EXPECT_TRUE(Has(r.load.training.explanation, {"Context only", "contested", "4.00"}));
}

TEST(TrainingLoadTest, NeverDrivesTheScore) {
  // Same session and spike, very different training history outside the spike window.
  History light, heavy;
  light.sessions.push_back(LoadRun(kT0 - 2 * kDay, 10));
  heavy.sessions = light.sessions;
  for (int d = 31; d < 60; ++d) heavy.sessions.push_back(LoadRun(kT0 - d * kDay, 20));
  SessionFigures s = LoadRun(kT0, 10);
  s.cadence_median_spm = 165;
  const KneeLoadResult a = Score(s, {}, light), b = Score(s, {}, heavy);
  EXPECT_NE(a.load.training.ctl, b.load.training.ctl);
  EXPECT_EQ(a.total, b.total);
}

TEST(TrainingLoadTest, OnlySessionOfTheDayHasZeroTsb) {
  const KneeLoadResult r = ScoreAlone(LoadRun(kT0, 7));
  EXPECT_DOUBLE_EQ(r.load.training.tsb, 0);
  EXPECT_DOUBLE_EQ(r.load.training.ctl, 7.0 / 42);
  EXPECT_DOUBLE_EQ(r.load.training.atl, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Pain links.

TEST(SpearmanTest, TiesAgainstAHandComputedExample) {
  // x ranks: 1, 2.5, 2.5, 4, 5, 6, 7, 8; y ranks: 2, 1, 5, 3.5, 3.5, 7, 6, 8 (average ranks).
  // Mean rank 4.5; sum dx dy = 34.5, sum dx^2 = sum dy^2 = 41.5; rho = 34.5 / 41.5 = 69/83.
  const std::vector<double> x = {1, 2, 2, 3, 4, 5, 6, 7};
  const std::vector<double> y = {2, 1, 4, 3, 3, 6, 5, 8};
  const std::optional<double> rho = SpearmanRho(x, y);
  ASSERT_TRUE(rho.has_value());
  EXPECT_NEAR(*rho, 69.0 / 83.0, 1e-12);
}

TEST(SpearmanTest, PerfectUndefinedAndMismatched) {
  EXPECT_NEAR(*SpearmanRho({1, 2, 3}, {10, 20, 30}), 1, 1e-12);
  EXPECT_NEAR(*SpearmanRho({1, 2, 3}, {3, 2, 1}), -1, 1e-12);
  EXPECT_FALSE(SpearmanRho({1, 2, 3}, {4, 4, 4}).has_value());
  EXPECT_FALSE(SpearmanRho({1, 2}, {1}).has_value());
  EXPECT_FALSE(SpearmanRho({1}, {1}).has_value());
}

// n sessions before kT0 with cadence x[i] and the given pain; the scored session has none.
History PainHistory(const std::vector<double>& x, const std::vector<double>& pain) {
  History h;
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t start = kT0 - static_cast<int64_t>(x.size() - i) * kDay;
    SessionFigures s = GaitRun(start, 8);
    s.cadence_median_spm = x[i];
    h.sessions.push_back(s);
    h.pain_reports.push_back(Pain(start + kDay, pain[i] / 2, pain[i], start));
  }
  return h;
}

PainLink LinkOf(const std::vector<PainLink>& links, const std::string& figure,
                PainOutcome outcome) {
  for (const PainLink& l : links) {
    if (l.figure == figure && l.outcome == outcome) return l;
  }
  ADD_FAILURE() << "no link " << figure;
  return PainLink{};
}

TEST(PainLinkTest, SpearmanOverLinkedSessionsWithTies) {
  const std::vector<double> cadence = {160, 165, 165, 170, 172, 175, 178, 180};
  const std::vector<double> pain = {2, 1, 4, 3, 3, 6, 5, 8};
  const History h = PainHistory(cadence, pain);
  const std::vector<PainLink> links = LinkPain(LoadRun(kT0, 5), h);
  const PainLink morning = LinkOf(links, "cadence", PainOutcome::kNextMorning);
  EXPECT_EQ(morning.n, 8);
  ASSERT_TRUE(morning.rho.has_value());
  EXPECT_NEAR(*morning.rho, 69.0 / 83.0, 1e-12);  // same ranks as the hand example
  EXPECT_TRUE(Has(morning.explanation,
                  {"8 of your sessions", "+0.83", "higher cadence went with more next-morning pain",
                   "not proof that one causes the other", "hint"}));
  const PainLink after = LinkOf(links, "cadence", PainOutcome::kAfterRun);
  ASSERT_TRUE(after.rho.has_value());
  EXPECT_NEAR(*after.rho, 69.0 / 83.0, 1e-12);
  // Figures every session shares give no correlation: duration and distance are constant.
  const PainLink distance = LinkOf(links, "distance", PainOutcome::kNextMorning);
  EXPECT_FALSE(distance.rho.has_value());
  EXPECT_TRUE(Has(distance.explanation, {"No variation"}));
}

TEST(PainLinkTest, NotEnoughSessionsBelowTheMinimum) {
  const History h = PainHistory({160, 165, 170, 172, 175, 178, 180}, {1, 2, 3, 4, 5, 6, 7});
  const std::vector<PainLink> links = LinkPain(LoadRun(kT0, 5), h);
  ASSERT_EQ(links.size(), 20u);  // 10 figures x 2 outcomes
  for (const PainLink& l : links) {
    EXPECT_FALSE(l.rho.has_value()) << l.figure;
  }
  const PainLink l = LinkOf(links, "cadence", PainOutcome::kNextMorning);
  EXPECT_EQ(l.n, 7);
  EXPECT_TRUE(Has(l.explanation, {"Not enough sessions yet (n=7)"}));
}

TEST(PainLinkTest, HighestOfSeveralReportsAndInvalidRatingsIgnored) {
  History h = PainHistory({160, 165, 170, 172, 175, 178, 180, 182}, {1, 2, 3, 4, 5, 6, 7, 8});
  // A second, lower report for the first session does not change its rating; out-of-range,
  // NaN and unlinked reports are ignored.
  const int64_t first = h.sessions.front().start_time_s;
  h.pain_reports.push_back(Pain(first, std::nullopt, 0, first));
  h.pain_reports.push_back(Pain(first, std::nullopt, 11, first));
  h.pain_reports.push_back(Pain(first, std::nullopt, kNaN, first));
  h.pain_reports.push_back(Pain(first, std::nullopt, 9, std::nullopt));
  const PainLink l = LinkOf(LinkPain(LoadRun(kT0, 5), h), "cadence", PainOutcome::kNextMorning);
  EXPECT_EQ(l.n, 8);
  ASSERT_TRUE(l.rho.has_value());
  EXPECT_NEAR(*l.rho, 1.0, 1e-12);
}

TEST(PainLinkTest, LoadSpikeOfPastSessionsIsComputedFromTheirOwnPast) {
  History h;
  // Sessions alternating 10 km and 13 km, every 2 days: spikes of 30 % then 0 %...
  for (int i = 0; i < 10; ++i) {
    const int64_t start = kT0 - (20 - 2 * i) * kDay;
    h.sessions.push_back(LoadRun(start, i % 2 == 0 ? 10 : 13));
    h.pain_reports.push_back(Pain(start, i % 2 == 0 ? 1.0 : 4.0, std::nullopt, start));
  }
  const PainLink l = LinkOf(LinkPain(LoadRun(kT0, 5), h), "load_spike", PainOutcome::kAfterRun);
  // The first session has no baseline: 9 sessions remain.
  EXPECT_EQ(l.n, 9);
  ASSERT_TRUE(l.rho.has_value());
  EXPECT_GT(*l.rho, 0.5);
}

// ---------------------------------------------------------------------------------------------
// Determinism and edge cases.

History RichHistory() {
  History h;
  // A fixed-seed LCG, drawn in statement order, so the history is the same on every platform.
  uint64_t state = 7;
  const auto u = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  for (int i = 1; i <= 40; ++i) {
    const int64_t offset = static_cast<int64_t>(u() * 3600);
    SessionFigures s = GaitRun(kT0 - i * kDay + offset, 5 + 10 * u());
    s.cadence_median_spm = 155 + 20 * u();
    s.median_speed_mps = 2.8 + 0.5 * u();
    s.step_length_m = *s.median_speed_mps * 60 / *s.cadence_median_spm;
    s.ground_contact_time_ms = 230 + 60 * u();
    s.gct_balance_left_pct = 48 + 4 * u();
    h.sessions.push_back(s);
    const double after = std::round(10 * u());
    const double next_morning = std::round(10 * u());
    h.pain_reports.push_back(Pain(s.start_time_s + kDay, after, next_morning, s.start_time_s));
  }
  return h;
}

TEST(DeterminismTest, SameInputsGiveIdenticalOutputInAnyHistoryOrder) {
  History h = RichHistory();
  SessionFigures s = GaitRun(kT0, 14);
  s.cadence_first_third_spm = 172;
  s.cadence_last_third_spm = 164;
  const AthleteProfile a = Height(178);
  const std::string first = Dump(Score(s, a, h));
  EXPECT_EQ(first, Dump(Score(s, a, h)));
  std::mt19937 rng(11);
  for (int i = 0; i < 5; ++i) {
    std::shuffle(h.sessions.begin(), h.sessions.end(), rng);
    std::shuffle(h.pain_reports.begin(), h.pain_reports.end(), rng);
    EXPECT_EQ(first, Dump(Score(s, a, h)));
  }
  ExpectAllFinite(Score(s, a, h));
}

TEST(DeterminismTest, DuplicateAndSelfSessionsInHistory) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - kDay, 10));
  h.sessions.push_back(LoadRun(kT0 - kDay, 12));  // same start: the longer one is kept
  h.sessions.push_back(LoadRun(kT0, 30));         // the scored session itself
  const KneeLoadResult r = Score(LoadRun(kT0, 12), {}, h);
  EXPECT_EQ(r.load.spike.previous_runs, 1);
  EXPECT_EQ(r.load.spike.longest_previous_m, 12000);
  EXPECT_DOUBLE_EQ(r.load.weekly.this_week_m, 24000);
  std::reverse(h.sessions.begin(), h.sessions.end());
  EXPECT_EQ(Dump(r), Dump(Score(LoadRun(kT0, 12), {}, h)));
}

TEST(EdgeCaseTest, NoHistoryAtAll) {
  SessionFigures s = GaitRun(kT0, 10);
  const KneeLoadResult r = Score(s, Height(175), History{});
  for (const FactorScore& f : r.factors) {
    EXPECT_FALSE(f.baseline.has_value()) << FactorName(f.factor);
    EXPECT_EQ(f.baseline_sessions, 0);
  }
  EXPECT_EQ(r.load.spike.band, SpikeBand::kNoBaseline);
  for (const PainLink& l : r.pain_links) {
    EXPECT_EQ(l.n, 0);
    EXPECT_FALSE(l.rho.has_value());
  }
  EXPECT_TRUE(r.total.has_value());
  ExpectAllFinite(r);
}

TEST(EdgeCaseTest, TreadmillWithFootPodDistance) {
  History h;
  SessionFigures prior = LoadRun(kT0 - 3 * kDay, 8);
  h.sessions.push_back(prior);
  SessionFigures s = GaitRun(kT0, 8.5);
  s.source = DataSource::kFootPod;  // distance, speed and dynamics from the pod
  s.sources = FigureSources{};
  s.vertical_oscillation_cm = 10.9;  // green in the pod columns, orange in the chest ones
  const KneeLoadResult r = Score(s, {}, h);
  const FactorScore spike = FactorOf(r, Factor::kLoadSpike);
  EXPECT_EQ(r.load.spike.band, SpikeBand::kNone);
  EXPECT_EQ(spike.confidence, Confidence::kMedium);
  EXPECT_TRUE(Has(spike.confidence_reason, {"foot pod"}));
  EXPECT_EQ(FactorOf(r, Factor::kVerticalOscillation).band, "green");
  EXPECT_TRUE(Has(FactorOf(r, Factor::kVerticalOscillation).explanation, {"for a foot pod"}));
}

TEST(EdgeCaseTest, WalkingOnlySessionHasLoadButNoGaitSubScores) {
  History h;
  h.sessions.push_back(LoadRun(kT0 - 3 * kDay, 2.5));
  SessionFigures walk;
  walk.start_time_s = kT0;
  walk.distance_m = 6000;
  walk.duration_s = 4000;
  walk.running_sample_count = 0;
  walk.source = DataSource::kWatchWrist;
  const KneeLoadResult r = Score(walk, Height(170), h);
  for (const FactorScore& f : r.factors) {
    if (f.factor == Factor::kLoadSpike) continue;
    EXPECT_FALSE(f.sub_score.has_value()) << FactorName(f.factor);
    EXPECT_FALSE(f.value.has_value()) << FactorName(f.factor);
    EXPECT_EQ(f.contribution, 0);
  }
  EXPECT_EQ(r.load.distance_m, 6000);
  EXPECT_EQ(r.load.duration_s, 4000);
  EXPECT_EQ(r.load.spike.band, SpikeBand::kOver100);  // 6 km after a longest of 2.5 km
  EXPECT_EQ(r.factors_scored, 1);
  EXPECT_DOUBLE_EQ(r.completeness, kTable.weights.load_spike / 100);
  EXPECT_EQ(r.total, kTable.spike.very_large_points);
  EXPECT_EQ(r.confidence, Confidence::kLow);
  EXPECT_EQ(r.top_factor, Factor::kLoadSpike);
  EXPECT_TRUE(Has(r.top_factor_advice, {"within 10 %"}));
  EXPECT_TRUE(r.drift.explanation.empty());
  ExpectAllFinite(r);
}

TEST(EdgeCaseTest, NaNAndAbsurdValuesAreTreatedAsMissing) {
  SessionFigures s;
  s.start_time_s = kT0;
  for (double bad : {kNaN, kInf, -kInf, -5.0, 0.0, 1e300}) {
    SCOPED_TRACE(bad);
    s.distance_m = bad;
    s.duration_s = bad;
    s.median_speed_mps = bad;
    s.running_sample_count = -3;
    s.cadence_median_spm = bad;
    s.cadence_p10_spm = bad;
    s.cadence_p90_spm = bad;
    s.step_length_m = bad;
    s.ground_contact_time_ms = bad;
    s.gct_balance_left_pct = bad;
    s.vertical_oscillation_cm = bad;
    s.vertical_ratio_pct = bad;
    s.cadence_first_third_spm = bad;
    s.cadence_last_third_spm = 170;
    s.step_length_first_third_m = 1.0;
    s.step_length_last_third_m = bad;
    s.gct_first_third_ms = bad;
    s.gct_last_third_ms = bad;
    s.vo_first_third_cm = bad;
    s.vo_last_third_cm = bad;
    s.peak_impact_median_g = bad;
    s.peak_impact_p90_g = bad;
    s.impact_clipped_fraction = bad;
    s.imu_rate_hz = bad;
    s.foot_strikes = FootStrikeCounts{-1, 5, 5};
    // A symmetry index may be 0 or negative: out of range instead.
    s.contact_time_asymmetry_pct = std::isfinite(bad) ? 1e6 : bad;
    s.impact_asymmetry_pct = std::isfinite(bad) ? -1e6 : bad;
    History h;
    SessionFigures past = s;
    past.start_time_s = kT0 - kDay;
    h.sessions.push_back(past);
    h.sessions.push_back(LoadRun(kT0 - 2 * kDay, 5));
    h.pain_reports.push_back(Pain(kT0, bad, bad, kT0));
    const KneeLoadResult r = Score(s, AthleteProfile{.height_cm = bad, .leg_length_cm = bad}, h);
    EXPECT_FALSE(r.total.has_value()) << Dump(r);
    for (const FactorScore& f : r.factors) {
      EXPECT_FALSE(f.value.has_value()) << FactorName(f.factor);
    }
    EXPECT_EQ(r.load.spike.band, SpikeBand::kNoDistance);
    EXPECT_FALSE(r.drift.cadence_pct.has_value());
    ExpectAllFinite(r);
  }
}

TEST(EdgeCaseTest, ExtremeButFiniteValuesAndTimesDoNotOverflow) {
  SessionFigures s = GaitRun(std::numeric_limits<int64_t>::max(), 9000);
  s.step_length_m = 9e6;
  s.median_speed_mps = 1e-3;
  s.peak_impact_median_g = 9e6;
  s.sources.impact = DataSource::kShinImu;
  History h;
  h.sessions.push_back(LoadRun(std::numeric_limits<int64_t>::min(), 1e-3 / 1000));
  h.sessions.push_back(LoadRun(std::numeric_limits<int64_t>::max() - kDay, 0.002));
  const KneeLoadResult r = Score(s, Height(1e-3), h);
  ASSERT_TRUE(r.total.has_value());
  EXPECT_GE(*r.total, 0);
  EXPECT_LE(*r.total, 100);
  ExpectAllFinite(r);
}

TEST(DriftTest, FirstVersusLastThird) {
  SessionFigures s;
  s.cadence_first_third_spm = 170;
  s.cadence_last_third_spm = 163.2;
  s.gct_first_third_ms = 240;
  s.gct_last_third_ms = 252;
  const FatigueDrift d = ScoreAlone(s).drift;
  ASSERT_TRUE(d.cadence_pct.has_value());
  EXPECT_NEAR(*d.cadence_pct, -4, 1e-9);
  EXPECT_NEAR(*d.contact_time_pct, 5, 1e-9);
  EXPECT_FALSE(d.step_length_pct.has_value());
  EXPECT_TRUE(Has(d.explanation,
                  {"cadence -4 % (170 → 163 spm)", "contact time +5 % (240 → 252 ms)", "fatigue"}));
}

}  // namespace
}  // namespace gaitkeeper::scoring::knee_load
