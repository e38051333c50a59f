#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"
#include "services/common/db_pool.h"
#include "services/common/pagination.h"
#include "services/common/resource_names.h"

namespace gaitkeeper::ingestion {

// The outbox topic that asks the scoring service to score a completed session; its payload is a
// serialized gaitkeeper.scoring.v1.ScoreSessionRequest.
inline constexpr char kScoreSessionTopic[] = "scoring.score_session";

// Ingestion's side of the database. Every method is one transaction; errors come back as
// statuses (NotFound, AlreadyExists, FailedPrecondition, Unavailable, ...), never exceptions.
class IngestionRepository {
 public:
  explicit IngestionRepository(db::Pool& pool) : pool_(pool) {}

  // Idempotent on request_id: the same payload returns the stored athlete; another payload
  // under the same request_id is AlreadyExists (reason REQUEST_ID_REUSED).
  absl::StatusOr<v1::Athlete> CreateAthlete(const std::string& request_id, const v1::Athlete& athlete);
  absl::StatusOr<v1::Athlete> GetAthlete(const std::string& athlete_id);

  // As CreateAthlete; NotFound when the athlete does not exist.
  absl::StatusOr<v1::Session> CreateSession(const std::string& athlete_id,
                                            const std::string& request_id,
                                            const v1::Session& session);
  absl::StatusOr<v1::Session> GetSession(const names::SessionRef& ref);

  struct SessionPage {
    std::vector<v1::Session> sessions;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<SessionPage> ListSessions(const std::string& athlete_id,
                                           std::optional<int64_t> start_from_us,
                                           std::optional<int64_t> start_to_us,
                                           const std::optional<pagination::Cursor>& after,
                                           int page_size);

  struct BatchResult {
    bool committed = false;  // false: a resend of an already committed batch, ignored
    int64_t last_sequence = 0;
    int64_t sample_count = 0;
  };
  // Stores one validated batch as a chunk, atomically with the session's upload state.
  // FailedPrecondition (reason SEQUENCE_GAP) when `sequence` is not last+1,
  // (reason SESSION_COMPLETED) when the session no longer accepts samples; InvalidArgument when
  // the first offset does not follow the previous batch's last.
  absl::StatusOr<BatchResult> AppendBatch(const names::SessionRef& ref, int64_t sequence,
                                          const v1::UploadSamplesRequest& batch);
  absl::StatusOr<v1::UploadState> GetUploadState(const names::SessionRef& ref);

  // OPEN -> COMPLETED plus a scoring outbox message, in one transaction. Completing a completed
  // session returns it unchanged (idempotent) and queues nothing. Sets *queued accordingly.
  absl::StatusOr<v1::Session> CompleteSession(const names::SessionRef& ref, bool* queued);

  absl::StatusOr<v1::PainReport> CreatePainReport(const std::string& athlete_id,
                                                  const std::string& request_id,
                                                  const v1::PainReport& report);
  struct PainPage {
    std::vector<v1::PainReport> reports;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<PainPage> ListPainReports(const std::string& athlete_id,
                                           const std::optional<pagination::Cursor>& after,
                                           int page_size);

 private:
  db::Pool& pool_;
};

}  // namespace gaitkeeper::ingestion
