#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// The knee-load score engine: one session's gait figures plus the runner's history in, a 0-100
// knee-load score with one explained sub-score per factor, the running-load analysis and the
// pain links out. Pure, deterministic computation: no I/O, no protos, no globals, no exceptions.
// Every weight and threshold is in weights.h (versioned); docs/SCORING_KNEE_LOAD.md gives each
// one's source in ../shared/domain/EVIDENCE.md.
//
// Direction: HIGHER = MORE KNEE LOAD. 0 means no factor shows a knee-load signal, 100 that every
// scored factor is in its worst band. Sub-scores, contributions and the total all use this
// direction.
//
// Missing data: every figure is optional. A missing figure gives no sub-score (never a guessed
// one), and the total is renormalised over the factors scored, with `completeness` saying how
// much of the full weight that was. Non-finite values (NaN, inf), absurd magnitudes, values of
// positive figures below a small minimum, and values outside a figure's range (weights.h
// InputTable; e.g. a balance outside 0..100 %) are treated as missing: no output is ever NaN.
namespace gaitkeeper::scoring::knee_load {

// Where a figure came from; decides how far it can be trusted (weights.h kSourceConfidence).
enum class DataSource {
  kUnknown,
  kWatchWrist,
  kChestStrap,
  kFootPod,
  kFootImu,
  kShinImu,
  kPelvisImu,
  kPhone,
  kFileImport,
};

enum class Confidence { kLow, kMedium, kHigh };

struct FootStrikeCounts {
  int64_t rearfoot = 0;
  int64_t midfoot = 0;
  int64_t forefoot = 0;
};

// Per-figure sources; an unset one falls back to SessionFigures::source.
struct FigureSources {
  std::optional<DataSource> distance;      // distance, duration, speed
  std::optional<DataSource> cadence;       // cadence and step length
  std::optional<DataSource> contact_time;  // ground contact time and GCT balance
  std::optional<DataSource> oscillation;   // vertical oscillation and ratio
  std::optional<DataSource> impact;        // peak impact
  std::optional<DataSource> foot_strike;
  std::optional<DataSource> asymmetry;  // IMU contact-time and impact asymmetry
};

// One session's figures, as summarised by the gait scorer and the IMU analysis. The gait
// figures describe the running part only (samples at >= 140 spm or >= 2.5 m/s); a walking-only
// session has none of them.
struct SessionFigures {
  int64_t start_time_s = 0;  // Unix seconds; identifies the session within a history
  std::optional<double> distance_m;
  std::optional<double> duration_s;
  std::optional<double> median_speed_mps;  // of the running part

  // Running part.
  std::optional<int64_t> running_sample_count;  // per-second records (or IMU windows)
  std::optional<double> cadence_median_spm;
  std::optional<double> cadence_p10_spm;
  std::optional<double> cadence_p90_spm;
  std::optional<double> step_length_m;  // median; derived from speed and cadence when absent
  std::optional<double> ground_contact_time_ms;
  std::optional<double> gct_balance_left_pct;
  std::optional<double> vertical_oscillation_cm;
  std::optional<double> vertical_ratio_pct;

  // Fatigue drift: medians over the first and the last third of the running part.
  std::optional<double> cadence_first_third_spm;
  std::optional<double> cadence_last_third_spm;
  std::optional<double> step_length_first_third_m;
  std::optional<double> step_length_last_third_m;
  std::optional<double> gct_first_third_ms;
  std::optional<double> gct_last_third_ms;
  std::optional<double> vo_first_third_cm;
  std::optional<double> vo_last_third_cm;

  // IMU figures.
  std::optional<double> peak_impact_median_g;
  std::optional<double> peak_impact_p90_g;
  std::optional<double> impact_clipped_fraction;  // 0..1 of steps whose peak hit the range
  std::optional<int64_t> impact_step_count;
  std::optional<double> imu_rate_hz;
  std::optional<FootStrikeCounts> foot_strikes;
  // Symmetry index 100 (L - R) / ((L + R) / 2), positive when the left value is larger.
  std::optional<double> contact_time_asymmetry_pct;
  std::optional<double> impact_asymmetry_pct;

