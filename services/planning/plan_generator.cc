#include "services/planning/plan_generator.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "services/common/time_util.h"

namespace gaitkeeper::planning {
namespace {

using v1::ItemCategory;

constexpr double kNoHistoryCapKm = 3.0;

int WorstOf(const PainEntry& e) {
  int worst = -1;
  for (const std::optional<int>& v : {e.during, e.after, e.next_morning}) {
    if (v.has_value()) worst = std::max(worst, *v);
  }
  return worst;
}

std::optional<double> Median(const scoring::v1::GaitScore& score, scoring::v1::Metric metric) {
  for (const auto& m : score.metrics()) {
    if (m.metric() == metric && m.sample_count() > 0) return m.median();
  }
  return std::nullopt;
}

v1::PlanItem* Add(v1::Plan& plan, int day, ItemCategory category, const char* key, std::string title,
                  std::string instructions, std::string because) {
  v1::PlanItem* item = plan.add_items();
  item->set_day(day);
  item->set_category(category);
  item->set_key(key);
  item->set_title(std::move(title));
  item->set_instructions(std::move(instructions));
  item->set_because(std::move(because));
  return item;
}

void SetDose(v1::PlanItem* item, int sets, int reps, int hold_seconds) {
  item->mutable_dose()->set_sets(sets);
  item->mutable_dose()->set_reps(reps);
  item->mutable_dose()->set_hold_seconds(hold_seconds);
}

std::string PainText(int worst) { return absl::StrFormat("your latest pain report peaked at %d/10", worst); }

void AddPostRunRoutine(v1::Plan& plan, int day) {
  const char* because = "post-run relaxation after every run: good for perceived recovery (low evidence for injury prevention)";
  SetDose(Add(plan, day, v1::ITEM_CATEGORY_STRETCH, "post_run_stretch", "Post-run stretches",
              "Walk 5 minutes, then hold each stretch gently: quadriceps, hamstrings, calves, hip flexors.",
              because),
          2, 0, 30);
  SetDose(Add(plan, day, v1::ITEM_CATEGORY_MASSAGE, "foam_roll", "Foam rolling",
              "Roll thighs (front, side) and calves slowly, about 1 minute each; no pressure on the kneecap.",
              because),
          1, 0, 60);
}

void AddStrength(v1::Plan& plan, int day) {
  const char* because = "hip + knee strengthening is the first-line treatment for patellofemoral pain (Crossley 2016; Collins 2018), 2–3 times a week";
  SetDose(Add(plan, day, v1::ITEM_CATEGORY_STRENGTH, "squat", "Squats",
              "Feet hip-width, sit back to a comfortable depth, knees in line with toes; slow down, steady up.",
              because),
          3, 10, 0);
  SetDose(Add(plan, day, v1::ITEM_CATEGORY_STRENGTH, "side_lying_hip_abduction", "Side-lying hip abduction",
              "Lie on your side, lift the top leg slightly behind you, toes forward; lower slowly.", because),
          3, 12, 0);
  SetDose(Add(plan, day, v1::ITEM_CATEGORY_STRENGTH, "calf_raise", "Calf (tiptoe) raises",
              "Rise onto your toes on both feet, lower slowly over 3 seconds; progress to one leg.", because),
          3, 15, 0);
}

}  // namespace

PainBand CurrentPainBand(const std::vector<PainEntry>& recent_pain, int* worst) {
  *worst = -1;
  if (recent_pain.empty()) return PainBand::kNone;
  *worst = WorstOf(recent_pain.front());
  if (*worst < 0) return PainBand::kNone;
  if (*worst >= 7) return PainBand::kRedFlag;
  if (*worst >= 6) return PainBand::kTooMuch;
  if (*worst >= 4) return PainBand::kAcceptable;
  return PainBand::kSafe;
}

std::vector<std::string> RedFlags(const std::vector<PainEntry>& recent_pain) {
  std::vector<std::string> flags;
  for (const PainEntry& e : recent_pain) {
    const std::string day = timeutil::ToIsoDate(e.date);
    const int worst = WorstOf(e);
    if (worst >= 7) flags.push_back(absl::StrFormat("pain %d/10 on %s", worst, day));
    if (e.night_pain) flags.push_back(absl::StrCat("pain at night on ", day));
    if (e.rest_pain) flags.push_back(absl::StrCat("pain at rest on ", day));
    if (e.swelling) flags.push_back(absl::StrCat("swelling on ", day));
    if (e.locking) flags.push_back(absl::StrCat("locking on ", day));
    if (e.giving_way) flags.push_back(absl::StrCat("giving way on ", day));
  }
  // Rising three reports in a row: the newest three, each worse than the one before.
  if (recent_pain.size() >= 3) {
    const int a = WorstOf(recent_pain[2]);
    const int b = WorstOf(recent_pain[1]);
    const int c = WorstOf(recent_pain[0]);
    if (a >= 0 && a < b && b < c) flags.push_back(absl::StrFormat("pain rising three reports in a row (%d → %d → %d)", a, b, c));
  }
  return flags;
}

double RunCapKm(double longest_run_last_30d_km, PainBand band) {
  const double base = longest_run_last_30d_km > 0 ? longest_run_last_30d_km : kNoHistoryCapKm;
  double factor = 1.0;
  switch (band) {
    case PainBand::kNone:
    case PainBand::kSafe: factor = 1.0; break;
    case PainBand::kAcceptable: factor = 0.7; break;
    case PainBand::kTooMuch:
    case PainBand::kRedFlag: factor = 0.0; break;
  }
  // Rounded down to 0.5 km so the cap never exceeds the longest recent run.
  return std::floor(base * factor * 2.0) / 2.0;
}

v1::Plan GeneratePlan(const PlanningInputs& inputs) {
  v1::Plan plan;
  plan.set_generator_version(kGeneratorVersion);
  plan.set_state(v1::PLAN_STATE_ACTIVE);
  *plan.mutable_start_date() = inputs.start_date;

  int worst = -1;
  PainBand band = CurrentPainBand(inputs.recent_pain, &worst);
  const std::vector<std::string> red_flags = RedFlags(inputs.recent_pain);
  for (const std::string& flag : red_flags) plan.add_red_flags(flag);
  if (!red_flags.empty()) band = PainBand::kRedFlag;
  v1::PlanInputs* recorded = plan.mutable_inputs();
  recorded->set_latest_pain_during(-1);
  recorded->set_latest_pain_after(-1);
  recorded->set_latest_pain_next_morning(-1);
  if (!inputs.recent_pain.empty()) {
    const PainEntry& latest = inputs.recent_pain.front();
    recorded->set_latest_pain_during(latest.during.value_or(-1));
    recorded->set_latest_pain_after(latest.after.value_or(-1));
    recorded->set_latest_pain_next_morning(latest.next_morning.value_or(-1));
  }
  int max_recent = -1;
  for (const PainEntry& e : inputs.recent_pain) max_recent = std::max(max_recent, WorstOf(e));
  recorded->set_max_recent_pain(max_recent);
  recorded->set_pain_report_count(static_cast<int32_t>(inputs.recent_pain.size()));
  recorded->set_longest_run_last_30d_km(inputs.longest_run_last_30d_km);

  std::optional<double> cadence;
  std::optional<double> speed;
  if (inputs.latest_score.has_value()) {
    const scoring::v1::GaitScore& score = *inputs.latest_score;
    recorded->set_score(score.name());
    recorded->set_score_algorithm_version(score.algorithm_version());
    cadence = Median(score, scoring::v1::METRIC_CADENCE);
    speed = Median(score, scoring::v1::METRIC_SPEED);
    recorded->set_cadence_spm(cadence.value_or(0));
    recorded->set_step_length_m(Median(score, scoring::v1::METRIC_STEP_LENGTH).value_or(0));
    recorded->set_speed_mps(speed.value_or(0));
  }

  // Cadence target: +5 to +10 % of the runner's own cadence (Heiderscheit 2011), never a fixed 180.
  if (cadence.has_value()) {
    v1::CadenceTarget* target = plan.mutable_cadence_target();
    target->set_current_spm(*cadence);
    target->set_target_low_spm(std::round(*cadence * 1.05));
    target->set_target_high_spm(std::round(*cadence * 1.10));
    target->set_because(absl::StrFormat(
        "your median running cadence was %.0f steps/min%s; +5–10 %% at the same speed lowers knee "
        "load (Heiderscheit 2011) — start at the low end",
        *cadence, speed.has_value() ? absl::StrFormat(" at %.1f km/h", *speed * 3.6) : ""));
  }

  const double cap = RunCapKm(inputs.longest_run_last_30d_km, band);
  const std::string cap_because =
      inputs.longest_run_last_30d_km > 0
          ? absl::StrFormat("your longest run in the last 30 days was %.1f km; a single run beyond it raises injury risk (BJSM 2025)",
                            inputs.longest_run_last_30d_km)
          : absl::StrFormat("no scored run in the last 30 days: start with short runs (%.0f km)", kNoHistoryCapKm);

  // Run days 0, 2, 4; strength days 1 and 5 (2x/week); rest of the days easy.
  const int run_days[] = {0, 2, 4};
  std::string summary;
  switch (band) {
    case PainBand::kRedFlag:
      summary = absl::StrCat("Red flag (", red_flags.empty() ? "" : red_flags.front(),
                             "): no running this week. Please see a physiotherapist or doctor before running again.");
      Add(plan, 0, v1::ITEM_CATEGORY_EDUCATION, "see_clinician", "See a clinician",
          "Book an appointment with a physiotherapist or doctor. Stop running until then; gentle movement is fine.",
          absl::StrCat("red flag: ", absl::StrJoin(red_flags, "; "),
                       " (pain 7/10 or more, night or rest pain, swelling, locking, giving way or pain rising "
                       "three reports in a row means a clinician should look first)"));
      for (int day = 0; day < 7; day += 2) {
        SetDose(Add(plan, day, v1::ITEM_CATEGORY_ISOMETRIC, "wall_sit", "Wall sit (isometric), only if comfortable",
                    "Back against a wall, knees bent to a comfortable angle (not past 60°), about 70 % effort. Stop if pain rises.",
                    "isometrics may relieve knee pain short term (Rio 2015; equal to dynamic work in Holden 2020)"),
                5, 0, 45);
      }
      break;
    case PainBand::kTooMuch:
      summary = absl::StrFormat("Pain %d/10 is above the acceptable 5/10: rest from running this week, keep strength and isometrics.", worst);
      for (int day : run_days) {
        Add(plan, day, v1::ITEM_CATEGORY_REST, "rest_from_running", "No running today: walk 20–30 minutes if pain-free",
            "Replace the run with an easy walk; stop if the knee hurts more than 3/10.",
            absl::StrFormat("%s: above 5/10 is too much load (pain-monitoring model, extrapolated from Achilles tendinopathy)", PainText(worst)));
      }
      for (int day = 0; day < 7; day += 2) {
        SetDose(Add(plan, day, v1::ITEM_CATEGORY_ISOMETRIC, "wall_sit", "Wall sit (isometric)",
                    "Back against a wall, knees bent to a comfortable angle, about 70 % effort.",
                    "isometrics are an option on painful days (Rio 2015; Holden 2020 found them equal to dynamic exercise)"),
                5, 0, 45);
      }
      AddStrength(plan, 1);
      AddStrength(plan, 5);
      break;
    case PainBand::kAcceptable:
    case PainBand::kSafe:
    case PainBand::kNone: {
      const bool run_walk = band == PainBand::kAcceptable;
      summary = run_walk ? absl::StrFormat("Pain %d/10 is acceptable but not safe: run/walk this week, capped at %.1f km.", worst, cap)
                         : absl::StrFormat("Three easy runs capped at %.1f km, strength twice, stretches after every run.", cap);
      for (int day : run_days) {
        v1::PlanItem* run = Add(
            plan, day, v1::ITEM_CATEGORY_RUN, run_walk ? "run_walk" : "easy_run",
            run_walk ? "Run/walk: 1 minute running, 1 minute walking" : "Easy run",
            run_walk ? "Alternate 1 minute easy running and 1 minute walking; stop if pain goes above 5/10."
                     : "Easy, conversational pace. Pain during the run should stay at 3/10 or below.",
            run_walk ? absl::StrFormat("%s: 4–5/10 is acceptable, so keep running but lighter (pain-monitoring model); %s",
                                       PainText(worst), cap_because)
                     : cap_because);
        run->mutable_dose()->set_distance_km_cap(static_cast<float>(cap));
        if (plan.has_cadence_target()) {
          Add(plan, day, v1::ITEM_CATEGORY_GAIT_CUE, "cadence_cue",
              absl::StrFormat("Cadence %.0f steps/min", plan.cadence_target().target_low_spm()),
              "Use a metronome or your watch's cadence alert; take shorter, quicker, quieter steps at your usual pace.",
              plan.cadence_target().because());
        }
        AddPostRunRoutine(plan, day);
      }
      if (run_walk) {
        SetDose(Add(plan, 1, v1::ITEM_CATEGORY_ISOMETRIC, "wall_sit", "Wall sit (isometric), optional",
                    "Back against a wall, knees bent to a comfortable angle, about 70 % effort.",
                    "an option on painful days (Rio 2015; Holden 2020 found isometric and dynamic exercise equal)"),
                5, 0, 45);
      }
      AddStrength(plan, 1);
      AddStrength(plan, 5);
      break;
    }
  }
  Add(plan, 0, v1::ITEM_CATEGORY_EDUCATION, "load_education", "How to read your knee this week",
      "Pain during running up to 3/10 is fine, 4–5 acceptable, above 5 too much; it should settle by the next "
      "morning and not rise from week to week. Report pain after each run and the next morning.",
      "load management advice is the core of every plan (Esculier 2018); the pain rules are extrapolated from Achilles tendinopathy (Silbernagel)");
  plan.set_summary(summary);
  // Items in day order, stable within a day, so the plan reads like a week.
  std::stable_sort(plan.mutable_items()->begin(), plan.mutable_items()->end(),
                   [](const v1::PlanItem& a, const v1::PlanItem& b) { return a.day() < b.day(); });
  return plan;
}

}  // namespace gaitkeeper::planning
