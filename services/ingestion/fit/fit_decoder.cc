#include "services/ingestion/fit/fit_decoder.h"

// Reading guide. A FIT file is
//
//   header (12 or 14 bytes) | records (data_size bytes) | file CRC (2 bytes)
//
// and several such files may follow each other ("chained"). Each record is a
// one-byte record header followed by either
//   - a definition message: for local message type 0..15, which global
//     message (record, lap, ...) follows, in which byte order, and the list
//     of fields (number, size, base type) plus optional developer fields; or
//   - a data message: the field bytes laid out as the latest definition of
//     its local type says. A "compressed timestamp" header packs a 2-bit
//     local type and a 5-bit time offset into the header byte instead.
//
// The code below follows that order: base types and value decoding, then the
// Decoder class walking file -> header -> messages -> fields, and finally the
// mapping from decoded fields to the public structs using fit_profile.h.

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/ingestion/fit/fit_crc.h"
#include "services/ingestion/fit/fit_profile.h"

namespace gaitkeeper::ingestion::fit {
namespace {

constexpr size_t kMinHeaderSize = 12;
constexpr size_t kHeaderSizeWithCrc = 14;
constexpr size_t kFileCrcSize = 2;
constexpr size_t kLocalMessageTypes = 16;
constexpr absl::string_view kSignature = ".FIT";
constexpr int kHighestKnownProtocolMajor = 2;
// date_time values below this are seconds since device power-on, not UTC.
constexpr uint32_t kFitMinAbsoluteTime = 0x10000000;
constexpr double kDegreesPerSemicircle = 180.0 / 2147483648.0;

uint8_t ByteAt(absl::string_view bytes, size_t pos) {
  return static_cast<uint8_t>(bytes[pos]);
}

// Reads an unsigned integer of bytes.size() <= 8 bytes in the given order.
uint64_t ReadUnsigned(absl::string_view bytes, bool big_endian) {
  uint64_t value = 0;
  const size_t n = bytes.size();
  for (size_t i = 0; i < n; ++i) {
    value = (value << 8) | ByteAt(bytes, big_endian ? i : n - 1 - i);
  }
  return value;
}

std::string Hex16(uint16_t value) {
  return absl::StrCat("0x", absl::Hex(value, absl::kZeroPad4));
}

// ---------------------------------------------------------------------------
// Base types: how many bytes a value takes, how to read it, and which raw
// bit pattern means "invalid" (no value).

enum class Kind { kUnsigned, kSigned, kFloat, kString, kBytes };

struct BaseType {
  uint8_t size;
  Kind kind;
  uint64_t invalid;
};

constexpr uint64_t kAllOnes = std::numeric_limits<uint64_t>::max();

// Indexed by base type number: the low 5 bits of a definition's base type
// byte (bit 7 merely says "multi-byte").
constexpr std::array<BaseType, 17> kBaseTypes = {{
    {1, Kind::kUnsigned, 0xFF},              // 0x00 enum
    {1, Kind::kSigned, 0x7F},                // 0x01 sint8
    {1, Kind::kUnsigned, 0xFF},              // 0x02 uint8
    {2, Kind::kSigned, 0x7FFF},              // 0x03 sint16
    {2, Kind::kUnsigned, 0xFFFF},            // 0x04 uint16
    {4, Kind::kSigned, 0x7FFFFFFF},          // 0x05 sint32
    {4, Kind::kUnsigned, 0xFFFFFFFF},        // 0x06 uint32
    {1, Kind::kString, 0},                   // 0x07 string (NUL-terminated)
    {4, Kind::kFloat, 0xFFFFFFFF},           // 0x08 float32
    {8, Kind::kFloat, kAllOnes},             // 0x09 float64
    {1, Kind::kUnsigned, 0},                 // 0x0A uint8z
    {2, Kind::kUnsigned, 0},                 // 0x0B uint16z
    {4, Kind::kUnsigned, 0},                 // 0x0C uint32z
    {1, Kind::kBytes, 0xFF},                 // 0x0D byte
    {8, Kind::kSigned, 0x7FFFFFFFFFFFFFFF},  // 0x0E sint64
    {8, Kind::kUnsigned, kAllOnes},          // 0x0F uint64
    {8, Kind::kUnsigned, 0},                 // 0x10 uint64z
}};

// The base type of a definition's base type byte; nullopt if unknown.
std::optional<BaseType> LookupBaseType(uint8_t base_type_byte) {
  const size_t number = base_type_byte & 0x1F;
  if (number >= kBaseTypes.size()) return std::nullopt;
  return kBaseTypes[number];
}

// Decodes one numeric value of `type` from exactly type.size bytes. Returns
// nullopt for the invalid sentinel, for non-finite floats and for
// non-numeric types.
std::optional<double> DecodeNumber(absl::string_view bytes,
                                   const BaseType& type, bool big_endian) {
  const uint64_t bits = ReadUnsigned(bytes, big_endian);
  if (bits == type.invalid) return std::nullopt;
  switch (type.kind) {
    case Kind::kUnsigned:
    case Kind::kBytes:
      return static_cast<double>(bits);
    case Kind::kSigned: {
      const int unused_bits = 64 - 8 * type.size;
      const auto value =
          static_cast<int64_t>(bits << unused_bits) >> unused_bits;
      return static_cast<double>(value);
    }
    case Kind::kFloat: {
      double value;
      if (type.size == 4) {
        const auto bits32 = static_cast<uint32_t>(bits);
        float f;
        std::memcpy(&f, &bits32, sizeof f);
        value = f;
      } else {
        std::memcpy(&value, &bits, sizeof value);
      }
      if (!std::isfinite(value)) return std::nullopt;
      return value;
    }
    case Kind::kString:
      return std::nullopt;
  }
  return std::nullopt;
}

// A FIT string: the bytes up to the first NUL. Empty means invalid.
std::optional<std::string> DecodeText(absl::string_view bytes) {
  const size_t nul = bytes.find('\0');
  if (nul != absl::string_view::npos) bytes = bytes.substr(0, nul);
  if (bytes.empty()) return std::nullopt;
  return std::string(bytes);
}

// ---------------------------------------------------------------------------
// Warnings: each distinct text is kept once with its first offset and count,
// and the number of distinct texts is capped so hostile input cannot grow it.

class Warnings {
 public:
  // `offset` is the byte where it happened, or nullopt if `text` says it.
  void Add(std::string text, std::optional<size_t> offset) {
    for (Entry& entry : entries_) {
      if (entry.text == text) {
        ++entry.count;
        return;
      }
    }
    if (entries_.size() >= kMaxDistinct) {
      ++dropped_;
      return;
    }
    entries_.push_back({std::move(text), offset, 1});
  }

