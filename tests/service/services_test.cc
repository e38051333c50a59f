// Service layer: each service in-process behind a real gRPC server, called through a real client.
// The database is deliberately unreachable: validation must answer before any storage is touched,
// and storage failures must come back as UNAVAILABLE, never a crash.
#include <chrono>
#include <memory>

#include "gtest/gtest.h"
#include "grpcpp/grpcpp.h"
#include "services/common/server.h"
#include "services/common/status.h"
#include "services/ingestion/ingestion_policy.h"
#include "services/ingestion/ingestion_service.h"
#include "services/planning/planning_policy.h"
#include "services/scoring/scoring_policy.h"
#include "services/ingestion/validation.h"
#include "services/planning/planning_service.h"
#include "services/probe/probe_client.h"
#include "services/scoring/scoring_service.h"

namespace gaitkeeper {
namespace {

constexpr char kAthlete[] = "athletes/0b0d1f3e-1111-4222-8333-444455556666";
constexpr char kSession[] =
    "athletes/0b0d1f3e-1111-4222-8333-444455556666/sessions/1b0d1f3e-1111-4222-8333-444455556666";

class ServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Port 1 on loopback: nothing listens, connections are refused at once.
    pool_ = std::make_unique<db::Pool>(db::Pool::Options{.url = "postgresql://nobody:x@127.0.0.1:1/none?connect_timeout=2",
                                                         .size = 2,
                                                         .acquire_timeout = absl::Seconds(2),
                                                         .query_prefixes = {}});
    ingestion_gate_ = std::make_unique<authz::Gate>(resolver_, *pool_, authz::Gate::Options{.service = "ingestion", .policy = ingestion::IngestionPolicy()});
    scoring_gate_ = std::make_unique<authz::Gate>(resolver_, *pool_, authz::Gate::Options{.service = "scoring", .policy = scoring::ScoringPolicy()});
    planning_gate_ = std::make_unique<authz::Gate>(resolver_, *pool_, authz::Gate::Options{.service = "planning", .policy = planning::PlanningPolicy()});
    ingestion_repository_ = std::make_unique<ingestion::IngestionRepository>(*pool_);
    ingestion_ = std::make_unique<ingestion::IngestionService>(*ingestion_repository_, *ingestion_gate_, nullptr);
    scoring_repository_ = std::make_unique<scoring::ScoringRepository>(*pool_);
    scoring_ = std::make_unique<scoring::ScoringService>(*scoring_repository_, *scoring_gate_);
    planning_repository_ = std::make_unique<planning::PlanningRepository>(*pool_);
    planning_ = std::make_unique<planning::PlanningService>(*planning_repository_, *planning_gate_);
    Server::Options options;
    options.shutdown_grace = absl::Milliseconds(200);
    server_ = std::make_unique<Server>(
        options, std::vector<grpc::Service*>{ingestion_.get(), scoring_.get(), planning_.get()},
        std::vector<std::string>{"gaitkeeper.ingestion.v1.IngestionService", "gaitkeeper.scoring.v1.ScoringService",
                                 "gaitkeeper.planning.v1.PlanningService"});
    ASSERT_TRUE(server_->Start().ok());
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
    ingestion_stub_ = ingestion::v1::IngestionService::NewStub(channel_);
    scoring_stub_ = scoring::v1::ScoringService::NewStub(channel_);
    planning_stub_ = planning::v1::PlanningService::NewStub(channel_);
  }

  void TearDown() override { server_->Shutdown(); }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return c;
  }

  static std::vector<std::string> Fields(const grpc::Status& status) {
    std::vector<std::string> out;
    for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(status))) out.push_back(v.field);
    return out;
  }

  authz::CallerResolver resolver_ = authz::CallerResolver::Development();
  std::unique_ptr<authz::Gate> ingestion_gate_;
  std::unique_ptr<authz::Gate> scoring_gate_;
  std::unique_ptr<authz::Gate> planning_gate_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<ingestion::IngestionRepository> ingestion_repository_;
  std::unique_ptr<ingestion::IngestionService> ingestion_;
  std::unique_ptr<scoring::ScoringRepository> scoring_repository_;
  std::unique_ptr<scoring::ScoringService> scoring_;
  std::unique_ptr<planning::PlanningRepository> planning_repository_;
  std::unique_ptr<planning::PlanningService> planning_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<ingestion::v1::IngestionService::Stub> ingestion_stub_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_stub_;
  std::unique_ptr<planning::v1::PlanningService::Stub> planning_stub_;
};

