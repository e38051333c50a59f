// libFuzzer target for the FIT decoder. Any input must decode or fail with a
// status, without crashing, reading out of bounds (ASan), undefined behaviour
// (UBSan) or unbounded allocation, and a successful decode must never hold a
// non-finite value.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/ingestion/fit/fit_decoder.h"

namespace {

using gaitkeeper::ingestion::fit::Activity;
using gaitkeeper::ingestion::fit::DecodeFit;
using gaitkeeper::ingestion::fit::DecodeOptions;
using gaitkeeper::ingestion::fit::Record;
using gaitkeeper::ingestion::fit::Summary;

void CheckFinite(const std::optional<double>& value) {
  if (value && !std::isfinite(*value)) std::abort();
}

void CheckActivity(const Activity& activity, const DecodeOptions& options) {
  if (activity.chained_files < 1) std::abort();
  if (activity.records.size() > options.max_records) std::abort();
  for (const Record& r : activity.records) {
    for (const auto* value :
         {&r.latitude_deg, &r.longitude_deg, &r.distance_m, &r.speed_mps,
          &r.altitude_m, &r.heart_rate_bpm, &r.cadence_spm, &r.step_length_m,
          &r.vertical_oscillation_cm, &r.vertical_ratio_pct, &r.stance_time_ms,
          &r.stance_time_balance_left_pct, &r.power_w, &r.temperature_c}) {
      CheckFinite(*value);
    }
    for (const auto& d : r.developer) {
      if (!std::isfinite(d.value)) std::abort();
    }
  }
  for (const auto* summaries : {&activity.laps, &activity.sessions}) {
    for (const Summary& s : *summaries) {
      CheckFinite(s.total_distance_m);
      CheckFinite(s.avg_speed_mps);
      CheckFinite(s.avg_cadence_spm);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  // CRC checks would reject nearly every mutation before the message
  // decoder runs, so most passes skip them; small limits exercise the
  // ResourceExhausted paths.
  const DecodeOptions passes[] = {
      {.check_crc = true},
      {.check_crc = false},
      {.check_crc = false, .allow_partial = true},
      {.check_crc = false,
       .allow_partial = true,
       .max_records = 8,
       .max_developer_values = 8,
       .max_summaries = 2},
  };
  for (const DecodeOptions& options : passes) {
    const absl::StatusOr<Activity> activity = DecodeFit(bytes, options);
    if (activity.ok()) CheckActivity(*activity, options);
  }
  return 0;
}
