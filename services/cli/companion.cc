#include "services/cli/companion.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "services/common/resource_names.h"
#include "services/common/time_util.h"

namespace gaitkeeper::cli {

namespace ing = ingestion::v1;

Companion::Companion(std::shared_ptr<grpc::Channel> ingestion, std::shared_ptr<grpc::Channel> scoring,
          std::shared_ptr<grpc::Channel> planning, std::shared_ptr<CallerCredentials> credentials)
    : ingestion_(ing::IngestionService::NewStub(std::move(ingestion))),
      scoring_(scoring::v1::ScoringService::NewStub(std::move(scoring))),
      planning_(planning::v1::PlanningService::NewStub(std::move(planning))),
      credentials_(std::move(credentials)) {}

absl::StatusOr<ing::Athlete> Companion::CreateAthlete(float height_cm) {
  ing::CreateAthleteRequest request;
  request.set_request_id(names::NewUuid());
  request.mutable_athlete()->set_display_name("Demo runner");
  request.mutable_athlete()->set_height_cm(height_cm);
  request.mutable_athlete()->set_painful_side(common::v1::SIDE_RIGHT);
  ing::Athlete athlete;
  return Call([&](grpc::ClientContext* c) { return ingestion_->CreateAthlete(c, request, &athlete); }, athlete);
}

absl::StatusOr<ing::Athlete> Companion::GetAthlete(const std::string& name) {
  ing::GetAthleteRequest request;
  request.set_name(name);
  ing::Athlete athlete;
  return Call([&](grpc::ClientContext* c) { return ingestion_->GetAthlete(c, request, &athlete); }, athlete);
}

absl::StatusOr<ing::Session> Companion::CreateSession(const std::string& athlete, int64_t start_us) {
  ing::CreateSessionRequest request;
  request.set_parent(athlete);
  request.set_request_id(names::NewUuid());
  *request.mutable_session()->mutable_start_time() = timeutil::FromMicros(start_us);
  request.mutable_session()->set_source(ing::DATA_SOURCE_COMPANION_APP);
  request.mutable_session()->set_surface(ing::SURFACE_ROAD);
  ing::Session session;
  return Call([&](grpc::ClientContext* c) { return ingestion_->CreateSession(c, request, &session); }, session);
}

absl::StatusOr<ing::UploadSamplesResponse> Companion::Upload(const std::string& session,
                                                             const std::vector<ing::DynamicsSample>& samples,
                                                             int batch_size, int drop_after) {
  ing::GetUploadStateRequest state_request;
  state_request.set_session(session);
  ing::UploadState state;
  absl::StatusOr<ing::UploadState> got =
      Call([&](grpc::ClientContext* c) { return ingestion_->GetUploadState(c, state_request, &state); }, state);
  if (!got.ok()) return got.status();
  // Resend the last committed batch on purpose: the server must ignore it.
  int64_t sequence = std::max<int64_t>(1, state.last_committed_sequence());
  grpc::ClientContext context;
  if (absl::Status attached = credentials_->Attach(context); !attached.ok()) return attached;
  ing::UploadSamplesResponse response;
  std::unique_ptr<grpc::ClientWriter<ing::UploadSamplesRequest>> writer = ingestion_->UploadSamples(&context, &response);
  int sent = 0;
  for (size_t start = (sequence - 1) * batch_size; start < samples.size(); start += batch_size, ++sequence) {
    ing::UploadSamplesRequest batch;
    batch.set_session(session);
    batch.set_sequence(sequence);
    for (size_t i = start; i < std::min(samples.size(), start + batch_size); ++i) *batch.add_samples() = samples[i];
    if (!writer->Write(batch)) break;
    if (drop_after > 0 && ++sent >= drop_after) {
      // Lose the connection once the server has committed what was sent (waiting on its state,
      // not a fixed sleep, so that a slow machine still shows a resend on resume).
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (std::chrono::steady_clock::now() < deadline) {
        ing::UploadState now;
        absl::StatusOr<ing::UploadState> polled =
            Call([&](grpc::ClientContext* c) { return ingestion_->GetUploadState(c, state_request, &now); }, now);
        if (!polled.ok() || polled->last_committed_sequence() >= sequence) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      context.TryCancel();
      writer->Finish();
      return absl::CancelledError("connection dropped (simulated)");
    }
  }
  writer->WritesDone();
  absl::Status status = FromGrpcStatus(writer->Finish());
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<ing::Session> Companion::Complete(const std::string& session) {
  ing::CompleteSessionRequest request;
  request.set_name(session);
  ing::Session out;
  return Call([&](grpc::ClientContext* c) { return ingestion_->CompleteSession(c, request, &out); }, out);
}

absl::StatusOr<ing::PainReport> Companion::ReportPain(const std::string& athlete, const std::string& session,
                                                      const common::v1::Date& date, int after, int next_morning) {
  ing::CreatePainReportRequest request;
  request.set_parent(athlete);
  request.set_request_id(names::NewUuid());
  ing::PainReport* r = request.mutable_pain_report();
  r->set_session(session);
  *r->mutable_report_date() = date;
  r->set_pain_after(after);
  r->set_pain_next_morning(next_morning);
  r->set_location(common::v1::PAIN_LOCATION_FRONT);
  r->set_side(common::v1::SIDE_RIGHT);
  ing::PainReport out;
  return Call([&](grpc::ClientContext* c) { return ingestion_->CreatePainReport(c, request, &out); }, out);
}

absl::StatusOr<scoring::v1::GaitScore> Companion::WaitForScore(const std::string& session, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    scoring::v1::GetSessionScoreRequest request;
    request.set_session(session);
    scoring::v1::GaitScore score;
    absl::StatusOr<scoring::v1::GaitScore> got =
        Call([&](grpc::ClientContext* c) { return scoring_->GetSessionScore(c, request, &score); }, score);
    if (got.ok() || (got.status().code() != absl::StatusCode::kNotFound &&
                     got.status().code() != absl::StatusCode::kUnavailable)) {
      return got;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("no score after ", timeout_s, " s: ", got.status().message()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

absl::StatusOr<int> Companion::LogFirstDays(const std::string& athlete, const std::string& score, int days, int timeout_s) {
  planning::v1::GetCurrentPlanRequest request;
  request.set_parent(athlete);
  planning::v1::Plan plan;
  absl::StatusOr<planning::v1::Plan> current = absl::NotFoundError("no plan yet");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    current = Call([&](grpc::ClientContext* c) { return planning_->GetCurrentPlan(c, request, &plan); }, plan);
    if (current.ok() && current->inputs().score() == score) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (!current.ok()) return current.status();
  if (current->inputs().score() != score) return absl::DeadlineExceededError("the plan for this score did not arrive");
  int logged = 0;
  for (int i = 0; i < current->items_size(); ++i) {
    const planning::v1::PlanItem& item = current->items(i);
    if (item.day() >= days || item.category() == planning::v1::ITEM_CATEGORY_EDUCATION) continue;
    planning::v1::LogCompletionRequest log;
    log.set_parent(current->name());
    log.set_request_id(names::NewUuid());
    log.mutable_completion()->set_item_index(i);
    *log.mutable_completion()->mutable_done_date() = timeutil::AddDays(current->start_date(), item.day());
    log.mutable_completion()->set_sets_done(item.dose().sets());
    log.mutable_completion()->set_reps_done(item.dose().reps());
    log.mutable_completion()->set_pain_during(2);
    planning::v1::CompletionLog out;
    absl::StatusOr<planning::v1::CompletionLog> done =
        Call([&](grpc::ClientContext* c) { return planning_->LogCompletion(c, log, &out); }, out);
    if (!done.ok()) return done.status();
    ++logged;
  }
  return logged;
}

absl::StatusOr<planning::v1::Plan> Companion::GeneratePlan(const std::string& athlete, const common::v1::Date& start) {
  planning::v1::GeneratePlanRequest request;
  request.set_parent(athlete);
  request.set_request_id(names::NewUuid());
  *request.mutable_start_date() = start;
  planning::v1::Plan plan;
  return Call([&](grpc::ClientContext* c) { return planning_->GeneratePlan(c, request, &plan); }, plan);
}

}  // namespace gaitkeeper::cli
