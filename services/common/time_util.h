#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "gaitkeeper/common/v1/common.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace gaitkeeper::timeutil {

// Microseconds since the Unix epoch <-> google.protobuf.Timestamp (nanos truncated to µs).
int64_t ToMicros(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp FromMicros(int64_t micros);
int64_t NowMicros();

// "YYYY-MM-DD" <-> gaitkeeper.common.v1.Date. ParseIsoDate fails with InvalidArgument.
std::string ToIsoDate(const common::v1::Date& date);
absl::StatusOr<common::v1::Date> ParseIsoDate(const std::string& text);
// True for a real calendar date between 1900 and 2200.
bool IsValidDate(const common::v1::Date& date);
// The UTC calendar date of a time, and date arithmetic.
common::v1::Date DateOfMicros(int64_t micros);
common::v1::Date AddDays(const common::v1::Date& date, int days);
// 0 = Monday ... 6 = Sunday.
int Weekday(const common::v1::Date& date);

}  // namespace gaitkeeper::timeutil
