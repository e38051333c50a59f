#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gaitkeeper/common/v1/common.pb.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "services/planning/exercise_library.h"

// Planning rules engine, version 2. Pure and deterministic: no clock, no randomness, no I/O; the
// same inputs (in any order) give a byte-identical plan. Each rule R1..R15 is described in
// docs/PLANNING.md and tested in tests/unit/plan_rules_test.cc under its id. Evidence:
// ../shared/domain/EVIDENCE.md sections 3-6.
namespace gaitkeeper::planning::rules {

// Bumped whenever a rule changes; stored with every plan.
inline constexpr int kGeneratorVersion = 2;

// ---------------------------------------------------------------------------------------------
// Inputs.

// The gait factor that stands out most in the latest score (the scoring service decides it).
enum class GaitFactor {
  kNone,
  kOverstride,
  kCadence,
  kFootStrike,
  kVerticalOscillation,
  kContactTime,
  kImpact,
  kAsymmetry,
  kLoadSpike,
};

enum class FootStrike { kRearfoot, kMidfoot, kForefoot };

// The latest gait score, reduced to what planning needs.
struct ScoreSummary {
  std::string score_name;  // "athletes/{a}/sessions/{s}/score"; may be empty
  int algorithm_version = 0;
  std::optional<double> median_cadence_spm;
  std::optional<double> median_speed_mps;
  std::optional<double> step_length_m;
  GaitFactor top_factor = GaitFactor::kNone;
  std::optional<FootStrike> foot_strike;  // only foot-mounted sensors give it
};

// One knee check-in. Pain values are 0-10; the booleans are red-flag questions.
struct PainReport {
  absl::CivilDay date;
  std::optional<int> during;
  std::optional<int> after;
  std::optional<int> next_morning;  // the morning after `date`
  bool night_pain = false;
  bool rest_pain = false;
  bool swelling = false;
  bool locking = false;
  bool giving_way = false;
  // Distance of the run the report is about, when linked to a session.
  std::optional<double> session_distance_km;
};

struct RunRecord {
  absl::CivilDay date;
  double distance_km = 0;
  absl::Duration duration;
};

// One exercise's dose as planned.
struct StrengthDose {
  int sets = 0;
  int reps = 0;
  int hold_seconds = 0;
  int load_step = 0;  // 0 = body weight; see Exercise::load_hint
};

// What the engine needs from the previous plan (see SummarizePlan).
struct PreviousPlan {
  absl::CivilDay start_date;
  int generator_version = 0;
  // Strength items by exercise key.
  std::map<std::string, StrengthDose> strength;
  // The previous week's cadence target and its ceiling (+10 % of the baseline cadence).
  std::optional<double> cadence_target_spm;
  std::optional<double> cadence_ceiling_spm;
};

// Done / planned for a category or an item over one plan week.
struct AdherenceCount {
  int planned = 0;
  int done = 0;
  // done / planned; nullopt when nothing was planned.
  std::optional<double> Ratio() const;
};

struct ItemAdherence {
  AdherenceCount count;
  // Highest pain during the item that the runner logged (0-10).
  std::optional<int> max_pain_during;
};

struct Adherence {
  AdherenceCount overall;
  std::map<v1::ItemCategory, AdherenceCount> by_category;
  std::map<std::string, ItemAdherence> by_item;  // by item key
};

// One logged plan item (the logging feature writes these).
struct ItemLog {
  absl::CivilDay date;
  std::string key;
  bool done = false;
  std::optional<int> pain_during;
};

struct AthleteProfile {
  common::v1::Side painful_side = common::v1::SIDE_UNSPECIFIED;
};

// Set by the runner's clinician; they override every rule except the red flags (R13).
struct ClinicianConstraints {
  std::optional<double> max_run_km;
  std::set<std::string> excluded_keys;
  std::optional<double> cadence_target_spm;
  std::string note;
};

struct PlanRulesInputs {
  absl::CivilDay start_date;
  std::optional<ScoreSummary> latest_score;
  // Check-ins; only those of the 28 days before start_date (and start_date itself) are used.
  std::vector<PainReport> pain_reports;
  // Runs; those of the 30 days before start_date feed the spike guard.
  std::vector<RunRecord> recent_runs;
  // Longest run of the 30 days before start_date (km) as stored; the engine also looks at
  // recent_runs and uses the larger.
  double longest_run_prev_30d_km = 0;
  std::optional<PreviousPlan> previous_plan;
  // Last week's adherence (ComputeAdherence on the previous plan); nullopt when nothing logged.
  std::optional<Adherence> adherence;
  AthleteProfile profile;
  ClinicianConstraints clinician;
};

// ---------------------------------------------------------------------------------------------
// Decisions: what the rules concluded, for the clinician view and for tests.

// Pain-monitoring zones (Silbernagel; extrapolated from Achilles tendinopathy, EVIDENCE.md 4).
enum class PainZone { kNoReport, kSafe, kAcceptable, kTooMuch };

// How much running the week holds (R1-R3), from most to least.
enum class RunLevel { kFull, kReduced, kRunWalk, kNoRunning };

enum class DoseChange { kStart, kProgress, kHold, kRegress };

struct PainAssessment {
  // Newest report of the last 7 days with a pain value; worst of during/after/next morning.
  std::optional<absl::CivilDay> latest_date;
  int latest_worst = -1;  // -1 when none
  // That report in words, e.g. "next-morning pain 6/10 after Tuesday's 8 km run".
  std::string latest_description;
  PainZone zone = PainZone::kNoReport;
  // R2: the newest next-morning value was worse than the day before.
  bool not_settled = false;
  std::optional<absl::CivilDay> settling_date;
  std::string settling_reason;
  // R3: weekly mean of the worst values, last 7 days vs the 7 before.
  std::optional<double> this_week_mean;
  std::optional<double> last_week_mean;
  bool trend_rising = false;
  // Highest worst value of the last 7 days (-1 when none).
  int week_max = -1;
  // R5: the newest run of the last 7 days whose report went above the safe zone or did not
  // settle; this week's runs stay shorter than it.
  std::optional<double> provoking_run_km;
  std::string provoking_description;  // e.g. "Tuesday's 8 km run"
};

struct RedFlagAssessment {
  RedFlagSet flags = kNoFlags;
  // One plain sentence per flag, in RedFlag order ("swelling reported on 2026-11-20").
  std::vector<std::string> reasons;
  bool any() const { return flags != kNoFlags; }
};

struct StrengthPlan {
  std::string slot;  // "knee", "hip", "glutes", "calf"
  std::string key;
  StrengthDose dose;
  DoseChange change = DoseChange::kStart;
  std::string because;
};

struct PlanDecisions {
  PainAssessment pain;
  RedFlagAssessment red_flags;
  RunLevel run_level = RunLevel::kFull;
  std::string run_level_because;
  // Spike guard (R5): base = longest run of the previous 30 days (3 km with no history),
  // lowered to a pain-provoking run's distance; cap = base x level factor, down to 0.5 km, then
  // the clinician's maximum.
  double spike_base_km = 0;
  double run_cap_km = 0;
  std::string cap_because;
  std::optional<v1::CadenceTarget> cadence;
  std::string gait_cue_key;  // "" when no cue
  std::string gait_cue_because;
  bool simplified = false;  // R12: low adherence
  std::vector<StrengthPlan> strength;
  int strength_sessions = 0;
  bool offer_isometrics = false;
  std::string isometric_because;
};

// ---------------------------------------------------------------------------------------------
// API.

// InvalidArgument when start_date is not plausible, a pain value is outside 0-10, a distance or
// duration is negative or not finite, or the clinician's cadence target is outside 100-250 spm.
// The engine itself never fails: it clamps or ignores what this function refuses, and ignores
// reports and runs dated after start_date.
absl::Status ValidatePlanRulesInputs(const PlanRulesInputs& inputs);

// Every rule's conclusion without building the plan.
PlanDecisions DecidePlan(const PlanRulesInputs& inputs);

// The 7-day plan (day 0 = start_date), items in day order, every item with a `because`. A
// red-flag plan lists its reasons in Plan.red_flags, starts with the "see_clinician" item and its
// summary starts with "RED FLAG". State is ACTIVE; name, create_time, review_clinic and
// clinician_notes are left to the caller (who stores the plan and runs the review workflow).
v1::Plan GeneratePlanV2(const PlanRulesInputs& inputs);

// Red flags of the reports (R4).
RedFlagAssessment AssessRedFlags(const PlanRulesInputs& inputs);

// Done/planned per category and per item key for one plan week (the plan's 7 days). A done log
// counts for the plan's item with the same key on any day of that week (moving a session within
// the week still counts), once per day and never more times than planned. Education items and
// the optional isometrics (R10) are not counted as planned; their logs still give the item's
// pain. Logs outside the week or of keys not in the plan are ignored.
Adherence ComputeAdherence(const v1::Plan& plan, const std::vector<ItemLog>& logs);
// The same from stored completion logs: each names its item by index (out-of-range indexes are
// ignored) and counts as done on its done_date.
Adherence ComputeAdherence(const v1::Plan& plan, const std::vector<v1::CompletionLog>& logs);

// The previous plan as the engine needs it: strength doses by key (load steps read back from the
// "(load step N)" title suffix; version-1 key "calf_raise" read as "calf_raise_double") and the
// cadence target (target_low_spm) with its ceiling (target_high_spm).
PreviousPlan SummarizePlan(const v1::Plan& plan);

// Cadence, speed and step length from a stored score's metrics; the top factor from
// knee_load.top_factor (kNone when empty or unknown); the foot strike from the IMU sensor with the
// most classified contacts (none without a foot sensor).
ScoreSummary SummarizeScore(const scoring::v1::GaitScore& score);

// "overstride", "cadence", "foot_strike", "vertical_oscillation", "contact_time", "impact",
// "asymmetry", "load_spike" (the scoring service's names); anything else is kNone.
GaitFactor ParseGaitFactor(absl::string_view name);

// Names for logs and tests.
absl::string_view RunLevelName(RunLevel level);
absl::string_view DoseChangeName(DoseChange change);

}  // namespace gaitkeeper::planning::rules
