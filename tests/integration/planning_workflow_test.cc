// Integration: the clinician workflow and adherence through the real services and database.
#include <chrono>

#include "gtest/gtest.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
#include "tests/support/in_process_stack.h"
#include "tests/support/test_database.h"

namespace gaitkeeper::testing {
namespace {

namespace ing = ingestion::v1;
namespace pl = planning::v1;

std::unique_ptr<grpc::ClientContext> Context(const std::string& subject = "") {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!subject.empty()) c->AddMetadata("x-gaitkeeper-dev-subject", subject);
  return c;
}

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = TestDatabase::Shared();
    if (db_ == nullptr) {
      if (std::getenv("GK_TEST_REQUIRE_DB") != nullptr) FAIL() << "no test database";
      GTEST_SKIP() << "no PostgreSQL configured (run ./scripts/test.sh): skipped";
    }
    stack_ = std::make_unique<InProcessStack>(db_->app_url());
    ing::CreateAthleteRequest r;
    r.set_request_id(names::NewUuid());
    ASSERT_TRUE(stack_->ingestion().CreateAthlete(Context().get(), r, &athlete_).ok());
  }

  ing::CareLink Link() {
    ing::CreateClinicRequest c;
    c.set_request_id(names::NewUuid());
    c.mutable_clinic()->set_display_name("Knee clinic");
    ing::Clinic clinic;
    EXPECT_TRUE(stack_->ingestion().CreateClinic(Context().get(), c, &clinic).ok());
    ing::CreateCareLinkRequest l;
    l.set_parent(athlete_.name());
    l.set_request_id(names::NewUuid());
    l.mutable_care_link()->set_clinic(clinic.name());
    ing::CareLink link;
    EXPECT_TRUE(stack_->ingestion().CreateCareLink(Context().get(), l, &link).ok());
    return link;
  }

  pl::Plan Generate() {
    pl::GeneratePlanRequest r;
    r.set_parent(athlete_.name());
    r.set_request_id(names::NewUuid());
    *r.mutable_start_date() = timeutil::DateOfMicros(timeutil::NowMicros());
    pl::Plan plan;
    EXPECT_TRUE(stack_->planning().GeneratePlan(Context().get(), r, &plan).ok());
    return plan;
  }

  absl::StatusOr<pl::Plan> Review(const std::string& plan, pl::ReviewAction action, std::vector<pl::PlanEdit> edits,
                                  const std::string& reason, const std::string& request_id = names::NewUuid()) {
    pl::ReviewPlanRequest r;
    r.set_name(plan);
    r.set_request_id(request_id);
    r.set_action(action);
    for (auto& e : edits) *r.add_edits() = e;
    r.set_reason(reason);
    pl::Plan out;
    absl::Status s = FromGrpcStatus(stack_->planning().ReviewPlan(Context("physio-anna").get(), r, &out));
    if (!s.ok()) return s;
    return out;
  }

  absl::StatusOr<pl::Plan> Current() {
    pl::GetCurrentPlanRequest r;
    r.set_parent(athlete_.name());
    pl::Plan out;
    absl::Status s = FromGrpcStatus(stack_->planning().GetCurrentPlan(Context().get(), r, &out));
    if (!s.ok()) return s;
    return out;
  }

  TestDatabase* db_ = nullptr;
  std::unique_ptr<InProcessStack> stack_;
  ing::Athlete athlete_;
};

TEST_F(WorkflowTest, RunnerWithoutAClinicGetsTheirPlanDirectly) {
  pl::Plan plan = Generate();
  EXPECT_EQ(plan.state(), pl::PLAN_STATE_ACTIVE);
  EXPECT_TRUE(plan.review_clinic().empty());
  ASSERT_TRUE(Current().ok());
  EXPECT_EQ(Current()->name(), plan.name());
}

TEST_F(WorkflowTest, APlanForAnEarlierWeekDoesNotBecomeCurrent) {
  pl::Plan this_week = Generate();
  pl::GeneratePlanRequest r;
  r.set_parent(athlete_.name());
  r.set_request_id(names::NewUuid());
  *r.mutable_start_date() = timeutil::AddDays(timeutil::DateOfMicros(timeutil::NowMicros()), -60);  // an old import
  pl::Plan old;
  ASSERT_TRUE(stack_->planning().GeneratePlan(Context().get(), r, &old).ok());
  ASSERT_TRUE(Current().ok());
  EXPECT_EQ(Current()->name(), this_week.name());
}

