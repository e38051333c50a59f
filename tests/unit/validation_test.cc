// Ingestion's request validation: each bad field is named, nothing invalid gets through.
#include <cmath>
#include <limits>

#include "gtest/gtest.h"
#include "services/common/status.h"
#include "services/ingestion/validation.h"

namespace gaitkeeper::ingestion {
namespace {

constexpr int64_t kNow = 1763900000LL * 1000000;  // 2025-11-23
const char* kUuid = "0b0d1f3e-1111-4222-8333-444455556666";
const char* kSession = "athletes/0b0d1f3e-1111-4222-8333-444455556666/sessions/1b0d1f3e-1111-4222-8333-444455556666";

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const FieldViolation& v : FieldViolationsOf(status)) out.push_back(v.field);
  return out;
}

TEST(ValidateCreateAthlete, AcceptsAPlausibleProfile) {
  v1::CreateAthleteRequest r;
  r.set_request_id(kUuid);
  r.mutable_athlete()->set_height_cm(175);
  r.mutable_athlete()->set_leg_length_cm(90);
  r.mutable_athlete()->set_birth_year(1985);
  EXPECT_TRUE(ValidateCreateAthlete(r, kNow).ok());
}

TEST(ValidateCreateAthlete, NamesEveryBadField) {
  v1::CreateAthleteRequest r;  // no request_id
  r.mutable_athlete()->set_height_cm(20);
  r.mutable_athlete()->set_body_mass_kg(std::numeric_limits<float>::quiet_NaN());
  r.mutable_athlete()->set_birth_year(2030);
  r.mutable_athlete()->set_sex(static_cast<v1::Sex>(42));
  absl::Status s = ValidateCreateAthlete(r, kNow);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(s), "INVALID_ATHLETE");
  EXPECT_EQ(Fields(s), (std::vector<std::string>{"request_id", "athlete.height_cm", "athlete.body_mass_kg",
                                                  "athlete.birth_year", "athlete.sex"}));
}

TEST(ValidateCreateAthlete, LegMustBeShorterThanBody) {
  v1::CreateAthleteRequest r;
  r.set_request_id(kUuid);
  r.mutable_athlete()->set_height_cm(120);
  r.mutable_athlete()->set_leg_length_cm(130);
  EXPECT_EQ(Fields(ValidateCreateAthlete(r, kNow)), std::vector<std::string>{"athlete.leg_length_cm"});
}

TEST(ValidateCreateSession, StartTimeRequiredAndPlausible) {
  v1::CreateSessionRequest r;
  r.set_request_id(kUuid);
  EXPECT_EQ(Fields(ValidateCreateSession(r, kNow)), std::vector<std::string>{"session.start_time"});
  r.mutable_session()->mutable_start_time()->set_seconds(kNow / 1000000 + 3 * 86400);  // 3 days ahead
  EXPECT_EQ(Fields(ValidateCreateSession(r, kNow)), std::vector<std::string>{"session.start_time"});
  r.mutable_session()->mutable_start_time()->set_seconds(kNow / 1000000 - 3600);
  EXPECT_TRUE(ValidateCreateSession(r, kNow).ok());
  r.mutable_session()->set_average_heart_rate_bpm(170);
  r.mutable_session()->set_max_heart_rate_bpm(160);
  EXPECT_EQ(Fields(ValidateCreateSession(r, kNow)), std::vector<std::string>{"session.average_heart_rate_bpm"});
}

v1::UploadSamplesRequest GoodBatch(int n) {
  v1::UploadSamplesRequest r;
  r.set_session(kSession);
  r.set_sequence(1);
  for (int i = 0; i < n; ++i) {
    v1::DynamicsSample* s = r.add_samples();
    s->set_offset_ms(i * 1000);
    s->set_cadence_spm(i % 2 ? 165 : 120);  // walking cadences are valid
    s->set_speed_mps(2.8f);
  }
  return r;
}

TEST(ValidateUploadBatch, AcceptsGoodBatchIncludingLowCadence) { EXPECT_TRUE(ValidateUploadBatch(GoodBatch(60)).ok()); }

