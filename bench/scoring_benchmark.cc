// Google Benchmark: the per-second dynamics scorer, samples/s per core.
#include "benchmark/benchmark.h"
#include "services/cli/synthetic_session.h"
#include "services/scoring/gait_scorer.h"

namespace gaitkeeper::scoring {
namespace {

void BM_ScoreDynamics(benchmark::State& state) {
  synthetic::RunProfile p;
  p.duration_s = static_cast<int>(state.range(0));
  const std::vector<ingestion::v1::DynamicsSample> samples = synthetic::GenerateRun(p);
  google::protobuf::RepeatedPtrField<ingestion::v1::DynamicsSample> field(samples.begin(), samples.end());
  DynamicsSeries series;
  (void)AppendChunk(EncodeChunk(field), &series);
  for (auto _ : state) benchmark::DoNotOptimize(ScoreDynamics(series, AthleteContext{}));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(series.size()));
}
BENCHMARK(BM_ScoreDynamics)->Arg(3600)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gaitkeeper::scoring
