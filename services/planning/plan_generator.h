#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gaitkeeper/common/v1/common.pb.h"
#include "gaitkeeper/planning/v1/planning.pb.h"
#include "gaitkeeper/scoring/v1/scoring.pb.h"

// Weekly plan generation: pure and deterministic (the same inputs give the same plan), no I/O.
// Every rule is listed in docs/PLANNING.md and has a test in tests/unit/plan_generator_test.cc.
namespace gaitkeeper::planning {

// Bumped whenever a rule changes; stored with every plan.
inline constexpr int kGeneratorVersion = 1;

struct PainEntry {
  common::v1::Date date;
  std::optional<int> during;
  std::optional<int> after;
  std::optional<int> next_morning;
  bool night_pain = false;
  bool rest_pain = false;
  bool swelling = false;
  bool locking = false;
  bool giving_way = false;
};

struct PlanningInputs {
  common::v1::Date start_date;
  // The newest gait score, if any session was scored.
  std::optional<scoring::v1::GaitScore> latest_score;
  // Pain reports of the 14 days up to start_date, newest first.
  std::vector<PainEntry> recent_pain;
  // Longest scored run in the 30 days before start_date (km); 0 when none.
  double longest_run_last_30d_km = 0;
};

// Pain bands of the pain-monitoring model (Silbernagel; EVIDENCE.md section 4).
enum class PainBand {
  kNone,        // no report in the window
  kSafe,        // 0–3
  kAcceptable,  // 4–5
  kTooMuch,     // 6
  kRedFlag,     // >= 7: stop running, see a clinician
};

// The band of the newest report's worst value (during, after or next morning).
PainBand CurrentPainBand(const std::vector<PainEntry>& recent_pain, int* worst);

// Red flags in the reports (newest first), each as a sentence for clinicians: pain >= 7/10, pain
// at night or at rest, swelling, locking or giving way (in the last 14 days), and pain rising
// three reports in a row. Empty when none.
std::vector<std::string> RedFlags(const std::vector<PainEntry>& recent_pain);

// Run caps (km) for the week: never above the longest run of the last 30 days (a single-run spike
// beyond it raises injury hazard, BJSM 2025), scaled down with pain; 3 km when there is no history.
double RunCapKm(double longest_run_last_30d_km, PainBand band);

planning::v1::Plan GeneratePlan(const PlanningInputs& inputs);

}  // namespace gaitkeeper::planning
