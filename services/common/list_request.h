#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/pagination.h"

namespace gaitkeeper::pagination {

// The common part of every List RPC under "athletes/{athlete}": the parent, the page size, and the
// page token bound to this list (`kind`) and its filters (`filter`, any text that changes with
// them).
struct AthleteList {
  std::string athlete_id;
  int page_size = kDefaultPageSize;
  std::optional<Cursor> after;
  std::string scope;

  // The next page's token, or "" on the last page.
  std::string NextToken(const std::optional<Cursor>& next) const { return next.has_value() ? Encode(scope, *next) : ""; }
};

// InvalidArgument naming "parent", "page_size" or "page_token".
absl::StatusOr<AthleteList> ParseAthleteList(absl::string_view parent, int32_t page_size, absl::string_view page_token,
                                             absl::string_view kind, absl::string_view filter = "");

// The same for a parent that may be "athletes/{athlete}" or "clinics/{clinic}" (lists that an
// athlete and a clinic both see: care links, audit events). Exactly one of athlete_id/clinic_id
// is set.
struct ParentList {
  std::string athlete_id;
  std::string clinic_id;
  int page_size = kDefaultPageSize;
  std::optional<Cursor> after;
  std::string scope;

  std::string NextToken(const std::optional<Cursor>& next) const { return next.has_value() ? Encode(scope, *next) : ""; }
};

absl::StatusOr<ParentList> ParseAthleteOrClinicList(absl::string_view parent, int32_t page_size,
                                                    absl::string_view page_token, absl::string_view kind);

}  // namespace gaitkeeper::pagination
