#include "services/ingestion/ingestion_repository.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "db/sql_catalog.h"
#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "services/common/dynamics_series.h"
#include "services/common/outbox.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::ingestion {
namespace {

namespace q = db::query;
using db::Optional;

// Stable bytes of a create payload, for telling a true repeat from a reused request_id.
std::string Fingerprint(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::Status RequestIdReused(absl::string_view what) {
  return WithReason(absl::AlreadyExistsError(absl::StrCat(
                        "request_id was already used to create another ", what,
                        " with a different payload; use a new request_id")),
                    "REQUEST_ID_REUSED");
}

template <typename Setter>
void SetIf(const std::optional<float>& value, Setter set) {
  if (value.has_value()) set(*value);
}

v1::Athlete AthleteFromRow(const pqxx::row& row) {
  v1::Athlete a;
  a.set_name(names::Athlete(row["id"].c_str()));
  a.set_display_name(row["display_name"].c_str());
  SetIf(Optional<float>(row["height_cm"]), [&](float v) { a.set_height_cm(v); });
  SetIf(Optional<float>(row["leg_length_cm"]), [&](float v) { a.set_leg_length_cm(v); });
  SetIf(Optional<float>(row["body_mass_kg"]), [&](float v) { a.set_body_mass_kg(v); });
  if (!row["birth_year"].is_null()) a.set_birth_year(row["birth_year"].as<int>());
  a.set_sex(static_cast<v1::Sex>(row["sex"].as<int>()));
  a.set_dominant_side(static_cast<common::v1::Side>(row["dominant_side"].as<int>()));
  a.set_painful_side(static_cast<common::v1::Side>(row["painful_side"].as<int>()));
  SetIf(Optional<float>(row["running_experience_years"]), [&](float v) { a.set_running_experience_years(v); });
  SetIf(Optional<float>(row["weekly_volume_before_pain_km"]),
        [&](float v) { a.set_weekly_volume_before_pain_km(v); });
  *a.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  return a;
}

v1::Session SessionFromRow(const pqxx::row& row) {
  v1::Session s;
  s.set_name(names::Session(row["athlete_id"].c_str(), row["id"].c_str()));
  *s.mutable_start_time() = timeutil::FromMicros(row["start_us"].as<int64_t>());
  SetIf(Optional<float>(row["duration_s"]), [&](float v) { s.set_duration_s(v); });
  SetIf(Optional<float>(row["distance_m"]), [&](float v) { s.set_distance_m(v); });
  SetIf(Optional<float>(row["elevation_gain_m"]), [&](float v) { s.set_elevation_gain_m(v); });
  SetIf(Optional<float>(row["average_heart_rate_bpm"]), [&](float v) { s.set_average_heart_rate_bpm(v); });
  SetIf(Optional<float>(row["max_heart_rate_bpm"]), [&](float v) { s.set_max_heart_rate_bpm(v); });
  s.set_source(static_cast<v1::DataSource>(row["source"].as<int>()));
  s.set_device(row["device"].c_str());
  s.set_surface(static_cast<v1::Surface>(row["surface"].as<int>()));
  s.set_shoe(row["shoe"].c_str());
  s.set_sport(row["sport"].c_str());
  s.set_state(absl::string_view(row["state"].c_str()) == "COMPLETED" ? v1::SESSION_STATE_COMPLETED
                                                                    : v1::SESSION_STATE_OPEN);
  s.set_sample_count(row["sample_count"].as<int64_t>());
  *s.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  if (!row["complete_us"].is_null()) {
    *s.mutable_complete_time() = timeutil::FromMicros(row["complete_us"].as<int64_t>());
  }
  return s;
}

v1::PainReport PainReportFromRow(const pqxx::row& row) {
  v1::PainReport r;
  r.set_name(names::PainReport(row["athlete_id"].c_str(), row["id"].c_str()));
  if (!row["session_id"].is_null()) r.set_session(names::Session(row["athlete_id"].c_str(), row["session_id"].c_str()));
  absl::StatusOr<common::v1::Date> date = timeutil::ParseIsoDate(row["report_date"].c_str());
  if (date.ok()) *r.mutable_report_date() = *date;
  if (!row["pain_during"].is_null()) r.set_pain_during(row["pain_during"].as<int>());
  if (!row["pain_after"].is_null()) r.set_pain_after(row["pain_after"].as<int>());
  if (!row["pain_next_morning"].is_null()) r.set_pain_next_morning(row["pain_next_morning"].as<int>());
  r.set_location(static_cast<common::v1::PainLocation>(row["location"].as<int>()));
  r.set_side(static_cast<common::v1::Side>(row["side"].as<int>()));
  r.set_night_pain(row["night_pain"].as<bool>());
  r.set_rest_pain(row["rest_pain"].as<bool>());
  r.set_swelling(row["swelling"].as<bool>());
  r.set_locking(row["locking"].as<bool>());
  r.set_giving_way(row["giving_way"].as<bool>());
  *r.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  return r;
}

v1::CareLink CareLinkFromRow(const pqxx::row& row) {
  v1::CareLink link;
  link.set_name(absl::StrCat(names::Athlete(row["athlete_id"].c_str()), "/careLinks/", row["id"].c_str()));
  link.set_clinic(absl::StrCat("clinics/", row["clinic_id"].c_str()));
  *link.mutable_grant_time() = timeutil::FromMicros(row["grant_us"].as<int64_t>());
  link.set_active(row["revoke_us"].is_null());
  if (!row["revoke_us"].is_null()) *link.mutable_revoke_time() = timeutil::FromMicros(row["revoke_us"].as<int64_t>());
  return link;
}

template <typename T>
std::optional<T> Opt(bool has, T value) {
  return has ? std::optional<T>(value) : std::nullopt;
}

}  // namespace

absl::StatusOr<v1::Athlete> IngestionRepository::CreateAthlete(const std::string& athlete_id, const std::string& request_id,
                                                               const v1::Athlete& athlete) {
  v1::Athlete payload = athlete;
  payload.clear_name();
  payload.clear_create_time();
  const std::string fingerprint = Fingerprint(payload);
  return db::RunInTransaction<v1::Athlete>(pool_, "create_athlete", [&](pqxx::work& tx) -> absl::StatusOr<v1::Athlete> {
    const v1::Athlete& a = athlete;
    pqxx::result inserted = tx.exec_prepared(
        q::kIngestionInsertAthlete, request_id, db::Bytes(fingerprint), a.display_name(),
        Opt(a.has_height_cm(), a.height_cm()), Opt(a.has_leg_length_cm(), a.leg_length_cm()),
        Opt(a.has_body_mass_kg(), a.body_mass_kg()), Opt(a.has_birth_year(), a.birth_year()),
        static_cast<int>(a.sex()), static_cast<int>(a.dominant_side()),
        static_cast<int>(a.painful_side()),
        Opt(a.has_running_experience_years(), a.running_experience_years()),
        Opt(a.has_weekly_volume_before_pain_km(), a.weekly_volume_before_pain_km()), athlete_id);
    std::string id;
    if (!inserted.empty()) {
      id = inserted[0]["id"].c_str();
    } else {
      pqxx::result existing = tx.exec_prepared(q::kIngestionFindAthleteByRequest, request_id, db::Bytes(fingerprint));
      if (existing.empty()) return absl::AbortedError("concurrent create; retry");
      if (!existing[0]["same_payload"].as<bool>()) return RequestIdReused("athlete");
      id = existing[0]["id"].c_str();
    }
    return AthleteFromRow(tx.exec_prepared1(q::kIngestionGetAthlete, id));
  });
}

absl::StatusOr<v1::Athlete> IngestionRepository::GetAthlete(const std::string& athlete_id) {
  return db::RunInTransaction<v1::Athlete>(pool_, "get_athlete", [&](pqxx::work& tx) -> absl::StatusOr<v1::Athlete> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionGetAthlete, athlete_id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    return AthleteFromRow(rows[0]);
  });
}

