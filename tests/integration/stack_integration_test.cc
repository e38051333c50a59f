// Integration: the three services in-process over real gRPC on loopback, against a fresh
// database in the private PostgreSQL (scripts/test.sh starts it).
#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/cli/synthetic_session.h"
#include "db/sql_catalog.h"
#include "services/common/migrator.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
#include "services/scoring/gait_scorer.h"
#include "tests/support/imu_synth.h"
#include "tests/support/in_process_stack.h"
#include "tests/support/test_database.h"

namespace gaitkeeper::testing {
namespace {

namespace ing = ingestion::v1;

std::unique_ptr<grpc::ClientContext> Context() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return c;
}

absl::Status Call(grpc::Status status) { return FromGrpcStatus(status); }

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Shared();
    if (db_ == nullptr) {
      if (std::getenv("GK_TEST_REQUIRE_DB") != nullptr) FAIL() << "no test database";
      GTEST_SKIP() << "no PostgreSQL configured (run ./scripts/test.sh): skipped";
    }
    stack_ = std::make_unique<InProcessStack>(db_->app_url());
  }

  ing::Athlete NewAthlete(float height_cm = 178) {
    ing::CreateAthleteRequest r;
    r.set_request_id(names::NewUuid());
    r.mutable_athlete()->set_height_cm(height_cm);
    ing::Athlete a;
    EXPECT_TRUE(stack_->ingestion().CreateAthlete(Context().get(), r, &a).ok());
    return a;
  }

  ing::Session NewSession(const std::string& athlete, int64_t start_us = timeutil::NowMicros() - 3600LL * 1000000) {
    ing::CreateSessionRequest r;
    r.set_parent(athlete);
    r.set_request_id(names::NewUuid());
    *r.mutable_session()->mutable_start_time() = timeutil::FromMicros(start_us);
    ing::Session s;
    EXPECT_TRUE(stack_->ingestion().CreateSession(Context().get(), r, &s).ok());
    return s;
  }

  // Streams batches [first_sequence, last_sequence] of `samples` (batch_size each). Returns the
  // final status and fills *response.
  absl::Status Upload(const std::string& session, const std::vector<ing::DynamicsSample>& samples, int batch_size,
                      int first_sequence, int last_sequence, ing::UploadSamplesResponse* response,
                      bool cancel_at_end = false) {
    auto context = Context();
    auto writer = stack_->ingestion().UploadSamples(context.get(), response);
    for (int seq = first_sequence; seq <= last_sequence; ++seq) {
      ing::UploadSamplesRequest batch;
      batch.set_session(session);
      batch.set_sequence(seq);
      for (size_t i = (seq - 1) * batch_size; i < std::min(samples.size(), size_t(seq) * batch_size); ++i) {
        *batch.add_samples() = samples[i];
      }
      if (!writer->Write(batch)) break;
    }
    if (cancel_at_end) {
      // The connection drops once the server has committed what was sent (waiting on the
      // server's state, not on a fixed sleep, so a slow machine cannot turn this into a test
      // of how much arrived in time).
      const absl::Time deadline = absl::Now() + absl::Seconds(30);
      while (State(session).last_committed_sequence() < last_sequence && absl::Now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      EXPECT_EQ(State(session).last_committed_sequence(), last_sequence) << "the sent batches were not committed in 30 s";
      context->TryCancel();
      return Call(writer->Finish());
    }
    writer->WritesDone();
    return Call(writer->Finish());
  }

  ing::UploadState State(const std::string& session) {
    ing::GetUploadStateRequest r;
    r.set_session(session);
    ing::UploadState s;
    EXPECT_TRUE(stack_->ingestion().GetUploadState(Context().get(), r, &s).ok());
    return s;
  }

  absl::StatusOr<ing::Session> Complete(const std::string& session) {
    ing::CompleteSessionRequest r;
    r.set_name(session);
    ing::Session s;
    absl::Status status = Call(stack_->ingestion().CompleteSession(Context().get(), r, &s));
    if (!status.ok()) return status;
    return s;
  }

  absl::StatusOr<scoring::v1::GaitScore> GetScore(const std::string& session) {
    scoring::v1::GetSessionScoreRequest r;
    r.set_session(session);
    scoring::v1::GaitScore s;
    absl::Status status = Call(stack_->scoring().GetSessionScore(Context().get(), r, &s));
    if (!status.ok()) return status;
    return s;
  }

  TestDatabase* db_ = nullptr;
  std::unique_ptr<InProcessStack> stack_;
};