  std::vector<std::string> Export() const {
    std::vector<std::string> out;
    for (const Entry& entry : entries_) {
      if (!entry.offset) {
        out.push_back(entry.text);
      } else if (entry.count == 1) {
        out.push_back(
            absl::StrCat(entry.text, " (at byte ", *entry.offset, ")"));
      } else {
        out.push_back(absl::StrCat(entry.text, " (first at byte ",
                                   *entry.offset, ", ", entry.count,
                                   " times)"));
      }
    }
    if (dropped_ > 0) {
      out.push_back(absl::StrCat(dropped_, " more warnings of other kinds"));
    }
    return out;
  }

 private:
  struct Entry {
    std::string text;
    std::optional<size_t> offset;
    size_t count;
  };
  static constexpr size_t kMaxDistinct = 32;
  std::vector<Entry> entries_;
  size_t dropped_ = 0;
};

// ---------------------------------------------------------------------------
// Definitions and decoded data messages.

struct FieldDefinition {
  uint8_t number;
  uint8_t size;
  uint8_t base_type;
};

struct DeveloperFieldDefinition {
  uint8_t number;
  uint8_t size;
  uint8_t developer_data_index;
};

struct MessageDefinition {
  uint16_t global_number = 0;
  bool big_endian = false;
  std::vector<FieldDefinition> fields;
  std::vector<DeveloperFieldDefinition> developer_fields;
  size_t data_size = 0;  // bytes of one data message
};

// What a field_description message says about one developer field.
struct DeveloperFieldDescription {
  uint8_t base_type;
  double scale;
  double offset;
  std::string name;
  std::string units;
};

// The valid fields of one data message, before the profile gives them
// meaning. Numbers are raw (no scale/offset); arrays contribute their first
// element.
struct DataMessage {
  uint16_t global_number = 0;
  size_t offset = 0;  // byte offset of the record header
  std::vector<std::pair<uint8_t, double>> numbers;
  std::vector<std::pair<uint8_t, std::string>> texts;
  std::vector<DeveloperValue> developer;  // scale/offset applied

  void Clear(uint16_t global, size_t at) {
    global_number = global;
    offset = at;
    numbers.clear();
    texts.clear();
    developer.clear();
  }

  std::optional<double> Raw(uint8_t field) const {
    for (const auto& [number, value] : numbers) {
      if (number == field) return value;
    }
    return std::nullopt;
  }

  // The field in the profile's units: raw / scale - offset.
  std::optional<double> Scaled(const profile::FieldSpec& spec) const {
    const std::optional<double> raw = Raw(spec.number);
    if (!raw) return std::nullopt;
    return *raw / spec.scale - spec.offset;
  }

