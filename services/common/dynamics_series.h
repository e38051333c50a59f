#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gaitkeeper/common/v1/sample_chunk.pb.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"
#include "google/protobuf/repeated_field.h"

namespace gaitkeeper {

// A session's per-second running dynamics in memory, column by column, for computation. Every
// column has one slot per sample; NaN marks "not measured" (in memory only: storage uses
// presence bitmaps and the API uses optional fields).
struct DynamicsSeries {
  std::vector<uint32_t> offset_ms;
  std::vector<float> speed_mps;
  std::vector<float> cadence_spm;
  std::vector<float> step_length_m;
  std::vector<float> vertical_oscillation_cm;
  std::vector<float> vertical_ratio_pct;
  std::vector<float> ground_contact_time_ms;
  std::vector<float> gct_balance_left_pct;
  std::vector<float> heart_rate_bpm;
  std::vector<float> power_w;
  std::vector<float> distance_m;
  std::vector<float> altitude_m;
  std::vector<double> latitude_deg;
  std::vector<double> longitude_deg;
  // Measurements without a field of their own (FIT developer fields...), same length, NaN = absent.
  struct Extra {
    std::string name;
    std::string units;
    std::vector<double> values;
  };
  std::vector<Extra> extra;

  size_t size() const { return offset_ms.size(); }
};

inline constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();
inline bool Present(float v) { return !std::isnan(v); }

// Encodes one validated upload batch as a columnar storage chunk. Columns no sample has are left
// out; a presence bitmap is written only for partially present columns.
common::v1::DynamicsChunk EncodeChunk(
    const google::protobuf::RepeatedPtrField<ingestion::v1::DynamicsSample>& samples);

// Appends a stored chunk to `series`. DataLoss when the chunk is inconsistent (column lengths).
absl::Status AppendChunk(const common::v1::DynamicsChunk& chunk, DynamicsSeries* series);

// Adds extra (named) columns to a chunk built by EncodeChunk: one per entry, aligned with the
// chunk's samples, NaN = absent. Columns with no value are left out.
void AddExtraColumns(const std::vector<DynamicsSeries::Extra>& extra, common::v1::DynamicsChunk* chunk);

// Converts a series slice back to API samples (for reads and tests).
std::vector<ingestion::v1::DynamicsSample> ToSamples(const DynamicsSeries& series);

// At most `max_points` points, each the mean of a run of consecutive samples (absent values
// ignored; a bucket with none stays absent; offsets are the bucket's first). max_points of 0 or
// >= size() returns the series unchanged.
DynamicsSeries Downsample(const DynamicsSeries& series, size_t max_points);

}  // namespace gaitkeeper