TEST(Migrations, RunTwiceAndConcurrentlyAndTheAppRoleOwnsNothing) {
  GK_REQUIRE_DATABASE(db);
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<db::MigrationReport>> reports(3);
  for (int i = 0; i < 3; ++i) threads.emplace_back([&, i] { reports[i] = db::Migrate(db->owner_url()); });
  for (auto& t : threads) t.join();
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->applied, 0);  // the fixture already migrated this database
    EXPECT_EQ(r->current_version, db::Migrations().back().version);
  }
  pqxx::connection app(db->app_url());
  pqxx::work tx(app);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")[0][0].as<int>(), 0);
  EXPECT_FALSE(tx.exec("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0].as<bool>());
  tx.commit();
  pqxx::work ddl(app);
  EXPECT_THROW(ddl.exec("CREATE TABLE intruder (x int)"), pqxx::insufficient_privilege);
}

TEST_F(StackTest, CreateAthleteIsIdempotentAndRejectsAReusedRequestId) {
  ing::CreateAthleteRequest r;
  r.set_request_id(names::NewUuid());
  r.mutable_athlete()->set_height_cm(181);
  r.mutable_athlete()->set_display_name("A");
  ing::Athlete first, again, other;
  ASSERT_TRUE(stack_->ingestion().CreateAthlete(Context().get(), r, &first).ok());
  ASSERT_TRUE(stack_->ingestion().CreateAthlete(Context().get(), r, &again).ok());
  EXPECT_EQ(first.name(), again.name());
  EXPECT_EQ(first.create_time().seconds(), again.create_time().seconds());
  r.mutable_athlete()->set_height_cm(170);
  absl::Status conflict = Call(stack_->ingestion().CreateAthlete(Context().get(), r, &other));
  EXPECT_EQ(conflict.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(conflict), "REQUEST_ID_REUSED");
  ing::GetAthleteRequest get;
  get.set_name(first.name());
  ing::Athlete stored;
  ASSERT_TRUE(stack_->ingestion().GetAthlete(Context().get(), get, &stored).ok());
  EXPECT_FLOAT_EQ(stored.height_cm(), 181);  // the conflicting payload changed nothing
}

TEST_F(StackTest, CreateSessionIsIdempotentPerParent) {
  ing::Athlete a = NewAthlete();
  ing::Athlete b = NewAthlete();
  ing::CreateSessionRequest r;
  r.set_parent(a.name());
  r.set_request_id(names::NewUuid());
  *r.mutable_session()->mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 1000000);
  ing::Session first, again, other;
  ASSERT_TRUE(stack_->ingestion().CreateSession(Context().get(), r, &first).ok());
  ASSERT_TRUE(stack_->ingestion().CreateSession(Context().get(), r, &again).ok());
  EXPECT_EQ(first.name(), again.name());
  EXPECT_EQ(first.state(), ing::SESSION_STATE_OPEN);
  r.set_parent(b.name());
  // Under another athlete the first session is invisible (row security), yet the reuse is named.
  EXPECT_EQ(Call(stack_->ingestion().CreateSession(Context().get(), r, &other)).code(), absl::StatusCode::kAlreadyExists);
  r.set_parent("athletes/" + names::NewUuid());
  r.set_request_id(names::NewUuid());
  EXPECT_EQ(Call(stack_->ingestion().CreateSession(Context().get(), r, &other)).code(), absl::StatusCode::kNotFound);
}

