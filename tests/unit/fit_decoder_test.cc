#include "services/ingestion/fit/fit_decoder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "services/ingestion/fit/fit_crc.h"
#include "tests/support/fit_encoder.h"

namespace gaitkeeper::ingestion::fit {
namespace {

using test_support::ActivityEncodeOptions;
using test_support::Chain;
using test_support::DeveloperFieldSpec;
using test_support::EncodeActivity;
using test_support::FitBaseType;
using test_support::FitDevField;
using test_support::FitField;
using test_support::FitValue;
using test_support::FitWriter;
using test_support::ToFitTime;
using test_support::Truncated;
using test_support::WithBadFileCrc;
using test_support::WithFlippedBits;
using test_support::WithHeaderDataSize;

constexpr int64_t kStart = 1528988122;  // 2018-06-14T14:55:22Z
constexpr uint16_t kRecordMesg = 20;
constexpr uint16_t kFieldDescriptionMesg = 206;
constexpr uint16_t kDeveloperDataIdMesg = 207;
constexpr double kSemicircleDeg = 180.0 / 2147483648.0;

// Half a field's resolution (plus float noise) in the decoder's units.
struct Tolerance {
  static constexpr double kEps = 1e-9;
  static constexpr double kPosition = kSemicircleDeg / 2 + kEps;
  static constexpr double kDistance = 0.005 + kEps;             // 0.01 m
  static constexpr double kSpeed = 0.0005 + kEps;               // 1 mm/s
  static constexpr double kAltitude = 0.1 + kEps;               // 0.2 m
  static constexpr double kWhole = 0.5 + kEps;                  // bpm, W, C
  static constexpr double kCadence = 1.0 / 128 + kEps;          // 2 * 1/128 / 2
  static constexpr double kStepLength = 0.00005 + kEps;         // 0.1 mm in m
  static constexpr double kVerticalOscillation = 0.005 + kEps;  // 0.1 mm in cm
  static constexpr double kHundredth = 0.005 + kEps;  // ratio, balance
  static constexpr double kStanceTime = 0.05 + kEps;  // 0.1 ms
  static constexpr double kTime = 0.0005 + kEps;      // 1 ms
};

// ---------------------------------------------------------------------------
// Comparison helpers.

void ExpectNear(const char* what, std::optional<double> expected,
                std::optional<double> actual, double tolerance) {
  if (!expected) {
    EXPECT_FALSE(actual.has_value())
        << what << " should be absent, is " << *actual;
    return;
  }
  ASSERT_TRUE(actual.has_value()) << what << " missing, expected " << *expected;
  EXPECT_FALSE(std::isnan(*actual)) << what;
  EXPECT_NEAR(*expected, *actual, tolerance) << what;
}

void ExpectRecordNear(const Record& expected, const Record& actual) {
  EXPECT_EQ(expected.timestamp_s, actual.timestamp_s);
  ExpectNear("latitude", expected.latitude_deg, actual.latitude_deg,
             Tolerance::kPosition);
  ExpectNear("longitude", expected.longitude_deg, actual.longitude_deg,
             Tolerance::kPosition);
  ExpectNear("distance", expected.distance_m, actual.distance_m,
             Tolerance::kDistance);
  ExpectNear("speed", expected.speed_mps, actual.speed_mps, Tolerance::kSpeed);
  ExpectNear("altitude", expected.altitude_m, actual.altitude_m,
             Tolerance::kAltitude);
  ExpectNear("heart_rate", expected.heart_rate_bpm, actual.heart_rate_bpm,
             Tolerance::kWhole);
  ExpectNear("cadence", expected.cadence_spm, actual.cadence_spm,
             Tolerance::kCadence);
  ExpectNear("step_length", expected.step_length_m, actual.step_length_m,
             Tolerance::kStepLength);
  ExpectNear("vertical_oscillation", expected.vertical_oscillation_cm,
             actual.vertical_oscillation_cm, Tolerance::kVerticalOscillation);
  ExpectNear("vertical_ratio", expected.vertical_ratio_pct,
             actual.vertical_ratio_pct, Tolerance::kHundredth);
  ExpectNear("stance_time", expected.stance_time_ms, actual.stance_time_ms,
             Tolerance::kStanceTime);
  ExpectNear("stance_time_balance", expected.stance_time_balance_left_pct,
             actual.stance_time_balance_left_pct, Tolerance::kHundredth);
  ExpectNear("power", expected.power_w, actual.power_w, Tolerance::kWhole);
  ExpectNear("temperature", expected.temperature_c, actual.temperature_c,
             Tolerance::kWhole);
  ASSERT_EQ(expected.developer.size(), actual.developer.size());
  for (size_t i = 0; i < expected.developer.size(); ++i) {
    const DeveloperValue& e = expected.developer[i];
    const DeveloperValue& a = actual.developer[i];
    EXPECT_EQ(e.developer_data_index, a.developer_data_index);
    EXPECT_EQ(e.field_number, a.field_number);
    EXPECT_EQ(e.name, a.name);
    EXPECT_EQ(e.units, a.units);
    EXPECT_NEAR(e.value, a.value, 1e-6 * std::max(1.0, std::abs(e.value)))
        << e.name;
  }
}

void ExpectSummaryNear(const Summary& e, const Summary& a) {
  EXPECT_EQ(e.timestamp_s, a.timestamp_s);
  EXPECT_EQ(e.start_time_s, a.start_time_s);
  ExpectNear("elapsed", e.total_elapsed_time_s, a.total_elapsed_time_s,
             Tolerance::kTime);
  ExpectNear("timer", e.total_timer_time_s, a.total_timer_time_s,
             Tolerance::kTime);
  ExpectNear("distance", e.total_distance_m, a.total_distance_m,
             Tolerance::kDistance);
  ExpectNear("avg_speed", e.avg_speed_mps, a.avg_speed_mps, Tolerance::kSpeed);
  ExpectNear("max_speed", e.max_speed_mps, a.max_speed_mps, Tolerance::kSpeed);
  ExpectNear("avg_hr", e.avg_heart_rate, a.avg_heart_rate, Tolerance::kWhole);
  ExpectNear("max_hr", e.max_heart_rate, a.max_heart_rate, Tolerance::kWhole);
  ExpectNear("ascent", e.total_ascent_m, a.total_ascent_m, Tolerance::kWhole);
  ExpectNear("descent", e.total_descent_m, a.total_descent_m,
             Tolerance::kWhole);
  ExpectNear("avg_cadence", e.avg_cadence_spm, a.avg_cadence_spm,
             Tolerance::kCadence);
  ExpectNear("avg_step_length", e.avg_step_length_m, a.avg_step_length_m,
             Tolerance::kStepLength);
  ExpectNear("avg_vo", e.avg_vertical_oscillation_cm,
             a.avg_vertical_oscillation_cm, Tolerance::kVerticalOscillation);
  ExpectNear("avg_ratio", e.avg_vertical_ratio_pct, a.avg_vertical_ratio_pct,
             Tolerance::kHundredth);
  ExpectNear("avg_gct", e.avg_stance_time_ms, a.avg_stance_time_ms,
             Tolerance::kStanceTime);
  ExpectNear("avg_balance", e.avg_stance_time_balance_left_pct,
             a.avg_stance_time_balance_left_pct, Tolerance::kHundredth);
  EXPECT_EQ(e.sport, a.sport);
  EXPECT_EQ(e.sub_sport, a.sub_sport);
}

// ---------------------------------------------------------------------------
// Generated activities.

const DeveloperFieldSpec kFormPower{
    0,           8, FitBaseType::kUint16, "Form Power", "Watts", std::nullopt,
    std::nullopt};
const DeveloperFieldSpec kStiffness{0,
                                    9,
                                    FitBaseType::kFloat32,
                                    "Leg Spring Stiffness",
                                    "kN/m",
                                    std::nullopt,
                                    std::nullopt};
// Scale and offset: value = raw / 10 - 5.
const DeveloperFieldSpec kGroundTime{
    1, 3, FitBaseType::kUint16, "Ground Time", "Milliseconds", 10, 5};

// A running record with every field set; every fifth record has its
// running dynamics left empty, as newer watches do while walking.
Record MakeRecord(int i, bool with_developer) {
  Record r;
  r.timestamp_s = kStart + i;
  r.latitude_deg = 59.6051 + i * 1.3e-5;
  r.longitude_deg = -16.5174 - i * 0.7e-5;
  r.distance_m = i * 2.87;
  r.speed_mps = 2.871 + 0.013 * (i % 7);
  r.altitude_m = 4.8 + 0.2 * (i % 5);
  r.heart_rate_bpm = 140 + i % 20;
  r.cadence_spm = 168 + (i % 9) / 64.0;
  r.power_w = 250 + i % 50;
  r.temperature_c = -3 + i % 10;
  if (i % 5 != 4) {
    r.step_length_m = 1.0 + 0.0001 * i;
    r.vertical_oscillation_cm = 8.5 + 0.01 * (i % 10);
    r.vertical_ratio_pct = 7.12 + 0.01 * (i % 10);
    r.stance_time_ms = 250.5 + 0.1 * (i % 10);
    r.stance_time_balance_left_pct = 49.5 + 0.01 * (i % 100);
  }
  if (with_developer) {
    r.developer = {
        {0, 8, "Form Power", "Watts", 79.0 + i % 3},
        {0, 9, "Leg Spring Stiffness", "kN/m", 10.25 + 0.5 * (i % 4)},
        {1, 3, "Ground Time", "Milliseconds", 240.5 + i % 7},
    };
  }
  return r;
}

Summary MakeSummary(int64_t start, int seconds) {
  return Summary{
      .timestamp_s = start + seconds,
      .start_time_s = start,
      .total_elapsed_time_s = seconds + 0.887,
      .total_timer_time_s = seconds + 0.5,
      .total_distance_m = seconds * 2.87,
      .avg_speed_mps = 2.77,
      .max_speed_mps = 3.658,
      .avg_heart_rate = 150,
      .max_heart_rate = 171,
      .total_ascent_m = 12,
      .total_descent_m = 9,
      .avg_cadence_spm = 2 * (83 + 86 / 128.0),
      .avg_step_length_m = 0.9717,
      .avg_vertical_oscillation_cm = 7.62,
      .avg_vertical_ratio_pct = 7.42,
      .avg_stance_time_ms = 270.3,
      .avg_stance_time_balance_left_pct = 52.39,
      .sport = kSportRunning,
      .sub_sport = 0,
  };
}

Activity MakeRun(int record_count, bool with_developer) {
  Activity a;
  a.file_id = {.type = 4,
               .manufacturer = 1,
               .product = 3113,
               .serial_number = 3948522231u,
               .time_created_s = kStart};
  a.devices = {
      {.timestamp_s = kStart,
       .manufacturer = 1,
       .product = 3113,
       .serial_number = 3948522231u,
       .device_index = 0,
       .software_version = 8.3},
      {.timestamp_s = kStart,
       .manufacturer = 1,
       .product = 2327,
       .serial_number = 3912342378u,
       .device_index = 3,
       .software_version = 34.0},
  };
  a.sport = kSportRunning;
  for (int i = 0; i < record_count; ++i) {
    a.records.push_back(MakeRecord(i, with_developer));
  }
  a.laps = {MakeSummary(kStart, record_count / 2),
            MakeSummary(kStart + record_count / 2, record_count / 2)};
  a.sessions = {MakeSummary(kStart, record_count)};
  return a;
}

void ExpectActivityNear(const Activity& expected, const Activity& actual) {
  EXPECT_EQ(expected.file_id.type, actual.file_id.type);
  EXPECT_EQ(expected.file_id.manufacturer, actual.file_id.manufacturer);
  EXPECT_EQ(expected.file_id.product, actual.file_id.product);
  EXPECT_EQ(expected.file_id.serial_number, actual.file_id.serial_number);
  EXPECT_EQ(expected.file_id.time_created_s, actual.file_id.time_created_s);
  ASSERT_EQ(expected.devices.size(), actual.devices.size());
  for (size_t i = 0; i < expected.devices.size(); ++i) {
    const DeviceInfo& e = expected.devices[i];
    const DeviceInfo& a = actual.devices[i];
    EXPECT_EQ(e.timestamp_s, a.timestamp_s);
    EXPECT_EQ(e.manufacturer, a.manufacturer);
    EXPECT_EQ(e.product, a.product);
    EXPECT_EQ(e.serial_number, a.serial_number);
    EXPECT_EQ(e.device_index, a.device_index);
    ExpectNear("software_version", e.software_version, a.software_version,
               0.005);
  }
  ASSERT_EQ(expected.records.size(), actual.records.size());
  for (size_t i = 0; i < expected.records.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("record ", i));
    ExpectRecordNear(expected.records[i], actual.records[i]);
  }
  ASSERT_EQ(expected.laps.size(), actual.laps.size());
  for (size_t i = 0; i < expected.laps.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("lap ", i));
    ExpectSummaryNear(expected.laps[i], actual.laps[i]);
  }
  ASSERT_EQ(expected.sessions.size(), actual.sessions.size());
  for (size_t i = 0; i < expected.sessions.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("session ", i));
    ExpectSummaryNear(expected.sessions[i], actual.sessions[i]);
  }
  EXPECT_EQ(expected.sport, actual.sport);
}

