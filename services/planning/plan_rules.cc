// Planning rules engine, version 2: see plan_rules.h for the contract and docs/PLANNING.md for
// the rules R1-R15 with their sources (/work/shared/domain/EVIDENCE.md sections 3-6).
#include "services/planning/plan_rules.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gaitkeeper::planning::rules {
namespace {

// Windows, in days before start_date (0 = start_date itself).
constexpr int kPainWindowDays = 28;
constexpr int kWeekDays = 7;
constexpr int kSpikeWindowDays = 30;

// R1: pain-monitoring zones (Silbernagel).
constexpr int kSafeMax = 3;
constexpr int kAcceptableMax = 5;
// R3: minimal important change of the pain rating in patellofemoral pain (Piva 2009).
constexpr double kPainMic = 1.2;
// R4.
constexpr int kRedFlagPain = 7;
constexpr int kRisingFlagMinPain = kSafeMax + 1;
// R5: no history -> short runs; run level -> fraction of the spike-guard base. The factors are
// our choice (no study gives them): one step of reduction per pain signal.
constexpr double kNoHistoryBaseKm = 3.0;
constexpr double kFactorFull = 1.0;
constexpr double kFactorReduced = 0.8;
constexpr double kFactorRunWalk = 0.6;
// R7: cadence, as fractions of the runner's own baseline.
constexpr double kCadenceGoalLow = 1.05;
constexpr double kCadenceCeiling = 1.10;
constexpr double kCadenceWeeklyStep = 0.025;
constexpr double kCadenceReachedToleranceSpm = 2.0;
// R9 / R12: adherence thresholds (our choice; common practice has no published cut-off).
constexpr double kProgressAdherence = 0.7;
constexpr double kLowAdherence = 0.5;
constexpr int kSimplifiedSessions = 2;

constexpr int kRunDays[] = {0, 2, 4};
constexpr int kNoRunDays[] = {0, 2, 4, 6};
constexpr int kGentleDays[] = {1, 3, 5};
constexpr int kStrengthDays3[] = {1, 3, 5};
constexpr int kStrengthDays2[] = {1, 5};

// The strength program: one slot per muscle group, each starting at the library exercise named
// here and moving along its regression/progression chain (hip + knee, Crossley 2016; calves).
struct Slot {
  absl::string_view name;
  absl::string_view start_key;
  bool core;  // kept when the plan is simplified (R12)
};
constexpr Slot kSlots[] = {
    {"knee", "squat", true},
    {"hip", "side_lying_hip_abduction", true},
    {"glutes", "bridge", false},
    {"calf", "calf_raise_double", false},
};
constexpr absl::string_view kCalfSlot = "calf";

int DaysBefore(absl::CivilDay start, absl::CivilDay date) {
  const absl::civil_diff_t days = start - date;
  return static_cast<int>(std::clamp<absl::civil_diff_t>(days, -100000, 100000));
}

absl::string_view WeekdayName(absl::CivilDay day) {
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday: return "Monday";
    case absl::Weekday::tuesday: return "Tuesday";
    case absl::Weekday::wednesday: return "Wednesday";
    case absl::Weekday::thursday: return "Thursday";
    case absl::Weekday::friday: return "Friday";
    case absl::Weekday::saturday: return "Saturday";
    case absl::Weekday::sunday: return "Sunday";
  }
  return "";
}

std::string DateText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// "8", "7.5": distances to 0.1 km without trailing zeros.
std::string Km(double km) { return absl::StrFormat("%g", std::round(km * 10) / 10); }

// Rounded down to 0.5 km, so a cap never exceeds the distance it came from.
double FloorHalfKm(double km) {
  if (!std::isfinite(km) || km <= 0) return 0;
  return std::floor(km * 2 + 1e-9) / 2;
}

int ClampPain(int v) { return std::clamp(v, 0, 10); }

std::optional<int> Clamped(const std::optional<int>& v) {
  if (!v.has_value()) return std::nullopt;
  return ClampPain(*v);
}

// Worst of during / after / next morning; -1 when the report has no pain value.
int Worst(const PainReport& r) {
  int worst = -1;
  for (const std::optional<int>& v : {r.during, r.after, r.next_morning}) {
    if (v.has_value()) worst = std::max(worst, *v);
  }
  return worst;
}

bool HasDistance(const PainReport& r) {
  return r.session_distance_km.has_value() && *r.session_distance_km > 0;
}

// "Tuesday's 8 km run" or "Tuesday (2026-11-17)".
std::string When(const PainReport& r) {
  if (HasDistance(r)) {
    return absl::StrFormat("%s's %s km run", WeekdayName(r.date), Km(*r.session_distance_km));
  }
  return absl::StrFormat("%s (%s)", WeekdayName(r.date), DateText(r.date));
}

// The report's worst value with the moment it was felt, e.g. "next-morning pain 6/10 after
// Tuesday's 8 km run" or "pain 5/10 during activity on Friday (2026-11-27)". Ties go to the later
// moment.
std::string DescribeWorst(const PainReport& r) {
  const int worst = Worst(r);
  const std::string when = When(r);
  const absl::string_view activity = HasDistance(r) ? "" : "activity on ";
  if (r.next_morning.has_value() && *r.next_morning == worst) {
    return absl::StrFormat("next-morning pain %d/10 after %s", worst, when);
  }
  if (r.after.has_value() && *r.after == worst) {
    return absl::StrFormat("pain %d/10 after %s%s", worst, activity, when);
  }
  return absl::StrFormat("pain %d/10 during %s%s", worst, activity, when);
}

// Inputs cleaned once: reports and runs inside their windows, values clamped, sorted by a total
// order so the input order does not matter.
struct Normalized {
  std::vector<PainReport> reports;  // oldest first, within kPainWindowDays
  std::vector<RunRecord> runs;      // oldest first, before start_date
  double longest_prev_30d_km = 0;
};