TEST_F(WorkflowTest, DraftIsEditedThenApprovedWithEveryChangeRecorded) {
  ing::CareLink link = Link();
  pl::Plan draft = Generate();
  ASSERT_EQ(draft.state(), pl::PLAN_STATE_DRAFT);
  EXPECT_EQ(draft.review_clinic(), link.clinic());
  EXPECT_EQ(Current().status().code(), absl::StatusCode::kNotFound);  // the runner sees no draft

  std::vector<pl::PlanEdit> edits(2);
  edits[0].set_remove_item(0);
  edits[1].set_add_note("Run on grass this week.");
  absl::StatusOr<pl::Plan> edited = Review(draft.name(), pl::REVIEW_ACTION_EDIT, edits, "softer surface first");
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->state(), pl::PLAN_STATE_DRAFT);
  EXPECT_EQ(edited->items_size(), draft.items_size() - 1);
  EXPECT_EQ(edited->clinician_notes(0), "Run on grass this week.");

  const std::string approve_id = names::NewUuid();
  absl::StatusOr<pl::Plan> approved = Review(draft.name(), pl::REVIEW_ACTION_APPROVE, {}, "", approve_id);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->state(), pl::PLAN_STATE_ACTIVE);
  ASSERT_TRUE(Current().ok());
  EXPECT_EQ(Current()->items_size(), edited->items_size());
  EXPECT_EQ(Current()->clinician_notes(0), "Run on grass this week.");
  // A retry of the approval is fine; a new action on an approved plan is not.
  EXPECT_TRUE(Review(draft.name(), pl::REVIEW_ACTION_APPROVE, {}, "", approve_id).ok());
  absl::StatusOr<pl::Plan> late = Review(draft.name(), pl::REVIEW_ACTION_REJECT, {}, "changed my mind");
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(late.status()), "PLAN_NOT_DRAFT");

  pl::ListPlanReviewsRequest list;
  list.set_plan(draft.name());
  pl::ListPlanReviewsResponse reviews;
  ASSERT_TRUE(stack_->planning().ListPlanReviews(Context().get(), list, &reviews).ok());
  ASSERT_EQ(reviews.reviews_size(), 2);
  EXPECT_EQ(reviews.reviews(0).action(), pl::REVIEW_ACTION_EDIT);
  EXPECT_EQ(reviews.reviews(0).actor(), "physio-anna");
  EXPECT_EQ(reviews.reviews(0).reason(), "softer surface first");
  EXPECT_EQ(reviews.reviews(0).edits_size(), 2);
  EXPECT_TRUE(reviews.reviews(1).has_create_time());
  EXPECT_EQ(reviews.reviews(1).action(), pl::REVIEW_ACTION_APPROVE);
}

TEST_F(WorkflowTest, RejectedDraftNeverBecomesCurrentAndRevokingTheLinkEndsReviews) {
  ing::CareLink link = Link();
  pl::Plan draft = Generate();
  EXPECT_EQ(Review(draft.name(), pl::REVIEW_ACTION_REJECT, {}, "").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<pl::Plan> rejected = Review(draft.name(), pl::REVIEW_ACTION_REJECT, {}, "wait for the MRI");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->state(), pl::PLAN_STATE_REJECTED);
  EXPECT_EQ(Current().status().code(), absl::StatusCode::kNotFound);
  ing::RevokeCareLinkRequest revoke;
  revoke.set_name(link.name());
  ing::CareLink revoked;
  ASSERT_TRUE(stack_->ingestion().RevokeCareLink(Context().get(), revoke, &revoked).ok());
  EXPECT_FALSE(revoked.active());
  EXPECT_TRUE(revoked.has_revoke_time());
  EXPECT_EQ(Generate().state(), pl::PLAN_STATE_ACTIVE);
  ing::ListCareLinksRequest list;
  list.set_parent(athlete_.name());
  ing::ListCareLinksResponse links;
  ASSERT_TRUE(stack_->ingestion().ListCareLinks(Context().get(), list, &links).ok());
  ASSERT_EQ(links.care_links_size(), 1);  // history kept
  EXPECT_FALSE(links.care_links(0).active());
}

