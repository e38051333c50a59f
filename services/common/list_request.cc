#include "services/common/list_request.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/resource_names.h"

namespace gaitkeeper::pagination {

absl::StatusOr<AthleteList> ParseAthleteList(absl::string_view parent, int32_t page_size, absl::string_view page_token,
                                             absl::string_view kind, absl::string_view filter) {
  absl::StatusOr<std::string> athlete = names::ParseAthlete(parent, "parent");
  if (!athlete.ok()) return athlete.status();
  absl::StatusOr<int> size = EffectivePageSize(page_size);
  if (!size.ok()) return size.status();
  AthleteList list;
  list.athlete_id = *athlete;
  list.page_size = *size;
  list.scope = absl::StrCat(kind, ":", *athlete, ":", filter);
  if (!page_token.empty()) {
    absl::StatusOr<Cursor> cursor = Decode(page_token, list.scope);
    if (!cursor.ok()) return cursor.status();
    list.after = *cursor;
  }
  return list;
}

absl::StatusOr<ParentList> ParseAthleteOrClinicList(absl::string_view parent, int32_t page_size,
                                                    absl::string_view page_token, absl::string_view kind) {
  ParentList list;
  if (absl::StartsWith(parent, "clinics/")) {
    absl::StatusOr<std::vector<std::string>> clinic = names::Parse(parent, {"clinics"}, "parent");
    if (!clinic.ok()) return clinic.status();
    list.clinic_id = (*clinic)[0];
  } else {
    absl::StatusOr<std::string> athlete = names::ParseAthlete(parent, "parent");
    if (!athlete.ok()) return athlete.status();
    list.athlete_id = *athlete;
  }
  absl::StatusOr<int> size = EffectivePageSize(page_size);
  if (!size.ok()) return size.status();
  list.page_size = *size;
  list.scope = absl::StrCat(kind, ":", parent);
  if (!page_token.empty()) {
    absl::StatusOr<Cursor> cursor = Decode(page_token, list.scope);
    if (!cursor.ok()) return cursor.status();
    list.after = *cursor;
  }
  return list;
}

}  // namespace gaitkeeper::pagination
