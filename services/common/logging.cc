#include "services/common/logging.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gaitkeeper::log {
namespace {

std::mutex& ServiceMutex() {
  static std::mutex mu;
  return mu;
}
std::string& ServiceName() {
  static std::string name = "gaitkeeper";
  return name;
}
std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace

Value::Value(double v) : quoted_(false) {
  // JSON has no NaN or infinity.
  text_ = std::isfinite(v) ? absl::StrFormat("%.6g", v) : "null";
}

void SetService(absl::string_view service) {
  std::lock_guard<std::mutex> lock(ServiceMutex());
  ServiceName() = std::string(service);
}

void SetMinLevel(Level level) { g_min_level.store(static_cast<int>(level)); }

bool ParseLevel(absl::string_view text, Level* level) {
  if (text == "debug") *level = Level::kDebug;
  else if (text == "info") *level = Level::kInfo;
  else if (text == "warning") *level = Level::kWarning;
  else if (text == "error") *level = Level::kError;
  else return false;
  return true;
}

std::string Format(Level level, absl::string_view event, Fields fields) {
  std::string line = "{\"ts\":";
  AppendJsonString(&line, absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"service\":");
  {
    std::lock_guard<std::mutex> lock(ServiceMutex());
    AppendJsonString(&line, ServiceName());
  }
  line.append(",\"event\":");
  AppendJsonString(&line, event);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(&line, key);
    line.push_back(':');
    if (value.quoted()) {
      AppendJsonString(&line, value.text());
    } else {
      line.append(value.text());
    }
  }
  line.append("}\n");
  return line;
}

void Write(Level level, absl::string_view event, Fields fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::string line = Format(level, event, fields);
  // One fwrite per line: POSIX stdio locks the stream, so lines from threads do not interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace gaitkeeper::log
