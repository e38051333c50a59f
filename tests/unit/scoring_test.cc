// Gait scoring: zones at every table boundary, and metrics against synthetic runs of known truth.
#include <cmath>

#include "gtest/gtest.h"
#include "services/cli/synthetic_session.h"
#include "services/scoring/gait_scorer.h"
#include "services/scoring/zones.h"

namespace gaitkeeper::scoring {
namespace {

using v1::ZONE_BLUE;
using v1::ZONE_GREEN;
using v1::ZONE_ORANGE;
using v1::ZONE_PURPLE;
using v1::ZONE_RED;

TEST(Zones, CadenceBoundariesFromEvidenceTable) {
  const std::pair<double, v1::Zone> cases[] = {{184, ZONE_PURPLE}, {183, ZONE_BLUE}, {174, ZONE_BLUE},
                                               {173, ZONE_GREEN},  {164, ZONE_GREEN}, {163, ZONE_ORANGE},
                                               {153, ZONE_ORANGE}, {152, ZONE_RED},   {173.4, ZONE_GREEN},
                                               {173.6, ZONE_BLUE}};
  for (auto [value, zone] : cases) EXPECT_EQ(CadenceZone(value), zone) << value;
}

TEST(Zones, ContactTimeBoundaries) {
  const std::pair<double, v1::Zone> cases[] = {{217, ZONE_PURPLE}, {218, ZONE_BLUE},   {248, ZONE_BLUE},
                                               {249, ZONE_GREEN},  {277, ZONE_GREEN},  {278, ZONE_ORANGE},
                                               {308, ZONE_ORANGE}, {309, ZONE_RED}};
  for (auto [value, zone] : cases) EXPECT_EQ(GroundContactTimeZone(value), zone) << value;
}

TEST(Zones, OscillationAndRatioDependOnSensor) {
  EXPECT_EQ(VerticalOscillationZone(6.3, OscillationSensor::kChest), ZONE_PURPLE);
  EXPECT_EQ(VerticalOscillationZone(6.4, OscillationSensor::kChest), ZONE_BLUE);
  EXPECT_EQ(VerticalOscillationZone(8.1, OscillationSensor::kChest), ZONE_BLUE);
  EXPECT_EQ(VerticalOscillationZone(8.2, OscillationSensor::kChest), ZONE_GREEN);
  EXPECT_EQ(VerticalOscillationZone(9.8, OscillationSensor::kChest), ZONE_ORANGE);
  EXPECT_EQ(VerticalOscillationZone(11.6, OscillationSensor::kChest), ZONE_RED);
  EXPECT_EQ(VerticalOscillationZone(6.6, OscillationSensor::kPod), ZONE_PURPLE);
  EXPECT_EQ(VerticalOscillationZone(13.0, OscillationSensor::kPod), ZONE_ORANGE);
  EXPECT_EQ(VerticalOscillationZone(13.1, OscillationSensor::kPod), ZONE_RED);
  EXPECT_EQ(VerticalRatioZone(6.0, OscillationSensor::kChest), ZONE_PURPLE);
  EXPECT_EQ(VerticalRatioZone(7.5, OscillationSensor::kChest), ZONE_GREEN);
  EXPECT_EQ(VerticalRatioZone(10.2, OscillationSensor::kChest), ZONE_RED);
  EXPECT_EQ(VerticalRatioZone(10.2, OscillationSensor::kPod), ZONE_ORANGE);
}

TEST(Zones, BalanceIsSymmetric) {
  EXPECT_EQ(GctBalanceZone(50.7), ZONE_GREEN);
  EXPECT_EQ(GctBalanceZone(49.3), ZONE_GREEN);
  EXPECT_EQ(GctBalanceZone(50.8), ZONE_ORANGE);
  EXPECT_EQ(GctBalanceZone(47.8), ZONE_ORANGE);
  EXPECT_EQ(GctBalanceZone(52.3), ZONE_RED);
  EXPECT_EQ(GctBalanceZone(47.7), ZONE_RED);
}

DynamicsSeries ToSeries(const std::vector<ingestion::v1::DynamicsSample>& samples) {
  google::protobuf::RepeatedPtrField<ingestion::v1::DynamicsSample> field(samples.begin(), samples.end());
  DynamicsSeries series;
  EXPECT_TRUE(AppendChunk(EncodeChunk(field), &series).ok());
  return series;
}

const v1::MetricSummary* Find(const v1::GaitScore& score, v1::Metric metric) {
  for (const auto& m : score.metrics()) {
    if (m.metric() == metric) return &m;
  }
  return nullptr;
}

TEST(GaitScorer, RecoversKnownCadenceStepLengthAndContactTime) {
  synthetic::RunProfile p;
  p.cadence_spm = 168;
  p.cadence_drift = 0;
  p.contact_time_drift = 0;
  p.speed_mps = 3.0;
  p.ground_contact_time_ms = 250;
  p.duration_s = 1200;
  AthleteContext athlete;
  athlete.height_cm = 180.0;
  v1::GaitScore score = ScoreDynamics(ToSeries(synthetic::GenerateRun(p)), athlete);
  const v1::MetricSummary* cadence = Find(score, v1::METRIC_CADENCE);
  ASSERT_NE(cadence, nullptr);
  EXPECT_NEAR(cadence->median(), 168, 1.0);  // within 1 spm
  EXPECT_EQ(cadence->zone(), ZONE_GREEN);
  const v1::MetricSummary* step = Find(score, v1::METRIC_STEP_LENGTH);
  ASSERT_NE(step, nullptr);
  EXPECT_NEAR(step->median(), 3.0 / (168 / 60.0), 0.02);  // speed / step rate
  EXPECT_NEAR(score.step_length().relative_to_height(), (3.0 / 2.8) / 1.8, 0.02);
  EXPECT_NEAR(Find(score, v1::METRIC_GROUND_CONTACT_TIME)->median(), 250, 5);
  EXPECT_EQ(score.running_sample_count(), 1200);
  EXPECT_EQ(score.walking_sample_count(), 0);
  EXPECT_NE(step->explanation().find("176"), std::string::npos) << step->explanation();  // 168 * 1.05
}

TEST(GaitScorer, WalkBreaksAreCountedNotMixedIntoRunningCadence) {
  synthetic::RunProfile p;
  p.cadence_spm = 160;
  p.cadence_drift = 0;
  p.duration_s = 1800;
  p.walk_every_s = 300;
  p.walk_for_s = 60;
  v1::GaitScore score = ScoreDynamics(ToSeries(synthetic::GenerateRun(p)), AthleteContext{});
  EXPECT_NEAR(score.walking_sample_count(), 5 * 60, 10);
  EXPECT_NEAR(Find(score, v1::METRIC_CADENCE)->median(), 160, 1.0);
}

TEST(GaitScorer, SpeedBandsAndWalkingSegments) {
  synthetic::RunProfile p;
  p.duration_s = 1800;
  p.speed_mps = 2.95;  // one band: [2.8, 3.1)
  p.relative_noise = 0.005;
  p.cadence_drift = 0;
  p.walk_every_s = 300;
  p.walk_for_s = 60;
  AthleteContext athlete;
  athlete.height_cm = 175;
  v1::GaitScore score = ScoreDynamics(ToSeries(synthetic::GenerateRun(p)), athlete);
  ASSERT_EQ(score.speed_bands_size(), 1);
  EXPECT_DOUBLE_EQ(score.speed_bands(0).min_speed_mps(), 2.8);
  EXPECT_NEAR(score.speed_bands(0).cadence_median_spm(), 162, 1.0);
  EXPECT_NEAR(score.speed_bands(0).step_length_median_m(), 2.95 / (162 / 60.0), 0.02);
  EXPECT_NEAR(score.speed_bands(0).step_length_relative_to_height(), 2.95 / (162 / 60.0) / 1.75, 0.02);
  EXPECT_EQ(score.walking_segments(), 5);  // a minute's walk every five minutes, from minute 5
  EXPECT_NEAR(score.walking_seconds(), 300, 15);
}

TEST(GaitScorer, FatigueDriftShowsInTheSpread) {
  synthetic::RunProfile p;
  p.cadence_spm = 170;
  p.cadence_drift = -0.06;  // ends near 160
  p.cadence_noise_spm = 0.5;
  v1::GaitScore score = ScoreDynamics(ToSeries(synthetic::GenerateRun(p)), AthleteContext{});
  const v1::MetricSummary* c = Find(score, v1::METRIC_CADENCE);
  EXPECT_NEAR(c->median(), 170 * 0.97, 1.0);
  EXPECT_GT(c->p90() - c->p10(), 6.0);
  // First third centred on 170 * (1 - 0.06/6), last third on 170 * (1 - 0.06 * 5/6).
  const v1::MetricDrift* drift = nullptr;
  for (const auto& d : score.drift()) {
    if (d.metric() == v1::METRIC_CADENCE) drift = &d;
  }
  ASSERT_NE(drift, nullptr);
  EXPECT_NEAR(drift->first_third(), 170 * (1 - 0.01), 1.0);
  EXPECT_NEAR(drift->last_third(), 170 * (1 - 0.05), 1.0);
  EXPECT_NEAR(drift->change_percent(), -4.0, 0.8);
  bool gct_drift = false;
  for (const auto& d : score.drift()) gct_drift = gct_drift || (d.metric() == v1::METRIC_GROUND_CONTACT_TIME && d.change() > 0);
  EXPECT_TRUE(gct_drift);  // contact time lengthens with fatigue in the generator (+5 %)
}

TEST(GaitScorer, ShortRunsHaveNoDrift) {
  synthetic::RunProfile p;
  p.duration_s = 20;
  EXPECT_EQ(ScoreDynamics(ToSeries(synthetic::GenerateRun(p)), AthleteContext{}).drift_size(), 0);
}

TEST(GaitScorer, EmptyAndWalkingOnlySessionsHaveNoRunningMetrics) {
  v1::GaitScore empty = ScoreDynamics(DynamicsSeries{}, AthleteContext{});
  EXPECT_EQ(empty.sample_count(), 0);
  EXPECT_EQ(empty.metrics_size(), 0);
  synthetic::RunProfile p;
  p.duration_s = 600;
  p.walk_every_s = 1;
  p.walk_for_s = 1;
  std::vector<ingestion::v1::DynamicsSample> walk = synthetic::GenerateRun(p);
  walk.erase(walk.begin());  // the first second is running by construction
  v1::GaitScore score = ScoreDynamics(ToSeries(walk), AthleteContext{});
  EXPECT_EQ(score.running_sample_count(), 0);
  EXPECT_EQ(score.walking_sample_count(), 599);
  EXPECT_EQ(score.metrics_size(), 0);
}

TEST(GaitScorer, StepLengthFallsBackToSpeedOverCadence) {
  DynamicsSeries s;
  s.offset_ms = {0, 1000};
  s.speed_mps = {3.0f, 3.0f};
  s.cadence_spm = {180.0f, kMissing};
  s.step_length_m = {kMissing, 1.2f};
  std::vector<float> steps = StepLengths(s);
  EXPECT_NEAR(steps[0], 1.0, 1e-6);
  EXPECT_NEAR(steps[1], 1.2, 1e-6);
}

TEST(GaitScorer, Classification) {
  EXPECT_EQ(ClassifySample(165, 2.8f), Gait::kRunning);
  EXPECT_EQ(ClassifySample(130, 2.6f), Gait::kRunning);  // low cadence but running speed
  EXPECT_EQ(ClassifySample(120, 1.4f), Gait::kWalking);
  EXPECT_EQ(ClassifySample(0, 0), Gait::kStopped);
  EXPECT_EQ(ClassifySample(kMissing, kMissing), Gait::kStopped);
}

TEST(GaitScorer, DistanceAndDuration) {
  DynamicsSeries s;
  s.offset_ms = {0, 1000, 2000, 60000};
  s.speed_mps = {3, 3, 3, 3};
  s.distance_m = {kMissing, kMissing, kMissing, kMissing};
  EXPECT_NEAR(DistanceFromSamples(s), 6.0, 1e-9);  // the 58 s gap is not bridged
  EXPECT_NEAR(DurationFromSamples(s), 60.0, 1e-9);
  s.distance_m[2] = 500;
  EXPECT_NEAR(DistanceFromSamples(s), 500, 1e-9);
}

}  // namespace
}  // namespace gaitkeeper::scoring
