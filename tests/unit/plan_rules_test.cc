// Planning rules v2: one table-driven test per rule of docs/PLANNING.md, named after its id,
// plus the exercise library, adherence, and two six-week simulations.
#include "services/planning/plan_rules.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "services/planning/exercise_library.h"

namespace gaitkeeper::planning::rules {
namespace {

// A Monday; "Tuesday" in the texts below is 2026-11-24 (6 days before).
const absl::CivilDay kStart(2026, 11, 30);

absl::CivilDay DaysAgo(int days) { return kStart - days; }

PainReport Pain(int days_ago, std::optional<int> during, std::optional<int> after = std::nullopt,
                std::optional<int> next_morning = std::nullopt,
                std::optional<double> km = std::nullopt) {
  PainReport r;
  r.date = DaysAgo(days_ago);
  r.during = during;
  r.after = after;
  r.next_morning = next_morning;
  r.session_distance_km = km;
  return r;
}

ScoreSummary Score(double cadence, GaitFactor factor = GaitFactor::kCadence) {
  ScoreSummary s;
  s.score_name = "athletes/a/sessions/s/score";
  s.algorithm_version = 1;
  s.median_cadence_spm = cadence;
  s.median_speed_mps = 2.8;
  s.step_length_m = 0.9;
  s.top_factor = factor;
  return s;
}

PlanRulesInputs Base() {
  PlanRulesInputs in;
  in.start_date = kStart;
  in.latest_score = Score(160);
  in.longest_run_prev_30d_km = 10;
  return in;
}

PlanRulesInputs WithPain(std::vector<PainReport> reports) {
  PlanRulesInputs in = Base();
  in.pain_reports = std::move(reports);
  return in;
}

Adherence Adh(int done, int planned, int strength_done, int strength_planned) {
  Adherence a;
  a.overall = {.planned = planned, .done = done};
  a.by_category[v1::ITEM_CATEGORY_STRENGTH] = {.planned = strength_planned, .done = strength_done};
  return a;
}

PreviousPlan Prev(const std::string& key, int reps, int load = 0) {
  PreviousPlan p;
  p.start_date = kStart - 7;
  p.generator_version = kGeneratorVersion;
  p.strength[key] = {.sets = 3, .reps = reps, .hold_seconds = 0, .load_step = load};
  return p;
}

int CountKey(const v1::Plan& plan, absl::string_view key) {
  return static_cast<int>(std::count_if(plan.items().begin(), plan.items().end(),
                                        [&](const v1::PlanItem& i) { return i.key() == key; }));
}

int CountCategory(const v1::Plan& plan, v1::ItemCategory category) {
  return static_cast<int>(
      std::count_if(plan.items().begin(), plan.items().end(),
                    [&](const v1::PlanItem& i) { return i.category() == category; }));
}

std::set<int> DaysOf(const v1::Plan& plan, absl::string_view key) {
  std::set<int> days;
  for (const v1::PlanItem& i : plan.items()) {
    if (i.key() == key) days.insert(i.day());
  }
  return days;
}

std::set<int> RunDays(const v1::Plan& plan) {
  std::set<int> days;
  for (const v1::PlanItem& i : plan.items()) {
    if (i.category() == v1::ITEM_CATEGORY_RUN) days.insert(i.day());
  }
  return days;
}

const v1::PlanItem* First(const v1::Plan& plan, absl::string_view key) {
  for (const v1::PlanItem& i : plan.items()) {
    if (i.key() == key) return &i;
  }
  return nullptr;
}

// The first item with this key, or an empty item (so a missing item fails the expectation
// instead of crashing the test).
const v1::PlanItem& ItemOr(const v1::Plan& plan, absl::string_view key) {
  const v1::PlanItem* item = First(plan, key);
  return item != nullptr ? *item : v1::PlanItem::default_instance();
}

const StrengthPlan* SlotOf(const PlanDecisions& d, absl::string_view slot) {
  for (const StrengthPlan& sp : d.strength) {
    if (sp.slot == slot) return &sp;
  }
  return nullptr;
}

std::set<std::string> StrengthKeys(const v1::Plan& plan) {
  std::set<std::string> keys;
  for (const v1::PlanItem& i : plan.items()) {
    if (i.category() == v1::ITEM_CATEGORY_STRENGTH) keys.insert(i.key());
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------

struct ZoneCase {
  const char* name;
  std::vector<PainReport> reports;
  RunLevel level;
  const char* run_key;
  int runs;
  double cap_km;
  const char* because_has;
};

TEST(PlanRulesV2, R1PainZonesDecideRunning) {
  const ZoneCase cases[] = {
      {"no report", {}, RunLevel::kFull, "easy_run", 3, 10, "no pain report"},
      {"0/10", {Pain(1, 0)}, RunLevel::kFull, "easy_run", 3, 10, "safe zone"},
      {"3/10", {Pain(1, 3)}, RunLevel::kFull, "easy_run", 3, 10, "pain 3/10 during"},
      {"4/10", {Pain(1, 4)}, RunLevel::kRunWalk, "run_walk", 3, 6, "acceptable (4-5)"},
      {"5/10", {Pain(1, 5)}, RunLevel::kRunWalk, "run_walk", 3, 6, "pain 5/10"},
      {"6/10", {Pain(1, 6)}, RunLevel::kNoRunning, "walk", 0, 0, "too much (above 5)"},
      {"after counts", {Pain(1, 2, 5)}, RunLevel::kRunWalk, "run_walk", 3, 6, "pain 5/10 after"},
      {"newest decides", {Pain(5, 5), Pain(1, 2)}, RunLevel::kFull, "easy_run", 3, 10, "pain 2/10"},
      {"older than a week", {Pain(8, 6)}, RunLevel::kFull, "easy_run", 3, 10, "no pain report"},
  };
  for (const ZoneCase& c : cases) {
    const PlanRulesInputs in = WithPain(c.reports);
    const PlanDecisions d = DecidePlan(in);
    EXPECT_EQ(d.run_level, c.level) << c.name;
    const v1::Plan plan = GeneratePlanV2(in);
    EXPECT_EQ(CountCategory(plan, v1::ITEM_CATEGORY_RUN), c.runs) << c.name;
    EXPECT_EQ(CountKey(plan, c.run_key), 3) << c.name;
    for (const v1::PlanItem& item : plan.items()) {
      if (item.key() != c.run_key) continue;
      EXPECT_FLOAT_EQ(item.dose().distance_km_cap(), c.cap_km) << c.name;
      EXPECT_TRUE(absl::StrContains(item.because(), c.because_has))
          << c.name << ": " << item.because();
      EXPECT_TRUE(absl::StrContains(item.because(), "extrapolated from Achilles")) << c.name;
    }
    EXPECT_TRUE(plan.red_flags().empty()) << c.name;
  }
}

struct SettleCase {
  const char* name;
  std::vector<PainReport> reports;
  bool not_settled;
  RunLevel level;
  double cap_km;
};

TEST(PlanRulesV2, R2NextMorningMustSettle) {
  const SettleCase cases[] = {
      {"worse next morning", {Pain(1, 2, 2, 3)}, true, RunLevel::kReduced, 8},
      {"same next morning", {Pain(1, 2, 2, 2)}, false, RunLevel::kFull, 10},
      {"better next morning", {Pain(1, 1, 3, 1)}, false, RunLevel::kFull, 10},
      {"acceptable and worse", {Pain(1, 4, std::nullopt, 5)}, true, RunLevel::kNoRunning, 0},
      {"morning only, day before lower",
       {Pain(3, std::nullopt, 1), Pain(2, {}, {}, 3)},
       true,
       RunLevel::kReduced,
       8},
      {"morning only, day before same",
       {Pain(3, std::nullopt, 3), Pain(2, {}, {}, 3)},
       false,
       RunLevel::kFull,
       10},
      {"morning only, nothing to compare", {Pain(2, {}, {}, 3)}, false, RunLevel::kFull, 10},
  };
  for (const SettleCase& c : cases) {
    const PlanDecisions d = DecidePlan(WithPain(c.reports));
    EXPECT_EQ(d.pain.not_settled, c.not_settled) << c.name;
    EXPECT_EQ(d.run_level, c.level) << c.name << " " << RunLevelName(d.run_level);
    EXPECT_DOUBLE_EQ(d.run_cap_km, c.cap_km) << c.name;
  }
  // A pain that did not settle after a linked run caps the week below that run.
  const v1::Plan plan = GeneratePlanV2(WithPain({Pain(6, 1, 2, 3, 8.0)}));
  const v1::PlanItem* run = First(plan, "easy_run");
  ASSERT_NE(run, nullptr);
  EXPECT_FLOAT_EQ(run->dose().distance_km_cap(), 6.0f);  // min(10, 8) x 0.8 = 6.4 -> 6
  EXPECT_TRUE(absl::StrContains(run->because(), "next-morning pain 3/10 after Tuesday's 8 km run"))
      << run->because();
  EXPECT_TRUE(absl::StrContains(run->because(), "this week's longest run is capped at 6 km"))
      << run->because();
  EXPECT_TRUE(absl::StrContains(run->because(), "R2")) << run->because();
}

struct TrendCase {
  const char* name;
  std::vector<PainReport> reports;
  bool rising;
  RunLevel level;
};

TEST(PlanRulesV2, R3WeeklyTrendRisingReduces) {
  const TrendCase cases[] = {
      {"1.0 -> 2.5", {Pain(10, 1), Pain(9, 1), Pain(3, 2), Pain(1, 3)}, true, RunLevel::kReduced},
      {"+1.2 exactly (the MIC)",
       {Pain(12, 1), Pain(11, 1), Pain(10, 1), Pain(9, 1), Pain(8, 1), Pain(4, 3), Pain(3, 2),
        Pain(2, 2), Pain(1, 2), Pain(0, 2)},
       true,
       RunLevel::kReduced},
      {"+1.0 is below the MIC", {Pain(9, 2), Pain(1, 3)}, false, RunLevel::kFull},
      {"no previous week", {Pain(1, 3)}, false, RunLevel::kFull},
      {"falling", {Pain(9, 4), Pain(1, 2)}, false, RunLevel::kFull},
      {"rising into acceptable", {Pain(9, 1), Pain(1, 4)}, true, RunLevel::kNoRunning},
  };
  for (const TrendCase& c : cases) {
    const PlanDecisions d = DecidePlan(WithPain(c.reports));
    EXPECT_EQ(d.pain.trend_rising, c.rising) << c.name;
    EXPECT_EQ(d.run_level, c.level) << c.name << " " << RunLevelName(d.run_level);
    EXPECT_FALSE(d.red_flags.any()) << c.name;
    if (c.rising) {
      EXPECT_TRUE(absl::StrContains(d.run_level_because, "R3")) << d.run_level_because;
    }
  }
}

// Checks every red-flag plan property; `flags` is what must be flagged.
void ExpectRedFlagPlan(const PlanRulesInputs& in, RedFlagSet flags, const std::string& name) {
  const PlanDecisions d = DecidePlan(in);
  EXPECT_EQ(d.red_flags.flags, flags) << name;
  const v1::Plan plan = GeneratePlanV2(in);
  const int expected_reasons = static_cast<int>(RedFlagNames(flags).size());
  EXPECT_EQ(plan.red_flags_size(), expected_reasons) << name;
  if (flags == kNoFlags) {
    EXPECT_EQ(CountKey(plan, "see_clinician"), 0) << name;
    EXPECT_FALSE(absl::StartsWith(plan.summary(), "RED FLAG")) << name;
    return;
  }
  ASSERT_GT(plan.items_size(), 0) << name;
  EXPECT_EQ(plan.items(0).key(), "see_clinician") << name;
  EXPECT_EQ(plan.items(0).day(), 0) << name;
  EXPECT_TRUE(absl::StartsWith(plan.items(0).because(), "RED FLAG")) << name;
  EXPECT_TRUE(absl::StartsWith(plan.summary(), "RED FLAG")) << name;
  EXPECT_EQ(d.run_level, RunLevel::kNoRunning) << name;
  for (const v1::PlanItem& item : plan.items()) {
    const v1::ItemCategory c = item.category();
    EXPECT_TRUE(c == v1::ITEM_CATEGORY_EDUCATION || c == v1::ITEM_CATEGORY_STRETCH ||
                c == v1::ITEM_CATEGORY_ISOMETRIC || c == v1::ITEM_CATEGORY_MASSAGE)
        << name << ": " << item.key();
    const Exercise* e = FindExercise(item.key());
    if (e != nullptr) {
      EXPECT_TRUE(IsAllowed(*e, d.pain.latest_worst, flags)) << name << ": " << item.key();
    }
  }
  EXPECT_TRUE(d.strength.empty()) << name;
  EXPECT_TRUE(d.gait_cue_key.empty()) << name;
}

TEST(PlanRulesV2, R4RedFlagsEachAloneAndEveryCombination) {
  const RedFlag kBooleans[] = {RedFlag::kNightPain, RedFlag::kRestPain, RedFlag::kSwelling,
                               RedFlag::kLocking, RedFlag::kGivingWay};
  for (int pain : {6, 7}) {
    for (int mask = 0; mask < 32; ++mask) {
      PainReport r = Pain(2, pain);
      r.night_pain = (mask & 1) != 0;
      r.rest_pain = (mask & 2) != 0;
      r.swelling = (mask & 4) != 0;
      r.locking = (mask & 8) != 0;
      r.giving_way = (mask & 16) != 0;
      RedFlagSet expected = pain >= 7 ? FlagBit(RedFlag::kSeverePain) : kNoFlags;
      for (int b = 0; b < 5; ++b) {
        if ((mask & (1 << b)) != 0) expected |= FlagBit(kBooleans[b]);
      }
      ExpectRedFlagPlan(WithPain({r}), expected, absl::StrCat("pain ", pain, " mask ", mask));
    }
  }
}

TEST(PlanRulesV2, R4RedFlagBoundariesFieldsAndWindow) {
  struct Case {
    const char* name;
    std::vector<PainReport> reports;
    RedFlagSet flags;
  };
  PainReport old_swelling = Pain(7, 1);
  old_swelling.swelling = true;
  PainReport recent_swelling = Pain(6, 1);
  recent_swelling.swelling = true;
  const Case cases[] = {
      {"6 is not a red flag", {Pain(1, 6)}, kNoFlags},
      {"7 during", {Pain(1, 7)}, FlagBit(RedFlag::kSeverePain)},
      {"7 after", {Pain(1, 1, 7)}, FlagBit(RedFlag::kSeverePain)},
      {"7 next morning", {Pain(1, 1, 1, 7)}, FlagBit(RedFlag::kSeverePain)},
      {"10", {Pain(1, 10)}, FlagBit(RedFlag::kSeverePain)},
      {"7 settled since, same week", {Pain(5, 7), Pain(1, 2)}, FlagBit(RedFlag::kSeverePain)},
      {"7 more than a week ago", {Pain(7, 7), Pain(1, 2)}, kNoFlags},
      {"swelling 7 days ago", {old_swelling}, kNoFlags},
      {"swelling 6 days ago", {recent_swelling}, FlagBit(RedFlag::kSwelling)},
      {"rising 2-3-4", {Pain(5, 2), Pain(3, 3), Pain(1, 4)}, FlagBit(RedFlag::kRisingPain)},
      {"rising 4-5-6", {Pain(12, 4), Pain(8, 5), Pain(1, 6)}, FlagBit(RedFlag::kRisingPain)},
      {"rising but still safe 1-2-3", {Pain(5, 1), Pain(3, 2), Pain(1, 3)}, kNoFlags},
      {"flat step 3-3-4", {Pain(5, 3), Pain(3, 3), Pain(1, 4)}, kNoFlags},
      {"fell before rising 5-2-4", {Pain(5, 5), Pain(3, 2), Pain(1, 4)}, kNoFlags},
      {"rising, newest outside the week", {Pain(20, 2), Pain(15, 3), Pain(8, 4)}, kNoFlags},
      {"rising and 7",
       {Pain(5, 3), Pain(3, 5), Pain(1, 7)},
       FlagBit(RedFlag::kSeverePain) | FlagBit(RedFlag::kRisingPain)},
  };
  for (const Case& c : cases) ExpectRedFlagPlan(WithPain(c.reports), c.flags, c.name);

  // Red flags are stricter than the clinician: no runs and the clinician item cannot be removed.
  PlanRulesInputs in = WithPain({Pain(1, 8)});
  in.clinician.max_run_km = 20;
  in.clinician.excluded_keys = {"see_clinician"};
  const v1::Plan plan = GeneratePlanV2(in);
  EXPECT_EQ(plan.items(0).key(), "see_clinician");
  EXPECT_EQ(CountCategory(plan, v1::ITEM_CATEGORY_RUN), 0);
  EXPECT_TRUE(absl::StrContains(plan.red_flags(0), "pain 8/10 during"));
}

struct SpikeCase {
  const char* name;
  double longest_input_km;
  std::vector<RunRecord> runs;
  std::vector<PainReport> reports;
  double cap_km;
};

TEST(PlanRulesV2, R5SpikeGuardCapsEveryRun) {
  const SpikeCase cases[] = {
      {"longest run as stored", 8, {}, {Pain(1, 2)}, 8},
      {"longest from recent runs, down to 0.5 km",
       0,
       {{DaysAgo(3), 6.7, absl::Minutes(40)}},
       {Pain(1, 2)},
       6.5},
      {"run 31 days ago does not count", 5, {{DaysAgo(31), 12, absl::Minutes(70)}}, {}, 5},
      {"run 30 days ago counts", 5, {{DaysAgo(30), 12, absl::Minutes(70)}}, {}, 12},
      {"run on the start day does not count", 5, {{DaysAgo(0), 12, absl::Minutes(70)}}, {}, 5},
      {"no history: 3 km", 0, {}, {}, 3},
      {"acceptable pain: 60 %", 10, {}, {Pain(1, 4)}, 6},
      {"acceptable pain after a shorter run: not beyond that run",
       10,
       {},
       {Pain(6, 5, std::nullopt, std::nullopt, 6.0)},
       3.5},
      {"safe pain after a linked run: no change", 10, {}, {Pain(6, 2, 2, 2, 6.0)}, 10},
      {"tiny history with pain: walk instead", 0.7, {}, {Pain(1, 4)}, 0},
  };
  for (const SpikeCase& c : cases) {
    PlanRulesInputs in = WithPain(c.reports);
    in.longest_run_prev_30d_km = c.longest_input_km;
    in.recent_runs = c.runs;
    const PlanDecisions d = DecidePlan(in);
    EXPECT_DOUBLE_EQ(d.run_cap_km, c.cap_km) << c.name;
    const v1::Plan plan = GeneratePlanV2(in);
    for (const v1::PlanItem& item : plan.items()) {
      if (item.category() != v1::ITEM_CATEGORY_RUN) continue;
      EXPECT_FLOAT_EQ(item.dose().distance_km_cap(), c.cap_km) << c.name;
      EXPECT_TRUE(absl::StrContains(item.because(), "R5 spike guard")) << c.name;
    }
    if (c.cap_km == 0) {
      EXPECT_EQ(CountCategory(plan, v1::ITEM_CATEGORY_RUN), 0) << c.name;
    }
  }
  // No cap ever exceeds the longest run of the previous 30 days, for any history and pain.
  for (double longest : {1.0, 2.3, 5.0, 7.7, 10.0, 21.1}) {
    for (int pain = -1; pain <= 5; ++pain) {
      PlanRulesInputs in = Base();
      in.longest_run_prev_30d_km = longest;
      if (pain >= 0) in.pain_reports = {Pain(1, pain)};
      const PlanDecisions d = DecidePlan(in);
      EXPECT_LE(d.run_cap_km, longest) << longest << " " << pain;
      EXPECT_DOUBLE_EQ(std::fmod(d.run_cap_km * 2, 1.0), 0.0) << longest << " " << pain;
    }
  }
}

TEST(PlanRulesV2, R6GaitCueFollowsTheTopFactor) {
  struct Case {
    GaitFactor factor;
    std::optional<FootStrike> strike;
    const char* cue;
  };
  const Case cases[] = {
      {GaitFactor::kOverstride, std::nullopt, "shorter_stride_cue"},
      {GaitFactor::kImpact, std::nullopt, "softer_landing_cue"},
      {GaitFactor::kVerticalOscillation, std::nullopt, "softer_landing_cue"},
      {GaitFactor::kCadence, std::nullopt, "cadence_cue"},
      {GaitFactor::kContactTime, std::nullopt, "cadence_cue"},
      {GaitFactor::kFootStrike, FootStrike::kRearfoot, "forefoot_landing_cue"},
      {GaitFactor::kFootStrike, FootStrike::kForefoot, "softer_landing_cue"},
      {GaitFactor::kAsymmetry, std::nullopt, "cadence_cue"},
      {GaitFactor::kLoadSpike, std::nullopt, "cadence_cue"},
      {GaitFactor::kNone, std::nullopt, "cadence_cue"},
  };
  for (const Case& c : cases) {
    PlanRulesInputs in = WithPain({Pain(1, 2)});
    in.latest_score->top_factor = c.factor;
    in.latest_score->foot_strike = c.strike;
    const v1::Plan plan = GeneratePlanV2(in);
    EXPECT_EQ(CountCategory(plan, v1::ITEM_CATEGORY_GAIT_CUE), 3) << c.cue;
    EXPECT_EQ(DaysOf(plan, c.cue), RunDays(plan)) << c.cue;
    EXPECT_TRUE(absl::StrContains(ItemOr(plan, c.cue).because(), "R6")) << c.cue;
  }
  // No running, no cue; no cadence measured, no cadence cue.
  EXPECT_EQ(CountCategory(GeneratePlanV2(WithPain({Pain(1, 6)})), v1::ITEM_CATEGORY_GAIT_CUE), 0);
  PlanRulesInputs no_cadence = Base();
  no_cadence.latest_score->median_cadence_spm.reset();
  EXPECT_EQ(CountCategory(GeneratePlanV2(no_cadence), v1::ITEM_CATEGORY_GAIT_CUE), 0);
  PlanRulesInputs overstride = Base();
  overstride.latest_score->top_factor = GaitFactor::kOverstride;
  const v1::Plan overstride_plan = GeneratePlanV2(overstride);
  EXPECT_EQ(ItemOr(overstride_plan, "shorter_stride_cue").title(), "Shorter stride: 168 steps/min");
}

TEST(PlanRulesV2, R7CadenceTargetIsOwnCadencePlusSmallWeeklySteps) {
  struct FirstWeek {
    double cadence;
    double low;
    double high;
  };
  for (const FirstWeek& c :
       {FirstWeek{160, 168, 176}, FirstWeek{150, 158, 165}, FirstWeek{185, 194, 204}}) {
    PlanRulesInputs in = Base();
    in.latest_score->median_cadence_spm = c.cadence;
    const v1::Plan plan = GeneratePlanV2(in);
    EXPECT_DOUBLE_EQ(plan.cadence_target().current_spm(), c.cadence);
    EXPECT_DOUBLE_EQ(plan.cadence_target().target_low_spm(), c.low) << c.cadence;
    EXPECT_DOUBLE_EQ(plan.cadence_target().target_high_spm(), c.high) << c.cadence;
    EXPECT_TRUE(absl::StrContains(plan.cadence_target().because(), "never a fixed 180"));
  }
  struct Step {
    const char* name;
    double prev_target;
    double latest;
    int pain;
    double expected;
  };
  const Step steps[] = {
      {"reached: +2.5 %", 168, 167, 2, 172},    {"reached at the tolerance", 168, 166, 2, 172},
      {"not reached: hold", 168, 165, 2, 168},  {"run/walk week: hold", 168, 168, 4, 168},
      {"never beyond +10 %", 175, 175, 2, 176}, {"at the ceiling", 176, 176, 2, 176},
  };
  for (const Step& s : steps) {
    PlanRulesInputs in = WithPain({Pain(1, s.pain)});
    in.latest_score->median_cadence_spm = s.latest;
    PreviousPlan prev;
    prev.cadence_target_spm = s.prev_target;
    prev.cadence_ceiling_spm = 176;  // baseline 160
    in.previous_plan = prev;
    const PlanDecisions d = DecidePlan(in);
    ASSERT_TRUE(d.cadence.has_value()) << s.name;
    EXPECT_DOUBLE_EQ(d.cadence->target_low_spm(), s.expected) << s.name;
    EXPECT_DOUBLE_EQ(d.cadence->target_high_spm(), 176) << s.name;
    EXPECT_LE(d.cadence->target_low_spm() - s.prev_target, std::round(s.prev_target * 0.03))
        << s.name;
    EXPECT_TRUE(absl::StrContains(d.cadence->because(), "R7")) << s.name;
  }
}

TEST(PlanRulesV2, R8ForefootCueComesWithCalfStrength) {
  struct Case {
    const char* name;
    int pain;
    std::set<std::string> excluded;
    bool simplified;
    const char* cue;
    bool calf;
  };
  const Case cases[] = {
      {"forefoot cue adds calf", 2, {}, false, "forefoot_landing_cue", true},
      {"kept even when simplified", 2, {}, true, "forefoot_landing_cue", true},
      {"no calf exercise allowed: softer landing instead",
       2,
       {"calf_raise_double", "calf_raise_single"},
       false,
       "softer_landing_cue",
       false},
      {"pain above 3: softer landing instead", 4, {}, false, "softer_landing_cue", true},
  };
  for (const Case& c : cases) {
    PlanRulesInputs in = WithPain({Pain(1, c.pain)});
    in.latest_score->top_factor = GaitFactor::kFootStrike;
    in.latest_score->foot_strike = FootStrike::kRearfoot;
    in.clinician.excluded_keys = c.excluded;
    if (c.simplified) in.adherence = Adh(2, 10, 2, 9);
    const v1::Plan plan = GeneratePlanV2(in);
    EXPECT_EQ(CountKey(plan, c.cue), 3) << c.name;
    const std::set<std::string> keys = StrengthKeys(plan);
    const bool calf = keys.count("calf_raise_double") + keys.count("calf_raise_single") > 0;
    EXPECT_EQ(calf, c.calf) << c.name;
    if (std::string(c.cue) == "forefoot_landing_cue") {
      EXPECT_TRUE(absl::StrContains(ItemOr(plan, "calf_raise_double").because(), "R8")) << c.name;
    }
  }
  // Without the forefoot cue a simplified plan drops the calf slot.
  PlanRulesInputs in = WithPain({Pain(1, 2)});
  in.adherence = Adh(2, 10, 2, 9);
  EXPECT_EQ(StrengthKeys(GeneratePlanV2(in)).count("calf_raise_double"), 0u);
}

enum class PainKind { kNone, kSafe, kUnsettled, kAcceptable, kAcceptableFive, kTooMuch };

std::vector<PainReport> Reports(PainKind kind) {
  switch (kind) {
    case PainKind::kNone: return {};
    case PainKind::kSafe: return {Pain(1, 2)};
    case PainKind::kUnsettled: return {Pain(1, 1, 1, 3)};
    case PainKind::kAcceptable: return {Pain(1, 4)};
    case PainKind::kAcceptableFive: return {Pain(1, 5)};
    case PainKind::kTooMuch: return {Pain(1, 6)};
  }
  return {};
}

struct LadderCase {
  const char* name;
  const char* prev_key;
  int prev_reps;
  int prev_load;
  PainKind pain;
  std::optional<Adherence> adherence;
  std::optional<int> item_pain;
  const char* key;
  int reps;
  int load;
  DoseChange change;
};

TEST(PlanRulesV2, R9StrengthProgressesAndRegressesAlongTheLadder) {
  const Adherence full = Adh(20, 20, 9, 9);
  const LadderCase cases[] = {
      {"more reps",
       "squat",
       10,
       0,
       PainKind::kSafe,
       full,
       {},
       "squat",
       12,
       0,
       DoseChange::kProgress},
      {"reps capped",
       "squat",
       14,
       0,
       PainKind::kSafe,
       full,
       {},
       "squat",
       15,
       0,
       DoseChange::kProgress},
      {"then load",
       "squat",
       15,
       0,
       PainKind::kSafe,
       full,
       {},
       "squat",
       10,
       1,
       DoseChange::kProgress},
      {"then a harder variant",
       "squat",
       15,
       2,
       PainKind::kSafe,
       full,
       {},
       "split_squat",
       8,
       0,
       DoseChange::kProgress},
      {"top of the ladder",
       "step_down",
       12,
       1,
       PainKind::kSafe,
       full,
       {},
       "step_down",
       12,
       1,
       DoseChange::kHold},
      {"regress: load first",
       "squat",
       12,
       1,
       PainKind::kUnsettled,
       full,
       {},
       "squat",
       12,
       0,
       DoseChange::kRegress},
      {"regress: reps",
       "squat",
       14,
       0,
       PainKind::kUnsettled,
       full,
       {},
       "squat",
       12,
       0,
       DoseChange::kRegress},
      {"regress: easier variant",
       "squat",
       10,
       0,
       PainKind::kUnsettled,
       full,
       {},
       "sit_to_stand",
       10,
       0,
       DoseChange::kRegress},
      {"regress: below default at the bottom",
       "sit_to_stand",
       10,
       0,
       PainKind::kUnsettled,
       full,
       {},
       "sit_to_stand",
       8,
       0,
       DoseChange::kRegress},
      {"regress: floor",
       "sit_to_stand",
       6,
       0,
       PainKind::kUnsettled,
       full,
       {},
       "sit_to_stand",
       6,
       0,
       DoseChange::kHold},
      {"acceptable pain holds",
       "squat",
       12,
       0,
       PainKind::kAcceptable,
       full,
       {},
       "squat",
       12,
       0,
       DoseChange::kHold},
      {"no report holds",
       "squat",
       12,
       0,
       PainKind::kNone,
       full,
       {},
       "squat",
       12,
       0,
       DoseChange::kHold},
      {"adherence 67 % holds",
       "squat",
       12,
       0,
       PainKind::kSafe,
       Adh(20, 20, 6, 9),
       {},
       "squat",
       12,
       0,
       DoseChange::kHold},
      {"adherence 70 % progresses",
       "squat",
       12,
       0,
       PainKind::kSafe,
       Adh(20, 20, 7, 10),
       {},
       "squat",
       14,
       0,
       DoseChange::kProgress},
      {"unknown adherence holds",
       "squat",
       12,
       0,
       PainKind::kSafe,
       std::nullopt,
       {},
       "squat",
       12,
       0,
       DoseChange::kHold},
      {"item pain 4 holds", "squat", 12, 0, PainKind::kSafe, full, 4, "squat", 12, 0,
       DoseChange::kHold},
      {"item pain 6 regresses", "squat", 12, 0, PainKind::kSafe, full, 6, "squat", 10, 0,
       DoseChange::kRegress},
      {"too much pain: regress and the library limit",
       "squat",
       12,
       0,
       PainKind::kTooMuch,
       full,
       {},
       "sit_to_stand",
       10,
       0,
       DoseChange::kRegress},
      {"library limit at 5/10",
       "split_squat",
       10,
       0,
       PainKind::kAcceptableFive,
       full,
       {},
       "squat",
       10,
       0,
       DoseChange::kRegress},
  };
  for (const LadderCase& c : cases) {
    PlanRulesInputs in = WithPain(Reports(c.pain));
    in.previous_plan = Prev(c.prev_key, c.prev_reps, c.prev_load);
    in.adherence = c.adherence;
    if (c.item_pain.has_value() && in.adherence.has_value()) {
      in.adherence->by_item[c.prev_key].max_pain_during = c.item_pain;
    }
    const PlanDecisions d = DecidePlan(in);
    const StrengthPlan* knee = SlotOf(d, "knee");
    ASSERT_NE(knee, nullptr) << c.name;
    EXPECT_EQ(knee->key, c.key) << c.name;
    EXPECT_EQ(knee->dose.reps, c.reps) << c.name;
    EXPECT_EQ(knee->dose.load_step, c.load) << c.name;
    EXPECT_EQ(knee->change, c.change) << c.name << ": " << DoseChangeName(knee->change);
    EXPECT_TRUE(absl::StrContains(knee->because, "(R9")) << c.name << ": " << knee->because;
  }
  // First plan: the library's starting doses, three sessions (days 1, 3, 5).
  const v1::Plan plan = GeneratePlanV2(WithPain({Pain(1, 2)}));
  EXPECT_EQ(StrengthKeys(plan), (std::set<std::string>{"squat", "side_lying_hip_abduction",
                                                       "bridge", "calf_raise_double"}));
  EXPECT_EQ(DaysOf(plan, "squat"), (std::set<int>{1, 3, 5}));
  EXPECT_EQ(ItemOr(plan, "squat").dose().reps(), 10);
  EXPECT_EQ(ItemOr(plan, "calf_raise_double").dose().reps(), 15);
  // One-leg exercises name the painful side.
  PlanRulesInputs side = WithPain({Pain(1, 2)});
  side.profile.painful_side = common::v1::SIDE_LEFT;
  const v1::Plan side_plan = GeneratePlanV2(side);
  EXPECT_TRUE(absl::StrContains(ItemOr(side_plan, "side_lying_hip_abduction").instructions(),
                                "left (painful) leg"));
}

TEST(PlanRulesV2, R10IsometricsOfferedOnPainfulDays) {
  struct Case {
    const char* name;
    std::vector<PainReport> reports;
    std::set<int> days;
  };
  PainReport swollen = Pain(1, 6);
  swollen.swelling = true;
  const Case cases[] = {
      {"safe: none", {Pain(1, 2)}, {}},
      {"acceptable: before each run", {Pain(1, 4)}, {0, 2, 4}},
      {"not settled: before each run", {Pain(1, 1, 1, 3)}, {0, 2, 4}},
      {"too much: every other day", {Pain(1, 6)}, {0, 2, 4, 6}},
      {"red flag 7: if comfortable", {Pain(1, 7)}, {0, 2, 4, 6}},
      {"red flag 8: beyond the library limit", {Pain(1, 8)}, {}},
      {"swelling: contraindicated", {swollen}, {}},
  };
  for (const Case& c : cases) {
    const v1::Plan plan = GeneratePlanV2(WithPain(c.reports));
    EXPECT_EQ(DaysOf(plan, "wall_sit"), c.days) << c.name;
    for (const v1::PlanItem& item : plan.items()) {
      if (item.key() != "wall_sit") continue;
      EXPECT_EQ(item.dose().sets(), 5) << c.name;
      EXPECT_EQ(item.dose().hold_seconds(), 45) << c.name;
      EXPECT_TRUE(absl::StrContains(item.because(), "Holden 2020")) << c.name;
      EXPECT_TRUE(absl::StrContains(item.because(), "option")) << c.name;
    }
  }
  PlanRulesInputs excluded = WithPain({Pain(1, 5)});
  excluded.clinician.excluded_keys = {"wall_sit"};
  EXPECT_EQ(CountKey(GeneratePlanV2(excluded), "wall_sit"), 0);
}

TEST(PlanRulesV2, R11RelaxationRoutineAfterEveryRun) {
  for (const PainKind kind : {PainKind::kNone, PainKind::kSafe, PainKind::kUnsettled,
                              PainKind::kAcceptable, PainKind::kTooMuch}) {
    const v1::Plan plan = GeneratePlanV2(WithPain(Reports(kind)));
    std::set<int> activity = RunDays(plan);
    for (int day : DaysOf(plan, "walk")) activity.insert(day);
    EXPECT_EQ(activity.size(), 3u) << static_cast<int>(kind);
    EXPECT_EQ(DaysOf(plan, "post_run_routine"), activity) << static_cast<int>(kind);
    EXPECT_EQ(DaysOf(plan, "foam_rolling"), activity) << static_cast<int>(kind);
    for (const v1::PlanItem& item : plan.items()) {
      if (item.key() == "post_run_routine") {
        EXPECT_TRUE(absl::StrContains(item.because(), "R11"));
      }
    }
  }
}

TEST(PlanRulesV2, R12LowAdherenceHoldsTheDoseAndSimplifies) {
  struct Case {
    const char* name;
    Adherence adherence;
    bool simplified;
    int squat_reps;
  };
  const Case cases[] = {
      {"40 % overall", Adh(4, 10, 9, 9), true, 12},
      {"49 % overall", Adh(49, 100, 9, 9), true, 12},
      {"50 % overall", Adh(5, 10, 9, 9), false, 14},
  };
  for (const Case& c : cases) {
    PlanRulesInputs in = WithPain({Pain(1, 2)});
    in.previous_plan = Prev("squat", 12);
    in.adherence = c.adherence;
    const PlanDecisions d = DecidePlan(in);
    EXPECT_EQ(d.simplified, c.simplified) << c.name;
    ASSERT_NE(SlotOf(d, "knee"), nullptr) << c.name;
    EXPECT_EQ(SlotOf(d, "knee")->dose.reps, c.squat_reps) << c.name;
    const v1::Plan plan = GeneratePlanV2(in);
    if (c.simplified) {
      EXPECT_EQ(StrengthKeys(plan), (std::set<std::string>{"squat", "side_lying_hip_abduction"}))
          << c.name;
      EXPECT_EQ(DaysOf(plan, "squat"), (std::set<int>{1, 5})) << c.name;
      EXPECT_EQ(CountKey(plan, "foam_rolling"), 0) << c.name;
      EXPECT_TRUE(absl::StrContains(SlotOf(d, "knee")->because, "R12")) << c.name;
      EXPECT_TRUE(absl::StrContains(plan.summary(), "Simplified")) << c.name;
    } else {
      EXPECT_EQ(StrengthKeys(plan).size(), 4u) << c.name;
      EXPECT_EQ(DaysOf(plan, "squat"), (std::set<int>{1, 3, 5})) << c.name;
    }
  }
}

ClinicianConstraints MaxRun(double km) {
  ClinicianConstraints c;
  c.max_run_km = km;
  return c;
}
ClinicianConstraints Exclude(std::set<std::string> keys) {
  ClinicianConstraints c;
  c.excluded_keys = std::move(keys);
  return c;
}
ClinicianConstraints CadenceOverride(double spm) {
  ClinicianConstraints c;
  c.cadence_target_spm = spm;
  return c;
}
ClinicianConstraints Note(std::string note) {
  ClinicianConstraints c;
  c.note = std::move(note);
  return c;
}

TEST(PlanRulesV2, R13ClinicianConstraintsOverrideTheRules) {
  struct Case {
    const char* name;
    ClinicianConstraints clinician;
    double cap_km;
    const char* absent_key;
    const char* present_key;
    double cadence;
  };
  const Case cases[] = {
      {"lower max run", MaxRun(4.2), 4, "", "easy_run", 168},
      {"a max never raises the spike guard", MaxRun(12), 10, "", "easy_run", 168},
      {"max 0: walks", MaxRun(0), 0, "easy_run", "walk", 168},
      {"excluded squat: easier variant", Exclude({"squat"}), 10, "squat", "sit_to_stand", 168},
      {"excluded routine", Exclude({"post_run_routine"}), 10, "post_run_routine", "foam_rolling",
       168},
      {"excluded cue", Exclude({"cadence_cue"}), 10, "cadence_cue", "easy_run", 168},
      {"cadence override beyond +10 %", CadenceOverride(180), 10, "", "cadence_cue", 180},
      {"note", Note("Avoid hills this week."), 10, "", "clinician_note", 168},
  };
  for (const Case& c : cases) {
    PlanRulesInputs in = WithPain({Pain(1, 2)});
    in.clinician = c.clinician;
    const PlanDecisions d = DecidePlan(in);
    EXPECT_DOUBLE_EQ(d.run_cap_km, c.cap_km) << c.name;
    const v1::Plan plan = GeneratePlanV2(in);
    if (*c.absent_key != '\0') {
      EXPECT_EQ(CountKey(plan, c.absent_key), 0) << c.name;
    }
    EXPECT_GT(CountKey(plan, c.present_key), 0) << c.name;
    EXPECT_DOUBLE_EQ(plan.cadence_target().target_low_spm(), c.cadence) << c.name;
  }
  PlanRulesInputs noted = WithPain({Pain(1, 2)});
  noted.clinician.note = "Avoid hills this week.";
  const v1::Plan plan = GeneratePlanV2(noted);
  EXPECT_EQ(plan.items(0).key(), "clinician_note");
  EXPECT_EQ(plan.items(0).instructions(), "Avoid hills this week.");
}

TEST(PlanRulesV2, R14LoadEducationEveryWeek) {
  for (const std::vector<PainReport>& reports : std::vector<std::vector<PainReport>>{
           {}, {Pain(1, 2)}, {Pain(1, 5)}, {Pain(1, 6)}, {Pain(1, 9)}}) {
    const v1::Plan plan = GeneratePlanV2(WithPain(reports));
    const v1::PlanItem* education = First(plan, "load_education");
    ASSERT_NE(education, nullptr);
    EXPECT_EQ(education->day(), 0);
    EXPECT_TRUE(absl::StrContains(education->because(), "Esculier 2018"));
    EXPECT_TRUE(absl::StrContains(education->because(), "extrapolated from Achilles"));
  }
}

TEST(PlanRulesV2, R15DeterministicOrderedAndEveryItemSaysWhy) {
  PlanRulesInputs in = WithPain({Pain(9, 1), Pain(6, 2, 3, 2, 7.5), Pain(2, 4), Pain(1, 3)});
  in.recent_runs = {{DaysAgo(6), 7.5, absl::Minutes(45)}, {DaysAgo(2), 5, absl::Minutes(30)}};
  in.previous_plan = Prev("squat", 12);
  in.adherence = Adh(18, 20, 9, 9);
  in.profile.painful_side = common::v1::SIDE_RIGHT;
  const v1::Plan plan = GeneratePlanV2(in);
  EXPECT_EQ(plan.generator_version(), 2);
  EXPECT_EQ(plan.SerializeAsString(), GeneratePlanV2(in).SerializeAsString());
  PlanRulesInputs shuffled = in;
  std::reverse(shuffled.pain_reports.begin(), shuffled.pain_reports.end());
  std::reverse(shuffled.recent_runs.begin(), shuffled.recent_runs.end());
  EXPECT_EQ(plan.SerializeAsString(), GeneratePlanV2(shuffled).SerializeAsString());

  for (const auto& reports : std::vector<std::vector<PainReport>>{
           {}, {Pain(1, 2)}, {Pain(1, 4)}, {Pain(1, 6)}, {Pain(1, 8)}, in.pain_reports}) {
    PlanRulesInputs each = in;
    each.pain_reports = reports;
    const v1::Plan p = GeneratePlanV2(each);
    EXPECT_FALSE(p.summary().empty());
    int last_day = 0;
    for (const v1::PlanItem& item : p.items()) {
      EXPECT_GE(item.day(), last_day) << item.key();
      last_day = item.day();
      EXPECT_LE(item.day(), 6);
      EXPECT_FALSE(item.title().empty()) << item.key();
      EXPECT_TRUE(absl::StrContains(item.because(), "(R")) << item.key() << ": " << item.because();
    }
  }
}

// ---------------------------------------------------------------------------------------------

TEST(ExerciseLibrary, HoldsTheRequiredExercisesWithConsistentLinks) {
  for (absl::string_view key : {"squat",
                                "split_squat",
                                "step_down",
                                "calf_raise_double",
                                "calf_raise_single",
                                "side_lying_hip_abduction",
                                "clamshell",
                                "bridge",
                                "single_leg_bridge",
                                "wall_sit",
                                "quadriceps_stretch",
                                "hamstring_stretch",
                                "calf_stretch",
                                "hip_flexor_stretch",
                                "foam_rolling",
                                "post_run_routine",
                                "load_education",
                                "cadence_cue",
                                "shorter_stride_cue",
                                "softer_landing_cue",
                                "forefoot_landing_cue"}) {
    EXPECT_NE(FindExercise(key), nullptr) << key;
  }
  std::set<absl::string_view> keys;
  for (const Exercise& e : ExerciseLibrary()) {
    EXPECT_TRUE(keys.insert(e.key).second) << "duplicate " << e.key;
    EXPECT_FALSE(e.instructions.empty()) << e.key;
    EXPECT_FALSE(e.source.empty()) << e.key;
    if (!e.progression.empty()) {
      ASSERT_NE(FindExercise(e.progression), nullptr) << e.key;
      EXPECT_EQ(FindExercise(e.progression)->regression, e.key) << e.key;
    }
    if (!e.regression.empty()) {
      ASSERT_NE(FindExercise(e.regression), nullptr) << e.key;
      EXPECT_EQ(FindExercise(e.regression)->progression, e.key) << e.key;
    }
    if (e.category == ExerciseCategory::kStrength) {
      EXPECT_GT(e.dose.reps, 0) << e.key;
      EXPECT_LE(e.ladder.min_reps, e.dose.reps) << e.key;
      EXPECT_GE(e.ladder.max_reps, e.dose.reps) << e.key;
      EXPECT_GT(e.ladder.rep_step, 0) << e.key;
      EXPECT_GE(e.dose.sessions_per_week, 2) << e.key;
      EXPECT_LE(e.dose.sessions_per_week, 3) << e.key;
    }
  }
  EXPECT_EQ(FindExercise("forefoot_landing_cue")->requires_strength_targets, kTargetCalves);
  EXPECT_EQ(VariantChain("split_squat"),
            (std::vector<absl::string_view>{"sit_to_stand", "squat", "split_squat", "step_down"}));
  EXPECT_TRUE(VariantChain("nope").empty());
}

// The seed migration's VALUES row of one exercise.
std::string SqlText(absl::string_view s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "''"}}), "'");
}
std::string SqlKey(absl::string_view s) { return s.empty() ? "NULL" : SqlText(s); }
std::string SqlArray(const std::vector<absl::string_view>& v) {
  return absl::StrCat("'{", absl::StrJoin(v, ","), "}'");
}
std::string SeedRow(const Exercise& e) {
  return absl::StrCat(
      "  (", SqlText(e.key), ", ", SqlText(e.name), ", ", SqlText(CategoryName(e.category)), ", ",
      SqlArray(TargetNames(e.targets)), ",\n   ", e.dose.sets, ", ", e.dose.reps, ", ",
      e.dose.hold_seconds, ", ", e.dose.sessions_per_week, ", ", e.ladder.rep_step, ", ",
      e.ladder.max_reps, ", ", e.ladder.min_reps, ", ", e.ladder.max_load_steps, ", ",
      SqlText(e.load_hint), ",\n   ", SqlKey(e.progression), ", ", SqlKey(e.regression), ", ",
      e.max_pain, ", ", SqlArray(RedFlagNames(e.contraindicated_flags)), ", ",
      SqlArray(TargetNames(e.requires_strength_targets)), ", ", e.unilateral ? "true" : "false",
      ",\n   ", SqlText(e.instructions), ",\n   ", SqlText(e.source), ")");
}