Normalized Normalize(const PlanRulesInputs& in) {
  Normalized out;
  for (const PainReport& r : in.pain_reports) {
    const int before = DaysBefore(in.start_date, r.date);
    if (before < 0 || before >= kPainWindowDays) continue;
    PainReport c = r;
    c.during = Clamped(r.during);
    c.after = Clamped(r.after);
    c.next_morning = Clamped(r.next_morning);
    if (c.session_distance_km.has_value() &&
        !(std::isfinite(*c.session_distance_km) && *c.session_distance_km > 0)) {
      c.session_distance_km.reset();
    }
    out.reports.push_back(std::move(c));
  }
  auto report_key = [](const PainReport& r) {
    return std::make_tuple(r.date, r.during, r.after, r.next_morning, r.night_pain, r.rest_pain,
                           r.swelling, r.locking, r.giving_way, r.session_distance_km);
  };
  std::sort(out.reports.begin(), out.reports.end(), [&](const PainReport& a, const PainReport& b) {
    return report_key(a) < report_key(b);
  });

  out.longest_prev_30d_km =
      std::isfinite(in.longest_run_prev_30d_km) ? std::max(0.0, in.longest_run_prev_30d_km) : 0;
  for (const RunRecord& run : in.recent_runs) {
    const int before = DaysBefore(in.start_date, run.date);
    if (before < 1 || !std::isfinite(run.distance_km) || run.distance_km <= 0) continue;
    out.runs.push_back(run);
    if (before <= kSpikeWindowDays) {
      out.longest_prev_30d_km = std::max(out.longest_prev_30d_km, run.distance_km);
    }
  }
  std::sort(out.runs.begin(), out.runs.end(), [](const RunRecord& a, const RunRecord& b) {
    return std::make_tuple(a.date, a.distance_km, absl::ToInt64Milliseconds(a.duration)) <
           std::make_tuple(b.date, b.distance_km, absl::ToInt64Milliseconds(b.duration));
  });
  return out;
}

bool InLastWeek(const PlanRulesInputs& in, const PainReport& r) {
  return DaysBefore(in.start_date, r.date) < kWeekDays;
}

