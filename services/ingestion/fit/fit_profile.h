#pragma once

// The slice of the FIT profile (Garmin FIT SDK, Profile.xlsx) this decoder
// reads: message numbers, field numbers and each field's scale and offset
// (physical value = raw / scale - offset, in the profile's units). Internal
// to the decoder; the encoder used by the tests keeps its own copy on
// purpose, so that a typo here is caught by the real-file tests instead of
// being mirrored.

#include <cstdint>

namespace gaitkeeper::ingestion::fit::profile {

struct FieldSpec {
  uint8_t number;
  double scale = 1;
  double offset = 0;
};

// Field 253 is the timestamp (date_time, uint32 seconds since the FIT epoch)
// in every message that has one.
inline constexpr uint8_t kTimestampField = 253;

// Global message numbers.
inline constexpr uint16_t kMesgFileId = 0;
inline constexpr uint16_t kMesgSport = 12;
inline constexpr uint16_t kMesgSession = 18;
inline constexpr uint16_t kMesgLap = 19;
inline constexpr uint16_t kMesgRecord = 20;
inline constexpr uint16_t kMesgDeviceInfo = 23;
inline constexpr uint16_t kMesgFieldDescription = 206;
inline constexpr uint16_t kMesgDeveloperDataId = 207;

namespace file_id {
inline constexpr FieldSpec kType{0};
inline constexpr FieldSpec kManufacturer{1};
inline constexpr FieldSpec kProduct{2};
inline constexpr FieldSpec kSerialNumber{3};
inline constexpr FieldSpec kTimeCreated{4};
}  // namespace file_id

namespace sport {
inline constexpr FieldSpec kSport{0};
inline constexpr FieldSpec kSubSport{1};
}  // namespace sport

namespace device_info {
inline constexpr FieldSpec kDeviceIndex{0};
inline constexpr FieldSpec kManufacturer{2};
inline constexpr FieldSpec kSerialNumber{3};
inline constexpr FieldSpec kProduct{4};
inline constexpr FieldSpec kSoftwareVersion{5, 100};
}  // namespace device_info

namespace record {
inline constexpr FieldSpec kPositionLat{0};       // semicircles
inline constexpr FieldSpec kPositionLong{1};      // semicircles
inline constexpr FieldSpec kAltitude{2, 5, 500};  // m
inline constexpr FieldSpec kHeartRate{3};         // bpm
inline constexpr FieldSpec kCadence{4};           // rpm (strides/min running)
inline constexpr FieldSpec kDistance{5, 100};     // m
inline constexpr FieldSpec kSpeed{6, 1000};       // m/s
inline constexpr FieldSpec kPower{7};             // W
inline constexpr FieldSpec kTemperature{13};      // C
inline constexpr FieldSpec kVerticalOscillation{39, 10};   // mm
inline constexpr FieldSpec kStanceTime{41, 10};            // ms
inline constexpr FieldSpec kFractionalCadence{53, 128};    // rpm
inline constexpr FieldSpec kEnhancedSpeed{73, 1000};       // m/s
inline constexpr FieldSpec kEnhancedAltitude{78, 5, 500};  // m
inline constexpr FieldSpec kVerticalRatio{83, 100};        // percent
inline constexpr FieldSpec kStanceTimeBalance{84, 100};    // percent (left)
inline constexpr FieldSpec kStepLength{85, 10};            // mm
}  // namespace record

// Lap and session carry the same summary fields under different numbers.
struct SummaryFields {
  FieldSpec start_time;
  FieldSpec total_elapsed_time;
  FieldSpec total_timer_time;
  FieldSpec total_distance;
  FieldSpec avg_speed;
  FieldSpec max_speed;
  FieldSpec avg_heart_rate;
  FieldSpec max_heart_rate;
  FieldSpec avg_cadence;
  FieldSpec total_ascent;
  FieldSpec total_descent;
  FieldSpec sport;
  FieldSpec sub_sport;
  FieldSpec avg_vertical_oscillation;  // mm
  FieldSpec avg_stance_time;           // ms
  FieldSpec avg_fractional_cadence;
  FieldSpec enhanced_avg_speed;
  FieldSpec enhanced_max_speed;
  FieldSpec avg_vertical_ratio;       // percent
  FieldSpec avg_stance_time_balance;  // percent
  FieldSpec avg_step_length;          // mm
};

inline constexpr SummaryFields kLapFields{
    .start_time = {2},
    .total_elapsed_time = {7, 1000},
    .total_timer_time = {8, 1000},
    .total_distance = {9, 100},
    .avg_speed = {13, 1000},
    .max_speed = {14, 1000},
    .avg_heart_rate = {15},
    .max_heart_rate = {16},
    .avg_cadence = {17},
    .total_ascent = {21},
    .total_descent = {22},
    .sport = {25},
    .sub_sport = {39},
    .avg_vertical_oscillation = {77, 10},
    .avg_stance_time = {79, 10},
    .avg_fractional_cadence = {80, 128},
    .enhanced_avg_speed = {110, 1000},
    .enhanced_max_speed = {111, 1000},
    .avg_vertical_ratio = {118, 100},
    .avg_stance_time_balance = {119, 100},
    .avg_step_length = {120, 10},
};

inline constexpr SummaryFields kSessionFields{
    .start_time = {2},
    .total_elapsed_time = {7, 1000},
    .total_timer_time = {8, 1000},
    .total_distance = {9, 100},
    .avg_speed = {14, 1000},
    .max_speed = {15, 1000},
    .avg_heart_rate = {16},
    .max_heart_rate = {17},
    .avg_cadence = {18},
    .total_ascent = {22},
    .total_descent = {23},
    .sport = {5},
    .sub_sport = {6},
    .avg_vertical_oscillation = {89, 10},
    .avg_stance_time = {91, 10},
    .avg_fractional_cadence = {92, 128},
    .enhanced_avg_speed = {124, 1000},
    .enhanced_max_speed = {125, 1000},
    .avg_vertical_ratio = {132, 100},
    .avg_stance_time_balance = {133, 100},
    .avg_step_length = {134, 10},
};

namespace developer_data_id {
inline constexpr FieldSpec kDeveloperDataIndex{3};
}  // namespace developer_data_id

namespace field_description {
inline constexpr FieldSpec kDeveloperDataIndex{0};
inline constexpr FieldSpec kFieldDefinitionNumber{1};
inline constexpr FieldSpec kFitBaseTypeId{2};
inline constexpr FieldSpec kFieldName{3};  // string
inline constexpr FieldSpec kScale{6};      // uint8, invalid = 1
inline constexpr FieldSpec kOffset{7};     // sint8, invalid = 0
inline constexpr FieldSpec kUnits{8};      // string
}  // namespace field_description

}  // namespace gaitkeeper::ingestion::fit::profile
