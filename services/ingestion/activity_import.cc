#include "services/ingestion/activity_import.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/status.h"
#include "services/ingestion/activity_xml/activity_xml.h"
#include "services/ingestion/fit/fit_decoder.h"
#include "services/ingestion/validation.h"

namespace gaitkeeper::ingestion {
namespace {

constexpr int64_t kMaxOffsetUs = static_cast<int64_t>(kMaxOffsetMs) * 1000;

// FIT `sport` enum names for the sports we meet (profile: 0 generic, 1 running, 2 cycling, ...).
std::string FitSportName(std::optional<uint8_t> sport) {
  if (!sport.has_value()) return "unknown";
  switch (*sport) {
    case 0: return "generic";
    case 1: return "running";
    case 2: return "cycling";
    case 3: return "transition";
    case 4: return "fitness_equipment";
    case 5: return "swimming";
    case 11: return "walking";
    case 17: return "hiking";
    case 18: return "multisport";
    default: return absl::StrCat("sport_", *sport);
  }
}

std::string FitManufacturerName(std::optional<uint32_t> manufacturer) {
  if (!manufacturer.has_value()) return "unknown";
  static const std::map<uint32_t, const char*> kNames = {
      {1, "garmin"}, {23, "suunto"}, {32, "wahoo"}, {95, "stryd"}, {255, "development"}, {265, "strava"},
      {294, "coros"}, {289, "zwift"}, {260, "zwift"}, {69, "polar"}};
  auto it = kNames.find(*manufacturer);
  return it != kNames.end() ? it->second : absl::StrCat("manufacturer ", *manufacturer);
}

template <typename T>
std::optional<float> ToFloat(const std::optional<T>& v) {
  if (!v.has_value() || !std::isfinite(static_cast<double>(*v))) return std::nullopt;
  return static_cast<float>(*v);
}

// Appends `sample` unless its offset does not move forward; repairs out-of-range values.
class SampleBuilder {
 public:
  explicit SampleBuilder(ImportedActivity& out) : out_(out) {}

  // Returns false (and counts why) when the sample was skipped.
  bool Add(int64_t offset_us, v1::DynamicsSample sample) {
    if (offset_us < 0) return Skip("before the activity start");
    if (offset_us > kMaxOffsetUs) return Skip("more than 48 hours after the start");
    const int64_t offset_ms = offset_us / 1000;
    if (!out_.samples.empty() && offset_ms <= static_cast<int64_t>(out_.samples.back().offset_ms())) {
      return Skip("not after the previous point (duplicate or backwards time)");
    }
    sample.set_offset_ms(static_cast<uint32_t>(offset_ms));
    for (const std::string& name : ClearOutOfRange(&sample)) ++cleared_[name];
    out_.samples.push_back(std::move(sample));
    return true;
  }

  void Finish() {
    for (const auto& [why, count] : skipped_) out_.warnings.push_back(absl::StrCat(count, " point(s) skipped: ", why));
    for (const auto& [field, count] : cleared_) {
      out_.warnings.push_back(absl::StrCat(count, " implausible ", field, " value(s) dropped"));
    }
  }