absl::StatusOr<v1::Athlete> IngestionRepository::UpdateAthlete(
    const std::string& athlete_id, const std::function<absl::StatusOr<v1::Athlete>(const v1::Athlete&)>& merge) {
  return db::RunInTransaction<v1::Athlete>(pool_, "update_athlete", [&](pqxx::work& tx) -> absl::StatusOr<v1::Athlete> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionGetAthleteForUpdate, athlete_id);
    if (rows.empty()) return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    absl::StatusOr<v1::Athlete> merged = merge(AthleteFromRow(rows[0]));
    if (!merged.ok()) return merged.status();
    const v1::Athlete& a = *merged;
    tx.exec_prepared(q::kIngestionUpdateAthlete, athlete_id, a.display_name(), Opt(a.has_height_cm(), a.height_cm()),
                     Opt(a.has_leg_length_cm(), a.leg_length_cm()), Opt(a.has_body_mass_kg(), a.body_mass_kg()),
                     Opt(a.has_birth_year(), a.birth_year()), static_cast<int>(a.sex()),
                     static_cast<int>(a.dominant_side()), static_cast<int>(a.painful_side()),
                     Opt(a.has_running_experience_years(), a.running_experience_years()),
                     Opt(a.has_weekly_volume_before_pain_km(), a.weekly_volume_before_pain_km()));
    return AthleteFromRow(tx.exec_prepared1(q::kIngestionGetAthlete, athlete_id));
  });
}

absl::StatusOr<v1::Session> IngestionRepository::CreateSession(const std::string& athlete_id,
                                                               const std::string& request_id,
                                                               const v1::Session& session) {
  v1::Session payload = session;
  payload.clear_name();
  payload.clear_state();
  payload.clear_sample_count();
  payload.clear_create_time();
  payload.clear_complete_time();
  // The parent is part of the payload: the same request_id under another athlete is a reuse.
  const std::string fingerprint = absl::StrCat(athlete_id, "|", Fingerprint(payload));
  return db::RunInTransaction<v1::Session>(pool_, "create_session", [&](pqxx::work& tx) -> absl::StatusOr<v1::Session> {
    const v1::Session& s = session;
    pqxx::result inserted = tx.exec_prepared(
        q::kIngestionInsertSession, athlete_id, request_id, db::Bytes(fingerprint),
        timeutil::ToMicros(s.start_time()), Opt(s.has_duration_s(), s.duration_s()),
        Opt(s.has_distance_m(), s.distance_m()), Opt(s.has_elevation_gain_m(), s.elevation_gain_m()),
        Opt(s.has_average_heart_rate_bpm(), s.average_heart_rate_bpm()),
        Opt(s.has_max_heart_rate_bpm(), s.max_heart_rate_bpm()), static_cast<int>(s.source()),
        s.device(), static_cast<int>(s.surface()), s.shoe());
    if (!inserted.empty()) return SessionFromRow(inserted[0]);
    pqxx::result existing = tx.exec_prepared(q::kIngestionFindSessionByRequest, request_id, db::Bytes(fingerprint));
    if (existing.empty()) {
      if (tx.exec_prepared(q::kIngestionGetAthlete, athlete_id).empty()) {
        return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
      }
      // Taken by another athlete's session, which row security keeps invisible here.
      return RequestIdReused("session");
    }
    if (!existing[0]["same_payload"].as<bool>()) return RequestIdReused("session");
    return SessionFromRow(tx.exec_prepared1(q::kIngestionGetSession, existing[0]["id"].c_str(), athlete_id));
  });
}