TEST_F(StackTest, UploadCutMidwayResumesWithNoLossAndNoDuplicate) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.duration_s = 600;
  const std::vector<ing::DynamicsSample> samples = synthetic::GenerateRun(p);
  ing::UploadSamplesResponse response;
  // The phone loses its connection after sending batches 1..4 of 10.
  (void)Upload(s.name(), samples, 60, 1, 4, &response, /*cancel_at_end=*/true);
  ing::UploadState state = State(s.name());
  EXPECT_EQ(state.last_committed_sequence(), 4);
  EXPECT_EQ(state.sample_count(), 240);
  // It resumes from the last committed batch, resending it.
  ing::UploadSamplesResponse resumed;
  ASSERT_TRUE(Upload(s.name(), samples, 60, 4, 10, &resumed).ok());
  EXPECT_EQ(resumed.batches_ignored(), 1);
  EXPECT_EQ(resumed.batches_committed(), 6);
  EXPECT_EQ(resumed.last_committed_sequence(), 10);
  EXPECT_EQ(resumed.sample_count(), 600);
  // What is stored is exactly what was sent, once.
  // Straight to the repository: the database scope the gate would set for this athlete.
  db::ScopeGuard scope({names::ParseSession(s.name(), "session")->athlete_id, ""});
  scoring::ScoringRepository repository(stack_->pool());
  absl::StatusOr<scoring::SessionForScoring> loaded =
      repository.LoadSession(*names::ParseSession(s.name(), "session"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::vector<ing::DynamicsSample> back = ToSamples(loaded->series);
  ASSERT_EQ(back.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    ASSERT_EQ(back[i].SerializeAsString(), samples[i].SerializeAsString()) << "sample " << i;
  }
}

TEST_F(StackTest, GapsOutOfOrderAndCompletedSessionsAreRejectedAndStoreNothing) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.duration_s = 300;
  const std::vector<ing::DynamicsSample> samples = synthetic::GenerateRun(p);
  ing::UploadSamplesResponse response;
  ASSERT_TRUE(Upload(s.name(), samples, 60, 1, 2, &response).ok());
  absl::Status gap = Upload(s.name(), samples, 60, 4, 4, &response);
  EXPECT_EQ(gap.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(gap), "SEQUENCE_GAP");
  EXPECT_NE(gap.message().find("send 3 next"), absl::string_view::npos);
  // Batch 3 whose samples go back in time (offsets of batch 1) is rejected, with the field named.
  ing::UploadSamplesRequest backwards;
  {
    auto context = Context();
    auto writer = stack_->ingestion().UploadSamples(context.get(), &response);
    backwards.set_session(s.name());
    backwards.set_sequence(3);
    for (int i = 0; i < 60; ++i) *backwards.add_samples() = samples[i];
    writer->Write(backwards);
    writer->WritesDone();
    absl::Status status = Call(writer->Finish());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    ASSERT_EQ(FieldViolationsOf(status).size(), 1u);
    EXPECT_EQ(FieldViolationsOf(status)[0].field, "samples[0].offset_ms");
  }
  EXPECT_EQ(State(s.name()).sample_count(), 120);
  ASSERT_TRUE(Complete(s.name()).ok());
  absl::Status late = Upload(s.name(), samples, 60, 3, 3, &response);
  EXPECT_EQ(late.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(late), "SESSION_COMPLETED");
  EXPECT_EQ(State(s.name()).sample_count(), 120);
}

TEST_F(StackTest, EndToEndUploadScoreAndPlan) {
  ing::Athlete a = NewAthlete(175);
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.cadence_spm = 164;
  p.cadence_drift = 0;
  p.speed_mps = 2.9;
  p.duration_s = 1800;
  const std::vector<ing::DynamicsSample> samples = synthetic::GenerateRun(p);
  ing::UploadSamplesResponse response;
  ASSERT_TRUE(Upload(s.name(), samples, 120, 1, 15, &response).ok());
  absl::StatusOr<ing::Session> completed = Complete(s.name());
  ASSERT_TRUE(completed.ok()) << completed.status();
  EXPECT_EQ(completed->state(), ing::SESSION_STATE_COMPLETED);
  EXPECT_EQ(completed->sample_count(), 1800);
  ASSERT_TRUE(Complete(s.name()).ok());  // idempotent, queues nothing more

  EXPECT_EQ(stack_->DeliverPending(), 0);
  absl::StatusOr<scoring::v1::GaitScore> score = GetScore(s.name());
  ASSERT_TRUE(score.ok()) << score.status();
  double cadence = 0;
  for (const auto& m : score->metrics()) {
    if (m.metric() == scoring::v1::METRIC_CADENCE) cadence = m.median();
  }
  EXPECT_NEAR(cadence, 164, 1.0);
  EXPECT_EQ(score->algorithm_version(), scoring::kAlgorithmVersion);
  EXPECT_EQ(score->sample_count(), 1800);
  // The knee-load score explains itself.
  const scoring::v1::KneeLoad& knee = score->knee_load();
  ASSERT_TRUE(knee.has_total());
  EXPECT_GE(knee.total(), 0);
  EXPECT_LE(knee.total(), 100);
  EXPECT_EQ(knee.factors_size(), 8);
  EXPECT_FALSE(knee.top_factor().empty());
  bool cadence_explained = false;
  for (const auto& f : knee.factors()) {
    if (f.factor() == "cadence") cadence_explained = f.explanation().find("164") != std::string::npos;
  }
  EXPECT_TRUE(cadence_explained);
  EXPECT_EQ(knee.running_load().spike_band(), "no_baseline");

  ing::CreatePainReportRequest pain;
  pain.set_parent(a.name());
  pain.set_request_id(names::NewUuid());
  pain.mutable_pain_report()->set_session(s.name());
  *pain.mutable_pain_report()->mutable_report_date() = timeutil::DateOfMicros(timeutil::NowMicros());
  pain.mutable_pain_report()->set_pain_after(4);
  ing::PainReport stored_pain;
  ASSERT_TRUE(stack_->ingestion().CreatePainReport(Context().get(), pain, &stored_pain).ok());

  planning::v1::GeneratePlanRequest plan_request;
  plan_request.set_parent(a.name());
  plan_request.set_request_id(names::NewUuid());
  *plan_request.mutable_start_date() = timeutil::AddDays(timeutil::DateOfMicros(timeutil::NowMicros()), 1);
  planning::v1::Plan plan, again;
  ASSERT_TRUE(stack_->planning().GeneratePlan(Context().get(), plan_request, &plan).ok());
  EXPECT_EQ(plan.inputs().score(), score->name());
  EXPECT_DOUBLE_EQ(plan.cadence_target().target_low_spm(), std::round(cadence * 1.05));
  EXPECT_DOUBLE_EQ(plan.cadence_target().target_high_spm(), std::round(cadence * 1.10));
  EXPECT_EQ(plan.inputs().latest_pain_after(), 4);
  bool run_walk = false;
  for (const auto& item : plan.items()) run_walk = run_walk || item.key() == "run_walk";
  EXPECT_TRUE(run_walk) << "pain 4/10 should give run/walk";
  // Idempotent on request_id; the current plan is this one.
  ASSERT_TRUE(stack_->planning().GeneratePlan(Context().get(), plan_request, &again).ok());
  EXPECT_EQ(again.name(), plan.name());
  planning::v1::GetCurrentPlanRequest current_request;
  current_request.set_parent(a.name());
  planning::v1::Plan current;
  ASSERT_TRUE(stack_->planning().GetCurrentPlan(Context().get(), current_request, &current).ok());
  EXPECT_EQ(current.name(), plan.name());
  EXPECT_EQ(current.items_size(), plan.items_size());
}

