#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"
#include "services/common/dynamics_series.h"

// Turns an uploaded activity file (FIT, TCX, GPX) into what ingestion stores: a session summary,
// per-second samples with offsets from the start, and extra named columns (FIT developer fields).
// Pure: no I/O. The decoders live in fit/ and activity_xml/.
namespace gaitkeeper::ingestion {

inline constexpr size_t kMaxImportBytes = 32u << 20;

struct ImportedActivity {
  v1::FileFormat format = v1::FILE_FORMAT_UNSPECIFIED;
  std::string sport;  // "running", "cycling", "multisport", ...
  std::string device;
  int64_t start_us = 0;
  std::optional<float> duration_s;
  std::optional<float> distance_m;
  std::optional<float> elevation_gain_m;
  std::optional<float> average_heart_rate_bpm;
  std::optional<float> max_heart_rate_bpm;
  std::vector<v1::DynamicsSample> samples;
  std::vector<DynamicsSeries::Extra> extra;  // aligned with samples
  // FIT file_id "type:manufacturer:product:serial:time_created" when the file has one.
  std::optional<std::string> fit_file_id;
  std::vector<std::string> warnings;
};

// FIT by its header signature, TCX/GPX by the XML root; UNSPECIFIED when none matches.
v1::FileFormat DetectFormat(absl::string_view bytes);

// Decodes and converts. `declared` (UNSPECIFIED = detect) must match the content.
// InvalidArgument: not a supported file, or a declared format that does not match;
// DataLoss: truncated or corrupt (bad CRC...); FailedPrecondition (reason NOT_A_RUN): the file
// holds no running activity (a multisport file imports its running leg); ResourceExhausted: too
// large. Values outside the API's ranges are dropped with a warning, never stored.
absl::StatusOr<ImportedActivity> DecodeActivityFile(absl::string_view bytes, v1::FileFormat declared);

}  // namespace gaitkeeper::ingestion
