#include "services/planning/exercise_library.h"

#include <algorithm>
#include <iterator>

namespace gaitkeeper::planning::rules {
namespace {

constexpr LibraryDose kNoDose = {.sets = 0, .reps = 0, .hold_seconds = 0, .sessions_per_week = 0};
constexpr Ladder kNoLadder = {.rep_step = 0, .max_reps = 0, .min_reps = 0, .max_load_steps = 0};

constexpr char kHipKneeSource[] =
    "hip + knee exercise for patellofemoral pain (Crossley 2016 consensus; Collins 2018)";
constexpr char kCalfSource[] =
    "calf (tiptoe) raises, Crossley 2016 examples; calf strength protects the knee (seed article)";
constexpr char kStretchSource[] =
    "post-run relaxation: low evidence for injury prevention, good for perceived recovery";
constexpr char kCueSource[] = "gait retraining, EVIDENCE.md section 3";

// The order here is the order of the seed migration; keys never change once shipped.
constexpr Exercise kLibrary[] = {
    // Knee: sit_to_stand -> squat -> split_squat -> step_down.
    {.key = "sit_to_stand",
     .name = "Sit-to-stand (chair squat)",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetQuadriceps | kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 10, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 15, .min_reps = 6, .max_load_steps = 1},
     .load_hint = "hold a 2-5 kg bag against your chest",
     .progression = "squat",
     .regression = "",
     .max_pain = 6,
     .contraindicated_flags = kMechanicalFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Sit on a firm chair, feet hip-width apart. Stand up without using your "
                     "hands, then sit down slowly (3 seconds), knees in line with your toes.",
     .source = kHipKneeSource},
    {.key = "squat",
     .name = "Squats",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetQuadriceps | kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 10, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 15, .min_reps = 6, .max_load_steps = 2},
     .load_hint = "hold a weight or wear a backpack: about 5 % of your body weight per step",
     .progression = "split_squat",
     .regression = "sit_to_stand",
     .max_pain = 5,
     .contraindicated_flags = kMechanicalFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Feet hip-width apart, sit back to a comfortable depth with knees in line "
                     "with your toes; 3 seconds down, steady up.",
     .source = kHipKneeSource},
    {.key = "split_squat",
     .name = "Split squats",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetQuadriceps | kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 8, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 12, .min_reps = 6, .max_load_steps = 2},
     .load_hint = "hold a weight in each hand: about 5 % of your body weight per step",
     .progression = "step_down",
     .regression = "squat",
     .max_pain = 4,
     .contraindicated_flags = kMechanicalFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "One foot forward, one back, hold a wall if needed. Lower the back knee "
                     "towards the floor, front knee over the middle of the foot, then push up.",
     .source = kHipKneeSource},
    {.key = "step_down",
     .name = "Step-downs",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetQuadriceps | kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 8, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 12, .min_reps = 6, .max_load_steps = 1},
     .load_hint = "a higher step: about 5 cm more per step",
     .progression = "",
     .regression = "split_squat",
     .max_pain = 3,
     .contraindicated_flags = kMechanicalFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Stand on a low step on one leg. Slowly lower the other heel to touch the "
                     "floor, keeping the standing knee over your toes (not falling inwards), "
                     "then straighten.",
     .source = kHipKneeSource},
    // Hip abductors: clamshell -> side_lying_hip_abduction.
    {.key = "clamshell",
     .name = "Clamshells",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 12, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 4, .max_reps = 20, .min_reps = 8, .max_load_steps = 2},
     .load_hint = "a resistance band around the knees: one band stronger per step",
     .progression = "side_lying_hip_abduction",
     .regression = "",
     .max_pain = 6,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Lie on your side, knees bent, heels together. Open the top knee like a "
                     "clamshell without rolling your hips back; lower slowly.",
     .source = kHipKneeSource},
    {.key = "side_lying_hip_abduction",
     .name = "Side-lying hip abduction",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetHipAbductorsGlutes,
     .dose = {.sets = 3, .reps = 12, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 4, .max_reps = 20, .min_reps = 8, .max_load_steps = 2},
     .load_hint = "an ankle weight: about 0.5 kg more per step",
     .progression = "",
     .regression = "clamshell",
     .max_pain = 6,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Lie on your side, bottom knee bent. Lift the straight top leg slightly "
                     "behind you, toes pointing forward; lower slowly.",
     .source = kHipKneeSource},
    // Glutes and hamstrings: bridge -> single_leg_bridge.
    {.key = "bridge",
     .name = "Bridges",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetHipAbductorsGlutes | kTargetHamstrings,
     .dose = {.sets = 3, .reps = 10, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 15, .min_reps = 6, .max_load_steps = 2},
     .load_hint = "a weight resting on your hips: about 5 % of your body weight per step",
     .progression = "single_leg_bridge",
     .regression = "",
     .max_pain = 6,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Lie on your back, knees bent, feet flat. Squeeze your buttocks and lift "
                     "your hips until knees, hips and shoulders line up; hold 2 seconds, lower "
                     "slowly.",
     .source = kHipKneeSource},
    {.key = "single_leg_bridge",
     .name = "Single-leg bridges",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetHipAbductorsGlutes | kTargetHamstrings,
     .dose = {.sets = 3, .reps = 8, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 12, .min_reps = 6, .max_load_steps = 1},
     .load_hint = "a weight resting on your hips: about 5 % of your body weight per step",
     .progression = "",
     .regression = "bridge",
     .max_pain = 5,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "As a bridge, but with one foot on the floor and the other knee pulled "
                     "towards your chest; keep the pelvis level.",
     .source = kHipKneeSource},
    // Calves: calf_raise_double -> calf_raise_single.
    {.key = "calf_raise_double",
     .name = "Calf (tiptoe) raises, both legs",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetCalves,
     .dose = {.sets = 3, .reps = 15, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 5, .max_reps = 25, .min_reps = 10, .max_load_steps = 2},
     .load_hint = "wear a backpack: about 5 % of your body weight per step",
     .progression = "calf_raise_single",
     .regression = "",
     .max_pain = 6,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Stand on both feet, fingertips on a wall. Rise onto your toes, then lower "
                     "slowly over 3 seconds.",
     .source = kCalfSource},
    {.key = "calf_raise_single",
     .name = "Calf (tiptoe) raises, one leg",
     .category = ExerciseCategory::kStrength,
     .targets = kTargetCalves,
     .dose = {.sets = 3, .reps = 10, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = {.rep_step = 2, .max_reps = 15, .min_reps = 6, .max_load_steps = 2},
     .load_hint = "wear a backpack: about 5 % of your body weight per step",
     .progression = "",
     .regression = "calf_raise_double",
     .max_pain = 5,
     .contraindicated_flags = FlagBit(RedFlag::kGivingWay),
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Stand on one foot on the edge of a step, fingertips on a wall. Rise onto "
                     "your toes, lower slowly over 3 seconds until the heel is just below the "
                     "step.",
     .source = kCalfSource},
    {.key = "wall_sit",
     .name = "Wall sit (isometric)",
     .category = ExerciseCategory::kIsometric,
     .targets = kTargetQuadriceps,
     .dose = {.sets = 5, .reps = 0, .hold_seconds = 45, .sessions_per_week = 4},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 7,
     .contraindicated_flags = kMechanicalFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Back against a wall, slide down until the knees are bent to a comfortable "
                     "angle (not past 60 degrees). Hold at about 70 % effort, rest 2 minutes "
                     "between holds. Stop if the pain rises.",
     .source = "isometrics relieved knee pain short term (Rio 2015); equal to dynamic exercise "
               "in Holden 2020: an option, not superior"},
    {.key = "quadriceps_stretch",
     .name = "Quadriceps stretch",
     .category = ExerciseCategory::kStretch,
     .targets = kTargetQuadriceps,
     .dose = {.sets = 2, .reps = 0, .hold_seconds = 30, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = FlagBit(RedFlag::kSwelling) | FlagBit(RedFlag::kLocking),
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Standing, hold a wall, take your ankle and bring the heel towards your "
                     "buttock until you feel a gentle stretch in the front of the thigh.",
     .source = kStretchSource},
    {.key = "hamstring_stretch",
     .name = "Hamstring stretch",
     .category = ExerciseCategory::kStretch,
     .targets = kTargetHamstrings,
     .dose = {.sets = 2, .reps = 0, .hold_seconds = 30, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Sit with one leg straight, the other bent. Lean forward from the hips, back "
                     "straight, until you feel a gentle stretch behind the thigh.",
     .source = kStretchSource},
    {.key = "calf_stretch",
     .name = "Calf stretch",
     .category = ExerciseCategory::kStretch,
     .targets = kTargetCalves,
     .dose = {.sets = 2, .reps = 0, .hold_seconds = 30, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Hands on a wall, one foot back with the heel down and the knee straight; "
                     "lean in until you feel a gentle stretch in the calf.",
     .source = kStretchSource},
    {.key = "hip_flexor_stretch",
     .name = "Hip-flexor stretch",
     .category = ExerciseCategory::kStretch,
     .targets = kTargetHipFlexors,
     .dose = {.sets = 2, .reps = 0, .hold_seconds = 30, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = FlagBit(RedFlag::kGivingWay),
     .requires_strength_targets = 0,
     .unilateral = true,
     .instructions = "Standing in a short lunge, hands on a wall, tuck your pelvis under and "
                     "shift forward until you feel a gentle stretch at the front of the back "
                     "hip.",
     .source = kStretchSource},
    {.key = "post_run_routine",
     .name = "Post-run walk and stretches",
     .category = ExerciseCategory::kStretch,
     .targets = kTargetQuadriceps | kTargetHamstrings | kTargetCalves | kTargetHipFlexors,
     .dose = {.sets = 2, .reps = 0, .hold_seconds = 30, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = FlagBit(RedFlag::kSwelling) | FlagBit(RedFlag::kLocking),
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Walk 5 minutes, then hold each stretch gently, each leg: quadriceps, "
                     "hamstrings, calves, hip flexors.",
     .source = kStretchSource},
    {.key = "foam_rolling",
     .name = "Foam rolling",
     .category = ExerciseCategory::kMassage,
     .targets = kTargetQuadriceps | kTargetHipAbductorsGlutes | kTargetCalves,
     .dose = {.sets = 1, .reps = 0, .hold_seconds = 60, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = FlagBit(RedFlag::kSwelling),
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Roll the front and side of the thigh and the calves slowly, about 1 "
                     "minute each; no pressure on the kneecap itself.",
     .source = "massage / foam rolling after the run: good for perceived recovery, low evidence "
               "for injury prevention"},
    {.key = "load_education",
     .name = "How to read your knee this week",
     .category = ExerciseCategory::kEducation,
     .targets = 0,
     .dose = kNoDose,
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Pain during running up to 3/10 is fine, 4-5 acceptable, above 5 too much. "
                     "It should settle by the next morning and not rise from week to week. Log "
                     "your pain during, after and the next morning.",
     .source = "load management advice is the core of every plan (Esculier 2018); pain rules "
               "from the pain-monitoring model (Silbernagel), extrapolated from Achilles "
               "tendinopathy to the knee"},
    {.key = "see_clinician",
     .name = "See a physiotherapist or doctor",
     .category = ExerciseCategory::kEducation,
     .targets = 0,
     .dose = kNoDose,
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 10,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Book an appointment with a physiotherapist or doctor this week and stop "
                     "running until then; gentle movement that does not hurt is fine.",
     .source = "red flags need a clinical examination before loading the knee again"},
    {.key = "cadence_cue",
     .name = "Quicker steps",
     .category = ExerciseCategory::kGaitCue,
     .targets = 0,
     .dose = {.sets = 0, .reps = 0, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 5,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "At your usual easy pace, take quicker, lighter steps: set a metronome or "
                     "your watch's cadence alert to the target.",
     .source = "step rate +5-10 % at the same speed lowers knee load (Heiderscheit 2011; "
               "Lenhart 2014)"},
    {.key = "shorter_stride_cue",
     .name = "Shorter stride",
     .category = ExerciseCategory::kGaitCue,
     .targets = 0,
     .dose = {.sets = 0, .reps = 0, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 5,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Land with your foot closer to under your body, not out in front; keep the "
                     "pace and let the steps get shorter and quicker.",
     .source = "step length -10 % cut patellofemoral stress 22 % per step (Willson 2014); "
               "overstriding drives knee load and braking (Souza 2016)"},
    {.key = "softer_landing_cue",
     .name = "Softer, quieter landing",
     .category = ExerciseCategory::kGaitCue,
     .targets = 0,
     .dose = {.sets = 0, .reps = 0, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 5,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = 0,
     .unilateral = false,
     .instructions = "Run as quietly as you can: listen to your footsteps and make them softer, "
                     "with less bounce.",
     .source = "impact feedback cut peak tibial acceleration about 50 % (Crowell & Davis 2011)"},
    {.key = "forefoot_landing_cue",
     .name = "Land on the front of the foot",
     .category = ExerciseCategory::kGaitCue,
     .targets = kTargetCalves,
     .dose = {.sets = 0, .reps = 0, .hold_seconds = 0, .sessions_per_week = 3},
     .ladder = kNoLadder,
     .load_hint = "",
     .progression = "",
     .regression = "",
     .max_pain = 3,
     .contraindicated_flags = kNoFlags,
     .requires_strength_targets = kTargetCalves,
     .unilateral = false,
     .instructions = "Land on the outside of the front of your foot, then let the heel come down "
                     "softly, instead of striking with the heel. Start with a few minutes per "
                     "run: your calves will work harder.",
     .source = "a forefoot landing cut peak patellofemoral stress about 27 % but loads the calf "
               "and Achilles more (Kulmala 2013; Vannatta & Kernozek 2015)"},
};

}  // namespace

absl::Span<const Exercise> ExerciseLibrary() { return kLibrary; }

const Exercise* FindExercise(absl::string_view key) {
  for (const Exercise& exercise : kLibrary) {
    if (exercise.key == key) return &exercise;
  }
  return nullptr;
}

std::vector<absl::string_view> VariantChain(absl::string_view key) {
  const Exercise* bottom = FindExercise(key);
  if (bottom == nullptr) return {};
  // Links form simple chains; the step limit guards against a cycle in edited data.
  const int limit = static_cast<int>(std::size(kLibrary));
  for (int i = 0; i < limit && !bottom->regression.empty(); ++i) {
    const Exercise* easier = FindExercise(bottom->regression);
    if (easier == nullptr) break;
    bottom = easier;
  }
  std::vector<absl::string_view> chain = {bottom->key};
  for (const Exercise* e = bottom;
       static_cast<int>(chain.size()) < limit && !e->progression.empty();) {
    e = FindExercise(e->progression);
    if (e == nullptr) break;
    chain.push_back(e->key);
  }
  return chain;
}

v1::ItemCategory ToItemCategory(ExerciseCategory category) {
  switch (category) {
    case ExerciseCategory::kGaitCue: return v1::ITEM_CATEGORY_GAIT_CUE;
    case ExerciseCategory::kStrength: return v1::ITEM_CATEGORY_STRENGTH;
    case ExerciseCategory::kIsometric: return v1::ITEM_CATEGORY_ISOMETRIC;
    case ExerciseCategory::kStretch: return v1::ITEM_CATEGORY_STRETCH;
    case ExerciseCategory::kMassage: return v1::ITEM_CATEGORY_MASSAGE;
    case ExerciseCategory::kEducation: return v1::ITEM_CATEGORY_EDUCATION;
  }
  return v1::ITEM_CATEGORY_UNSPECIFIED;
}

absl::string_view CategoryName(ExerciseCategory category) {
  switch (category) {
    case ExerciseCategory::kGaitCue: return "gait_cue";
    case ExerciseCategory::kStrength: return "strength";
    case ExerciseCategory::kIsometric: return "isometric";
    case ExerciseCategory::kStretch: return "stretch";
    case ExerciseCategory::kMassage: return "massage";
    case ExerciseCategory::kEducation: return "education";
  }
  return "";
}

std::vector<absl::string_view> TargetNames(TargetSet targets) {
  static constexpr struct {
    TargetSet bit;
    absl::string_view name;
  } kNames[] = {
      {kTargetQuadriceps, "quadriceps"},  {kTargetHipAbductorsGlutes, "hip_abductors_glutes"},
      {kTargetCalves, "calves"},          {kTargetHamstrings, "hamstrings"},
      {kTargetHipFlexors, "hip_flexors"},
  };
  std::vector<absl::string_view> out;
  for (const auto& n : kNames) {
    if ((targets & n.bit) != 0) out.push_back(n.name);
  }
  return out;
}

absl::string_view RedFlagName(RedFlag flag) {
  switch (flag) {
    case RedFlag::kSeverePain: return "severe_pain";
    case RedFlag::kNightPain: return "night_pain";
    case RedFlag::kRestPain: return "rest_pain";
    case RedFlag::kSwelling: return "swelling";
    case RedFlag::kLocking: return "locking";
    case RedFlag::kGivingWay: return "giving_way";
    case RedFlag::kRisingPain: return "rising_pain";
  }
  return "";
}

std::vector<absl::string_view> RedFlagNames(RedFlagSet flags) {
  std::vector<absl::string_view> out;
  for (RedFlag flag :
       {RedFlag::kSeverePain, RedFlag::kNightPain, RedFlag::kRestPain, RedFlag::kSwelling,
        RedFlag::kLocking, RedFlag::kGivingWay, RedFlag::kRisingPain}) {
    if ((flags & FlagBit(flag)) != 0) out.push_back(RedFlagName(flag));
  }
  return out;
}

bool IsAllowed(const Exercise& exercise, int current_pain, RedFlagSet flags) {
  if (current_pain > exercise.max_pain) return false;
  return (flags & exercise.contraindicated_flags) == 0;
}

}  // namespace gaitkeeper::planning::rules