std::string JoinWarnings(const Activity& activity) {
  std::string out;
  for (const std::string& w : activity.warnings) absl::StrAppend(&out, w, "\n");
  return out;
}

bool HasWarning(const Activity& activity, absl::string_view fragment) {
  for (const std::string& w : activity.warnings) {
    if (absl::StrContains(w, fragment)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Round trips through the encoder, over every header/endianness/field/header
// combination.

using RoundTripParams =
    std::tuple<int /*header_size*/, bool /*header_crc*/, bool /*big_endian*/,
               bool /*enhanced*/, bool /*compressed*/>;

class FitRoundTripTest : public ::testing::TestWithParam<RoundTripParams> {};

std::string RoundTripName(
    const ::testing::TestParamInfo<RoundTripParams>& info) {
  const auto [header_size, header_crc, big_endian, enhanced, compressed] =
      info.param;
  return absl::StrCat("Header", header_size, header_crc ? "Crc" : "NoCrc",
                      big_endian ? "BigEndian" : "LittleEndian",
                      enhanced ? "Enhanced" : "Legacy",
                      compressed ? "Compressed" : "FullTimestamps");
}

TEST_P(FitRoundTripTest, DecodesWhatWasEncoded) {
  const auto [header_size, header_crc, big_endian, enhanced, compressed] =
      GetParam();
  ActivityEncodeOptions options;
  options.file.header_size = static_cast<uint8_t>(header_size);
  options.file.header_crc = header_crc;
  options.big_endian = big_endian;
  options.enhanced_fields = enhanced;
  options.compressed_timestamps = compressed;
  options.developer_fields = {kFormPower, kStiffness, kGroundTime};

  const Activity expected =
      MakeRun(/*record_count=*/90, /*with_developer=*/true);
  const std::string file = EncodeActivity(expected, options);
  absl::StatusOr<Activity> decoded = DecodeFit(file);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ExpectActivityNear(expected, *decoded);
  EXPECT_EQ(decoded->chained_files, 1);
  EXPECT_TRUE(decoded->warnings.empty()) << JoinWarnings(*decoded);
  EXPECT_TRUE(IsRunning(*decoded));
}

INSTANTIATE_TEST_SUITE_P(
    AllLayouts, FitRoundTripTest,
    ::testing::Combine(::testing::Values(12, 14), ::testing::Bool(),
                       ::testing::Bool(), ::testing::Bool(), ::testing::Bool()),
    RoundTripName);

TEST(FitDecoderTest, CompressedTimestampsFollowGapsAndRollover) {
  Activity expected = MakeRun(0, false);
  // Offsets chosen to cross 32-second boundaries and to include gaps that
  // cannot be compressed (>= 32 s) and a repeated timestamp.
  const std::vector<int> offsets = {0,  1,  5,   31,  33,  63,  64,
                                    64, 95, 200, 231, 232, 1000};
  for (size_t i = 0; i < offsets.size(); ++i) {
    Record r = MakeRecord(static_cast<int>(i), false);
    r.timestamp_s = kStart + offsets[i];
    expected.records.push_back(r);
  }
  ActivityEncodeOptions options;
  options.compressed_timestamps = true;
  absl::StatusOr<Activity> decoded =
      DecodeFit(EncodeActivity(expected, options));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) {
    EXPECT_EQ(decoded->records[i].timestamp_s, kStart + offsets[i]) << i;
  }
}

TEST(FitDecoderTest, RunningDynamicsLeftInvalidAreAbsentNotZero) {
  Activity activity = MakeRun(0, false);
  Record bare;
  bare.timestamp_s = kStart;
  activity.records = {bare};
  absl::StatusOr<Activity> decoded = DecodeFit(EncodeActivity(activity));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 1u);
  // Every field was written as its base type's invalid sentinel.
  ExpectRecordNear(bare, decoded->records[0]);
}

TEST(FitDecoderTest, CadenceIsStepsPerMinuteFromStridesAndFraction) {
  FitWriter writer;
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
       {4, FitBaseType::kUint8, FitValue::UInt(84)},
       {53, FitBaseType::kUint8, FitValue::UInt(64)}});
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart + 1))},
       {4, FitBaseType::kUint8, FitValue::UInt(85)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_DOUBLE_EQ(*decoded->records[0].cadence_spm, 169.0);  // 2 * 84.5
  EXPECT_DOUBLE_EQ(*decoded->records[1].cadence_spm, 170.0);  // no fraction
}

