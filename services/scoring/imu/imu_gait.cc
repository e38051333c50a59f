#include "services/scoring/imu/imu_gait.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/scoring/imu/imu_events.h"

namespace gaitkeeper::scoring::imu {
namespace {

using internal::ArgMax;
using internal::ArgMin;
using internal::EdgeOnset;
using internal::EstimatePeriods;
using internal::MovingAverage;
using internal::ParabolicVertex;
using internal::PeriodWindow;
using internal::PickPeaks;
using internal::Segment;
using internal::SteepestEdgeOnset;
using internal::WindowIndex;

// Shortest gap-free stretch analysed: two strides of a slow walk plus margins.
constexpr double kMinSegmentS = 4;
// Step period search range (pelvis, wrist, phone) and stride range (foot, shin): 60-300 spm.
constexpr double kStepPeriodMinS = 0.2;
constexpr double kStepPeriodMaxS = 1.0;
constexpr double kStridePeriodMinS = 0.4;
constexpr double kStridePeriodMaxS = 2.0;
// A swing peak of the pitch angular velocity must exceed this (slow walking reaches ~200 deg/s).
constexpr float kSwingFloorDps = 50;
// Autocorrelation peak, relative to the highest, at which a shorter lag is taken as the period
// (so that a stride-periodic component does not hide the step period, or two strides one).
constexpr double kHarmonicShare = 0.7;
// Wrist and phone while running: the arm-swing (stride) peak dominates and the step peak reaches
// 0.1-0.75 of it (synthetic wrist), so only a near-equal shorter lag replaces it, and strides
// shorter than 0.5 s (> 240 spm) are not considered. While walking the signal can be
// step-dominated; PeriodSearch::stride_from_step then doubles the step.
constexpr double kArmHarmonicShare = 0.85;
constexpr double kArmStrideMinS = 0.5;
// An impact must rise this much above the pre-contact level to mark initial contact.
constexpr float kMinImpactRiseG = 0.6f;
constexpr float kFirstRiseShare = 0.6f;
// Pelvis: the acceleration magnitude drops below this between stances only with a flight phase
// (free fall reads ~0 g; walking stays around 0.6-0.8 g).
constexpr float kFlightLevelG = 0.5f;
// Edge levels (fractions of the pulse height) whose line is extrapolated to the baseline.
constexpr float kEdgeLow = 0.2f;
constexpr float kEdgeHigh = 0.6f;
// Fewest values for a distribution.
constexpr int64_t kMinSummaryValues = 6;
// Contacts in a cadence window.
constexpr int64_t kMinWindowContacts = 3;
// Impact windows around initial contact, foot and shin.
constexpr double kImpactBeforeS = 0.010;
constexpr double kImpactAfterS = 0.060;
// Foot strike (see imu_gait.h).
constexpr double kStrikeVelocityWindowS = 0.020;
constexpr double kRearfootCutoffDps = 0;   // EVIDENCE.md section 1
constexpr double kForefootAngleDeg = -0.8;  // Mo et al. 2021, not in EVIDENCE.md
// Sample rates for impact (EVIDENCE.md section 1: >= 200 Hz, >= 500 Hz for heel transients).
constexpr double kImpactMinRateHz = 100;
constexpr double kImpactRateHz = 200;
constexpr double kHeelTransientRateHz = 500;

enum class Mode { kSwingGyro, kImpact, kStance, kArmSwing };

bool IsFoot(Placement p) { return p == Placement::kFootLeft || p == Placement::kFootRight; }
bool IsShin(Placement p) { return p == Placement::kShinLeft || p == Placement::kShinRight; }
bool IsArm(Placement p) { return p == Placement::kWrist || p == Placement::kPhone; }

Confidence Lower(Confidence c) {
  return c == Confidence::kHigh ? Confidence::kMedium : Confidence::kLow;
}
// The less trusted of two confidences.
Confidence Weaker(Confidence a, Confidence b) {
  return static_cast<int>(a) > static_cast<int>(b) ? a : b;
}

template <typename T>
void Set(Metric<T>* m, T value, Confidence confidence) {
  m->value = std::move(value);
  m->confidence = confidence;
  m->missing_reason.clear();
}

template <typename T>
void Missing(Metric<T>* m, std::string reason) {
  m->value.reset();
  m->missing_reason = std::move(reason);
}

// A contact before the per-contact quantities are derived. Indices are fractional samples.
struct Candidate {
  double ic = 0;
  std::optional<double> to;
  double period_samples = 0;  // local period of the event signal (stride or step)
  int64_t chain = 0;          // same chain: consecutive, no detection missed in between
  bool ic_from_impact = false;
  bool flight_level = false;  // pelvis: the magnitude fell to the flight level after the stance
  bool flight_seen = true;    // pelvis: the span after the stance was inside the segment
  double stride_samples = 0;  // foot/shin with gyroscope: between the swing peaks around it
};

// Per-call working storage.
struct Buffers {
  std::vector<float> mag;    // |a| in g
  std::vector<float> event;  // signal whose periodic peaks mark strides or steps
  std::vector<float> edge;   // lightly smoothed signal for event timing
  std::vector<float> scratch;
  std::vector<int64_t> peaks;
};

int64_t Samples(double seconds, double rate) {
  return std::max<int64_t>(1, std::llround(seconds * rate));
}

// Initial contact as the onset of the impact: the first 5 ms rise of |a| in [w0, w1) reaching
// kFirstRiseShare of the steepest one (what follows contact, e.g. the foot slap, can rise as
// steeply but comes later), the first local maximum after it (within 20 ms), and the rising edge
// of that pulse extrapolated to the level just before it.
std::optional<double> ImpactOnset(const float* mag, int64_t w0, int64_t w1, double rate) {
  const int64_t k = Samples(0.005, rate);
  if (w1 - w0 < k + 2) return std::nullopt;
  float best_rise = 0;
  for (int64_t i = w0 + k; i < w1; ++i) best_rise = std::max(best_rise, mag[i] - mag[i - k]);
  if (!(best_rise > 0)) return std::nullopt;
  int64_t steep = w0 + k;
  while (mag[steep] - mag[steep - k] < kFirstRiseShare * best_rise) ++steep;
  const int64_t peak_end = std::min(w1, steep + Samples(0.020, rate) + 1);
  int64_t peak = steep;
  while (peak + 1 < peak_end && mag[peak + 1] >= mag[peak]) ++peak;
  const int64_t pre_begin = std::max(w0, steep - k - Samples(0.015, rate));
  const float base = mag[ArgMin(mag, pre_begin, steep - k + 1)];
  if (mag[peak] - base < kMinImpactRiseG) return std::nullopt;
  return EdgeOnset(mag, peak, pre_begin, base, kEdgeLow, kEdgeHigh, -1);
}

// Foot or shin with gyroscope: one positive mid-swing peak of the pitch velocity per stride.
// Between consecutive swing peaks lie initial contact (impact onset; fallback: pitch velocity
// minimum) and, for the foot, toe-off (push-off minimum of the pitch velocity before the next
// swing peak).
void SwingContacts(const ImuSignal& s, Segment seg, Buffers* b, int64_t* chain,
                   std::vector<Candidate>* out) {
  const double rate = s.rate_hz;
  float* gys = b->event.data();
  MovingAverage(s.gy.data(), seg.begin, seg.end, Samples(0.005, rate), gys);
  const internal::EventGrid grid = EstimatePeriods(
      gys, seg, rate, {kStridePeriodMinS, kStridePeriodMaxS, kHarmonicShare}, kSwingFloorDps,
      &b->scratch);
  b->peaks.clear();
  PickPeaks(gys, seg, grid, &b->peaks);
  const std::vector<PeriodWindow>& windows = grid.windows;
  const std::vector<int64_t>& sw = b->peaks;
  const bool foot = IsFoot(s.placement);
  size_t w = 0;
  ++*chain;
  for (size_t k = 0; k + 1 < sw.size(); ++k) {
    w = WindowIndex(windows, sw[k], w);
    const double period = windows[w].period_samples;
    const double stride = static_cast<double>(sw[k + 1] - sw[k]);
    if (stride < 0.6 * period || stride > 1.5 * period) {
      ++*chain;
      continue;
    }
    const int64_t w0 = sw[k] + static_cast<int64_t>(0.10 * stride);
    const int64_t w1 = sw[k] + static_cast<int64_t>(0.55 * stride);
    Candidate c;
    c.period_samples = period;
    c.chain = *chain;
    // The swing peaks are broad and smooth, so their interval times the stride more precisely
    // than contacts do, above all at low rates.
    auto refined = [&](int64_t i) {
      return i > seg.begin && i + 1 < seg.end
                 ? static_cast<double>(i) + ParabolicVertex(gys[i - 1], gys[i], gys[i + 1]).offset
                 : static_cast<double>(i);
    };
    c.stride_samples = refined(sw[k + 1]) - refined(sw[k]);
    if (std::optional<double> ic = ImpactOnset(b->mag.data(), w0, w1, rate); ic.has_value()) {
      c.ic = *ic;
      c.ic_from_impact = true;
    } else {
      c.ic = static_cast<double>(ArgMin(gys, w0, w1));
    }
    if (foot) {
      const double after = std::max(0.06 * rate, 0.25 * (static_cast<double>(sw[k + 1]) - c.ic));
      const int64_t t0 = static_cast<int64_t>(std::ceil(c.ic + after));
      if (t0 + 1 < sw[k + 1]) {
        const int64_t t = ArgMin(gys, t0, sw[k + 1]);
        double to = static_cast<double>(t);
        if (t > seg.begin && t + 1 < seg.end) {
          to += ParabolicVertex(gys[t - 1], gys[t], gys[t + 1]).offset;
        }
        c.to = to;
      }
    }
    out->push_back(c);
  }
}

// Foot or shin without gyroscope: one impact per stride.
void ImpactContacts(const ImuSignal& s, Segment seg, Buffers* b, int64_t* chain,
                    std::vector<Candidate>* out) {
  const double rate = s.rate_hz;
  float* ev = b->event.data();
  MovingAverage(b->mag.data(), seg.begin, seg.end, Samples(0.005, rate), ev);
  const internal::EventGrid grid = EstimatePeriods(
      ev, seg, rate, {kStridePeriodMinS, kStridePeriodMaxS, kHarmonicShare}, 0.0f, &b->scratch);
  b->peaks.clear();
  PickPeaks(ev, seg, grid, &b->peaks);
  const std::vector<PeriodWindow>& windows = grid.windows;
  size_t w = 0;
  ++*chain;
  int64_t previous = -1;
  for (const int64_t p : b->peaks) {
    w = WindowIndex(windows, p, w);
    const double period = windows[w].period_samples;
    if (previous >= 0) {
      const double d = static_cast<double>(p - previous);
      if (d < 0.6 * period || d > 1.5 * period) ++*chain;
    }
    previous = p;
    const int64_t w0 = std::max(seg.begin, p - Samples(0.10, rate));
    const int64_t w1 = std::min(seg.end, p + Samples(0.01, rate) + 1);
    const std::optional<double> ic = ImpactOnset(b->mag.data(), w0, w1, rate);
    if (!ic.has_value()) continue;
    Candidate c;
    c.ic = *ic;
    c.ic_from_impact = true;
    c.period_samples = period;
    c.chain = *chain;
    out->push_back(c);
  }
}

// Pelvis: one stance hump of |a| per step. Contact: the tangent at the steepest part of the
// hump's rising edge (a rearfoot impact makes it steep early) extrapolated to the minimum before
// the hump (the flight level when running); toe-off: the line through the 60 % and 20 %
// crossings of the falling edge extrapolated to the minimum after it.
void StanceContacts(const ImuSignal& s, Segment seg, Buffers* b, int64_t* chain,
                    std::vector<Candidate>* out) {
  const double rate = s.rate_hz;
  float* ev = b->event.data();
  float* edge = b->edge.data();
  MovingAverage(b->mag.data(), seg.begin, seg.end,
                static_cast<int64_t>(std::floor(0.005 * rate)), edge);
  MovingAverage(b->mag.data(), seg.begin, seg.end, Samples(0.020, rate), ev);
  const internal::EventGrid grid = EstimatePeriods(
      ev, seg, rate, {kStepPeriodMinS, kStepPeriodMaxS, kHarmonicShare}, 0.0f, &b->scratch);
  b->peaks.clear();
  PickPeaks(ev, seg, grid, &b->peaks);
  const std::vector<PeriodWindow>& windows = grid.windows;
  const std::vector<int64_t>& h = b->peaks;
  size_t w = 0;
  ++*chain;
  for (size_t k = 0; k < h.size(); ++k) {
    w = WindowIndex(windows, h[k], w);
    const double period = windows[w].period_samples;
    const auto span = static_cast<int64_t>(0.25 * period);
    const int64_t peak =
        ArgMax(edge, std::max(seg.begin, h[k] - span), std::min(seg.end, h[k] + span + 1));
    auto plausible = [&](int64_t gap) {
      const auto d = static_cast<double>(gap);
      return d >= 0.6 * period && d <= 1.5 * period;
    };
    const bool linked_before = k > 0 && plausible(h[k] - h[k - 1]);
    const bool linked_after = k + 1 < h.size() && plausible(h[k + 1] - h[k]);
    if (!linked_before) ++*chain;
    const auto reach = static_cast<int64_t>(0.8 * period);
    const int64_t pre_begin = linked_before ? h[k - 1] : std::max(seg.begin, peak - reach);
    const int64_t post_end = linked_after ? h[k + 1] + 1 : std::min(seg.end, peak + reach + 1);
    if (pre_begin >= peak || post_end <= peak + 1) continue;
    const int64_t trough_before = ArgMin(edge, pre_begin, peak);
    const int64_t trough_after = ArgMin(edge, peak + 1, post_end);
    Candidate c;
    c.period_samples = period;
    c.chain = *chain;
    const int64_t slope_span = Samples(0.01, rate);
    const std::optional<double> ic = SteepestEdgeOnset(
        edge, peak, trough_before, edge[trough_before], kEdgeLow, kEdgeHigh, -1, slope_span);
    if (!ic.has_value()) continue;
    c.ic = *ic;
    c.flight_level = edge[trough_after] < kFlightLevelG;
    c.flight_seen = linked_after || peak + reach + 1 <= seg.end;
    c.to = EdgeOnset(edge, peak, trough_after, edge[trough_after], kEdgeLow, kEdgeHigh, +1);
    out->push_back(c);
  }
}

// Wrist, phone: arm swing dominates the acceleration and makes left and right steps look
// different, sometimes so much that the step period barely shows; the arm-swing cycle (one
// stride) does not. One event per stride: the largest stance pulse of |a| in it.
void ArmContacts(const ImuSignal& s, Segment seg, Buffers* b, int64_t* chain,
                 std::vector<Candidate>* out) {
  const double rate = s.rate_hz;
  float* ev = b->event.data();
  MovingAverage(b->mag.data(), seg.begin, seg.end, Samples(0.020, rate), ev);
  const internal::EventGrid grid = EstimatePeriods(
      ev, seg, rate, {kArmStrideMinS, kStridePeriodMaxS, kArmHarmonicShare, true}, 0.0f,
      &b->scratch);
  b->peaks.clear();
  PickPeaks(ev, seg, grid, &b->peaks);
  const std::vector<PeriodWindow>& windows = grid.windows;
  size_t w = 0;
  ++*chain;
  int64_t previous = -1;
  for (const int64_t p : b->peaks) {
    w = WindowIndex(windows, p, w);
    const double period = windows[w].period_samples;
    if (previous >= 0) {
      const double d = static_cast<double>(p - previous);
      if (d < 0.6 * period || d > 1.5 * period) ++*chain;
    }
    previous = p;
    if (p <= seg.begin || p + 1 >= seg.end) continue;
    Candidate c;
    c.ic = static_cast<double>(p) + ParabolicVertex(ev[p - 1], ev[p], ev[p + 1]).offset;
    c.period_samples = period;
    c.chain = *chain;
    out->push_back(c);
  }
}

// Peak |a| in [begin, end) (parabolic vertex when unclipped) and whether any axis reached the
// clipping level there.
void ImpactPeak(const ImuSignal& s, const std::vector<float>& mag, int64_t begin, int64_t end,
                ImuContact* contact) {
  const float clip_level = static_cast<float>(kClipFraction * s.accel_range_g);
  bool clipped = false;
  for (int64_t i = begin; i < end; ++i) {
    if (std::abs(s.ax[i]) >= clip_level || std::abs(s.ay[i]) >= clip_level ||
        std::abs(s.az[i]) >= clip_level) {
      clipped = true;
      break;
    }
  }
  const int64_t i = ArgMax(mag.data(), begin, end);
  double peak = mag[i];
  if (!clipped && i > begin && i + 1 < end) {
    peak = ParabolicVertex(mag[i - 1], mag[i], mag[i + 1]).value;
  }
  contact->peak_g = static_cast<float>(peak);
  contact->clipped = clipped;
}

// Strike from the pitch velocity right after contact and the pitch rotation from contact to
// foot-flat (the least pitch velocity in the first part of stance), gyro bias taken at foot-flat.
void FootStrikeAt(const ImuSignal& s, const float* gys, Segment seg, double ic,
                  std::optional<double> to, ImuContact* contact) {
  const double rate = s.rate_hz;
  const int64_t first = static_cast<int64_t>(std::ceil(ic));
  const int64_t last = std::min(seg.end - 1, static_cast<int64_t>(std::floor(
                                                  ic + kStrikeVelocityWindowS * rate)));
  if (first < seg.begin || first > last) return;
  double sum = 0;
  for (int64_t i = first; i <= last; ++i) sum += s.gy[i];
  const double velocity = sum / static_cast<double>(last - first + 1);
  const double stance = to.has_value() ? *to - ic : 0.25 * rate;
  const int64_t f0 = first + static_cast<int64_t>(0.15 * stance);
  const int64_t f1 = std::min(seg.end, first + static_cast<int64_t>(0.6 * stance) + 1);
  if (f1 <= f0 + 1) return;
  int64_t flat = f0;
  for (int64_t i = f0 + 1; i < f1; ++i) {
    if (std::abs(gys[i]) < std::abs(gys[flat])) flat = i;
  }
  const int64_t half = Samples(0.010, rate);
  const int64_t b0 = std::max(seg.begin, flat - half);
  const int64_t b1 = std::min(seg.end, flat + half + 1);
  double bias = 0;
  for (int64_t i = b0; i < b1; ++i) bias += s.gy[i];
  bias /= static_cast<double>(b1 - b0);
  double rotation = 0;
  for (int64_t i = first; i < flat; ++i) rotation += s.gy[i] - bias;
  const double angle = -rotation / rate;
  contact->contact_pitch_velocity_dps = static_cast<float>(velocity);
  contact->strike_angle_deg = static_cast<float>(angle);
  if (velocity < kRearfootCutoffDps) {
    contact->strike = FootStrike::kRearfoot;
  } else if (angle < kForefootAngleDeg) {
    contact->strike = FootStrike::kForefoot;
  } else {
    contact->strike = FootStrike::kMidfoot;
  }
}

void MarkAllMissing(ImuMetrics* m, const std::string& reason) {
  Missing(&m->cadence_spm, reason);
  Missing(&m->contact_time_ms, reason);
  Missing(&m->flight_time_ms, reason);
  Missing(&m->peak_impact_g, reason);
  Missing(&m->foot_strike, reason);
  Missing(&m->cadence_drift, reason);
  Missing(&m->contact_time_drift, reason);
  Missing(&m->impact_drift, reason);
}

void SetMethods(ImuMetrics* m, Mode mode) {
  const bool single = m->steps_per_contact == 2;
  m->cadence_spm.method =
      mode == Mode::kArmSwing ? "120 / arm-swing cycle (stride) time"
      : single                ? "120 / stride time between contacts of the instrumented limb"
                              : "120 / time from a contact to the next-but-one";
  if (mode == Mode::kSwingGyro && IsFoot(m->placement)) {
    m->contact_time_ms.method = "impact onset to push-off minimum of gyro pitch velocity";
    m->flight_time_ms.method = "stride / 2 - contact time";
  } else if (mode == Mode::kStance) {
    m->contact_time_ms.method = "stance-hump edges of |a| extrapolated to the flight level";
    m->flight_time_ms.method = "next contact - toe-off";
  }
  m->peak_impact_g.method = m->placement == Placement::kPelvis
                                ? "max |a| over stance, parabolic vertex"
                                : "max |a| within -10..+60 ms of contact, parabolic vertex";
  m->foot_strike.method =
      "gy mean 0-20 ms after contact < 0 deg/s: rearfoot; else strike angle < -0.8 deg: "
      "forefoot; else midfoot";
  const std::string drift = "median of the last third - first third of running contacts";
  m->cadence_drift.method = drift;
  m->contact_time_drift.method = drift;
  m->impact_drift.method = drift;
}

// Distribution of selected per-contact values of running contacts, or why there is none.
template <typename Getter>
std::optional<Distribution> RunningDistribution(const std::vector<ImuContact>& contacts,
                                                Getter get) {
  std::vector<float> values;
  for (const ImuContact& c : contacts) {
    if (c.gait != GaitKind::kRunning) continue;
    if (std::optional<float> v = get(c); v.has_value()) values.push_back(*v);
  }
  if (static_cast<int64_t>(values.size()) < kMinSummaryValues) return std::nullopt;
  return internal::Summarize(&values);
}

template <typename Getter>
void DriftOf(const std::vector<ImuContact>& contacts, Getter get, Confidence confidence,
             const Metric<Distribution>& base, Metric<Drift>* out) {
  if (!base.value.has_value()) {
    Missing(out, absl::StrCat("no values: ", base.missing_reason));
    return;
  }
  std::vector<float> values;
  double first_time = 0, last_time = 0;
  for (const ImuContact& c : contacts) {
    if (c.gait != GaitKind::kRunning) continue;
    const std::optional<float> v = get(c);
    if (!v.has_value()) continue;
    if (values.empty()) first_time = c.time_s;
    last_time = c.time_s;
    values.push_back(*v);
  }
  const auto n = static_cast<int64_t>(values.size());
  if (n < kMinDriftContacts || last_time - first_time < kMinDriftSpanS) {
    Missing(out, absl::StrCat("needs >= ", kMinDriftContacts, " running contacts over >= ",
                              kMinDriftSpanS, " s; have ", n, " over ",
                              std::llround(last_time - first_time), " s"));
    return;
  }
  const int64_t third = n / 3;
  std::vector<float> head(values.begin(), values.begin() + third);
  std::vector<float> tail(values.end() - third, values.end());
  Drift d;
  d.first_third = internal::Median(&head);
  d.last_third = internal::Median(&tail);
  d.change = d.last_third - d.first_third;
  d.change_percent = d.first_third != 0 ? 100.0 * d.change / d.first_third : 0.0;
  Set(out, d, confidence);
}

}  // namespace

absl::Status ValidateImuSignal(const ImuSignal& s) {
  if (!(s.rate_hz >= kMinRateHz && s.rate_hz <= kMaxRateHz)) {
    return absl::InvalidArgumentError(
        absl::StrCat("rate_hz ", s.rate_hz, " outside [", kMinRateHz, ", ", kMaxRateHz, "]"));
  }
  if (!(s.accel_range_g > 0) || !std::isfinite(s.accel_range_g)) {
    return absl::InvalidArgumentError(absl::StrCat("accel_range_g ", s.accel_range_g,
                                                   " must be positive"));
  }
  if (!std::isfinite(s.start_offset_s)) {
    return absl::InvalidArgumentError("start_offset_s must be finite");
  }
  const size_t n = s.ax.size();
  if (s.ay.size() != n || s.az.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("accelerometer axes differ in length: ", n,
                                                   ", ", s.ay.size(), ", ", s.az.size()));
  }
  const bool no_gyro = s.gx.empty() && s.gy.empty() && s.gz.empty();
  const bool full_gyro = s.gx.size() == n && s.gy.size() == n && s.gz.size() == n;
  if (!no_gyro && !full_gyro) {
    return absl::InvalidArgumentError(
        "gyroscope axes must be all empty or all as long as the accelerometer's");
  }
  return absl::OkStatus();
}

