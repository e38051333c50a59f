#include "services/scoring/scoring_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/logging.h"
#include "services/common/list_request.h"
#include "services/common/rpc.h"
#include "services/common/time_util.h"
#include "services/scoring/gait_scorer.h"
#include "services/scoring/imu_summary.h"
#include "services/scoring/knee_load_adapter.h"

namespace gaitkeeper::scoring {
namespace {

std::optional<double> MedianOf(const v1::GaitScore& score, v1::Metric metric) {
  for (const v1::MetricSummary& m : score.metrics()) {
    if (m.metric() == metric && m.sample_count() > 0) return m.median();
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<v1::GaitScore> ScoringService::ScoreAndStore(const names::SessionRef& ref) {
  // Idempotent: a session scored with this algorithm version is not scored again.
  absl::StatusOr<std::optional<v1::GaitScore>> existing = repository_.GetScore(ref, kAlgorithmVersion);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return std::move(**existing);

  absl::StatusOr<SessionForScoring> session = repository_.LoadSession(ref);
  if (!session.ok()) return session.status();
  if (!session->completed) {
    return WithReason(absl::FailedPreconditionError("the session is not completed yet"), "SESSION_NOT_COMPLETED");
  }
  AthleteContext athlete;
  if (session->height_cm.has_value()) athlete.height_cm = *session->height_cm;
  if (session->leg_length_cm.has_value()) athlete.leg_length_cm = *session->leg_length_cm;
  v1::GaitScore score = ScoreDynamics(session->series, athlete);
  AddImuMetrics(session->imu, &score);
  for (const std::string& note : session->imu_notes) {
    v1::ImuSensorMetrics* skipped = score.add_imu();
    skipped->set_note(note);
  }
  score.set_name(names::Score(ref.athlete_id, ref.session_id));
  score.set_session(names::Session(ref.athlete_id, ref.session_id));
  *score.mutable_session_start_time() = timeutil::FromMicros(session->start_us);

  // The knee-load score: this session's figures against the runner's own history.
  absl::StatusOr<knee_load::History> history = repository_.LoadHistory(ref, session->start_us, kAlgorithmVersion);
  if (!history.ok()) return history.status();
  knee_load::AthleteProfile profile;
  if (session->height_cm.has_value()) profile.height_cm = *session->height_cm;
  if (session->leg_length_cm.has_value()) profile.leg_length_cm = *session->leg_length_cm;
  const std::optional<double> distance =
      session->distance_m.has_value() ? std::optional<double>(*session->distance_m) : DistanceFromSamples(session->series);
  const std::optional<double> duration =
      session->duration_s.has_value() ? std::optional<double>(*session->duration_s) : DurationFromSamples(session->series);
  const knee_load::SessionFigures this_session = FiguresFromScore(
      score, session->start_us / 1000000, distance, duration, knee_load::DataSource::kUnknown);
  *score.mutable_knee_load() = ToProto(knee_load::Score(this_session, profile, *history));

  ScoreFigures figures;
  figures.cadence_spm = MedianOf(score, v1::METRIC_CADENCE);
  figures.step_length_m = MedianOf(score, v1::METRIC_STEP_LENGTH);
  figures.speed_mps = MedianOf(score, v1::METRIC_SPEED);
  // The device's summary wins; the samples fill in what it lacks.
  figures.distance_m = distance.value_or(0);
  figures.duration_s = duration.value_or(0);
  absl::StatusOr<v1::GaitScore> stored = repository_.StoreScore(ref, session->start_us, score, figures);
  if (stored.ok()) {
    log::Info("session_scored", {{"session", ref.session_id},
                                 {"sample_count", static_cast<int64_t>(session->series.size())},
                                 {"algorithm_version", kAlgorithmVersion}});
  }
  return stored;
}

grpc::Status ScoringService::ScoreSession(grpc::ServerContext* context, const v1::ScoreSessionRequest* request,
                                          v1::GaitScore* response) {
  return RunRpc(gate_, *context, "ScoreSession", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->session())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::GaitScore> score = ScoreAndStore(*ref);
    if (!score.ok()) return score.status();
    *response = std::move(*score);
    return absl::OkStatus();
  });
}

grpc::Status ScoringService::GetSessionScore(grpc::ServerContext* context,
                                             const v1::GetSessionScoreRequest* request,
                                             v1::GaitScore* response) {
  return RunRpc(gate_, *context, "GetSessionScore", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->session())); !allowed.ok()) return allowed;
    absl::StatusOr<std::optional<v1::GaitScore>> score = repository_.GetScore(*ref, kAlgorithmVersion);
    if (!score.ok()) return score.status();
    if (!score->has_value()) {
      return WithReason(absl::NotFoundError(absl::StrCat(request->session(), " has no score yet")), "NOT_SCORED_YET");
    }
    *response = std::move(**score);
    return absl::OkStatus();
  });
}

grpc::Status ScoringService::GetRunnerSummary(grpc::ServerContext* context, const v1::GetRunnerSummaryRequest* request,
                                              v1::RunnerSummary* response) {
  return RunRpc(gate_, *context, "GetRunnerSummary", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<std::vector<v1::GaitScore>> scores = repository_.RecentScores(*athlete, kAlgorithmVersion);
    if (!scores.ok()) return scores.status();
    if (scores->empty()) {
      return WithReason(absl::NotFoundError(absl::StrCat(request->parent(), " has no scored session yet")), "NOT_SCORED_YET");
    }
    response->set_latest_score(scores->front().name());
    *response->mutable_latest_knee_load() = scores->front().knee_load();
    for (const v1::GaitScore& s : *scores) {
      v1::TrendPoint* point = response->add_trend();
      point->set_score(s.name());
      *point->mutable_session_start_time() = s.session_start_time();
      if (s.knee_load().has_total()) point->set_knee_load_total(s.knee_load().total());
      for (const auto& m : s.metrics()) {
        if (m.metric() == v1::METRIC_CADENCE) point->set_cadence_spm(m.median());
      }
      if (s.knee_load().running_load().has_distance_m()) point->set_distance_m(s.knee_load().running_load().distance_m());
    }
    return absl::OkStatus();
  });
}

grpc::Status ScoringService::ListScores(grpc::ServerContext* context, const v1::ListScoresRequest* request,
                                        v1::ListScoresResponse* response) {
  return RunRpc(gate_, *context, "ListScores", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::AthleteList> list = pagination::ParseAthleteList(request->parent(), request->page_size(), request->page_token(), "scores", absl::StrCat(kAlgorithmVersion));
    if (!list.ok()) return list.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(list->athlete_id, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<ScoringRepository::ScorePage> page =
        repository_.ListScores(list->athlete_id, kAlgorithmVersion, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::GaitScore& s : page->scores) *response->add_scores() = std::move(s);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::scoring
