#include "services/common/pagination.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"

namespace gaitkeeper::pagination {

absl::StatusOr<int> EffectivePageSize(int32_t page_size) {
  if (page_size < 0) {
    return InvalidArgumentWithFields("INVALID_PAGE_SIZE", {{"page_size", "must not be negative"}});
  }
  if (page_size == 0) return kDefaultPageSize;
  return page_size > kMaxPageSize ? kMaxPageSize : page_size;
}

std::string Encode(absl::string_view scope, const Cursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1|", scope, "|", cursor.key, "|", cursor.id));
}

absl::StatusOr<Cursor> Decode(absl::string_view token, absl::string_view scope) {
  auto bad = [] {
    return InvalidArgumentWithFields(
        "INVALID_PAGE_TOKEN",
        {{"page_token", "is not a token returned by this list with the same parent and filters"}});
  };
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad();
  std::vector<std::string> parts = absl::StrSplit(raw, '|');
  if (parts.size() != 4 || parts[0] != "v1" || parts[1] != scope) return bad();
  return Cursor{parts[2], parts[3]};
}

absl::StatusOr<TimeCursor> ParseTimeCursor(const std::optional<Cursor>& after) {
  TimeCursor out;
  if (!after.has_value()) return out;
  int64_t us = 0;
  if (!absl::SimpleAtoi(after->key, &us) || !names::IsUuid(after->id)) {
    return InvalidArgumentWithFields("INVALID_PAGE_TOKEN", {{"page_token", "is malformed"}});
  }
  out.us = us;
  out.id = after->id;
  return out;
}

}  // namespace gaitkeeper::pagination
