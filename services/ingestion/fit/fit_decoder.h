#pragma once

// Decoder for Garmin FIT activity files: bytes in, plain structs out.
//
// Pure library: no I/O, no exceptions, no global state. Every value is in
// physical units with the FIT profile's scale and offset applied; a field the
// file does not carry, or carries as the FIT "invalid" sentinel (0xFF,
// 0x7FFF, 0xFFFFFFFF, ... per base type) or as a non-finite float, is
// std::nullopt, never 0 or NaN.
//
// What is decoded: file_id, device_info, sport, lap, session and record
// messages, developer_data_id and field_description messages and the
// developer fields of records. Everything else (events, hrv, unknown
// messages, unknown fields) is skipped by its declared size.
//
// Protocol coverage: 12- and 14-byte headers (a stored header CRC of 0 means
// "not computed"), header and file CRCs, little- and big-endian definitions,
// normal and compressed-timestamp record headers, developer fields, and
// chained files (several FIT files back to back, decoded as one message stream;
// each file starts with fresh local definitions, developer field descriptions
// and timestamp reference, as the FIT protocol requires).
//
// Not handled: bit-packed profile components (record compressed_speed_distance,
// cadence256, accumulated fields), heart rate stored in separate `hr`
// messages (HRM swim data) and the millisecond timestamp fields; only the
// first element of array fields is read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gaitkeeper::ingestion::fit {

// Unix time of the FIT epoch, 1989-12-31T00:00:00Z. FIT timestamps count
// seconds from it; every *_s field below is already Unix seconds.
inline constexpr int64_t kFitEpochUnixSeconds = 631065600;

// Values of the FIT `sport` enum that callers commonly test.
inline constexpr uint8_t kSportGeneric = 0;
inline constexpr uint8_t kSportRunning = 1;
inline constexpr uint8_t kSportCycling = 2;
inline constexpr uint8_t kSportTransition = 3;
inline constexpr uint8_t kSportSwimming = 5;
inline constexpr uint8_t kSportWalking = 11;
inline constexpr uint8_t kSportHiking = 17;
inline constexpr uint8_t kSportMultisport = 18;

// One developer field value of a record (for example a Stryd "Form Power").
// Only numeric scalar developer fields are reported; string and array
// developer fields are skipped. `value` has the field_description's scale
// and offset applied.
struct DeveloperValue {
  uint8_t developer_data_index = 0;
  uint8_t field_number = 0;
  std::string name;   // field_description.field_name, may be empty
  std::string units;  // field_description.units, may be empty
  double value = 0;
};

// One FIT `record` message (one sample, usually 1 Hz).
struct Record {
  // Unix seconds. From the record's timestamp field or its compressed
  // timestamp header; a record with neither gets the latest timestamp seen
  // in the stream (kFitEpochUnixSeconds if none) and a warning. FIT times
  // below 0x10000000 are device-relative (seconds since power-on) and are
  // passed through as if absolute, with a warning.
  int64_t timestamp_s = 0;
  std::optional<double> latitude_deg;   // semicircles * 180 / 2^31
  std::optional<double> longitude_deg;  // semicircles * 180 / 2^31
  std::optional<double> distance_m;
  // enhanced_speed / enhanced_altitude when valid, else speed / altitude.
  std::optional<double> speed_mps;
  std::optional<double> altitude_m;
  std::optional<double> heart_rate_bpm;
  // 2 * (cadence + fractional_cadence): FIT running cadence counts strides
  // (cycles), so this is steps per minute for running and walking. For
  // cycling the FIT field is crank rpm and this value is twice it: check the
  // sport (IsRunning) before treating it as a step rate.
  std::optional<double> cadence_spm;
  std::optional<double> step_length_m;            // FIT mm / 1000
  std::optional<double> vertical_oscillation_cm;  // FIT mm / 10
  std::optional<double> vertical_ratio_pct;
  std::optional<double> stance_time_ms;  // ground contact time
  std::optional<double> stance_time_balance_left_pct;
  std::optional<double> power_w;
  std::optional<double> temperature_c;
  std::vector<DeveloperValue> developer;
};

// The file_id message (the first one when files are chained). Together,
// type, manufacturer, serial_number and time_created identify a file.
struct FileId {
  std::optional<uint32_t> type;  // FIT `file` enum; 4 = activity
  std::optional<uint32_t> manufacturer;
  std::optional<uint32_t> product;
  std::optional<uint32_t> serial_number;
  std::optional<int64_t> time_created_s;
};