TEST(FitDecoderTest, ProfileScalesAndUnitConversions) {
  FitWriter writer;
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
       {0, FitBaseType::kSint32, FitValue::Int(711062642)},
       {1, FitBaseType::kSint32, FitValue::Int(-1463077077)},
       {2, FitBaseType::kUint16, FitValue::UInt(2524)},    // (2524/5)-500 m
       {5, FitBaseType::kUint32, FitValue::UInt(33587)},   // 335.87 m
       {6, FitBaseType::kUint16, FitValue::UInt(3490)},    // 3.49 m/s
       {39, FitBaseType::kUint16, FitValue::UInt(897)},    // 89.7 mm
       {41, FitBaseType::kUint16, FitValue::UInt(2520)},   // 252.0 ms
       {83, FitBaseType::kUint16, FitValue::UInt(712)},    // 7.12 %
       {84, FitBaseType::kUint16, FitValue::UInt(5006)},   // 50.06 %
       {85, FitBaseType::kUint16, FitValue::UInt(12360)},  // 1236.0 mm
       {13, FitBaseType::kSint8, FitValue::Int(-7)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const Record& r = decoded->records.at(0);
  EXPECT_EQ(r.timestamp_s, kStart);
  EXPECT_NEAR(*r.latitude_deg, 711062642 * kSemicircleDeg, 1e-12);
  EXPECT_NEAR(*r.longitude_deg, -1463077077 * kSemicircleDeg, 1e-12);
  EXPECT_NEAR(*r.altitude_m, 4.8, 1e-9);
  EXPECT_NEAR(*r.distance_m, 335.87, 1e-9);
  EXPECT_NEAR(*r.speed_mps, 3.49, 1e-9);
  EXPECT_NEAR(*r.vertical_oscillation_cm, 8.97, 1e-9);
  EXPECT_NEAR(*r.stance_time_ms, 252.0, 1e-9);
  EXPECT_NEAR(*r.vertical_ratio_pct, 7.12, 1e-9);
  EXPECT_NEAR(*r.stance_time_balance_left_pct, 50.06, 1e-9);
  EXPECT_NEAR(*r.step_length_m, 1.236, 1e-9);
  EXPECT_NEAR(*r.temperature_c, -7, 1e-9);
  EXPECT_FALSE(r.heart_rate_bpm.has_value());
}

TEST(FitDecoderTest, EnhancedSpeedAndAltitudePreferredWhenValid) {
  FitWriter writer;
  const std::vector<FitField> both = {
      {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
      {6, FitBaseType::kUint16, FitValue::UInt(1000)},
      {73, FitBaseType::kUint32, FitValue::UInt(70000)},  // above uint16 range
      {2, FitBaseType::kUint16, FitValue::UInt(3000)},
      {78, FitBaseType::kUint32, FitValue::UInt(100000)}};
  writer.Message(0, kRecordMesg, both);
  const std::vector<FitField> enhanced_invalid = {
      {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart + 1))},
      {6, FitBaseType::kUint16, FitValue::UInt(1000)},
      {73, FitBaseType::kUint32, FitValue::Invalid()},
      {2, FitBaseType::kUint16, FitValue::UInt(3000)},
      {78, FitBaseType::kUint32, FitValue::Invalid()}};
  writer.Data(0, enhanced_invalid);
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_NEAR(*decoded->records[0].speed_mps, 70.0, 1e-9);
  EXPECT_NEAR(*decoded->records[0].altitude_m, 19500.0, 1e-9);
  EXPECT_NEAR(*decoded->records[1].speed_mps, 1.0, 1e-9);
  EXPECT_NEAR(*decoded->records[1].altitude_m, 100.0, 1e-9);
}

// Writes a developer_data_id message declaring developer data `index`.
void DeclareDeveloperData(FitWriter& writer, uint8_t index) {
  writer.Message(15, kDeveloperDataIdMesg,
                 {{3, FitBaseType::kUint8, FitValue::UInt(index)}});
}

