#include "services/common/dynamics_series.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace gaitkeeper {
namespace {

using common::v1::DynamicsField;
using ingestion::v1::DynamicsSample;

// One float measurement: its storage id, how to read/write it on the API sample, and its column
// in the in-memory series. Adding a measurement means adding one row here.
struct FloatField {
  DynamicsField id;
  bool (DynamicsSample::*has)() const;
  float (DynamicsSample::*get)() const;
  void (DynamicsSample::*set)(float);
  std::vector<float> DynamicsSeries::*column;
};

const std::array<FloatField, 11>& FloatFields() {
  static const std::array<FloatField, 11> kFields = {{
      {common::v1::DYNAMICS_FIELD_SPEED_MPS, &DynamicsSample::has_speed_mps, &DynamicsSample::speed_mps, &DynamicsSample::set_speed_mps, &DynamicsSeries::speed_mps},
      {common::v1::DYNAMICS_FIELD_CADENCE_SPM, &DynamicsSample::has_cadence_spm, &DynamicsSample::cadence_spm, &DynamicsSample::set_cadence_spm, &DynamicsSeries::cadence_spm},
      {common::v1::DYNAMICS_FIELD_STEP_LENGTH_M, &DynamicsSample::has_step_length_m, &DynamicsSample::step_length_m, &DynamicsSample::set_step_length_m, &DynamicsSeries::step_length_m},
      {common::v1::DYNAMICS_FIELD_VERTICAL_OSCILLATION_CM, &DynamicsSample::has_vertical_oscillation_cm, &DynamicsSample::vertical_oscillation_cm, &DynamicsSample::set_vertical_oscillation_cm, &DynamicsSeries::vertical_oscillation_cm},
      {common::v1::DYNAMICS_FIELD_VERTICAL_RATIO_PCT, &DynamicsSample::has_vertical_ratio_pct, &DynamicsSample::vertical_ratio_pct, &DynamicsSample::set_vertical_ratio_pct, &DynamicsSeries::vertical_ratio_pct},
      {common::v1::DYNAMICS_FIELD_GROUND_CONTACT_TIME_MS, &DynamicsSample::has_ground_contact_time_ms, &DynamicsSample::ground_contact_time_ms, &DynamicsSample::set_ground_contact_time_ms, &DynamicsSeries::ground_contact_time_ms},
      {common::v1::DYNAMICS_FIELD_GCT_BALANCE_LEFT_PCT, &DynamicsSample::has_gct_balance_left_pct, &DynamicsSample::gct_balance_left_pct, &DynamicsSample::set_gct_balance_left_pct, &DynamicsSeries::gct_balance_left_pct},
      {common::v1::DYNAMICS_FIELD_HEART_RATE_BPM, &DynamicsSample::has_heart_rate_bpm, &DynamicsSample::heart_rate_bpm, &DynamicsSample::set_heart_rate_bpm, &DynamicsSeries::heart_rate_bpm},
      {common::v1::DYNAMICS_FIELD_POWER_W, &DynamicsSample::has_power_w, &DynamicsSample::power_w, &DynamicsSample::set_power_w, &DynamicsSeries::power_w},
      {common::v1::DYNAMICS_FIELD_DISTANCE_M, &DynamicsSample::has_distance_m, &DynamicsSample::distance_m, &DynamicsSample::set_distance_m, &DynamicsSeries::distance_m},
      {common::v1::DYNAMICS_FIELD_ALTITUDE_M, &DynamicsSample::has_altitude_m, &DynamicsSample::altitude_m, &DynamicsSample::set_altitude_m, &DynamicsSeries::altitude_m},
  }};
  return kFields;
}

struct DoubleField {
  DynamicsField id;
  bool (DynamicsSample::*has)() const;
  double (DynamicsSample::*get)() const;
  void (DynamicsSample::*set)(double);
  std::vector<double> DynamicsSeries::*column;
};

const std::array<DoubleField, 2>& DoubleFields() {
  static const std::array<DoubleField, 2> kFields = {{
      {common::v1::DYNAMICS_FIELD_LATITUDE_DEG, &DynamicsSample::has_latitude_deg, &DynamicsSample::latitude_deg, &DynamicsSample::set_latitude_deg, &DynamicsSeries::latitude_deg},
      {common::v1::DYNAMICS_FIELD_LONGITUDE_DEG, &DynamicsSample::has_longitude_deg, &DynamicsSample::longitude_deg, &DynamicsSample::set_longitude_deg, &DynamicsSeries::longitude_deg},
  }};
  return kFields;
}

bool BitSet(const std::string& bitmap, size_t i) {
  if (bitmap.empty()) return true;
  return (static_cast<unsigned char>(bitmap[i / 8]) >> (i % 8)) & 1;
}

// Fills one column of a chunk from the samples; leaves it out when no sample has the value.
template <typename Field, typename Column>
void EncodeColumn(const google::protobuf::RepeatedPtrField<DynamicsSample>& samples,
                  const Field& field, Column* (common::v1::DynamicsChunk::*add)(),
                  common::v1::DynamicsChunk& chunk) {
  const int n = samples.size();
  int present = 0;
  for (const DynamicsSample& s : samples) present += (s.*field.has)() ? 1 : 0;
  if (present == 0) return;
  Column* column = (chunk.*add)();
  column->set_field(field.id);
  column->mutable_values()->Reserve(n);
  std::string bitmap(present == n ? 0 : (n + 7) / 8, '\0');
  for (int i = 0; i < n; ++i) {
    const bool has = (samples[i].*field.has)();
    column->add_values(has ? (samples[i].*field.get)() : 0);
    if (has && !bitmap.empty()) bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
  }
  column->set_present(std::move(bitmap));
}

template <typename Column, typename Value>
absl::Status DecodeColumn(const Column& column, size_t n, std::vector<Value>& out, Value missing) {
  if (static_cast<size_t>(column.values_size()) != n ||
      (!column.present().empty() && column.present().size() != (n + 7) / 8)) {
    return absl::DataLossError("a stored chunk column is inconsistent");
  }
  const size_t base = out.size() - n;
  for (size_t i = 0; i < n; ++i) out[base + i] = BitSet(column.present(), i) ? column.values(i) : missing;
  return absl::OkStatus();
}

}  // namespace

