#include "services/ingestion/validation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::ingestion {
namespace {

// 2000-01-01T00:00:00Z: nothing we ingest was recorded earlier.
constexpr int64_t kEarliestStartUs = 946684800LL * 1000000;
constexpr int64_t kOneDayUs = 86400LL * 1000000;

void CheckRange(Violations& v, const std::string& field, std::optional<double> value, double min,
                double max, absl::string_view unit) {
  if (!value.has_value()) return;
  if (!std::isfinite(*value)) {
    v.Add(field, "must be a finite number (NaN and infinity are not accepted)");
  } else if (*value < min || *value > max) {
    v.Add(field, absl::StrCat("must be between ", min, " and ", max, " ", unit));
  }
}

template <typename Message, typename T>
std::optional<double> Opt(const Message& m, bool (Message::*has)() const, T (Message::*get)() const) {
  if (!(m.*has)()) return std::nullopt;
  return static_cast<double>((m.*get)());
}

void CheckText(Violations& v, const std::string& field, const std::string& text) {
  if (text.size() > kMaxTextLength) v.Add(field, absl::StrCat("must be at most ", kMaxTextLength, " bytes"));
}

void CheckRequestId(Violations& v, const std::string& request_id) {
  if (!IsValidRequestId(request_id)) {
    v.Add("request_id", request_id.empty() ? "is required (a client-generated UUID)" : "must be a UUID");
  }
}

template <typename IsValid, typename Enum>
void CheckEnum(Violations& v, const std::string& field, Enum value, IsValid is_valid) {
  if (!is_valid(value)) v.Add(field, "is not a known value");
}

// The accepted range of every per-second measurement, one row each (docs/API.md lists them).
struct SampleRange {
  const char* name;
  double min;
  double max;
  const char* unit;
  bool (*has)(const v1::DynamicsSample&);
  double (*get)(const v1::DynamicsSample&);
  void (*clear)(v1::DynamicsSample*);
};

#define GK_SAMPLE_RANGE(field, min, max, unit)                                  \
  SampleRange {                                                                 \
    #field, min, max, unit, [](const v1::DynamicsSample& s) { return s.has_##field(); }, \
        [](const v1::DynamicsSample& s) -> double { return s.field(); },       \
        [](v1::DynamicsSample* s) { s->clear_##field(); }                       \
  }

const std::vector<SampleRange>& SampleRanges() {
  static const std::vector<SampleRange> kRanges = {
      GK_SAMPLE_RANGE(speed_mps, 0, 12, "m/s"),
      GK_SAMPLE_RANGE(cadence_spm, 0, 260, "steps/min"),
      GK_SAMPLE_RANGE(step_length_m, 0, 3, "m"),
      GK_SAMPLE_RANGE(vertical_oscillation_cm, 0, 30, "cm"),
      GK_SAMPLE_RANGE(vertical_ratio_pct, 0, 30, "%"),
      GK_SAMPLE_RANGE(ground_contact_time_ms, 50, 1500, "ms"),
      GK_SAMPLE_RANGE(gct_balance_left_pct, 20, 80, "%"),
      GK_SAMPLE_RANGE(heart_rate_bpm, 25, 250, "bpm"),
      GK_SAMPLE_RANGE(power_w, 0, 2500, "W"),
      GK_SAMPLE_RANGE(distance_m, 0, 1e6, "m"),
      GK_SAMPLE_RANGE(altitude_m, -500, 9000, "m"),
      GK_SAMPLE_RANGE(latitude_deg, -90, 90, "degrees"),
      GK_SAMPLE_RANGE(longitude_deg, -180, 180, "degrees"),
  };
  return kRanges;
}
#undef GK_SAMPLE_RANGE

}  // namespace

bool IsValidRequestId(const std::string& request_id) { return names::IsUuid(request_id); }

absl::Status ValidateImportMetadata(const v1::ImportMetadata& metadata) {
  Violations v;
  if (!IsValidRequestId(metadata.request_id())) {
    v.Add("metadata.request_id", metadata.request_id().empty() ? "is required (a client-generated UUID)" : "must be a UUID");
  }
  CheckEnum(v, "metadata.format", metadata.format(), v1::FileFormat_IsValid);
  CheckEnum(v, "metadata.surface", metadata.surface(), v1::Surface_IsValid);
  if (metadata.filename().size() > 255) v.Add("metadata.filename", "must be at most 255 bytes");
  CheckText(v, "metadata.shoe", metadata.shoe());
  return v.ToStatus("INVALID_IMPORT");
}

std::vector<std::string> ClearOutOfRange(v1::DynamicsSample* sample) {
  std::vector<std::string> cleared;
  for (const SampleRange& r : SampleRanges()) {
    if (!r.has(*sample)) continue;
    const double value = r.get(*sample);
    if (!std::isfinite(value) || value < r.min || value > r.max) {
      r.clear(sample);
      cleared.push_back(r.name);
    }
  }
  // A position needs both coordinates.
  if (sample->has_latitude_deg() != sample->has_longitude_deg()) {
    sample->clear_latitude_deg();
    sample->clear_longitude_deg();
    cleared.push_back("position");
  }
  return cleared;
}

namespace {
void CheckAthlete(Violations& v, const v1::Athlete& a, int64_t now_us) {
  using A = v1::Athlete;
  CheckText(v, "athlete.display_name", a.display_name());
  CheckRange(v, "athlete.height_cm", Opt(a, &A::has_height_cm, &A::height_cm), 100, 250, "cm");
  CheckRange(v, "athlete.leg_length_cm", Opt(a, &A::has_leg_length_cm, &A::leg_length_cm), 50, 140, "cm");
  CheckRange(v, "athlete.body_mass_kg", Opt(a, &A::has_body_mass_kg, &A::body_mass_kg), 25, 250, "kg");
  const int this_year = static_cast<int>(
      absl::ToCivilYear(absl::FromUnixMicros(now_us), absl::UTCTimeZone()).year());
  CheckRange(v, "athlete.birth_year", Opt(a, &A::has_birth_year, &A::birth_year), 1900, this_year - 5, "");
  CheckRange(v, "athlete.running_experience_years",
             Opt(a, &A::has_running_experience_years, &A::running_experience_years), 0, 80, "years");
  CheckRange(v, "athlete.weekly_volume_before_pain_km",
             Opt(a, &A::has_weekly_volume_before_pain_km, &A::weekly_volume_before_pain_km), 0, 300, "km");
  if (a.has_leg_length_cm() && a.has_height_cm() && a.leg_length_cm() >= a.height_cm()) {
    v.Add("athlete.leg_length_cm", "must be shorter than height_cm");
  }
  CheckEnum(v, "athlete.sex", a.sex(), v1::Sex_IsValid);
  CheckEnum(v, "athlete.dominant_side", a.dominant_side(), common::v1::Side_IsValid);
  CheckEnum(v, "athlete.painful_side", a.painful_side(), common::v1::Side_IsValid);
}
}  // namespace

absl::Status ValidateCreateAthlete(const v1::CreateAthleteRequest& request, int64_t now_us) {
  Violations v;
  CheckRequestId(v, request.request_id());
  CheckAthlete(v, request.athlete(), now_us);
  return v.ToStatus("INVALID_ATHLETE");
}

const std::vector<std::string>& MutableAthleteFields() {
  static const std::vector<std::string> kFields = {
      "display_name", "height_cm", "leg_length_cm", "body_mass_kg", "birth_year", "sex", "dominant_side",
      "painful_side", "running_experience_years", "weekly_volume_before_pain_km"};
  return kFields;
}

absl::Status ValidateUpdateAthlete(const v1::UpdateAthleteRequest& request, const v1::Athlete& merged,
                                   int64_t now_us) {
  Violations v;
  for (int i = 0; i < request.update_mask().paths_size(); ++i) {
    const std::string& path = request.update_mask().paths(i);
    bool known = false;
    for (const std::string& f : MutableAthleteFields()) known = known || f == path;
    if (!known) v.Add(absl::StrCat("update_mask.paths[", i, "]"), absl::StrCat("'", path, "' is not a mutable athlete field"));
  }
  if (!v.empty()) return v.ToStatus("INVALID_UPDATE_MASK");
  CheckAthlete(v, merged, now_us);
  return v.ToStatus("INVALID_ATHLETE");
}

absl::Status ValidateCreateSession(const v1::CreateSessionRequest& request, int64_t now_us) {
  Violations v;
  CheckRequestId(v, request.request_id());
  const v1::Session& s = request.session();
  using S = v1::Session;
  if (!s.has_start_time()) {
    v.Add("session.start_time", "is required");
  } else {
    const int64_t start = timeutil::ToMicros(s.start_time());
    if (s.start_time().nanos() < 0 || s.start_time().nanos() > 999999999 || start < kEarliestStartUs ||
        start > now_us + kOneDayUs) {
      v.Add("session.start_time", "must be between 2000-01-01 and one day from now");
    }
  }
  CheckRange(v, "session.duration_s", Opt(s, &S::has_duration_s, &S::duration_s), 0, 48 * 3600, "s");
  CheckRange(v, "session.distance_m", Opt(s, &S::has_distance_m, &S::distance_m), 0, 1e6, "m");
  CheckRange(v, "session.elevation_gain_m", Opt(s, &S::has_elevation_gain_m, &S::elevation_gain_m), 0, 20000, "m");
  CheckRange(v, "session.average_heart_rate_bpm",
             Opt(s, &S::has_average_heart_rate_bpm, &S::average_heart_rate_bpm), 25, 250, "bpm");
  CheckRange(v, "session.max_heart_rate_bpm", Opt(s, &S::has_max_heart_rate_bpm, &S::max_heart_rate_bpm), 25, 250, "bpm");
  if (s.has_average_heart_rate_bpm() && s.has_max_heart_rate_bpm() &&
      s.average_heart_rate_bpm() > s.max_heart_rate_bpm()) {
    v.Add("session.average_heart_rate_bpm", "must not exceed max_heart_rate_bpm");
  }
  CheckEnum(v, "session.source", s.source(), v1::DataSource_IsValid);
  CheckEnum(v, "session.surface", s.surface(), v1::Surface_IsValid);
  CheckText(v, "session.device", s.device());
  CheckText(v, "session.shoe", s.shoe());
  return v.ToStatus("INVALID_SESSION");
}

absl::Status ValidateUploadBatch(const v1::UploadSamplesRequest& request) {
  if (request.samples_size() > kMaxSamplesPerBatch) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat(
                          "a batch holds at most ", kMaxSamplesPerBatch, " samples; got ",
                          request.samples_size(), ": split it")),
                      "BATCH_TOO_LARGE");
  }
  Violations v;
  if (!names::ParseSession(request.session(), "session").ok()) {
    v.Add("session", "must be athletes/{athlete}/sessions/{session}");
  }
  if (request.sequence() < 1) v.Add("sequence", "must be 1 or more (the first batch is 1)");
  if (request.samples_size() == 0) v.Add("samples", "must hold at least one sample");
  using D = v1::DynamicsSample;
  int64_t previous_offset = -1;
  for (int i = 0; i < request.samples_size() && v.items().size() < kMaxViolationsReported; ++i) {
    const D& s = request.samples(i);
    const std::string p = absl::StrCat("samples[", i, "].");
    if (s.offset_ms() > kMaxOffsetMs) {
      v.Add(p + "offset_ms", "must be within 48 hours of the session start");
    } else {
      if (static_cast<int64_t>(s.offset_ms()) <= previous_offset) {
        v.Add(p + "offset_ms", "must be greater than the previous sample's");
      }
      previous_offset = s.offset_ms();
    }
    for (const SampleRange& r : SampleRanges()) {
      if (r.has(s)) CheckRange(v, p + r.name, r.get(s), r.min, r.max, r.unit);
    }
    if (s.has_latitude_deg() != s.has_longitude_deg()) {
      v.Add(p + (s.has_latitude_deg() ? "longitude_deg" : "latitude_deg"),
            "latitude and longitude come together");
    }
  }
  return v.ToStatus("INVALID_SAMPLES");
}

