#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "gaitkeeper/ingestion/v1/ingestion.pb.h"

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
absl::Status ValidateCreateSession(const v1::CreateSessionRequest& request, int64_t now_us);
// Checks the batch's own shape and values. RESOURCE_EXHAUSTED when it holds more than
// kMaxSamplesPerBatch samples.
absl::Status ValidateUploadBatch(const v1::UploadSamplesRequest& request);
absl::Status ValidateCreatePainReport(const v1::CreatePainReportRequest& request, int64_t now_us);

// A request_id must be a UUID.
bool IsValidRequestId(const std::string& request_id);

}  // namespace gaitkeeper::ingestion