  std::optional<std::string> Text(uint8_t field) const {
    for (const auto& [number, text] : texts) {
      if (number == field) return text;
    }
    return std::nullopt;
  }
};

// ---------------------------------------------------------------------------
// Small conversions used when mapping fields to the public structs.

template <typename T>
std::optional<T> AsInteger(std::optional<double> value) {
  if (!value || *value != std::floor(*value) ||
      *value < static_cast<double>(std::numeric_limits<T>::min()) ||
      *value > static_cast<double>(std::numeric_limits<T>::max())) {
    return std::nullopt;
  }
  return static_cast<T>(*value);
}

std::optional<int64_t> ToUnixSeconds(std::optional<double> fit_time) {
  const std::optional<uint32_t> seconds = AsInteger<uint32_t>(fit_time);
  if (!seconds) return std::nullopt;
  return kFitEpochUnixSeconds + static_cast<int64_t>(*seconds);
}

std::optional<double> Times(std::optional<double> value, double factor) {
  if (!value) return std::nullopt;
  return *value * factor;
}

std::optional<double> FirstOf(std::optional<double> preferred,
                              std::optional<double> fallback) {
  return preferred ? preferred : fallback;
}

// FIT running cadence counts strides: steps/min = 2 * (cadence + fraction).
std::optional<double> StepsPerMinute(std::optional<double> cadence,
                                     std::optional<double> fraction) {
  if (!cadence) return std::nullopt;
  return 2.0 * (*cadence + fraction.value_or(0.0));
}

Record ReadRecord(const DataMessage& m) {
  namespace f = profile::record;
  Record r;
  r.latitude_deg = Times(m.Scaled(f::kPositionLat), kDegreesPerSemicircle);
  r.longitude_deg = Times(m.Scaled(f::kPositionLong), kDegreesPerSemicircle);
  r.distance_m = m.Scaled(f::kDistance);
  r.speed_mps = FirstOf(m.Scaled(f::kEnhancedSpeed), m.Scaled(f::kSpeed));
  r.altitude_m =
      FirstOf(m.Scaled(f::kEnhancedAltitude), m.Scaled(f::kAltitude));
  r.heart_rate_bpm = m.Scaled(f::kHeartRate);
  r.cadence_spm =
      StepsPerMinute(m.Scaled(f::kCadence), m.Scaled(f::kFractionalCadence));
  r.step_length_m = Times(m.Scaled(f::kStepLength), 0.001);
  r.vertical_oscillation_cm = Times(m.Scaled(f::kVerticalOscillation), 0.1);
  r.vertical_ratio_pct = m.Scaled(f::kVerticalRatio);
  r.stance_time_ms = m.Scaled(f::kStanceTime);
  r.stance_time_balance_left_pct = m.Scaled(f::kStanceTimeBalance);
  r.power_w = m.Scaled(f::kPower);
  r.temperature_c = m.Scaled(f::kTemperature);
  return r;
}

Summary ReadSummary(const DataMessage& m, const profile::SummaryFields& f,
                    std::optional<uint32_t> timestamp) {
  Summary s;
  if (timestamp) s.timestamp_s = kFitEpochUnixSeconds + *timestamp;
  s.start_time_s = ToUnixSeconds(m.Scaled(f.start_time));
  s.total_elapsed_time_s = m.Scaled(f.total_elapsed_time);
  s.total_timer_time_s = m.Scaled(f.total_timer_time);
  s.total_distance_m = m.Scaled(f.total_distance);
  s.avg_speed_mps =
      FirstOf(m.Scaled(f.enhanced_avg_speed), m.Scaled(f.avg_speed));
  s.max_speed_mps =
      FirstOf(m.Scaled(f.enhanced_max_speed), m.Scaled(f.max_speed));
  s.avg_heart_rate = m.Scaled(f.avg_heart_rate);
  s.max_heart_rate = m.Scaled(f.max_heart_rate);
  s.total_ascent_m = m.Scaled(f.total_ascent);
  s.total_descent_m = m.Scaled(f.total_descent);
  s.avg_cadence_spm = StepsPerMinute(m.Scaled(f.avg_cadence),
                                     m.Scaled(f.avg_fractional_cadence));
  s.avg_step_length_m = Times(m.Scaled(f.avg_step_length), 0.001);
  s.avg_vertical_oscillation_cm =
      Times(m.Scaled(f.avg_vertical_oscillation), 0.1);
  s.avg_vertical_ratio_pct = m.Scaled(f.avg_vertical_ratio);
  s.avg_stance_time_ms = m.Scaled(f.avg_stance_time);
  s.avg_stance_time_balance_left_pct = m.Scaled(f.avg_stance_time_balance);
  s.sport = AsInteger<uint8_t>(m.Scaled(f.sport));
  s.sub_sport = AsInteger<uint8_t>(m.Scaled(f.sub_sport));
  return s;
}

FileId ReadFileId(const DataMessage& m) {
  namespace f = profile::file_id;
  FileId id;
  id.type = AsInteger<uint32_t>(m.Scaled(f::kType));
  id.manufacturer = AsInteger<uint32_t>(m.Scaled(f::kManufacturer));
  id.product = AsInteger<uint32_t>(m.Scaled(f::kProduct));
  id.serial_number = AsInteger<uint32_t>(m.Scaled(f::kSerialNumber));
  id.time_created_s = ToUnixSeconds(m.Scaled(f::kTimeCreated));
  return id;
}

DeviceInfo ReadDeviceInfo(const DataMessage& m,
                          std::optional<uint32_t> timestamp) {
  namespace f = profile::device_info;
  DeviceInfo d;
  if (timestamp) d.timestamp_s = kFitEpochUnixSeconds + *timestamp;
  d.manufacturer = AsInteger<uint32_t>(m.Scaled(f::kManufacturer));
  d.product = AsInteger<uint32_t>(m.Scaled(f::kProduct));
  d.serial_number = AsInteger<uint32_t>(m.Scaled(f::kSerialNumber));
  d.device_index = AsInteger<uint8_t>(m.Scaled(f::kDeviceIndex));
  d.software_version = m.Scaled(f::kSoftwareVersion);
  return d;
}

// ---------------------------------------------------------------------------
// The decoder: one instance per DecodeFit call.

struct FileHeader {
  size_t size;         // 12 or 14 (larger sizes are skipped over)
  uint32_t data_size;  // bytes of records after the header
  uint8_t protocol_version;
  std::optional<uint16_t> crc;  // absent for 12-byte headers
};

// A bounds-checked read position inside [pos, end).
class Cursor {
 public:
  Cursor(absl::string_view bytes, size_t pos, size_t end)
      : bytes_(bytes), pos_(pos), end_(end) {}
  size_t pos() const { return pos_; }
  size_t end() const { return end_; }
  bool AtEnd() const { return pos_ >= end_; }
  // Moves the next n bytes into *out; false (and no move) if fewer remain.
  bool Take(size_t n, absl::string_view* out) {
    if (n > end_ - pos_) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  absl::string_view bytes_;
  size_t pos_;
  size_t end_;
};

class Decoder {
 public:
  Decoder(absl::string_view bytes, const DecodeOptions& options)
      : bytes_(bytes), options_(options) {}

