// IngestionService: clinicians of a clinic and the audit trail (docs/SECURITY.md).
#include "absl/strings/str_cat.h"
#include "services/common/list_request.h"
#include "services/common/resource_names.h"
#include "services/common/rpc.h"
#include "services/ingestion/ingestion_service.h"
#include "services/ingestion/validation.h"

namespace gaitkeeper::ingestion {

grpc::Status IngestionService::CreateClinician(grpc::ServerContext* context, const v1::CreateClinicianRequest* request,
                                               v1::Clinician* response) {
  return RunRpc(gate_, *context, "CreateClinician", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> clinic = names::Parse(request->parent(), {"clinics"}, "parent");
    if (!clinic.ok()) return clinic.status();
    if (absl::Status allowed = call.Authorize(authz::ClinicTarget((*clinic)[0], request->parent())); !allowed.ok()) {
      return allowed;
    }
    Violations v;
    if (!IsValidRequestId(request->request_id())) v.Add("request_id", "must be a UUID");
    const std::string& display_name = request->clinician().display_name();
    if (display_name.empty() || display_name.size() > 200) v.Add("clinician.display_name", "is required, at most 200 bytes");
    if (request->clinician().role() != v1::CLINICIAN_ROLE_CLINICIAN &&
        request->clinician().role() != v1::CLINICIAN_ROLE_CLINIC_ADMIN) {
      v.Add("clinician.role", "must be CLINICIAN_ROLE_CLINICIAN or CLINICIAN_ROLE_CLINIC_ADMIN");
    }
    if (absl::Status valid = v.ToStatus("INVALID_CLINICIAN"); !valid.ok()) return valid;
    absl::StatusOr<v1::Clinician> clinician =
        repository_.CreateClinician((*clinic)[0], request->request_id(), request->clinician());
    if (!clinician.ok()) return clinician.status();
    *response = std::move(*clinician);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListClinicians(grpc::ServerContext* context, const v1::ListCliniciansRequest* request,
                                              v1::ListCliniciansResponse* response) {
  return RunRpc(gate_, *context, "ListClinicians", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::ParentList> list =
        pagination::ParseAthleteOrClinicList(request->parent(), request->page_size(), request->page_token(), "clinicians");
    if (!list.ok()) return list.status();
    if (list->clinic_id.empty()) {
      return InvalidArgumentWithFields("INVALID_PARENT", {{"parent", "must be clinics/{clinic}"}});
    }
    if (absl::Status allowed = call.Authorize(authz::ClinicTarget(list->clinic_id, request->parent())); !allowed.ok()) {
      return allowed;
    }
    absl::StatusOr<IngestionRepository::ClinicianPage> page =
        repository_.ListClinicians(list->clinic_id, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::Clinician& c : page->clinicians) *response->add_clinicians() = std::move(c);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::DisableClinician(grpc::ServerContext* context, const v1::DisableClinicianRequest* request,
                                                v1::Clinician* response) {
  return RunRpc(gate_, *context, "DisableClinician", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = names::Parse(request->name(), {"clinics", "clinicians"}, "name");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::ClinicTarget((*ids)[0], request->name())); !allowed.ok()) {
      return allowed;
    }
    absl::StatusOr<v1::Clinician> clinician = repository_.DisableClinician((*ids)[0], (*ids)[1]);
    if (!clinician.ok()) return clinician.status();
    *response = std::move(*clinician);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListAuditEvents(grpc::ServerContext* context, const v1::ListAuditEventsRequest* request,
                                               v1::ListAuditEventsResponse* response) {
  return RunRpc(gate_, *context, "ListAuditEvents", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::ParentList> list =
        pagination::ParseAthleteOrClinicList(request->parent(), request->page_size(), request->page_token(), "auditEvents");
    if (!list.ok()) return list.status();
    const authz::Target target = list->clinic_id.empty() ? authz::AthleteTarget(list->athlete_id, request->parent())
                                                         : authz::ClinicTarget(list->clinic_id, request->parent());
    if (absl::Status allowed = call.Authorize(target); !allowed.ok()) return allowed;
    absl::StatusOr<IngestionRepository::AuditPage> page =
        repository_.ListAuditEvents(list->athlete_id, list->clinic_id, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::AuditEvent& e : page->events) *response->add_audit_events() = std::move(e);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::ingestion
