// Planning rules, one table-driven case per rule of docs/PLANNING.md.
#include <set>

#include "gtest/gtest.h"
#include "services/planning/plan_generator.h"

namespace gaitkeeper::planning {
namespace {

common::v1::Date Day(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

scoring::v1::GaitScore Score(double cadence, double speed) {
  scoring::v1::GaitScore s;
  s.set_name("athletes/a/sessions/s/score");
  s.set_algorithm_version(1);
  auto* c = s.add_metrics();
  c->set_metric(scoring::v1::METRIC_CADENCE);
  c->set_median(cadence);
  c->set_sample_count(100);
  auto* v = s.add_metrics();
  v->set_metric(scoring::v1::METRIC_SPEED);
  v->set_median(speed);
  v->set_sample_count(100);
  return s;
}

PlanningInputs Inputs(std::optional<int> pain_during, double longest_km, bool with_score = true) {
  PlanningInputs in;
  in.start_date = Day(2026, 11, 24);
  if (with_score) in.latest_score = Score(160, 2.8);
  if (pain_during.has_value()) in.recent_pain.push_back({Day(2026, 11, 23), pain_during, std::nullopt, std::nullopt});
  in.longest_run_last_30d_km = longest_km;
  return in;
}

std::multiset<std::string> Keys(const v1::Plan& plan, v1::ItemCategory category) {
  std::multiset<std::string> out;
  for (const auto& item : plan.items()) {
    if (item.category() == category) out.insert(item.key());
  }
  return out;
}

int Count(const v1::Plan& plan, v1::ItemCategory category) { return static_cast<int>(Keys(plan, category).size()); }

TEST(PlanRules, CadenceTargetIsFiveToTenPercentOfOwnCadence) {
  v1::Plan plan = GeneratePlan(Inputs(2, 8));
  ASSERT_TRUE(plan.has_cadence_target());
  EXPECT_DOUBLE_EQ(plan.cadence_target().current_spm(), 160);
  EXPECT_DOUBLE_EQ(plan.cadence_target().target_low_spm(), 168);
  EXPECT_DOUBLE_EQ(plan.cadence_target().target_high_spm(), 176);
  EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_GAIT_CUE), 3);  // one per run
  for (const auto& item : plan.items()) {
    if (item.category() == v1::ITEM_CATEGORY_GAIT_CUE) {
      EXPECT_EQ(item.title(), "Cadence 168 steps/min");
    }
  }
}

TEST(PlanRules, NoScoreMeansNoCadenceCue) {
  v1::Plan plan = GeneratePlan(Inputs(2, 8, /*with_score=*/false));
  EXPECT_FALSE(plan.has_cadence_target());
  EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_GAIT_CUE), 0);
  EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_RUN), 3);
}

TEST(PlanRules, EveryRunIsFollowedByTheRelaxationRoutine) {
  for (std::optional<int> pain : {std::optional<int>(), std::optional<int>(2), std::optional<int>(5)}) {
    v1::Plan plan = GeneratePlan(Inputs(pain, 8));
    std::set<int> run_days;
    std::set<int> stretch_days;
    for (const auto& item : plan.items()) {
      if (item.category() == v1::ITEM_CATEGORY_RUN) run_days.insert(item.day());
      if (item.key() == "post_run_stretch") stretch_days.insert(item.day());
    }
    EXPECT_FALSE(run_days.empty());
    EXPECT_EQ(run_days, stretch_days);
  }
}

struct BandCase {
  const char* name;
  std::optional<int> pain;
  double longest_km;
  int runs;
  const char* run_key;
  double cap_km;
  bool isometrics;
  bool see_clinician;
  int strength_sessions;
};

TEST(PlanRules, PainBandsDecideRunsCapsAndIsometrics) {
  const BandCase cases[] = {
      {"no report, history", std::nullopt, 8.0, 3, "easy_run", 8.0, false, false, 2},
      {"safe 3/10", 3, 8.0, 3, "easy_run", 8.0, false, false, 2},
      {"acceptable 4/10", 4, 8.0, 3, "run_walk", 5.5, true, false, 2},
      {"acceptable 5/10", 5, 10.0, 3, "run_walk", 7.0, true, false, 2},
      {"too much 6/10", 6, 8.0, 0, "", 0, true, false, 2},
      {"red flag 7/10", 7, 8.0, 0, "", 0, true, true, 0},
      {"red flag 10/10", 10, 8.0, 0, "", 0, true, true, 0},
      {"no history", 2, 0.0, 3, "easy_run", 3.0, false, false, 2},
  };
  for (const BandCase& c : cases) {
    v1::Plan plan = GeneratePlan(Inputs(c.pain, c.longest_km));
    EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_RUN), c.runs) << c.name;
    for (const auto& item : plan.items()) {
      if (item.category() != v1::ITEM_CATEGORY_RUN) continue;
      EXPECT_EQ(item.key(), c.run_key) << c.name;
      EXPECT_FLOAT_EQ(item.dose().distance_km_cap(), c.cap_km) << c.name;
      EXPECT_LE(item.dose().distance_km_cap(), c.longest_km > 0 ? c.longest_km : 3.0) << c.name;
    }
    EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_ISOMETRIC) > 0, c.isometrics) << c.name;
    EXPECT_EQ(Keys(plan, v1::ITEM_CATEGORY_EDUCATION).count("see_clinician") > 0, c.see_clinician) << c.name;
    EXPECT_EQ(Keys(plan, v1::ITEM_CATEGORY_STRENGTH).count("squat"), static_cast<size_t>(c.strength_sessions)) << c.name;
  }
}