// Writes the field_description of one developer field.
void DescribeDeveloperField(FitWriter& writer, uint8_t index, uint8_t number,
                            FitBaseType type, std::string name,
                            FitValue scale = FitValue::Invalid(),
                            FitValue offset = FitValue::Invalid()) {
  writer.Message(
      15, kFieldDescriptionMesg,
      {{0, FitBaseType::kUint8, FitValue::UInt(index)},
       {1, FitBaseType::kUint8, FitValue::UInt(number)},
       {2, FitBaseType::kUint8, FitValue::UInt(static_cast<uint8_t>(type))},
       {3, FitBaseType::kString, FitValue::Text(std::move(name))},
       {6, FitBaseType::kUint8, std::move(scale)},
       {7, FitBaseType::kSint8, std::move(offset)}});
}

struct BaseTypeCase {
  FitBaseType type;
  FitValue valid;
  double expected;
};

TEST(FitDecoderTest, EveryBaseTypeDecodesValuesAndTreatsSentinelsAsAbsent) {
  const std::vector<BaseTypeCase> cases = {
      {FitBaseType::kEnum, FitValue::UInt(7), 7},
      {FitBaseType::kSint8, FitValue::Int(-100), -100},
      {FitBaseType::kUint8, FitValue::UInt(254), 254},
      {FitBaseType::kSint16, FitValue::Int(-30000), -30000},
      {FitBaseType::kUint16, FitValue::UInt(65534), 65534},
      {FitBaseType::kSint32, FitValue::Int(-2000000000), -2000000000},
      {FitBaseType::kUint32, FitValue::UInt(4000000000u), 4000000000.0},
      {FitBaseType::kFloat32, FitValue::Real(10.25), 10.25},
      {FitBaseType::kFloat64, FitValue::Real(-1234.5678), -1234.5678},
      {FitBaseType::kUint8z, FitValue::UInt(255), 255},
      {FitBaseType::kUint16z, FitValue::UInt(65535), 65535},
      {FitBaseType::kUint32z, FitValue::UInt(0xFFFFFFFFu), 4294967295.0},
      {FitBaseType::kSint64, FitValue::Int(-(int64_t{1} << 40)),
       -1099511627776.0},
      {FitBaseType::kUint64, FitValue::UInt(uint64_t{1} << 50),
       1125899906842624.0},
      {FitBaseType::kUint64z, FitValue::UInt(12345), 12345},
      {FitBaseType::kByte, FitValue::UInt(0x42), 0x42},
  };
  for (bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big endian" : "little endian");
    FitWriter writer;
    std::vector<FitDevField> valid;
    std::vector<FitDevField> invalid;
    DeclareDeveloperData(writer, 0);
    for (size_t i = 0; i < cases.size(); ++i) {
      const auto number = static_cast<uint8_t>(i);
      DescribeDeveloperField(writer, 0, number, cases[i].type,
                             absl::StrCat("f", i));
      valid.push_back({number, 0, cases[i].type, cases[i].valid});
      invalid.push_back({number, 0, cases[i].type, FitValue::Invalid()});
    }
    const std::vector<FitField> time0 = {
        {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}};
    const std::vector<FitField> time1 = {
        {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart + 1))}};
    writer.Define(0, kRecordMesg, time0, valid, big_endian);
    writer.Data(0, time0, valid);
    writer.Data(0, time1, invalid);

    absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_EQ(decoded->records.size(), 2u);
    const std::vector<DeveloperValue>& values = decoded->records[0].developer;
    ASSERT_EQ(values.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(values[i].field_number, i);
      EXPECT_EQ(values[i].name, absl::StrCat("f", i));
      EXPECT_DOUBLE_EQ(values[i].value, cases[i].expected) << "case " << i;
    }
    EXPECT_TRUE(decoded->records[1].developer.empty());
    EXPECT_TRUE(decoded->warnings.empty()) << JoinWarnings(*decoded);
  }
}

TEST(FitDecoderTest, NonFiniteFloatDeveloperValuesAreAbsent) {
  FitWriter writer;
  DeclareDeveloperData(writer, 0);
  DescribeDeveloperField(writer, 0, 1, FitBaseType::kFloat32, "x");
  const std::vector<FitField> time = {
      {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}};
  writer.Define(0, kRecordMesg, time,
                {{1, 0, FitBaseType::kFloat32, FitValue::Invalid()}});
  writer.Data(0, time, {{1, 0, FitBaseType::kFloat32, FitValue::Real(NAN)}});
  writer.Data(0, time,
              {{1, 0, FitBaseType::kFloat32, FitValue::Real(INFINITY)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_TRUE(decoded->records[0].developer.empty());
  EXPECT_TRUE(decoded->records[1].developer.empty());
}

TEST(FitDecoderTest, DeveloperScaleAndOffsetAreApplied) {
  FitWriter writer;
  DeclareDeveloperData(writer, 2);
  DescribeDeveloperField(writer, 2, 7, FitBaseType::kSint16, "Lean",
                         FitValue::UInt(4), FitValue::Int(-3));
  const std::vector<FitField> time = {
      {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}};
  writer.Define(0, kRecordMesg, time,
                {{7, 2, FitBaseType::kSint16, FitValue::Invalid()}});
  writer.Data(0, time, {{7, 2, FitBaseType::kSint16, FitValue::Int(-10)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.at(0).developer.size(), 1u);
  EXPECT_DOUBLE_EQ(decoded->records[0].developer[0].value, -10 / 4.0 + 3);
  EXPECT_EQ(decoded->records[0].developer[0].developer_data_index, 2);
}

TEST(FitDecoderTest, DeveloperFieldWithoutDescriptionIsSkippedWithWarning) {
  FitWriter writer;
  const std::vector<FitField> time = {
      {253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
      {3, FitBaseType::kUint8, FitValue::UInt(150)}};
  const std::vector<FitDevField> dev = {
      {4, 0, FitBaseType::kUint16, FitValue::UInt(500)}};
  writer.Message(0, kRecordMesg, time, dev);
  writer.Data(0, time, dev);
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_TRUE(decoded->records[0].developer.empty());
  EXPECT_EQ(*decoded->records[0].heart_rate_bpm, 150);
  ASSERT_EQ(decoded->warnings.size(), 1u);
  EXPECT_TRUE(
      HasWarning(*decoded, "developer field 0:4 has no field_description"));
  EXPECT_TRUE(HasWarning(*decoded, "2 times"));
}

TEST(FitDecoderTest, RedeclaredDeveloperDataIdDropsOldDescriptions) {
  FitWriter writer;
  DeclareDeveloperData(writer, 0);
  DescribeDeveloperField(writer, 0, 1, FitBaseType::kUint8, "x");
  DeclareDeveloperData(writer, 1);  // another index leaves index 0 alone
  DescribeDeveloperField(writer, 0, 2, FitBaseType::kUint8, "y");
  DeclareDeveloperData(writer, 0);  // redeclaring index 0 drops x and y
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}},
      {{1, 0, FitBaseType::kUint8, FitValue::UInt(9)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->records.at(0).developer.empty());
  EXPECT_TRUE(HasWarning(*decoded, "no field_description"));
}

TEST(FitDecoderTest, DeveloperStringsAndArraysAreSkipped) {
  FitWriter writer;
  DeclareDeveloperData(writer, 0);
  DescribeDeveloperField(writer, 0, 1, FitBaseType::kString, "label");
  DescribeDeveloperField(writer, 0, 2, FitBaseType::kUint16, "pair");
  DescribeDeveloperField(writer, 0, 3, FitBaseType::kUint16, "single");
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}},
      {{1, 0, FitBaseType::kString, FitValue::Text("Run")},
       {2, 0, FitBaseType::kUint16, FitValue::UInt(5), 4},
       {3, 0, FitBaseType::kUint16, FitValue::UInt(6)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.at(0).developer.size(), 1u);
  EXPECT_EQ(decoded->records[0].developer[0].name, "single");
  EXPECT_TRUE(HasWarning(*decoded, "developer field 0:2 is 4 bytes"));
}

TEST(FitDecoderTest, NativeArraysUseFirstElementAndOddSizesAreSkipped) {
  FitWriter writer;
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
       {3, FitBaseType::kUint8, FitValue::UInt(151), 3},
       {7, FitBaseType::kUint16, FitValue::UInt(300), 3}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded->records.at(0).heart_rate_bpm, 151);
  EXPECT_FALSE(decoded->records[0].power_w.has_value());
  EXPECT_TRUE(HasWarning(*decoded, "field 7 of message 20 has size 3"));
}

TEST(FitDecoderTest, UnknownMessagesFieldsAndBaseTypesAreSkipped) {
  FitWriter writer;
  writer.Message(
      3, 0xFF00,
      {{1, FitBaseType::kByte, FitValue::Raw("\x01\x02\x03\x04\x05"), 5},
       {2, FitBaseType::kString, FitValue::Text("hello")},
       {3, FitBaseType::kFloat64, FitValue::Real(2.5)}});
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
       {200, FitBaseType::kByte, FitValue::Raw(std::string(7, '\x11')), 7},
       {3, FitBaseType::kUint8, FitValue::UInt(140)},
       {201, static_cast<FitBaseType>(0x1F), FitValue::Raw("ab"), 2}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 1u);
  EXPECT_EQ(*decoded->records[0].heart_rate_bpm, 140);
  EXPECT_TRUE(HasWarning(*decoded, "unknown base type 31"));
}

TEST(FitDecoderTest, RecordWithoutTimestampGetsLatestOneWithWarning) {
  FitWriter writer;
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}});
  writer.Message(1, kRecordMesg,
                 {{3, FitBaseType::kUint8, FitValue::UInt(99)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 2u);
  EXPECT_EQ(decoded->records[1].timestamp_s, kStart);
  EXPECT_TRUE(HasWarning(*decoded, "record without a timestamp"));
}

TEST(FitDecoderTest, CompressedTimestampBeforeAnyTimestampWarns) {
  FitWriter writer;
  writer.Define(0, kRecordMesg, {{3, FitBaseType::kUint8, FitValue::UInt(99)}});
  writer.CompressedData(0, 5, {{3, FitBaseType::kUint8, FitValue::UInt(99)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 1u);
  EXPECT_EQ(decoded->records[0].timestamp_s, kFitEpochUnixSeconds);
  EXPECT_TRUE(HasWarning(*decoded, "compressed timestamp header before any"));
}

TEST(FitDecoderTest, LongerHeadersAndNewerProtocolsAreAccepted) {
  FitWriter::Options options;
  options.header_size = 16;  // two extra header bytes a future SDK may add
  options.protocol_version = 0x30;
  FitWriter writer(options);
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))},
       {3, FitBaseType::kUint8, FitValue::UInt(120)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->records.size(), 1u);
  EXPECT_EQ(*decoded->records[0].heart_rate_bpm, 120);
  EXPECT_TRUE(HasWarning(*decoded, "protocol version 3.0 is newer"));
}