TEST_F(StackTest, HistoryGivesBaselinesSpikeAndTheRunnerSummary) {
  ing::Athlete a = NewAthlete(180);
  const int64_t day = 86400LL * 1000000;
  const int64_t now = timeutil::NowMicros();
  std::vector<std::string> sessions;
  // Four 20-minute runs over the last three weeks, then one of 60 minutes: a spike of ~200 %.
  const int minutes[] = {20, 20, 20, 20, 60};
  for (int i = 0; i < 5; ++i) {
    ing::Session s = NewSession(a.name(), now - (20 - 4 * i) * day);
    synthetic::RunProfile p;
    p.duration_s = minutes[i] * 60;
    p.cadence_drift = 0;
    p.seed = 100 + i;
    ing::UploadSamplesResponse response;
    ASSERT_TRUE(Upload(s.name(), synthetic::GenerateRun(p), 3600, 1, 1, &response).ok());
    ASSERT_TRUE(Complete(s.name()).ok());
    EXPECT_EQ(stack_->DeliverPending(), 0);  // scored in order, so each sees the ones before
    sessions.push_back(s.name());
  }
  absl::StatusOr<scoring::v1::GaitScore> last = GetScore(sessions.back());
  ASSERT_TRUE(last.ok());
  const scoring::v1::KneeLoad& knee = last->knee_load();
  EXPECT_EQ(knee.running_load().previous_runs(), 4);
  EXPECT_EQ(knee.running_load().spike_band(), "over_100");
  EXPECT_NEAR(knee.running_load().hazard_ratio(), 2.28, 1e-9);
  EXPECT_EQ(knee.top_factor(), "load_spike");
  bool cadence_baseline = false;
  for (const auto& f : knee.factors()) {
    if (f.factor() == "cadence" && f.has_baseline()) {
      cadence_baseline = true;
      EXPECT_NEAR(f.baseline(), 162, 1.5);
      EXPECT_EQ(f.baseline_sessions(), 4);
    }
  }
  EXPECT_TRUE(cadence_baseline);
  scoring::v1::GetRunnerSummaryRequest r;
  r.set_parent(a.name());
  scoring::v1::RunnerSummary summary;
  ASSERT_TRUE(stack_->scoring().GetRunnerSummary(Context().get(), r, &summary).ok());
  EXPECT_EQ(summary.latest_score(), last->name());
  EXPECT_EQ(summary.trend_size(), 5);
  EXPECT_EQ(summary.latest_knee_load().top_factor(), "load_spike");
}

