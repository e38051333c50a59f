#include "services/common/rpc.h"

namespace gaitkeeper {

void LogRpc(absl::string_view method, const Caller* caller, const absl::Status& status,
            absl::Duration elapsed) {
  log::Level level = log::Level::kDebug;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      level = log::Level::kDebug;
      break;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
      level = log::Level::kError;
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      level = log::Level::kWarning;
      break;
    default:
      level = log::Level::kInfo;  // the client's mistake: worth a line, not an alarm
  }
  log::Write(level, "rpc",
             {{"method", method},
              {"caller_role", caller != nullptr ? RoleName(caller->role) : "unresolved"},
              {"code", absl::StatusCodeToString(status.code())},
              {"reason", ReasonOf(status)},
              {"ms", absl::ToDoubleMilliseconds(elapsed)}});
}

}  // namespace gaitkeeper