TEST(FitDecoderTest, DeviceRelativeTimestampsArePassedThroughWithWarning) {
  FitWriter writer;
  writer.Message(0, kRecordMesg,
                 {{253, FitBaseType::kUint32, FitValue::UInt(3600)}});
  absl::StatusOr<Activity> decoded = DecodeFit(writer.Finish());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->records.at(0).timestamp_s, kFitEpochUnixSeconds + 3600);
  EXPECT_TRUE(HasWarning(*decoded, "device-relative"));
}

TEST(FitDecoderTest, ChainedFilesAreOneStreamAndCounted) {
  Activity first = MakeRun(10, false);
  Activity second = MakeRun(0, false);
  second.file_id.serial_number = 42;
  for (int i = 0; i < 5; ++i) {
    Record r = MakeRecord(i, false);
    r.timestamp_s += 1000;
    second.records.push_back(r);
  }
  ActivityEncodeOptions twelve;
  twelve.file.header_size = 12;
  const std::string chained =
      Chain({EncodeActivity(first), EncodeActivity(second, twelve)});
  absl::StatusOr<Activity> decoded = DecodeFit(chained);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->chained_files, 2);
  ASSERT_EQ(decoded->records.size(), 15u);
  EXPECT_EQ(decoded->records[10].timestamp_s, kStart + 1000);
  EXPECT_EQ(decoded->file_id.serial_number, first.file_id.serial_number);
  EXPECT_EQ(decoded->sessions.size(), 2u);
  EXPECT_EQ(decoded->laps.size(), 4u);
}

TEST(FitDecoderTest, ChainedFileCannotUseDefinitionsOfThePreviousFile) {
  FitWriter a;
  a.Message(0, kRecordMesg,
            {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}});
  FitWriter b;
  b.Data(0,
         {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart + 1))}});
  const std::string first = a.Finish();
  absl::StatusOr<Activity> decoded = DecodeFit(Chain({first, b.Finish()}));
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      absl::StrContains(decoded.status().message(),
                        "local message type 0, which has no definition"));
  EXPECT_TRUE(absl::StrContains(decoded.status().message(),
                                absl::StrCat("byte ", first.size() + 14)));
}

TEST(FitDecoderTest, SportComesFromSessionsThenSportMessage) {
  Activity run = MakeRun(3, false);
  run.sport.reset();
  absl::StatusOr<Activity> decoded = DecodeFit(EncodeActivity(run));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->sport, kSportRunning);
  EXPECT_TRUE(IsRunning(*decoded));

  Activity walk = MakeRun(3, false);
  walk.sessions.clear();
  walk.sport = kSportWalking;
  decoded = DecodeFit(EncodeActivity(walk));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->sport, kSportWalking);
  EXPECT_FALSE(IsRunning(*decoded));

  Activity triathlon = MakeRun(3, false);
  triathlon.sessions = {MakeSummary(kStart, 10), MakeSummary(kStart + 10, 10),
                        MakeSummary(kStart + 20, 10)};
  triathlon.sessions[0].sport = kSportSwimming;
  triathlon.sessions[1].sport = kSportCycling;
  decoded = DecodeFit(EncodeActivity(triathlon));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->sport, kSportMultisport);
  EXPECT_FALSE(IsRunning(*decoded));

  Activity unknown = MakeRun(3, false);
  unknown.sessions.clear();
  unknown.sport.reset();
  decoded = DecodeFit(EncodeActivity(unknown));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(decoded->sport.has_value());
  EXPECT_FALSE(IsRunning(*decoded));
}

TEST(FitDecoderTest, LimitsAreResourceExhausted) {
  ActivityEncodeOptions options;
  options.developer_fields = {kFormPower, kStiffness, kGroundTime};
  const std::string file = EncodeActivity(MakeRun(50, true), options);
  EXPECT_TRUE(DecodeFit(file, {.max_records = 50}).ok());
  EXPECT_EQ(DecodeFit(file, {.max_records = 49}).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodeFit(file, {.max_developer_values = 149}).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodeFit(file, {.max_summaries = 1}).status().code(),
            absl::StatusCode::kResourceExhausted);
}

