#include "services/ingestion/ingestion_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/common/dynamics_series.h"
#include "services/ingestion/activity_import.h"
#include "services/ingestion/ingestion_policy.h"
#include "services/ingestion/sha256.h"
#include "services/common/list_request.h"
#include "services/common/resource_names.h"
#include "services/common/rpc.h"
#include "services/common/time_util.h"
#include "services/ingestion/validation.h"

namespace gaitkeeper::ingestion {

IngestionService::IngestionService(IngestionRepository& repository, authz::Gate& gate,
                                   std::function<void()> on_scoring_queued)
    : repository_(repository), gate_(gate), on_scoring_queued_(std::move(on_scoring_queued)) {}

grpc::Status IngestionService::CreateAthlete(grpc::ServerContext* context,
                                             const v1::CreateAthleteRequest* request,
                                             v1::Athlete* response) {
  return RunRpc(gate_, *context, "CreateAthlete", [&](authz::Call& call) -> absl::Status {
    absl::Status valid = ValidateCreateAthlete(*request, timeutil::NowMicros());
    if (!valid.ok()) return valid;
    absl::StatusOr<std::string> id = NewAthleteId(call.caller(), request->request_id());
    if (!id.ok()) return id.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*id, names::Athlete(*id))); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Athlete> athlete = repository_.CreateAthlete(*id, request->request_id(), request->athlete());
    if (!athlete.ok()) return athlete.status();
    *response = std::move(*athlete);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::GetAthlete(grpc::ServerContext* context,
                                          const v1::GetAthleteRequest* request,
                                          v1::Athlete* response) {
  return RunRpc(gate_, *context, "GetAthlete", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> id = names::ParseAthlete(request->name(), "name");
    if (!id.ok()) return id.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*id, request->name())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Athlete> athlete = repository_.GetAthlete(*id);
    if (!athlete.ok()) return athlete.status();
    *response = std::move(*athlete);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::UpdateAthlete(grpc::ServerContext* context, const v1::UpdateAthleteRequest* request,
                                             v1::Athlete* response) {
  return RunRpc(gate_, *context, "UpdateAthlete", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> id = names::ParseAthlete(request->athlete().name(), "athlete.name");
    if (!id.ok()) return id.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*id, request->athlete().name())); !allowed.ok()) return allowed;
    const int64_t now = timeutil::NowMicros();
    absl::StatusOr<v1::Athlete> updated = repository_.UpdateAthlete(
        *id, [&](const v1::Athlete& current) -> absl::StatusOr<v1::Athlete> {
          v1::Athlete merged = current;
          google::protobuf::FieldMask mask = request->update_mask();
          if (mask.paths_size() == 0) {
            for (const std::string& f : MutableAthleteFields()) mask.add_paths(f);
          } else {
            // Unknown paths are refused before merging (MergeMessageTo would ignore them).
            absl::Status paths = ValidateUpdateAthlete(*request, current, now);
            if (!paths.ok() && ReasonOf(paths) == "INVALID_UPDATE_MASK") return paths;
          }
          google::protobuf::util::FieldMaskUtil::MergeOptions options;
          options.set_replace_message_fields(true);
          options.set_replace_repeated_fields(true);
          // Optional scalars named in the mask but unset in the request are cleared.
          for (const std::string& path : mask.paths()) {
            const google::protobuf::FieldDescriptor* field = v1::Athlete::descriptor()->FindFieldByName(path);
            if (field != nullptr && field->has_presence() && !request->athlete().GetReflection()->HasField(request->athlete(), field)) {
              merged.GetReflection()->ClearField(&merged, field);
            }
          }
          google::protobuf::util::FieldMaskUtil::MergeMessageTo(request->athlete(), mask, options, &merged);
          absl::Status valid = ValidateUpdateAthlete(*request, merged, now);
          if (!valid.ok()) return valid;
          return merged;
        });
    if (!updated.ok()) return updated.status();
    *response = std::move(*updated);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CreateSession(grpc::ServerContext* context,
                                             const v1::CreateSessionRequest* request,
                                             v1::Session* response) {
  return RunRpc(gate_, *context, "CreateSession", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::Status valid = ValidateCreateSession(*request, timeutil::NowMicros());
    if (!valid.ok()) return valid;
    absl::StatusOr<v1::Session> session =
        repository_.CreateSession(*athlete, request->request_id(), request->session());
    if (!session.ok()) return session.status();
    *response = std::move(*session);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::GetSession(grpc::ServerContext* context,
                                          const v1::GetSessionRequest* request,
                                          v1::Session* response) {
  return RunRpc(gate_, *context, "GetSession", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->name(), "name");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->name())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::Session> session = repository_.GetSession(*ref);
    if (!session.ok()) return session.status();
    *response = std::move(*session);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListSessions(grpc::ServerContext* context,
                                            const v1::ListSessionsRequest* request,
                                            v1::ListSessionsResponse* response) {
  return RunRpc(gate_, *context, "ListSessions", [&](authz::Call& call) -> absl::Status {
    std::optional<int64_t> from;
    std::optional<int64_t> to;
    if (request->has_start_time_from()) from = timeutil::ToMicros(request->start_time_from());
    if (request->has_start_time_to()) to = timeutil::ToMicros(request->start_time_to());
    // The token is bound to the parent and the filter.
    absl::StatusOr<pagination::AthleteList> list = pagination::ParseAthleteList(request->parent(), request->page_size(), request->page_token(), "sessions", absl::StrCat(from.value_or(-1), ":", to.value_or(-1)));
    if (!list.ok()) return list.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(list->athlete_id, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<IngestionRepository::SessionPage> page =
        repository_.ListSessions(list->athlete_id, from, to, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::Session& s : page->sessions) *response->add_sessions() = std::move(s);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::UploadSamples(grpc::ServerContext* context,
                                             grpc::ServerReader<v1::UploadSamplesRequest>* reader,
                                             v1::UploadSamplesResponse* response) {
  return RunRpc(gate_, *context, "UploadSamples", [&](authz::Call& call) -> absl::Status {
    v1::UploadSamplesRequest batch;
    std::string session_name;
    std::optional<names::SessionRef> target;  // named by the first batch, authorized once
    while (reader->Read(&batch)) {
      if (!target.has_value()) {
        // Who may write to the named session first (AIP-211), then what is sent.
        absl::StatusOr<names::SessionRef> parsed = names::ParseSession(batch.session(), "session");
        if (!parsed.ok()) return parsed.status();
        if (absl::Status allowed = call.Authorize(authz::AthleteTarget(parsed->athlete_id, batch.session())); !allowed.ok()) return allowed;
        target = *std::move(parsed);
        session_name = batch.session();
      } else if (batch.session() != session_name) {
        return InvalidArgumentWithFields("INVALID_SAMPLES",
                                         {{"session", "must be the same session in every message of a stream"}});
      }
      absl::Status valid = ValidateUploadBatch(batch);
      if (!valid.ok()) return valid;
      absl::StatusOr<IngestionRepository::BatchResult> result =
          repository_.AppendBatch(*target, batch.sequence(), batch);
      if (!result.ok()) return result.status();
      response->set_session(session_name);
      response->set_last_committed_sequence(result->last_sequence);
      response->set_sample_count(result->sample_count);
      if (result->committed) {
        response->set_batches_committed(response->batches_committed() + 1);
      } else {
        response->set_batches_ignored(response->batches_ignored() + 1);
      }
    }
    if (context->IsCancelled()) return absl::CancelledError("upload cancelled by the client");
    if (session_name.empty()) {
      return InvalidArgumentWithFields("INVALID_SAMPLES", {{"samples", "the stream held no batch"}});
    }
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::UploadImuSamples(grpc::ServerContext* context,
                                                grpc::ServerReader<v1::UploadImuSamplesRequest>* reader,
                                                v1::UploadImuSamplesResponse* response) {
  return RunRpc(gate_, *context, "UploadImuSamples", [&](authz::Call& call) -> absl::Status {
    v1::UploadImuSamplesRequest batch;
    std::string session_name;
    std::optional<names::SessionRef> target;  // named by the first batch, authorized once
    v1::SensorPlacement placement = v1::SENSOR_PLACEMENT_UNSPECIFIED;
    while (reader->Read(&batch)) {
      if (!target.has_value()) {
        // Who may write to the named session first (AIP-211), then what is sent.
        absl::StatusOr<names::SessionRef> parsed = names::ParseSession(batch.session(), "session");
        if (!parsed.ok()) return parsed.status();
        if (absl::Status allowed = call.Authorize(authz::AthleteTarget(parsed->athlete_id, batch.session())); !allowed.ok()) return allowed;
        target = *std::move(parsed);
        session_name = batch.session();
        placement = batch.stream().placement();
      } else if (batch.session() != session_name || batch.stream().placement() != placement) {
        return InvalidArgumentWithFields(
            "INVALID_IMU_SAMPLES", {{"session", "every message of a stream must name the same session and placement"}});
      }
      absl::Status valid = ValidateImuBatch(batch);
      if (!valid.ok()) return valid;
      absl::StatusOr<IngestionRepository::ImuBatchResult> result =
          repository_.AppendImuBatch(*target, batch, CountClipped(batch));
      if (!result.ok()) return result.status();
      response->set_session(session_name);
      response->set_placement(placement);
      response->set_last_committed_sequence(result->last_sequence);
      response->set_sample_count(result->sample_count);
      response->set_clipped_sample_count(result->clipped_count);
      if (result->committed) {
        response->set_batches_committed(response->batches_committed() + 1);
      } else {
        response->set_batches_ignored(response->batches_ignored() + 1);
      }
    }
    if (context->IsCancelled()) return absl::CancelledError("upload cancelled by the client");
    if (session_name.empty()) {
      return InvalidArgumentWithFields("INVALID_IMU_SAMPLES", {{"accel_x_g", "the stream held no batch"}});
    }
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ReadSamples(grpc::ServerContext* context, const v1::ReadSamplesRequest* request,
                                           grpc::ServerWriter<v1::ReadSamplesResponse>* writer) {
  return RunRpc(gate_, *context, "ReadSamples", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->session())); !allowed.ok()) return allowed;
    if (request->max_points() != 0 && (request->max_points() < 2 || request->max_points() > 100000)) {
      return InvalidArgumentWithFields("INVALID_READ", {{"max_points", "must be 0 (all) or between 2 and 100000"}});
    }
    absl::StatusOr<DynamicsSeries> series = repository_.LoadSeries(*ref);
    if (!series.ok()) return series.status();
    const DynamicsSeries points = Downsample(*series, static_cast<size_t>(request->max_points()));
    const std::vector<v1::DynamicsSample> samples = ToSamples(points);
    // Messages of at most kMaxSamplesPerBatch samples keep each one well under the size limit.
    for (size_t begin = 0; begin < samples.size(); begin += kMaxSamplesPerBatch) {
      const size_t end = std::min(samples.size(), begin + kMaxSamplesPerBatch);
      v1::ReadSamplesResponse message;
      for (size_t i = begin; i < end; ++i) *message.add_samples() = samples[i];
      for (const DynamicsSeries::Extra& extra : points.extra) {
        v1::ExtraColumn* column = message.add_extra_columns();
        column->set_name(extra.name);
        column->set_units(extra.units);
        for (size_t i = begin; i < end; ++i) column->add_values(extra.values[i]);
      }
      if (!writer->Write(message)) return absl::CancelledError("the client went away");
    }
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ImportActivity(grpc::ServerContext* context,
                                              grpc::ServerReader<v1::ImportActivityRequest>* reader,
                                              v1::ImportActivityResponse* response) {
  return RunRpc(gate_, *context, "ImportActivity", [&](authz::Call& call) -> absl::Status {
    v1::ImportActivityRequest message;
    if (!reader->Read(&message) || !message.has_metadata()) {
      return InvalidArgumentWithFields("INVALID_IMPORT", {{"metadata", "the first message must carry the metadata"}});
    }
    const v1::ImportMetadata metadata = message.metadata();
    absl::StatusOr<std::string> athlete = names::ParseAthlete(metadata.parent(), "metadata.parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, metadata.parent())); !allowed.ok()) return allowed;
    absl::Status valid = ValidateImportMetadata(metadata);
    if (!valid.ok()) return valid;
    std::string content;
    while (reader->Read(&message)) {
      if (!message.has_chunk()) {
        return InvalidArgumentWithFields("INVALID_IMPORT", {{"metadata", "only the first message carries metadata"}});
      }
      if (message.chunk().size() > kMaxImportChunkBytes || content.size() + message.chunk().size() > kMaxImportBytes) {
        return WithReason(absl::ResourceExhaustedError(absl::StrCat("files are limited to ", kMaxImportBytes >> 20,
                                                                    " MiB in chunks of at most 1 MiB")),
                          "FILE_TOO_LARGE");
      }
      content.append(message.chunk());
    }
    if (context->IsCancelled()) return absl::CancelledError("import cancelled by the client");
    if (content.empty()) return InvalidArgumentWithFields("INVALID_IMPORT", {{"chunk", "the file is empty"}});
    absl::StatusOr<ImportedActivity> activity = DecodeActivityFile(content, metadata.format());
    if (!activity.ok()) return activity.status();
    absl::StatusOr<IngestionRepository::ImportResult> result = repository_.ImportActivity(
        *athlete, metadata.request_id(), metadata, *activity, content, Sha256(content));
    if (!result.ok()) return result.status();
    if (!result->duplicate && on_scoring_queued_) on_scoring_queued_();
    *response->mutable_session() = std::move(result->session);
    response->set_duplicate(result->duplicate);
    response->set_format(activity->format);
    response->set_sport(activity->sport);
    response->set_sample_count(static_cast<int64_t>(activity->samples.size()));
    for (const DynamicsSeries::Extra& e : activity->extra) response->add_extra_fields(e.name);
    for (const std::string& w : activity->warnings) response->add_warnings(w);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::GetUploadState(grpc::ServerContext* context,
                                              const v1::GetUploadStateRequest* request,
                                              v1::UploadState* response) {
  return RunRpc(gate_, *context, "GetUploadState", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->session(), "session");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->session())); !allowed.ok()) return allowed;
    if (!v1::SensorPlacement_IsValid(request->imu_placement())) {
      return InvalidArgumentWithFields("INVALID_UPLOAD_STATE", {{"imu_placement", "is not a known value"}});
    }
    absl::StatusOr<v1::UploadState> state = repository_.GetUploadState(*ref, request->imu_placement());
    if (!state.ok()) return state.status();
    *response = std::move(*state);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CompleteSession(grpc::ServerContext* context,
                                               const v1::CompleteSessionRequest* request,
                                               v1::Session* response) {
  return RunRpc(gate_, *context, "CompleteSession", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(request->name(), "name");
    if (!ref.ok()) return ref.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(ref->athlete_id, request->name())); !allowed.ok()) return allowed;
    bool queued = false;
    absl::StatusOr<v1::Session> session = repository_.CompleteSession(*ref, &queued);
    if (!session.ok()) return session.status();
    if (queued && on_scoring_queued_) on_scoring_queued_();
    *response = std::move(*session);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CreatePainReport(grpc::ServerContext* context,
                                                const v1::CreatePainReportRequest* request,
                                                v1::PainReport* response) {
  return RunRpc(gate_, *context, "CreatePainReport", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::Status valid = ValidateCreatePainReport(*request, timeutil::NowMicros());
    if (!valid.ok()) return valid;
    absl::StatusOr<v1::PainReport> report =
        repository_.CreatePainReport(*athlete, request->request_id(), request->pain_report());
    if (!report.ok()) return report.status();
    *response = std::move(*report);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListPainReports(grpc::ServerContext* context,
                                               const v1::ListPainReportsRequest* request,
                                               v1::ListPainReportsResponse* response) {
  return RunRpc(gate_, *context, "ListPainReports", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::AthleteList> list = pagination::ParseAthleteList(request->parent(), request->page_size(), request->page_token(), "painReports");
    if (!list.ok()) return list.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(list->athlete_id, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<IngestionRepository::PainPage> page = repository_.ListPainReports(list->athlete_id, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::PainReport& r : page->reports) *response->add_pain_reports() = std::move(r);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CreateQuestionnaireResponse(grpc::ServerContext* context,
                                                           const v1::CreateQuestionnaireResponseRequest* request,
                                                           v1::QuestionnaireResponse* response) {
  return RunRpc(gate_, *context, "CreateQuestionnaireResponse", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::Status valid = ValidateCreateQuestionnaireResponse(*request, timeutil::NowMicros());
    if (!valid.ok()) return valid;
    const v1::QuestionnaireResponse& in = request->questionnaire_response();
    questionnaires::Answers answers(in.answers().begin(), in.answers().end());
    absl::StatusOr<questionnaires::QuestionnaireScore> scored = questionnaires::Score(*ToInstrument(in.instrument()), answers);
    if (!scored.ok()) return scored.status();
    v1::QuestionnaireResponse scored_response = in;
    scored_response.clear_name();
    scored_response.clear_create_time();
    scored_response.clear_scores();
    for (const questionnaires::SubscaleScore& sub : scored->subscales) {
      v1::SubscaleScore* out = scored_response.add_scores();
      out->set_name(sub.name);
      if (sub.score.has_value()) out->set_score(*sub.score);
      out->set_answered(sub.answered);
      out->set_items(sub.items);
      out->set_note(sub.note);
    }
    absl::StatusOr<v1::QuestionnaireResponse> stored =
        repository_.CreateQuestionnaireResponse(*athlete, request->request_id(), scored_response);
    if (!stored.ok()) return stored.status();
    *response = std::move(*stored);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListQuestionnaireResponses(grpc::ServerContext* context,
                                                          const v1::ListQuestionnaireResponsesRequest* request,
                                                          v1::ListQuestionnaireResponsesResponse* response) {
  return RunRpc(gate_, *context, "ListQuestionnaireResponses", [&](authz::Call& call) -> absl::Status {
    if (!v1::Instrument_IsValid(request->instrument())) {
      return InvalidArgumentWithFields("INVALID_FILTER", {{"instrument", "is not a known value"}});
    }
    absl::StatusOr<pagination::AthleteList> list = pagination::ParseAthleteList(request->parent(), request->page_size(), request->page_token(), "questionnaires", absl::StrCat(request->instrument()));
    if (!list.ok()) return list.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(list->athlete_id, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<IngestionRepository::QuestionnairePage> page =
        repository_.ListQuestionnaireResponses(list->athlete_id, request->instrument(), list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::QuestionnaireResponse& r : page->responses) *response->add_questionnaire_responses() = std::move(r);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CreateClinic(grpc::ServerContext* context, const v1::CreateClinicRequest* request,
                                            v1::Clinic* response) {
  return RunRpc(gate_, *context, "CreateClinic", [&](authz::Call& call) -> absl::Status {
    if (absl::Status allowed = call.Authorize(authz::Target{}); !allowed.ok()) return allowed;
    Violations v;
    if (!IsValidRequestId(request->request_id())) v.Add("request_id", "must be a UUID");
    const std::string& display_name = request->clinic().display_name();
    if (display_name.empty() || display_name.size() > 200) v.Add("clinic.display_name", "is required, at most 200 bytes");
    if (absl::Status valid = v.ToStatus("INVALID_CLINIC"); !valid.ok()) return valid;
    absl::StatusOr<v1::Clinic> clinic = repository_.CreateClinic(request->request_id(), request->clinic());
    if (!clinic.ok()) return clinic.status();
    *response = std::move(*clinic);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::CreateCareLink(grpc::ServerContext* context, const v1::CreateCareLinkRequest* request,
                                              v1::CareLink* response) {
  return RunRpc(gate_, *context, "CreateCareLink", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(request->parent(), "parent");
    if (!athlete.ok()) return athlete.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget(*athlete, request->parent())); !allowed.ok()) return allowed;
    absl::StatusOr<std::vector<std::string>> clinic = names::Parse(request->care_link().clinic(), {"clinics"}, "care_link.clinic");
    if (!clinic.ok()) return clinic.status();
    if (!IsValidRequestId(request->request_id())) {
      return InvalidArgumentWithFields("INVALID_CARE_LINK", {{"request_id", "must be a UUID"}});
    }
    absl::StatusOr<v1::CareLink> link = repository_.CreateCareLink(*athlete, (*clinic)[0], request->request_id());
    if (!link.ok()) return link.status();
    *response = std::move(*link);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::RevokeCareLink(grpc::ServerContext* context, const v1::RevokeCareLinkRequest* request,
                                              v1::CareLink* response) {
  return RunRpc(gate_, *context, "RevokeCareLink", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids = names::Parse(request->name(), {"athletes", "careLinks"}, "name");
    if (!ids.ok()) return ids.status();
    if (absl::Status allowed = call.Authorize(authz::AthleteTarget((*ids)[0], request->name())); !allowed.ok()) return allowed;
    absl::StatusOr<v1::CareLink> link = repository_.RevokeCareLink((*ids)[0], (*ids)[1]);
    if (!link.ok()) return link.status();
    *response = std::move(*link);
    return absl::OkStatus();
  });
}

grpc::Status IngestionService::ListCareLinks(grpc::ServerContext* context, const v1::ListCareLinksRequest* request,
                                             v1::ListCareLinksResponse* response) {
  return RunRpc(gate_, *context, "ListCareLinks", [&](authz::Call& call) -> absl::Status {
    absl::StatusOr<pagination::ParentList> list =
        pagination::ParseAthleteOrClinicList(request->parent(), request->page_size(), request->page_token(), "careLinks");
    if (!list.ok()) return list.status();
    const authz::Target target = list->clinic_id.empty() ? authz::AthleteTarget(list->athlete_id, request->parent())
                                                         : authz::ClinicTarget(list->clinic_id, request->parent());
    if (absl::Status allowed = call.Authorize(target); !allowed.ok()) return allowed;
    absl::StatusOr<IngestionRepository::CareLinkPage> page =
        list->clinic_id.empty() ? repository_.ListCareLinks(list->athlete_id, list->after, list->page_size)
                                : repository_.ListClinicCareLinks(list->clinic_id, list->after, list->page_size);
    if (!page.ok()) return page.status();
    for (v1::CareLink& l : page->links) *response->add_care_links() = std::move(l);
    response->set_next_page_token(list->NextToken(page->next));
    return absl::OkStatus();
  });
}

}  // namespace gaitkeeper::ingestion
