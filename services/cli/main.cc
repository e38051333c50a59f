// gaitkeeper-cli: plays the companion app end to end. It creates an athlete, uploads a synthetic
// run (with a dropped connection resumed mid-way), reports pain, waits for the score and asks
// for a plan, printing what a runner would see. A command-line tool: it prints to stdout.
//
//   gaitkeeper-cli [demo] [--flags]   (the demo is the only command; see --help)
//
// Every call carries the runner's bearer token: with --signing_keys the CLI picks a new athlete
// id, mints an athlete token for it (playing the identity provider, as in development) and
// creates that athlete; with --token it uses the given token (whose subject is the athlete).
// With --tls_ca the channels use TLS (client_auth.h).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "gaitkeeper/planning/v1/planning.grpc.pb.h"
#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/cli/client_auth.h"
#include "services/cli/report.h"
#include "services/cli/synthetic_session.h"
#include "services/common/flags.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::cli {
namespace {

namespace ing = ingestion::v1;

class Companion {
 public:
  // `credentials` are the runner's: every call carries them.
  Companion(std::shared_ptr<grpc::Channel> ingestion, std::shared_ptr<grpc::Channel> scoring,
            std::shared_ptr<grpc::Channel> planning, std::shared_ptr<CallerCredentials> credentials)
      : ingestion_(ing::IngestionService::NewStub(std::move(ingestion))),
        scoring_(scoring::v1::ScoringService::NewStub(std::move(scoring))),
        planning_(planning::v1::PlanningService::NewStub(std::move(planning))),
        credentials_(std::move(credentials)) {}

  absl::StatusOr<ing::Athlete> CreateAthlete(float height_cm) {
    ing::CreateAthleteRequest request;
    request.set_request_id(names::NewUuid());
    request.mutable_athlete()->set_display_name("Demo runner");
    request.mutable_athlete()->set_height_cm(height_cm);
    request.mutable_athlete()->set_painful_side(common::v1::SIDE_RIGHT);
    ing::Athlete athlete;
    return Call([&](grpc::ClientContext* c) { return ingestion_->CreateAthlete(c, request, &athlete); }, athlete);
  }

  absl::StatusOr<ing::Athlete> GetAthlete(const std::string& name) {
    ing::GetAthleteRequest request;
    request.set_name(name);
    ing::Athlete athlete;
    return Call([&](grpc::ClientContext* c) { return ingestion_->GetAthlete(c, request, &athlete); }, athlete);
  }

  absl::StatusOr<ing::Session> CreateSession(const std::string& athlete, int64_t start_us) {
    ing::CreateSessionRequest request;
    request.set_parent(athlete);
    request.set_request_id(names::NewUuid());
    *request.mutable_session()->mutable_start_time() = timeutil::FromMicros(start_us);
    request.mutable_session()->set_source(ing::DATA_SOURCE_COMPANION_APP);
    request.mutable_session()->set_surface(ing::SURFACE_ROAD);
    ing::Session session;
    return Call([&](grpc::ClientContext* c) { return ingestion_->CreateSession(c, request, &session); }, session);
  }

