#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "services/scoring/imu/imu_gait.h"

// Building blocks of AnalyzeImu: gap scan, smoothing, local period estimation and periodic peak
// picking, edge onsets. Internal to services/scoring/imu; exposed in a header so that each piece
// is readable on its own. All are linear in the samples they touch.
namespace gaitkeeper::scoring::imu::internal {

// A gap-free run of samples [begin, end).
struct Segment {
  int64_t begin = 0;
  int64_t end = 0;
};

struct SegmentScan {
  std::vector<Segment> segments;  // runs of at least min_samples
  int64_t gap_count = 0;          // runs of invalid samples
  int64_t gap_samples = 0;
};

// A sample is invalid (a dropout) when any accelerometer or gyroscope value is not finite, or
// when all three accelerometer axes are exactly 0. Assumes a signal that passed
// ValidateImuSignal.
SegmentScan FindSegments(const ImuSignal& signal, int64_t min_samples);

// out[i] = mean of x over [i - half_width, i + half_width] clipped to [begin, end), for i in
// [begin, end). out may not alias x.
void MovingAverage(const float* x, int64_t begin, int64_t end, int64_t half_width, float* out);

// Local period of a quasi-periodic event signal over one window of a segment.
struct PeriodWindow {
  int64_t begin = 0;
  int64_t end = 0;
  bool periodic = false;      // the highest autocorrelation peak reaches 0.3
  double period_samples = 0;  // when periodic
};

// Periods per ~10 s window and peak thresholds per 1 s block of one segment.
struct EventGrid {
  std::vector<PeriodWindow> windows;
  int64_t begin = 0;          // the segment's first sample
  int64_t block_samples = 1;  // thresholds[k] covers [begin + k * block_samples, + block_samples)
  std::vector<float> thresholds;
  float ThresholdAt(int64_t i) const;
};

// How the period of an event signal is looked for.
struct PeriodSearch {
  double min_period_s = 0;
  double max_period_s = 0;
  // The shortest lag whose autocorrelation peak reaches this share of the highest is the period,
  // so that a stride-periodic component does not hide the step period, nor two strides one.
  double harmonic_share = 0.7;
  // Arm swing: when the autocorrelation has no positive peak near half the chosen lag, that lag
  // is a step (a step-dominated signal, e.g. walking) and the period (a stride) is twice it.
  bool stride_from_step = false;
};

// Splits seg into ~10 s windows and estimates, per window, the period of e from the
// autocorrelation of a 50 Hz envelope, normalised by its moving mean and standard deviation over
// +-1 s (so that a change of amplitude, e.g. from running to walking, does not swamp it). Peak
// thresholds are local (+-1 s around each 1 s block): 25 % of the way from the 20th to the
// 98th percentile of the envelope's per-bin maxima, never below threshold_floor. scratch is
// reused storage.
EventGrid EstimatePeriods(const float* e, Segment seg, double rate_hz,
                          const PeriodSearch& search, float threshold_floor,
                          std::vector<float>* scratch);

// One peak of e per local period: among the local maxima of e in seg that lie in a periodic
// window and reach the local threshold, each next peak is the highest 0.6 to 1.4 local periods
// after the previous one (anchored to it, so equal humps half a period apart, e.g. the steps of
// a stride-periodic signal, do not make the choice drift); where none is found, tracking
// restarts at the highest within one period of the next candidate. Appends to peaks in
// increasing order.
void PickPeaks(const float* e, Segment seg, const EventGrid& grid, std::vector<int64_t>* peaks);

// Index of the window containing sample i (windows sorted and contiguous); 0 when none.
size_t WindowIndex(const std::vector<PeriodWindow>& windows, int64_t i, size_t hint);

// Offset in (-0.5, 0.5) of the vertex of the parabola through (-1, ym), (0, y0), (1, yp), and its
// value; offset 0 and value y0 when the three points are collinear.
struct Vertex {
  double offset = 0;
  double value = 0;
};
Vertex ParabolicVertex(float ym, float y0, float yp);

// Onset of the edge of a pulse of x peaking at index peak over a baseline base: the crossings of
// base + lo_frac * (x[peak] - base) and base + hi_frac * (x[peak] - base) nearest the peak on the
// side given by direction (-1 rising edge before the peak, +1 falling edge after it), located by
// linear interpolation, define a line that is extrapolated to base. The search does not go past
// limit (an index on that side). Returns a fractional sample index, or nullopt when x[peak] <= base
// or a crossing is not found.
std::optional<double> EdgeOnset(const float* x, int64_t peak, int64_t limit, float base,
                                float lo_frac, float hi_frac, int direction);

// Like EdgeOnset, but extrapolates the tangent at the steepest point of the edge between the two
// crossings (slope over span samples), so that an early, steep component of the edge (a
// rearfoot impact riding on the pelvis force) sets the onset rather than the slower main rise.
std::optional<double> SteepestEdgeOnset(const float* x, int64_t peak, int64_t limit, float base,
                                        float lo_frac, float hi_frac, int direction,
                                        int64_t span);

// Index of the largest (smallest) value of x in [begin, end); begin when the range is empty.
int64_t ArgMax(const float* x, int64_t begin, int64_t end);
int64_t ArgMin(const float* x, int64_t begin, int64_t end);

// Distribution of values (reordered in place); count 0 when empty.
Distribution Summarize(std::vector<float>* values);

// Median of values (reordered in place); 0 when empty.
double Median(std::vector<float>* values);

}  // namespace gaitkeeper::scoring::imu::internal