TEST_F(StackTest, ANewScoreMakesPlanningPrepareAPlanOnce) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.duration_s = 600;
  p.cadence_drift = 0;
  ing::UploadSamplesResponse response;
  ASSERT_TRUE(Upload(s.name(), synthetic::GenerateRun(p), 600, 1, 1, &response).ok());
  ASSERT_TRUE(Complete(s.name()).ok());
  EXPECT_EQ(stack_->DeliverPending(), 0);
  EXPECT_EQ(stack_->DeliverPendingPlans(), 0);
  planning::v1::GetCurrentPlanRequest current_request;
  current_request.set_parent(a.name());
  planning::v1::Plan current;
  ASSERT_TRUE(stack_->planning().GetCurrentPlan(Context().get(), current_request, &current).ok());
  absl::StatusOr<scoring::v1::GaitScore> score = GetScore(s.name());
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(current.inputs().score(), score->name());
  EXPECT_EQ(timeutil::ToIsoDate(current.start_date()),
            timeutil::ToIsoDate(timeutil::AddDays(timeutil::DateOfMicros(timeutil::ToMicros(s.start_time())), 1)));
  // Scoring the same session again (a redelivery) changes nothing downstream.
  scoring::v1::ScoreSessionRequest again;
  again.set_session(s.name());
  scoring::v1::GaitScore rescored;
  ASSERT_TRUE(stack_->scoring().ScoreSession(Context().get(), again, &rescored).ok());
  EXPECT_EQ(*outbox::CountPending(stack_->pool(), scoring::kPlanOnScoreTopic), 0);
  planning::v1::ListPlansRequest list;
  list.set_parent(a.name());
  planning::v1::ListPlansResponse plans;
  ASSERT_TRUE(stack_->planning().ListPlans(Context().get(), list, &plans).ok());
  EXPECT_EQ(plans.plans_size(), 1);
}

TEST_F(StackTest, ScoringIsDeliveredAfterTheScoringServiceComesBack) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.duration_s = 300;
  ing::UploadSamplesResponse response;
  ASSERT_TRUE(Upload(s.name(), synthetic::GenerateRun(p), 60, 1, 5, &response).ok());

  stack_->StopScoring();
  ASSERT_TRUE(Complete(s.name()).ok());  // acknowledged while scoring is down
  absl::StatusOr<int> delivered = stack_->dispatcher().RunOnce();
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(*delivered, 0);
  EXPECT_EQ(*outbox::CountPending(stack_->pool(), ingestion::kScoreSessionTopic), 1);

  ASSERT_TRUE(stack_->StartScoring().ok());
  EXPECT_EQ(stack_->DeliverPending(), 0);
  EXPECT_TRUE(GetScore(s.name()).ok());
  pqxx::connection conn(db_->app_url());
  pqxx::work tx(conn);
  pqxx::row row = tx.exec1("SELECT max(attempts), count(*) FROM outbox WHERE delivered_time IS NOT NULL");
  EXPECT_GE(row[0].as<int>(), 2);  // failed at least once, then delivered
}