 private:
  bool Skip(const char* why) {
    ++skipped_[why];
    return false;
  }
  ImportedActivity& out_;
  std::map<std::string, int> skipped_;
  std::map<std::string, int> cleared_;
};

absl::Status NotARun(absl::string_view sport) {
  return WithReason(absl::FailedPreconditionError(absl::StrCat(
                        "the file holds a ", sport, " activity, not a run; only running activities are imported")),
                    "NOT_A_RUN");
}

absl::StatusOr<ImportedActivity> FromFit(absl::string_view bytes) {
  absl::StatusOr<fit::Activity> decoded = fit::DecodeFit(bytes);
  if (!decoded.ok()) return decoded.status();
  const fit::Activity& fit = *decoded;
  ImportedActivity out;
  out.format = v1::FILE_FORMAT_FIT;
  out.warnings = fit.warnings;
  // The running session: the only one, or the running leg of a multisport file.
  const fit::SessionSummary* session = nullptr;
  for (const fit::SessionSummary& s : fit.sessions) {
    if (s.sport == 1) {
      session = &s;
      break;
    }
  }
  if (session == nullptr && fit.sport != 1) return NotARun(FitSportName(fit.sport));
  out.sport = "running";
  if (fit.sport == 18) out.warnings.push_back("multisport file: only the running leg was imported");
  std::optional<int64_t> window_start;
  std::optional<int64_t> window_end;
  if (session != nullptr) {
    window_start = session->start_time_s;
    // Some watches (FR965) write the session's timestamp equal to its start: the elapsed time
    // bounds the window too, and no usable end leaves it open.
    std::optional<int64_t> end = session->timestamp_s;
    if (window_start.has_value() && session->total_elapsed_time_s.has_value()) {
      const int64_t by_elapsed = *window_start + static_cast<int64_t>(std::ceil(*session->total_elapsed_time_s));
      end = std::max(end.value_or(by_elapsed), by_elapsed);
    }
    if (end.has_value() && (!window_start.has_value() || *end > *window_start)) window_end = end;
    out.duration_s = ToFloat(session->total_timer_time_s);
    out.distance_m = ToFloat(session->total_distance_m);
    out.elevation_gain_m = ToFloat(session->total_ascent_m);
    out.average_heart_rate_bpm = ToFloat(session->avg_heart_rate);
    out.max_heart_rate_bpm = ToFloat(session->max_heart_rate);
  }
  std::vector<const fit::Record*> records;
  for (const fit::Record& r : fit.records) {
    if (window_start.has_value() && r.timestamp_s < *window_start) continue;
    if (window_end.has_value() && r.timestamp_s > *window_end) continue;
    records.push_back(&r);
  }
  if (records.empty()) return InvalidArgumentWithFields("EMPTY_ACTIVITY", {{"chunk", "the file holds no records for its run"}});
  const int64_t start_s = window_start.value_or(records.front()->timestamp_s);
  out.start_us = start_s * 1000000;
  out.device = absl::StrCat(FitManufacturerName(fit.file_id.manufacturer),
                            fit.file_id.product.has_value() ? absl::StrCat(" product ", *fit.file_id.product) : "");
  if (fit.file_id.serial_number.has_value() && fit.file_id.time_created_s.has_value()) {
    out.fit_file_id = absl::StrCat(fit.file_id.type.value_or(0), ":", fit.file_id.manufacturer.value_or(0), ":",
                                   fit.file_id.product.value_or(0), ":", *fit.file_id.serial_number, ":",
                                   *fit.file_id.time_created_s);
  }
  // Developer fields become named extra columns, aligned after the samples are built.
  std::map<std::string, size_t> extra_index;
  std::vector<std::vector<std::pair<size_t, double>>> extra_values;
  SampleBuilder builder(out);
  for (const fit::Record* r : records) {
    v1::DynamicsSample s;
    auto set = [](const std::optional<double>& v, auto setter) {
      if (v.has_value() && std::isfinite(*v)) setter(*v);
    };
    set(r->speed_mps, [&](double v) { s.set_speed_mps(static_cast<float>(v)); });
    set(r->cadence_spm, [&](double v) { s.set_cadence_spm(static_cast<float>(v)); });
    set(r->step_length_m, [&](double v) { s.set_step_length_m(static_cast<float>(v)); });
    set(r->vertical_oscillation_cm, [&](double v) { s.set_vertical_oscillation_cm(static_cast<float>(v)); });
    set(r->vertical_ratio_pct, [&](double v) { s.set_vertical_ratio_pct(static_cast<float>(v)); });
    set(r->stance_time_ms, [&](double v) { s.set_ground_contact_time_ms(static_cast<float>(v)); });
    set(r->stance_time_balance_left_pct, [&](double v) { s.set_gct_balance_left_pct(static_cast<float>(v)); });
    set(r->heart_rate_bpm, [&](double v) { s.set_heart_rate_bpm(static_cast<float>(v)); });
    set(r->power_w, [&](double v) { s.set_power_w(static_cast<float>(v)); });
    set(r->distance_m, [&](double v) { s.set_distance_m(static_cast<float>(v)); });
    set(r->altitude_m, [&](double v) { s.set_altitude_m(static_cast<float>(v)); });
    if (r->latitude_deg.has_value() && r->longitude_deg.has_value()) {
      s.set_latitude_deg(*r->latitude_deg);
      s.set_longitude_deg(*r->longitude_deg);
    }
    if (!builder.Add((r->timestamp_s - start_s) * 1000000, std::move(s))) continue;
    const size_t row = out.samples.size() - 1;
    for (const fit::DeveloperValue& d : r->developer) {
      if (!std::isfinite(d.value)) continue;
      const std::string name = d.name.empty() ? absl::StrCat("developer_", d.developer_data_index, "_", d.field_number)
                                              : d.name;
      auto [it, inserted] = extra_index.emplace(name, out.extra.size());
      if (inserted) {
        out.extra.push_back({name, d.units, {}});
        extra_values.emplace_back();
      }
      extra_values[it->second].emplace_back(row, d.value);
    }
  }
  builder.Finish();
  for (size_t e = 0; e < out.extra.size(); ++e) {
    out.extra[e].values.assign(out.samples.size(), std::nan(""));
    for (const auto& [row, value] : extra_values[e]) out.extra[e].values[row] = value;
  }
  if (!out.duration_s.has_value() && out.samples.size() > 1) {
    out.duration_s = out.samples.back().offset_ms() / 1000.0f;
  }
  return out;
}

absl::StatusOr<ImportedActivity> FromXml(const activity_xml::Activity& xml, v1::FileFormat format) {
  ImportedActivity out;
  out.format = format;
  out.warnings = xml.warnings;
  const std::string sport = absl::AsciiStrToLower(xml.sport);
  // TCX says "Running"; GPX rarely says anything (empty = assumed a run, with a warning).
  if (sport.empty()) {
    out.warnings.push_back("the file names no sport: imported as a run");
  } else if (!absl::StrContains(sport, "run")) {
    return NotARun(sport);
  }
  out.sport = "running";
  out.device = xml.creator.substr(0, 200);
  if (xml.points.empty()) return InvalidArgumentWithFields("EMPTY_ACTIVITY", {{"chunk", "the file holds no track points"}});
  const int64_t start_ms = xml.points.front().time_ms;
  out.start_us = start_ms * 1000;
  double lap_time = 0;
  double lap_distance = 0;
  bool have_lap_time = false;
  bool have_lap_distance = false;
  for (const activity_xml::Lap& lap : xml.laps) {
    if (lap.total_time_s.has_value()) lap_time += *lap.total_time_s, have_lap_time = true;
    if (lap.distance_m.has_value()) lap_distance += *lap.distance_m, have_lap_distance = true;
  }
  if (have_lap_time) out.duration_s = static_cast<float>(lap_time);
  if (have_lap_distance) out.distance_m = static_cast<float>(lap_distance);
  SampleBuilder builder(out);
  for (const activity_xml::TrackPoint& p : xml.points) {
    v1::DynamicsSample s;
    if (p.speed_mps.has_value()) s.set_speed_mps(static_cast<float>(*p.speed_mps));
    if (p.cadence_spm.has_value()) s.set_cadence_spm(static_cast<float>(*p.cadence_spm));
    if (p.heart_rate_bpm.has_value()) s.set_heart_rate_bpm(static_cast<float>(*p.heart_rate_bpm));
    if (p.power_w.has_value()) s.set_power_w(static_cast<float>(*p.power_w));
    if (p.distance_m.has_value()) s.set_distance_m(static_cast<float>(*p.distance_m));
    if (p.altitude_m.has_value()) s.set_altitude_m(static_cast<float>(*p.altitude_m));
    if (p.latitude_deg.has_value() && p.longitude_deg.has_value()) {
      s.set_latitude_deg(*p.latitude_deg);
      s.set_longitude_deg(*p.longitude_deg);
    }
    builder.Add((p.time_ms - start_ms) * 1000, std::move(s));
  }
  builder.Finish();
  if (!out.duration_s.has_value() && out.samples.size() > 1) out.duration_s = out.samples.back().offset_ms() / 1000.0f;
  return out;
}

}  // namespace

v1::FileFormat DetectFormat(absl::string_view bytes) {
  if (bytes.size() >= 12 && bytes.substr(8, 4) == ".FIT") return v1::FILE_FORMAT_FIT;
  const std::string xml = activity_xml::DetectFormat(bytes);
  if (xml == "tcx") return v1::FILE_FORMAT_TCX;
  if (xml == "gpx") return v1::FILE_FORMAT_GPX;
  return v1::FILE_FORMAT_UNSPECIFIED;
}

absl::StatusOr<ImportedActivity> DecodeActivityFile(absl::string_view bytes, v1::FileFormat declared) {
  if (bytes.size() > kMaxImportBytes) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat("files are limited to ", kMaxImportBytes >> 20, " MiB")),
                      "FILE_TOO_LARGE");
  }
  const v1::FileFormat detected = DetectFormat(bytes);
  if (detected == v1::FILE_FORMAT_UNSPECIFIED) {
    return InvalidArgumentWithFields("UNSUPPORTED_FILE", {{"chunk", "is not a FIT, TCX or GPX file"}});
  }
  if (declared != v1::FILE_FORMAT_UNSPECIFIED && declared != detected) {
    return InvalidArgumentWithFields("FORMAT_MISMATCH", {{"metadata.format", "does not match the file's content"}});
  }
  switch (detected) {
    case v1::FILE_FORMAT_FIT:
      return FromFit(bytes);
    case v1::FILE_FORMAT_TCX: {
      absl::StatusOr<activity_xml::Activity> xml = activity_xml::ParseTcx(bytes);
      if (!xml.ok()) return xml.status();
      return FromXml(*xml, detected);
    }
    case v1::FILE_FORMAT_GPX: {
      absl::StatusOr<activity_xml::Activity> xml = activity_xml::ParseGpx(bytes);
      if (!xml.ok()) return xml.status();
      return FromXml(*xml, detected);
    }
    default:
      return InvalidArgumentWithFields("UNSUPPORTED_FILE", {{"chunk", "is not a FIT, TCX or GPX file"}});
  }
}

}  // namespace gaitkeeper::ingestion
