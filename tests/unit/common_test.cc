// Unit tests of services/common: status mapping, flags, names, pagination, chunks, logging.
#include <cmath>
#include <map>

#include "gtest/gtest.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/dynamics_series.h"
#include "services/common/flags.h"
#include "services/common/logging.h"
#include "services/common/pagination.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper {
namespace {

TEST(StatusMapping, InvalidArgumentCarriesBadRequestAndReasonToGrpc) {
  absl::Status status = InvalidArgumentWithFields(
      "INVALID_ATHLETE", {{"athlete.height_cm", "must be between 100 and 250 cm"}, {"request_id", "is required"}});
  grpc::Status g = ToGrpcStatus(status);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(g.error_message().find("athlete.height_cm"), std::string::npos);
  google::rpc::Status rich;
  ASSERT_TRUE(rich.ParseFromString(g.error_details()));
  EXPECT_EQ(rich.code(), 3);
  bool saw_bad_request = false;
  bool saw_error_info = false;
  for (const auto& any : rich.details()) {
    google::rpc::BadRequest bad;
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&bad)) {
      saw_bad_request = true;
      ASSERT_EQ(bad.field_violations_size(), 2);
      EXPECT_EQ(bad.field_violations(0).field(), "athlete.height_cm");
      EXPECT_EQ(bad.field_violations(1).field(), "request_id");
    } else if (any.UnpackTo(&info)) {
      saw_error_info = true;
      EXPECT_EQ(info.reason(), "INVALID_ATHLETE");
      EXPECT_EQ(info.domain(), "gaitkeeper");
    }
  }
  EXPECT_TRUE(saw_bad_request);
  EXPECT_TRUE(saw_error_info);
}

TEST(StatusMapping, RoundTripsThroughGrpc) {
  absl::Status original = InvalidArgumentWithFields("X", {{"samples[3].cadence_spm", "bad"}});
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(back), "X");
  ASSERT_EQ(FieldViolationsOf(back).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(back)[0].field, "samples[3].cadence_spm");
}

TEST(StatusMapping, CodesMapOneToOneAndOkHasNoDetails) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpcStatus(absl::NotFoundError("x")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("x")).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("x")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(ToGrpcStatus(absl::NotFoundError("x")).error_details().empty());
}

Flags::EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

Flags TestFlags() {
  Flags flags("test");
  flags.AddString("listen", "GK_T_LISTEN", "127.0.0.1:1", "");
  flags.AddInt("pool", "GK_T_POOL", 8, 1, 64, "");
  flags.AddChoice("mode", "GK_T_MODE", "a", {"a", "b"}, "");
  return flags;
}

TEST(Flags, FlagBeatsEnvironmentBeatsDefault) {
  Flags flags = TestFlags();
  const char* argv[] = {"prog", "--pool=16"};
  ASSERT_TRUE(flags.Parse(2, argv, FakeEnv({{"GK_T_POOL", "4"}, {"GK_T_LISTEN", "0.0.0.0:9"}})).ok());
  EXPECT_EQ(flags.GetInt("pool"), 16);
  EXPECT_EQ(flags.SourceOf("pool"), "flag");
  EXPECT_EQ(flags.GetString("listen"), "0.0.0.0:9");
  EXPECT_EQ(flags.SourceOf("listen"), "env");
  EXPECT_EQ(flags.GetString("mode"), "a");
  EXPECT_EQ(flags.SourceOf("mode"), "default");
}

TEST(Flags, BadValuesFailFast) {
  {
    Flags flags = TestFlags();
    const char* argv[] = {"prog", "--pool", "999"};
    absl::Status s = flags.Parse(3, argv, FakeEnv({}));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find("between 1 and 64"), absl::string_view::npos);
  }
  {
    Flags flags = TestFlags();
    const char* argv[] = {"prog"};
    EXPECT_FALSE(flags.Parse(1, argv, FakeEnv({{"GK_T_POOL", "many"}})).ok());
  }
  {
    Flags flags = TestFlags();
    const char* argv[] = {"prog", "--nope=1"};
    EXPECT_FALSE(flags.Parse(2, argv, FakeEnv({})).ok());
  }
  {
    Flags flags = TestFlags();
    const char* argv[] = {"prog", "--mode=c"};
    EXPECT_FALSE(flags.Parse(2, argv, FakeEnv({})).ok());
  }
}