// A lap or session message: both carry the same summary fields.
struct Summary {
  std::optional<int64_t> timestamp_s;  // end of the lap/session
  std::optional<int64_t> start_time_s;
  std::optional<double> total_elapsed_time_s;  // includes pauses
  std::optional<double> total_timer_time_s;    // excludes pauses
  std::optional<double> total_distance_m;
  std::optional<double> avg_speed_mps;  // enhanced_* preferred when valid
  std::optional<double> max_speed_mps;
  std::optional<double> avg_heart_rate;  // bpm
  std::optional<double> max_heart_rate;  // bpm
  std::optional<double> total_ascent_m;
  std::optional<double> total_descent_m;
  std::optional<double> avg_cadence_spm;  // 2 * (avg_cadence + fraction)
  std::optional<double> avg_step_length_m;
  std::optional<double> avg_vertical_oscillation_cm;
  std::optional<double> avg_vertical_ratio_pct;
  std::optional<double> avg_stance_time_ms;
  std::optional<double> avg_stance_time_balance_left_pct;
  std::optional<uint8_t> sport;      // raw FIT `sport` enum
  std::optional<uint8_t> sub_sport;  // raw FIT `sub_sport` enum
};
using Lap = Summary;
using SessionSummary = Summary;

// One device_info message (the watch itself, sensors, ...).
struct DeviceInfo {
  std::optional<int64_t> timestamp_s;
  std::optional<uint32_t> manufacturer;
  std::optional<uint32_t> product;
  std::optional<uint32_t> serial_number;
  std::optional<uint8_t> device_index;  // 0 = the device that made the file
  std::optional<double> software_version;
};

struct Activity {
  FileId file_id;
  std::vector<DeviceInfo> devices;
  std::vector<Lap> laps;
  std::vector<SessionSummary> sessions;
  std::vector<Record> records;  // in file order
  // The activity's sport: the sessions' sport when they all agree,
  // kSportMultisport when they differ (e.g. a triathlon), else the first
  // `sport` message's sport, else unset.
  std::optional<uint8_t> sport;
  // Things that were odd but did not stop decoding (each distinct kind once,
  // with the byte offset of its first occurrence and a count).
  std::vector<std::string> warnings;
  int chained_files = 0;  // number of FIT files in the input (>= 1 on success)
};

struct DecodeOptions {
  // Verify header and file CRCs. When false, CRC mismatches are ignored.
  bool check_crc = true;
  // If true, a file that is cut short, or whose message stream breaks
  // (truncated message, undefined local message type, a chained file header
  // that does not parse), returns everything decoded before the break and a
  // warning instead of DataLoss. A complete file with a wrong CRC is still
  // DataLoss unless check_crc is false.
  bool allow_partial = false;
  // Limits that bound memory on hostile input (ResourceExhausted past them).
  size_t max_records = 200000;
  size_t max_developer_values = 1000000;  // over all records
  size_t max_summaries = 20000;           // each of laps, sessions, devices
};

// Decodes a FIT file (or several chained FIT files) held in `bytes`.
//
// Returns:
// - InvalidArgument if `bytes` does not start with a FIT header (shorter
//   than 12 bytes, no ".FIT" signature, header size below 12).
// - DataLoss if the header or file CRC does not match (unless check_crc is
//   false), if the header declares more data than the input holds, if a
//   message is cut off, if a data message uses an undefined local message
//   type, or if bytes after a file are not another FIT file. The message
//   says what went wrong and at which byte offset. With allow_partial, these
//   (except CRC mismatches) become a warning.
// - ResourceExhausted if a limit in `options` is exceeded.
// Never reads outside `bytes` and never throws.
absl::StatusOr<Activity> DecodeFit(absl::string_view bytes,
                                   const DecodeOptions& options = {});

// True if the activity is a run: sport == kSportRunning, any sub_sport
// (street, trail, treadmill, track, ...). Walking and hiking are not runs:
// running dynamics and step-rate norms are defined for running. A multisport
// activity is not a run even if one session is; look at its sessions.
bool IsRunning(const Activity& activity);

}  // namespace gaitkeeper::ingestion::fit