TEST_F(StackTest, ListSessionsPaginatesByKeysetNewestFirst) {
  ing::Athlete a = NewAthlete();
  const int64_t base = timeutil::NowMicros() - 10LL * 86400 * 1000000;
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) created.push_back(NewSession(a.name(), base + i * 3600LL * 1000000).name());
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    ing::ListSessionsRequest r;
    r.set_parent(a.name());
    r.set_page_size(2);
    r.set_page_token(token);
    ing::ListSessionsResponse page;
    ASSERT_TRUE(stack_->ingestion().ListSessions(Context().get(), r, &page).ok());
    for (const auto& s : page.sessions()) seen.push_back(s.name());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, std::vector<std::string>(created.rbegin(), created.rend()));
  // A token used with another parent is refused.
  ing::ListSessionsRequest first;
  first.set_parent(a.name());
  first.set_page_size(2);
  ing::ListSessionsResponse page;
  ASSERT_TRUE(stack_->ingestion().ListSessions(Context().get(), first, &page).ok());
  ing::Athlete b = NewAthlete();
  first.set_parent(b.name());
  first.set_page_token(page.next_page_token());
  EXPECT_EQ(Call(stack_->ingestion().ListSessions(Context().get(), first, &page)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StackTest, UpdateAthleteAppliesOnlyTheMaskedFields) {
  ing::Athlete a = NewAthlete(178);
  ing::UpdateAthleteRequest r;
  r.mutable_athlete()->set_name(a.name());
  r.mutable_athlete()->set_body_mass_kg(71.5f);
  r.mutable_athlete()->set_height_cm(120);  // not in the mask: ignored
  r.mutable_update_mask()->add_paths("body_mass_kg");
  ing::Athlete updated;
  ASSERT_TRUE(stack_->ingestion().UpdateAthlete(Context().get(), r, &updated).ok());
  EXPECT_FLOAT_EQ(updated.body_mass_kg(), 71.5f);
  EXPECT_FLOAT_EQ(updated.height_cm(), 178);
  // Naming an optional field while leaving it unset clears it.
  r.clear_athlete();
  r.mutable_athlete()->set_name(a.name());
  r.mutable_update_mask()->set_paths(0, "height_cm");
  ASSERT_TRUE(stack_->ingestion().UpdateAthlete(Context().get(), r, &updated).ok());
  EXPECT_FALSE(updated.has_height_cm());
  EXPECT_FLOAT_EQ(updated.body_mass_kg(), 71.5f);
  // A bad value is refused and stores nothing.
  r.mutable_athlete()->set_height_cm(20);
  absl::Status bad = Call(stack_->ingestion().UpdateAthlete(Context().get(), r, &updated));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolationsOf(bad).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(bad)[0].field, "athlete.height_cm");
  r.mutable_update_mask()->set_paths(0, "name");
  EXPECT_EQ(Call(stack_->ingestion().UpdateAthlete(Context().get(), r, &updated)).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StackTest, ImuStreamsPerSensorResumeAndCountClipping) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  auto batch = [&](ing::SensorPlacement placement, int sequence, float peak) {
    ing::UploadImuSamplesRequest r;
    r.set_session(s.name());
    r.set_sequence(sequence);
    r.mutable_stream()->set_placement(placement);
    r.mutable_stream()->set_rate_hz(500);
    r.mutable_stream()->set_accel_range_g(16);
    r.set_start_offset_us(static_cast<uint64_t>(sequence - 1) * 1000000);
    for (int i = 0; i < 500; ++i) {
      r.add_accel_x_g(0);
      r.add_accel_y_g(i % 100 == 0 ? peak : 1.0f);
      r.add_accel_z_g(0);
    }
    return r;
  };
  auto upload = [&](const std::vector<ing::UploadImuSamplesRequest>& batches, ing::UploadImuSamplesResponse* response) {
    auto context = Context();
    auto writer = stack_->ingestion().UploadImuSamples(context.get(), response);
    for (const auto& b : batches) writer->Write(b);
    writer->WritesDone();
    return Call(writer->Finish());
  };
  ing::UploadImuSamplesResponse left, right, resent;
  ASSERT_TRUE(upload({batch(ing::SENSOR_PLACEMENT_FOOT_LEFT, 1, 16), batch(ing::SENSOR_PLACEMENT_FOOT_LEFT, 2, 8)}, &left).ok());
  EXPECT_EQ(left.sample_count(), 1000);
  EXPECT_EQ(left.clipped_sample_count(), 5);  // five samples at the ±16 g limit in the first second
  ASSERT_TRUE(upload({batch(ing::SENSOR_PLACEMENT_FOOT_RIGHT, 1, 8)}, &right).ok());
  EXPECT_EQ(right.last_committed_sequence(), 1);
  ASSERT_TRUE(upload({batch(ing::SENSOR_PLACEMENT_FOOT_LEFT, 2, 8), batch(ing::SENSOR_PLACEMENT_FOOT_LEFT, 3, 8)}, &resent).ok());
  EXPECT_EQ(resent.batches_ignored(), 1);
  EXPECT_EQ(resent.sample_count(), 1500);
  ing::GetUploadStateRequest state_request;
  state_request.set_session(s.name());
  state_request.set_imu_placement(ing::SENSOR_PLACEMENT_FOOT_RIGHT);
  ing::UploadState state;
  ASSERT_TRUE(stack_->ingestion().GetUploadState(Context().get(), state_request, &state).ok());
  EXPECT_EQ(state.last_committed_sequence(), 1);
  EXPECT_EQ(state.sample_count(), 500);
  // Another rate for the same sensor is refused.
  ing::UploadImuSamplesRequest changed = batch(ing::SENSOR_PLACEMENT_FOOT_RIGHT, 2, 8);
  changed.mutable_stream()->set_rate_hz(100);
  changed.mutable_accel_x_g()->Truncate(100);
  changed.mutable_accel_y_g()->Truncate(100);
  changed.mutable_accel_z_g()->Truncate(100);
  ing::UploadImuSamplesResponse refused;
  absl::Status mismatch = upload({changed}, &refused);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(mismatch), "STREAM_MISMATCH");
}

