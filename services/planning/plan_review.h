#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "gaitkeeper/planning/v1/planning.pb.h"

// Clinician edits of a plan and adherence: pure functions, no I/O.
namespace gaitkeeper::planning {

// Applies `edits` in order to a copy of `plan`. Indices refer to the plan as it is when that edit
// applies (after earlier edits). InvalidArgument naming "edits[i]..." for an index out of range,
// a negative dose, a cadence target outside 120–230 steps/min or an empty note.
absl::StatusOr<v1::Plan> ApplyEdits(const v1::Plan& plan, const std::vector<v1::PlanEdit>& edits);

// Planned vs done for `plan`: every item except education counts as planned once; an item counts
// as done when at least one log names it (extra logs of the same item do not count twice).
v1::AdherenceSummary ComputeAdherence(const v1::Plan& plan, const std::vector<v1::CompletionLog>& logs);

}  // namespace gaitkeeper::planning