// ---------------------------------------------------------------------------
// Corrupt input.

std::string SmallFile() {
  ActivityEncodeOptions options;
  options.developer_fields = {kFormPower, kGroundTime};
  options.compressed_timestamps = true;
  return EncodeActivity(MakeRun(6, true), options);
}

TEST(FitCorruptionTest, NotFitInputIsInvalidArgument) {
  for (const std::string& input :
       {std::string(), std::string("hello"), std::string(12, '\0'),
        std::string("<?xml version=\"1.0\"?><TrainingCenterDatabase/>")}) {
    EXPECT_EQ(DecodeFit(input).status().code(),
              absl::StatusCode::kInvalidArgument)
        << input;
  }
  std::string wrong_signature = SmallFile();
  wrong_signature[9] = 'X';
  const absl::Status status = DecodeFit(wrong_signature).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "\".FIT\" signature"));

  FitWriter::Options tiny_header;
  tiny_header.header_size = 11;
  EXPECT_EQ(DecodeFit(FitWriter(tiny_header).Finish()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FitCorruptionTest, TruncationAtEveryOffsetIsReportedNeverCrashes) {
  const std::string file = SmallFile();
  absl::StatusOr<Activity> full = DecodeFit(file);
  ASSERT_TRUE(full.ok()) << full.status();
  for (size_t length = 0; length < file.size(); ++length) {
    SCOPED_TRACE(absl::StrCat("length ", length));
    const std::string cut = Truncated(file, length);
    const absl::StatusCode expected = length < 12
                                          ? absl::StatusCode::kInvalidArgument
                                          : absl::StatusCode::kDataLoss;
    EXPECT_EQ(DecodeFit(cut).status().code(), expected);
    EXPECT_EQ(DecodeFit(cut, {.check_crc = false}).status().code(), expected);

    absl::StatusOr<Activity> partial = DecodeFit(cut, {.allow_partial = true});
    if (length < 14) {
      EXPECT_FALSE(partial.ok());
      continue;
    }
    ASSERT_TRUE(partial.ok()) << partial.status();
    EXPECT_FALSE(partial->warnings.empty());
    ASSERT_LE(partial->records.size(), full->records.size());
    for (size_t i = 0; i < partial->records.size(); ++i) {
      EXPECT_EQ(partial->records[i].timestamp_s, full->records[i].timestamp_s);
    }
  }
}

TEST(FitCorruptionTest, FlippedBitsAnywhereAreDetected) {
  const std::string file = SmallFile();
  for (size_t offset = 0; offset < file.size(); ++offset) {
    for (uint8_t mask : {0x01, 0x10, 0x80}) {
      SCOPED_TRACE(absl::StrCat("offset ", offset, " mask ", mask));
      const absl::Status status =
          DecodeFit(WithFlippedBits(file, offset, mask)).status();
      if (offset >= 8 && offset < 12) {
        EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
      }
    }
  }
}

TEST(FitCorruptionTest, FileCrcMismatchIsDataLossUnlessUnchecked) {
  const std::string file = WithBadFileCrc(SmallFile());
  const absl::Status status = DecodeFit(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "file CRC mismatch at byte "))
      << status;
  EXPECT_EQ(DecodeFit(file, {.allow_partial = true}).status().code(),
            absl::StatusCode::kDataLoss);
  absl::StatusOr<Activity> unchecked = DecodeFit(file, {.check_crc = false});
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  EXPECT_EQ(unchecked->records.size(), 6u);
}

TEST(FitCorruptionTest, HeaderCrcMismatchIsDataLoss) {
  const std::string file = WithFlippedBits(SmallFile(), 13, 0x04);
  const absl::Status status = DecodeFit(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "header CRC mismatch at byte 12"))
      << status;
}

TEST(FitCorruptionTest, UndefinedLocalMessageTypeIsDataLossWithOffset) {
  FitWriter writer;
  writer.Message(
      0, kRecordMesg,
      {{253, FitBaseType::kUint32, FitValue::UInt(ToFitTime(kStart))}});
  const size_t offset = 14 + writer.data_size();
  writer.Data(11, {{253, FitBaseType::kUint32, FitValue::UInt(1)}});
  const std::string file = writer.Finish();
  const absl::Status status = DecodeFit(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      std::string(status.message()),
      absl::StrCat("data message at byte ", offset,
                   " uses local message type 11, which has no definition"));
  absl::StatusOr<Activity> partial = DecodeFit(file, {.allow_partial = true});
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_EQ(partial->records.size(), 1u);
  EXPECT_TRUE(HasWarning(*partial, "local message type 11"));
}

TEST(FitCorruptionTest, DataSizeLargerThanFileIsDataLoss) {
  const std::string file = SmallFile();
  const std::string liar =
      WithHeaderDataSize(file, static_cast<uint32_t>(file.size()));
  const absl::Status status = DecodeFit(liar).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "truncated: the header at byte 0"))
      << status;
  absl::StatusOr<Activity> partial = DecodeFit(liar, {.allow_partial = true});
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_TRUE(HasWarning(*partial, "truncated"));
}

TEST(FitCorruptionTest, DataSizeEndingMidMessageIsDataLoss) {
  const std::string file = SmallFile();
  const std::string short_data = WithHeaderDataSize(file, 20);
  const absl::Status status =
      DecodeFit(short_data, {.check_crc = false}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "truncated: definition message at byte 14"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "at byte 34")) << status;
}

TEST(FitCorruptionTest, TrailingBytesThatAreNotFitAreDataLoss) {
  const std::string file = SmallFile() + "garbage!garbage!";
  const absl::Status status = DecodeFit(file).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "are not a FIT file"))
      << status;
  absl::StatusOr<Activity> partial = DecodeFit(file, {.allow_partial = true});
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_EQ(partial->records.size(), 6u);
  EXPECT_EQ(partial->chained_files, 1);
}

TEST(FitCorruptionTest, RandomMutationsNeverCrash) {
  const std::string file = SmallFile();
  uint64_t state = 0x9E3779B97F4A7C15u;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string mutated = file;
    const int edits = 1 + static_cast<int>(next() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t at = 14 + next() % (mutated.size() - 14);
      mutated[at] = static_cast<char>(next());
    }
    for (const DecodeOptions& options :
         {DecodeOptions{.check_crc = false},
          DecodeOptions{.check_crc = false, .allow_partial = true}}) {
      const absl::StatusOr<Activity> decoded = DecodeFit(mutated, options);
      if (decoded.ok()) {
        for (const Record& r : decoded->records) {
          for (const std::optional<double>& v :
               {r.speed_mps, r.cadence_spm, r.stance_time_ms,
                r.step_length_m}) {
            if (v) {
              EXPECT_TRUE(std::isfinite(*v));
            }
          }
        }
      } else {
        EXPECT_TRUE(decoded.status().code() == absl::StatusCode::kDataLoss ||
                    decoded.status().code() ==
                        absl::StatusCode::kResourceExhausted)
            << decoded.status();
      }
    }
  }
}

TEST(FitCrcTest, MatchesIndependentImplementation) {
  const std::string file = SmallFile();
  EXPECT_EQ(FitCrc16(file), test_support::FitCrc(file));
  // A FIT file including its CRC checks to zero.
  EXPECT_EQ(FitCrc16(file), 0);
  EXPECT_EQ(FitCrc16("123456789"), 0xBB3D);  // CRC-16/ARC check value
}