TEST(ExerciseLibrary, SeedMigrationHoldsTheSameRows) {
  std::ifstream file(GK_SEED_MIGRATION);
  ASSERT_TRUE(file.good()) << GK_SEED_MIGRATION;
  std::stringstream text;
  text << file.rdbuf();
  const std::string sql = text.str();
  std::vector<std::string> rows;
  for (const Exercise& e : ExerciseLibrary()) rows.push_back(SeedRow(e));
  const std::string values = absl::StrCat("VALUES\n", absl::StrJoin(rows, ",\n"), ";\n");
  EXPECT_TRUE(absl::EndsWith(sql, values))
      << "regenerate the VALUES list of " << GK_SEED_MIGRATION << " from the C++ table:\n"
      << values;
}

// ---------------------------------------------------------------------------------------------

TEST(Adherence, CountsPerCategoryAndItemForOneWeek) {
  const v1::Plan plan = GeneratePlanV2(WithPain({Pain(1, 4)}));  // run/walk week, wall sits
  ASSERT_EQ(CountKey(plan, "run_walk"), 3);
  ASSERT_EQ(CountKey(plan, "squat"), 3);
  std::vector<ItemLog> logs = {
      {kStart, "run_walk", true, 3},
      {kStart + 2, "run_walk", true, 5},
      {kStart + 2, "run_walk", true, 2},  // same day twice: once
      {kStart + 1, "squat", true, 2},
      {kStart + 2, "squat", true, 4},  // moved a day: still counts
      {kStart + 3, "squat", false, {}},
      {kStart + 4, "squat", true, {}},
      {kStart + 6, "squat", true, {}},       // a fourth session: capped at 3
      {kStart, "wall_sit", true, 3},         // optional: not planned, pain kept
      {kStart + 7, "bridge", true, {}},      // outside the week
      {kStart - 1, "bridge", true, {}},      // outside the week
      {kStart + 1, "unknown_key", true, 9},  // not in the plan
  };
  const Adherence a = ComputeAdherence(plan, logs);
  EXPECT_EQ(a.by_item.at("run_walk").count.planned, 3);
  EXPECT_EQ(a.by_item.at("run_walk").count.done, 2);
  EXPECT_EQ(a.by_item.at("run_walk").max_pain_during, 5);
  EXPECT_EQ(a.by_item.at("squat").count.done, 3);
  EXPECT_EQ(a.by_item.at("squat").max_pain_during, 4);
  EXPECT_EQ(a.by_item.at("bridge").count.done, 0);
  EXPECT_EQ(a.by_item.at("wall_sit").count.planned, 0);
  EXPECT_EQ(a.by_item.at("wall_sit").count.done, 1);
  EXPECT_EQ(a.by_item.at("wall_sit").max_pain_during, 3);
  EXPECT_EQ(a.by_item.count("unknown_key"), 0u);
  EXPECT_EQ(a.by_category.at(v1::ITEM_CATEGORY_RUN).planned, 3);
  EXPECT_EQ(a.by_category.at(v1::ITEM_CATEGORY_RUN).done, 2);
  const int strength_planned = CountCategory(plan, v1::ITEM_CATEGORY_STRENGTH);
  EXPECT_EQ(a.by_category.at(v1::ITEM_CATEGORY_STRENGTH).planned, strength_planned);
  EXPECT_EQ(a.by_category.at(v1::ITEM_CATEGORY_STRENGTH).done, 3);
  EXPECT_EQ(a.by_category.count(v1::ITEM_CATEGORY_EDUCATION), 0u);
  EXPECT_EQ(a.by_category.count(v1::ITEM_CATEGORY_ISOMETRIC), 0u);
  const int counted = plan.items_size() - CountCategory(plan, v1::ITEM_CATEGORY_EDUCATION) -
                      CountCategory(plan, v1::ITEM_CATEGORY_ISOMETRIC);
  EXPECT_EQ(a.overall.planned, counted);
  EXPECT_EQ(a.overall.done, 5);
  EXPECT_DOUBLE_EQ(*a.by_category.at(v1::ITEM_CATEGORY_RUN).Ratio(), 2.0 / 3);
  EXPECT_FALSE(AdherenceCount{}.Ratio().has_value());

  // The same from stored completion logs (item indexes).
  std::vector<v1::CompletionLog> stored;
  for (int i = 0; i < plan.items_size(); ++i) {
    if (plan.items(i).key() != "run_walk") continue;
    v1::CompletionLog log;
    log.set_item_index(i);
    const absl::CivilDay day = kStart + plan.items(i).day();
    log.mutable_done_date()->set_year(static_cast<int32_t>(day.year()));
    log.mutable_done_date()->set_month(day.month());
    log.mutable_done_date()->set_day(day.day());
    log.set_pain_during(1);
    stored.push_back(log);
  }
  v1::CompletionLog bad;
  bad.set_item_index(plan.items_size());
  stored.push_back(bad);
  const Adherence from_stored = ComputeAdherence(plan, stored);
  EXPECT_EQ(from_stored.by_category.at(v1::ITEM_CATEGORY_RUN).done, 3);
  EXPECT_EQ(from_stored.overall.done, 3);
  EXPECT_EQ(from_stored.by_item.at("run_walk").max_pain_during, 1);
}

