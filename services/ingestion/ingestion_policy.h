#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/common/authz/policy.h"
#include "services/common/caller.h"

namespace gaitkeeper::ingestion {

// Who may call each IngestionService RPC (docs/SECURITY.md has the same table in prose). A
// method missing here is refused for everybody.
const authz::Policy& IngestionPolicy();

// The id of the athlete a CreateAthlete call creates: an athlete's own token subject (which must
// be a UUID: the identity provider issues it), or in development mode an id derived from the
// request_id (so that a retry finds the same athlete).
absl::StatusOr<std::string> NewAthleteId(const Caller& caller, const std::string& request_id);

}  // namespace gaitkeeper::ingestion
