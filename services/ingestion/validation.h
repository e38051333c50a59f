#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"
#include "services/ingestion/questionnaires/questionnaires.h"

// Request validation for ingestion: pure functions, no I/O. Each returns OK or InvalidArgument
// with one BadRequest field violation per bad field (paths relative to the request, e.g.
// "athlete.height_cm", "samples[12].cadence_spm"), so nothing invalid reaches the database.
namespace gaitkeeper::ingestion {

inline constexpr int kMaxSamplesPerBatch = 3600;
inline constexpr int kMaxViolationsReported = 50;
inline constexpr size_t kMaxTextLength = 200;
// Sessions last at most 48 hours.
inline constexpr uint32_t kMaxOffsetMs = 48u * 3600u * 1000u;

// `now_us` is the server's clock (µs since epoch), injected for tests.
absl::Status ValidateCreateAthlete(const v1::CreateAthleteRequest& request, int64_t now_us);
// The mutable Athlete fields an update mask may name (empty mask = all of them).
const std::vector<std::string>& MutableAthleteFields();
// Checks the mask's paths (field "update_mask") and the resulting athlete's values (field
// prefix "athlete.").
absl::Status ValidateUpdateAthlete(const v1::UpdateAthleteRequest& request, const v1::Athlete& merged, int64_t now_us);

absl::Status ValidateCreateSession(const v1::CreateSessionRequest& request, int64_t now_us);
// Checks the batch's own shape and values. RESOURCE_EXHAUSTED when it holds more than
// kMaxSamplesPerBatch samples.
absl::Status ValidateUploadBatch(const v1::UploadSamplesRequest& request);
inline constexpr int kMaxImuSamplesPerBatch = 10000;
// Checks an IMU batch's shape, stream definition and values. RESOURCE_EXHAUSTED above
// kMaxImuSamplesPerBatch samples.
absl::Status ValidateImuBatch(const v1::UploadImuSamplesRequest& request);
// Samples whose accelerometer reading on any axis reaches 99.5 % of the range (clipped).
int64_t CountClipped(const v1::UploadImuSamplesRequest& request);

absl::Status ValidateCreatePainReport(const v1::CreatePainReportRequest& request, int64_t now_us);

// Checks parent-independent parts of a questionnaire response: request_id, instrument, date (not
// in the future), and every answer's item code and option index for the instrument
// (fields "questionnaire_response.answers[CODE]").
absl::Status ValidateCreateQuestionnaireResponse(const v1::CreateQuestionnaireResponseRequest& request, int64_t now_us);

// The scoring library's instrument for an API instrument; nullopt for UNSPECIFIED / unknown.
std::optional<questionnaires::Instrument> ToInstrument(v1::Instrument instrument);

// Clears every measurement of `sample` outside the ranges ValidateUploadBatch accepts (and a
// half position); returns the names cleared. Imported files are repaired this way, not refused.
std::vector<std::string> ClearOutOfRange(v1::DynamicsSample* sample);

inline constexpr size_t kMaxImportChunkBytes = 1u << 20;
// request_id, format, surface, filename and shoe of an import (parent is parsed by the caller).
absl::Status ValidateImportMetadata(const v1::ImportMetadata& metadata);

// A request_id must be a UUID.
bool IsValidRequestId(const std::string& request_id);

}  // namespace gaitkeeper::ingestion