TEST(SummarizePlan, ReadsBackDosesLoadStepsAndCadence) {
  PlanRulesInputs in = WithPain({Pain(1, 2)});
  in.previous_plan = Prev("squat", 15);
  in.adherence = Adh(20, 20, 9, 9);
  const v1::Plan plan = GeneratePlanV2(in);
  EXPECT_EQ(ItemOr(plan, "squat").title(), "Squats (load step 1)");
  const PreviousPlan summary = SummarizePlan(plan);
  ASSERT_EQ(summary.strength.count("squat"), 1u);
  EXPECT_EQ(summary.strength.at("squat").reps, 10);
  EXPECT_EQ(summary.strength.at("squat").load_step, 1);
  EXPECT_EQ(summary.strength.at("side_lying_hip_abduction").reps, 12);
  EXPECT_EQ(summary.cadence_target_spm, 168);
  EXPECT_EQ(summary.cadence_ceiling_spm, 176);
  EXPECT_EQ(summary.generator_version, 2);
  EXPECT_EQ(summary.start_date, kStart);

  // A version-1 plan: its calf raises continue as the double-leg raise.
  v1::Plan old;
  old.set_generator_version(1);
  v1::PlanItem* calf = old.add_items();
  calf->set_category(v1::ITEM_CATEGORY_STRENGTH);
  calf->set_key("calf_raise");
  calf->set_title("Calf (tiptoe) raises");
  calf->mutable_dose()->set_sets(3);
  calf->mutable_dose()->set_reps(15);
  PlanRulesInputs next = WithPain({Pain(1, 2)});
  next.previous_plan = SummarizePlan(old);
  next.adherence = Adh(20, 20, 6, 6);
  const PlanDecisions decisions = DecidePlan(next);
  const StrengthPlan* slot = SlotOf(decisions, "calf");
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(slot->key, "calf_raise_double");
  EXPECT_EQ(slot->dose.reps, 20);
  EXPECT_EQ(slot->change, DoseChange::kProgress);
}

