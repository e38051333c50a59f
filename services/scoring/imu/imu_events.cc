#include "services/scoring/imu/imu_events.h"

#include <algorithm>
#include <cmath>

namespace gaitkeeper::scoring::imu::internal {
namespace {

// Period search: a 50 Hz envelope (20 ms bins; the period only sets search windows, so this is
// ample), ~10 s windows (several strides even when walking), and no gait below an
// autocorrelation peak of 0.3 (noise, standing).
constexpr double kEnvelopeRateHz = 50;
constexpr double kPeriodWindowS = 10;
constexpr double kMinPeriodicity = 0.3;
constexpr double kNormaliseHalfS = 1.0;
// Peak tracking: the next peak lies 0.6-1.4 local periods after the last (cadence changes by far
// less from one stride to the next).
constexpr double kNextMin = 0.6;
constexpr double kNextMax = 1.4;
// Peak thresholds, per 1 s block from the +-1 s around it.
constexpr double kThresholdShare = 0.25;
constexpr double kThresholdBlockS = 1.0;
constexpr double kThresholdReachS = 1.0;

bool SampleValid(const ImuSignal& s, size_t i, bool gyro) {
  const float x = s.ax[i], y = s.ay[i], z = s.az[i];
  // x - x is 0 for finite x and NaN otherwise; NaN == 0 is false.
  bool ok = (x - x) + (y - y) + (z - z) == 0.0f && (x != 0.0f || y != 0.0f || z != 0.0f);
  if (gyro) ok = ok && (s.gx[i] - s.gx[i]) + (s.gy[i] - s.gy[i]) + (s.gz[i] - s.gz[i]) == 0.0f;
  return ok;
}

// Value at fraction q of the sorted values, linear between order statistics.
double SortedQuantile(const std::vector<float>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

// Period (in bins) of the envelope window env[0, n), from its autocorrelation; x, energy and r
// are reused storage.
void WindowPeriod(const float* env, int64_t n, int64_t lag_min, int64_t lag_max,
                  const PeriodSearch& search, std::vector<double>* x, std::vector<double>* energy,
                  std::vector<double>* r, bool* periodic, double* period_bins) {
  *periodic = false;
  lag_max = std::min(lag_max, n * 6 / 10);
  if (lag_min < 1) lag_min = 1;
  if (lag_max - lag_min < 2) return;
  double mean = 0;
  for (int64_t i = 0; i < n; ++i) mean += env[i];
  mean /= static_cast<double>(n);
  x->assign(static_cast<size_t>(n), 0.0);
  energy->assign(static_cast<size_t>(n + 1), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    (*x)[i] = env[i] - mean;
    (*energy)[i + 1] = (*energy)[i] + (*x)[i] * (*x)[i];
  }
  if ((*energy)[n] <= 1e-12) return;
  // r(L): correlation of x[0, n-L) with x[L, n), for the lags looked at (from 0.4 lag_min when
  // half-lag peaks are checked, else from lag_min - 1, to lag_max + 1); r(0) = 1.
  const int64_t last = lag_max + 1;
  const int64_t first =
      std::max<int64_t>(1, search.stride_from_step ? (2 * lag_min) / 5 - 1 : lag_min - 1);
  r->assign(static_cast<size_t>(last + 1), 0.0);
  (*r)[0] = 1.0;
  for (int64_t lag = first; lag <= last && lag < n; ++lag) {
    const double* a = x->data();
    const double* b = x->data() + lag;
    const int64_t m = n - lag;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;  // independent sums: no serial dependency
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      s0 += a[i] * b[i];
      s1 += a[i + 1] * b[i + 1];
      s2 += a[i + 2] * b[i + 2];
      s3 += a[i + 3] * b[i + 3];
    }
    for (; i < m; ++i) s0 += a[i] * b[i];
    const double sum = (s0 + s1) + (s2 + s3);
    const double ea = (*energy)[m];
    const double eb = (*energy)[n] - (*energy)[lag];
    (*r)[lag] = (ea > 0 && eb > 0) ? sum / std::sqrt(ea * eb) : 0.0;
  }
  const std::vector<double>& at = *r;
  auto local_max = [&](int64_t lag) { return at[lag] >= at[lag - 1] && at[lag] >= at[lag + 1]; };
  double best = 0;
  for (int64_t lag = lag_min; lag <= lag_max; ++lag) {
    if (local_max(lag)) best = std::max(best, at[lag]);
  }
  if (best < kMinPeriodicity) return;
  for (int64_t lag = lag_min; lag <= lag_max; ++lag) {
    if (!local_max(lag) || at[lag] < search.harmonic_share * best) continue;
    const Vertex v = ParabolicVertex(static_cast<float>(at[lag - 1]), static_cast<float>(at[lag]),
                                     static_cast<float>(at[lag + 1]));
    *period_bins = static_cast<double>(lag) + v.offset;
    *periodic = true;
    if (search.stride_from_step) {
      bool half_peak = false;
      const int64_t h0 = std::max<int64_t>(1, std::llround(0.4 * *period_bins));
      const int64_t h1 = std::llround(0.6 * *period_bins);
      for (int64_t h = h0; h <= h1 && h < lag; ++h) {
        if (local_max(h) && at[h] > 0) half_peak = true;
      }
      if (!half_peak) *period_bins *= 2;
    }
    return;
  }
}

}  // namespace

SegmentScan FindSegments(const ImuSignal& signal, int64_t min_samples) {
  SegmentScan scan;
  const auto n = static_cast<int64_t>(signal.ax.size());
  const bool gyro = !signal.gy.empty();
  int64_t run_start = 0;
  bool in_gap = false;
  auto close_run = [&](int64_t end) {
    if (in_gap) {
      ++scan.gap_count;
      scan.gap_samples += end - run_start;
    } else if (end - run_start >= min_samples) {
      scan.segments.push_back({run_start, end});
    }
  };
  for (int64_t i = 0; i < n; ++i) {
    const bool valid = SampleValid(signal, static_cast<size_t>(i), gyro);
    if (i == 0) {
      in_gap = !valid;
    } else if (valid == in_gap) {
      close_run(i);
      run_start = i;
      in_gap = !valid;
    }
  }
  if (n > 0) close_run(n);
  return scan;
}

void MovingAverage(const float* x, int64_t begin, int64_t end, int64_t half_width, float* out) {
  if (end <= begin) return;
  if (half_width <= 0) {
    std::copy(x + begin, x + end, out + begin);
    return;
  }
  double sum = 0;
  int64_t lo = begin, hi = begin;  // window [lo, hi)
  for (int64_t i = begin; i < end; ++i) {
    const int64_t want_hi = std::min(end, i + half_width + 1);
    const int64_t want_lo = std::max(begin, i - half_width);
    while (hi < want_hi) sum += x[hi++];
    while (lo < want_lo) sum -= x[lo++];
    out[i] = static_cast<float>(sum / static_cast<double>(hi - lo));
  }
}

EventGrid EstimatePeriods(const float* e, Segment seg, double rate_hz,
                          const PeriodSearch& search, float threshold_floor,
                          std::vector<float>* scratch) {
  EventGrid grid;
  grid.begin = seg.begin;
  const int64_t bin = std::max<int64_t>(1, std::llround(rate_hz / kEnvelopeRateHz));
  const double env_rate = rate_hz / static_cast<double>(bin);
  const int64_t bins = (seg.end - seg.begin) / bin;
  if (bins < 4) return grid;
  std::vector<float> env_mean(static_cast<size_t>(bins)), env_max(static_cast<size_t>(bins));
  for (int64_t b = 0; b < bins; ++b) {
    const float* p = e + seg.begin + b * bin;
    double sum = 0;
    float mx = p[0];
    for (int64_t j = 0; j < bin; ++j) {
      sum += p[j];
      mx = std::max(mx, p[j]);
    }
    env_mean[b] = static_cast<float>(sum / static_cast<double>(bin));
    env_max[b] = mx;
  }

  // Envelope normalised by its moving mean and standard deviation.
  const int64_t half = std::llround(kNormaliseHalfS * env_rate);
  std::vector<float> norm(static_cast<size_t>(bins));
  {
    double sum = 0, sum2 = 0;
    int64_t lo = 0, hi = 0;
    for (int64_t b = 0; b < bins; ++b) {
      const int64_t want_hi = std::min(bins, b + half + 1);
      const int64_t want_lo = std::max<int64_t>(0, b - half);
      for (; hi < want_hi; ++hi) {
        sum += env_mean[hi];
        sum2 += static_cast<double>(env_mean[hi]) * env_mean[hi];
      }
      for (; lo < want_lo; ++lo) {
        sum -= env_mean[lo];
        sum2 -= static_cast<double>(env_mean[lo]) * env_mean[lo];
      }
      const double count = static_cast<double>(hi - lo);
      const double mean = sum / count;
      const double var = std::max(0.0, sum2 / count - mean * mean);
      norm[b] = var > 1e-12 ? static_cast<float>((env_mean[b] - mean) / std::sqrt(var)) : 0.0f;
    }
  }

  const int64_t window_bins = std::llround(kPeriodWindowS * env_rate);
  const int64_t lag_min = static_cast<int64_t>(std::floor(search.min_period_s * env_rate));
  const int64_t lag_max = static_cast<int64_t>(std::ceil(search.max_period_s * env_rate));
  std::vector<double> x, energy, r;
  int64_t wb = 0;
  while (wb < bins) {
    int64_t we = std::min(bins, wb + window_bins);
    if (bins - we < window_bins / 2) we = bins;  // merge a short tail into this window
    PeriodWindow w;
    w.begin = seg.begin + wb * bin;
    w.end = (we == bins) ? seg.end : seg.begin + we * bin;
    double period_bins = 0;
    WindowPeriod(norm.data() + wb, we - wb, lag_min, lag_max, search, &x, &energy, &r, &w.periodic,
                 &period_bins);
    if (w.periodic) w.period_samples = period_bins * static_cast<double>(bin);
    grid.windows.push_back(w);
    wb = we;
  }

  // Local thresholds.
  const int64_t block_bins = std::max<int64_t>(1, std::llround(kThresholdBlockS * env_rate));
  const int64_t reach = std::llround(kThresholdReachS * env_rate);
  grid.block_samples = block_bins * bin;
  const int64_t blocks = (seg.end - seg.begin + grid.block_samples - 1) / grid.block_samples;
  grid.thresholds.resize(static_cast<size_t>(blocks));
  for (int64_t k = 0; k < blocks; ++k) {
    const int64_t b0 = std::clamp<int64_t>(k * block_bins - reach, 0, bins - 1);
    const int64_t b1 = std::clamp<int64_t>((k + 1) * block_bins + reach, b0 + 1, bins);
    scratch->assign(env_max.begin() + b0, env_max.begin() + b1);
    // The 98th percentile first; the 20th then lies in the part below it.
    const size_t k_hi = static_cast<size_t>(0.98 * static_cast<double>(scratch->size() - 1));
    const size_t k_lo = static_cast<size_t>(0.20 * static_cast<double>(scratch->size() - 1));
    std::nth_element(scratch->begin(), scratch->begin() + static_cast<std::ptrdiff_t>(k_hi),
                     scratch->end());
    const float hi = (*scratch)[k_hi];
    std::nth_element(scratch->begin(), scratch->begin() + static_cast<std::ptrdiff_t>(k_lo),
                     scratch->begin() + static_cast<std::ptrdiff_t>(k_hi));
    const float lo = k_lo < k_hi ? (*scratch)[k_lo] : hi;
    grid.thresholds[k] =
        std::max(threshold_floor, lo + static_cast<float>(kThresholdShare) * (hi - lo));
  }
  return grid;
}

float EventGrid::ThresholdAt(int64_t i) const {
  if (thresholds.empty()) return 0;
  const int64_t k = std::clamp<int64_t>((i - begin) / block_samples, 0,
                                        static_cast<int64_t>(thresholds.size()) - 1);
  return thresholds[k];
}

size_t WindowIndex(const std::vector<PeriodWindow>& windows, int64_t i, size_t hint) {
  if (windows.empty()) return 0;
  size_t k = std::min(hint, windows.size() - 1);
  while (k > 0 && i < windows[k].begin) --k;
  while (k + 1 < windows.size() && i >= windows[k].end) ++k;
  return k;
}

void PickPeaks(const float* e, Segment seg, const EventGrid& grid, std::vector<int64_t>* peaks) {
  const std::vector<PeriodWindow>& windows = grid.windows;
  if (windows.empty()) return;
  // Candidates: local maxima in periodic windows that reach the local threshold.
  std::vector<int64_t> cands;
  std::vector<double> period;
  size_t w = 0;
  for (int64_t i = seg.begin + 1; i + 1 < seg.end; ++i) {
    if (!(e[i] > e[i - 1] && e[i] >= e[i + 1])) continue;
    w = WindowIndex(windows, i, w);
    if (!windows[w].periodic || e[i] < grid.ThresholdAt(i)) continue;
    cands.push_back(i);
    period.push_back(windows[w].period_samples);
  }
  // Track: from an accepted peak, the next is the highest candidate within
  // [kNextMin, kNextMax] local periods; when there is none, start again from the highest
  // candidate within one period of the first candidate left.
  size_t k = 0;
  while (k < cands.size()) {
    size_t best = k;
    for (size_t j = k + 1;
         j < cands.size() && static_cast<double>(cands[j] - cands[k]) < period[k]; ++j) {
      if (e[cands[j]] > e[cands[best]]) best = j;
    }
    peaks->push_back(cands[best]);
    size_t last = best;
    k = best + 1;
    while (true) {
      const double lo = static_cast<double>(cands[last]) + kNextMin * period[last];
      const double hi = static_cast<double>(cands[last]) + kNextMax * period[last];
      while (k < cands.size() && static_cast<double>(cands[k]) < lo) ++k;
      size_t next = cands.size();
      for (size_t j = k; j < cands.size() && static_cast<double>(cands[j]) <= hi; ++j) {
        if (next == cands.size() || e[cands[j]] > e[cands[next]]) next = j;
      }
      if (next == cands.size()) break;
      peaks->push_back(cands[next]);
      last = next;
      k = next + 1;
    }
  }
}

Vertex ParabolicVertex(float ym, float y0, float yp) {
  const double denom = static_cast<double>(ym) - 2.0 * y0 + yp;
  if (std::abs(denom) < 1e-12) return {0.0, y0};
  double offset = 0.5 * (static_cast<double>(ym) - yp) / denom;
  offset = std::clamp(offset, -0.5, 0.5);
  return {offset, y0 - 0.25 * (static_cast<double>(ym) - yp) * offset};
}

std::optional<double> EdgeOnset(const float* x, int64_t peak, int64_t limit, float base,
                                float lo_frac, float hi_frac, int direction) {
  const float amp = x[peak] - base;
  if (!(amp > 0)) return std::nullopt;
  const float level_hi = base + hi_frac * amp;
  const float level_lo = base + lo_frac * amp;
  auto crossing = [&](int64_t from, float level, double* t, int64_t* at) {
    int64_t i = from;
    while (x[i] >= level) {
      const int64_t next = i + direction;
      if ((direction < 0 && next < limit) || (direction > 0 && next > limit)) return false;
      i = next;
    }
    // x[i] < level <= x[i - direction]: interpolate between them.
    const int64_t prev = i - direction;
    const double frac = (x[prev] - level) / static_cast<double>(x[prev] - x[i]);
    *t = static_cast<double>(prev) + direction * frac;
    *at = prev;
    return true;
  };
  double t_hi = 0, t_lo = 0;
  int64_t at_hi = peak, at_lo = peak;
  if (!crossing(peak, level_hi, &t_hi, &at_hi)) return std::nullopt;
  if (!crossing(at_hi, level_lo, &t_lo, &at_lo)) return std::nullopt;
  return t_lo + (t_lo - t_hi) * lo_frac / (hi_frac - lo_frac);
}

std::optional<double> SteepestEdgeOnset(const float* x, int64_t peak, int64_t limit, float base,
                                        float lo_frac, float hi_frac, int direction,
                                        int64_t span) {
  const float amp = x[peak] - base;
  if (!(amp > 0) || span < 1) return std::nullopt;
  const float level_hi = base + hi_frac * amp;
  const float level_lo = base + lo_frac * amp;
  // Walk from the peak past the high and then the low crossing.
  int64_t i = peak;
  int64_t at_hi = -1;
  while (true) {
    if (at_hi < 0 && x[i] < level_hi) at_hi = i;
    if (x[i] < level_lo) break;
    const int64_t next = i + direction;
    if ((direction < 0 && next < limit) || (direction > 0 && next > limit)) return std::nullopt;
    i = next;
  }
  const int64_t at_lo = i;
  if (at_hi < 0) at_hi = at_lo;
  // Steepest rise towards the peak over `span` samples, for windows inside [at_lo, at_hi - dir].
  double best = 0;
  int64_t best_j = -1;
  for (int64_t j = at_lo; j != at_hi - direction; j -= direction) {
    const int64_t k = j - direction * span;  // span samples nearer the peak
    if ((direction < 0 && k > peak) || (direction > 0 && k < peak)) break;
    const double slope = (x[k] - x[j]) / static_cast<double>(span);
    if (slope > best) {
      best = slope;
      best_j = j;
    }
  }
  if (best_j < 0 || !(best > 0)) return std::nullopt;
  const double mid_t = static_cast<double>(best_j) - direction * 0.5 * static_cast<double>(span);
  const double mid_x = 0.5 * (x[best_j] + x[best_j - direction * span]);
  return mid_t + direction * (mid_x - base) / best;
}

int64_t ArgMax(const float* x, int64_t begin, int64_t end) {
  int64_t best = begin;
  for (int64_t i = begin + 1; i < end; ++i) {
    if (x[i] > x[best]) best = i;
  }
  return best;
}

int64_t ArgMin(const float* x, int64_t begin, int64_t end) {
  int64_t best = begin;
  for (int64_t i = begin + 1; i < end; ++i) {
    if (x[i] < x[best]) best = i;
  }
  return best;
}

Distribution Summarize(std::vector<float>* values) {
  Distribution d;
  if (values->empty()) return d;
  std::sort(values->begin(), values->end());
  d.count = static_cast<int64_t>(values->size());
  d.median = SortedQuantile(*values, 0.5);
  d.p10 = SortedQuantile(*values, 0.1);
  d.p90 = SortedQuantile(*values, 0.9);
  return d;
}

double Median(std::vector<float>* values) {
  if (values->empty()) return 0;
  std::sort(values->begin(), values->end());
  return SortedQuantile(*values, 0.5);
}

}  // namespace gaitkeeper::scoring::imu::internal
