#include "services/common/resource_names.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/common/status.h"

namespace gaitkeeper::names {

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

namespace {
// A version-4-shaped UUID from 128 bits.
std::string FormatUuid(uint64_t hi, uint64_t lo) {
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                         lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}
}  // namespace

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = rng();
  return FormatUuid(hi, rng());
}

std::string UuidFromDigest(absl::string_view digest) {
  uint64_t half[2] = {0, 0};
  for (size_t i = 0; i < 16 && i < digest.size(); ++i) {
    half[i / 8] = (half[i / 8] << 8) | static_cast<unsigned char>(digest[i]);
  }
  return FormatUuid(half[0], half[1]);
}

absl::StatusOr<std::vector<std::string>> Parse(absl::string_view name,
                                               const std::vector<absl::string_view>& collections,
                                               absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::string pattern;
  for (absl::string_view c : collections) absl::StrAppend(&pattern, pattern.empty() ? "" : "/", c, "/{id}");
  auto bad = [&] {
    return InvalidArgumentWithFields(
        "INVALID_RESOURCE_NAME",
        {{std::string(field), absl::StrCat(name.empty() ? "is required" : "is not a valid name",
                                           "; expected ", pattern, " with UUID ids")}});
  };
  if (parts.size() != collections.size() * 2) return bad();
  std::vector<std::string> ids;
  for (size_t i = 0; i < collections.size(); ++i) {
    if (parts[2 * i] != collections[i] || !IsUuid(parts[2 * i + 1])) return bad();
    ids.push_back(absl::AsciiStrToLower(parts[2 * i + 1]));
  }
  return ids;
}

absl::StatusOr<std::string> ParseAthlete(absl::string_view name, absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> ids = Parse(name, {"athletes"}, field);
  if (!ids.ok()) return ids.status();
  return (*ids)[0];
}

absl::StatusOr<SessionRef> ParseSession(absl::string_view name, absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> ids = Parse(name, {"athletes", "sessions"}, field);
  if (!ids.ok()) return ids.status();
  return SessionRef{(*ids)[0], (*ids)[1]};
}

std::string Athlete(absl::string_view athlete_id) { return absl::StrCat("athletes/", athlete_id); }
std::string Session(absl::string_view athlete_id, absl::string_view session_id) {
  return absl::StrCat("athletes/", athlete_id, "/sessions/", session_id);
}
std::string PainReport(absl::string_view athlete_id, absl::string_view report_id) {
  return absl::StrCat("athletes/", athlete_id, "/painReports/", report_id);
}
std::string Score(absl::string_view athlete_id, absl::string_view session_id) {
  return absl::StrCat(Session(athlete_id, session_id), "/score");
}
std::string Plan(absl::string_view athlete_id, absl::string_view plan_id) {
  return absl::StrCat("athletes/", athlete_id, "/plans/", plan_id);
}

}  // namespace gaitkeeper::names