ImuMetrics AnalyzeImu(const ImuSignal& s) {
  ImuMetrics m;
  m.placement = s.placement;
  const bool limb = IsFoot(s.placement) || IsShin(s.placement);
  // One contact per stride: foot and shin (their own limb) and wrist and phone (arm cycles).
  const bool single = limb || IsArm(s.placement);
  m.steps_per_contact = single ? 2 : 1;
  const bool gyro = !s.gy.empty();
  const Mode mode = limb               ? (gyro ? Mode::kSwingGyro : Mode::kImpact)
                    : IsArm(s.placement) ? Mode::kArmSwing
                                       : Mode::kStance;
  SetMethods(&m, mode);
  m.input_status = ValidateImuSignal(s);
  if (!m.input_status.ok()) {
    MarkAllMissing(&m, absl::StrCat("invalid input: ", m.input_status.message()));
    return m;
  }
  const double rate = s.rate_hz;
  const auto n = static_cast<int64_t>(s.ax.size());
  m.duration_s = static_cast<double>(n) / rate;

  const internal::SegmentScan scan = internal::FindSegments(s, Samples(kMinSegmentS, rate));
  m.gap_count = scan.gap_count;
  m.gap_duration_s = static_cast<double>(scan.gap_samples) / rate;
  if (scan.segments.empty()) {
    MarkAllMissing(&m, absl::StrCat("no gap-free stretch of >= ", kMinSegmentS, " s"));
    return m;
  }

  Buffers b;
  b.mag.assign(static_cast<size_t>(n), 0.0f);
  b.event.assign(static_cast<size_t>(n), 0.0f);
  if (mode == Mode::kStance) b.edge.assign(static_cast<size_t>(n), 0.0f);
  for (const Segment& seg : scan.segments) {
    for (int64_t i = seg.begin; i < seg.end; ++i) {
      b.mag[i] = std::sqrt(s.ax[i] * s.ax[i] + s.ay[i] * s.ay[i] + s.az[i] * s.az[i]);
    }
  }

  std::vector<Candidate> cands;
  std::vector<size_t> cand_segment;
  int64_t chain = 0;
  for (size_t si = 0; si < scan.segments.size(); ++si) {
    const size_t before = cands.size();
    switch (mode) {
      case Mode::kSwingGyro:
        SwingContacts(s, scan.segments[si], &b, &chain, &cands);
        break;
      case Mode::kImpact:
        ImpactContacts(s, scan.segments[si], &b, &chain, &cands);
        break;
      case Mode::kStance:
        StanceContacts(s, scan.segments[si], &b, &chain, &cands);
        break;
      case Mode::kArmSwing:
        ArmContacts(s, scan.segments[si], &b, &chain, &cands);
        break;
    }
    cand_segment.insert(cand_segment.end(), cands.size() - before, si);
  }
  if (cands.empty()) {
    MarkAllMissing(&m, "no periodic gait found");
    return m;
  }

  // Per-contact quantities.
  const bool foot_gct = mode == Mode::kSwingGyro && IsFoot(s.placement);
  const bool pelvis = s.placement == Placement::kPelvis;
  const bool impact_ok = !IsArm(s.placement) && rate >= kImpactMinRateHz;
  m.contacts.reserve(cands.size());
  for (size_t j = 0; j < cands.size(); ++j) {
    const Candidate& c = cands[j];
    const Segment seg = scan.segments[cand_segment[j]];
    ImuContact contact;
    contact.time_s = s.start_offset_s + c.ic / rate;
    // Contact j is linked to j + 1 when they are consecutive detections one period apart.
    auto linked = [&](size_t i) {
      if (i + 1 >= cands.size() || cands[i + 1].chain != cands[i].chain) return false;
      const double d = cands[i + 1].ic - cands[i].ic;
      return d >= 0.6 * cands[i].period_samples && d <= 1.5 * cands[i].period_samples;
    };
    std::optional<double> next_ic;
    if (linked(j)) next_ic = cands[j + 1].ic;
    if (single) {
      if (c.stride_samples > 0) {
        contact.stride_s = static_cast<float>(c.stride_samples / rate);
      } else if (next_ic.has_value()) {
        contact.stride_s = static_cast<float>((*next_ic - c.ic) / rate);
      }
      if (contact.stride_s.has_value()) contact.step_s = *contact.stride_s / 2;
    } else if (next_ic.has_value()) {
      contact.step_s = static_cast<float>((*next_ic - c.ic) / rate);
      if (linked(j + 1)) contact.stride_s = static_cast<float>((cands[j + 2].ic - c.ic) / rate);
    }
    if (c.to.has_value()) contact.toe_off_s = s.start_offset_s + *c.to / rate;

    // Gait: flight phase where contact time is measured, else cadence.
    const double local_step_s =
        contact.stride_s.has_value() ? *contact.stride_s / 2
        : contact.step_s.has_value() ? *contact.step_s
                                     : c.period_samples / rate / (single ? 2.0 : 1.0);
    bool running = 60.0 / local_step_s >= kRunningCadenceSpm;
    if (foot_gct && c.to.has_value()) {
      const double gct = (*c.to - c.ic) / rate;
      if (gct >= 0.06 && gct <= 0.85 * 2.0 * local_step_s) {
        contact.contact_ms = static_cast<float>(1000.0 * gct);
        if (contact.step_s.has_value()) {
          contact.flight_ms = static_cast<float>(1000.0 * (*contact.step_s - gct));
        }
        running = local_step_s > gct;
      }
    } else if (pelvis && !c.flight_seen && !m.contacts.empty() &&
               cands[j - 1].chain == c.chain) {
      running = m.contacts.back().gait == GaitKind::kRunning;  // cut off by the segment's end
    } else if (pelvis) {
      running = c.flight_level;
      if (c.flight_level && c.to.has_value()) {
        const double gct = (*c.to - c.ic) / rate;
        if (next_ic.has_value()) {
          running = *next_ic > *c.to;
          if (running && gct >= 0.06) {
            contact.contact_ms = static_cast<float>(1000.0 * gct);
            contact.flight_ms = static_cast<float>(1000.0 * (*next_ic - *c.to) / rate);
          }
        }
      }
    }
    contact.gait = running ? GaitKind::kRunning : GaitKind::kWalking;

    if (impact_ok) {
      int64_t w0, w1;
      if (pelvis) {
        w0 = static_cast<int64_t>(std::floor(c.ic));
        w1 = c.to.has_value() ? static_cast<int64_t>(std::ceil(*c.to)) + 1
                              : static_cast<int64_t>(c.ic + 0.5 * c.period_samples);
      } else {
        w0 = static_cast<int64_t>(std::floor(c.ic - kImpactBeforeS * rate));
        w1 = static_cast<int64_t>(std::ceil(c.ic + kImpactAfterS * rate)) + 1;
      }
      w0 = std::max(w0, seg.begin);
      w1 = std::min(w1, seg.end);
      if (w1 > w0 + 2) ImpactPeak(s, b.mag, w0, w1, &contact);
    }
    if (mode == Mode::kSwingGyro && IsFoot(s.placement)) {
      FootStrikeAt(s, b.event.data(), seg, c.ic, c.to, &contact);
    }
    m.contacts.push_back(std::move(contact));
  }

  for (const ImuContact& c : m.contacts) {
    if (c.gait == GaitKind::kRunning) {
      m.running_steps += m.steps_per_contact;
    } else {
      m.walking_steps += m.steps_per_contact;
    }
  }
  const int64_t running_contacts = m.running_steps / m.steps_per_contact;
  const std::string no_running =
      absl::StrCat("fewer than ", kMinSummaryValues, " running contacts with this value (",
                   running_contacts, " running, ", m.walking_steps / m.steps_per_contact,
                   " walking contacts)");

  // Cadence.
  if (std::optional<Distribution> d = RunningDistribution(
          m.contacts,
          [](const ImuContact& c) -> std::optional<float> {
            if (!c.stride_s.has_value()) return std::nullopt;
            return 120.0f / *c.stride_s;
          });
      d.has_value()) {
    Confidence conf = IsArm(s.placement) ? Confidence::kMedium : Confidence::kHigh;
    if (d->count < 30) conf = Lower(conf);
    Set(&m.cadence_spm, *d, conf);
  } else {
    Missing(&m.cadence_spm, no_running);
  }
  {
    std::vector<float> window_cadence;
    int64_t current = 0;
    auto flush = [&]() {
      if (static_cast<int64_t>(window_cadence.size()) >= kMinWindowContacts) {
        CadenceWindow cw;
        cw.start_s = static_cast<double>(current) * kCadenceWindowS;
        cw.contacts = static_cast<int64_t>(window_cadence.size());
        cw.cadence_spm = internal::Median(&window_cadence);
        m.cadence_windows.push_back(cw);
      }
      window_cadence.clear();
    };
    for (const ImuContact& c : m.contacts) {
      if (c.gait != GaitKind::kRunning || !c.stride_s.has_value()) continue;
      const auto index = static_cast<int64_t>(std::floor(c.time_s / kCadenceWindowS));
      if (index != current) {
        flush();
        current = index;
      }
      window_cadence.push_back(120.0f / *c.stride_s);
    }
    flush();
  }

  // Contact and flight time.
  Confidence timing_conf = Confidence::kLow;
  if (foot_gct) {
    timing_conf = rate >= 200 ? Confidence::kHigh
                  : rate >= 100 ? Confidence::kMedium
                                : Confidence::kLow;
    int64_t from_impact = 0, total = 0;
    for (const Candidate& c : cands) {
      ++total;
      if (c.ic_from_impact) ++from_impact;
    }
    if (2 * from_impact < total) timing_conf = Lower(timing_conf);
  } else if (pelvis) {
    timing_conf = rate >= 100 ? Confidence::kMedium : Confidence::kLow;
  }
  if (!foot_gct && !pelvis) {
    std::string reason =
        IsArm(s.placement) ? "not measurable from a wrist or phone sensor"
        : IsShin(s.placement)
            ? "no validated toe-off method for a shin sensor"
            : "needs the foot gyroscope (pitch angular velocity), absent";
    Missing(&m.contact_time_ms, reason);
    Missing(&m.flight_time_ms, reason);
  } else {
    if (std::optional<Distribution> d = RunningDistribution(
            m.contacts, [](const ImuContact& c) { return c.contact_ms; });
        d.has_value()) {
      Set(&m.contact_time_ms, *d, timing_conf);
    } else {
      Missing(&m.contact_time_ms, no_running);
    }
    if (std::optional<Distribution> d = RunningDistribution(
            m.contacts, [](const ImuContact& c) { return c.flight_ms; });
        d.has_value()) {
      Set(&m.flight_time_ms, *d, timing_conf);
    } else {
      Missing(&m.flight_time_ms, no_running);
    }
  }

  // Impact.
  Confidence impact_conf = Confidence::kLow;
  if (IsArm(s.placement)) {
    Missing(&m.peak_impact_g, "wrist and phone accelerations are dominated by arm swing");
  } else if (rate < kImpactMinRateHz) {
    Missing(&m.peak_impact_g,
            absl::StrCat("rate ", rate, " Hz: impact peaks need >= ", kImpactRateHz,
                         " Hz (EVIDENCE.md section 1); nothing reported below ",
                         kImpactMinRateHz, " Hz"));
  } else {
    int64_t with_peak = 0;
    for (const ImuContact& c : m.contacts) {
      if (c.gait != GaitKind::kRunning || !c.peak_g.has_value()) continue;
      ++with_peak;
      if (c.clipped) ++m.clipped_contacts;
    }
    m.clipped_fraction =
        with_peak > 0 ? static_cast<double>(m.clipped_contacts) / static_cast<double>(with_peak)
                      : 0.0;
    impact_conf = rate >= kHeelTransientRateHz ? Confidence::kHigh
                  : rate >= kImpactRateHz      ? Confidence::kMedium
                                               : Confidence::kLow;
    if (m.clipped_contacts > 0) impact_conf = Confidence::kLow;
    if (std::optional<Distribution> d = RunningDistribution(
            m.contacts, [](const ImuContact& c) { return c.peak_g; });
        d.has_value()) {
      Set(&m.peak_impact_g, *d, impact_conf);
      if (m.clipped_contacts > 0) {
        m.peak_impact_g.method =
            absl::StrCat(m.peak_impact_g.method, "; ", m.clipped_contacts,
                         " contacts clipped at the range: lower bounds");
      }
      if (rate < kImpactRateHz) {
        m.peak_impact_g.method = absl::StrCat(m.peak_impact_g.method, "; rate below ",
                                              kImpactRateHz, " Hz underestimates peaks");
      }
    } else {
      Missing(&m.peak_impact_g, no_running);
    }
  }

  // Foot strike.
  if (!IsFoot(s.placement)) {
    Missing(&m.foot_strike, "needs a foot-mounted sensor");
  } else if (!gyro) {
    Missing(&m.foot_strike, "needs the foot gyroscope (pitch angular velocity), absent");
  } else {
    FootStrikeSummary fs;
    for (const ImuContact& c : m.contacts) {
      if (c.gait != GaitKind::kRunning || !c.strike.has_value()) continue;
      switch (*c.strike) {
        case FootStrike::kRearfoot: ++fs.rearfoot; break;
        case FootStrike::kMidfoot: ++fs.midfoot; break;
        case FootStrike::kForefoot: ++fs.forefoot; break;
      }
    }
    if (fs.rearfoot + fs.midfoot + fs.forefoot < kMinSummaryValues) {
      Missing(&m.foot_strike, no_running);
    } else {
      fs.dominant = FootStrike::kRearfoot;
      int64_t best = fs.rearfoot;
      if (fs.midfoot > best) {
        fs.dominant = FootStrike::kMidfoot;
        best = fs.midfoot;
      }
      if (fs.forefoot > best) fs.dominant = FootStrike::kForefoot;
      Confidence conf =
          fs.dominant == FootStrike::kRearfoot ? Confidence::kMedium : Confidence::kLow;
      if (rate < 200) conf = Confidence::kLow;
      Set(&m.foot_strike, fs, conf);
    }
  }

  // Fatigue drift.
  DriftOf(
      m.contacts,
      [](const ImuContact& c) -> std::optional<float> {
        if (!c.stride_s.has_value()) return std::nullopt;
        return 120.0f / *c.stride_s;
      },
      Lower(m.cadence_spm.confidence), m.cadence_spm, &m.cadence_drift);
  DriftOf(
      m.contacts, [](const ImuContact& c) { return c.contact_ms; },
      Lower(m.contact_time_ms.confidence), m.contact_time_ms, &m.contact_time_drift);
  DriftOf(
      m.contacts, [](const ImuContact& c) { return c.peak_g; },
      Lower(m.peak_impact_g.confidence), m.peak_impact_g, &m.impact_drift);
  return m;
}

