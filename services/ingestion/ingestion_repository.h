#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"
#include "services/common/db_pool.h"
#include "services/common/dynamics_series.h"
#include "services/common/pagination.h"
#include "services/common/resource_names.h"
#include "services/ingestion/activity_import.h"

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
  absl::StatusOr<v1::Athlete> CreateAthlete(const std::string& athlete_id, const std::string& request_id, const v1::Athlete& athlete);
  absl::StatusOr<v1::Athlete> GetAthlete(const std::string& athlete_id);
  // Reads the athlete under a row lock, lets `merge` compute and check the new profile, stores it.
  // `merge` returns the athlete to store or a status (e.g. InvalidArgument) that aborts the update.
  absl::StatusOr<v1::Athlete> UpdateAthlete(
      const std::string& athlete_id, const std::function<absl::StatusOr<v1::Athlete>(const v1::Athlete&)>& merge);

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
  // `placement` UNSPECIFIED = the dynamics stream, else that IMU sensor's stream.
  absl::StatusOr<v1::UploadState> GetUploadState(const names::SessionRef& ref, v1::SensorPlacement placement);

  struct ImuBatchResult {
    bool committed = false;
    int64_t last_sequence = 0;
    int64_t sample_count = 0;
    int64_t clipped_count = 0;
  };
  // As AppendBatch, for one IMU sensor stream. The first batch creates the stream from its
  // definition; later batches must carry the same definition (FailedPrecondition
  // STREAM_MISMATCH) and must not start before the previous batch ended.
  absl::StatusOr<ImuBatchResult> AppendImuBatch(const names::SessionRef& ref, const v1::UploadImuSamplesRequest& batch,
                                                int64_t clipped);

  // The session's per-second samples (and extra columns) in upload order.
  absl::StatusOr<DynamicsSeries> LoadSeries(const names::SessionRef& ref);

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

  // Idempotent as CreateAthlete. `response` already carries its server-computed scores.
  absl::StatusOr<v1::QuestionnaireResponse> CreateQuestionnaireResponse(const std::string& athlete_id,
                                                                        const std::string& request_id,
                                                                        const v1::QuestionnaireResponse& response);
  struct QuestionnairePage {
    std::vector<v1::QuestionnaireResponse> responses;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<QuestionnairePage> ListQuestionnaireResponses(const std::string& athlete_id, v1::Instrument instrument,
                                                               const std::optional<pagination::Cursor>& after,
                                                               int page_size);

  absl::StatusOr<v1::Clinic> CreateClinic(const std::string& request_id, const v1::Clinic& clinic);
  // AlreadyExists when the athlete already has an active link to the clinic.
  absl::StatusOr<v1::CareLink> CreateCareLink(const std::string& athlete_id, const std::string& clinic_id,
                                              const std::string& request_id);
  // Idempotent: revoking a revoked link returns it unchanged.
  absl::StatusOr<v1::CareLink> RevokeCareLink(const std::string& athlete_id, const std::string& link_id);
  struct CareLinkPage {
    std::vector<v1::CareLink> links;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<CareLinkPage> ListCareLinks(const std::string& athlete_id, const std::optional<pagination::Cursor>& after,
                                             int page_size);

  // A clinic's care links (active and revoked), newest first.
  absl::StatusOr<CareLinkPage> ListClinicCareLinks(const std::string& clinic_id,
                                                   const std::optional<pagination::Cursor>& after, int page_size);

  // Clinicians of a clinic (docs/SECURITY.md).
  absl::StatusOr<v1::Clinician> CreateClinician(const std::string& clinic_id, const std::string& request_id,
                                                const v1::Clinician& clinician);
  struct ClinicianPage {
    std::vector<v1::Clinician> clinicians;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<ClinicianPage> ListClinicians(const std::string& clinic_id,
                                               const std::optional<pagination::Cursor>& after, int page_size);
  absl::StatusOr<v1::Clinician> DisableClinician(const std::string& clinic_id, const std::string& clinician_id);

  // The audit trail of one athlete, or of one clinic's clinicians (exactly one id is non-empty).
  struct AuditPage {
    std::vector<v1::AuditEvent> events;
    std::optional<pagination::Cursor> next;
  };
  absl::StatusOr<AuditPage> ListAuditEvents(const std::string& athlete_id, const std::string& clinic_id,
                                            const std::optional<pagination::Cursor>& after, int page_size);

  struct ImportResult {
    v1::Session session;
    bool duplicate = false;
  };
  // Stores an imported activity in one transaction: a COMPLETED session, its sample chunks, the
  // original file, and the scoring outbox message. A re-upload of the same activity (same
  // content hash or FIT file_id for this athlete) stores nothing and returns the earlier session
  // with duplicate = true; a retry with the same request_id returns the first result.
  absl::StatusOr<ImportResult> ImportActivity(const std::string& athlete_id, const std::string& request_id,
                                              const v1::ImportMetadata& metadata, const ImportedActivity& activity,
                                              const std::string& content, const std::string& content_sha256);

 private:
  db::Pool& pool_;
};

}  // namespace gaitkeeper::ingestion