absl::StatusOr<v1::Session> IngestionRepository::GetSession(const names::SessionRef& ref) {
  return db::RunInTransaction<v1::Session>(pool_, "get_session", [&](pqxx::work& tx) -> absl::StatusOr<v1::Session> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionGetSession, ref.session_id, ref.athlete_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    return SessionFromRow(rows[0]);
  });
}

absl::StatusOr<IngestionRepository::SessionPage> IngestionRepository::ListSessions(
    const std::string& athlete_id, std::optional<int64_t> start_from_us,
    std::optional<int64_t> start_to_us, const std::optional<pagination::Cursor>& after,
    int page_size) {
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<SessionPage>(pool_, "list_sessions", [&](pqxx::work& tx) -> absl::StatusOr<SessionPage> {
    if (tx.exec_prepared(q::kIngestionGetAthlete, athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    }
    // One extra row tells whether another page exists.
    pqxx::result rows = tx.exec_prepared(q::kIngestionListSessions, athlete_id, start_from_us,
                                         start_to_us, after_us, after_id, page_size + 1);
    SessionPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      page.sessions.push_back(SessionFromRow(rows[i]));
    }
    page.next = db::NextPageCursor(rows, page_size, "start_us");
    return page;
  });
}

absl::StatusOr<IngestionRepository::BatchResult> IngestionRepository::AppendBatch(
    const names::SessionRef& ref, int64_t sequence, const v1::UploadSamplesRequest& batch) {
  // Encode before the transaction: the row lock is held only for the writes.
  const std::string payload = EncodeChunk(batch.samples()).SerializeAsString();
  const int count = batch.samples_size();
  const int64_t first_offset = batch.samples(0).offset_ms();
  const int64_t last_offset = batch.samples(count - 1).offset_ms();
  return db::RunInTransaction<BatchResult>(pool_, "append_batch", [&](pqxx::work& tx) -> absl::StatusOr<BatchResult> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionLockSessionForUpload, ref.session_id, ref.athlete_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    BatchResult result;
    result.last_sequence = rows[0]["last_sequence"].as<int64_t>();
    result.sample_count = rows[0]["sample_count"].as<int64_t>();
    if (sequence <= result.last_sequence) return result;  // a resend: already stored, ignore
    if (absl::string_view(rows[0]["state"].c_str()) != "OPEN") {
      return WithReason(absl::FailedPreconditionError("the session is completed and takes no more samples"),
                        "SESSION_COMPLETED");
    }
    if (sequence != result.last_sequence + 1) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            "batch sequence ", sequence, " does not follow the last committed batch ",
                            result.last_sequence, "; send ", result.last_sequence + 1, " next")),
                        "SEQUENCE_GAP");
    }
    std::optional<int64_t> previous_offset = Optional<int64_t>(rows[0]["last_offset_ms"]);
    if (previous_offset.has_value() && first_offset <= *previous_offset) {
      return InvalidArgumentWithFields(
          "INVALID_SAMPLES",
          {{"samples[0].offset_ms", "must be greater than the last offset of the previous batch"}});
    }
    tx.exec_prepared(q::kIngestionInsertSampleChunk, ref.session_id, 1, sequence, count,
                     first_offset, last_offset, db::Bytes(payload));
    result.sample_count =
        tx.exec_prepared1(q::kIngestionAdvanceUpload, ref.session_id, sequence, count, last_offset)[0].as<int64_t>();
    result.last_sequence = sequence;
    result.committed = true;
    return result;
  });
}

absl::StatusOr<v1::UploadState> IngestionRepository::GetUploadState(const names::SessionRef& ref,
                                                                   v1::SensorPlacement placement) {
  return db::RunInTransaction<v1::UploadState>(pool_, "get_upload_state", [&](pqxx::work& tx) -> absl::StatusOr<v1::UploadState> {
    pqxx::result rows = placement == v1::SENSOR_PLACEMENT_UNSPECIFIED
                            ? tx.exec_prepared(q::kIngestionGetUploadState, ref.session_id, ref.athlete_id)
                            : tx.exec_prepared(q::kIngestionGetImuUploadState, ref.session_id, ref.athlete_id,
                                               static_cast<int>(placement));
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    v1::UploadState state;
    state.set_session(names::Session(ref.athlete_id, ref.session_id));
    state.set_imu_placement(placement);
    state.set_last_committed_sequence(rows[0]["last_sequence"].as<int64_t>());
    state.set_sample_count(rows[0]["sample_count"].as<int64_t>());
    state.set_state(absl::string_view(rows[0]["state"].c_str()) == "COMPLETED" ? v1::SESSION_STATE_COMPLETED
                                                                              : v1::SESSION_STATE_OPEN);
    return state;
  });
}