TEST_F(StackTest, ReadSamplesStreamsEverythingBackOrDownsampled) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  synthetic::RunProfile p;
  p.duration_s = 5000;
  const std::vector<ing::DynamicsSample> samples = synthetic::GenerateRun(p);
  ing::UploadSamplesResponse response;
  ASSERT_TRUE(Upload(s.name(), samples, 1000, 1, 5, &response).ok());
  auto read = [&](int max_points) {
    ing::ReadSamplesRequest r;
    r.set_session(s.name());
    r.set_max_points(max_points);
    auto context = Context();
    auto reader = stack_->ingestion().ReadSamples(context.get(), r);
    std::vector<ing::DynamicsSample> out;
    ing::ReadSamplesResponse message;
    int messages = 0;
    while (reader->Read(&message)) {
      ++messages;
      for (const auto& sample : message.samples()) out.push_back(sample);
    }
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_GE(messages, out.empty() ? 0 : 1);
    return out;
  };
  std::vector<ing::DynamicsSample> all = read(0);
  ASSERT_EQ(all.size(), samples.size());
  for (size_t i = 0; i < all.size(); i += 997) EXPECT_EQ(all[i].SerializeAsString(), samples[i].SerializeAsString());
  std::vector<ing::DynamicsSample> chart = read(500);
  ASSERT_EQ(chart.size(), 500u);
  EXPECT_EQ(chart[1].offset_ms(), 10000u);  // buckets of 10 samples
  double mean = 0;
  for (int i = 10; i < 20; ++i) mean += samples[i].speed_mps() / 10.0;
  EXPECT_NEAR(chart[1].speed_mps(), mean, 1e-4);
}

