#include "tests/support/imu_synth.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

namespace gaitkeeper::test_support {
namespace {

using scoring::imu::ImuSignal;
using scoring::imu::Placement;

constexpr double kPi = std::numbers::pi;
constexpr double kGravity = 9.80665;  // m/s^2 per g
constexpr double kRad = kPi / 180.0;
constexpr double kInternalRateHz = 2000;
constexpr double kGyroRangeDps = 2000;
constexpr double kLeadInS = 3;  // steps start before the recording so it opens mid-stride

bool IsFoot(Placement p) { return p == Placement::kFootLeft || p == Placement::kFootRight; }
bool IsShin(Placement p) { return p == Placement::kShinLeft || p == Placement::kShinRight; }
bool IsLeft(Placement p) { return p == Placement::kFootLeft || p == Placement::kShinLeft; }

// Raised-cosine pulse: 0 before start, rises to amp over `rise`, falls back to 0 over `fall`;
// continuous with a continuous derivative.
struct Pulse {
  double start = 0;
  double rise = 0.01;
  double fall = 0.01;
  double amp = 0;

  double end() const { return start + rise + fall; }
  double Value(double t) const {
    if (t <= start || t >= end()) return 0;
    const double u = t - start;
    if (u < rise) return amp * 0.5 * (1 - std::cos(kPi * u / rise));
    return amp * 0.5 * (1 + std::cos(kPi * (u - rise) / fall));
  }
  double Derivative(double t) const {
    if (t <= start || t >= end()) return 0;
    const double u = t - start;
    if (u < rise) return amp * 0.5 * kPi / rise * std::sin(kPi * u / rise);
    return -amp * 0.5 * kPi / fall * std::sin(kPi * (u - rise) / fall);
  }
  // Integral from start to t.
  double Integral(double t) const {
    if (t <= start) return 0;
    if (t >= end()) return amp * 0.5 * (rise + fall);
    const double u = t - start;
    if (u < rise) return amp * (0.5 * u - rise / (2 * kPi) * std::sin(kPi * u / rise));
    const double v = u - rise;
    return amp * (0.5 * rise + 0.5 * v + fall / (2 * kPi) * std::sin(kPi * v / fall));
  }
};

// A pulse whose full integral is `area`.
Pulse AreaPulse(double start, double rise, double fall, double area) {
  return Pulse{start, rise, fall, 2.0 * area / (rise + fall)};
}

struct Vec3 {
  double x = 0, y = 0, z = 0;
};
Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
double Norm(Vec3 v) { return std::sqrt(v.x * v.x + v.y * v.y + v.z * v.z); }

// World (or parent) vector expressed in a frame pitched by `pitch` rad about y (toe-up positive).
Vec3 IntoPitched(Vec3 v, double pitch) {
  const double c = std::cos(pitch), s = std::sin(pitch);
  return {c * v.x + s * v.z, v.y, -s * v.x + c * v.z};
}

using Mat3 = std::array<std::array<double, 3>, 3>;

Mat3 Multiply(const Mat3& a, const Mat3& b) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) r[i][j] += a[i][k] * b[k][j];
    }
  }
  return r;
}
Mat3 RotX(double a) {
  const double c = std::cos(a), s = std::sin(a);
  return {{{1, 0, 0}, {0, c, -s}, {0, s, c}}};
}
Mat3 RotY(double a) {
  const double c = std::cos(a), s = std::sin(a);
  return {{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}};
}
Mat3 RotZ(double a) {
  const double c = std::cos(a), s = std::sin(a);
  return {{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
}
// m^T v: a vector of the parent frame in the rotated frame.
Vec3 TransposeApply(const Mat3& m, Vec3 v) {
  return {m[0][0] * v.x + m[1][0] * v.y + m[2][0] * v.z,
          m[0][1] * v.x + m[1][1] * v.y + m[2][1] * v.z,
          m[0][2] * v.x + m[1][2] * v.y + m[2][2] * v.z};
}

struct Step {
  double ic = 0;
  double to = 0;
  double step_s = 0;
  bool left = true;
  bool running = true;
  StrikePattern strike = StrikePattern::kRearfoot;
  double impact_g = 0;
  double theta_ic = 0;       // foot pitch at contact, deg
  double theta_min = 0;      // foot pitch at the end of push-off, deg
  double pushoff_shift = 0;  // push-off velocity extremum - toe-off, s
  double phi_ic = 0;         // shank angle at contact, deg
  double grf_amp = 0;        // vertical force amplitude, body weights
};

double ClampedNormal(std::mt19937_64& rng, double mean, double sd, double lo, double hi) {
  std::normal_distribution<double> n(mean, sd);
  return std::clamp(n(rng), lo, hi);
}

// Integral of sin(pi u^gamma) over [0, 1].
double SkewedSineArea(double gamma) {
  constexpr int kN = 2000;
  double sum = 0;
  for (int i = 0; i < kN; ++i) {
    const double u = (i + 0.5) / kN;
    sum += std::sin(kPi * std::pow(u, gamma));
  }
  return sum / kN;
}

constexpr double kGamma = 0.868;  // puts the running force peak at 45 % of stance
constexpr double kImpactBumpShare = 0.35;
constexpr double kImpactBumpRise = 0.012;
constexpr double kImpactBumpFall = 0.020;
constexpr double kWalkShapeArea = 2.0 / kPi + 0.25 * 2.0 / (3.0 * kPi);

std::vector<Step> Schedule(const SynthConfig& cfg, double duration) {
  std::mt19937_64 rng(cfg.seed);
  std::normal_distribution<double> unit(0.0, 1.0);
  // Bout boundaries and total running time.
  std::vector<double> bout_end;
  double total = 0, run_total = 0;
  for (const GaitBout& b : cfg.bouts) {
    total += b.duration_s;
    bout_end.push_back(total);
    if (b.running) run_total += b.duration_s;
  }
  auto bout_at = [&](double t) -> size_t {
    for (size_t i = 0; i < bout_end.size(); ++i) {
      if (t < bout_end[i]) return i;
    }
    return bout_end.size() - 1;
  };
  auto running_time_before = [&](double t) {
    double acc = 0, start = 0;
    for (size_t i = 0; i < cfg.bouts.size(); ++i) {
      const double end = bout_end[i];
      if (cfg.bouts[i].running) acc += std::clamp(t, start, end) - start;
      start = end;
    }
    return acc;
  };
  const double gamma_area = SkewedSineArea(kGamma);
  std::vector<Step> steps;
  double t = -kLeadInS;
  bool left = true;
  while (t < duration + 1.5) {
    Step s;
    s.ic = t;
    s.left = left;
    const size_t bout = bout_at(std::max(t, 0.0));
    s.running = cfg.bouts.empty() || cfg.bouts[bout].running;
    const double frac =
        run_total > 0 ? std::clamp(running_time_before(std::max(t, 0.0)) / run_total, 0.0, 1.0)
                      : 0.0;
    const double side = left ? 1.0 : -1.0;
    double gct = 0;
    if (s.running) {
      const double cadence = cfg.cadence_spm + cfg.cadence_drift_spm * frac;
      s.step_s = 60.0 / cadence * (1 + cfg.jitter * unit(rng));
      gct = (cfg.contact_ms + cfg.contact_drift_ms * frac) / 1000.0 *
            (1 + side * cfg.contact_asymmetry / 2) * (1 + cfg.jitter * unit(rng));
      s.impact_g = (cfg.impact_g + cfg.impact_drift_g * frac) *
                   (1 + side * cfg.impact_asymmetry / 2) * (1 + cfg.jitter * unit(rng));
      s.strike = cfg.strike;
      switch (s.strike) {
        case StrikePattern::kRearfoot:
          s.theta_ic = ClampedNormal(rng, 12, 2.5, 6, 20);
          break;
        case StrikePattern::kMidfoot:
          s.theta_ic = ClampedNormal(rng, 0.5, 1.0, -1.5, 3);
          break;
        case StrikePattern::kForefoot:
          s.theta_ic = ClampedNormal(rng, -9, 2.5, -16, -3);
          break;
      }
      s.theta_min = ClampedNormal(rng, -75, 5, -90, -60);
      s.phi_ic = ClampedNormal(rng, 8, 2, 3, 13);
    } else {
      s.step_s = 60.0 / cfg.walk_cadence_spm * (1 + cfg.jitter * unit(rng));
      gct = cfg.walk_duty_factor * 2.0 * s.step_s * (1 + cfg.jitter * unit(rng));
      s.impact_g = 0.35 * cfg.impact_g * (1 + cfg.jitter * unit(rng));
      s.strike = StrikePattern::kRearfoot;
      s.theta_ic = ClampedNormal(rng, 20, 3, 12, 28);
      s.theta_min = ClampedNormal(rng, -60, 4, -72, -48);
      s.phi_ic = ClampedNormal(rng, 12, 2, 6, 18);
    }
    s.pushoff_shift = ClampedNormal(rng, 0.0, 0.004, -0.008, 0.008);
    s.to = s.ic + gct;
    if (s.running) {
      const bool bump = s.strike == StrikePattern::kRearfoot;
      const double bump_area = bump ? kImpactBumpShare * 0.5 * (kImpactBumpRise + kImpactBumpFall)
                                    : 0.0;
      s.grf_amp = s.step_s / (gct * gamma_area + bump_area);
    } else {
      s.grf_amp = s.step_s / (gct * kWalkShapeArea);
    }
    steps.push_back(s);
    t += s.step_s;
    left = !left;
  }
  return steps;
}

// Vertical, anterior and lateral ground reaction force of one step at time t, body weights.
Vec3 StepForce(const Step& s, double t) {
  if (t <= s.ic || t >= s.to) return {};
  const double gct = s.to - s.ic;
  const double u = (t - s.ic) / gct;
  const double side = s.left ? 1.0 : -1.0;
  if (!s.running) {
    const double v = s.grf_amp * (std::sin(kPi * u) + 0.25 * std::sin(3 * kPi * u));
    return {-0.12 * s.grf_amp * std::sin(2 * kPi * u), side * 0.05 * std::sin(kPi * u), v};
  }
  double v = s.grf_amp * std::sin(kPi * std::pow(u, kGamma));
  if (s.strike == StrikePattern::kRearfoot) {
    v += Pulse{s.ic, kImpactBumpRise, kImpactBumpFall, kImpactBumpShare * s.grf_amp}.Value(t);
  }
  return {-0.22 * s.grf_amp * std::sin(2 * kPi * u), side * 0.06 * s.grf_amp * std::sin(kPi * u),
          v};
}

// Second-order low-pass (soft tissue, sensor mount) integrated at the internal rate.
class Resonator {
 public:
  Resonator(double hz, double damping, double dt)
      : w_(2 * kPi * hz), zeta_(damping), dt_(dt) {}
  double Step(double x) {
    if (!started_) {
      y_ = x;
      started_ = true;
    }
    v_ += dt_ * (w_ * w_ * (x - y_) - 2 * zeta_ * w_ * v_);
    y_ += dt_ * v_;
    return y_;
  }

 private:
  double w_, zeta_, dt_;
  double y_ = 0, v_ = 0;
  bool started_ = false;
};

// Foot or shin of one stride of the instrumented limb, from contact `a` to the limb's next
// contact `b`: angular velocity pulses and linear acceleration pieces.
struct StrideModel {
  double t0 = 0, to = 0, t1 = 0;
  double angle0 = 0;  // deg at t0
  std::array<Pulse, 4> turn;  // deg/s
  StrikePattern strike = StrikePattern::kRearfoot;
  double impact_g = 0;
  double stride_len = 2.0, lift = 0.12;
};

StrideModel FootStride(const Step& a, const Step& b) {
  StrideModel m;
  m.t0 = a.ic;
  m.to = a.to;
  m.t1 = b.ic;
  m.angle0 = a.theta_ic;
  m.strike = a.strike;
  m.impact_g = a.impact_g;
  const double tc = a.to - a.ic, ts = b.ic - a.to;
  // Contact rotation (slap or heel drop) starts at contact.
  double r1 = 0.018, f1 = 0.035;
  if (!a.running) {
    r1 = 0.03;
    f1 = 0.08;
  } else if (a.strike == StrikePattern::kForefoot) {
    r1 = 0.015;
    f1 = 0.045;
  }
  m.turn[0] = AreaPulse(a.ic, r1, f1, -a.theta_ic);
  // Push-off: from heel-off to its extremum near toe-off, then easing out in early swing.
  const double heel_off = a.ic + (a.running ? 0.45 : 0.5) * tc;
  const double peak = a.to + a.pushoff_shift;
  const double f2 = 0.20 * ts;
  m.turn[1] = AreaPulse(heel_off, peak - heel_off, f2, a.theta_min);
  // Swing up to the late-swing angle, then the pre-contact adjustment to b's contact angle.
  double reserve = 0.035, late = b.theta_ic + 3;
  if (b.running && b.strike == StrikePattern::kForefoot) {
    reserve = 0.085;
    late = 4;
  } else if (b.running && b.strike == StrikePattern::kMidfoot) {
    reserve = 0.05;
    late = b.theta_ic + 4;
  }
  const double s0 = m.turn[1].end(), s1 = b.ic - reserve;
  m.turn[2] = AreaPulse(s0, 0.5 * (s1 - s0), 0.5 * (s1 - s0), late - a.theta_min);
  m.turn[3] = AreaPulse(s1, 0.5 * (reserve - 0.005), 0.5 * (reserve - 0.005), b.theta_ic - late);
  m.stride_len = a.running ? 2.0 : 1.4;
  m.lift = a.running ? 0.12 : 0.07;
  return m;
}

StrideModel ShinStride(const Step& a, const Step& b) {
  StrideModel m;
  m.t0 = a.ic;
  m.to = a.to;
  m.t1 = b.ic;
  m.angle0 = a.phi_ic;
  m.strike = a.strike;
  m.impact_g = a.impact_g;
  const double ts = b.ic - a.to;
  const double phi_min = a.running ? -70 : -55;
  const double phi_late = b.phi_ic + 7;
  // Stance and early swing: the knee passes over the foot, then flexes.
  const double back_end = a.to + 0.3 * ts;
  m.turn[0] = AreaPulse(a.ic + 0.005, 0.7 * (back_end - a.ic - 0.005),
                        0.3 * (back_end - a.ic - 0.005), phi_min - a.phi_ic);
  const double s1 = b.ic - 0.06;
  m.turn[1] = AreaPulse(back_end, 0.5 * (s1 - back_end), 0.5 * (s1 - back_end), phi_late - phi_min);
  m.turn[2] = AreaPulse(s1, 0.0275, 0.0275, b.phi_ic - phi_late);
  m.turn[3] = Pulse{};
  return m;
}

struct Kinematics {
  double angle = 0;  // deg
  double rate = 0;   // deg/s
  double accel = 0;  // deg/s^2
};

Kinematics Turn(const StrideModel& m, double t) {
  Kinematics k;
  k.angle = m.angle0;
  for (const Pulse& p : m.turn) {
    k.angle += p.Integral(t);
    k.rate += p.Value(t);
    k.accel += p.Derivative(t);
  }
  return k;
}

// Impact at a foot or shin sensor (world or segment vertical, g) and the braking component. It
// starts at contact. Rearfoot: a broad component plus a heel transient (rise 4 ms, fall 7 ms:
// content up to ~125 Hz, which EVIDENCE.md section 1's >= 500 Hz is meant to resolve) and a
// rebound; other strikes: one smoother pulse.
Vec3 ImpactPulse(const StrideModel& m, double t, double broad_rise, double broad_fall) {
  if (t <= m.t0 || t >= m.t0 + 0.12) return {};
  const double a = m.impact_g;
  double up = 0;
  if (m.strike == StrikePattern::kRearfoot) {
    up = Pulse{m.t0, broad_rise, broad_fall, 0.55 * a}.Value(t) +
         Pulse{m.t0, 0.004, 0.007, 0.8 * a}.Value(t) +
         Pulse{m.t0 + broad_rise + broad_fall, 0.01, 0.02, -0.2 * a}.Value(t);
  } else {
    up = Pulse{m.t0, 0.6 * broad_rise, broad_fall, a}.Value(t) +
         Pulse{m.t0 + 0.6 * broad_rise + broad_fall, 0.01, 0.02, -0.2 * a}.Value(t);
  }
  const double brake = Pulse{m.t0, 0.012, 0.03, -0.3 * a}.Value(t);
  return {brake, 0, up};
}

// Specific force (g) and angular velocity (deg/s) of a foot sensor, in the foot frame.
void FootSample(const StrideModel& m, double t, Vec3* f, Vec3* w) {
  const Kinematics k = Turn(m, t);
  const double rate = k.rate * kRad, accel = k.accel * kRad;
  Vec3 world{0, 0, 1};  // gravity reaction while still
  const double ts = m.t1 - m.to;
  if (t > m.to && t < m.t1 && ts > 0) {
    const double u = (t - m.to) / ts;
    const double v = 2.0 * m.stride_len / ts;
    world.x += v * kPi / ts * std::sin(2 * kPi * u) / kGravity;
    const double s = std::sin(kPi * u), c = std::cos(kPi * u);
    world.z += 4 * m.lift * kPi * kPi / (ts * ts) * s * s * (3 * c * c - s * s) / kGravity;
    world.y += 0.3 * std::sin(2 * kPi * u);
  }
  world = world + ImpactPulse(m, t, 0.012, 0.025);
  Vec3 local = IntoPitched(world, k.angle * kRad);
  // Rotation about the heel (contact rotation) or the toe (push-off): tangential and
  // centripetal acceleration at the sensor.
  const bool contact_phase = t < m.t0 + 0.1;
  const double r = contact_phase ? 0.05 : 0.07;
  if (t > m.t0 && t < m.to + 0.05) {
    const double sign = contact_phase && m.strike == StrikePattern::kRearfoot ? 1.0 : -1.0;
    local.z += sign * accel * r / kGravity;
    local.x += -sign * rate * rate * r / kGravity;
  }
  *f = local;
  const double phase = 2 * kPi * (t - m.t0) / (m.t1 - m.t0);
  *w = {80 * std::sin(phase), k.rate, 40 * std::sin(phase + 1.0)};
}

// Specific force and angular velocity of a shin sensor 0.25 m below the knee, shank frame.
void ShinSample(const StrideModel& m, double t, Vec3 body_force, Vec3* f, Vec3* w) {
  const Kinematics k = Turn(m, t);
  const double rate = k.rate * kRad, accel = k.accel * kRad;
  constexpr double kRadius = 0.25;
  // The knee follows the body's vertical acceleration (force - 1 g), attenuated.
  Vec3 world{0, 0, 1 + 0.6 * (body_force.z - 1)};
  Vec3 local = IntoPitched(world, k.angle * kRad);
  local.x += accel * kRadius / kGravity;
  local.z += rate * rate * kRadius / kGravity;
  const Vec3 impact = ImpactPulse(m, t, 0.008, 0.020);
  local.z += impact.z;
  local.x += 0.5 * impact.x;
  *f = local;
  const double phase = 2 * kPi * (t - m.t0) / (m.t1 - m.t0);
  *w = {30 * std::sin(phase), k.rate, 60 * std::sin(phase + 0.5)};
}

struct SensorChannel {
  double bias = 0;
  std::array<double, 2> wander_amp{}, wander_hz{}, wander_phase{};
  double lpf = 0;
  bool started = false;
};

}  // namespace

bool OnInstrumentedLimb(Placement placement, const TrueStep& step) {
  if (!IsFoot(placement) && !IsShin(placement)) return true;
  return step.left == IsLeft(placement);
}

SynthRecording Synthesize(const SynthConfig& cfg) {
  double duration = 0;
  for (const GaitBout& b : cfg.bouts) duration += b.duration_s;
  const double rate = cfg.rate_hz;
  const int os = std::max(2, static_cast<int>(std::ceil(kInternalRateHz / rate)));
  const double irate = rate * os;
  const double dt = 1.0 / irate;
  const auto n_out = static_cast<int64_t>(std::llround(duration * rate));
  const Placement place = cfg.placement;
  const bool foot = IsFoot(place), shin = IsShin(place);
  const bool limb = foot || shin;

  const std::vector<Step> steps = Schedule(cfg, duration);

  // Instrumented limb's steps, and truth windows for peaks.
  std::vector<size_t> own;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!limb || steps[i].left == IsLeft(place)) own.push_back(i);
  }
  std::vector<double> peak(steps.size(), std::numeric_limits<double>::quiet_NaN());
  auto window_of = [&](size_t i) -> std::pair<double, double> {
    if (limb) return {steps[i].ic - 0.010, steps[i].ic + 0.060};
    return {steps[i].ic, steps[i].to};
  };
  const bool track_peaks = place != Placement::kWrist && place != Placement::kPhone;

  // Sensor imperfections, seeded per placement so left and right differ.
  std::mt19937_64 rng(cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(place) + 1);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  std::normal_distribution<double> unit(0.0, 1.0);
  const Mat3 mount = Multiply(Multiply(RotZ(cfg.tilt_deg * 0.5 * uni(rng) * kRad),
                                       RotY(cfg.tilt_deg * (0.6 + 0.4 * uni(rng)) * kRad)),
                              RotX(cfg.tilt_deg * (0.6 + 0.4 * uni(rng)) * kRad));
  std::array<SensorChannel, 6> ch;
  for (int c = 0; c < 6; ++c) {
    const double amp = c < 3 ? cfg.wander_g : cfg.wander_dps;
    ch[c].bias = (c < 3 ? 0.02 : 2.0) * uni(rng);
    ch[c].wander_amp = {0.7 * amp, 0.3 * amp};
    ch[c].wander_hz = {0.01 + 0.03 * (uni(rng) + 1), 0.1 + 0.1 * (uni(rng) + 1)};
    ch[c].wander_phase = {kPi * uni(rng), kPi * uni(rng)};
  }
  const double aa = 1.0 - std::exp(-2 * kPi * 0.45 * rate / irate);  // anti-alias, first order

  std::array<Resonator, 3> tissue = {
      Resonator(place == Placement::kWrist ? 15 : 20, 0.45, dt),
      Resonator(place == Placement::kWrist ? 15 : 20, 0.45, dt),
      Resonator(place == Placement::kWrist ? 15 : 20, 0.45, dt)};

  SynthRecording rec;
  ImuSignal& sig = rec.signal;
  sig.placement = place;
  sig.rate_hz = rate;
  sig.accel_range_g = cfg.accel_range_g;
  sig.start_offset_s = cfg.start_offset_s;
  for (auto* v : {&sig.ax, &sig.ay, &sig.az}) v->resize(static_cast<size_t>(n_out));
  if (cfg.gyroscope) {
    for (auto* v : {&sig.gx, &sig.gy, &sig.gz}) v->resize(static_cast<size_t>(n_out));
  }

  size_t first_active = 0;  // steps before it have ended
  size_t own_k = 0;         // current stride: own[own_k] .. own[own_k + 1]
  StrideModel stride;
  bool have_stride = false;
  size_t peak_k = 0;  // first truth window not yet over
  std::vector<size_t> truth_steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (track_peaks && (!limb || steps[i].left == IsLeft(place))) truth_steps.push_back(i);
  }
  const double q_accel = cfg.accel_range_g / 32768.0;
  const double q_gyro = kGyroRangeDps / 32768.0;

  const int64_t n_int = n_out * os;
  for (int64_t ii = 0; ii < n_int; ++ii) {
    const double t = static_cast<double>(ii) * dt;
    // Body force: sum over the steps in contact.
    while (first_active < steps.size() && steps[first_active].to < t - 2.0) ++first_active;
    Vec3 body{};
    size_t left_stride = first_active;
    for (size_t k = first_active; k < steps.size() && steps[k].ic < t; ++k) {
      body = body + StepForce(steps[k], t);
      if (steps[k].left) left_stride = k;
    }

    Vec3 f, w;
    if (limb) {
      while (own_k + 2 < own.size() && steps[own[own_k + 1]].ic <= t) {
        ++own_k;
        have_stride = false;
      }
      if (!have_stride) {
        stride = foot ? FootStride(steps[own[own_k]], steps[own[own_k + 1]])
                      : ShinStride(steps[own[own_k]], steps[own[own_k + 1]]);
        have_stride = true;
      }
      if (foot) {
        FootSample(stride, t, &f, &w);
      } else {
        ShinSample(stride, t, body, &f, &w);
      }
    } else {
      Vec3 filtered{tissue[0].Step(body.x), tissue[1].Step(body.y), tissue[2].Step(body.z)};
      // Stride phase from the left foot, for trunk and arm motion.
      double phase = 0, stride_s = 0.7;
      for (size_t k = left_stride; k + 2 < steps.size(); ++k) {
        if (steps[k].left && steps[k].ic <= t && steps[k + 2].ic > t) {
          stride_s = steps[k + 2].ic - steps[k].ic;
          phase = 2 * kPi * (t - steps[k].ic) / stride_s;
          break;
        }
      }
      const double omega = 2 * kPi / stride_s;
      if (place == Placement::kPelvis) {
        const double pitch = (6 + 2 * std::sin(2 * phase)) * kRad;
        const double roll = 3 * std::sin(phase + 1.0) * kRad;
        const Mat3 orient = Multiply(RotY(pitch), RotX(roll));
        f = TransposeApply(orient, filtered);
        w = {3 * omega * std::cos(phase + 1.0), 4 * omega * std::cos(2 * phase),
             5 * omega * std::cos(phase)};
      } else {
        // Pendulum arm swing at stride frequency, 0.3 m below the shoulder.
        constexpr double kArm = 0.3;
        const double amp = 40 * kRad;
        const double swing = amp * std::sin(phase);
        const double swing_rate = amp * omega * std::cos(phase);
        const double swing_accel = -amp * omega * omega * std::sin(phase);
        // Arm frame: x tangential to the swing, z toward the shoulder; the sensor sits on the
        // wrist pitched 30 deg from it.
        Vec3 arm = IntoPitched(filtered, swing);
        arm.x += swing_accel * kArm / kGravity;
        arm.z += swing_rate * swing_rate * kArm / kGravity;
        f = IntoPitched(arm, 30 * kRad);
        w = {20 * std::sin(phase), swing_rate / kRad, 30 * std::cos(phase)};
      }
      body = filtered;
    }

    // Truth peaks: resultant before the mounting rotation (rotation-invariant anyway).
    if (track_peaks) {
      const double mag = Norm(f);
      while (peak_k < truth_steps.size() && window_of(truth_steps[peak_k]).second < t) ++peak_k;
      for (size_t k = peak_k; k < truth_steps.size(); ++k) {
        const auto [w0, w1] = window_of(truth_steps[k]);
        if (w0 > t) break;
        if (t <= w1) {
          double& p = peak[truth_steps[k]];
          if (std::isnan(p) || mag > p) p = mag;
        }
      }
    }

    const Vec3 fs = TransposeApply(mount, f);
    const Vec3 ws = TransposeApply(mount, w);
    const std::array<double, 6> raw = {fs.x, fs.y, fs.z, ws.x, ws.y, ws.z};
    for (int c = 0; c < 6; ++c) {
      if (!ch[c].started) {
        ch[c].lpf = raw[c];
        ch[c].started = true;
      }
      ch[c].lpf += aa * (raw[c] - ch[c].lpf);
    }
    if (ii % os != 0) continue;
    const int64_t m = ii / os;
    for (int c = 0; c < 6; ++c) {
      if (c >= 3 && !cfg.gyroscope) break;
      double v = ch[c].lpf + ch[c].bias;
      for (int h = 0; h < 2; ++h) {
        v += ch[c].wander_amp[h] *
             std::sin(2 * kPi * ch[c].wander_hz[h] * t + ch[c].wander_phase[h]);
      }
      const double range = c < 3 ? cfg.accel_range_g : kGyroRangeDps;
      const double q = c < 3 ? q_accel : q_gyro;
      v += (c < 3 ? cfg.accel_noise_g : cfg.gyro_noise_dps) * unit(rng);
      v = std::clamp(v, -range, range);
      v = std::round(v / q) * q;
      const auto value = static_cast<float>(v);
      switch (c) {
        case 0: sig.ax[m] = value; break;
        case 1: sig.ay[m] = value; break;
        case 2: sig.az[m] = value; break;
        case 3: sig.gx[m] = value; break;
        case 4: sig.gy[m] = value; break;
        default: sig.gz[m] = value; break;
      }
    }
  }

  for (const Dropout& d : cfg.dropouts) {
    const auto b = std::clamp<int64_t>(std::llround(d.start_s * rate), 0, n_out);
    const auto e = std::clamp<int64_t>(std::llround((d.start_s + d.duration_s) * rate), 0, n_out);
    const float v = d.as_zero ? 0.0f : std::numeric_limits<float>::quiet_NaN();
    for (int64_t m = b; m < e; ++m) {
      sig.ax[m] = sig.ay[m] = sig.az[m] = v;
      if (cfg.gyroscope) sig.gx[m] = sig.gy[m] = sig.gz[m] = v;
    }
  }

  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    const Step& s = steps[i];
    if (s.ic < 0 || s.ic >= duration) continue;
    TrueStep ts;
    ts.contact_s = cfg.start_offset_s + s.ic;
    ts.toe_off_s = cfg.start_offset_s + s.to;
    ts.step_s = steps[i + 1].ic - s.ic;
    ts.left = s.left;
    ts.running = s.running;
    ts.strike = s.strike;
    ts.contact_ms = 1000.0 * (s.to - s.ic);
    ts.flight_ms = 1000.0 * ts.step_s - ts.contact_ms;
    ts.peak_g = peak[i];
    rec.steps.push_back(ts);
  }
  return rec;
}

}  // namespace gaitkeeper::test_support