absl::StatusOr<IngestionRepository::ImuBatchResult> IngestionRepository::AppendImuBatch(
    const names::SessionRef& ref, const v1::UploadImuSamplesRequest& batch, int64_t clipped) {
  common::v1::ImuChunk chunk;
  chunk.set_start_offset_us(batch.start_offset_us());
  chunk.set_rate_hz(batch.stream().rate_hz());
  *chunk.mutable_accel_x_g() = batch.accel_x_g();
  *chunk.mutable_accel_y_g() = batch.accel_y_g();
  *chunk.mutable_accel_z_g() = batch.accel_z_g();
  *chunk.mutable_gyro_x_dps() = batch.gyro_x_dps();
  *chunk.mutable_gyro_y_dps() = batch.gyro_y_dps();
  *chunk.mutable_gyro_z_dps() = batch.gyro_z_dps();
  const std::string payload = chunk.SerializeAsString();
  const v1::ImuStream& def = batch.stream();
  const int count = batch.accel_x_g_size();
  const int64_t start = static_cast<int64_t>(batch.start_offset_us());
  const int64_t end = start + static_cast<int64_t>(std::llround(count * 1e6 / def.rate_hz()));
  return db::RunInTransaction<ImuBatchResult>(pool_, "append_imu_batch", [&](pqxx::work& tx) -> absl::StatusOr<ImuBatchResult> {
    pqxx::result session = tx.exec_prepared(q::kIngestionLockSessionState, ref.session_id, ref.athlete_id);
    if (session.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    // Read after the lock: a concurrent stream of the same sensor has committed by now.
    pqxx::result streams = tx.exec_prepared(q::kIngestionGetImuStream, ref.session_id, static_cast<int>(def.placement()));
    ImuBatchResult result;
    std::string stream_id;
    int64_t end_offset_us = 0;
    if (!streams.empty()) {
      const pqxx::row& row = streams[0];
      stream_id = row["stream_id"].c_str();
      result.last_sequence = row["last_sequence"].as<int64_t>();
      result.sample_count = row["sample_count"].as<int64_t>();
      result.clipped_count = row["clipped_count"].as<int64_t>();
      end_offset_us = row["end_offset_us"].as<int64_t>();
      if (batch.sequence() <= result.last_sequence) return result;  // a resend
      // Reals come back through text: compare with a relative tolerance, not bit for bit.
      auto same = [](double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)); };
      const std::optional<double> gyro_range = db::Optional<double>(row["gyro_range_dps"]);
      const bool same_definition =
          same(row["rate_hz"].as<double>(), def.rate_hz()) && same(row["accel_range_g"].as<double>(), def.accel_range_g()) &&
          row["has_gyroscope"].as<bool>() == def.has_gyroscope() &&
          (!def.has_gyroscope() || (gyro_range.has_value() && same(*gyro_range, def.gyro_range_dps())));
      if (!same_definition) {
        return WithReason(absl::FailedPreconditionError("the stream definition (rate, ranges, gyroscope) differs from its first batch"),
                          "STREAM_MISMATCH");
      }
    }
    const pqxx::row& row = session[0];
    if (absl::string_view(row["state"].c_str()) != "OPEN") {
      return WithReason(absl::FailedPreconditionError("the session is completed and takes no more samples"),
                        "SESSION_COMPLETED");
    }
    if (batch.sequence() != result.last_sequence + 1) {
      return WithReason(absl::FailedPreconditionError(absl::StrCat(
                            "batch sequence ", batch.sequence(), " does not follow the last committed batch ",
                            result.last_sequence, "; send ", result.last_sequence + 1, " next")),
                        "SEQUENCE_GAP");
    }
    if (stream_id.empty()) {
      stream_id = tx.exec_prepared1(q::kIngestionInsertImuStream, ref.session_id, static_cast<int>(def.placement()),
                                    def.rate_hz(), def.accel_range_g(), def.has_gyroscope(),
                                    Opt(def.has_gyroscope(), def.gyro_range_dps()))[0]
                      .c_str();
    } else if (start < end_offset_us) {
      return InvalidArgumentWithFields("INVALID_IMU_SAMPLES",
                                       {{"start_offset_us", "must not be before the end of the previous batch"}});
    }
    tx.exec_prepared(q::kIngestionInsertImuChunk, stream_id, batch.sequence(), start, count, db::Bytes(payload));
    pqxx::row updated = tx.exec_prepared1(q::kIngestionAdvanceImuStream, stream_id, batch.sequence(), count, clipped, end);
    result.sample_count = updated["sample_count"].as<int64_t>();
    result.clipped_count = updated["clipped_count"].as<int64_t>();
    result.last_sequence = batch.sequence();
    result.committed = true;
    return result;
  });
}

