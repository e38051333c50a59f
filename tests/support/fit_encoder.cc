#include "tests/support/fit_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace gaitkeeper::test_support {
namespace {

using ingestion::fit::Activity;
using ingestion::fit::DeviceInfo;
using ingestion::fit::FileId;
using ingestion::fit::Record;
using ingestion::fit::Summary;

constexpr int64_t kFitEpoch = 631065600;

// Global message numbers and local types used by EncodeActivity. Records
// use local types 0 and 1 because compressed headers can only name 0..3.
constexpr uint16_t kFileIdMesg = 0;
constexpr uint16_t kSportMesg = 12;
constexpr uint16_t kSessionMesg = 18;
constexpr uint16_t kLapMesg = 19;
constexpr uint16_t kRecordMesg = 20;
constexpr uint16_t kDeviceInfoMesg = 23;
constexpr uint16_t kFieldDescriptionMesg = 206;
constexpr uint16_t kDeveloperDataIdMesg = 207;

constexpr uint8_t kRecordLocal = 0;
constexpr uint8_t kCompressedRecordLocal = 1;
constexpr uint8_t kOtherLocal = 2;

void AppendInteger(std::string* out, uint64_t value, size_t size,
                   bool big_endian) {
  for (size_t i = 0; i < size; ++i) {
    const size_t shift = 8 * (big_endian ? size - 1 - i : i);
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

uint64_t InvalidBits(FitBaseType type) {
  switch (type) {
    case FitBaseType::kSint8:
      return 0x7F;
    case FitBaseType::kSint16:
      return 0x7FFF;
    case FitBaseType::kSint32:
      return 0x7FFFFFFF;
    case FitBaseType::kSint64:
      return 0x7FFFFFFFFFFFFFFF;
    case FitBaseType::kString:
    case FitBaseType::kUint8z:
    case FitBaseType::kUint16z:
    case FitBaseType::kUint32z:
    case FitBaseType::kUint64z:
      return 0;
    default:
      return ~uint64_t{0};  // enum, byte, unsigned, floats: all ones
  }
}

uint8_t DefinedSize(const FitValue& value, FitBaseType type, uint8_t size) {
  if (size != 0) return size;
  if (type == FitBaseType::kString && value.kind == FitValue::Kind::kText) {
    return static_cast<uint8_t>(value.bytes.size() + 1);
  }
  return FitBaseTypeSize(type);
}

// Encodes `value` into exactly `size` bytes.
void AppendValue(std::string* out, const FitValue& value, FitBaseType type,
                 uint8_t size, bool big_endian) {
  const size_t element = FitBaseTypeSize(type);
  switch (value.kind) {
    case FitValue::Kind::kText:
    case FitValue::Kind::kRawBytes: {
      std::string bytes = value.bytes.substr(0, size);
      bytes.resize(size, '\0');
      out->append(bytes);
      return;
    }
    case FitValue::Kind::kInvalid:
      for (size_t i = 0; i + element <= size; i += element) {
        AppendInteger(out, InvalidBits(type), element, big_endian);
      }
      out->append(size % element, '\xFF');
      return;
    case FitValue::Kind::kInteger:
    case FitValue::Kind::kReal: {
      if (size < element || size % element != 0) {
        out->append(size, '\xFF');  // Deliberately odd size: filler only.
        return;
      }
      uint64_t bits = value.integer;
      if (value.kind == FitValue::Kind::kReal) {
        if (type == FitBaseType::kFloat32) {
          const auto f = static_cast<float>(value.real);
          uint32_t b32;
          std::memcpy(&b32, &f, sizeof b32);
          bits = b32;
        } else {
          std::memcpy(&bits, &value.real, sizeof bits);
        }
      }
      AppendInteger(out, bits, element, big_endian);
      for (size_t i = element; i < size; i += element) {
        AppendInteger(out, InvalidBits(type), element, big_endian);
      }
      return;
    }
  }
}

// Physical value -> FIT raw integer: round((value + offset) * scale).
FitValue Scaled(std::optional<double> value, double scale, double offset = 0) {
  if (!value) return FitValue::Invalid();
  return FitValue::Int(std::llround((*value + offset) * scale));
}

FitValue Time(std::optional<int64_t> unix_seconds) {
  if (!unix_seconds) return FitValue::Invalid();
  return FitValue::UInt(ToFitTime(*unix_seconds));
}

template <typename T>
FitValue Integer(std::optional<T> value) {
  if (!value) return FitValue::Invalid();
  return FitValue::UInt(static_cast<uint64_t>(*value));
}

// Steps per minute -> (cadence, fractional_cadence) in strides per minute.
std::pair<FitValue, FitValue> SplitCadence(std::optional<double> spm) {
  if (!spm) return {FitValue::Invalid(), FitValue::Invalid()};
  const double strides = *spm / 2.0;
  auto whole = static_cast<int64_t>(std::floor(strides));
  int64_t fraction = std::llround((strides - static_cast<double>(whole)) * 128);
  if (fraction == 128) {
    ++whole;
    fraction = 0;
  }
  return {FitValue::Int(whole), FitValue::Int(fraction)};
}

std::vector<FitField> RecordFields(const Record& r, bool enhanced,
                                   bool with_timestamp) {
  constexpr double kSemicirclesPerDegree = 2147483648.0 / 180.0;
  const auto [cadence, fraction] = SplitCadence(r.cadence_spm);
  std::vector<FitField> fields;
  if (with_timestamp) {
    fields.push_back({253, FitBaseType::kUint32, Time(r.timestamp_s)});
  }
  const std::vector<FitField> rest = {
      {0, FitBaseType::kSint32, Scaled(r.latitude_deg, kSemicirclesPerDegree)},
      {1, FitBaseType::kSint32, Scaled(r.longitude_deg, kSemicirclesPerDegree)},
      {5, FitBaseType::kUint32, Scaled(r.distance_m, 100)},
      enhanced ? FitField{73, FitBaseType::kUint32, Scaled(r.speed_mps, 1000)}
               : FitField{6, FitBaseType::kUint16, Scaled(r.speed_mps, 1000)},
      enhanced
          ? FitField{78, FitBaseType::kUint32, Scaled(r.altitude_m, 5, 500)}
          : FitField{2, FitBaseType::kUint16, Scaled(r.altitude_m, 5, 500)},
      {3, FitBaseType::kUint8, Scaled(r.heart_rate_bpm, 1)},
      {4, FitBaseType::kUint8, cadence},
      {53, FitBaseType::kUint8, fraction},
      {85, FitBaseType::kUint16, Scaled(r.step_length_m, 10000)},
      {39, FitBaseType::kUint16, Scaled(r.vertical_oscillation_cm, 100)},
      {83, FitBaseType::kUint16, Scaled(r.vertical_ratio_pct, 100)},
      {41, FitBaseType::kUint16, Scaled(r.stance_time_ms, 10)},
      {84, FitBaseType::kUint16, Scaled(r.stance_time_balance_left_pct, 100)},
      {7, FitBaseType::kUint16, Scaled(r.power_w, 1)},
      {13, FitBaseType::kSint8, Scaled(r.temperature_c, 1)},
  };
  fields.insert(fields.end(), rest.begin(), rest.end());
  return fields;
}

std::vector<FitDevField> RecordDeveloperFields(
    const Record& r, const std::vector<DeveloperFieldSpec>& specs) {
  std::vector<FitDevField> fields;
  for (const DeveloperFieldSpec& spec : specs) {
    FitDevField field{spec.field_number, spec.developer_data_index, spec.type,
                      FitValue::Invalid()};
    for (const auto& value : r.developer) {
      if (value.developer_data_index != spec.developer_data_index ||
          value.field_number != spec.field_number) {
        continue;
      }
      const double scale = spec.scale.value_or(1);
      const double offset = spec.offset.value_or(0);
      if (spec.type == FitBaseType::kFloat32 ||
          spec.type == FitBaseType::kFloat64) {
        field.value = FitValue::Real((value.value + offset) * scale);
      } else {
        field.value = Scaled(value.value, scale, offset);
      }
    }
    fields.push_back(field);
  }
  return fields;
}

// Lap and session share their fields under different numbers.
struct SummaryNumbers {
  uint8_t start_time, elapsed, timer, distance, avg_speed, max_speed, avg_hr,
      max_hr, avg_cadence, ascent, descent, sport, sub_sport, avg_vo,
      avg_stance_time, avg_fractional_cadence, enhanced_avg_speed,
      enhanced_max_speed, avg_vertical_ratio, avg_balance, avg_step_length;
};
constexpr SummaryNumbers kLap{2,  7,  8,  9,  13, 14,  15,  16,  17,  21, 22,
                              25, 39, 77, 79, 80, 110, 111, 118, 119, 120};
constexpr SummaryNumbers kSession{2, 7, 8,  9,  14, 15,  16,  17,  18,  22, 23,
                                  5, 6, 89, 91, 92, 124, 125, 132, 133, 134};

std::vector<FitField> SummaryFields(const Summary& s, const SummaryNumbers& n,
                                    bool enhanced) {
  const auto [cadence, fraction] = SplitCadence(s.avg_cadence_spm);
  std::vector<FitField> fields = {
      {253, FitBaseType::kUint32, Time(s.timestamp_s)},
      {n.start_time, FitBaseType::kUint32, Time(s.start_time_s)},
      {n.elapsed, FitBaseType::kUint32, Scaled(s.total_elapsed_time_s, 1000)},
      {n.timer, FitBaseType::kUint32, Scaled(s.total_timer_time_s, 1000)},
      {n.distance, FitBaseType::kUint32, Scaled(s.total_distance_m, 100)},
      {n.avg_hr, FitBaseType::kUint8, Scaled(s.avg_heart_rate, 1)},
      {n.max_hr, FitBaseType::kUint8, Scaled(s.max_heart_rate, 1)},
      {n.avg_cadence, FitBaseType::kUint8, cadence},
      {n.avg_fractional_cadence, FitBaseType::kUint8, fraction},
      {n.ascent, FitBaseType::kUint16, Scaled(s.total_ascent_m, 1)},
      {n.descent, FitBaseType::kUint16, Scaled(s.total_descent_m, 1)},
      {n.sport, FitBaseType::kEnum, Integer(s.sport)},
      {n.sub_sport, FitBaseType::kEnum, Integer(s.sub_sport)},
      {n.avg_vo, FitBaseType::kUint16,
       Scaled(s.avg_vertical_oscillation_cm, 100)},
      {n.avg_stance_time, FitBaseType::kUint16,
       Scaled(s.avg_stance_time_ms, 10)},
      {n.avg_vertical_ratio, FitBaseType::kUint16,
       Scaled(s.avg_vertical_ratio_pct, 100)},
      {n.avg_balance, FitBaseType::kUint16,
       Scaled(s.avg_stance_time_balance_left_pct, 100)},
      {n.avg_step_length, FitBaseType::kUint16,
       Scaled(s.avg_step_length_m, 10000)},
  };
  if (enhanced) {
    fields.push_back({n.enhanced_avg_speed, FitBaseType::kUint32,
                      Scaled(s.avg_speed_mps, 1000)});
    fields.push_back({n.enhanced_max_speed, FitBaseType::kUint32,
                      Scaled(s.max_speed_mps, 1000)});
  } else {
    fields.push_back(
        {n.avg_speed, FitBaseType::kUint16, Scaled(s.avg_speed_mps, 1000)});
    fields.push_back(
        {n.max_speed, FitBaseType::kUint16, Scaled(s.max_speed_mps, 1000)});
  }
  return fields;
}

std::vector<FitField> FileIdFields(const FileId& id) {
  return {
      {0, FitBaseType::kEnum, Integer(id.type)},
      {1, FitBaseType::kUint16, Integer(id.manufacturer)},
      {2, FitBaseType::kUint16, Integer(id.product)},
      {3, FitBaseType::kUint32z, Integer(id.serial_number)},
      {4, FitBaseType::kUint32, Time(id.time_created_s)},
  };
}

std::vector<FitField> DeviceInfoFields(const DeviceInfo& d) {
  return {
      {253, FitBaseType::kUint32, Time(d.timestamp_s)},
      {0, FitBaseType::kUint8, Integer(d.device_index)},
      {2, FitBaseType::kUint16, Integer(d.manufacturer)},
      {3, FitBaseType::kUint32z, Integer(d.serial_number)},
      {4, FitBaseType::kUint16, Integer(d.product)},
      {5, FitBaseType::kUint16, Scaled(d.software_version, 100)},
  };
}

}  // namespace

uint8_t FitBaseTypeSize(FitBaseType type) {
  switch (type) {
    case FitBaseType::kSint16:
    case FitBaseType::kUint16:
    case FitBaseType::kUint16z:
      return 2;
    case FitBaseType::kSint32:
    case FitBaseType::kUint32:
    case FitBaseType::kFloat32:
    case FitBaseType::kUint32z:
      return 4;
    case FitBaseType::kFloat64:
    case FitBaseType::kSint64:
    case FitBaseType::kUint64:
    case FitBaseType::kUint64z:
      return 8;
    default:
      return 1;
  }
}

void FitWriter::Define(uint8_t local_type, uint16_t global_message,
                       const std::vector<FitField>& fields,
                       const std::vector<FitDevField>& developer_fields,
                       bool big_endian) {
  const bool has_developer = !developer_fields.empty();
  data_.push_back(static_cast<char>(0x40 | (has_developer ? 0x20 : 0) |
                                    (local_type & 0x0F)));
  data_.push_back('\0');
  data_.push_back(big_endian ? '\1' : '\0');
  AppendInteger(&data_, global_message, 2, big_endian);
  data_.push_back(static_cast<char>(fields.size()));
  for (const FitField& field : fields) {
    data_.push_back(static_cast<char>(field.number));
    data_.push_back(
        static_cast<char>(DefinedSize(field.value, field.type, field.size)));
    data_.push_back(static_cast<char>(field.type));
  }
  if (has_developer) {
    data_.push_back(static_cast<char>(developer_fields.size()));
    for (const FitDevField& field : developer_fields) {
      data_.push_back(static_cast<char>(field.number));
      data_.push_back(
          static_cast<char>(DefinedSize(field.value, field.type, field.size)));
      data_.push_back(static_cast<char>(field.developer_data_index));
    }
  }
  big_endian_[local_type & 0x0F] = big_endian;
}

void FitWriter::Data(uint8_t local_type, const std::vector<FitField>& fields,
                     const std::vector<FitDevField>& developer_fields) {
  data_.push_back(static_cast<char>(local_type & 0x0F));
  WriteBody(local_type, fields, developer_fields);
}

void FitWriter::CompressedData(
    uint8_t local_type, uint8_t time_offset,
    const std::vector<FitField>& fields,
    const std::vector<FitDevField>& developer_fields) {
  data_.push_back(static_cast<char>(0x80 | ((local_type & 0x03) << 5) |
                                    (time_offset & 0x1F)));
  WriteBody(local_type, fields, developer_fields);
}

void FitWriter::Message(uint8_t local_type, uint16_t global_message,
                        const std::vector<FitField>& fields,
                        const std::vector<FitDevField>& developer_fields,
                        bool big_endian) {
  Define(local_type, global_message, fields, developer_fields, big_endian);
  Data(local_type, fields, developer_fields);
}

void FitWriter::WriteBody(uint8_t local_type,
                          const std::vector<FitField>& fields,
                          const std::vector<FitDevField>& developer_fields) {
  const bool big_endian = big_endian_[local_type & 0x0F];
  for (const FitField& field : fields) {
    AppendValue(&data_, field.value, field.type,
                DefinedSize(field.value, field.type, field.size), big_endian);
  }
  for (const FitDevField& field : developer_fields) {
    AppendValue(&data_, field.value, field.type,
                DefinedSize(field.value, field.type, field.size), big_endian);
  }
}

std::string FitWriter::Finish() const {
  std::string file;
  file.push_back(static_cast<char>(options_.header_size));
  file.push_back(static_cast<char>(options_.protocol_version));
  AppendInteger(&file, options_.profile_version, 2, false);
  AppendInteger(&file, data_.size(), 4, false);
  file.append(".FIT");
  if (options_.header_size >= 14) {
    AppendInteger(&file, options_.header_crc ? FitCrc(file) : 0, 2, false);
    file.append(options_.header_size - 14, '\0');
  } else if (options_.header_size < 12) {
    file.resize(options_.header_size);
  }
  file.append(data_);
  AppendInteger(&file, FitCrc(file), 2, false);
  return file;
}

std::string EncodeActivity(const Activity& activity,
                           const ActivityEncodeOptions& options) {
  FitWriter writer(options.file);
  const bool be = options.big_endian;

  writer.Message(kOtherLocal, kFileIdMesg, FileIdFields(activity.file_id), {},
                 be);
  for (const DeviceInfo& device : activity.devices) {
    writer.Message(kOtherLocal, kDeviceInfoMesg, DeviceInfoFields(device), {},
                   be);
  }

  std::vector<uint8_t> declared_indexes;
  for (const DeveloperFieldSpec& spec : options.developer_fields) {
    const bool declared =
        std::find(declared_indexes.begin(), declared_indexes.end(),
                  spec.developer_data_index) != declared_indexes.end();
    if (!declared) {
      declared_indexes.push_back(spec.developer_data_index);
      writer.Message(
          kOtherLocal, kDeveloperDataIdMesg,
          {{1, FitBaseType::kByte, FitValue::Raw(std::string(16, '\x42')), 16},
           {3, FitBaseType::kUint8, FitValue::UInt(spec.developer_data_index)}},
          {}, be);
    }
    std::vector<FitField> description = {
        {0, FitBaseType::kUint8, FitValue::UInt(spec.developer_data_index)},
        {1, FitBaseType::kUint8, FitValue::UInt(spec.field_number)},
        {2, FitBaseType::kUint8,
         FitValue::UInt(static_cast<uint8_t>(spec.type))},
        {3, FitBaseType::kString, FitValue::Text(spec.name)},
        {6, FitBaseType::kUint8, Integer(spec.scale)},
        {7, FitBaseType::kSint8,
         spec.offset ? FitValue::Int(*spec.offset) : FitValue::Invalid()},
        {8, FitBaseType::kString, FitValue::Text(spec.units)},
    };
    if (spec.name.empty()) description[3].value = FitValue::Invalid();
    if (spec.units.empty()) description[6].value = FitValue::Invalid();
    writer.Message(kOtherLocal, kFieldDescriptionMesg, description, {}, be);
  }

  if (activity.sport) {
    writer.Message(kOtherLocal, kSportMesg,
                   {{0, FitBaseType::kEnum, Integer(activity.sport)}}, {}, be);
  }

  std::optional<uint32_t> previous;
  bool defined_full = false;
  bool defined_compressed = false;
  for (const Record& record : activity.records) {
    const uint32_t time = ToFitTime(record.timestamp_s);
    const std::vector<FitDevField> developer =
        RecordDeveloperFields(record, options.developer_fields);
    const bool compress = options.compressed_timestamps && previous &&
                          time >= *previous && time - *previous < 32;
    const std::vector<FitField> fields =
        RecordFields(record, options.enhanced_fields, !compress);
    if (compress) {
      if (!defined_compressed) {
        writer.Define(kCompressedRecordLocal, kRecordMesg, fields, developer,
                      be);
        defined_compressed = true;
      }
      writer.CompressedData(kCompressedRecordLocal, time & 0x1F, fields,
                            developer);
    } else {
      if (!defined_full) {
        writer.Define(kRecordLocal, kRecordMesg, fields, developer, be);
        defined_full = true;
      }
      writer.Data(kRecordLocal, fields, developer);
    }
    previous = time;
  }

  for (const Summary& lap : activity.laps) {
    writer.Message(kOtherLocal, kLapMesg,
                   SummaryFields(lap, kLap, options.enhanced_fields), {}, be);
  }
  for (const Summary& session : activity.sessions) {
    writer.Message(kOtherLocal, kSessionMesg,
                   SummaryFields(session, kSession, options.enhanced_fields),
                   {}, be);
  }
  return writer.Finish();
}

uint32_t ToFitTime(int64_t unix_seconds) {
  return static_cast<uint32_t>(unix_seconds - kFitEpoch);
}

uint16_t FitCrc(absl::string_view bytes) {
  uint16_t crc = 0;
  for (const char c : bytes) {
    crc ^= static_cast<uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? static_cast<uint16_t>((crc >> 1) ^ 0xA001)
                      : static_cast<uint16_t>(crc >> 1);
    }
  }
  return crc;
}

std::string Truncated(absl::string_view file, size_t length) {
  return std::string(file.substr(0, length));
}

std::string WithFlippedBits(absl::string_view file, size_t offset,
                            uint8_t mask) {
  std::string out(file);
  out.at(offset) = static_cast<char>(out.at(offset) ^ mask);
  return out;
}

std::string WithBadFileCrc(absl::string_view file) {
  return WithFlippedBits(file, file.size() - 1, 0x5A);
}

std::string WithHeaderDataSize(absl::string_view file, uint32_t data_size) {
  std::string out(file);
  // Little-endian in place (std::string::replace trips a GCC 12 -Wrestrict
  // false positive).
  auto put = [&out](size_t at, uint64_t value, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      out.at(at + i) = static_cast<char>((value >> (8 * i)) & 0xFF);
    }
  };
  put(4, data_size, 4);
  const auto header_size = static_cast<uint8_t>(out.at(0));
  const bool has_crc =
      header_size >= 14 && (out.at(12) != 0 || out.at(13) != 0);
  if (has_crc) put(12, FitCrc(absl::string_view(out).substr(0, 12)), 2);
  return out;
}

std::string Chain(const std::vector<std::string>& files) {
  std::string out;
  for (const std::string& file : files) out += file;
  return out;
}

}  // namespace gaitkeeper::test_support
