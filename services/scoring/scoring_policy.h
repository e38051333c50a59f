#pragma once

#include "services/common/authz/policy.h"

namespace gaitkeeper::scoring {

// Who may call each ScoringService RPC (docs/SECURITY.md). A method missing here is refused.
const authz::Policy& ScoringPolicy();

}  // namespace gaitkeeper::scoring