absl::Status ValidateImuBatch(const v1::UploadImuSamplesRequest& request) {
  const int n = request.accel_x_g_size();
  if (n > kMaxImuSamplesPerBatch) {
    return WithReason(absl::ResourceExhaustedError(absl::StrCat("an IMU batch holds at most ", kMaxImuSamplesPerBatch,
                                                                " samples; got ", n, ": split it")),
                      "BATCH_TOO_LARGE");
  }
  Violations v;
  if (!names::ParseSession(request.session(), "session").ok()) {
    v.Add("session", "must be athletes/{athlete}/sessions/{session}");
  }
  if (request.sequence() < 1) v.Add("sequence", "must be 1 or more (the first batch is 1)");
  const v1::ImuStream& st = request.stream();
  if (st.placement() == v1::SENSOR_PLACEMENT_UNSPECIFIED || !v1::SensorPlacement_IsValid(st.placement())) {
    v.Add("stream.placement", "is required (foot, shin, pelvis, wrist or phone)");
  }
  CheckRange(v, "stream.rate_hz", st.rate_hz(), 1, 1000, "Hz");
  CheckRange(v, "stream.accel_range_g", st.accel_range_g(), 2, 400, "g");
  if (st.has_gyroscope()) {
    CheckRange(v, "stream.gyro_range_dps", st.gyro_range_dps(), 125, 4000, "degrees/s");
  }
  if (n == 0) v.Add("accel_x_g", "must hold at least one sample");
  if (request.accel_y_g_size() != n) v.Add("accel_y_g", "must have as many samples as accel_x_g");
  if (request.accel_z_g_size() != n) v.Add("accel_z_g", "must have as many samples as accel_x_g");
  const int gyro_expected = st.has_gyroscope() ? n : 0;
  for (auto [name, size] : {std::pair<const char*, int>{"gyro_x_dps", request.gyro_x_dps_size()},
                            {"gyro_y_dps", request.gyro_y_dps_size()}, {"gyro_z_dps", request.gyro_z_dps_size()}}) {
    if (size != gyro_expected) {
      v.Add(name, st.has_gyroscope() ? "must have as many samples as accel_x_g" : "must be empty without a gyroscope");
    }
  }
  if (request.start_offset_us() > static_cast<uint64_t>(kMaxOffsetMs) * 1000) {
    v.Add("start_offset_us", "must be within 48 hours of the session start");
  }
  if (!v.empty()) return v.ToStatus("INVALID_IMU_SAMPLES");
  // Values: finite and within the declared range (a sensor cannot report beyond it).
  auto check_axis = [&](const char* name, const google::protobuf::RepeatedField<float>& values, double range) {
    for (int i = 0; i < values.size() && v.items().size() < kMaxViolationsReported; ++i) {
      if (!std::isfinite(values[i])) {
        v.Add(absl::StrCat(name, "[", i, "]"), "must be a finite number");
      } else if (std::fabs(values[i]) > range * 1.001) {
        v.Add(absl::StrCat(name, "[", i, "]"), absl::StrCat("exceeds the sensor range of ", range));
      }
    }
  };
  check_axis("accel_x_g", request.accel_x_g(), st.accel_range_g());
  check_axis("accel_y_g", request.accel_y_g(), st.accel_range_g());
  check_axis("accel_z_g", request.accel_z_g(), st.accel_range_g());
  check_axis("gyro_x_dps", request.gyro_x_dps(), st.gyro_range_dps());
  check_axis("gyro_y_dps", request.gyro_y_dps(), st.gyro_range_dps());
  check_axis("gyro_z_dps", request.gyro_z_dps(), st.gyro_range_dps());
  return v.ToStatus("INVALID_IMU_SAMPLES");
}

