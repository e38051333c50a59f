#pragma once

// Test-only FIT writer, so that tests generate their own files instead of
// shipping real (licensed, personal) recordings.
//
// Two levels:
// - FitWriter writes arbitrary definition and data messages (any field
//   numbers, base types, sizes, byte order, developer fields, compressed
//   timestamp headers, raw bytes) and wraps them in a header and file CRC.
// - EncodeActivity() writes a whole activity from the decoder's own structs,
//   converting physical values to FIT raw values with the profile's scales.
// Plus helpers that corrupt a finished file (truncate, flip bits, break CRCs).
//
// The profile numbers and scales here are written independently of
// services/ingestion/fit/fit_profile.h on purpose, and the CRC uses a
// bitwise algorithm rather than the decoder's nibble table.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/ingestion/fit/fit_decoder.h"

namespace gaitkeeper::test_support {

// Base type bytes as written in definition messages.
enum class FitBaseType : uint8_t {
  kEnum = 0x00,
  kSint8 = 0x01,
  kUint8 = 0x02,
  kSint16 = 0x83,
  kUint16 = 0x84,
  kSint32 = 0x85,
  kUint32 = 0x86,
  kString = 0x07,
  kFloat32 = 0x88,
  kFloat64 = 0x89,
  kUint8z = 0x0A,
  kUint16z = 0x8B,
  kUint32z = 0x8C,
  kByte = 0x0D,
  kSint64 = 0x8E,
  kUint64 = 0x8F,
  kUint64z = 0x90,
};

// Bytes of one value of `type`.
uint8_t FitBaseTypeSize(FitBaseType type);

// The value of one field in a data message.
struct FitValue {
  enum class Kind { kInvalid, kInteger, kReal, kText, kRawBytes };
  Kind kind = Kind::kInvalid;
  uint64_t integer = 0;  // two's complement for negative values
  double real = 0;
  std::string bytes;  // kText / kRawBytes

  // The base type's invalid sentinel (0xFF.., 0x7F.., 0 for z-types and
  // strings), repeated over the whole field.
  static FitValue Invalid() { return {}; }
  static FitValue Int(int64_t v) {
    return {Kind::kInteger, static_cast<uint64_t>(v), 0, {}};
  }
  static FitValue UInt(uint64_t v) { return {Kind::kInteger, v, 0, {}}; }
  // Only for float32/float64 fields.
  static FitValue Real(double v) { return {Kind::kReal, 0, v, {}}; }
  // NUL-padded to the field size.
  static FitValue Text(std::string s) {
    return {Kind::kText, 0, 0, std::move(s)};
  }
  // Written as is, zero-padded or cut to the field size.
  static FitValue Raw(std::string b) {
    return {Kind::kRawBytes, 0, 0, std::move(b)};
  }
};

struct FitField {
  uint8_t number = 0;
  FitBaseType type = FitBaseType::kUint8;
  FitValue value;
  // Size in the definition. 0 = one value of `type` (text: length + 1).
  // A multiple of the type size makes an array: the value goes in the first
  // element, the others are invalid.
  uint8_t size = 0;
};

struct FitDevField {
  uint8_t number = 0;
  uint8_t developer_data_index = 0;
  FitBaseType type = FitBaseType::kUint8;  // as in its field_description
  FitValue value;
  uint8_t size = 0;  // as FitField::size
};

class FitWriter {
 public:
  struct Options {
    uint8_t header_size = 14;  // 12 or 14; anything else makes a bad header
    bool header_crc = true;    // false: a 14-byte header stores CRC 0
    uint8_t protocol_version = 0x20;
    uint16_t profile_version = 2132;
  };

  FitWriter() = default;
  explicit FitWriter(Options options) : options_(options) {}

  // Writes a definition message for `local_type` (0..15) from the fields'
  // numbers, sizes and types (values are ignored).
  void Define(uint8_t local_type, uint16_t global_message,
              const std::vector<FitField>& fields,
              const std::vector<FitDevField>& developer_fields = {},
              bool big_endian = false);
  // Writes a data message; fields must match the latest Define of the type.
  void Data(uint8_t local_type, const std::vector<FitField>& fields,
            const std::vector<FitDevField>& developer_fields = {});
  // A data message with a compressed timestamp header: local type 0..3,
  // `time_offset` = the low 5 bits of the FIT timestamp.
  void CompressedData(uint8_t local_type, uint8_t time_offset,
                      const std::vector<FitField>& fields,
                      const std::vector<FitDevField>& developer_fields = {});
  // Define followed by Data.
  void Message(uint8_t local_type, uint16_t global_message,
               const std::vector<FitField>& fields,
               const std::vector<FitDevField>& developer_fields = {},
               bool big_endian = false);
  // Appends bytes to the data section unchanged.
  void AppendRaw(absl::string_view bytes) {
    data_.append(bytes.data(), bytes.size());
  }

  size_t data_size() const { return data_.size(); }
  // Header + data + file CRC.
  std::string Finish() const;

 private:
  void WriteBody(uint8_t local_type, const std::vector<FitField>& fields,
                 const std::vector<FitDevField>& developer_fields);

  Options options_;
  std::string data_;
  std::array<bool, 16> big_endian_{};
};

// A developer field that EncodeActivity declares (developer_data_id +
// field_description) and writes in every record, taking the value from
// Record::developer (matched by index and number; missing = invalid).
struct DeveloperFieldSpec {
  uint8_t developer_data_index = 0;
  uint8_t field_number = 0;
  FitBaseType type = FitBaseType::kUint16;
  std::string name;
  std::string units;
  std::optional<uint8_t> scale;  // absent: left invalid in the description
  std::optional<int8_t> offset;
};

struct ActivityEncodeOptions {
  FitWriter::Options file;
  bool big_endian = false;  // byte order of every definition
  // Write enhanced_speed/enhanced_altitude (true) or speed/altitude (false).
  bool enhanced_fields = true;
  // Use compressed timestamp headers for records that follow the previous
  // one within 31 seconds.
  bool compressed_timestamps = false;
  std::vector<DeveloperFieldSpec> developer_fields;
};

// Writes `activity` as one FIT activity file, in this order: file_id,
// device_info, developer_data_id + field_description, sport (if
// activity.sport), records, laps, sessions. Optional values that are
// nullopt are written as invalid. Physical values are rounded to the FIT
// resolution (e.g. speed to 1 mm/s, cadence to 1/128 stride/min).
std::string EncodeActivity(const ingestion::fit::Activity& activity,
                           const ActivityEncodeOptions& options = {});

// FIT seconds for a Unix time.
uint32_t ToFitTime(int64_t unix_seconds);

// CRC-16 as FIT uses it (bitwise implementation).
uint16_t FitCrc(absl::string_view bytes);

// Corruptions of a finished file.
std::string Truncated(absl::string_view file, size_t length);
std::string WithFlippedBits(absl::string_view file, size_t offset,
                            uint8_t mask = 0x01);
std::string WithBadFileCrc(absl::string_view file);
// Rewrites the header's data_size (and its header CRC when one is stored).
std::string WithHeaderDataSize(absl::string_view file, uint32_t data_size);
std::string Chain(const std::vector<std::string>& files);

}  // namespace gaitkeeper::test_support