  absl::StatusOr<Activity> Run();

 private:
  absl::StatusOr<size_t> DecodeFile(size_t start);
  absl::StatusOr<FileHeader> ReadHeader(size_t start) const;
  absl::Status DecodeMessages(size_t begin, size_t end);
  absl::Status ReadDefinition(Cursor& cursor, uint8_t local_type,
                              bool has_developer_fields, size_t message_start);
  absl::Status ReadDataMessage(Cursor& cursor, uint8_t local_type,
                               std::optional<uint8_t> time_offset,
                               size_t message_start);
  void DecodeField(const FieldDefinition& field, absl::string_view bytes,
                   bool big_endian);
  void DecodeDeveloperField(const DeveloperFieldDefinition& field,
                            absl::string_view bytes, bool big_endian);
  std::optional<uint32_t> ResolveTimestamp(std::optional<uint8_t> time_offset);
  absl::Status Dispatch(std::optional<uint32_t> timestamp);
  absl::Status AddRecord(std::optional<uint32_t> timestamp);
  absl::Status AddSummary(const profile::SummaryFields& fields,
                          std::optional<uint32_t> timestamp,
                          std::vector<Summary>* out, absl::string_view kind);
  void AddFieldDescription();
  void AddDeveloperDataId();
  absl::StatusOr<size_t> StopEarly(const absl::Status& status);
  void Warn(std::string text, std::optional<size_t> offset) {
    warnings_.Add(std::move(text), offset);
  }
  void Finish();

  static uint16_t DeveloperKey(uint8_t developer_data_index, uint8_t number) {
    return static_cast<uint16_t>(developer_data_index << 8 | number);
  }

  const absl::string_view bytes_;
  const DecodeOptions options_;
  Activity activity_;
  Warnings warnings_;

  // Per-file state, reset at each FIT header.
  std::array<std::optional<MessageDefinition>, kLocalMessageTypes> definitions_;
  std::map<uint16_t, DeveloperFieldDescription> developer_fields_;
  std::optional<uint32_t> last_timestamp_;  // FIT seconds