TEST(SummarizeScore, ReadsCadenceSpeedAndStepLength) {
  scoring::v1::GaitScore score;
  score.set_name("athletes/a/sessions/s/score");
  score.set_algorithm_version(3);
  for (auto [metric, median] :
       {std::pair{scoring::v1::METRIC_CADENCE, 162.0}, std::pair{scoring::v1::METRIC_SPEED, 3.0},
        std::pair{scoring::v1::METRIC_STEP_LENGTH, 1.1}}) {
    auto* m = score.add_metrics();
    m->set_metric(metric);
    m->set_median(median);
    m->set_sample_count(10);
  }
  ScoreSummary s = SummarizeScore(score);
  EXPECT_EQ(s.score_name, "athletes/a/sessions/s/score");
  EXPECT_EQ(s.algorithm_version, 3);
  EXPECT_EQ(s.median_cadence_spm, 162.0);
  EXPECT_EQ(s.median_speed_mps, 3.0);
  EXPECT_EQ(s.step_length_m, 1.1);
  EXPECT_EQ(s.top_factor, GaitFactor::kNone);
  EXPECT_FALSE(s.foot_strike.has_value());

  // Top factor from the knee-load score; foot strike from the sensor with the most contacts.
  score.mutable_knee_load()->set_top_factor("foot_strike");
  for (auto [placement, dominant, contacts] :
       {std::tuple{"foot_left", "forefoot", 40}, std::tuple{"foot_right", "rearfoot", 300},
        std::tuple{"pelvis", "", 0}}) {
    scoring::v1::ImuSensorMetrics* sensor = score.add_imu();
    sensor->set_placement(placement);
    sensor->mutable_foot_strike()->set_present(contacts > 0);
    sensor->mutable_foot_strike()->set_dominant(dominant);
    sensor->mutable_foot_strike()->set_rearfoot(contacts);
  }
  s = SummarizeScore(score);
  EXPECT_EQ(s.top_factor, GaitFactor::kFootStrike);
  EXPECT_EQ(s.foot_strike, FootStrike::kRearfoot);
  for (auto [name, factor] :
       {std::pair{"overstride", GaitFactor::kOverstride},
        std::pair{"cadence", GaitFactor::kCadence},
        std::pair{"vertical_oscillation", GaitFactor::kVerticalOscillation},
        std::pair{"contact_time", GaitFactor::kContactTime},
        std::pair{"impact", GaitFactor::kImpact}, std::pair{"asymmetry", GaitFactor::kAsymmetry},
        std::pair{"load_spike", GaitFactor::kLoadSpike}, std::pair{"", GaitFactor::kNone},
        std::pair{"something_new", GaitFactor::kNone}}) {
    EXPECT_EQ(ParseGaitFactor(name), factor) << name;
  }
}

