#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gaitkeeper/planning/v1/planning.pb.h"

// The exercise library as data: every exercise, cue and education item the v2 rules engine
// (plan_rules.h) can put in a plan. db/migrations/0004_seed_exercise_library.sql seeds the same
// rows into the `exercises` table (a test keeps the two equal); clinics will add their own rows
// there later. Sources: /work/shared/domain/EVIDENCE.md sections 3 and 4.
namespace gaitkeeper::planning::rules {

enum class ExerciseCategory {
  kGaitCue,
  kStrength,
  kIsometric,
  kStretch,
  kMassage,  // massage / foam rolling
  kEducation,
};

// Muscle groups an exercise works (bit set).
using TargetSet = uint32_t;
inline constexpr TargetSet kTargetQuadriceps = 1u << 0;
inline constexpr TargetSet kTargetHipAbductorsGlutes = 1u << 1;
inline constexpr TargetSet kTargetCalves = 1u << 2;
inline constexpr TargetSet kTargetHamstrings = 1u << 3;
inline constexpr TargetSet kTargetHipFlexors = 1u << 4;

// Red flags (plan_rules.h decides them from pain reports). An exercise lists the ones that rule
// it out; they are also the reasons shown to the clinician.
enum class RedFlag {
  kSeverePain,  // any pain value >= 7/10
  kNightPain,
  kRestPain,
  kSwelling,
  kLocking,
  kGivingWay,
  kRisingPain,  // pain rose across three reports in a row
};
using RedFlagSet = uint32_t;
constexpr RedFlagSet FlagBit(RedFlag flag) { return 1u << static_cast<int>(flag); }
inline constexpr RedFlagSet kNoFlags = 0;
// Flags of a knee that should not be loaded into deep flexion or single-leg stance.
inline constexpr RedFlagSet kMechanicalFlags =
    FlagBit(RedFlag::kSwelling) | FlagBit(RedFlag::kLocking) | FlagBit(RedFlag::kGivingWay);

struct LibraryDose {
  int sets;
  int reps;          // 0 for holds
  int hold_seconds;  // 0 for repetitions
  int sessions_per_week;
};

// How a repetition exercise gets harder (EVIDENCE.md section 4: "progress reps then load"):
// reps grow by rep_step up to max_reps, then one load step is added and reps restart at the
// default, up to max_load_steps; after that the `progression` variant takes over. Regression
// removes load first, then reps down to the default, then moves to the `regression` variant;
// only the easiest variant goes below its default reps, down to min_reps.
struct Ladder {
  int rep_step;
  int max_reps;
  int min_reps;
  int max_load_steps;
};

struct Exercise {
  absl::string_view key;  // stable: stored in plans, logs and the database
  absl::string_view name;
  ExerciseCategory category;
  TargetSet targets;
  LibraryDose dose;
  Ladder ladder;                  // all zero for holds, cues and education
  absl::string_view load_hint;    // what one load step means, "" when not loadable
  absl::string_view progression;  // harder variant's key, "" for none
  absl::string_view regression;   // easier variant's key, "" for none
  // Contraindications: offered only while the current pain is <= max_pain and none of these
  // flags is present.
  int max_pain;
  RedFlagSet contraindicated_flags;
  // When this cue is given the plan must also strengthen these targets (the forefoot cue moves
  // load from the knee to the calf, EVIDENCE.md section 3).
  TargetSet requires_strength_targets;
  bool unilateral;  // done one leg at a time
  absl::string_view instructions;
  absl::string_view source;
};

// Every exercise, in a fixed order (the order of the seed migration).
absl::Span<const Exercise> ExerciseLibrary();

// The exercise with this key, or nullptr.
const Exercise* FindExercise(absl::string_view key);

// Every key reachable from `key` through regression/progression links, easiest first (the key
// itself included); empty when the key is unknown.
std::vector<absl::string_view> VariantChain(absl::string_view key);

// The plan item category of a library category.
v1::ItemCategory ToItemCategory(ExerciseCategory category);

// Stable lower-case names, as stored in the database ("strength", "hip_abductors_glutes", ...).
absl::string_view CategoryName(ExerciseCategory category);
std::vector<absl::string_view> TargetNames(TargetSet targets);
absl::string_view RedFlagName(RedFlag flag);
std::vector<absl::string_view> RedFlagNames(RedFlagSet flags);

// True when the exercise may be offered at this pain (0–10, or -1 when unknown) with these
// flags.
bool IsAllowed(const Exercise& exercise, int current_pain, RedFlagSet flags);

}  // namespace gaitkeeper::planning::rules
