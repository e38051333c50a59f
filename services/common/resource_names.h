#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

// Resource names of the public API (AIP-122): "athletes/{athlete}",
// "athletes/{athlete}/sessions/{session}", ... Every id is a UUID in canonical lower-case form.
namespace gaitkeeper::names {

// True for a canonical 8-4-4-4-12 hex UUID (either case).
bool IsUuid(absl::string_view text);
// A new random (version 4) UUID, lower case.
std::string NewUuid();
// A version-4-shaped UUID made from the first 16 bytes of `digest` (e.g. a SHA-256): the same
// input always gives the same id.
std::string UuidFromDigest(absl::string_view digest);

// Parses `name` against `collections` ({"athletes", "sessions"} for
// "athletes/{a}/sessions/{s}") and returns the ids, lower-cased. InvalidArgument with a
// BadRequest violation on `field` when it does not match.
absl::StatusOr<std::vector<std::string>> Parse(absl::string_view name,
                                               const std::vector<absl::string_view>& collections,
                                               absl::string_view field);

struct SessionRef {
  std::string athlete_id;
  std::string session_id;
};

absl::StatusOr<std::string> ParseAthlete(absl::string_view name, absl::string_view field);
absl::StatusOr<SessionRef> ParseSession(absl::string_view name, absl::string_view field);

std::string Athlete(absl::string_view athlete_id);
std::string Session(absl::string_view athlete_id, absl::string_view session_id);
std::string PainReport(absl::string_view athlete_id, absl::string_view report_id);
std::string Score(absl::string_view athlete_id, absl::string_view session_id);
std::string Plan(absl::string_view athlete_id, absl::string_view plan_id);

}  // namespace gaitkeeper::names