absl::StatusOr<DynamicsSeries> IngestionRepository::LoadSeries(const names::SessionRef& ref) {
  return db::RunInTransaction<DynamicsSeries>(pool_, "load_series", [&](pqxx::work& tx) -> absl::StatusOr<DynamicsSeries> {
    if (tx.exec_prepared(q::kIngestionGetUploadState, ref.session_id, ref.athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    DynamicsSeries series;
    common::v1::DynamicsChunk chunk;
    for (const pqxx::row& row : tx.exec_prepared(q::kIngestionLoadSampleChunks, ref.session_id, ref.athlete_id)) {
      pqxx::binarystring bytes(row["payload"]);
      if (!chunk.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::DataLossError("a stored sample chunk is unreadable");
      }
      absl::Status appended = AppendChunk(chunk, &series);
      if (!appended.ok()) return appended;
    }
    return series;
  });
}

absl::StatusOr<v1::Session> IngestionRepository::CompleteSession(const names::SessionRef& ref, bool* queued) {
  *queued = false;
  scoring::v1::ScoreSessionRequest message;
  message.set_session(names::Session(ref.athlete_id, ref.session_id));
  message.set_request_id(names::NewUuid());
  const std::string payload = message.SerializeAsString();
  return db::RunInTransaction<v1::Session>(pool_, "complete_session", [&](pqxx::work& tx) -> absl::StatusOr<v1::Session> {
    *queued = false;
    if (!tx.exec_prepared(q::kIngestionCompleteSession, ref.session_id, ref.athlete_id).empty()) {
      outbox::Enqueue(tx, kScoreSessionTopic, payload);
      *queued = true;
    }
    pqxx::result rows = tx.exec_prepared(q::kIngestionGetSession, ref.session_id, ref.athlete_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Session(ref.athlete_id, ref.session_id), " not found"));
    }
    return SessionFromRow(rows[0]);
  });
}

absl::StatusOr<v1::PainReport> IngestionRepository::CreatePainReport(const std::string& athlete_id,
                                                                     const std::string& request_id,
                                                                     const v1::PainReport& report) {
  v1::PainReport payload = report;
  payload.clear_name();
  payload.clear_create_time();
  const std::string fingerprint = absl::StrCat(athlete_id, "|", Fingerprint(payload));
  std::optional<std::string> session_id;
  if (!report.session().empty()) {
    absl::StatusOr<names::SessionRef> ref = names::ParseSession(report.session(), "pain_report.session");
    if (!ref.ok()) return ref.status();
    session_id = ref->session_id;
  }
  return db::RunInTransaction<v1::PainReport>(pool_, "create_pain_report", [&](pqxx::work& tx) -> absl::StatusOr<v1::PainReport> {
    const v1::PainReport& r = report;
    pqxx::result inserted = tx.exec_prepared(
        q::kIngestionInsertPainReport, athlete_id, request_id, session_id, db::Bytes(fingerprint),
        timeutil::ToIsoDate(r.report_date()), Opt(r.has_pain_during(), r.pain_during()),
        Opt(r.has_pain_after(), r.pain_after()), Opt(r.has_pain_next_morning(), r.pain_next_morning()),
        static_cast<int>(r.location()), static_cast<int>(r.side()), r.night_pain(), r.rest_pain(), r.swelling(),
        r.locking(), r.giving_way());
    std::string id;
    if (!inserted.empty()) {
      id = inserted[0]["id"].c_str();
    } else {
      pqxx::result existing = tx.exec_prepared(q::kIngestionFindPainReportByRequest, request_id, db::Bytes(fingerprint));
      if (existing.empty()) {
        return absl::NotFoundError(session_id.has_value()
                                       ? absl::StrCat(r.session(), " not found")
                                       : absl::StrCat(names::Athlete(athlete_id), " not found"));
      }
      if (!existing[0]["same_payload"].as<bool>()) return RequestIdReused("pain report");
      id = existing[0]["id"].c_str();
    }
    return PainReportFromRow(tx.exec_prepared1(q::kIngestionGetPainReport, id, athlete_id));
  });
}

absl::StatusOr<IngestionRepository::PainPage> IngestionRepository::ListPainReports(
    const std::string& athlete_id, const std::optional<pagination::Cursor>& after, int page_size) {
  std::optional<std::string> after_date;
  std::optional<std::string> after_id;
  if (after.has_value()) {
    if (!timeutil::ParseIsoDate(after->key).ok() || !names::IsUuid(after->id)) {
      return InvalidArgumentWithFields("INVALID_PAGE_TOKEN", {{"page_token", "is malformed"}});
    }
    after_date = after->key;
    after_id = after->id;
  }
  return db::RunInTransaction<PainPage>(pool_, "list_pain_reports", [&](pqxx::work& tx) -> absl::StatusOr<PainPage> {
    if (tx.exec_prepared(q::kIngestionGetAthlete, athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    }
    pqxx::result rows = tx.exec_prepared(q::kIngestionListPainReports, athlete_id, after_date, after_id, page_size + 1);
    PainPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      page.reports.push_back(PainReportFromRow(rows[i]));
    }
    page.next = db::NextPageCursor(rows, page_size, "report_date");
    return page;
  });
}

