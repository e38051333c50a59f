#include "services/scoring/scoring_service.h"

#include "absl/strings/str_cat.h"
#include "services/common/logging.h"
#include "services/common/rpc.h"
#include "services/common/time_util.h"
#include "services/scoring/gait_scorer.h"
#include "services/scoring/imu_summary.h"

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

  ScoreFigures figures;
  figures.cadence_spm = MedianOf(score, v1::METRIC_CADENCE);
  figures.step_length_m = MedianOf(score, v1::METRIC_STEP_LENGTH);
  figures.speed_mps = MedianOf(score, v1::METRIC_SPEED);
  // The device's summary wins; the samples fill in what it lacks.
  figures.distance_m = session->distance_m.has_value() ? *session->distance_m : DistanceFromSamples(session->series);
  figures.duration_s = session->duration_s.has_value() ? *session->duration_s : DurationFromSamples(session->series);
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
  return RunRpc(resolver_, *context, "ScoreSession", [&](const Caller&) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    absl::StatusOr<v1::GaitScore> score = ScoreAndStore(*ref);
    if (!score.ok()) return score.status();
    *response = std::move(*score);
    return absl::OkStatus();
  });
}

grpc::Status ScoringService::GetSessionScore(grpc::ServerContext* context,
                                             const v1::GetSessionScoreRequest* request,
                                             v1::GaitScore* response) {
  return RunRpc(resolver_, *context, "GetSessionScore", [&](const Caller&) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    absl::StatusOr<std::optional<v1::GaitScore>> score = repository_.GetScore(*ref, kAlgorithmVersion);
    if (!score.ok()) return score.status();
    if (!score->has_value()) {
      return WithReason(absl::NotFoundError(absl::StrCat(request->session(), " has no score yet")), "NOT_SCORED_YET");
    }
    *response = std::move(**score);
    return absl::OkStatus();
  });
}

grpc::Status ScoringService::ListScores(grpc::ServerContext* context, const v1::ListScoresRequest* request,
                                        v1::ListScoresResponse* response) {
  return RunRpc(resolver_, *context, "ListScores", [&](const Caller&) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    absl::StatusOr<int> page_size = pagination::EffectivePageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    const std::string scope = absl::StrCat("scores:", *athlete, ":", kAlgorithmVersion);
    std::optional<pagination::Cursor> after;
    if (!request->page_token().empty()) {
      absl::StatusOr<pagination::Cursor> cursor = pagination::Decode(request->page_token(), scope);
      if (!cursor.ok()) return cursor.status();
      after = *cursor;
    }
    absl::StatusOr<ScoringRepository::ScorePage> page =
        repository_.ListScores(*athlete, kAlgorithmVersion, after, *page_size);
    if (!page.ok()) return page.status();
    for (v1::GaitScore& s : page->scores) *response->add_scores() = std::move(s);
    if (page->next.has_value()) response->set_next_page_token(pagination::Encode(scope, *page->next));
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::scoring