  // Whole-stream state.
  DataMessage message_;  // the data message being decoded (reused)
  size_t developer_value_count_ = 0;
  bool have_file_id_ = false;
  std::optional<uint8_t> first_sport_message_sport_;
};

absl::StatusOr<Activity> Decoder::Run() {
  size_t offset = 0;
  do {
    absl::StatusOr<size_t> next = DecodeFile(offset);
    if (!next.ok()) return next.status();
    offset = *next;
  } while (offset < bytes_.size());
  Finish();
  return std::move(activity_);
}

// Decodes the FIT file starting at `start` and returns where the next one
// would start (bytes_.size() when decoding stopped early).
absl::StatusOr<size_t> Decoder::DecodeFile(size_t start) {
  absl::StatusOr<FileHeader> header = ReadHeader(start);
  if (!header.ok()) {
    if (start == 0) return header.status();
    return StopEarly(header.status());
  }
  ++activity_.chained_files;
  definitions_ = {};
  developer_fields_.clear();
  last_timestamp_.reset();

  if ((header->protocol_version >> 4) > kHighestKnownProtocolMajor) {
    Warn(absl::StrCat("protocol version ", header->protocol_version >> 4, ".",
                      header->protocol_version & 0x0F,
                      " is newer than this decoder knows"),
         start + 1);
  }
  if (options_.check_crc && header->crc.value_or(0) != 0) {
    const uint16_t computed = FitCrc16(bytes_.substr(start, kMinHeaderSize));
    if (computed != *header->crc) {
      return absl::DataLossError(absl::StrCat(
          "header CRC mismatch at byte ", start + kMinHeaderSize, ": stored ",
          Hex16(*header->crc), ", computed ", Hex16(computed)));
    }
  }

  // Sizes are compared without adding them up, so a huge data_size cannot
  // overflow size_t.
  const size_t data_begin = start + header->size;  // <= bytes_.size()
  const size_t available = bytes_.size() - data_begin;
  const bool complete = available >= kFileCrcSize &&
                        header->data_size <= available - kFileCrcSize;
  const size_t declared_end = complete ? data_begin + header->data_size : 0;
  size_t data_end = declared_end;
  if (!complete) {
    const absl::Status truncated = absl::DataLossError(absl::StrCat(
        "truncated: the header at byte ", start, " declares ",
        header->data_size, " data bytes and a 2-byte CRC (ending at byte ",
        uint64_t{data_begin} + header->data_size + kFileCrcSize,
        ") but the input ends at byte ", bytes_.size()));
    if (!options_.allow_partial) return truncated;
    Warn(absl::StrCat(truncated.message(),
                      "; decoded what is there, no CRC check"),
         std::nullopt);
    data_end = bytes_.size();
  } else if (options_.check_crc) {
    const auto stored = static_cast<uint16_t>(
        ReadUnsigned(bytes_.substr(declared_end, kFileCrcSize), false));
    const uint16_t computed =
        FitCrc16(bytes_.substr(start, declared_end - start));
    if (stored != computed) {
      return absl::DataLossError(
          absl::StrCat("file CRC mismatch at byte ", declared_end, ": stored ",
                       Hex16(stored), ", computed ", Hex16(computed),
                       " (FIT file starting at byte ", start, ")"));
    }
  }

  const absl::Status status = DecodeMessages(data_begin, data_end);
  if (!status.ok()) return StopEarly(status);
  return complete ? declared_end + kFileCrcSize : bytes_.size();
}

// With allow_partial, turns a DataLoss that interrupts the message stream
// into a warning and ends decoding; otherwise passes the status on.
absl::StatusOr<size_t> Decoder::StopEarly(const absl::Status& status) {
  if (!options_.allow_partial || status.code() != absl::StatusCode::kDataLoss) {
    return status;
  }
  Warn(absl::StrCat("decoding stopped early: ", status.message()),
       std::nullopt);
  return bytes_.size();
}

// Parses the header at `start`. The first header failing means the input
// is not FIT (InvalidArgument); a later one means the chain is corrupt
// (DataLoss). CRCs are checked by the caller.
absl::StatusOr<FileHeader> Decoder::ReadHeader(size_t start) const {
  const size_t remaining = bytes_.size() - start;
  auto not_fit = [&](absl::string_view why) {
    if (start == 0)
      return absl::InvalidArgumentError(absl::StrCat("not a FIT file: ", why));
    return absl::DataLossError(
        absl::StrCat(remaining, " bytes at byte ", start, " after FIT file ",
                     activity_.chained_files, " are not a FIT file: ", why));
  };
  if (remaining < kMinHeaderSize) {
    return not_fit(absl::StrCat("only ", remaining,
                                " bytes, shorter than a 12-byte FIT header"));
  }
  if (bytes_.substr(start + 8, kSignature.size()) != kSignature) {
    return not_fit(absl::StrCat("no \".FIT\" signature at byte ", start + 8));
  }
  FileHeader header;
  header.size = ByteAt(bytes_, start);
  if (header.size < kMinHeaderSize) {
    return not_fit(absl::StrCat("header size ", header.size, " at byte ", start,
                                " is below 12"));
  }
  if (header.size > remaining) {
    return absl::DataLossError(absl::StrCat(
        "truncated: the header at byte ", start, " is ", header.size,
        " bytes long but only ", remaining, " bytes remain"));
  }
  header.protocol_version = ByteAt(bytes_, start + 1);
  header.data_size =
      static_cast<uint32_t>(ReadUnsigned(bytes_.substr(start + 4, 4), false));
  if (header.size >= kHeaderSizeWithCrc) {
    header.crc = static_cast<uint16_t>(
        ReadUnsigned(bytes_.substr(start + kMinHeaderSize, 2), false));
  }
  return header;
}

// Walks the records in [begin, end).
absl::Status Decoder::DecodeMessages(size_t begin, size_t end) {
  Cursor cursor(bytes_, begin, end);
  while (!cursor.AtEnd()) {
    const size_t message_start = cursor.pos();
    absl::string_view header_byte;
    cursor.Take(1, &header_byte);
    const uint8_t header = ByteAt(header_byte, 0);
    absl::Status status;
    if (header & 0x80) {
      // Compressed timestamp header: 1 | local type (2 bits) | offset (5 bits).
      status = ReadDataMessage(cursor, (header >> 5) & 0x03, header & 0x1F,
                               message_start);
    } else if (header & 0x40) {
      // Definition: 0 | 1 | developer data flag | reserved | local type.
      status = ReadDefinition(cursor, header & 0x0F, (header & 0x20) != 0,
                              message_start);
    } else {
      // Data: 0 | 0 | reserved | reserved | local type.
      status =
          ReadDataMessage(cursor, header & 0x0F, std::nullopt, message_start);
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Definition body: reserved, architecture (0 little / 1 big endian), global
// message number (2 bytes), field count, 3 bytes per field; then, with the
// developer flag, a developer field count and 3 bytes per developer field.
absl::Status Decoder::ReadDefinition(Cursor& cursor, uint8_t local_type,
                                     bool has_developer_fields,
                                     size_t message_start) {
  auto truncated = [&] {
    return absl::DataLossError(
        absl::StrCat("truncated: definition message at byte ", message_start,
                     " (local type ", local_type,
                     ") runs past the end of the data at byte ", cursor.end()));
  };
  absl::string_view fixed;
  if (!cursor.Take(5, &fixed)) return truncated();
  MessageDefinition definition;
  definition.big_endian = (ByteAt(fixed, 1) & 0x01) != 0;
  definition.global_number = static_cast<uint16_t>(
      ReadUnsigned(fixed.substr(2, 2), definition.big_endian));

  absl::string_view fields;
  if (!cursor.Take(3 * size_t{ByteAt(fixed, 4)}, &fields)) return truncated();
  for (size_t i = 0; i < fields.size(); i += 3) {
    const FieldDefinition field{ByteAt(fields, i), ByteAt(fields, i + 1),
                                ByteAt(fields, i + 2)};
    definition.fields.push_back(field);
    definition.data_size += field.size;
  }

  if (has_developer_fields) {
    absl::string_view count;
    absl::string_view developer_fields;
    if (!cursor.Take(1, &count) ||
        !cursor.Take(3 * size_t{ByteAt(count, 0)}, &developer_fields)) {
      return truncated();
    }
    for (size_t i = 0; i < developer_fields.size(); i += 3) {
      const DeveloperFieldDefinition field{ByteAt(developer_fields, i),
                                           ByteAt(developer_fields, i + 1),
                                           ByteAt(developer_fields, i + 2)};
      definition.developer_fields.push_back(field);
      definition.data_size += field.size;
    }
  }
  definitions_[local_type] = std::move(definition);
  return absl::OkStatus();
}

absl::Status Decoder::ReadDataMessage(Cursor& cursor, uint8_t local_type,
                                      std::optional<uint8_t> time_offset,
                                      size_t message_start) {
  const std::optional<MessageDefinition>& definition = definitions_[local_type];
  if (!definition) {
    return absl::DataLossError(absl::StrCat(
        "data message at byte ", message_start, " uses local message type ",
        local_type, ", which has no definition"));
  }
  absl::string_view body;
  if (!cursor.Take(definition->data_size, &body)) {
    return absl::DataLossError(absl::StrCat(
        "truncated: data message at byte ", message_start, " (global message ",
        definition->global_number, ") needs ", definition->data_size,
        " bytes but the data ends at byte ", cursor.end()));
  }

  message_.Clear(definition->global_number, message_start);
  size_t pos = 0;
  for (const FieldDefinition& field : definition->fields) {
    DecodeField(field, body.substr(pos, field.size), definition->big_endian);
    pos += field.size;
  }
  // Developer fields are only reported for records; elsewhere they are
  // skipped like unknown fields.
  if (definition->global_number == profile::kMesgRecord) {
    for (const DeveloperFieldDefinition& field : definition->developer_fields) {
      DecodeDeveloperField(field, body.substr(pos, field.size),
                           definition->big_endian);
      pos += field.size;
    }
  }
  return Dispatch(ResolveTimestamp(time_offset));
}

void Decoder::DecodeField(const FieldDefinition& field, absl::string_view bytes,
                          bool big_endian) {
  if (field.size == 0) return;
  const std::optional<BaseType> type = LookupBaseType(field.base_type);
  if (!type) {
    Warn(absl::StrCat("field ", field.number, " of message ",
                      message_.global_number, " has unknown base type ",
                      field.base_type, "; skipped"),
         message_.offset);
    return;
  }
  if (type->kind == Kind::kString) {
    if (std::optional<std::string> text = DecodeText(bytes)) {
      message_.texts.emplace_back(field.number, std::move(*text));
    }
    return;
  }
  if (field.size % type->size != 0) {
    Warn(absl::StrCat("field ", field.number, " of message ",
                      message_.global_number, " has size ", field.size,
                      ", not a multiple of its base type size; skipped"),
         message_.offset);
    return;
  }
  // A byte array is opaque; other arrays are read from their first element.
  if (type->kind == Kind::kBytes && field.size > 1) return;
  if (std::optional<double> value =
          DecodeNumber(bytes.substr(0, type->size), *type, big_endian)) {
    message_.numbers.emplace_back(field.number, *value);
  }
}

void Decoder::DecodeDeveloperField(const DeveloperFieldDefinition& field,
                                   absl::string_view bytes, bool big_endian) {
  auto id = [&] {
    return absl::StrCat(field.developer_data_index, ":", field.number);
  };
  const auto it = developer_fields_.find(
      DeveloperKey(field.developer_data_index, field.number));
  if (it == developer_fields_.end()) {
    Warn(absl::StrCat("developer field ", id(),
                      " has no field_description; skipped"),
         message_.offset);
    return;
  }
  const DeveloperFieldDescription& description = it->second;
  const std::optional<BaseType> type = LookupBaseType(description.base_type);
  if (!type) {
    Warn(absl::StrCat("developer field ", id(), " has unknown base type ",
                      description.base_type, "; skipped"),
         message_.offset);
    return;
  }
  if (type->kind == Kind::kString || field.size == 0) {
    return;  // Only numeric scalars are reported (see DeveloperValue).
  }
  if (field.size != type->size) {
    Warn(absl::StrCat("developer field ", id(), " is ", field.size,
                      " bytes for a ", type->size,
                      "-byte base type (array or mismatch); skipped"),
         message_.offset);
    return;
  }
  const std::optional<double> raw = DecodeNumber(bytes, *type, big_endian);
  if (!raw) return;
  message_.developer.push_back({field.developer_data_index, field.number,
                                description.name, description.units,
                                *raw / description.scale - description.offset});
}

// A message's timestamp: its own field 253 if valid, else the one encoded
// in a compressed timestamp header (5 low bits of the time, relative to the
// previous timestamp). Either becomes the reference for the next header.
std::optional<uint32_t> Decoder::ResolveTimestamp(
    std::optional<uint8_t> time_offset) {
  std::optional<uint32_t> timestamp =
      AsInteger<uint32_t>(message_.Raw(profile::kTimestampField));
  if (!timestamp && time_offset) {
    if (last_timestamp_) {
      uint32_t resolved = (*last_timestamp_ & ~uint32_t{0x1F}) + *time_offset;
      if (*time_offset < (*last_timestamp_ & 0x1F)) resolved += 0x20;
      timestamp = resolved;
    } else {
      Warn("compressed timestamp header before any timestamp; time unknown",
           message_.offset);
    }
  }
  if (timestamp) last_timestamp_ = timestamp;
  return timestamp;
}

// Hands the decoded message to the handler of its global message number.
absl::Status Decoder::Dispatch(std::optional<uint32_t> timestamp) {
  switch (message_.global_number) {
    case profile::kMesgRecord:
      return AddRecord(timestamp);
    case profile::kMesgLap:
      return AddSummary(profile::kLapFields, timestamp, &activity_.laps,
                        "laps");
    case profile::kMesgSession:
      return AddSummary(profile::kSessionFields, timestamp, &activity_.sessions,
                        "sessions");
    case profile::kMesgDeviceInfo:
      if (activity_.devices.size() >= options_.max_summaries) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "more than ", options_.max_summaries,
            " device_info messages (at byte ", message_.offset, ")"));
      }
      activity_.devices.push_back(ReadDeviceInfo(message_, timestamp));
      return absl::OkStatus();
    case profile::kMesgFileId:
      if (!have_file_id_) {
        activity_.file_id = ReadFileId(message_);
        have_file_id_ = true;
      }
      return absl::OkStatus();
    case profile::kMesgSport:
      if (!first_sport_message_sport_) {
        first_sport_message_sport_ =
            AsInteger<uint8_t>(message_.Scaled(profile::sport::kSport));
      }
      return absl::OkStatus();
    case profile::kMesgFieldDescription:
      AddFieldDescription();
      return absl::OkStatus();
    case profile::kMesgDeveloperDataId:
      AddDeveloperDataId();
      return absl::OkStatus();
    default:
      return absl::OkStatus();  // A message this decoder does not need.
  }
}

absl::Status Decoder::AddRecord(std::optional<uint32_t> timestamp) {
  if (activity_.records.size() >= options_.max_records) {
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", options_.max_records, " records (at byte ",
                     message_.offset, ")"));
  }
  developer_value_count_ += message_.developer.size();
  if (developer_value_count_ > options_.max_developer_values) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "more than ", options_.max_developer_values,
        " developer field values (at byte ", message_.offset, ")"));
  }
  Record record = ReadRecord(message_);
  if (timestamp) {
    if (*timestamp < kFitMinAbsoluteTime) {
      Warn("record timestamps below 0x10000000 are device-relative, not UTC",
           message_.offset);
    }
    record.timestamp_s = kFitEpochUnixSeconds + *timestamp;
  } else {
    Warn("record without a timestamp; given the latest one seen",
         message_.offset);
    if (last_timestamp_) {
      record.timestamp_s = kFitEpochUnixSeconds + *last_timestamp_;
    } else if (!activity_.records.empty()) {
      record.timestamp_s = activity_.records.back().timestamp_s;
    } else {
      record.timestamp_s = kFitEpochUnixSeconds;
    }
  }
  record.developer = std::move(message_.developer);
  activity_.records.push_back(std::move(record));
  return absl::OkStatus();
}