TEST(ResourceNames, ParsesAndRejects) {
  const std::string a = "0b0d1f3e-1111-4222-8333-444455556666";
  const std::string s = "9B0D1F3E-1111-4222-8333-444455556666";
  absl::StatusOr<names::SessionRef> ref = names::ParseSession("athletes/" + a + "/sessions/" + s, "name");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->athlete_id, a);
  EXPECT_EQ(ref->session_id, "9b0d1f3e-1111-4222-8333-444455556666");  // lower-cased
  for (const std::string& bad : {std::string(""), "athletes/" + a, "athletes/x/sessions/" + s,
                                "sessions/" + a + "/athletes/" + s, "athletes/" + a + "/sessions/" + s + "/x"}) {
    absl::StatusOr<names::SessionRef> r = names::ParseSession(bad, "name");
    ASSERT_FALSE(r.ok()) << bad;
    ASSERT_EQ(FieldViolationsOf(r.status()).size(), 1u);
    EXPECT_EQ(FieldViolationsOf(r.status())[0].field, "name");
  }
  EXPECT_TRUE(names::IsUuid(names::NewUuid()));
  EXPECT_NE(names::NewUuid(), names::NewUuid());
}

TEST(Pagination, TokenIsBoundToScope) {
  const std::string token = pagination::Encode("sessions:a", {"123", "id-1"});
  absl::StatusOr<pagination::Cursor> c = pagination::Decode(token, "sessions:a");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->key, "123");
  EXPECT_EQ(c->id, "id-1");
  EXPECT_EQ(pagination::Decode(token, "sessions:b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pagination::Decode("garbage!!", "sessions:a").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*pagination::EffectivePageSize(0), pagination::kDefaultPageSize);
  EXPECT_EQ(*pagination::EffectivePageSize(1000), pagination::kMaxPageSize);
  EXPECT_FALSE(pagination::EffectivePageSize(-1).ok());
}

TEST(Pagination, TimeCursorParsesOrIsMalformed) {
  EXPECT_FALSE(pagination::ParseTimeCursor(std::nullopt)->us.has_value());
  const std::string id = names::NewUuid();
  absl::StatusOr<pagination::TimeCursor> c = pagination::ParseTimeCursor(pagination::Cursor{"1700000000000000", id});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->us, 1700000000000000);
  EXPECT_EQ(*c->id, id);
  EXPECT_EQ(ReasonOf(pagination::ParseTimeCursor(pagination::Cursor{"x", id}).status()), "INVALID_PAGE_TOKEN");
  EXPECT_EQ(ReasonOf(pagination::ParseTimeCursor(pagination::Cursor{"1", "nope"}).status()), "INVALID_PAGE_TOKEN");
}

TEST(ResourceNames, UuidFromDigestIsStableAndWellFormed) {
  const std::string a = names::UuidFromDigest(std::string(32, '\x5a'));
  EXPECT_EQ(a, names::UuidFromDigest(std::string(32, '\x5a')));
  EXPECT_NE(a, names::UuidFromDigest(std::string(32, '\x5b')));
  EXPECT_TRUE(names::IsUuid(a));
  EXPECT_EQ(a[14], '4');  // version 4 shape
  EXPECT_EQ(a, "5a5a5a5a-5a5a-4a5a-9a5a-5a5a5a5a5a5a");
}

TEST(DynamicsChunk, RoundTripKeepsMissingValuesMissing) {
  google::protobuf::RepeatedPtrField<ingestion::v1::DynamicsSample> samples;
  for (int i = 0; i < 20; ++i) {
    ingestion::v1::DynamicsSample* s = samples.Add();
    s->set_offset_ms(i * 1000);
    s->set_speed_mps(2.5f + i * 0.01f);
    if (i % 3 != 0) s->set_cadence_spm(160.0f + i);  // partially present
    if (i == 7) s->set_latitude_deg(47.123456789), s->set_longitude_deg(8.987654321);
  }
  common::v1::DynamicsChunk chunk = EncodeChunk(samples);
  common::v1::DynamicsChunk parsed;
  ASSERT_TRUE(parsed.ParseFromString(chunk.SerializeAsString()));
  DynamicsSeries series;
  ASSERT_TRUE(AppendChunk(parsed, &series).ok());
  ASSERT_TRUE(AppendChunk(parsed, &series).ok());  // appending twice doubles the series
  ASSERT_EQ(series.size(), 40u);
  std::vector<ingestion::v1::DynamicsSample> back = ToSamples(series);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(back[i].SerializeAsString(), samples[i].SerializeAsString()) << i;
    EXPECT_EQ(back[20 + i].SerializeAsString(), samples[i].SerializeAsString()) << i;
  }
  EXPECT_TRUE(std::isnan(series.cadence_spm[0]));
  EXPECT_TRUE(std::isnan(series.power_w[5]));  // a column nobody sent
}

