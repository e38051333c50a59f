// Throughput of AnalyzeImu on 60-minute synthetic running sessions (tests/support/imu_synth.h),
// single-threaded, so items/s is samples per second per core. The signal is synthesised outside
// the timed loop and kept for the next benchmark with the same arguments.
//
//   imu_gait_benchmark --benchmark_filter=BM_AnalyzeImu
#include <cstdint>
#include <memory>

#include "benchmark/benchmark.h"
#include "services/scoring/imu/imu_gait.h"
#include "tests/support/imu_synth.h"

namespace gaitkeeper::scoring::imu {
namespace {

constexpr double kSessionMinutes = 60;

const ImuSignal& SessionSignal(Placement placement, double rate_hz) {
  static std::unique_ptr<ImuSignal> cached;
  static Placement cached_placement = Placement::kPelvis;
  static double cached_rate = 0;
  if (cached == nullptr || cached_placement != placement || cached_rate != rate_hz) {
    cached.reset();  // free the previous session before building the next
    test_support::SynthConfig config;
    config.placement = placement;
    config.rate_hz = rate_hz;
    config.bouts = {test_support::GaitBout{true, kSessionMinutes * 60}};
    config.cadence_drift_spm = -6;
    config.contact_drift_ms = 15;
    cached = std::make_unique<ImuSignal>(test_support::Synthesize(config).signal);
    cached_placement = placement;
    cached_rate = rate_hz;
  }
  return *cached;
}

// Arguments: rate in Hz, placement (enum value).
void BM_AnalyzeImu(benchmark::State& state) {
  const auto rate = static_cast<double>(state.range(0));
  const auto placement = static_cast<Placement>(state.range(1));
  const ImuSignal& signal = SessionSignal(placement, rate);
  int64_t contacts = 0;
  for (auto _ : state) {
    ImuMetrics metrics = AnalyzeImu(signal);
    contacts = static_cast<int64_t>(metrics.contacts.size());
    benchmark::DoNotOptimize(metrics);
  }
  const auto samples = static_cast<int64_t>(signal.ax.size());
  state.SetItemsProcessed(state.iterations() * samples);
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["contacts"] = static_cast<double>(contacts);
  state.SetLabel(placement == Placement::kPelvis ? "pelvis, 60 min" : "foot+gyro, 60 min");
}

BENCHMARK(BM_AnalyzeImu)
    ->ArgNames({"rate_hz", "placement"})
    ->ArgsProduct({{100, 500, 1000},
                   {static_cast<int64_t>(Placement::kFootRight),
                    static_cast<int64_t>(Placement::kPelvis)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace gaitkeeper::scoring::imu