TEST(ValidateUploadBatch, EachKindOfBadSampleIsNamed) {
  struct Case {
    const char* name;
    void (*mutate)(v1::DynamicsSample*);
    std::string field;
  };
  const Case cases[] = {
      {"nan cadence", [](v1::DynamicsSample* s) { s->set_cadence_spm(std::nanf("")); }, "samples[5].cadence_spm"},
      {"infinite speed", [](v1::DynamicsSample* s) { s->set_speed_mps(INFINITY); }, "samples[5].speed_mps"},
      {"negative speed", [](v1::DynamicsSample* s) { s->set_speed_mps(-1); }, "samples[5].speed_mps"},
      {"cadence 400", [](v1::DynamicsSample* s) { s->set_cadence_spm(400); }, "samples[5].cadence_spm"},
      {"step 5 m", [](v1::DynamicsSample* s) { s->set_step_length_m(5); }, "samples[5].step_length_m"},
      {"vo 50 cm", [](v1::DynamicsSample* s) { s->set_vertical_oscillation_cm(50); }, "samples[5].vertical_oscillation_cm"},
      {"ratio 40", [](v1::DynamicsSample* s) { s->set_vertical_ratio_pct(40); }, "samples[5].vertical_ratio_pct"},
      {"gct 10 ms", [](v1::DynamicsSample* s) { s->set_ground_contact_time_ms(10); }, "samples[5].ground_contact_time_ms"},
      {"balance 95", [](v1::DynamicsSample* s) { s->set_gct_balance_left_pct(95); }, "samples[5].gct_balance_left_pct"},
      {"hr 300", [](v1::DynamicsSample* s) { s->set_heart_rate_bpm(300); }, "samples[5].heart_rate_bpm"},
      {"power", [](v1::DynamicsSample* s) { s->set_power_w(9000); }, "samples[5].power_w"},
      {"altitude", [](v1::DynamicsSample* s) { s->set_altitude_m(10000); }, "samples[5].altitude_m"},
      {"latitude", [](v1::DynamicsSample* s) { s->set_latitude_deg(91), s->set_longitude_deg(0); }, "samples[5].latitude_deg"},
      {"lat without lon", [](v1::DynamicsSample* s) { s->set_latitude_deg(45); }, "samples[5].longitude_deg"},
      {"offset not increasing", [](v1::DynamicsSample* s) { s->set_offset_ms(3000); }, "samples[5].offset_ms"},
      {"offset beyond 48 h", [](v1::DynamicsSample* s) { s->set_offset_ms(49u * 3600u * 1000u); }, "samples[5].offset_ms"},
  };
  for (const Case& c : cases) {
    v1::UploadSamplesRequest r = GoodBatch(10);
    c.mutate(r.mutable_samples(5));
    absl::Status s = ValidateUploadBatch(r);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(Fields(s), std::vector<std::string>{c.field}) << c.name;
  }
}

TEST(ValidateUploadBatch, ShapeErrors) {
  v1::UploadSamplesRequest r = GoodBatch(0);
  r.set_sequence(0);
  r.set_session("nope");
  EXPECT_EQ(Fields(ValidateUploadBatch(r)), (std::vector<std::string>{"session", "sequence", "samples"}));
}