AsymmetryMetrics CompareSides(const ImuMetrics& left, const ImuMetrics& right) {
  AsymmetryMetrics a;
  a.contact_time_ms.method = "SI = 100 (L - R) / ((L + R) / 2) of median contact times";
  a.peak_impact_g.method = "SI = 100 (L - R) / ((L + R) / 2) of median peak impacts";
  const bool feet =
      left.placement == Placement::kFootLeft && right.placement == Placement::kFootRight;
  const bool shins =
      left.placement == Placement::kShinLeft && right.placement == Placement::kShinRight;
  if (!feet && !shins) {
    const std::string reason =
        "needs a left and a right foot sensor, or a left and a right shin sensor";
    Missing(&a.contact_time_ms, reason);
    Missing(&a.peak_impact_g, reason);
    return a;
  }
  auto compare = [](const Metric<Distribution>& l, const Metric<Distribution>& r,
                    Metric<SideComparison>* out) {
    if (!l.value.has_value() || !r.value.has_value()) {
      Missing(out, absl::StrCat("left: ", l.value.has_value() ? "ok" : l.missing_reason,
                                "; right: ", r.value.has_value() ? "ok" : r.missing_reason));
      return;
    }
    SideComparison sc;
    sc.left = l.value->median;
    sc.right = r.value->median;
    const double sum = sc.left + sc.right;
    if (!(sum > 0)) {
      Missing(out, "left and right medians sum to zero");
      return;
    }
    sc.symmetry_index_percent = 100.0 * (sc.left - sc.right) / (0.5 * sum);
    sc.left_share_percent = 100.0 * sc.left / sum;
    Set(out, sc, Weaker(l.confidence, r.confidence));
  };
  compare(left.contact_time_ms, right.contact_time_ms, &a.contact_time_ms);
  compare(left.peak_impact_g, right.peak_impact_g, &a.peak_impact_g);
  return a;
}

}  // namespace gaitkeeper::scoring::imu