absl::StatusOr<IngestionRepository::ImportResult> IngestionRepository::ImportActivity(
    const std::string& athlete_id, const std::string& request_id, const v1::ImportMetadata& metadata,
    const ImportedActivity& activity, const std::string& content, const std::string& content_sha256) {
  // Chunks are encoded before the transaction.
  constexpr size_t kChunk = 3600;
  std::vector<std::string> chunks;
  google::protobuf::RepeatedPtrField<v1::DynamicsSample> part;
  for (size_t begin = 0; begin < activity.samples.size(); begin += kChunk) {
    const size_t end = std::min(activity.samples.size(), begin + kChunk);
    part.Clear();
    for (size_t i = begin; i < end; ++i) *part.Add() = activity.samples[i];
    common::v1::DynamicsChunk chunk = EncodeChunk(part);
    std::vector<DynamicsSeries::Extra> extra;
    for (const DynamicsSeries::Extra& e : activity.extra) {
      extra.push_back({e.name, e.units, std::vector<double>(e.values.begin() + begin, e.values.begin() + end)});
    }
    AddExtraColumns(extra, &chunk);
    chunks.push_back(chunk.SerializeAsString());
  }
  scoring::v1::ScoreSessionRequest message;
  message.set_request_id(names::NewUuid());
  const int64_t last_offset = activity.samples.empty() ? 0 : activity.samples.back().offset_ms();
  return db::RunInTransaction<ImportResult>(pool_, "import_activity", [&](pqxx::work& tx) -> absl::StatusOr<ImportResult> {
    auto session_result = [&](const std::string& session_id, bool duplicate) -> absl::StatusOr<ImportResult> {
      ImportResult result;
      result.session = SessionFromRow(tx.exec_prepared1(q::kIngestionGetSession, session_id, athlete_id));
      result.duplicate = duplicate;
      return result;
    };
    // The athlete's row lock serialises their imports: a retry racing its first attempt, or the
    // same file under two request_ids, sees the other's committed result instead of a conflict.
    if (tx.exec_prepared(q::kIngestionGetAthleteForUpdate, athlete_id).empty()) {
      pqxx::result other = tx.exec_prepared(q::kIngestionFindActivityByRequest, request_id);
      if (!other.empty()) return RequestIdReused("import");
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    }
    pqxx::result replay = tx.exec_prepared(q::kIngestionFindActivityByRequest, request_id);
    if (!replay.empty()) {
      if (absl::string_view(replay[0]["athlete_id"].c_str()) != athlete_id ||
          db::BytesOf(replay[0]["content_sha256"]) != content_sha256) {
        return RequestIdReused("import");
      }
      return session_result(replay[0]["session_id"].c_str(), false);
    }
    if (!tx.exec_prepared(q::kIngestionFindSessionByRequest, request_id, db::Bytes(content_sha256)).empty()) {
      return RequestIdReused("session");  // the request_id of a session created by CreateSession
    }
    pqxx::result duplicate = tx.exec_prepared(q::kIngestionFindDuplicateActivity, athlete_id, db::Bytes(content_sha256),
                                              activity.fit_file_id);
    if (!duplicate.empty()) return session_result(duplicate[0]["session_id"].c_str(), true);
    const std::string session_id =
        tx.exec_prepared1(q::kIngestionInsertImportedSession, athlete_id, request_id, db::Bytes(content_sha256),
                          activity.start_us, activity.duration_s, activity.distance_m, activity.elevation_gain_m,
                          activity.average_heart_rate_bpm, activity.max_heart_rate_bpm, activity.device,
                          static_cast<int>(metadata.surface()), activity.sport,
                          static_cast<int64_t>(activity.samples.size()), static_cast<int64_t>(chunks.size()),
                          last_offset, metadata.shoe())[0]
            .c_str();
    for (size_t i = 0; i < chunks.size(); ++i) {
      const size_t begin = i * kChunk;
      const size_t end = std::min(activity.samples.size(), begin + kChunk);
      tx.exec_prepared(q::kIngestionInsertSampleChunk, session_id, 1, static_cast<int64_t>(i + 1),
                       static_cast<int>(end - begin), static_cast<int64_t>(activity.samples[begin].offset_ms()),
                       static_cast<int64_t>(activity.samples[end - 1].offset_ms()), db::Bytes(chunks[i]));
    }
    tx.exec_prepared(q::kIngestionInsertActivityFile, athlete_id, session_id, request_id,
                     static_cast<int>(activity.format), metadata.filename(), db::Bytes(content_sha256),
                     activity.fit_file_id, static_cast<int>(content.size()), db::Bytes(content));
    message.set_session(names::Session(athlete_id, session_id));
    outbox::Enqueue(tx, kScoreSessionTopic, message.SerializeAsString());
    return session_result(session_id, false);
  });
}

absl::StatusOr<v1::QuestionnaireResponse> IngestionRepository::CreateQuestionnaireResponse(
    const std::string& athlete_id, const std::string& request_id, const v1::QuestionnaireResponse& response) {
  v1::QuestionnaireResponse payload = response;
  payload.clear_name();
  payload.clear_create_time();
  payload.clear_scores();
  const std::string fingerprint = absl::StrCat(athlete_id, "|", Fingerprint(payload));
  const std::string id = names::NewUuid();
  v1::QuestionnaireResponse stored = response;
  stored.set_name(absl::StrCat(names::Athlete(athlete_id), "/questionnaireResponses/", id));
  const std::string bytes = stored.SerializeAsString();
  using Result = v1::QuestionnaireResponse;
  return db::RunInTransaction<Result>(pool_, "create_questionnaire_response", [&](pqxx::work& tx) -> absl::StatusOr<Result> {
    pqxx::result inserted = tx.exec_prepared(q::kIngestionInsertQuestionnaireResponse, id, athlete_id, request_id,
                                             db::Bytes(fingerprint), static_cast<int>(response.instrument()),
                                             timeutil::ToIsoDate(response.response_date()), db::Bytes(bytes));
    if (!inserted.empty()) {
      Result out = stored;
      *out.mutable_create_time() = timeutil::FromMicros(inserted[0]["create_us"].as<int64_t>());
      return out;
    }
    pqxx::result existing = tx.exec_prepared(q::kIngestionFindQuestionnaireByRequest, request_id, db::Bytes(fingerprint));
    if (existing.empty()) return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    if (!existing[0]["same_payload"].as<bool>()) return RequestIdReused("questionnaire response");
    Result out;
    if (!out.ParseFromString(db::BytesOf(existing[0]["response"]))) return absl::DataLossError("a stored response is unreadable");
    *out.mutable_create_time() = timeutil::FromMicros(existing[0]["create_us"].as<int64_t>());
    return out;
  });
}