absl::Status Decoder::AddSummary(const profile::SummaryFields& fields,
                                 std::optional<uint32_t> timestamp,
                                 std::vector<Summary>* out,
                                 absl::string_view kind) {
  if (out->size() >= options_.max_summaries) {
    return absl::ResourceExhaustedError(
        absl::StrCat("more than ", options_.max_summaries, " ", kind,
                     " (at byte ", message_.offset, ")"));
  }
  out->push_back(ReadSummary(message_, fields, timestamp));
  return absl::OkStatus();
}

void Decoder::AddFieldDescription() {
  namespace f = profile::field_description;
  const std::optional<uint8_t> index =
      AsInteger<uint8_t>(message_.Raw(f::kDeveloperDataIndex.number));
  const std::optional<uint8_t> number =
      AsInteger<uint8_t>(message_.Raw(f::kFieldDefinitionNumber.number));
  const std::optional<uint8_t> base_type =
      AsInteger<uint8_t>(message_.Raw(f::kFitBaseTypeId.number));
  if (!index || !number || !base_type) {
    Warn(
        "field_description without developer_data_index, "
        "field_definition_number or fit_base_type_id; ignored",
        message_.offset);
    return;
  }
  const std::optional<double> scale = message_.Raw(f::kScale.number);
  DeveloperFieldDescription description{
      .base_type = *base_type,
      .scale = (scale && *scale != 0) ? *scale : 1.0,
      .offset = message_.Raw(f::kOffset.number).value_or(0.0),
      .name = message_.Text(f::kFieldName.number).value_or(""),
      .units = message_.Text(f::kUnits.number).value_or(""),
  };
  developer_fields_[DeveloperKey(*index, *number)] = std::move(description);
}

// A (re)declared developer data index invalidates the field descriptions
// that an earlier declaration of the same index made.
void Decoder::AddDeveloperDataId() {
  const std::optional<uint8_t> index = AsInteger<uint8_t>(
      message_.Raw(profile::developer_data_id::kDeveloperDataIndex.number));
  if (!index) return;
  developer_fields_.erase(
      developer_fields_.lower_bound(DeveloperKey(*index, 0)),
      developer_fields_.upper_bound(DeveloperKey(*index, 0xFF)));
}

void Decoder::Finish() {
  std::optional<uint8_t> session_sport;
  for (const Summary& session : activity_.sessions) {
    if (!session.sport) continue;
    if (session_sport && *session_sport != *session.sport) {
      session_sport = kSportMultisport;
      break;
    }
    session_sport = session.sport;
  }
  activity_.sport = session_sport ? session_sport : first_sport_message_sport_;
  activity_.warnings = warnings_.Export();
}

}  // namespace

absl::StatusOr<Activity> DecodeFit(absl::string_view bytes,
                                   const DecodeOptions& options) {
  return Decoder(bytes, options).Run();
}

bool IsRunning(const Activity& activity) {
  return activity.sport == kSportRunning;
}

}  // namespace gaitkeeper::ingestion::fit