  // Uploads `samples` in batches of `batch_size`, starting after the last committed batch. With
  // `drop_after` > 0 the stream is cut after that many batches (as a phone losing signal).
  absl::StatusOr<ing::UploadSamplesResponse> Upload(const std::string& session,
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
        // Give the server a moment to commit what it has, then lose the connection.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
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

  absl::StatusOr<ing::Session> Complete(const std::string& session) {
    ing::CompleteSessionRequest request;
    request.set_name(session);
    ing::Session out;
    return Call([&](grpc::ClientContext* c) { return ingestion_->CompleteSession(c, request, &out); }, out);
  }

  absl::StatusOr<ing::PainReport> ReportPain(const std::string& athlete, const std::string& session,
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

  // Polls until scoring has stored the session's score (the outbox delivers it asynchronously).
  absl::StatusOr<scoring::v1::GaitScore> WaitForScore(const std::string& session, int timeout_s) {
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

  // Waits for the plan planning prepares from `score` (asynchronously, through scoring's outbox)
  // and logs its items of the first `days` days as done (the runner's week).
  absl::StatusOr<int> LogFirstDays(const std::string& athlete, const std::string& score, int days, int timeout_s) {
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

  absl::StatusOr<planning::v1::Plan> GeneratePlan(const std::string& athlete, const common::v1::Date& start) {
    planning::v1::GeneratePlanRequest request;
    request.set_parent(athlete);
    request.set_request_id(names::NewUuid());
    *request.mutable_start_date() = start;
    planning::v1::Plan plan;
    return Call([&](grpc::ClientContext* c) { return planning_->GeneratePlan(c, request, &plan); }, plan);
  }

 private:
  template <typename Rpc, typename Response>
  absl::StatusOr<Response> Call(Rpc rpc, Response& response) {
    grpc::ClientContext context;
    if (absl::Status attached = credentials_->Attach(context); !attached.ok()) return attached;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    absl::Status status = FromGrpcStatus(rpc(&context));
    if (!status.ok()) return status;
    return response;
  }

  std::unique_ptr<ing::IngestionService::Stub> ingestion_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_;
  std::unique_ptr<planning::v1::PlanningService::Stub> planning_;
  std::shared_ptr<CallerCredentials> credentials_;
};

int Fail(absl::string_view step, const absl::Status& status) {
  std::fprintf(stderr, "gaitkeeper-cli: %.*s failed: %s\n", static_cast<int>(step.size()), step.data(),
               status.ToString().c_str());
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    std::fprintf(stderr, "  field %s: %s\n", v.field.c_str(), v.description.c_str());
  }
  return 1;
}

int RunDemo(const Flags& flags) {
  absl::StatusOr<ClientAuth> client_auth = ClientAuth::FromFlags(flags);
  if (!client_auth.ok()) return Fail("reading the authentication flags", client_auth.status());
  // The runner signs up: the app picks the athlete id, and the identity provider (here: the CLI
  // itself, with --signing_keys) issues an athlete token whose subject is that id.
  std::shared_ptr<CallerCredentials> runner = client_auth->CredentialsFor(names::NewUuid(), auth::kRoleAthlete);
  std::shared_ptr<grpc::Channel> channels[3];
  const char* const services[3] = {"ingestion", "scoring", "planning"};
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client_auth->Channel(flags.GetString(services[i]));
    if (!channel.ok()) return Fail(absl::StrCat("connecting to ", services[i]), channel.status());
    channels[i] = std::move(*channel);
  }
  Companion app(channels[0], channels[1], channels[2], runner);
  absl::StatusOr<ing::Athlete> athlete = app.CreateAthlete(static_cast<float>(flags.GetInt("height_cm")));
  if (!athlete.ok() && athlete.status().code() == absl::StatusCode::kAlreadyExists && client_auth->has_fixed_token() &&
      !runner->subject().empty()) {
    // A reused --token: its athlete signed up in an earlier run.
    athlete = app.GetAthlete(names::Athlete(runner->subject()));
  }
  if (!athlete.ok()) return Fail("CreateAthlete", athlete.status());
  std::cout << "Athlete " << athlete->name() << " (height " << athlete->height_cm() << " cm)\n";
  if (client_auth->mints() || client_auth->has_fixed_token()) {
    std::cout << "Calls authenticated as this athlete with " << client_auth->Describe() << "\n";
  } else {
    std::cout << "Calls made with " << client_auth->Describe() << " (services in development mode)\n";
  }

  const int64_t now_us = timeutil::NowMicros();
  const int64_t day_us = 86400LL * 1000000;
  // Three earlier easy runs over the last three weeks give the spike guard and the baselines their
  // history; today's run is the one scored.
  struct Run {
    std::string label;
    int64_t start_us;
    synthetic::RunProfile profile;
  };
  std::vector<Run> runs;
  const int history_minutes[] = {35, 40, 30};
  for (int i = 0; i < 3; ++i) {
    synthetic::RunProfile history;
    history.duration_s = history_minutes[i] * 60;
    history.seed = static_cast<uint64_t>(flags.GetInt("seed")) + 1 + i;
    runs.push_back({absl::StrCat(18 - 6 * i, " days ago"), now_us - (18 - 6 * i) * day_us, history});
  }
  synthetic::RunProfile today;
  today.duration_s = static_cast<int>(flags.GetInt("minutes")) * 60;
  today.cadence_spm = static_cast<double>(flags.GetInt("cadence"));
  today.speed_mps = flags.GetInt("speed_kmh_x10") / 36.0;
  today.walk_every_s = 10 * 60;
  today.seed = static_cast<uint64_t>(flags.GetInt("seed"));
  runs.push_back({"today", now_us - 3600LL * 1000000, today});

  std::string latest_session;
  for (const Run& run : runs) {
    const std::vector<ing::DynamicsSample> samples = synthetic::GenerateRun(run.profile);
    absl::StatusOr<ing::Session> session = app.CreateSession(athlete->name(), run.start_us);
    if (!session.ok()) return Fail("CreateSession", session.status());
    // Today's upload loses its connection after 10 batches and resumes from the last committed one.
    const bool drop = &run == &runs.back();
    if (drop) {
      absl::StatusOr<ing::UploadSamplesResponse> cut = app.Upload(session->name(), samples, 60, 10);
      std::cout << "Upload of " << run.label << "'s run: connection dropped after 10 batches ("
                << cut.status().message() << "); resuming\n";
    }
    absl::StatusOr<ing::UploadSamplesResponse> uploaded = app.Upload(session->name(), samples, 60, 0);
    if (!uploaded.ok()) return Fail("UploadSamples", uploaded.status());
    absl::PrintF("Uploaded %s's run %s: %d samples stored, last batch %d (%d batches committed by this stream, %d resent and ignored)\n",
                 run.label, session->name(), uploaded->sample_count(), uploaded->last_committed_sequence(),
                 uploaded->batches_committed(), uploaded->batches_ignored());
    absl::StatusOr<ing::Session> completed = app.Complete(session->name());
    if (!completed.ok()) return Fail("CompleteSession", completed.status());
    // Wait for each score so the next one sees it in its history (scoring is asynchronous).
    absl::StatusOr<scoring::v1::GaitScore> scored = app.WaitForScore(session->name(), static_cast<int>(flags.GetInt("wait_s")));
    if (!scored.ok()) return Fail("GetSessionScore", scored.status());
    latest_session = session->name();
    if (&run != &runs.back()) {
      // Planning prepares a plan from every new score; the runner does most of that week's items.
      absl::StatusOr<int> logged =
          app.LogFirstDays(athlete->name(), scored->name(), 5, static_cast<int>(flags.GetInt("wait_s")));
      if (logged.ok()) absl::PrintF("  (did %d items of the plan that followed)\n", *logged);
    }
  }

  const common::v1::Date run_date = timeutil::DateOfMicros(runs.back().start_us);
  absl::StatusOr<ing::PainReport> pain = app.ReportPain(
      athlete->name(), latest_session, run_date, static_cast<int>(flags.GetInt("pain_after")),
      static_cast<int>(flags.GetInt("pain_next_morning")));
  if (!pain.ok()) return Fail("CreatePainReport", pain.status());
  absl::PrintF("Pain reported for %s: after the run %d/10, next morning %d/10\n\n", timeutil::ToIsoDate(run_date),
               pain->pain_after(), pain->pain_next_morning());

  absl::StatusOr<scoring::v1::GaitScore> score = app.WaitForScore(latest_session, static_cast<int>(flags.GetInt("wait_s")));
  if (!score.ok()) return Fail("GetSessionScore", score.status());
  std::cout << FormatScore(*score) << "\n";

  absl::StatusOr<planning::v1::Plan> plan = app.GeneratePlan(athlete->name(), timeutil::AddDays(run_date, 1));
  if (!plan.ok()) return Fail("GeneratePlan", plan.status());
  std::cout << FormatPlan(*plan);
  return 0;
}

}  // namespace
}  // namespace gaitkeeper::cli

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  Flags flags("gaitkeeper-cli");
  flags.AddString("ingestion", "GK_INGESTION_ADDRESS", "127.0.0.1:50051", "ingestion service host:port");
  flags.AddString("scoring", "GK_SCORING_ADDRESS", "127.0.0.1:50052", "scoring service host:port");
  flags.AddString("planning", "GK_PLANNING_ADDRESS", "127.0.0.1:50053", "planning service host:port");
  flags.AddInt("minutes", "GK_CLI_MINUTES", 30, 1, 300, "length of today's synthetic run");
  flags.AddInt("cadence", "GK_CLI_CADENCE", 162, 120, 220, "starting cadence of the synthetic run (steps/min)");
  flags.AddInt("speed_kmh_x10", "GK_CLI_SPEED_KMH_X10", 100, 50, 250, "speed in tenths of km/h (100 = 10 km/h)");
  flags.AddInt("height_cm", "GK_CLI_HEIGHT_CM", 175, 100, 250, "the demo runner's height");
  flags.AddInt("pain_after", "GK_CLI_PAIN_AFTER", 3, 0, 10, "pain after today's run (0-10)");
  flags.AddInt("pain_next_morning", "GK_CLI_PAIN_NEXT_MORNING", 2, 0, 10, "pain the next morning (0-10)");
  flags.AddInt("seed", "GK_CLI_SEED", 7, 0, 1000000, "random seed of the synthetic run");
  flags.AddInt("wait_s", "GK_CLI_WAIT_S", 60, 1, 600, "how long to wait for the score");
  cli::AddClientAuthFlags(flags);
  // The demo is the only command: "gaitkeeper-cli demo --flags" and "gaitkeeper-cli --flags" are
  // the same.
  if (argc > 1 && std::string(argv[1]) == "demo") {
    --argc;
    ++argv;
  }
  absl::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "gaitkeeper-cli: %s\n", std::string(parsed.message()).c_str());
    return 2;
  }
  return cli::RunDemo(flags);
}
