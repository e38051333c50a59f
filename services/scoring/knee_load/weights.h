#pragma once

#include <array>
#include <cstdint>

#include "services/scoring/knee_load/knee_load.h"

// The one versioned table of the knee-load engine: every weight, threshold, band, point value,
// window, minimum count and confidence rule used by knee_load.cc lives here and nowhere else.
// Each entry cites its source: "EVIDENCE.md §N" is ../shared/domain/EVIDENCE.md; "heuristic"
// marks a Gaitkeeper choice with no study behind it (docs/SCORING_KNEE_LOAD.md lists them all).
//
// Any change to a value below alters scores: bump kKneeLoadVersion with it, so stored scores of
// different versions are never compared silently.
namespace gaitkeeper::scoring::knee_load {

inline constexpr int kKneeLoadVersion = 1;

// Knee-load points (0 = least load signal, 100 = most) of the five Garmin colour zones.
struct ZonePoints {
  double purple;
  double blue;
  double green;
  double orange;
  double red;
};

// Inclusive upper bounds of the first four zones of a "lower is purple" metric, in the table's
// resolution; above orange_max is red.
struct ZoneUpperBounds {
  double purple_max;
  double blue_max;
  double green_max;
  double orange_max;
};

// Factor weights. Only their ratios matter: the total renormalises over the factors scored.
struct FactorWeights {
  double load_spike;
  double overstride;
  double cadence;
  double impact;
  double foot_strike;
  double contact_time;
  double asymmetry;
  double vertical_oscillation;
};

struct CadenceTable {
  // Inclusive lower bounds (spm, after rounding to 1 spm); below orange_min is red.
  double purple_min;
  double blue_min;
  double green_min;
  double orange_min;
  ZonePoints points;
  // The retraining target, always relative to the runner's own cadence, never a fixed 180.
  double target_low_pct;
  double target_high_pct;
};

struct ContactTimeTable {
  ZoneUpperBounds ms;  // after rounding to 1 ms
  ZonePoints points;
};

struct OscillationTable {
  ZoneUpperBounds vo_chest_cm;  // after rounding to 0.1 cm
  ZoneUpperBounds vo_pod_cm;
  ZoneUpperBounds ratio_chest_pct;  // after rounding to 0.1 %
  ZoneUpperBounds ratio_pod_pct;
  ZonePoints points;
};

struct OverstrideTable {
  // Reference step length / height at speed v (m/s) = step_to_height_per_mps * v.
  double step_to_height_per_mps;
  // Leg length (greater trochanter to floor) as a fraction of height, to use leg length instead.
  double leg_to_height_ratio;
  // Population excess over the reference (%): <= typical_max "typical", <= slightly_long_max
  // "a little long", <= long_max "long", above "very long".
  double typical_max_pct;
  double slightly_long_max_pct;
  double long_max_pct;
  double typical_points;
  double slightly_long_points;
  double long_points;
  double very_long_points;
  // Own matched-speed comparison: past sessions within +-matched_speed_tolerance_mps.
  double matched_speed_tolerance_mps;
  double own_usual_max_pct;   // <= "as usual"
  double own_longer_max_pct;  // <= "longer than usual", above "much longer than usual"
  double own_usual_points;
  double own_longer_points;
  double own_much_longer_points;
};

struct FootStrikeTable {
  // Rearfoot share of classified strikes (%, after rounding to 0.1 %).
  double mostly_rearfoot_min_pct;  // >= "mostly rearfoot"
  double mixed_min_pct;            // >= "mixed", below "mostly midfoot/forefoot"
  double mostly_rearfoot_points;
  double mixed_points;
  double mostly_fore_points;
  double rearfoot_to_forefoot_stress_cut_pct;  // quoted in the explanation
};

struct ImpactTable {
  double tibial_screening_g;  // median peak tibial acceleration; <= "at or below screening"
  double below_points;
  double above_points;
  double feedback_cut_pct;      // quoted in the explanation
  double min_rate_hz;           // below: low confidence
  double max_clipped_fraction;  // above: low confidence, values are lower bounds
  double own_change_note_pct;   // unscored sensors: say "above/below usual" beyond this
};

struct AsymmetryTable {
  // GCT balance deviation from 50 % (after rounding the balance to 0.1 %).
  double balance_even_max_dev;
  double balance_moderate_max_dev;
  // The same bands as a symmetry index |SI| = 100 |L - R| / ((L + R) / 2) = 4 |balance - 50|.
  double si_even_max_pct;
  double si_moderate_max_pct;
  double even_points;
  double moderate_points;
  double marked_points;
};

struct SpikeTable {
  int window_days;
  // Excess of this run over the longest of the previous window_days (%).
  double none_max_pct;      // <= : no spike (the study's reference group)
  double moderate_max_pct;  // <= : 10-30 %
  double large_max_pct;     // <= : 30-100 %, above: > 100 %
  double hr_moderate;
  double hr_large;
  double hr_very_large;
  double none_points;
  double moderate_points;
  double large_points;
  double very_large_points;
};

struct WeeklyTable {
  int week_days;
  double nielsen_increase_pct;  // two-week increase quoted in the explanation
  double nielsen_hr;
};

struct TrainingLoadTable {
  int acwr_chronic_days;
  double acwr_sweet_low;
  double acwr_sweet_high;
  double acwr_danger;
  double ctl_days;
  double atl_days;
  int max_history_days;  // days before the session that CTL/ATL iterate over
};

struct BaselineTable {
  int window_days;
  int min_sessions;
};

struct ConfidenceTable {
  int64_t min_running_samples;  // running part shorter than this: low
  int64_t min_impact_steps;
  int64_t min_foot_strikes;
  double total_high_completeness;    // total: high needs >= this share of the weight ...
  double total_medium_completeness;  // ... medium >= this, else low
  double total_low_share_cap;        // low-confidence factors carrying >= this share of the
                                     // scored weight cap the total at medium
};

struct DriftTable {
  double notable_pct;  // |last third / first third - 1| at or above this is mentioned
};

struct PainTable {
  int min_sessions;  // fewer sessions with a linked report: no coefficient
  int few_sessions;  // fewer than this: "treat as a hint"
  double no_link_max_abs_rho;
};

struct TopFactorTable {
  double tie_resolution_points;  // contributions are compared after rounding to this
};

// Values are rounded to these resolutions before they are banded, so that a boundary value
// (e.g. a spike of exactly 10 %, computed as 10.000000000000009) lands in the band it reads as.
struct ResolutionTable {
  double cadence_spm;
  double contact_time_ms;
  double oscillation;  // cm and % vertical ratio
  double percent;      // excesses, shares, balance, symmetry index
  double impact_g;
};

// Input hygiene: values outside these are treated as missing.
struct InputTable {
  double max_magnitude;  // |value| above this
  double min_positive;   // figures that must be positive, below this
  double max_count;      // sample, step and landing counts above this
};

struct KneeLoadTable {
  int version;
  InputTable input;
  ResolutionTable resolution;
  FactorWeights weights;
  BaselineTable baseline;
  ConfidenceTable confidence;
  CadenceTable cadence;
  ContactTimeTable contact_time;
  OscillationTable oscillation;
  OverstrideTable overstride;
  FootStrikeTable foot_strike;
  ImpactTable impact;
  AsymmetryTable asymmetry;
  SpikeTable spike;
  WeeklyTable weekly;
  TrainingLoadTable training;
  DriftTable drift;
  PainTable pain;
  TopFactorTable top;
};

inline constexpr KneeLoadTable kKneeLoadTable{
    .version = kKneeLoadVersion,
    .input = {.max_magnitude = 1e7, .min_positive = 1e-3, .max_count = 1e12},  // heuristic
    // EVIDENCE.md §2: the zone table's resolution (1 spm, 1 ms, 0.1 cm, 0.1 %); the rest follow.
    .resolution =
        {
            .cadence_spm = 1,
            .contact_time_ms = 1,
            .oscillation = 0.1,
            .percent = 0.1,
            .impact_g = 0.1,
        },
    // Weights sum to 100; set by strength and relevance of the evidence for knee load:
    .weights =
        {
            .load_spike = 25,   // EVIDENCE.md §5: BJSM 2025, 5,205 runners; §4: Esculier 2018,
                                // load advice is the core of every plan
            .overstride = 20,   // EVIDENCE.md §3: Willson 2014 (step length -10 % -> PF stress
                                // -22 %/step), Souza 2016
            .cadence = 15,      // EVIDENCE.md §3: Heiderscheit 2011, Lenhart 2014 (coupled with
                                // step length at a given speed: the two overlap)
            .impact = 10,       // EVIDENCE.md §3: Crowell & Davis 2011; §1: imprecise sensors
            .foot_strike = 10,  // EVIDENCE.md §3: Kulmala 2013 (a knee-vs-calf trade-off)
            .contact_time = 8,  // EVIDENCE.md §3: only an overstriding proxy (Souza 2016)
            .asymmetry = 7,     // EVIDENCE.md §1, §7.7: track per limb; no load study
            .vertical_oscillation = 5,  // EVIDENCE.md §2: population zones only, no knee study
        },
    .baseline =
        {
            .window_days = 30,  // brief: the runner's last 30 days; matches EVIDENCE.md §5
            .min_sessions = 3,  // heuristic: the smallest count whose median ignores one outlier
        },
    .confidence =
        {
            .min_running_samples = 60,  // heuristic: one minute of 1 Hz records (§1 FIT <= 1 Hz)
            .min_impact_steps = 100,    // heuristic
            .min_foot_strikes = 100,    // heuristic
            .total_high_completeness = 0.8,    // heuristic
            .total_medium_completeness = 0.5,  // heuristic
            .total_low_share_cap = 0.5,        // heuristic
        },
    .cadence =
        {
            // EVIDENCE.md §2 Garmin zones: purple > 183, blue 174-183, green 164-173,
            // orange 153-163, red < 153 (population percentiles, not injury thresholds).
            .purple_min = 184,
            .blue_min = 174,
            .green_min = 164,
            .orange_min = 153,
            .points = {.purple = 0, .blue = 10, .green = 30, .orange = 60, .red = 85},  // heuristic
            .target_low_pct = 5,    // EVIDENCE.md §3: +5 % (Heiderscheit 2011)
            .target_high_pct = 10,  // EVIDENCE.md §3: +10 % (Heiderscheit 2011, Lenhart 2014)
        },
    .contact_time =
        {
            // EVIDENCE.md §2: purple < 218, blue 218-248, green 249-277, orange 278-308, red > 308.
            .ms = {.purple_max = 217, .blue_max = 248, .green_max = 277, .orange_max = 308},
            .points = {.purple = 0, .blue = 10, .green = 30, .orange = 60, .red = 85},  // heuristic
        },
    .oscillation =
        {
            // EVIDENCE.md §2, VO chest: < 6.4, 6.4-8.1, 8.2-9.7, 9.8-11.5, > 11.5 cm.
            .vo_chest_cm =
                {.purple_max = 6.3, .blue_max = 8.1, .green_max = 9.7, .orange_max = 11.5},
            // EVIDENCE.md §2, VO pod: < 6.8, 6.8-8.9, 9.0-10.9, 11.0-13.0, > 13.0 cm.
            .vo_pod_cm =
                {.purple_max = 6.7, .blue_max = 8.9, .green_max = 10.9, .orange_max = 13.0},
            // EVIDENCE.md §2, vertical ratio chest: < 6.1, 6.1-7.4, 7.5-8.6, 8.7-10.1, > 10.1 %.
            .ratio_chest_pct =
                {.purple_max = 6.0, .blue_max = 7.4, .green_max = 8.6, .orange_max = 10.1},
            // EVIDENCE.md §2, vertical ratio pod: < 6.5, 6.5-8.3, 8.4-10.0, 10.1-11.9, > 11.9 %.
            .ratio_pod_pct =
                {.purple_max = 6.4, .blue_max = 8.3, .green_max = 10.0, .orange_max = 11.9},
            .points = {.purple = 0, .blue = 10, .green = 30, .orange = 60, .red = 85},  // heuristic
        },
    .overstride =
        {
            // Heuristic (EVIDENCE.md §2: "Stride length has no published zones: judge it
            // against speed and leg length"): the step of a 1.70 m runner at the population
            // median cadence (~168 spm, middle of the §2 green zone): 60 / 168 / 1.70 = 0.21.
            .step_to_height_per_mps = 0.21,
            // Anthropometric hip height / stature (Winter), not in EVIDENCE.md.
            .leg_to_height_ratio = 0.53,
            // Band width 10 %: the step-length change of EVIDENCE.md §3 (Willson 2014: -10 % ->
            // PF stress -22 %/step, +10 % -> +31 %/step).
            .typical_max_pct = 0,
            .slightly_long_max_pct = 10,
            .long_max_pct = 20,
            .typical_points = 0,                 // heuristic
            .slightly_long_points = 35,          // heuristic
            .long_points = 65,                   // heuristic
            .very_long_points = 90,              // heuristic
            .matched_speed_tolerance_mps = 0.3,  // heuristic: about +-1 km/h
            .own_usual_max_pct = 3,              // heuristic: session-to-session noise
            .own_longer_max_pct = 10,            // EVIDENCE.md §3: Willson 2014's 10 % step
            .own_usual_points = 0,               // heuristic
            .own_longer_points = 50,             // heuristic
            .own_much_longer_points = 85,        // heuristic
        },
    .foot_strike =
        {
            .mostly_rearfoot_min_pct = 67,  // heuristic: two thirds
            .mixed_min_pct = 33,            // heuristic: one third
            .mostly_rearfoot_points = 60,   // heuristic
            .mixed_points = 30,             // heuristic
            .mostly_fore_points = 10,       // heuristic: knee load lower, calf load higher
            .rearfoot_to_forefoot_stress_cut_pct = 27,  // EVIDENCE.md §3: Kulmala 2013
        },
    .impact =
        {
            .tibial_screening_g = 8,       // EVIDENCE.md §3: Crowell & Davis 2011 screening > 8 g
            .below_points = 0,             // heuristic
            .above_points = 70,            // heuristic
            .feedback_cut_pct = 50,        // EVIDENCE.md §3: Crowell & Davis 2011
            .min_rate_hz = 200,            // EVIDENCE.md §1: impact needs >= 200 Hz
            .max_clipped_fraction = 0.01,  // heuristic; EVIDENCE.md §1: clipping must be detected
            .own_change_note_pct = 10,     // heuristic
        },
    .asymmetry =
        {
            // EVIDENCE.md §2: GCT balance within 50.7 % either way green, 50.8-52.2 % orange,
            // > 52.2 % red.
            .balance_even_max_dev = 0.7,
            .balance_moderate_max_dev = 2.2,
            // The same bands expressed as a symmetry index (4 x the deviation).
            .si_even_max_pct = 2.8,
            .si_moderate_max_pct = 8.8,
            .even_points = 0,       // heuristic
            .moderate_points = 45,  // heuristic
            .marked_points = 80,    // heuristic
        },
    .spike =
        {
            .window_days = 30,       // EVIDENCE.md §5: longest run of the previous 30 days
            .none_max_pct = 10,      // EVIDENCE.md §5 (BJSM 2025)
            .moderate_max_pct = 30,  // EVIDENCE.md §5
            .large_max_pct = 100,    // EVIDENCE.md §5
            .hr_moderate = 1.64,     // EVIDENCE.md §5: 10-30 %
            .hr_large = 1.52,        // EVIDENCE.md §5: 30-100 %
            .hr_very_large = 2.28,   // EVIDENCE.md §5: > 100 %
            .none_points = 0,
            // Points follow the hazard ratios, (HR - 1) / (2.28 - 1) x 100 = 50 for 1.64, except
            // that the 30-100 % band keeps the 10-30 % band's points: its published HR (1.52)
            // is lower, most likely noise, and a bigger spike must never score as safer.
            .moderate_points = 50,
            .large_points = 50,
            .very_large_points = 100,
        },
    .weekly =
        {
            .week_days = 7,
            .nielsen_increase_pct = 30,  // EVIDENCE.md §5: +30 % over 2 weeks (Nielsen 2014)
            .nielsen_hr = 1.59,          // EVIDENCE.md §5
        },
    .training =
        {
            .acwr_chronic_days = 28,  // EVIDENCE.md §5 (Gabbett 2016): 4-week chronic load
            .acwr_sweet_low = 0.8,    // EVIDENCE.md §5 (contested)
            .acwr_sweet_high = 1.3,   // EVIDENCE.md §5 (contested)
            .acwr_danger = 1.5,       // EVIDENCE.md §5 (contested)
            .ctl_days = 42,           // EVIDENCE.md §5: CTL 42-day
            .atl_days = 7,            // EVIDENCE.md §5: ATL 7-day
            .max_history_days = 730,  // heuristic: older load weighs < e^-17 in CTL
        },
    .drift = {.notable_pct = 3},  // heuristic
    .pain =
        {
            .min_sessions = 8,   // heuristic: below 8 pairs a rank correlation is mostly noise
            .few_sessions = 20,  // heuristic
            .no_link_max_abs_rho = 0.1,  // heuristic
        },
    .top = {.tie_resolution_points = 0.1},  // heuristic
};

// Confidence of a figure by the sensor that produced it (EVIDENCE.md §1 and §7.8; where §1 is
// silent, heuristic). Columns: cadence and step length; contact time and GCT balance; vertical
// oscillation and ratio; peak impact; foot strike; IMU asymmetries; distance.
struct SourceConfidence {
  DataSource source;
  Confidence cadence;
  Confidence contact_time;
  Confidence oscillation;
  Confidence impact;
  Confidence foot_strike;
  Confidence asymmetry;
  Confidence distance;
};

inline constexpr Confidence kHi = Confidence::kHigh;
inline constexpr Confidence kMed = Confidence::kMedium;
inline constexpr Confidence kLo = Confidence::kLow;

inline constexpr std::array<SourceConfidence, 9> kSourceConfidence{{
    // Unknown / file import: the sensor is not known.
    {DataSource::kUnknown, kMed, kMed, kMed, kLo, kLo, kMed, kMed},
    {DataSource::kFileImport, kMed, kMed, kMed, kLo, kLo, kMed, kMed},
    // Wrist: running dynamics are estimated, impact is arm swing (§1, §7.8); GPS distance.
    {DataSource::kWatchWrist, kHi, kLo, kLo, kLo, kLo, kLo, kHi},
    // Chest strap: the FIT dynamics source; §1: overstates centre-of-mass VO by 16-18 mm.
    {DataSource::kChestStrap, kHi, kHi, kHi, kLo, kLo, kHi, kMed},
    // Foot pod: dynamics and treadmill distance (pod calibration).
    {DataSource::kFootPod, kHi, kHi, kHi, kLo, kLo, kHi, kMed},
    // Foot IMU: contact from pitch velocity (§1); foot strike 92 % rearfoot split (§1); no VO.
    {DataSource::kFootImu, kHi, kHi, kLo, kLo, kMed, kHi, kMed},
    // Shin IMU: tibial acceleration, the only placement with a published reference (§3).
    {DataSource::kShinImu, kHi, kMed, kLo, kMed, kLo, kMed, kLo},
    // Pelvis IMU: GCT about +-20 ms (§1); impact imprecise (§1).
    {DataSource::kPelvisImu, kHi, kMed, kMed, kLo, kLo, kMed, kLo},
    // Phone: placement varies; step counting works, dynamics do not.
    {DataSource::kPhone, kMed, kLo, kLo, kLo, kLo, kLo, kMed},
}};

}  // namespace gaitkeeper::scoring::knee_load