absl::StatusOr<IngestionRepository::QuestionnairePage> IngestionRepository::ListQuestionnaireResponses(
    const std::string& athlete_id, v1::Instrument instrument, const std::optional<pagination::Cursor>& after,
    int page_size) {
  std::optional<std::string> after_date;
  std::optional<std::string> after_id;
  if (after.has_value()) {
    if (!timeutil::ParseIsoDate(after->key).ok() || !names::IsUuid(after->id)) {
      return InvalidArgumentWithFields("INVALID_PAGE_TOKEN", {{"page_token", "is malformed"}});
    }
    after_date = after->key;
    after_id = after->id;
  }
  return db::RunInTransaction<QuestionnairePage>(pool_, "list_questionnaire_responses", [&](pqxx::work& tx) -> absl::StatusOr<QuestionnairePage> {
    if (tx.exec_prepared(q::kIngestionGetAthlete, athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    }
    pqxx::result rows = tx.exec_prepared(q::kIngestionListQuestionnaireResponses, athlete_id,
                                         static_cast<int>(instrument), after_date, after_id, page_size + 1);
    QuestionnairePage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      v1::QuestionnaireResponse r;
      if (!r.ParseFromString(db::BytesOf(rows[i]["response"]))) return absl::DataLossError("a stored response is unreadable");
      *r.mutable_create_time() = timeutil::FromMicros(rows[i]["create_us"].as<int64_t>());
      page.responses.push_back(std::move(r));
    }
    page.next = db::NextPageCursor(rows, page_size, "response_date");
    return page;
  });
}

absl::StatusOr<v1::Clinic> IngestionRepository::CreateClinic(const std::string& request_id, const v1::Clinic& clinic) {
  return db::RunInTransaction<v1::Clinic>(pool_, "create_clinic", [&](pqxx::work& tx) -> absl::StatusOr<v1::Clinic> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionInsertClinic, request_id, clinic.display_name());
    if (rows.empty()) {
      rows = tx.exec_prepared(q::kIngestionFindClinicByRequest, request_id);
      if (rows.empty()) return absl::AbortedError("concurrent create; retry");
      if (rows[0]["name"].c_str() != clinic.display_name()) return RequestIdReused("clinic");
    }
    v1::Clinic out;
    out.set_name(absl::StrCat("clinics/", rows[0]["id"].c_str()));
    out.set_display_name(rows[0]["name"].c_str());
    *out.mutable_create_time() = timeutil::FromMicros(rows[0]["create_us"].as<int64_t>());
    return out;
  });
}

absl::StatusOr<v1::CareLink> IngestionRepository::CreateCareLink(const std::string& athlete_id,
                                                                 const std::string& clinic_id,
                                                                 const std::string& request_id) {
  return db::RunInTransaction<v1::CareLink>(pool_, "create_care_link", [&](pqxx::work& tx) -> absl::StatusOr<v1::CareLink> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionInsertCareLink, athlete_id, clinic_id, request_id);
    if (!rows.empty()) return CareLinkFromRow(rows[0]);
    rows = tx.exec_prepared(q::kIngestionFindCareLinkByRequest, request_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " or clinics/", clinic_id, " not found"));
    }
    if (absl::string_view(rows[0]["athlete_id"].c_str()) != athlete_id ||
        absl::string_view(rows[0]["clinic_id"].c_str()) != clinic_id) {
      return RequestIdReused("care link");
    }
    return CareLinkFromRow(rows[0]);
  });
}

absl::StatusOr<v1::CareLink> IngestionRepository::RevokeCareLink(const std::string& athlete_id, const std::string& link_id) {
  return db::RunInTransaction<v1::CareLink>(pool_, "revoke_care_link", [&](pqxx::work& tx) -> absl::StatusOr<v1::CareLink> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionRevokeCareLink, link_id, athlete_id);
    if (rows.empty()) return absl::NotFoundError("care link not found");
    return CareLinkFromRow(rows[0]);
  });
}

absl::StatusOr<IngestionRepository::CareLinkPage> IngestionRepository::ListCareLinks(
    const std::string& athlete_id, const std::optional<pagination::Cursor>& after, int page_size) {
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<CareLinkPage>(pool_, "list_care_links", [&](pqxx::work& tx) -> absl::StatusOr<CareLinkPage> {
    if (tx.exec_prepared(q::kIngestionGetAthlete, athlete_id).empty()) {
      return absl::NotFoundError(absl::StrCat(names::Athlete(athlete_id), " not found"));
    }
    pqxx::result rows = tx.exec_prepared(q::kIngestionListCareLinks, athlete_id, after_us, after_id, page_size + 1);
    CareLinkPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) page.links.push_back(CareLinkFromRow(rows[i]));
    page.next = db::NextPageCursor(rows, page_size, "grant_us");
    return page;
  });
}

namespace {

v1::Clinician ClinicianFromRow(const pqxx::row& row) {
  v1::Clinician c;
  c.set_name(absl::StrCat("clinics/", row["clinic_id"].c_str(), "/clinicians/", row["id"].c_str()));
  c.set_display_name(row["display_name"].c_str());
  c.set_role(absl::string_view(row["role"].c_str()) == "CLINIC_ADMIN" ? v1::CLINICIAN_ROLE_CLINIC_ADMIN
                                                                      : v1::CLINICIAN_ROLE_CLINICIAN);
  *c.mutable_create_time() = timeutil::FromMicros(row["create_us"].as<int64_t>());
  if (!row["disable_us"].is_null()) *c.mutable_disable_time() = timeutil::FromMicros(row["disable_us"].as<int64_t>());
  c.set_active(row["disable_us"].is_null());
  return c;
}

}  // namespace

