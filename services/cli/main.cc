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
#include "services/cli/companion.h"
#include "services/cli/report.h"
#include "services/cli/synthetic_session.h"
#include "services/common/flags.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::cli {
namespace {

namespace ing = ingestion::v1;

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
