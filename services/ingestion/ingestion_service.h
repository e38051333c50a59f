#pragma once

#include <functional>

#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "services/common/authz/gate.h"
#include "services/ingestion/ingestion_repository.h"

namespace gaitkeeper::ingestion {

// The gRPC face of ingestion: validate -> repository -> map errors. No logic of its own beyond
// that; see validation.h for the rules and ingestion_repository.h for storage.
class IngestionService final : public v1::IngestionService::Service {
 public:
  // `on_scoring_queued` is called after a commit that queued a session for scoring (to wake the
  // outbox dispatcher); may be empty.
  IngestionService(IngestionRepository& repository, authz::Gate& gate,
                   std::function<void()> on_scoring_queued);

  grpc::Status CreateAthlete(grpc::ServerContext* context, const v1::CreateAthleteRequest* request,
                             v1::Athlete* response) override;
  grpc::Status GetAthlete(grpc::ServerContext* context, const v1::GetAthleteRequest* request,
                          v1::Athlete* response) override;
  grpc::Status UpdateAthlete(grpc::ServerContext* context, const v1::UpdateAthleteRequest* request,
                             v1::Athlete* response) override;
  grpc::Status UploadImuSamples(grpc::ServerContext* context, grpc::ServerReader<v1::UploadImuSamplesRequest>* reader,
                                v1::UploadImuSamplesResponse* response) override;
  grpc::Status ReadSamples(grpc::ServerContext* context, const v1::ReadSamplesRequest* request,
                           grpc::ServerWriter<v1::ReadSamplesResponse>* writer) override;
  grpc::Status ImportActivity(grpc::ServerContext* context, grpc::ServerReader<v1::ImportActivityRequest>* reader,
                              v1::ImportActivityResponse* response) override;
  grpc::Status CreateSession(grpc::ServerContext* context, const v1::CreateSessionRequest* request,
                             v1::Session* response) override;
  grpc::Status GetSession(grpc::ServerContext* context, const v1::GetSessionRequest* request,
                          v1::Session* response) override;
  grpc::Status ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                            v1::ListSessionsResponse* response) override;
  grpc::Status UploadSamples(grpc::ServerContext* context,
                             grpc::ServerReader<v1::UploadSamplesRequest>* reader,
                             v1::UploadSamplesResponse* response) override;
  grpc::Status GetUploadState(grpc::ServerContext* context, const v1::GetUploadStateRequest* request,
                              v1::UploadState* response) override;
  grpc::Status CompleteSession(grpc::ServerContext* context, const v1::CompleteSessionRequest* request,
                               v1::Session* response) override;
  grpc::Status CreatePainReport(grpc::ServerContext* context, const v1::CreatePainReportRequest* request,
                                v1::PainReport* response) override;
  grpc::Status CreateQuestionnaireResponse(grpc::ServerContext* context,
                                           const v1::CreateQuestionnaireResponseRequest* request,
                                           v1::QuestionnaireResponse* response) override;
  grpc::Status ListQuestionnaireResponses(grpc::ServerContext* context,
                                          const v1::ListQuestionnaireResponsesRequest* request,
                                          v1::ListQuestionnaireResponsesResponse* response) override;
  grpc::Status CreateClinic(grpc::ServerContext* context, const v1::CreateClinicRequest* request,
                            v1::Clinic* response) override;
  grpc::Status CreateCareLink(grpc::ServerContext* context, const v1::CreateCareLinkRequest* request,
                              v1::CareLink* response) override;
  grpc::Status RevokeCareLink(grpc::ServerContext* context, const v1::RevokeCareLinkRequest* request,
                              v1::CareLink* response) override;
  grpc::Status ListCareLinks(grpc::ServerContext* context, const v1::ListCareLinksRequest* request,
                             v1::ListCareLinksResponse* response) override;
  grpc::Status ListPainReports(grpc::ServerContext* context, const v1::ListPainReportsRequest* request,
                               v1::ListPainReportsResponse* response) override;

  // Clinicians and the audit trail: ingestion_service_identity.cc.
  grpc::Status CreateClinician(grpc::ServerContext* context, const v1::CreateClinicianRequest* request,
                               v1::Clinician* response) override;
  grpc::Status ListClinicians(grpc::ServerContext* context, const v1::ListCliniciansRequest* request,
                              v1::ListCliniciansResponse* response) override;
  grpc::Status DisableClinician(grpc::ServerContext* context, const v1::DisableClinicianRequest* request,
                                v1::Clinician* response) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;

 private:
  IngestionRepository& repository_;
  authz::Gate& gate_;
  std::function<void()> on_scoring_queued_;
};

}  // namespace gaitkeeper::ingestion