// ---------------------------------------------------------------------------
// Real files from ../shared/data, checked against reference decodes.

// A minimal JSON value and parser for the reference .jsonl lines.
struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  // An object's members: keys[i] names values[i]. (Two vectors rather than
  // pairs, because a pair cannot hold the still-incomplete Json.)
  std::vector<std::string> keys;
  std::vector<Json> values;

  const Json* Find(absl::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &values[i];
    }
    return nullptr;
  }
  std::optional<double> Number(absl::string_view key) const {
    const Json* v = Find(key);
    if (v == nullptr || v->type != Type::kNumber) return std::nullopt;
    return v->number;
  }
  std::string String(absl::string_view key) const {
    const Json* v = Find(key);
    return v != nullptr && v->type == Type::kString ? v->string : "";
  }
};

class JsonParser {
 public:
  explicit JsonParser(absl::string_view text) : text_(text) {}

  bool Parse(Json* out) {
    if (!Value(out)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool Consume(absl::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  bool Value(Json* out) {
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') return Object(out);
    if (c == '[') return Array(out);
    if (c == '"') {
      out->type = Json::Type::kString;
      return String(&out->string);
    }
    if (Consume("null")) return true;
    if (Consume("true")) {
      out->type = Json::Type::kBool;
      out->boolean = true;
      return true;
    }
    if (Consume("false")) {
      out->type = Json::Type::kBool;
      return true;
    }
    if (Consume("NaN")) {
      out->type = Json::Type::kNumber;
      out->number = NAN;
      return true;
    }
    return NumberValue(out);
  }
  bool NumberValue(Json* out) {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           absl::string_view("+-0123456789.eE").find(text_[pos_]) !=
               absl::string_view::npos) {
      ++pos_;
    }
    if (pos_ == start) return false;
    out->type = Json::Type::kNumber;
    out->number = std::strtod(
        std::string(text_.substr(start, pos_ - start)).c_str(), nullptr);
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return false;
    *out = static_cast<uint32_t>(
        std::stoul(std::string(text_.substr(pos_, 4)), nullptr, 16));
    pos_ += 4;
    return true;
  }
  bool String(std::string* out) {
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case 'n':
          out->push_back('\n');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && Consume("\\u")) {
            uint32_t low;
            if (!Hex4(&low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          out->push_back(e);
          break;  // \" \\ \/
      }
    }
    return false;
  }
  bool Array(Json* out) {
    out->type = Json::Type::kArray;
    ++pos_;
    SkipSpace();
    if (Consume("]")) return true;
    while (true) {
      out->array.emplace_back();
      if (!Value(&out->array.back())) return false;
      SkipSpace();
      if (Consume("]")) return true;
      if (!Consume(",")) return false;
    }
  }
  bool Object(Json* out) {
    out->type = Json::Type::kObject;
    ++pos_;
    SkipSpace();
    if (Consume("}")) return true;
    while (true) {
      SkipSpace();
      std::string key;
      if (pos_ >= text_.size() || text_[pos_] != '"' || !String(&key))
        return false;
      SkipSpace();
      if (!Consume(":")) return false;
      out->keys.push_back(std::move(key));
      out->values.emplace_back();
      if (!Value(&out->values.back())) return false;
      SkipSpace();
      if (Consume("}")) return true;
      if (!Consume(",")) return false;
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// "2017-06-11T14:34:09" (naive UTC) -> Unix seconds.
int64_t ParseUtc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  // Days from civil (Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + s;
}

struct Reference {
  Json meta;
  std::vector<Json> file_ids;
  std::vector<Json> devices;
  std::vector<Json> sessions;
  std::vector<Json> laps;
  std::vector<Json> records;
};

std::optional<std::filesystem::path> SharedDataDir() {
  std::filesystem::path dir = GK_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GK_SHARED_DATA_DIR"); env && *env)
    dir = env;
  if (!std::filesystem::is_directory(dir / "activities") ||
      !std::filesystem::is_directory(dir / "activities-ref")) {
    return std::nullopt;
  }
  return dir;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Reference LoadReference(const std::filesystem::path& path) {
  Reference ref;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json json;
    EXPECT_TRUE(JsonParser(line).Parse(&json)) << line.substr(0, 200);
    const std::string type = json.String("type");
    if (type == "meta") {
      ref.meta = std::move(json);
    } else if (type == "file_id") {
      ref.file_ids.push_back(std::move(json));
    } else if (type == "device_info") {
      ref.devices.push_back(std::move(json));
    } else if (type == "session") {
      ref.sessions.push_back(std::move(json));
    } else if (type == "lap") {
      ref.laps.push_back(std::move(json));
    } else if (type == "record") {
      ref.records.push_back(std::move(json));
    }
  }
  return ref;
}

// What a reference record says our Record should hold. fitparse gives
// profile units (mm, semicircles, strides/min); convert them to ours.
Record ExpectedFromReference(const Json& ref) {
  static const Json kEmpty;
  const Json* fields_ptr = ref.Find("fields");
  const Json& f = fields_ptr != nullptr ? *fields_ptr : kEmpty;
  auto scaled = [&f](absl::string_view key,
                     double factor) -> std::optional<double> {
    const std::optional<double> v = f.Number(key);
    if (!v) return std::nullopt;
    return *v * factor;
  };
  Record r;
  r.timestamp_s = ParseUtc(f.String("timestamp"));
  r.latitude_deg = scaled("position_lat", kSemicircleDeg);
  r.longitude_deg = scaled("position_long", kSemicircleDeg);
  r.distance_m = f.Number("distance");
  r.speed_mps = f.Number("enhanced_speed") ? f.Number("enhanced_speed")
                                           : f.Number("speed");
  r.altitude_m = f.Number("enhanced_altitude") ? f.Number("enhanced_altitude")
                                               : f.Number("altitude");
  r.heart_rate_bpm = f.Number("heart_rate");
  if (const std::optional<double> cadence = f.Number("cadence")) {
    r.cadence_spm = 2 * (*cadence + f.Number("fractional_cadence").value_or(0));
  }
  r.step_length_m = scaled("step_length", 0.001);
  r.vertical_oscillation_cm = scaled("vertical_oscillation", 0.1);
  r.vertical_ratio_pct = f.Number("vertical_ratio");
  r.stance_time_ms = f.Number("stance_time");
  r.stance_time_balance_left_pct = f.Number("stance_time_balance");
  r.power_w = f.Number("power");
  r.temperature_c = f.Number("temperature");
  if (const Json* dev = ref.Find("dev_fields")) {
    for (size_t i = 0; i < dev->keys.size(); ++i) {
      const std::string& key = dev->keys[i];
      const Json& value = dev->values[i];
      if (value.type != Json::Type::kNumber) continue;
      unsigned index = 0, number = 0;
      int name_at = 0;
      std::sscanf(key.c_str(), "%u:%u:%n", &index, &number, &name_at);
      r.developer.push_back({static_cast<uint8_t>(index),
                             static_cast<uint8_t>(number), key.substr(name_at),
                             "", value.number});
    }
  }
  return r;
}

void ExpectRecordsMatchReference(const Activity& actual, const Reference& ref,
                                 const std::string& file) {
  ASSERT_EQ(actual.records.size(), ref.records.size()) << file;
  for (size_t i = 0; i < ref.records.size(); ++i) {
    SCOPED_TRACE(absl::StrCat(file, " record ", i));
    Record expected = ExpectedFromReference(ref.records[i]);
    Record ours = actual.records[i];
    // The reference keys developer values by name; units are not in it.
    for (DeveloperValue& v : ours.developer) v.units.clear();
    auto by_key = [](const DeveloperValue& a, const DeveloperValue& b) {
      return std::tie(a.developer_data_index, a.field_number) <
             std::tie(b.developer_data_index, b.field_number);
    };
    std::sort(expected.developer.begin(), expected.developer.end(), by_key);
    std::sort(ours.developer.begin(), ours.developer.end(), by_key);
    ExpectRecordNear(expected, ours);
    if (::testing::Test::HasFailure())
      return;  // One record's detail is enough.
  }
}

struct RealFileCase {
  const char* file;
  bool running;
  int chained_files;
};

void PrintTo(const RealFileCase& c, std::ostream* os) { *os << c.file; }

class FitRealFileFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = SharedDataDir();
    if (!dir_) {
      GTEST_SKIP() << "../shared/data absent: real-file checks skipped";
    }
  }
  std::string Bytes(const std::string& file) const {
    return ReadFile(*dir_ / "activities" / file);
  }
  Reference Ref(const std::string& file) const {
    return LoadReference(*dir_ / "activities-ref" / (file + ".ref.jsonl"));
  }
  std::optional<std::filesystem::path> dir_;
};

class FitRealFileTest : public FitRealFileFixture,
                        public ::testing::WithParamInterface<RealFileCase> {};

TEST_P(FitRealFileTest, MatchesReferenceDecode) {
  const RealFileCase& c = GetParam();
  const Reference ref = Ref(c.file);
  ASSERT_EQ(ref.meta.String("status"), "ok");
  absl::StatusOr<Activity> decoded = DecodeFit(Bytes(c.file));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ExpectRecordsMatchReference(*decoded, ref, c.file);
  EXPECT_EQ(decoded->chained_files, c.chained_files);
  EXPECT_EQ(IsRunning(*decoded), c.running);
  EXPECT_EQ(decoded->sessions.size(), ref.sessions.size());
  EXPECT_EQ(decoded->laps.size(), ref.laps.size());
  ASSERT_FALSE(ref.file_ids.empty());
  const Json& file_id = *ref.file_ids[0].Find("fields");
  EXPECT_EQ(decoded->file_id.time_created_s,
            ParseUtc(file_id.String("time_created")));
  if (const std::optional<double> serial = file_id.Number("serial_number")) {
    EXPECT_EQ(decoded->file_id.serial_number, static_cast<uint32_t>(*serial));
  }
  ASSERT_EQ(decoded->devices.size(), ref.devices.size());
  for (size_t i = 0; i < ref.devices.size(); ++i) {
    const Json& d = *ref.devices[i].Find("fields");
    const DeviceInfo& ours = decoded->devices[i];
    ExpectNear("software_version", d.Number("software_version"),
               ours.software_version, 0.005 + Tolerance::kEps);
    if (const std::optional<double> serial = d.Number("serial_number")) {
      EXPECT_EQ(ours.serial_number, static_cast<uint32_t>(*serial));
    } else {
      EXPECT_FALSE(ours.serial_number.has_value());
    }
  }
  for (size_t i = 0; i < ref.sessions.size() && i < decoded->sessions.size();
       ++i) {
    const Json& s = *ref.sessions[i].Find("fields");
    const Summary& ours = decoded->sessions[i];
    ExpectNear("session distance", s.Number("total_distance"),
               ours.total_distance_m, Tolerance::kDistance);
    ExpectNear("session timer", s.Number("total_timer_time"),
               ours.total_timer_time_s, Tolerance::kTime);
    EXPECT_EQ(ours.start_time_s, ParseUtc(s.String("start_time")));
    EXPECT_EQ(ours.sport == kSportRunning, s.String("sport") == "running");
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, FitRealFileTest,
    ::testing::Values(RealFileCase{"garmin-fenix-5-run.fit", true, 1},
                      RealFileCase{"running-with-developer-data.fit", true, 1},
                      RealFileCase{"garmin-stamina.fit", true, 1},
                      RealFileCase{"activity-small-fenix2-run.fit", true, 1},
                      RealFileCase{"developer-types-sample.fit", true, 1},
                      RealFileCase{"Edge810-Vector-2013-08-16-15-35-10.fit",
                                   false, 1},
                      RealFileCase{"sample_mulitple_header.fit", false, 4}),
    [](const ::testing::TestParamInfo<RealFileCase>& info) {
      std::string name;
      for (const char* p = info.param.file; *p != '\0' && *p != '.'; ++p) {
        name.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
      }
      return name;
    });

using FitBrokenRealFileTest = FitRealFileFixture;

TEST_F(FitBrokenRealFileTest, WrongFileCrcIsDataLossAndDecodesUnchecked) {
  const std::string bytes = Bytes("activity-filecrc.fit");
  const absl::Status status = DecodeFit(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(std::string(status.message()),
            "file CRC mismatch at byte 769: stored 0xb1d5, computed 0xa1d5 "
            "(FIT file starting at byte 0)");
  absl::StatusOr<Activity> unchecked = DecodeFit(bytes, {.check_crc = false});
  ASSERT_TRUE(unchecked.ok()) << unchecked.status();
  ExpectRecordsMatchReference(*unchecked, Ref("activity-filecrc.fit"),
                              "activity-filecrc.fit");
}

TEST_F(FitBrokenRealFileTest, UnexpectedEofIsDataLossAndSalvageable) {
  const std::string bytes = Bytes("activity-unexpected-eof.fit");
  const absl::Status status = DecodeFit(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(),
                                "truncated: the header at byte 0 "
                                "declares 757 data bytes"))
      << status;
  EXPECT_EQ(DecodeFit(bytes, {.check_crc = false}).status().code(),
            absl::StatusCode::kDataLoss);
  absl::StatusOr<Activity> partial = DecodeFit(bytes, {.allow_partial = true});
  ASSERT_TRUE(partial.ok()) << partial.status();
  ExpectRecordsMatchReference(*partial, Ref("activity-unexpected-eof.fit"),
                              "activity-unexpected-eof.fit");
}

// Decision: the Strava file is rejected (DataLoss): its header declares
// more data than the file holds, and its stream breaks at an undefined
// local message type 11, exactly where fitparse stops too. allow_partial
// salvages the 473 records before the break (the last of which already
// carries a corrupt 2085 timestamp, as in the reference).
TEST_F(FitBrokenRealFileTest, StravaFileIsDataLossAndBreaksWhereFitparseDoes) {
  const std::string file = "strava-android-app-201.10-b1218918.fit";
  const std::string bytes = Bytes(file);
  const absl::Status status = DecodeFit(bytes).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "declares 78236 data bytes"))
      << status;

  absl::StatusOr<Activity> partial = DecodeFit(bytes, {.allow_partial = true});
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_TRUE(
      HasWarning(*partial, "local message type 11, which has no definition"))
      << JoinWarnings(*partial);
  ExpectRecordsMatchReference(*partial, Ref(file), file);
}

}  // namespace
}  // namespace gaitkeeper::ingestion::fit