TEST(DynamicsChunk, InconsistentChunkIsDataLoss) {
  common::v1::DynamicsChunk chunk;
  chunk.add_offset_ms(0);
  chunk.add_offset_ms(1000);
  common::v1::FloatColumn* c = chunk.add_columns();
  c->set_field(common::v1::DYNAMICS_FIELD_CADENCE_SPM);
  c->add_values(160);  // one value for two samples
  DynamicsSeries series;
  EXPECT_EQ(AppendChunk(chunk, &series).code(), absl::StatusCode::kDataLoss);
}

TEST(DynamicsChunk, ExtraColumnsAlignAcrossChunksByName) {
  google::protobuf::RepeatedPtrField<ingestion::v1::DynamicsSample> samples;
  for (int i = 0; i < 4; ++i) samples.Add()->set_offset_ms(i * 1000);
  const double nan = std::nan("");
  common::v1::DynamicsChunk first = EncodeChunk(samples);
  AddExtraColumns({{"Leg Spring Stiffness", "kN/m", {9.5, nan, 9.7, 9.8}}, {"empty", "", {nan, nan, nan, nan}}}, &first);
  EXPECT_EQ(first.extra_columns_size(), 1);  // a column with no value is left out
  for (int i = 0; i < 4; ++i) samples.Mutable(i)->set_offset_ms(4000 + i * 1000);
  common::v1::DynamicsChunk second = EncodeChunk(samples);  // no extra column at all
  DynamicsSeries series;
  ASSERT_TRUE(AppendChunk(first, &series).ok());
  ASSERT_TRUE(AppendChunk(second, &series).ok());
  ASSERT_EQ(series.extra.size(), 1u);
  EXPECT_EQ(series.extra[0].units, "kN/m");
  ASSERT_EQ(series.extra[0].values.size(), 8u);
  EXPECT_DOUBLE_EQ(series.extra[0].values[0], 9.5);
  EXPECT_TRUE(std::isnan(series.extra[0].values[1]));
  EXPECT_TRUE(std::isnan(series.extra[0].values[6]));
}

TEST(DynamicsChunk, DownsampleAveragesBucketsAndSkipsAbsentValues) {
  DynamicsSeries s;
  for (int i = 0; i < 10; ++i) {
    s.offset_ms.push_back(i * 1000);
    s.cadence_spm.push_back(i < 5 ? 160.0f : 170.0f);
    s.speed_mps.push_back(i % 2 == 0 ? 3.0f : kMissing);
    s.heart_rate_bpm.push_back(kMissing);
  }
  DynamicsSeries d = Downsample(s, 2);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.offset_ms[1], 5000u);
  EXPECT_FLOAT_EQ(d.cadence_spm[0], 160);
  EXPECT_FLOAT_EQ(d.cadence_spm[1], 170);
  EXPECT_FLOAT_EQ(d.speed_mps[0], 3.0f);
  EXPECT_TRUE(std::isnan(d.heart_rate_bpm[1]));
  EXPECT_EQ(Downsample(s, 0).size(), 10u);
  EXPECT_EQ(Downsample(s, 50).size(), 10u);
  EXPECT_EQ(Downsample(s, 3).size(), 3u);
}

TEST(Logging, EscapesJsonAndWritesNumbersBare) {
  const std::string line = log::Format(log::Level::kInfo, "evt", {{"text", "a\"b\n"}, {"n", 3}, {"x", 1.5}, {"ok", true}});
  EXPECT_NE(line.find("\"text\":\"a\\\"b\\n\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"n\":3"), std::string::npos);
  EXPECT_NE(line.find("\"x\":1.5"), std::string::npos);
  EXPECT_NE(line.find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_NE(log::Format(log::Level::kInfo, "e", {{"nan", std::nan("")}}).find("\"nan\":null"), std::string::npos);
}

TEST(TimeUtil, MicrosAndDates) {
  EXPECT_EQ(timeutil::ToMicros(timeutil::FromMicros(1700000000123456)), 1700000000123456);
  EXPECT_EQ(timeutil::ToMicros(timeutil::FromMicros(-1500000)), -1500000);
  common::v1::Date d;
  d.set_year(2024);
  d.set_month(2);
  d.set_day(29);
  EXPECT_TRUE(timeutil::IsValidDate(d));
  EXPECT_EQ(timeutil::ToIsoDate(timeutil::AddDays(d, 1)), "2024-03-01");
  EXPECT_EQ(timeutil::Weekday(d), 3);  // Thursday
  d.set_year(2023);
  EXPECT_FALSE(timeutil::IsValidDate(d));
}

}  // namespace
}  // namespace gaitkeeper