TEST_F(ServicesTest, HealthIsServingPerServiceAndReflectionListsAll) {
  for (const char* name : {"", "gaitkeeper.ingestion.v1.IngestionService", "gaitkeeper.scoring.v1.ScoringService",
                           "gaitkeeper.planning.v1.PlanningService"}) {
    absl::StatusOr<std::string> health = probe::CheckHealth(channel_, name, absl::Seconds(5));
    ASSERT_TRUE(health.ok()) << name << ": " << health.status();
    EXPECT_EQ(*health, "SERVING") << name;
  }
  EXPECT_EQ(probe::CheckHealth(channel_, "no.such.Service", absl::Seconds(5)).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<std::string>> services = probe::ListServices(channel_, absl::Seconds(5));
  ASSERT_TRUE(services.ok()) << services.status();
  for (const char* expected : {"gaitkeeper.ingestion.v1.IngestionService", "gaitkeeper.scoring.v1.ScoringService",
                               "gaitkeeper.planning.v1.PlanningService", "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_NE(std::find(services->begin(), services->end(), expected), services->end()) << expected;
  }
}

TEST_F(ServicesTest, HealthTurnsNotServingWhileDraining) {
  server_->SetServing(false);
  absl::StatusOr<std::string> health = probe::CheckHealth(channel_, "gaitkeeper.scoring.v1.ScoringService", absl::Seconds(5));
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(*health, "NOT_SERVING");
}

TEST_F(ServicesTest, CreateAthleteWithBadFieldsIsInvalidArgumentWithViolations) {
  ingestion::v1::CreateAthleteRequest request;
  request.set_request_id("not-a-uuid");
  request.mutable_athlete()->set_height_cm(400);
  ingestion::v1::Athlete response;
  grpc::Status status = ingestion_stub_->CreateAthlete(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), (std::vector<std::string>{"request_id", "athlete.height_cm"}));
  EXPECT_EQ(ReasonOf(FromGrpcStatus(status)), "INVALID_ATHLETE");
}

TEST_F(ServicesTest, BadResourceNamesAreInvalidArgument) {
  ingestion::v1::GetSessionRequest get;
  get.set_name("sessions/42");
  ingestion::v1::Session session;
  grpc::Status status = ingestion_stub_->GetSession(Context().get(), get, &session);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), std::vector<std::string>{"name"});

  planning::v1::GeneratePlanRequest plan_request;
  plan_request.set_parent("athletes/x");
  planning::v1::Plan plan;
  status = planning_stub_->GeneratePlan(Context().get(), plan_request, &plan);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), (std::vector<std::string>{"parent", "request_id"}));

  scoring::v1::ListScoresRequest list;
  list.set_parent(kAthlete);
  list.set_page_size(-3);
  scoring::v1::ListScoresResponse scores;
  status = scoring_stub_->ListScores(Context().get(), list, &scores);
  EXPECT_EQ(Fields(status), std::vector<std::string>{"page_size"});
}

TEST_F(ServicesTest, UploadWithNanSampleNamesTheField) {
  ingestion::v1::UploadSamplesResponse response;
  auto context = Context();
  auto writer = ingestion_stub_->UploadSamples(context.get(), &response);
  ingestion::v1::UploadSamplesRequest batch;
  batch.set_session(kSession);
  batch.set_sequence(1);
  for (int i = 0; i < 10; ++i) {
    auto* s = batch.add_samples();
    s->set_offset_ms(i * 1000);
    s->set_cadence_spm(i == 4 ? std::nanf("") : 160.0f);
  }
  writer->Write(batch);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(status), std::vector<std::string>{"samples[4].cadence_spm"});
}

TEST_F(ServicesTest, OversizeBatchIsResourceExhausted) {
  ingestion::v1::UploadSamplesResponse response;
  auto context = Context();
  auto writer = ingestion_stub_->UploadSamples(context.get(), &response);
  ingestion::v1::UploadSamplesRequest batch;
  batch.set_session(kSession);
  batch.set_sequence(1);
  for (int i = 0; i <= ingestion::kMaxSamplesPerBatch; ++i) batch.add_samples()->set_offset_ms(i * 1000);
  writer->Write(batch);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServicesTest, MessageAboveTheSizeLimitIsResourceExhausted) {
  ingestion::v1::CreateAthleteRequest request;
  request.set_request_id("0b0d1f3e-1111-4222-8333-444455556666");
  request.mutable_athlete()->set_display_name(std::string(5 * 1024 * 1024, 'x'));
  ingestion::v1::Athlete response;
  EXPECT_EQ(ingestion_stub_->CreateAthlete(Context().get(), request, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServicesTest, UnreachableDatabaseIsUnavailableNotACrash) {
  ingestion::v1::GetAthleteRequest request;
  request.set_name(kAthlete);
  ingestion::v1::Athlete response;
  EXPECT_EQ(ingestion_stub_->GetAthlete(Context().get(), request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  scoring::v1::ScoreSessionRequest score_request;
  score_request.set_session(kSession);
  scoring::v1::GaitScore score;
  EXPECT_EQ(scoring_stub_->ScoreSession(Context().get(), score_request, &score).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace gaitkeeper