TEST(PlanRules, TheNewestReportDecidesAndWorstFieldCounts) {
  PlanningInputs in = Inputs(std::nullopt, 8);
  in.recent_pain.push_back({Day(2026, 11, 23), 1, 2, 6});  // newest: next morning 6
  in.recent_pain.push_back({Day(2026, 11, 20), 8, 8, 8});  // older red flag, settled since
  int worst = 0;
  EXPECT_EQ(CurrentPainBand(in.recent_pain, &worst), PainBand::kTooMuch);
  EXPECT_EQ(worst, 6);
  v1::Plan plan = GeneratePlan(in);
  EXPECT_EQ(plan.inputs().max_recent_pain(), 8);
  EXPECT_EQ(plan.inputs().latest_pain_next_morning(), 6);
  // The older 8/10 is still within the 14-day window: a red flag for the clinician.
  ASSERT_EQ(plan.red_flags_size(), 1);
  EXPECT_EQ(plan.red_flags(0), "pain 8/10 on 2026-11-20");
}

struct FlagCase {
  const char* name;
  PainEntry entry;
  bool red_flag;
};

TEST(PlanRules, EveryRedFlagStopsRunningAndSendsToAClinician) {
  const common::v1::Date d = Day(2026, 11, 23);
  auto with = [&](auto setter) {
    PainEntry e{d, 2, 2, 2};
    setter(e);
    return e;
  };
  const FlagCase cases[] = {
      {"6/10 is not a red flag", {d, 6, std::nullopt, std::nullopt}, false},
      {"7/10 during", {d, 7, std::nullopt, std::nullopt}, true},
      {"7/10 next morning", {d, std::nullopt, std::nullopt, 7}, true},
      {"night pain", with([](PainEntry& e) { e.night_pain = true; }), true},
      {"rest pain", with([](PainEntry& e) { e.rest_pain = true; }), true},
      {"swelling", with([](PainEntry& e) { e.swelling = true; }), true},
      {"locking", with([](PainEntry& e) { e.locking = true; }), true},
      {"giving way", with([](PainEntry& e) { e.giving_way = true; }), true},
      {"nothing", {d, 2, 2, 2}, false},
  };
  for (const FlagCase& c : cases) {
    PlanningInputs in = Inputs(std::nullopt, 8);
    in.recent_pain = {c.entry};
    v1::Plan plan = GeneratePlan(in);
    EXPECT_EQ(plan.red_flags_size() > 0, c.red_flag) << c.name;
    EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_RUN) == 0 && Keys(plan, v1::ITEM_CATEGORY_EDUCATION).count("see_clinician") == 1,
              c.red_flag) << c.name;
    if (c.red_flag) {
      EXPECT_EQ(plan.items(0).key(), "see_clinician") << c.name;  // first thing the runner reads
      EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_STRENGTH), 0) << c.name;
    }
  }
}

TEST(PlanRules, PainRisingThreeReportsInARowIsARedFlag) {
  PlanningInputs in = Inputs(std::nullopt, 8);
  in.recent_pain = {{Day(2026, 11, 23), 5, std::nullopt, std::nullopt},
                    {Day(2026, 11, 21), 4, std::nullopt, std::nullopt},
                    {Day(2026, 11, 19), 2, std::nullopt, std::nullopt}};
  v1::Plan plan = GeneratePlan(in);
  ASSERT_EQ(plan.red_flags_size(), 1);
  EXPECT_NE(plan.red_flags(0).find("rising three reports in a row (2 → 4 → 5)"), std::string::npos);
  EXPECT_EQ(Count(plan, v1::ITEM_CATEGORY_RUN), 0);
  // Equal values do not count as rising.
  in.recent_pain[1].during = 5;
  EXPECT_EQ(GeneratePlan(in).red_flags_size(), 0);
}

TEST(PlanRules, EveryItemSaysWhy) {
  for (std::optional<int> pain : {std::optional<int>(), std::optional<int>(4), std::optional<int>(6), std::optional<int>(9)}) {
    v1::Plan plan = GeneratePlan(Inputs(pain, 6));
    EXPECT_FALSE(plan.summary().empty());
    for (const auto& item : plan.items()) {
      EXPECT_FALSE(item.because().empty()) << item.key();
      EXPECT_GE(item.day(), 0);
      EXPECT_LE(item.day(), 6);
    }
  }
  v1::Plan plan = GeneratePlan(Inputs(5, 6));
  for (const auto& item : plan.items()) {
    if (item.category() == v1::ITEM_CATEGORY_RUN) {
      EXPECT_NE(item.because().find("5/10"), std::string::npos);
    }
  }
}

TEST(PlanRules, GenerationIsDeterministic) {
  const PlanningInputs in = Inputs(4, 7.3);
  EXPECT_EQ(GeneratePlan(in).SerializeAsString(), GeneratePlan(in).SerializeAsString());
  EXPECT_EQ(GeneratePlan(in).generator_version(), kGeneratorVersion);
}

TEST(PlanRules, RunCapRoundsDownToHalfKilometres) {
  EXPECT_DOUBLE_EQ(RunCapKm(6.7, PainBand::kSafe), 6.5);
  EXPECT_DOUBLE_EQ(RunCapKm(10, PainBand::kAcceptable), 7.0);
  EXPECT_DOUBLE_EQ(RunCapKm(0, PainBand::kNone), 3.0);
  EXPECT_DOUBLE_EQ(RunCapKm(10, PainBand::kRedFlag), 0.0);
}

}  // namespace
}  // namespace gaitkeeper::planning