TEST_F(StackTest, QuestionnairesAreScoredOnTheServerAndListed) {
  ing::Athlete a = NewAthlete();
  ing::CreateQuestionnaireResponseRequest r;
  r.set_parent(a.name());
  r.set_request_id(names::NewUuid());
  ing::QuestionnaireResponse* q = r.mutable_questionnaire_response();
  q->set_instrument(ing::INSTRUMENT_KOOS);
  *q->mutable_response_date() = timeutil::DateOfMicros(timeutil::NowMicros());
  // Pain: P1..P9 all answered 1 -> 100 - 1 * 25 = 75. Symptoms: only S1, S2 of 7 -> below 50 %: no score.
  for (int i = 1; i <= 9; ++i) (*q->mutable_answers())[absl::StrCat("P", i)] = 1;
  (*q->mutable_answers())["S1"] = 4;
  (*q->mutable_answers())["S2"] = 4;
  ing::QuestionnaireResponse stored, again;
  ASSERT_TRUE(stack_->ingestion().CreateQuestionnaireResponse(Context().get(), r, &stored).ok());
  std::map<std::string, const ing::SubscaleScore*> by_name;
  for (const auto& s : stored.scores()) by_name[s.name()] = &s;
  ASSERT_TRUE(by_name.count("pain"));
  ASSERT_TRUE(by_name["pain"]->has_score());
  EXPECT_DOUBLE_EQ(by_name["pain"]->score(), 75.0);
  ASSERT_TRUE(by_name.count("symptoms"));
  EXPECT_FALSE(by_name["symptoms"]->has_score());
  EXPECT_EQ(by_name["symptoms"]->answered(), 2);
  ASSERT_TRUE(stack_->ingestion().CreateQuestionnaireResponse(Context().get(), r, &again).ok());
  EXPECT_EQ(again.name(), stored.name());
  // An unknown item or an option out of range is refused, naming it.
  r.set_request_id(names::NewUuid());
  (*q->mutable_answers())["P1"] = 7;
  absl::Status bad = Call(stack_->ingestion().CreateQuestionnaireResponse(Context().get(), r, &again));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(FieldViolationsOf(bad).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(bad)[0].field, "questionnaire_response.answers[P1]");
  ing::ListQuestionnaireResponsesRequest list;
  list.set_parent(a.name());
  list.set_instrument(ing::INSTRUMENT_KOOS);
  ing::ListQuestionnaireResponsesResponse listed;
  ASSERT_TRUE(stack_->ingestion().ListQuestionnaireResponses(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.questionnaire_responses_size(), 1);
  EXPECT_EQ(listed.questionnaire_responses(0).name(), stored.name());
  list.set_instrument(ing::INSTRUMENT_KUJALA);
  ASSERT_TRUE(stack_->ingestion().ListQuestionnaireResponses(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.questionnaire_responses_size(), 0);
}

TEST_F(StackTest, ImuSessionsAreAnalysedPerSensorWithAsymmetry) {
  ing::Athlete a = NewAthlete();
  ing::Session s = NewSession(a.name());
  const std::pair<scoring::imu::Placement, ing::SensorPlacement> feet[] = {
      {scoring::imu::Placement::kFootLeft, ing::SENSOR_PLACEMENT_FOOT_LEFT},
      {scoring::imu::Placement::kFootRight, ing::SENSOR_PLACEMENT_FOOT_RIGHT}};
  for (const auto& [placement, api_placement] : feet) {
    test_support::SynthConfig config;
    config.placement = placement;
    config.rate_hz = 500;
    config.cadence_spm = 172;
    config.contact_ms = 250;
    config.contact_asymmetry = 0.06;
    config.bouts = {test_support::GaitBout{.running = true, .duration_s = 120}};
    const scoring::imu::ImuSignal signal = test_support::Synthesize(config).signal;
    auto context = Context();
    ing::UploadImuSamplesResponse response;
    auto writer = stack_->ingestion().UploadImuSamples(context.get(), &response);
    const size_t per_batch = 10000;
    for (size_t b = 0; b < signal.ax.size(); b += per_batch) {
      ing::UploadImuSamplesRequest r;
      r.set_session(s.name());
      r.set_sequence(static_cast<int64_t>(b / per_batch + 1));
      r.mutable_stream()->set_placement(api_placement);
      r.mutable_stream()->set_rate_hz(500);
      r.mutable_stream()->set_accel_range_g(16);
      r.mutable_stream()->set_has_gyroscope(true);
      r.mutable_stream()->set_gyro_range_dps(2000);
      r.set_start_offset_us(static_cast<uint64_t>(b * 2000));
      const size_t end = std::min(signal.ax.size(), b + per_batch);
      for (size_t i = b; i < end; ++i) {
        r.add_accel_x_g(signal.ax[i]);
        r.add_accel_y_g(signal.ay[i]);
        r.add_accel_z_g(signal.az[i]);
        r.add_gyro_x_dps(std::clamp(signal.gx[i], -2000.0f, 2000.0f));
        r.add_gyro_y_dps(std::clamp(signal.gy[i], -2000.0f, 2000.0f));
        r.add_gyro_z_dps(std::clamp(signal.gz[i], -2000.0f, 2000.0f));
      }
      ASSERT_TRUE(writer->Write(r));
    }
    writer->WritesDone();
    ASSERT_TRUE(writer->Finish().ok());
    EXPECT_EQ(response.sample_count(), static_cast<int64_t>(signal.ax.size()));
  }
  ASSERT_TRUE(Complete(s.name()).ok());
  EXPECT_EQ(stack_->DeliverPending(), 0);
  absl::StatusOr<scoring::v1::GaitScore> score = GetScore(s.name());
  ASSERT_TRUE(score.ok()) << score.status();
  ASSERT_EQ(score->imu_size(), 2);
  for (const auto& sensor : score->imu()) {
    SCOPED_TRACE(sensor.placement());
    ASSERT_TRUE(sensor.cadence_spm().present()) << sensor.cadence_spm().missing_reason();
    EXPECT_NEAR(sensor.cadence_spm().median(), 172, 1.5);
    EXPECT_TRUE(sensor.contact_time_ms().present());
    EXPECT_TRUE(sensor.foot_strike().present());
  }
  bool contact_asymmetry = false;
  for (const auto& a : score->asymmetry()) {
    if (a.pair() == "feet" && a.metric() == "contact_time_ms") {
      contact_asymmetry = true;
      EXPECT_NEAR(a.symmetry_index_percent(), 6.0, 2.5);
    }
  }
  EXPECT_TRUE(contact_asymmetry);
}

TEST_F(StackTest, PainReportsAreIdempotentAndListed) {
  ing::Athlete a = NewAthlete();
  ing::CreatePainReportRequest r;
  r.set_parent(a.name());
  r.set_request_id(names::NewUuid());
  *r.mutable_pain_report()->mutable_report_date() = timeutil::DateOfMicros(timeutil::NowMicros());
  r.mutable_pain_report()->set_pain_next_morning(3);
  r.mutable_pain_report()->set_location(common::v1::PAIN_LOCATION_FRONT);
  ing::PainReport first, again;
  ASSERT_TRUE(stack_->ingestion().CreatePainReport(Context().get(), r, &first).ok());
  ASSERT_TRUE(stack_->ingestion().CreatePainReport(Context().get(), r, &again).ok());
  EXPECT_EQ(first.name(), again.name());
  r.set_request_id(names::NewUuid());
  r.mutable_pain_report()->set_session(a.name() + "/sessions/" + names::NewUuid());
  EXPECT_EQ(Call(stack_->ingestion().CreatePainReport(Context().get(), r, &again)).code(), absl::StatusCode::kNotFound);
  ing::ListPainReportsRequest list;
  list.set_parent(a.name());
  ing::ListPainReportsResponse reports;
  ASSERT_TRUE(stack_->ingestion().ListPainReports(Context().get(), list, &reports).ok());
  ASSERT_EQ(reports.pain_reports_size(), 1);
  EXPECT_EQ(reports.pain_reports(0).pain_next_morning(), 3);
  EXPECT_FALSE(reports.pain_reports(0).has_pain_during());
}

}  // namespace
}  // namespace gaitkeeper::testing