TEST_F(WorkflowTest, RedFlagReportStopsRunningAndIsListedFirst) {
  ing::CreatePainReportRequest pain;
  pain.set_parent(athlete_.name());
  pain.set_request_id(names::NewUuid());
  *pain.mutable_pain_report()->mutable_report_date() = timeutil::DateOfMicros(timeutil::NowMicros());
  pain.mutable_pain_report()->set_pain_after(3);
  pain.mutable_pain_report()->set_swelling(true);
  ing::PainReport stored;
  ASSERT_TRUE(stack_->ingestion().CreatePainReport(Context().get(), pain, &stored).ok());
  EXPECT_TRUE(stored.swelling());
  pl::Plan plan = Generate();
  ASSERT_GE(plan.red_flags_size(), 1);
  EXPECT_NE(plan.red_flags(0).find("swelling"), std::string::npos);
  EXPECT_EQ(plan.items(0).key(), "see_clinician");
  for (const auto& item : plan.items()) EXPECT_NE(item.category(), pl::ITEM_CATEGORY_RUN);
}

TEST_F(WorkflowTest, CompletionsFeedAdherence) {
  pl::Plan plan = Generate();
  int run_index = -1;
  for (int i = 0; i < plan.items_size(); ++i) {
    if (plan.items(i).category() == pl::ITEM_CATEGORY_RUN && run_index < 0) run_index = i;
  }
  ASSERT_GE(run_index, 0);
  pl::LogCompletionRequest r;
  r.set_parent(plan.name());
  r.set_request_id(names::NewUuid());
  r.mutable_completion()->set_item_index(run_index);
  *r.mutable_completion()->mutable_done_date() = plan.start_date();
  r.mutable_completion()->set_distance_km(3.2f);
  r.mutable_completion()->set_pain_during(2);
  pl::CompletionLog log, again;
  ASSERT_TRUE(stack_->planning().LogCompletion(Context().get(), r, &log).ok());
  ASSERT_TRUE(stack_->planning().LogCompletion(Context().get(), r, &again).ok());
  EXPECT_EQ(again.name(), log.name());
  pl::GetAdherenceRequest a;
  a.set_plan(plan.name());
  pl::AdherenceSummary summary;
  ASSERT_TRUE(stack_->planning().GetAdherence(Context().get(), a, &summary).ok());
  EXPECT_EQ(summary.done(), 1);
  EXPECT_GT(summary.planned(), 5);
  EXPECT_EQ(summary.max_pain_during(), 2);
  r.set_request_id(names::NewUuid());
  r.mutable_completion()->set_item_index(999);
  r.mutable_completion()->set_pain_during(12);
  absl::Status bad = FromGrpcStatus(stack_->planning().LogCompletion(Context().get(), r, &again));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(bad).size(), 2u);
}

TEST_F(WorkflowTest, ClinicianConstraintsShapeTheNextPlan) {
  pl::SetClinicianConstraintsRequest r;
  r.set_parent(athlete_.name());
  r.mutable_constraints()->set_max_run_km(2.0);
  r.mutable_constraints()->add_excluded_items("squat");
  r.mutable_constraints()->set_note("No squats until the MRI.");
  pl::ClinicianConstraints stored;
  ASSERT_TRUE(stack_->planning().SetClinicianConstraints(Context("physio-anna").get(), r, &stored).ok());
  EXPECT_EQ(stored.updated_by(), "physio-anna");
  pl::Plan plan = Generate();
  bool has_run = false;
  for (const auto& item : plan.items()) {
    EXPECT_NE(item.key(), "squat");
    if (item.category() == pl::ITEM_CATEGORY_RUN) {
      has_run = true;
      EXPECT_LE(item.dose().distance_km_cap(), 2.0f);
    }
  }
  EXPECT_TRUE(has_run);
  pl::GetClinicianConstraintsRequest get;
  get.set_parent(athlete_.name());
  pl::ClinicianConstraints got;
  ASSERT_TRUE(stack_->planning().GetClinicianConstraints(Context().get(), get, &got).ok());
  EXPECT_EQ(got.note(), "No squats until the MRI.");
  r.mutable_constraints()->set_excluded_items(0, "jumping_jacks");
  r.mutable_constraints()->set_cadence_target_spm(300);
  absl::Status bad = FromGrpcStatus(stack_->planning().SetClinicianConstraints(Context().get(), r, &stored));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : FieldViolationsOf(bad)) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"constraints.cadence_target_spm", "constraints.excluded_items[0]"}));
}

}  // namespace
}  // namespace gaitkeeper::testing