TEST(ValidatePlanRulesInputs, RefusesOutOfRangeValues) {
  EXPECT_TRUE(ValidatePlanRulesInputs(Base()).ok());
  std::vector<PlanRulesInputs> bad(6, Base());
  bad[0].pain_reports = {Pain(1, 11)};
  bad[1].pain_reports = {Pain(1, 2, -1)};
  bad[2].recent_runs = {{DaysAgo(1), -3, absl::Minutes(10)}};
  bad[3].longest_run_prev_30d_km = std::nan("");
  bad[4].clinician.cadence_target_spm = 300;
  bad[5].start_date = absl::CivilDay(1800, 1, 1);
  for (const PlanRulesInputs& in : bad) {
    EXPECT_EQ(ValidatePlanRulesInputs(in).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_FALSE(GeneratePlanV2(in).summary().empty());  // the engine still answers
  }
}

// ---------------------------------------------------------------------------------------------
// Six simulated weeks. Each week the runner reports pain twice (same value), does everything
// planned, runs every run at its cap and, when running, reaches the cadence target.

struct Week {
  v1::Plan plan;
  PlanDecisions decisions;
  double longest_before_km;
};

std::vector<Week> Simulate(const std::vector<int>& weekly_pain) {
  std::vector<PainReport> reports;
  std::vector<RunRecord> runs = {{kStart - 20, 8, absl::Minutes(48)},
                                 {kStart - 12, 8, absl::Minutes(48)}};
  std::optional<v1::Plan> previous;
  std::optional<Adherence> adherence;
  double measured_cadence = 160;
  std::vector<Week> weeks;
  for (size_t w = 0; w < weekly_pain.size(); ++w) {
    const absl::CivilDay start = kStart + static_cast<int>(7 * w);
    reports.push_back(Pain(0, weekly_pain[w], weekly_pain[w], weekly_pain[w]));
    reports.back().date = start - 5;
    reports.push_back(Pain(0, weekly_pain[w], weekly_pain[w], weekly_pain[w]));
    reports.back().date = start - 2;
    PlanRulesInputs in;
    in.start_date = start;
    in.latest_score = Score(measured_cadence);
    in.pain_reports = reports;
    in.recent_runs = runs;
    if (previous.has_value()) in.previous_plan = SummarizePlan(*previous);
    in.adherence = adherence;
    double longest = 0;
    for (const RunRecord& r : runs) {
      const int before = static_cast<int>(start - r.date);
      if (before >= 1 && before <= 30) longest = std::max(longest, r.distance_km);
    }
    Week week{GeneratePlanV2(in), DecidePlan(in), longest};
    // The runner's week.
    std::vector<ItemLog> logs;
    for (const v1::PlanItem& item : week.plan.items()) {
      logs.push_back({start + item.day(), item.key(), true, weekly_pain[w]});
      if (item.category() == v1::ITEM_CATEGORY_RUN) {
        runs.push_back({start + item.day(), item.dose().distance_km_cap(), absl::Minutes(30)});
      }
    }
    adherence = ComputeAdherence(week.plan, logs);
    if (week.plan.has_cadence_target() && !RunDays(week.plan).empty()) {
      measured_cadence = week.plan.cadence_target().target_low_spm();
    }
    previous = week.plan;
    weeks.push_back(std::move(week));
  }
  return weeks;
}

// Position of the knee slot on its ladder, comparable across weeks.
int KneeLevel(const PlanDecisions& d) {
  const StrengthPlan* knee = SlotOf(d, "knee");
  if (knee == nullptr) return -1;
  const std::vector<absl::string_view> chain = VariantChain("squat");
  const int variant =
      static_cast<int>(std::find(chain.begin(), chain.end(), knee->key) - chain.begin());
  return variant * 10000 + knee->dose.load_step * 100 + knee->dose.reps;
}

TEST(Simulation, SixWeeksWithFallingPainProgress) {
  const std::vector<Week> weeks = Simulate({5, 4, 3, 2, 1, 1});
  ASSERT_EQ(weeks.size(), 6u);
  double last_cap = 0;
  double last_cadence = 0;
  int last_level = -1;
  int cadence_steps = 0;
  int progressions = 0;
  for (size_t w = 0; w < weeks.size(); ++w) {
    const Week& week = weeks[w];
    SCOPED_TRACE(absl::StrCat("week ", w, ": ", week.plan.summary()));
    EXPECT_TRUE(week.plan.red_flags().empty());
    // Run caps grow but never beyond the spike guard.
    EXPECT_GE(week.decisions.run_cap_km, last_cap);
    EXPECT_LE(week.decisions.run_cap_km, week.longest_before_km);
    last_cap = week.decisions.run_cap_km;
    // Cadence target: up in small steps, never beyond +10 % of the own cadence (176).
    const double cadence = week.plan.cadence_target().target_low_spm();
    EXPECT_GE(cadence, last_cadence);
    EXPECT_LE(cadence, 176);
    if (last_cadence > 0) {
      EXPECT_LE(cadence - last_cadence, std::round(last_cadence * 0.03));
      if (cadence > last_cadence) ++cadence_steps;
    }
    last_cadence = cadence;
    // Strength never goes backwards while pain falls.
    const int level = KneeLevel(week.decisions);
    EXPECT_GE(level, last_level);
    if (last_level >= 0 && level > last_level) ++progressions;
    last_level = level;
  }
  EXPECT_EQ(weeks[0].decisions.run_level, RunLevel::kRunWalk);
  EXPECT_EQ(weeks[5].decisions.run_level, RunLevel::kFull);
  EXPECT_GT(weeks[5].decisions.run_cap_km, weeks[0].decisions.run_cap_km);
  EXPECT_GE(cadence_steps, 2);
  EXPECT_DOUBLE_EQ(weeks[5].plan.cadence_target().target_low_spm(), 176);
  EXPECT_GE(progressions, 3);
  EXPECT_EQ(SlotOf(weeks[5].decisions, "knee")->change, DoseChange::kProgress);
}

TEST(Simulation, SixWeeksWithRisingPainRegressThenRedFlag) {
  const std::vector<Week> weeks = Simulate({2, 2, 3, 5, 6, 7});
  ASSERT_EQ(weeks.size(), 6u);
  for (size_t w = 0; w < 5; ++w) {
    EXPECT_TRUE(weeks[w].plan.red_flags().empty()) << "week " << w;
    EXPECT_LE(weeks[w].decisions.run_cap_km, weeks[w].longest_before_km) << "week " << w;
  }
  EXPECT_GT(KneeLevel(weeks[2].decisions), KneeLevel(weeks[0].decisions));  // progressed first
  // 3 -> 5: the weekly mean rose by 2 (more than the 1.2 MIC): regression, no running.
  EXPECT_TRUE(weeks[3].decisions.pain.trend_rising);
  EXPECT_EQ(SlotOf(weeks[3].decisions, "knee")->change, DoseChange::kRegress);
  EXPECT_LT(KneeLevel(weeks[3].decisions), KneeLevel(weeks[2].decisions));
  EXPECT_EQ(weeks[3].decisions.run_level, RunLevel::kNoRunning);
  // 6/10: regressed again, to the easier variant the library allows at 6/10.
  EXPECT_EQ(SlotOf(weeks[4].decisions, "knee")->change, DoseChange::kRegress);
  EXPECT_EQ(SlotOf(weeks[4].decisions, "knee")->key, "sit_to_stand");
  EXPECT_EQ(CountCategory(weeks[4].plan, v1::ITEM_CATEGORY_RUN), 0);
  // 7/10: red flag.
  const v1::Plan& last = weeks[5].plan;
  ASSERT_EQ(last.red_flags_size(), 1);
  EXPECT_TRUE(absl::StrContains(last.red_flags(0), "7/10"));
  EXPECT_EQ(last.items(0).key(), "see_clinician");
  EXPECT_EQ(CountCategory(last, v1::ITEM_CATEGORY_RUN), 0);
  EXPECT_EQ(CountCategory(last, v1::ITEM_CATEGORY_STRENGTH), 0);
}

}  // namespace
}  // namespace gaitkeeper::planning::rules
