// Adherence, summaries of stored plans and scores, and input validation for the v2 rules engine
// (plan_rules.h). Pure functions, no I/O.
#include "services/planning/plan_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gaitkeeper::planning::rules {
namespace {

// Version 1 wrote the double-leg calf raise under this key.
constexpr absl::string_view kV1CalfRaiseKey = "calf_raise";
constexpr absl::string_view kLoadMarker = "(load step ";

bool CountsAsPlanned(v1::ItemCategory category) {
  // Education is information, and isometrics are offered as an option for painful days (R10).
  return category != v1::ITEM_CATEGORY_EDUCATION && category != v1::ITEM_CATEGORY_ISOMETRIC &&
         category != v1::ITEM_CATEGORY_UNSPECIFIED;
}

int LoadStepFromTitle(absl::string_view title) {
  const size_t at = title.find(kLoadMarker);
  if (at == absl::string_view::npos) return 0;
  absl::string_view rest = title.substr(at + kLoadMarker.size());
  rest = rest.substr(0, rest.find(')'));
  int step = 0;
  if (!absl::SimpleAtoi(rest, &step) || step < 0) return 0;
  return step;
}

bool ValidPain(const std::optional<int>& v) { return !v.has_value() || (*v >= 0 && *v <= 10); }

bool ValidKm(double km) { return std::isfinite(km) && km >= 0; }

}  // namespace

Adherence ComputeAdherence(const v1::Plan& plan, const std::vector<ItemLog>& logs) {
  const absl::CivilDay start(plan.start_date().year(), plan.start_date().month(),
                             plan.start_date().day());
  // Per key: the category and how many times it was planned (counted items only).
  std::map<std::string, std::pair<v1::ItemCategory, int>> planned;
  for (const v1::PlanItem& item : plan.items()) {
    auto& entry = planned[item.key()];
    entry.first = item.category();
    if (CountsAsPlanned(item.category())) ++entry.second;
  }
  // Per key: the days with a done log, and the highest pain during.
  std::map<std::string, std::set<int>> done_days;
  std::map<std::string, int> max_pain;
  for (const ItemLog& log : logs) {
    const absl::civil_diff_t day = log.date - start;
    if (day < 0 || day > 6 || planned.count(log.key) == 0) continue;
    if (log.done) done_days[log.key].insert(static_cast<int>(day));
    if (log.pain_during.has_value()) {
      const int pain = std::clamp(*log.pain_during, 0, 10);
      auto [it, inserted] = max_pain.emplace(log.key, pain);
      if (!inserted) it->second = std::max(it->second, pain);
    }
  }
  Adherence out;
  for (const auto& [key, entry] : planned) {
    const auto& [category, times] = entry;
    const int done_count = done_days.count(key) > 0 ? static_cast<int>(done_days[key].size()) : 0;
    ItemAdherence& item = out.by_item[key];
    item.count.planned = times;
    // Moving a session to another day of the same week still counts; extra ones do not.
    item.count.done = times > 0 ? std::min(done_count, times) : done_count;
    if (max_pain.count(key) > 0) item.max_pain_during = max_pain[key];
    if (times == 0) continue;
    AdherenceCount& cat = out.by_category[category];
    cat.planned += times;
    cat.done += item.count.done;
    out.overall.planned += times;
    out.overall.done += item.count.done;
  }
  return out;
}

Adherence ComputeAdherence(const v1::Plan& plan, const std::vector<v1::CompletionLog>& logs) {
  std::vector<ItemLog> items;
  items.reserve(logs.size());
  for (const v1::CompletionLog& log : logs) {
    if (log.item_index() < 0 || log.item_index() >= plan.items_size()) continue;
    ItemLog item;
    item.date =
        absl::CivilDay(log.done_date().year(), log.done_date().month(), log.done_date().day());
    item.key = plan.items(log.item_index()).key();
    item.done = true;
    if (log.has_pain_during()) item.pain_during = log.pain_during();
    items.push_back(std::move(item));
  }
  return ComputeAdherence(plan, items);
}

PreviousPlan SummarizePlan(const v1::Plan& plan) {
  PreviousPlan out;
  out.start_date =
      absl::CivilDay(plan.start_date().year(), plan.start_date().month(), plan.start_date().day());
  out.generator_version = plan.generator_version();
  for (const v1::PlanItem& item : plan.items()) {
    if (item.category() != v1::ITEM_CATEGORY_STRENGTH) continue;
    std::string key = item.key() == kV1CalfRaiseKey ? "calf_raise_double" : item.key();
    if (out.strength.count(key) > 0) continue;
    StrengthDose dose;
    dose.sets = item.dose().sets();
    dose.reps = item.dose().reps();
    dose.hold_seconds = item.dose().hold_seconds();
    dose.load_step = LoadStepFromTitle(item.title());
    out.strength.emplace(std::move(key), dose);
  }
  if (plan.has_cadence_target() && plan.cadence_target().target_low_spm() > 0) {
    out.cadence_target_spm = plan.cadence_target().target_low_spm();
    if (plan.cadence_target().target_high_spm() > 0) {
      out.cadence_ceiling_spm = plan.cadence_target().target_high_spm();
    }
  }
  return out;
}

