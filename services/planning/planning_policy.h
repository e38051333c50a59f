#pragma once

#include "services/common/authz/policy.h"

namespace gaitkeeper::planning {

// Who may call each PlanningService RPC (docs/SECURITY.md). A method missing here is refused.
const authz::Policy& PlanningPolicy();

}  // namespace gaitkeeper::planning