TEST(ValidateUploadBatch, OversizeBatchIsResourceExhausted) {
  absl::Status s = ValidateUploadBatch(GoodBatch(kMaxSamplesPerBatch + 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(s), "BATCH_TOO_LARGE");
  EXPECT_TRUE(ValidateUploadBatch(GoodBatch(kMaxSamplesPerBatch)).ok());
}

v1::UploadImuSamplesRequest ImuBatch(int n, bool gyro) {
  v1::UploadImuSamplesRequest r;
  r.set_session(kSession);
  r.set_sequence(1);
  r.mutable_stream()->set_placement(v1::SENSOR_PLACEMENT_SHIN_RIGHT);
  r.mutable_stream()->set_rate_hz(500);
  r.mutable_stream()->set_accel_range_g(16);
  r.mutable_stream()->set_has_gyroscope(gyro);
  if (gyro) r.mutable_stream()->set_gyro_range_dps(2000);
  for (int i = 0; i < n; ++i) {
    r.add_accel_x_g(0.1f);
    r.add_accel_y_g(-1.0f);
    r.add_accel_z_g(i == 3 ? 16.0f : 2.0f);  // one clipped sample
    if (gyro) {
      r.add_gyro_x_dps(10);
      r.add_gyro_y_dps(-200);
      r.add_gyro_z_dps(5);
    }
  }
  return r;
}

TEST(ValidateImuBatch, AcceptsAndCountsClipping) {
  EXPECT_TRUE(ValidateImuBatch(ImuBatch(500, true)).ok());
  EXPECT_TRUE(ValidateImuBatch(ImuBatch(500, false)).ok());
  EXPECT_EQ(CountClipped(ImuBatch(500, false)), 1);
}

TEST(ValidateImuBatch, NamesBadShapeAndValues) {
  v1::UploadImuSamplesRequest r = ImuBatch(10, true);
  r.mutable_accel_y_g()->RemoveLast();
  r.mutable_stream()->set_rate_hz(5000);
  EXPECT_EQ(Fields(ValidateImuBatch(r)), (std::vector<std::string>{"stream.rate_hz", "accel_y_g"}));
  r = ImuBatch(10, false);
  r.add_gyro_x_dps(1);
  r.mutable_stream()->set_placement(v1::SENSOR_PLACEMENT_UNSPECIFIED);
  EXPECT_EQ(Fields(ValidateImuBatch(r)), (std::vector<std::string>{"stream.placement", "gyro_x_dps"}));
  r = ImuBatch(10, true);
  r.set_accel_x_g(2, 17.0f);                // beyond ±16 g: impossible for this sensor
  r.set_gyro_z_dps(7, std::nanf(""));
  EXPECT_EQ(Fields(ValidateImuBatch(r)), (std::vector<std::string>{"accel_x_g[2]", "gyro_z_dps[7]"}));
  EXPECT_EQ(ValidateImuBatch(ImuBatch(kMaxImuSamplesPerBatch + 1, false)).code(), absl::StatusCode::kResourceExhausted);
}

TEST(ValidateUpdateAthlete, MaskPathsMustBeMutableFields) {
  v1::UpdateAthleteRequest r;
  r.mutable_update_mask()->add_paths("height_cm");
  r.mutable_update_mask()->add_paths("create_time");
  v1::Athlete merged;
  absl::Status s = ValidateUpdateAthlete(r, merged, kNow);
  EXPECT_EQ(Fields(s), std::vector<std::string>{"update_mask.paths[1]"});
  EXPECT_EQ(ReasonOf(s), "INVALID_UPDATE_MASK");
  r.mutable_update_mask()->mutable_paths()->RemoveLast();
  merged.set_height_cm(30);
  EXPECT_EQ(Fields(ValidateUpdateAthlete(r, merged, kNow)), std::vector<std::string>{"athlete.height_cm"});
}

TEST(ValidateCreatePainReport, RulesOfAPainReport) {
  v1::CreatePainReportRequest r;
  r.set_parent("athletes/0b0d1f3e-1111-4222-8333-444455556666");
  r.set_request_id(kUuid);
  r.mutable_pain_report()->mutable_report_date()->set_year(2025);
  r.mutable_pain_report()->mutable_report_date()->set_month(11);
  r.mutable_pain_report()->mutable_report_date()->set_day(20);
  EXPECT_EQ(Fields(ValidateCreatePainReport(r, kNow)), std::vector<std::string>{"pain_report.pain_during"});
  r.mutable_pain_report()->set_pain_after(11);
  EXPECT_EQ(Fields(ValidateCreatePainReport(r, kNow)), std::vector<std::string>{"pain_report.pain_after"});
  r.mutable_pain_report()->set_pain_after(4);
  EXPECT_TRUE(ValidateCreatePainReport(r, kNow).ok());
  r.mutable_pain_report()->set_session(
      "athletes/ffffffff-1111-4222-8333-444455556666/sessions/1b0d1f3e-1111-4222-8333-444455556666");
  EXPECT_EQ(Fields(ValidateCreatePainReport(r, kNow)), std::vector<std::string>{"pain_report.session"});
  r.mutable_pain_report()->clear_session();
  r.mutable_pain_report()->mutable_report_date()->set_year(2026);  // a year ahead
  EXPECT_EQ(Fields(ValidateCreatePainReport(r, kNow)), std::vector<std::string>{"pain_report.report_date"});
  r.mutable_pain_report()->mutable_report_date()->set_month(2);
  r.mutable_pain_report()->mutable_report_date()->set_day(30);
  EXPECT_EQ(Fields(ValidateCreatePainReport(r, kNow)), std::vector<std::string>{"pain_report.report_date"});
}

}  // namespace
}  // namespace gaitkeeper::ingestion