int64_t CountClipped(const v1::UploadImuSamplesRequest& request) {
  const double limit = request.stream().accel_range_g() * 0.995;
  int64_t clipped = 0;
  for (int i = 0; i < request.accel_x_g_size(); ++i) {
    if (std::fabs(request.accel_x_g(i)) >= limit || std::fabs(request.accel_y_g(i)) >= limit ||
        std::fabs(request.accel_z_g(i)) >= limit) {
      ++clipped;
    }
  }
  return clipped;
}

namespace {
void CheckPastDate(Violations& v, const std::string& field, bool has, const common::v1::Date& date, int64_t now_us) {
  if (!has) {
    v.Add(field, "is required");
  } else if (!timeutil::IsValidDate(date)) {
    v.Add(field, "is not a calendar date");
  } else {
    const common::v1::Date latest = timeutil::AddDays(timeutil::DateOfMicros(now_us), 1);
    if (timeutil::ToIsoDate(date) > timeutil::ToIsoDate(latest)) v.Add(field, "must not be in the future");
  }
}
}  // namespace

absl::Status ValidateCreateQuestionnaireResponse(const v1::CreateQuestionnaireResponseRequest& request, int64_t now_us) {
  Violations v;
  CheckRequestId(v, request.request_id());
  const v1::QuestionnaireResponse& r = request.questionnaire_response();
  CheckPastDate(v, "questionnaire_response.response_date", r.has_response_date(), r.response_date(), now_us);
  std::optional<questionnaires::Instrument> instrument = ToInstrument(r.instrument());
  if (!instrument.has_value()) {
    v.Add("questionnaire_response.instrument", "is required: KOOS, KOOS_PF or KUJALA");
    return v.ToStatus("INVALID_QUESTIONNAIRE");
  }
  const auto& items = questionnaires::Items(*instrument);
  // Sorted for stable messages (protobuf maps have no order).
  std::map<std::string, int32_t> answers(r.answers().begin(), r.answers().end());
  for (const auto& [code, value] : answers) {
    auto it = std::find_if(items.begin(), items.end(), [&](const auto& item) { return item.first == code; });
    const std::string field = absl::StrCat("questionnaire_response.answers[", code.substr(0, 20), "]");
    if (it == items.end()) {
      v.Add(field, "is not an item of this instrument");
    } else if (value < 0 || value >= it->second) {
      v.Add(field, absl::StrCat("must be an option index from 0 to ", it->second - 1));
    }
  }
  return v.ToStatus("INVALID_QUESTIONNAIRE");
}