absl::StatusOr<IngestionRepository::CareLinkPage> IngestionRepository::ListClinicCareLinks(
    const std::string& clinic_id, const std::optional<pagination::Cursor>& after, int page_size) {
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<CareLinkPage>(pool_, "list_clinic_care_links", [&](pqxx::work& tx) -> absl::StatusOr<CareLinkPage> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionListClinicCareLinks, clinic_id, after_us, after_id, page_size + 1);
    CareLinkPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) page.links.push_back(CareLinkFromRow(rows[i]));
    page.next = db::NextPageCursor(rows, page_size, "grant_us");
    return page;
  });
}

absl::StatusOr<v1::Clinician> IngestionRepository::CreateClinician(const std::string& clinic_id,
                                                                   const std::string& request_id,
                                                                   const v1::Clinician& clinician) {
  v1::Clinician payload;
  payload.set_display_name(clinician.display_name());
  payload.set_role(clinician.role());
  const std::string fingerprint = absl::StrCat(clinic_id, "|", Fingerprint(payload));
  const std::string role = clinician.role() == v1::CLINICIAN_ROLE_CLINIC_ADMIN ? "CLINIC_ADMIN" : "CLINICIAN";
  return db::RunInTransaction<v1::Clinician>(pool_, "create_clinician", [&](pqxx::work& tx) -> absl::StatusOr<v1::Clinician> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionInsertClinician, names::NewUuid(), request_id,
                                         db::Bytes(fingerprint), clinician.display_name(), role, clinic_id);
    if (!rows.empty()) return ClinicianFromRow(rows[0]);
    rows = tx.exec_prepared(q::kIngestionFindClinicianByRequest, request_id, db::Bytes(fingerprint));
    if (rows.empty()) return absl::NotFoundError(absl::StrCat("clinics/", clinic_id, " not found"));
    if (!rows[0]["same_payload"].as<bool>()) return RequestIdReused("clinician");
    return ClinicianFromRow(rows[0]);
  });
}

absl::StatusOr<IngestionRepository::ClinicianPage> IngestionRepository::ListClinicians(
    const std::string& clinic_id, const std::optional<pagination::Cursor>& after, int page_size) {
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  return db::RunInTransaction<ClinicianPage>(pool_, "list_clinicians", [&](pqxx::work& tx) -> absl::StatusOr<ClinicianPage> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionListClinicians, clinic_id, after_us, after_id, page_size + 1);
    ClinicianPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) page.clinicians.push_back(ClinicianFromRow(rows[i]));
    page.next = db::NextPageCursor(rows, page_size, "create_us");
    return page;
  });
}

absl::StatusOr<v1::Clinician> IngestionRepository::DisableClinician(const std::string& clinic_id,
                                                                    const std::string& clinician_id) {
  return db::RunInTransaction<v1::Clinician>(pool_, "disable_clinician", [&](pqxx::work& tx) -> absl::StatusOr<v1::Clinician> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionDisableClinician, clinician_id, clinic_id);
    if (rows.empty()) return absl::NotFoundError("clinician not found");
    return ClinicianFromRow(rows[0]);
  });
}

absl::StatusOr<IngestionRepository::AuditPage> IngestionRepository::ListAuditEvents(
    const std::string& athlete_id, const std::string& clinic_id, const std::optional<pagination::Cursor>& after,
    int page_size) {
  absl::StatusOr<pagination::TimeCursor> cursor = pagination::ParseTimeCursor(after);
  if (!cursor.ok()) return cursor.status();
  const std::optional<int64_t>& after_us = cursor->us;
  const std::optional<std::string>& after_id = cursor->id;
  std::optional<std::string> athlete = athlete_id.empty() ? std::nullopt : std::optional<std::string>(athlete_id);
  std::optional<std::string> clinic = clinic_id.empty() ? std::nullopt : std::optional<std::string>(clinic_id);
  return db::RunInTransaction<AuditPage>(pool_, "list_audit_events", [&](pqxx::work& tx) -> absl::StatusOr<AuditPage> {
    pqxx::result rows = tx.exec_prepared(q::kIngestionListAuditEvents, athlete, clinic, after_us, after_id, page_size + 1);
    AuditPage page;
    for (int i = 0; i < db::PageRows(rows, page_size); ++i) {
      const pqxx::row& row = rows[i];
      v1::AuditEvent e;
      *e.mutable_event_time() = timeutil::FromMicros(row["event_us"].as<int64_t>());
      e.set_actor(row["actor"].c_str());
      e.set_actor_role(row["actor_role"].c_str());
      if (!row["actor_clinic_id"].is_null()) e.set_actor_clinic(absl::StrCat("clinics/", row["actor_clinic_id"].c_str()));
      if (!row["athlete_id"].is_null()) e.set_athlete(names::Athlete(row["athlete_id"].c_str()));
      e.set_service(row["service"].c_str());
      e.set_method(row["method"].c_str());
      e.set_resource(row["resource"].c_str());
      e.set_outcome(row["outcome"].c_str());
      page.events.push_back(std::move(e));
    }
    page.next = db::NextPageCursor(rows, page_size, "event_us");
    return page;
  });
}

}  // namespace gaitkeeper::ingestion