common::v1::DynamicsChunk EncodeChunk(
    const google::protobuf::RepeatedPtrField<DynamicsSample>& samples) {
  common::v1::DynamicsChunk chunk;
  chunk.mutable_offset_ms()->Reserve(samples.size());
  for (const DynamicsSample& s : samples) chunk.add_offset_ms(s.offset_ms());
  for (const FloatField& f : FloatFields()) {
    EncodeColumn(samples, f, &common::v1::DynamicsChunk::add_columns, chunk);
  }
  for (const DoubleField& f : DoubleFields()) {
    EncodeColumn(samples, f, &common::v1::DynamicsChunk::add_position_columns, chunk);
  }
  return chunk;
}

absl::Status AppendChunk(const common::v1::DynamicsChunk& chunk, DynamicsSeries* series) {
  const size_t n = chunk.offset_ms_size();
  series->offset_ms.insert(series->offset_ms.end(), chunk.offset_ms().begin(), chunk.offset_ms().end());
  for (const FloatField& f : FloatFields()) (series->*f.column).resize(series->size(), kMissing);
  for (const DoubleField& f : DoubleFields()) {
    (series->*f.column).resize(series->size(), std::numeric_limits<double>::quiet_NaN());
  }
  for (const common::v1::FloatColumn& column : chunk.columns()) {
    for (const FloatField& f : FloatFields()) {
      if (f.id != column.field()) continue;
      absl::Status status = DecodeColumn(column, n, series->*f.column, kMissing);
      if (!status.ok()) return status;
    }
  }
  for (DynamicsSeries::Extra& e : series->extra) e.values.resize(series->size(), std::numeric_limits<double>::quiet_NaN());
  for (const common::v1::NamedColumn& column : chunk.extra_columns()) {
    DynamicsSeries::Extra* target = nullptr;
    for (DynamicsSeries::Extra& e : series->extra) {
      if (e.name == column.name()) target = &e;
    }
    if (target == nullptr) {
      series->extra.push_back({column.name(), column.units(),
                               std::vector<double>(series->size(), std::numeric_limits<double>::quiet_NaN())});
      target = &series->extra.back();
    }
    absl::Status status = DecodeColumn(column, n, target->values, std::numeric_limits<double>::quiet_NaN());
    if (!status.ok()) return status;
  }
  for (const common::v1::DoubleColumn& column : chunk.position_columns()) {
    for (const DoubleField& f : DoubleFields()) {
      if (f.id != column.field()) continue;
      absl::Status status =
          DecodeColumn(column, n, series->*f.column, std::numeric_limits<double>::quiet_NaN());
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

void AddExtraColumns(const std::vector<DynamicsSeries::Extra>& extra, common::v1::DynamicsChunk* chunk) {
  const size_t n = chunk->offset_ms_size();
  for (const DynamicsSeries::Extra& e : extra) {
    if (e.values.size() != n) continue;
    size_t present = 0;
    for (double v : e.values) present += std::isnan(v) ? 0 : 1;
    if (present == 0) continue;
    common::v1::NamedColumn* column = chunk->add_extra_columns();
    column->set_name(e.name);
    column->set_units(e.units);
    std::string bitmap(present == n ? 0 : (n + 7) / 8, '\0');
    for (size_t i = 0; i < n; ++i) {
      const bool has = !std::isnan(e.values[i]);
      column->add_values(has ? e.values[i] : 0);
      if (has && !bitmap.empty()) bitmap[i / 8] = static_cast<char>(bitmap[i / 8] | (1 << (i % 8)));
    }
    column->set_present(std::move(bitmap));
  }
}

namespace {
template <typename T>
void MeanInto(const std::vector<T>& in, size_t begin, size_t end, std::vector<T>& out) {
  if (in.size() < end) return;
  double sum = 0;
  size_t count = 0;
  for (size_t i = begin; i < end; ++i) {
    if (!std::isnan(in[i])) {
      sum += in[i];
      ++count;
    }
  }
  out.push_back(count > 0 ? static_cast<T>(sum / count) : std::numeric_limits<T>::quiet_NaN());
}
}  // namespace

DynamicsSeries Downsample(const DynamicsSeries& series, size_t max_points) {
  const size_t n = series.size();
  if (max_points == 0 || max_points >= n) return series;
  DynamicsSeries out;
  for (const DynamicsSeries::Extra& e : series.extra) out.extra.push_back({e.name, e.units, {}});
  for (size_t b = 0; b < max_points; ++b) {
    const size_t begin = b * n / max_points;
    const size_t end = (b + 1) * n / max_points;
    if (begin >= end) continue;
    out.offset_ms.push_back(series.offset_ms[begin]);
    for (const FloatField& f : FloatFields()) MeanInto(series.*f.column, begin, end, out.*f.column);
    for (const DoubleField& f : DoubleFields()) MeanInto(series.*f.column, begin, end, out.*f.column);
    for (size_t e = 0; e < series.extra.size(); ++e) MeanInto(series.extra[e].values, begin, end, out.extra[e].values);
  }
  return out;
}

std::vector<DynamicsSample> ToSamples(const DynamicsSeries& series) {
  std::vector<DynamicsSample> out(series.size());
  for (size_t i = 0; i < series.size(); ++i) {
    out[i].set_offset_ms(series.offset_ms[i]);
    for (const FloatField& f : FloatFields()) {
      const std::vector<float>& column = series.*f.column;
      if (i < column.size() && Present(column[i])) (out[i].*f.set)(column[i]);
    }
    for (const DoubleField& f : DoubleFields()) {
      const std::vector<double>& column = series.*f.column;
      if (i < column.size() && !std::isnan(column[i])) (out[i].*f.set)(column[i]);
    }
  }
  return out;
}

}  // namespace gaitkeeper