GaitFactor ParseGaitFactor(absl::string_view name) {
  static constexpr struct {
    absl::string_view name;
    GaitFactor factor;
  } kFactors[] = {
      {"overstride", GaitFactor::kOverstride},
      {"cadence", GaitFactor::kCadence},
      {"foot_strike", GaitFactor::kFootStrike},
      {"vertical_oscillation", GaitFactor::kVerticalOscillation},
      {"contact_time", GaitFactor::kContactTime},
      {"impact", GaitFactor::kImpact},
      {"asymmetry", GaitFactor::kAsymmetry},
      {"load_spike", GaitFactor::kLoadSpike},
  };
  for (const auto& f : kFactors) {
    if (f.name == name) return f.factor;
  }
  return GaitFactor::kNone;
}

ScoreSummary SummarizeScore(const scoring::v1::GaitScore& score) {
  ScoreSummary out;
  out.score_name = score.name();
  out.algorithm_version = score.algorithm_version();
  for (const scoring::v1::MetricSummary& m : score.metrics()) {
    if (m.sample_count() <= 0) continue;
    switch (m.metric()) {
      case scoring::v1::METRIC_CADENCE: out.median_cadence_spm = m.median(); break;
      case scoring::v1::METRIC_SPEED: out.median_speed_mps = m.median(); break;
      case scoring::v1::METRIC_STEP_LENGTH: out.step_length_m = m.median(); break;
      default: break;
    }
  }
  if (!out.step_length_m.has_value() && score.step_length().step_length_m() > 0) {
    out.step_length_m = score.step_length().step_length_m();
  }
  out.top_factor = ParseGaitFactor(score.knee_load().top_factor());
  int64_t most_contacts = 0;
  for (const scoring::v1::ImuSensorMetrics& sensor : score.imu()) {
    const scoring::v1::FootStrikePattern& strike = sensor.foot_strike();
    const int64_t contacts = strike.rearfoot() + strike.midfoot() + strike.forefoot();
    if (!strike.present() || contacts <= most_contacts) continue;
    std::optional<FootStrike> dominant;
    if (strike.dominant() == "rearfoot") dominant = FootStrike::kRearfoot;
    if (strike.dominant() == "midfoot") dominant = FootStrike::kMidfoot;
    if (strike.dominant() == "forefoot") dominant = FootStrike::kForefoot;
    if (!dominant.has_value()) continue;
    out.foot_strike = dominant;
    most_contacts = contacts;
  }
  return out;
}

absl::Status ValidatePlanRulesInputs(const PlanRulesInputs& in) {
  if (in.start_date.year() < 1900 || in.start_date.year() > 2200) {
    return absl::InvalidArgumentError(
        absl::StrCat("start_date ", absl::FormatCivilTime(in.start_date), " is not plausible"));
  }
  for (size_t i = 0; i < in.pain_reports.size(); ++i) {
    const PainReport& r = in.pain_reports[i];
    if (!ValidPain(r.during) || !ValidPain(r.after) || !ValidPain(r.next_morning)) {
      return absl::InvalidArgumentError(
          absl::StrCat("pain_reports[", i, "] has a pain value outside 0-10"));
    }
    if (r.session_distance_km.has_value() && !ValidKm(*r.session_distance_km)) {
      return absl::InvalidArgumentError(
          absl::StrCat("pain_reports[", i, "].session_distance_km must be finite and >= 0"));
    }
  }
  for (size_t i = 0; i < in.recent_runs.size(); ++i) {
    const RunRecord& run = in.recent_runs[i];
    if (!ValidKm(run.distance_km) || run.duration < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("recent_runs[", i, "] has a negative or non-finite distance or duration"));
    }
  }
  if (!ValidKm(in.longest_run_prev_30d_km)) {
    return absl::InvalidArgumentError("longest_run_prev_30d_km must be finite and >= 0");
  }
  if (in.clinician.max_run_km.has_value() && !ValidKm(*in.clinician.max_run_km)) {
    return absl::InvalidArgumentError("clinician.max_run_km must be finite and >= 0");
  }
  if (in.clinician.cadence_target_spm.has_value() &&
      !(*in.clinician.cadence_target_spm >= 100 && *in.clinician.cadence_target_spm <= 250)) {
    return absl::InvalidArgumentError("clinician.cadence_target_spm must be within 100-250");
  }
  if (in.adherence.has_value()) {
    for (const auto& [key, item] : in.adherence->by_item) {
      if (!ValidPain(item.max_pain_during) || item.count.planned < 0 || item.count.done < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("adherence for ", key, " has a negative count or pain outside 0-10"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace gaitkeeper::planning::rules