std::optional<double> MeanWorst(const PlanRulesInputs& in, const std::vector<PainReport>& reports,
                                int from_days, int to_days) {
  double sum = 0;
  int n = 0;
  for (const PainReport& r : reports) {
    const int before = DaysBefore(in.start_date, r.date);
    if (before < from_days || before >= to_days || Worst(r) < 0) continue;
    sum += Worst(r);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

// R1-R3.
PainAssessment AssessPain(const PlanRulesInputs& in, const Normalized& n) {
  PainAssessment out;
  const PainReport* latest = nullptr;
  const PainReport* latest_morning = nullptr;
  for (const PainReport& r : n.reports) {
    if (!InLastWeek(in, r)) continue;
    if (Worst(r) >= 0) {
      latest = &r;
      out.week_max = std::max(out.week_max, Worst(r));
    }
    if (r.next_morning.has_value()) latest_morning = &r;
  }
  if (latest != nullptr) {
    out.latest_date = latest->date;
    out.latest_worst = Worst(*latest);
    out.latest_description = DescribeWorst(*latest);
    out.zone = out.latest_worst <= kSafeMax         ? PainZone::kSafe
               : out.latest_worst <= kAcceptableMax ? PainZone::kAcceptable
                                                    : PainZone::kTooMuch;
  }
  // R2: next-morning pain must not be worse than the day before: the same report's pain during
  // or after the activity, or else the report of the previous day.
  if (latest_morning != nullptr) {
    const PainReport& r = *latest_morning;
    std::optional<int> before;
    if (r.during.has_value() || r.after.has_value()) {
      before = std::max(r.during.value_or(0), r.after.value_or(0));
    } else {
      for (const PainReport& p : n.reports) {
        if (p.date == r.date - 1 && Worst(p) >= 0) before = std::max(before.value_or(0), Worst(p));
      }
    }
    if (before.has_value() && *r.next_morning > *before) {
      out.not_settled = true;
      out.settling_date = r.date;
      out.settling_reason = absl::StrFormat(
          "next-morning pain %d/10 after %s was worse than the %d/10 the day before",
          *r.next_morning, When(r), *before);
    }
  }
  // R5's pain-provoking run: the newest linked run of the week that went above the safe zone or
  // whose next morning did not settle.
  for (auto it = n.reports.rbegin(); it != n.reports.rend(); ++it) {
    const PainReport& r = *it;
    if (!InLastWeek(in, r) || !HasDistance(r)) continue;
    const bool unsettled = out.not_settled && &r == latest_morning;
    if (Worst(r) > kSafeMax || unsettled) {
      out.provoking_run_km = *r.session_distance_km;
      out.provoking_description = When(r);
      break;
    }
  }
  // R3.
  out.this_week_mean = MeanWorst(in, n.reports, 0, kWeekDays);
  out.last_week_mean = MeanWorst(in, n.reports, kWeekDays, 2 * kWeekDays);
  if (out.this_week_mean.has_value() && out.last_week_mean.has_value()) {
    out.trend_rising = *out.this_week_mean - *out.last_week_mean >= kPainMic - 1e-9;
  }
  return out;
}

RedFlagAssessment AssessRedFlagsNormalized(const PlanRulesInputs& in, const Normalized& n) {
  // The newest report of the last 7 days that raised each flag.
  std::map<RedFlag, std::string> reason;
  for (const PainReport& r : n.reports) {
    if (!InLastWeek(in, r)) continue;
    const std::string on = absl::StrFormat("%s (%s)", WeekdayName(r.date), DateText(r.date));
    if (Worst(r) >= kRedFlagPain) {
      reason[RedFlag::kSeverePain] = absl::StrCat(DescribeWorst(r), " (7/10 or more)");
    }
    if (r.night_pain) reason[RedFlag::kNightPain] = absl::StrCat("pain at night reported on ", on);
    if (r.rest_pain) reason[RedFlag::kRestPain] = absl::StrCat("pain at rest reported on ", on);
    if (r.swelling) reason[RedFlag::kSwelling] = absl::StrCat("swelling reported on ", on);
    if (r.locking) reason[RedFlag::kLocking] = absl::StrCat("the knee locked, reported on ", on);
    if (r.giving_way) {
      reason[RedFlag::kGivingWay] = absl::StrCat("the knee gave way, reported on ", on);
    }
  }
  // Rising three reports in a row, the newest in the last 7 days and above the safe zone.
  std::vector<const PainReport*> valued;
  for (const PainReport& r : n.reports) {
    if (Worst(r) >= 0) valued.push_back(&r);
  }
  if (valued.size() >= 3) {
    const PainReport& a = *valued[valued.size() - 3];
    const PainReport& b = *valued[valued.size() - 2];
    const PainReport& c = *valued[valued.size() - 1];
    if (InLastWeek(in, c) && Worst(a) < Worst(b) && Worst(b) < Worst(c) &&
        Worst(c) >= kRisingFlagMinPain) {
      reason[RedFlag::kRisingPain] = absl::StrFormat(
          "pain rose three reports in a row: %d/10 (%s) → %d/10 (%s) → %d/10 (%s)", Worst(a),
          DateText(a.date), Worst(b), DateText(b.date), Worst(c), DateText(c.date));
    }
  }
  RedFlagAssessment out;
  for (auto& [flag, text] : reason) {  // std::map: RedFlag order
    out.flags |= FlagBit(flag);
    out.reasons.push_back(std::move(text));
  }
  return out;
}

RunLevel StepDown(RunLevel level) {
  switch (level) {
    case RunLevel::kFull: return RunLevel::kReduced;
    case RunLevel::kReduced: return RunLevel::kRunWalk;
    case RunLevel::kRunWalk:
    case RunLevel::kNoRunning: return RunLevel::kNoRunning;
  }
  return RunLevel::kNoRunning;
}

double LevelFactor(RunLevel level) {
  switch (level) {
    case RunLevel::kFull: return kFactorFull;
    case RunLevel::kReduced: return kFactorReduced;
    case RunLevel::kRunWalk: return kFactorRunWalk;
    case RunLevel::kNoRunning: return 0;
  }
  return 0;
}

absl::string_view LevelWords(RunLevel level) {
  switch (level) {
    case RunLevel::kFull: return "easy runs";
    case RunLevel::kReduced: return "shorter easy runs";
    case RunLevel::kRunWalk: return "run/walk";
    case RunLevel::kNoRunning: return "no running, walk instead";
  }
  return "";
}

// R1-R4: the week's run level, with the inputs that decided it.
void DecideRunLevel(PlanDecisions& d) {
  if (d.red_flags.any()) {
    d.run_level = RunLevel::kNoRunning;
    d.run_level_because = absl::StrCat(absl::StrJoin(d.red_flags.reasons, "; "),
                                       " → no running until a clinician has seen the knee (R4)");
    return;
  }
  const PainAssessment& p = d.pain;
  std::vector<std::string> causes;
  std::vector<absl::string_view> rules = {"R1"};
  std::string zone;
  switch (p.zone) {
    case PainZone::kNoReport:
      d.run_level = RunLevel::kFull;
      zone = "no pain report in the last 7 days";
      break;
    case PainZone::kSafe:
      d.run_level = RunLevel::kFull;
      zone = absl::StrCat(p.latest_description, " is in the safe zone (0-3)");
      break;
    case PainZone::kAcceptable:
      d.run_level = RunLevel::kRunWalk;
      zone = absl::StrCat(p.latest_description, " is acceptable (4-5) but not safe");
      break;
    case PainZone::kTooMuch:
      d.run_level = RunLevel::kNoRunning;
      zone = absl::StrCat(p.latest_description, " is too much (above 5)");
      break;
  }
  const bool zone_decides = p.zone == PainZone::kAcceptable || p.zone == PainZone::kTooMuch;
  // The settling sentence already names the newest report when it is the same one.
  const bool same_report = p.not_settled && p.settling_date == p.latest_date;
  if (zone_decides && !same_report) causes.push_back(zone);
  if (p.not_settled) {
    d.run_level = StepDown(d.run_level);
    causes.push_back(
        same_report && zone_decides
            ? absl::StrCat(p.settling_reason, ", and ",
                           p.zone == PainZone::kTooMuch ? "above 5/10" : "in the 4-5 zone")
            : p.settling_reason);
    rules.push_back("R2 settling");
  }
  if (p.trend_rising) {
    d.run_level = StepDown(d.run_level);
    causes.push_back(absl::StrFormat("average pain rose from %.1f/10 last week to %.1f/10",
                                     *p.last_week_mean, *p.this_week_mean));
    rules.push_back("R3 weekly trend");
  }
  if (causes.empty()) causes.push_back(zone);
  d.run_level_because = absl::StrFormat(
      "%s → %s (%s: pain-monitoring model, Silbernagel, extrapolated from "
      "Achilles)",
      absl::StrJoin(causes, "; "), LevelWords(d.run_level), absl::StrJoin(rules, ", "));
}

// R5 and the clinician's maximum (R13).
void DecideRunCap(const PlanRulesInputs& in, const Normalized& n, PlanDecisions& d) {
  d.spike_base_km = n.longest_prev_30d_km > 0 ? n.longest_prev_30d_km : kNoHistoryBaseKm;
  std::string base_text =
      n.longest_prev_30d_km > 0
          ? absl::StrFormat("longest run of the previous 30 days %s km", Km(n.longest_prev_30d_km))
          : absl::StrFormat("no run in the previous 30 days: %s km", Km(kNoHistoryBaseKm));
  // A run that provoked pain above the safe zone (or pain that did not settle) is not repeated
  // at that distance this week.
  if (d.pain.provoking_run_km.has_value() && *d.pain.provoking_run_km < d.spike_base_km) {
    d.spike_base_km = *d.pain.provoking_run_km;
    base_text = absl::StrCat("not beyond ", d.pain.provoking_description);
  }
  const double factor = LevelFactor(d.run_level);
  d.run_cap_km = FloorHalfKm(d.spike_base_km * factor);
  if (d.run_level == RunLevel::kNoRunning) {
    d.cap_because = "no running this week";
    return;
  }
  std::string text =
      factor < 1.0 ? absl::StrFormat("%s x %.0f %% for pain", base_text, factor * 100) : base_text;
  std::string rules = "R5 spike guard, BJSM 2025";
  if (in.clinician.max_run_km.has_value()) {
    const double clinician_cap = FloorHalfKm(std::max(0.0, *in.clinician.max_run_km));
    if (clinician_cap < d.run_cap_km) {
      d.run_cap_km = clinician_cap;
      text = absl::StrFormat("your clinician's maximum of %s km per run",
                             Km(*in.clinician.max_run_km));
      rules = "R13 clinician constraints";
    }
  }
  if (d.run_cap_km < 0.5) {
    d.run_level = RunLevel::kNoRunning;
    d.run_cap_km = 0;
    d.cap_because = absl::StrFormat("%s → under 0.5 km: walk instead (%s)", text, rules);
    absl::StrAppend(&d.run_level_because, "; ", d.cap_because);
    return;
  }
  d.cap_because = absl::StrFormat("%s → this week's longest run is capped at %s km (%s)", text,
                                  Km(d.run_cap_km), rules);
}

bool Excluded(const PlanRulesInputs& in, absl::string_view key) {
  return in.clinician.excluded_keys.count(std::string(key)) > 0;
}

// R7 (and R13's cadence override).
void DecideCadence(const PlanRulesInputs& in, PlanDecisions& d) {
  std::optional<double> latest;
  std::optional<double> speed;
  if (in.latest_score.has_value()) {
    const ScoreSummary& s = *in.latest_score;
    if (s.median_cadence_spm.has_value() && *s.median_cadence_spm >= 100 &&
        *s.median_cadence_spm <= 250) {
      latest = *s.median_cadence_spm;
    }
    if (s.median_speed_mps.has_value() && *s.median_speed_mps > 0) speed = *s.median_speed_mps;
  }
  const PreviousPlan* prev = in.previous_plan.has_value() ? &*in.previous_plan : nullptr;
  std::optional<double> ceiling;
  if (prev != nullptr && prev->cadence_ceiling_spm.has_value() && *prev->cadence_ceiling_spm > 0) {
    ceiling = std::round(*prev->cadence_ceiling_spm);
  } else if (latest.has_value()) {
    ceiling = std::round(*latest * kCadenceCeiling);
  }
  v1::CadenceTarget target;
  if (ceiling.has_value()) {
    const double baseline = prev != nullptr && prev->cadence_ceiling_spm.has_value()
                                ? *ceiling / kCadenceCeiling
                                : *latest;
    const double goal_low = std::round(baseline * kCadenceGoalLow);
    target.set_current_spm(latest.value_or(baseline));
    target.set_target_high_spm(*ceiling);
    const std::optional<double> prev_target =
        prev != nullptr ? prev->cadence_target_spm : std::nullopt;
    if (!prev_target.has_value()) {
      target.set_target_low_spm(goal_low);
      target.set_because(absl::StrFormat(
          "your own cadence %.0f steps/min%s → first target %.0f (+5 %%), moving towards at most "
          "%.0f (+10 %%) in small weekly steps (R7; Heiderscheit 2011), never a fixed 180",
          baseline, speed.has_value() ? absl::StrFormat(" at %.1f km/h", *speed * 3.6) : "",
          goal_low, *ceiling));
    } else {
      const double held = std::min(std::round(*prev_target), *ceiling);
      std::string hold_reason;
      if (held >= *ceiling) {
        hold_reason = "it is at the ceiling (+10 % of your own cadence)";
      } else if (d.run_level != RunLevel::kFull) {
        hold_reason = "running is reduced this week";
      } else if (!latest.has_value()) {
        hold_reason = "no new cadence was measured";
      } else if (*latest < held - kCadenceReachedToleranceSpm) {
        hold_reason = absl::StrFormat("your latest cadence %.0f has not reached it yet", *latest);
      }
      if (hold_reason.empty()) {
        const double step = std::max(1.0, std::round(held * kCadenceWeeklyStep));
        const double next = std::min(*ceiling, held + step);
        target.set_target_low_spm(next);
        target.set_because(absl::StrFormat(
            "you ran at %.0f steps/min against last week's target %.0f → next step %.0f "
            "(+2.5 %% a week, ceiling %.0f = +10 %% of your own cadence) (R7; Heiderscheit 2011)",
            *latest, held, next, *ceiling));
      } else {
        target.set_target_low_spm(held);
        target.set_because(absl::StrFormat(
            "target stays at %.0f steps/min because %s (R7 small weekly steps, ceiling %.0f)", held,
            hold_reason, *ceiling));
      }
    }
  }
  if (in.clinician.cadence_target_spm.has_value()) {
    const double spm = std::round(*in.clinician.cadence_target_spm);
    if (!ceiling.has_value()) target.set_current_spm(latest.value_or(0));
    target.set_target_low_spm(spm);
    target.set_target_high_spm(std::max(spm, ceiling.value_or(spm)));
    target.set_because(absl::StrFormat(
        "your clinician set the cadence target to %.0f steps/min (R13 clinician constraints)",
        spm));
  }
  if (target.target_low_spm() > 0) d.cadence = std::move(target);
}

// True when some exercise of the slot's chain can be given this week.
bool SlotAvailable(const PlanRulesInputs& in, const Slot& slot, int pain, RedFlagSet flags) {
  for (absl::string_view key : VariantChain(slot.start_key)) {
    const Exercise* e = FindExercise(key);
    if (e != nullptr && IsAllowed(*e, pain, flags) && !Excluded(in, key)) return true;
  }
  return false;
}

const Slot& SlotNamed(absl::string_view name) {
  for (const Slot& s : kSlots) {
    if (s.name == name) return s;
  }
  return kSlots[0];
}

// R6 and R8.
void DecideGaitCue(const PlanRulesInputs& in, PlanDecisions& d) {
  if (d.run_level == RunLevel::kNoRunning || !in.latest_score.has_value()) return;
  const ScoreSummary& s = *in.latest_score;
  std::string key;
  std::string why;
  switch (s.top_factor) {
    case GaitFactor::kOverstride:
      key = "shorter_stride_cue";
      why = "your top gait factor is overstriding";
      break;
    case GaitFactor::kImpact:
      key = "softer_landing_cue";
      why = "your top gait factor is impact";
      break;
    case GaitFactor::kVerticalOscillation:
      key = "softer_landing_cue";
      why = "your top gait factor is vertical bounce";
      break;
    case GaitFactor::kFootStrike:
      if (s.foot_strike.value_or(FootStrike::kRearfoot) == FootStrike::kRearfoot) {
        key = "forefoot_landing_cue";
        why = "your top gait factor is a heel (rearfoot) strike";
      } else {
        key = "softer_landing_cue";
        why = "your top gait factor is foot strike, already not on the heel";
      }
      break;
    case GaitFactor::kCadence:
      key = "cadence_cue";
      why = "your top gait factor is a low cadence";
      break;
    case GaitFactor::kContactTime:
      key = "cadence_cue";
      why = "your top gait factor is a long ground contact";
      break;
    case GaitFactor::kAsymmetry:
    case GaitFactor::kLoadSpike:
    case GaitFactor::kNone:
      key = "cadence_cue";
      why = "no single gait factor stands out, so the general knee-load cue";
      break;
  }
  const int pain = d.pain.latest_worst;
  if (key == "forefoot_landing_cue") {
    const Exercise* cue = FindExercise(key);
    if (pain > cue->max_pain) {
      key = "softer_landing_cue";
      absl::StrAppend(&why, absl::StrFormat(", but a new foot strike waits until pain is %d/10 "
                                            "or less",
                                            cue->max_pain));
    } else if (!SlotAvailable(in, SlotNamed(kCalfSlot), pain, d.red_flags.flags)) {
      key = "softer_landing_cue";
      absl::StrAppend(&why, ", but no calf exercise can be given to carry the extra calf load");
    }
  }
  if (key == "cadence_cue" && !d.cadence.has_value()) return;
  if (Excluded(in, key)) return;
  d.gait_cue_key = key;
  const Exercise* cue = FindExercise(key);
  d.gait_cue_because = absl::StrFormat(
      "%s → %s (R6%s; %s)", why, cue->name,
      cue->requires_strength_targets != 0 ? ", R8 calf strength added" : "", cue->source);
}

std::string DoseText(const Exercise& e, const StrengthDose& dose) {
  std::string text = dose.hold_seconds > 0
                         ? absl::StrFormat("%d × %d s", dose.sets, dose.hold_seconds)
                         : absl::StrFormat("%d × %d", dose.sets, dose.reps);
  if (dose.load_step > 0) {
    absl::StrAppend(&text, absl::StrFormat(" at load step %d", dose.load_step));
  }
  return absl::StrCat(e.name, " ", text);
}

StrengthDose DefaultDose(const Exercise& e) {
  return {.sets = e.dose.sets,
          .reps = e.dose.reps,
          .hold_seconds = e.dose.hold_seconds,
          .load_step = 0};
}

// One step up the ladder: reps, then load, then the harder variant. Returns false at the top.
bool StepUp(const PlanRulesInputs& in, int pain, RedFlagSet flags, std::string& key,
            StrengthDose& dose) {
  const Exercise& e = *FindExercise(key);
  if (e.ladder.max_reps == 0) return false;
  if (dose.reps < e.ladder.max_reps) {
    dose.reps = std::min(e.ladder.max_reps, dose.reps + e.ladder.rep_step);
    return true;
  }
  if (dose.load_step < e.ladder.max_load_steps) {
    ++dose.load_step;
    dose.reps = e.dose.reps;
    return true;
  }
  const Exercise* harder = e.progression.empty() ? nullptr : FindExercise(e.progression);
  if (harder == nullptr || !IsAllowed(*harder, pain, flags) || Excluded(in, harder->key)) {
    return false;
  }
  key = std::string(harder->key);
  dose = DefaultDose(*harder);
  return true;
}

// One step down: load, then reps back to the default, then the easier variant, then reps down
// to the floor. Returns false at the bottom.
bool StepDownDose(std::string& key, StrengthDose& dose) {
  const Exercise& e = *FindExercise(key);
  if (dose.load_step > 0) {
    --dose.load_step;
    return true;
  }
  if (dose.reps > e.dose.reps) {
    dose.reps = std::max(e.dose.reps, dose.reps - e.ladder.rep_step);
    return true;
  }
  const Exercise* easier = e.regression.empty() ? nullptr : FindExercise(e.regression);
  if (easier != nullptr) {
    key = std::string(easier->key);
    dose = DefaultDose(*easier);
    return true;
  }
  if (dose.reps > e.ladder.min_reps) {
    dose.reps = std::max(e.ladder.min_reps, dose.reps - e.ladder.rep_step);
    return true;
  }
  return false;
}

std::string PercentText(const AdherenceCount& c) {
  return absl::StrFormat("%d of %d strength sessions done (%.0f %%)", c.done, c.planned,
                         c.Ratio().value_or(0) * 100);
}

// R9, R12 and the contraindications of the library.
void DecideStrength(const PlanRulesInputs& in, PlanDecisions& d) {
  if (d.red_flags.any()) return;
  const int pain = d.pain.latest_worst;
  const RedFlagSet flags = d.red_flags.flags;

  std::optional<AdherenceCount> strength_adherence;
  std::optional<double> overall;
  if (in.adherence.has_value()) {
    auto it = in.adherence->by_category.find(v1::ITEM_CATEGORY_STRENGTH);
    if (it != in.adherence->by_category.end() && it->second.Ratio().has_value()) {
      strength_adherence = it->second;
    }
    overall = in.adherence->overall.Ratio();
  }
  d.simplified = overall.has_value() && *overall < kLowAdherence - 1e-9;
  const std::string simplified_why =
      d.simplified ? absl::StrFormat(
                         "you did %d of %d planned items last week (%.0f %%, under "
                         "50 %%) → same dose, fewer exercises (R12 adherence)",
                         in.adherence->overall.done, in.adherence->overall.planned, *overall * 100)
                   : "";
  d.strength_sessions = d.simplified ? kSimplifiedSessions : 0;

  const bool regress_all =
      d.pain.zone == PainZone::kTooMuch || d.pain.not_settled || d.pain.trend_rising;
  std::string regress_why;
  if (d.pain.zone == PainZone::kTooMuch) {
    regress_why = absl::StrCat(d.pain.latest_description, " is above 5/10");
  }
  if (regress_all && regress_why.empty()) {
    regress_why = d.pain.not_settled ? d.pain.settling_reason
                                     : absl::StrFormat("average pain rose from %.1f/10 to %.1f/10",
                                                       d.pain.last_week_mean.value_or(0),
                                                       d.pain.this_week_mean.value_or(0));
  }
  const bool pain_allows_progress =
      !regress_all && d.pain.week_max >= 0 && d.pain.week_max <= kSafeMax;

  const bool forefoot = d.gait_cue_key == "forefoot_landing_cue";
  for (const Slot& slot : kSlots) {
    const bool calf_for_cue = forefoot && slot.name == kCalfSlot;
    if (d.simplified && !slot.core && !calf_for_cue) continue;
    StrengthPlan sp;
    sp.slot = std::string(slot.name);
    // Where the slot was last week.
    std::optional<std::pair<std::string, StrengthDose>> prev;
    if (in.previous_plan.has_value()) {
      for (absl::string_view key : VariantChain(slot.start_key)) {
        auto it = in.previous_plan->strength.find(std::string(key));
        if (it != in.previous_plan->strength.end()) {
          prev.emplace(it->first, it->second);
          break;
        }
      }
    }
    std::string why;
    if (!prev.has_value()) {
      const Exercise& start = *FindExercise(slot.start_key);
      sp.key = std::string(start.key);
      sp.dose = DefaultDose(start);
      sp.change = DoseChange::kStart;
      why = "hip + knee (+ calf) strength 2-3 times a week, starting dose from the library (R9)";
    } else {
      sp.key = prev->first;
      sp.dose = prev->second;
      const Exercise* known = FindExercise(sp.key);
      if (known == nullptr) continue;
      if (sp.dose.sets <= 0) sp.dose = DefaultDose(*known);
      std::optional<int> item_pain;
      if (in.adherence.has_value()) {
        auto it = in.adherence->by_item.find(sp.key);
        if (it != in.adherence->by_item.end()) item_pain = it->second.max_pain_during;
      }
      const std::string before = DoseText(*known, sp.dose);
      if (regress_all || (item_pain.has_value() && *item_pain > kAcceptableMax)) {
        const std::string cause = regress_all ? regress_why
                                              : absl::StrFormat("pain %d/10 during %s last week",
                                                                *item_pain, known->name);
        if (StepDownDose(sp.key, sp.dose)) {
          sp.change = DoseChange::kRegress;
          why = absl::StrFormat("%s → easier than last week's %s (R9 regression)", cause, before);
        } else {
          sp.change = DoseChange::kHold;
          why = absl::StrFormat("%s → kept at the easiest level (R9 regression)", cause);
        }
      } else if (d.simplified) {
        sp.change = DoseChange::kHold;
        why = simplified_why;
      } else {
        std::string hold;
        if (!pain_allows_progress) {
          hold = d.pain.week_max < 0
                     ? "no pain report this week"
                     : absl::StrFormat("pain reached %d/10 this week (progress needs 3/10 or less)",
                                       d.pain.week_max);
        } else if (item_pain.has_value() && *item_pain > kSafeMax) {
          hold = absl::StrFormat("pain %d/10 during this exercise last week", *item_pain);
        } else if (!strength_adherence.has_value()) {
          hold = "no strength sessions logged last week";
        } else if (*strength_adherence->Ratio() < kProgressAdherence - 1e-9) {
          hold = absl::StrCat(PercentText(*strength_adherence), ", under 70 %");
        }
        if (hold.empty() && StepUp(in, pain, flags, sp.key, sp.dose)) {
          sp.change = DoseChange::kProgress;
          why = absl::StrFormat(
              "pain ≤ 3/10 all week, settled by the next morning and %s → harder than last "
              "week's %s (R9 progression: reps, then load, then a harder variant)",
              PercentText(*strength_adherence), before);
        } else {
          sp.change = DoseChange::kHold;
          why = hold.empty() ? "at the top of this exercise's ladder (R9)"
                             : absl::StrCat(hold, " → same dose as last week (R9)");
        }
      }
    }
    // Contraindications (library) and clinician exclusions (R13) move down the chain.
    std::string moved;
    for (int guard = 0; guard < 8; ++guard) {
      const Exercise& e = *FindExercise(sp.key);
      const bool excluded = Excluded(in, sp.key);
      if (IsAllowed(e, pain, flags) && !excluded) break;
      moved = excluded ? absl::StrFormat("; %s is excluded by your clinician (R13)", e.name)
                       : absl::StrFormat("; %s is not advised at pain %d/10 (library limit %d/10)",
                                         e.name, pain, e.max_pain);
      const Exercise* easier = e.regression.empty() ? nullptr : FindExercise(e.regression);
      if (easier == nullptr) {
        sp.key.clear();
        break;
      }
      sp.key = std::string(easier->key);
      sp.dose = DefaultDose(*easier);
      sp.change = DoseChange::kRegress;
    }
    if (sp.key.empty()) continue;
    const Exercise& e = *FindExercise(sp.key);
    if (!moved.empty()) absl::StrAppend(&why, moved, " → ", e.name);
    if (calf_for_cue) {
      absl::StrAppend(&why,
                      "; the forefoot-landing cue loads the calf more, so calf strength "
                      "stays in the plan (R8; Kulmala 2013)");
    }
    sp.because = absl::StrCat(why, "; ", e.source);
    d.strength.push_back(std::move(sp));
    if (!d.simplified)
      d.strength_sessions = std::max(d.strength_sessions, e.dose.sessions_per_week);
  }
}

// R10.
void DecideIsometrics(const PlanRulesInputs& in, PlanDecisions& d) {
  const Exercise& wall_sit = *FindExercise("wall_sit");
  const bool painful =
      d.pain.latest_worst > kSafeMax || d.pain.not_settled || d.run_level == RunLevel::kNoRunning;
  if (!painful || Excluded(in, wall_sit.key) ||
      !IsAllowed(wall_sit, d.pain.latest_worst, d.red_flags.flags)) {
    return;
  }
  d.offer_isometrics = true;
  std::string pain_text = "no running this week";
  if (d.pain.latest_worst > kSafeMax) {
    pain_text = absl::StrFormat("pain %d/10", d.pain.latest_worst);
  } else if (d.pain.not_settled) {
    pain_text = "pain did not settle overnight";
  }
  d.isometric_because = absl::StrFormat(
      "%s → wall sits offered for painful days, an option rather than a must (R10; %s)", pain_text,
      wall_sit.source);
}

PlanDecisions Decide(const PlanRulesInputs& in, const Normalized& n) {
  PlanDecisions d;
  d.pain = AssessPain(in, n);
  d.red_flags = AssessRedFlagsNormalized(in, n);
  DecideRunLevel(d);
  DecideRunCap(in, n, d);
  DecideCadence(in, d);
  DecideGaitCue(in, d);
  DecideStrength(in, d);
  DecideIsometrics(in, d);
  return d;
}

// ---------------------------------------------------------------------------------------------
// Building the plan from the decisions.

v1::PlanItem* AddItem(v1::Plan& plan, int day, v1::ItemCategory category, absl::string_view key,
                      std::string title, std::string instructions, std::string because) {
  v1::PlanItem* item = plan.add_items();
  item->set_day(day);
  item->set_category(category);
  item->set_key(std::string(key));
  item->set_title(std::move(title));
  item->set_instructions(std::move(instructions));
  item->set_because(std::move(because));
  return item;
}

v1::PlanItem* AddExercise(v1::Plan& plan, int day, const Exercise& e, std::string because) {
  v1::PlanItem* item = AddItem(plan, day, ToItemCategory(e.category), e.key, std::string(e.name),
                               std::string(e.instructions), std::move(because));
  if (e.dose.sets > 0) {
    item->mutable_dose()->set_sets(e.dose.sets);
    item->mutable_dose()->set_reps(e.dose.reps);
    item->mutable_dose()->set_hold_seconds(e.dose.hold_seconds);
  }
  return item;
}

absl::string_view SideName(common::v1::Side side) {
  switch (side) {
    case common::v1::SIDE_LEFT: return "left";
    case common::v1::SIDE_RIGHT: return "right";
    case common::v1::SIDE_BOTH: return "both";
    default: return "";
  }
}

// The runner-facing instructions of a strength item: the library text, what the load step
// means, and which leg sets the pace for one-leg exercises.
std::string StrengthInstructions(const Exercise& e, const StrengthDose& dose,
                                 common::v1::Side painful_side) {
  std::string text(e.instructions);
  if (dose.load_step > 0) {
    absl::StrAppend(&text, absl::StrFormat(" Load step %d: %s.", dose.load_step, e.load_hint));
  }
  const absl::string_view side = SideName(painful_side);
  if (e.unilateral && (side == "left" || side == "right")) {
    absl::StrAppend(&text, " Work both legs, starting with your ", side,
                    " (painful) leg; give the other leg the same number.");
  }
  absl::StrAppend(&text, " Pain during the exercise should stay at 3/10 or below.");
  return text;
}

std::string StrengthTitle(const Exercise& e, const StrengthDose& dose) {
  if (dose.load_step <= 0) return std::string(e.name);
  return absl::StrFormat("%s (load step %d)", e.name, dose.load_step);
}

std::string CueTitle(const Exercise& cue, const std::optional<v1::CadenceTarget>& cadence) {
  if (cadence.has_value() && (cue.key == "cadence_cue" || cue.key == "shorter_stride_cue")) {
    return absl::StrFormat("%s: %.0f steps/min", cue.name, cadence->target_low_spm());
  }
  return std::string(cue.name);
}

void RecordInputs(const PlanRulesInputs& in, const Normalized& n, v1::PlanInputs& out) {
  if (in.latest_score.has_value()) {
    const ScoreSummary& s = *in.latest_score;
    out.set_score(s.score_name);
    out.set_score_algorithm_version(s.algorithm_version);
    out.set_cadence_spm(s.median_cadence_spm.value_or(0));
    out.set_step_length_m(s.step_length_m.value_or(0));
    out.set_speed_mps(s.median_speed_mps.value_or(0));
  }
  const PainReport* newest = nullptr;
  int max_pain = -1;
  for (const PainReport& r : n.reports) {
    max_pain = std::max(max_pain, Worst(r));
    if (Worst(r) >= 0) newest = &r;
  }
  out.set_latest_pain_during(newest != nullptr ? newest->during.value_or(-1) : -1);
  out.set_latest_pain_after(newest != nullptr ? newest->after.value_or(-1) : -1);
  out.set_latest_pain_next_morning(newest != nullptr ? newest->next_morning.value_or(-1) : -1);
  out.set_max_recent_pain(max_pain);
  out.set_pain_report_count(static_cast<int32_t>(n.reports.size()));
  out.set_longest_run_last_30d_km(n.longest_prev_30d_km);
}

void AddRedFlagWeek(const PlanRulesInputs& in, const PlanDecisions& d, v1::Plan& plan) {
  if (d.offer_isometrics) {
    const Exercise& wall_sit = *FindExercise("wall_sit");
    for (int day : kNoRunDays) {
      v1::PlanItem* item = AddExercise(plan, day, wall_sit, d.isometric_because);
      item->set_title(absl::StrCat(wall_sit.name, ", only if comfortable"));
    }
  }
  const std::string because = absl::StrFormat(
      "red flag (%s) → only gentle exercises until a clinician has seen the knee (R4)",
      absl::StrJoin(RedFlagNames(d.red_flags.flags), ", "));
  for (absl::string_view key : {"hamstring_stretch", "calf_stretch", "quadriceps_stretch",
                                "hip_flexor_stretch", "foam_rolling"}) {
    const Exercise& e = *FindExercise(key);
    if (!IsAllowed(e, d.pain.latest_worst, d.red_flags.flags) || Excluded(in, key)) continue;
    for (int day : kGentleDays) AddExercise(plan, day, e, because);
  }
}

void AddTrainingWeek(const PlanRulesInputs& in, const PlanDecisions& d, v1::Plan& plan) {
  const bool running = d.run_level != RunLevel::kNoRunning;
  const Exercise& routine = *FindExercise("post_run_routine");
  const Exercise& foam = *FindExercise("foam_rolling");
  const bool add_routine =
      IsAllowed(routine, d.pain.latest_worst, d.red_flags.flags) && !Excluded(in, routine.key);
  const bool add_foam = !d.simplified && IsAllowed(foam, d.pain.latest_worst, d.red_flags.flags) &&
                        !Excluded(in, foam.key);
  const Exercise* cue = d.gait_cue_key.empty() ? nullptr : FindExercise(d.gait_cue_key);
  std::string cue_because = d.gait_cue_because;
  if (cue != nullptr && d.cadence.has_value() &&
      (cue->key == "cadence_cue" || cue->key == "shorter_stride_cue")) {
    absl::StrAppend(&cue_because, "; ", d.cadence->because());
  }
  const std::string run_because =
      running ? absl::StrCat(d.run_level_because, "; ", d.cap_because) : d.run_level_because;
  const std::string routine_because =
      "after every run: a walk and gentle stretches for perceived recovery (R11; low evidence "
      "for injury prevention)";
  const std::string foam_because =
      "after every run: foam rolling for perceived recovery (R11; low evidence for injury "
      "prevention)";
  for (int day : kRunDays) {
    absl::string_view run_key;
    if (!running) {
      run_key = "walk";
      if (!Excluded(in, run_key)) {
        AddItem(plan, day, v1::ITEM_CATEGORY_REST, run_key,
                "No running today: walk 20-30 minutes if comfortable",
                "Replace the run with an easy walk; stop if the knee hurts more than 3/10.",
                run_because)
            ->mutable_dose()
            ->set_duration_minutes(20);
      }
    } else {
      const bool run_walk = d.run_level == RunLevel::kRunWalk;
      run_key = run_walk ? "run_walk" : "easy_run";
      if (Excluded(in, run_key)) continue;
      if (d.offer_isometrics) {
        AddExercise(plan, day, *FindExercise("wall_sit"), d.isometric_because)
            ->set_title("Wall sit before the run, optional on a painful day");
      }
      v1::PlanItem* run = AddItem(
          plan, day, v1::ITEM_CATEGORY_RUN, run_key,
          run_walk ? absl::StrFormat("Run/walk, at most %s km", Km(d.run_cap_km))
                   : absl::StrFormat("Easy run, at most %s km", Km(d.run_cap_km)),
          run_walk ? "Alternate 1 minute of easy running with 1 minute of walking. Stop if pain "
                     "goes above 5/10."
                   : "Easy, conversational pace. Pain during the run should stay at 3/10 or "
                     "below; stop if it goes above 5/10.",
          run_because);
      run->mutable_dose()->set_distance_km_cap(static_cast<float>(d.run_cap_km));
      if (cue != nullptr) {
        AddExercise(plan, day, *cue, cue_because)->set_title(CueTitle(*cue, d.cadence));
      }
    }
    if (add_routine) AddExercise(plan, day, routine, routine_because);
    if (add_foam) AddExercise(plan, day, foam, foam_because);
  }
  if (!running && d.offer_isometrics) {
    for (int day : kNoRunDays) {
      AddExercise(plan, day, *FindExercise("wall_sit"), d.isometric_because);
    }
  }
  const absl::Span<const int> strength_days = d.strength_sessions >= 3
                                                  ? absl::Span<const int>(kStrengthDays3)
                                                  : absl::Span<const int>(kStrengthDays2);
  for (int day : strength_days) {
    for (const StrengthPlan& sp : d.strength) {
      const Exercise& e = *FindExercise(sp.key);
      v1::PlanItem* item =
          AddItem(plan, day, v1::ITEM_CATEGORY_STRENGTH, e.key, StrengthTitle(e, sp.dose),
                  StrengthInstructions(e, sp.dose, in.profile.painful_side), sp.because);
      item->mutable_dose()->set_sets(sp.dose.sets);
      item->mutable_dose()->set_reps(sp.dose.reps);
      item->mutable_dose()->set_hold_seconds(sp.dose.hold_seconds);
    }
  }
}

std::string Summary(const PlanDecisions& d) {
  if (d.red_flags.any()) {
    return absl::StrCat("RED FLAG: see a physiotherapist or doctor before running again (",
                        absl::StrJoin(d.red_flags.reasons, "; "),
                        "). This week: gentle stretches only",
                        d.offer_isometrics ? ", and wall sits if comfortable." : ".");
  }
  std::string out;
  switch (d.run_level) {
    case RunLevel::kFull:
      out = absl::StrFormat("Three easy runs of at most %s km", Km(d.run_cap_km));
      break;
    case RunLevel::kReduced:
      out = absl::StrFormat("Three shorter easy runs of at most %s km", Km(d.run_cap_km));
      break;
    case RunLevel::kRunWalk:
      out = absl::StrFormat("Three run/walk sessions of at most %s km", Km(d.run_cap_km));
      break;
    case RunLevel::kNoRunning: out = "No running this week: walks"; break;
  }
  if (!d.strength.empty()) {
    std::vector<std::string> doses;
    for (const StrengthPlan& sp : d.strength)
      doses.push_back(DoseText(*FindExercise(sp.key), sp.dose));
    absl::StrAppend(&out, absl::StrFormat(", strength %d times (%s)", d.strength_sessions,
                                          absl::StrJoin(doses, ", ")));
  }
  if (d.offer_isometrics) absl::StrAppend(&out, ", wall sits for painful days");
  absl::StrAppend(&out, ".");
  if (d.cadence.has_value() && d.run_level != RunLevel::kNoRunning) {
    absl::StrAppend(
        &out, absl::StrFormat(" Cadence target %.0f steps/min.", d.cadence->target_low_spm()));
  }
  if (d.simplified) absl::StrAppend(&out, " Simplified to fit your week.");
  return out;
}

}  // namespace

std::optional<double> AdherenceCount::Ratio() const {
  if (planned <= 0) return std::nullopt;
  return static_cast<double>(std::clamp(done, 0, planned)) / planned;
}

RedFlagAssessment AssessRedFlags(const PlanRulesInputs& inputs) {
  return AssessRedFlagsNormalized(inputs, Normalize(inputs));
}

PlanDecisions DecidePlan(const PlanRulesInputs& inputs) {
  return Decide(inputs, Normalize(inputs));
}

v1::Plan GeneratePlanV2(const PlanRulesInputs& inputs) {
  const Normalized n = Normalize(inputs);
  const PlanDecisions d = Decide(inputs, n);
  v1::Plan plan;
  plan.set_generator_version(kGeneratorVersion);
  plan.set_state(v1::PLAN_STATE_ACTIVE);
  plan.mutable_start_date()->set_year(static_cast<int32_t>(inputs.start_date.year()));
  plan.mutable_start_date()->set_month(inputs.start_date.month());
  plan.mutable_start_date()->set_day(inputs.start_date.day());
  RecordInputs(inputs, n, *plan.mutable_inputs());
  if (d.cadence.has_value()) *plan.mutable_cadence_target() = *d.cadence;

  // Clinicians see the red flags first (Plan.red_flags); day 0 opens with them for the runner.
  for (const std::string& reason : d.red_flags.reasons) plan.add_red_flags(reason);
  if (d.red_flags.any()) {
    AddExercise(plan, 0, *FindExercise("see_clinician"),
                absl::StrCat("RED FLAG: ", absl::StrJoin(d.red_flags.reasons, "; "),
                             " → see a clinician before running again (R4 red flags, stricter "
                             "than every other rule)"));
  }
  if (!inputs.clinician.note.empty()) {
    AddItem(plan, 0, v1::ITEM_CATEGORY_EDUCATION, "clinician_note", "Note from your clinician",
            inputs.clinician.note, "your clinician's note (R13 clinician constraints)");
  }
  const Exercise& education = *FindExercise("load_education");
  if (!Excluded(inputs, education.key)) {
    const std::string pain = d.pain.latest_worst >= 0
                                 ? absl::StrCat("your latest report: ", d.pain.latest_description)
                                 : std::string("no pain report in the last 7 days");
    AddExercise(
        plan, 0, education,
        absl::StrCat(pain, " → how to read your knee this week (R14; ", education.source, ")"));
  }
  if (d.red_flags.any()) {
    AddRedFlagWeek(inputs, d, plan);
  } else {
    AddTrainingWeek(inputs, d, plan);
  }
  plan.set_summary(Summary(d));
  // Day order, stable within a day: the plan reads like a week, and day 0 starts with the red
  // flag and the clinician's note.
  std::stable_sort(plan.mutable_items()->begin(), plan.mutable_items()->end(),
                   [](const v1::PlanItem& a, const v1::PlanItem& b) { return a.day() < b.day(); });
  return plan;
}

absl::string_view RunLevelName(RunLevel level) {
  switch (level) {
    case RunLevel::kFull: return "full";
    case RunLevel::kReduced: return "reduced";
    case RunLevel::kRunWalk: return "run_walk";
    case RunLevel::kNoRunning: return "no_running";
  }
  return "";
}

absl::string_view DoseChangeName(DoseChange change) {
  switch (change) {
    case DoseChange::kStart: return "start";
    case DoseChange::kProgress: return "progress";
    case DoseChange::kHold: return "hold";
    case DoseChange::kRegress: return "regress";
  }
  return "";
}

}  // namespace gaitkeeper::planning::rules
