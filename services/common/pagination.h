#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

// Opaque keyset page tokens (AIP-158). A token carries the sort key of the last row returned and
// is bound to the list it came from (`scope`, e.g. "sessions:athletes/{a}"), so it cannot be
// replayed against another parent or filter.
namespace gaitkeeper::pagination {

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

struct Cursor {
  std::string key;  // first sort key (µs or a date), as text
  std::string id;   // tie-breaker id (UUID)
};

// page_size 0 -> default; negative -> InvalidArgument on "page_size"; above max -> max.
absl::StatusOr<int> EffectivePageSize(int32_t page_size);

std::string Encode(absl::string_view scope, const Cursor& cursor);
// InvalidArgument on "page_token" when malformed or issued for another scope.
absl::StatusOr<Cursor> Decode(absl::string_view token, absl::string_view scope);

// A cursor whose key is a µs timestamp, as the two optional SQL parameters of a keyset query
// (both empty on the first page).
struct TimeCursor {
  std::optional<int64_t> us;
  std::optional<std::string> id;
};
// InvalidArgument INVALID_PAGE_TOKEN on "page_token" when the key is not a number or the id not a UUID.
absl::StatusOr<TimeCursor> ParseTimeCursor(const std::optional<Cursor>& after);

}  // namespace gaitkeeper::pagination