std::optional<questionnaires::Instrument> ToInstrument(v1::Instrument instrument) {
  switch (instrument) {
    case v1::INSTRUMENT_KOOS: return questionnaires::Instrument::kKoos;
    case v1::INSTRUMENT_KOOS_PF: return questionnaires::Instrument::kKoosPf;
    case v1::INSTRUMENT_KUJALA: return questionnaires::Instrument::kKujala;
    default: return std::nullopt;
  }
}

absl::Status ValidateCreatePainReport(const v1::CreatePainReportRequest& request, int64_t now_us) {
  Violations v;
  CheckRequestId(v, request.request_id());
  const v1::PainReport& r = request.pain_report();
  CheckPastDate(v, "pain_report.report_date", r.has_report_date(), r.report_date(), now_us);
  using P = v1::PainReport;
  CheckRange(v, "pain_report.pain_during", Opt(r, &P::has_pain_during, &P::pain_during), 0, 10, "");
  CheckRange(v, "pain_report.pain_after", Opt(r, &P::has_pain_after, &P::pain_after), 0, 10, "");
  CheckRange(v, "pain_report.pain_next_morning", Opt(r, &P::has_pain_next_morning, &P::pain_next_morning), 0, 10, "");
  if (!r.has_pain_during() && !r.has_pain_after() && !r.has_pain_next_morning()) {
    v.Add("pain_report.pain_during", "at least one of pain_during, pain_after, pain_next_morning is required");
  }
  CheckEnum(v, "pain_report.location", r.location(), common::v1::PainLocation_IsValid);
  CheckEnum(v, "pain_report.side", r.side(), common::v1::Side_IsValid);
  if (!r.session().empty()) {
    absl::StatusOr<names::SessionRef> session = names::ParseSession(r.session(), "pain_report.session");
    absl::StatusOr<std::string> parent = names::ParseAthlete(request.parent(), "parent");
    if (!session.ok()) {
      v.Add("pain_report.session", "must be athletes/{athlete}/sessions/{session}");
    } else if (parent.ok() && session->athlete_id != *parent) {
      v.Add("pain_report.session", "must be a session of the parent athlete");
    }
  }
  return v.ToStatus("INVALID_PAIN_REPORT");
}

}  // namespace gaitkeeper::ingestion
