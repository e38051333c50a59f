#include "services/scoring/scoring_policy.h"

namespace gaitkeeper::scoring {

using authz::Access;

const authz::Policy& ScoringPolicy() {
  static const authz::Policy kPolicy = {
      // Internal: ingestion asks for a score when a session is complete.
      {.method = "ScoreSession", .service = Access::kAny},
      // The runner and linked clinicians read scores.
      {.method = "GetSessionScore", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "ListScores", .athlete = Access::kOwn, .clinician = Access::kLinked},
      {.method = "GetRunnerSummary", .athlete = Access::kOwn, .clinician = Access::kLinked},
  };
  return kPolicy;
}

}  // namespace gaitkeeper::scoring
