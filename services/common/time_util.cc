#include "services/common/time_util.h"

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gaitkeeper::timeutil {
namespace {
absl::CivilDay ToCivil(const common::v1::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }
common::v1::Date FromCivil(absl::CivilDay day) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}
}  // namespace

int64_t ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  google::protobuf::Timestamp ts;
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

std::string ToIsoDate(const common::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

absl::StatusOr<common::v1::Date> ParseIsoDate(const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return absl::InvalidArgumentError("not a YYYY-MM-DD date");
  return FromCivil(day);
}

bool IsValidDate(const common::v1::Date& date) {
  if (date.year() < 1900 || date.year() > 2200) return false;
  absl::CivilDay day = ToCivil(date);
  return day.year() == date.year() && day.month() == date.month() && day.day() == date.day();
}

common::v1::Date DateOfMicros(int64_t micros) {
  return FromCivil(absl::ToCivilDay(absl::FromUnixMicros(micros), absl::UTCTimeZone()));
}

common::v1::Date AddDays(const common::v1::Date& date, int days) { return FromCivil(ToCivil(date) + days); }

int Weekday(const common::v1::Date& date) {
  switch (absl::GetWeekday(ToCivil(date))) {
    case absl::Weekday::monday: return 0;
    case absl::Weekday::tuesday: return 1;
    case absl::Weekday::wednesday: return 2;
    case absl::Weekday::thursday: return 3;
    case absl::Weekday::friday: return 4;
    case absl::Weekday::saturday: return 5;
    case absl::Weekday::sunday: return 6;
  }
  return 0;
}

}  // namespace gaitkeeper::timeutil