  DataSource source = DataSource::kUnknown;  // the session's main sensor
  FigureSources sources;                     // overrides per figure
};

struct AthleteProfile {
  std::optional<double> height_cm;
  std::optional<double> leg_length_cm;  // greater trochanter to floor; preferred when present
};

// A pain check-in (numeric rating 0-10, EVIDENCE.md §6). Values outside 0..10 are ignored.
struct PainReport {
  int64_t date_s = 0;
  std::optional<double> during;
  std::optional<double> after;
  std::optional<double> next_morning;
  std::optional<int64_t> session_start_s;  // the session it is about, by start time
};

// Past sessions in any order. Sessions starting at or after the scored session are ignored
// (a re-score sees what was known then); a session sharing its start time with the scored one
// is the scored one. Among past sessions sharing a start time the one with the largest
// distance (then duration) is kept.
struct History {
  std::vector<SessionFigures> sessions;
  std::vector<PainReport> pain_reports;
};

enum class Factor {
  kOverstride,
  kCadence,
  kFootStrike,
  kVerticalOscillation,
  kContactTime,
  kImpact,
  kAsymmetry,
  kLoadSpike,
};
inline constexpr int kFactorCount = 8;

// Median of a figure over the runner's own past sessions (weights.h: baseline window and
// minimum count).
struct Baseline {
  double median = 0;
  int count = 0;
};

struct FactorScore {
  Factor factor = Factor::kCadence;
  std::optional<double> value;  // this session's figure, nullopt when missing
  std::string unit;
  std::string band;                  // zone/band label; empty when there is none
  std::optional<double> sub_score;   // 0-100 knee-load points; nullopt = not scored
  double weight = 0;                 // the table weight
  double contribution = 0;           // points of the total; the contributions sum to the total
  std::optional<Baseline> baseline;  // nullopt below the minimum count
  int baseline_sessions = 0;         // past sessions in the window with the figure
  Confidence confidence = Confidence::kLow;
  std::string confidence_reason;
  bool modifiable = false;  // something the runner can change (eligible as the top factor)
  std::string explanation;  // one sentence with the actual numbers
};

enum class SpikeBand {
  kNoDistance,  // this session has no distance
  kNoBaseline,  // no run with a distance in the previous 30 days
  kNone,        // <= 10 %
  k10To30,
  k30To100,
  kOver100,
};

// The single-run spike of EVIDENCE.md §5 (BJSM 2025).
struct SpikeAnalysis {
  SpikeBand band = SpikeBand::kNoDistance;
  std::optional<double> longest_previous_m;
  int previous_runs = 0;               // runs with a distance in the window
  std::optional<double> excess_pct;    // 100 (distance / longest - 1), negative when shorter
  std::optional<double> hazard_ratio;  // 1.0 for the reference band
  std::string explanation;
};

// Rolling weeks: this week = sessions starting in (t - 7 d, t], including this one; previous =
// (t - 14 d, t - 7 d].
struct WeeklyChange {
  double this_week_m = 0;
  double previous_week_m = 0;
  std::optional<double> change_pct;  // nullopt when the previous week is empty
  std::string explanation;
};

// Context only: never part of the score (EVIDENCE.md §5: the ACWR is contested and did not
// predict injury in the BJSM 2025 data). Daily load = distance in km by UTC day.
struct TrainingLoad {
  double acute_m = 0;           // this week's distance
  double chronic_weekly_m = 0;  // distance in (t - 28 d, t] / 4
  std::optional<double> acwr;   // acute / chronic; nullopt when chronic is 0
  double ctl = 0;               // 42-day exponentially weighted daily km, after today
  double atl = 0;               // 7-day, after today
  double tsb = 0;               // yesterday's CTL - yesterday's ATL
  std::string explanation;
};

struct RunningLoad {
  std::optional<double> distance_m;
  std::optional<double> duration_s;
  SpikeAnalysis spike;
  WeeklyChange weekly;
  TrainingLoad training;
};

// First third vs last third of the running part, 100 (last / first - 1).
struct FatigueDrift {
  std::optional<double> cadence_pct;
  std::optional<double> step_length_pct;
  std::optional<double> contact_time_pct;
  std::optional<double> vertical_oscillation_pct;
  std::string explanation;  // empty when no drift figure is available
};

enum class PainOutcome { kAfterRun, kNextMorning };

// Spearman rank correlation between one figure and one pain outcome over the sessions that have
// both. An association within the runner's own data, never a cause.
struct PainLink {
  std::string figure;  // e.g. "cadence"
  std::string unit;
  PainOutcome outcome = PainOutcome::kAfterRun;
  int n = 0;
  std::optional<double> rho;  // nullopt below the minimum n or without variation
  std::string explanation;
};

struct KneeLoadResult {
  int version = 0;              // weights.h kKneeLoadVersion
  std::optional<double> total;  // 0-100, higher = more knee load; nullopt when nothing scored
  int factors_scored = 0;
  double completeness = 0;  // scored weight / full weight, 0..1
  Confidence confidence = Confidence::kLow;
  std::string explanation;
  std::vector<FactorScore> factors;  // all kFactorCount factors, in Factor order
  std::optional<Factor> top_factor;  // the largest modifiable contribution, if any > 0
  std::string top_factor_advice;
  FatigueDrift drift;
  RunningLoad load;
  std::vector<PainLink> pain_links;
};

// Scores one session. Never fails: missing figures are reported as such. Deterministic: the same
// inputs (history in any order) give an identical result.
KneeLoadResult Score(const SessionFigures& session, const AthleteProfile& athlete,
                     const History& history);

// The running-load part of Score() on its own.
RunningLoad AnalyseRunningLoad(const SessionFigures& session, const History& history);

// The pain-link part of Score() on its own: for each figure (the factors' figures, distance,
// duration) and each outcome (after-run, next-morning pain), the Spearman correlation over this
// session and the past ones that have a linked report. When several reports are linked to one
// session, the highest rating of the outcome is used.
std::vector<PainLink> LinkPain(const SessionFigures& session, const History& history);

// Stable machine names: "overstride", "cadence", "foot_strike", "vertical_oscillation",
// "contact_time", "impact", "asymmetry", "load_spike".
const char* FactorName(Factor factor);
const char* ConfidenceName(Confidence confidence);
const char* SpikeBandName(SpikeBand band);

// Building blocks, exposed for tests and reuse.

// Median of the values (mean of the two middle ones for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

// 1-based ranks, ties given the average of the ranks they span (e.g. {10, 20, 20, 30} ->
// {1, 2.5, 2.5, 4}).
std::vector<double> AverageRanks(const std::vector<double>& values);

// Spearman's rho as the Pearson correlation of the average ranks. nullopt when the sizes differ,
// there are fewer than 2 pairs, or either side has no variation.
std::optional<double> SpearmanRho(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace gaitkeeper::scoring::knee_load
