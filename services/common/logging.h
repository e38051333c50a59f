#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>

// The one logger of every Gaitkeeper binary: one JSON object per line on stderr,
// {"ts":"...","level":"info","service":"ingestion","event":"server_started","port":50051}.
// Never log sample payloads, pain values, questionnaire answers or tokens: log identifiers,
// counts and codes.
namespace gaitkeeper::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A value in a log line: strings are JSON-escaped, numbers and booleans written as such.
class Value {
 public:
  Value(absl::string_view s) : text_(s), quoted_(true) {}
  Value(const std::string& s) : text_(s), quoted_(true) {}
  Value(const char* s) : text_(s), quoted_(true) {}
  Value(bool b) : text_(b ? "true" : "false"), quoted_(false) {}
  Value(int v) : text_(std::to_string(v)), quoted_(false) {}
  Value(long v) : text_(std::to_string(v)), quoted_(false) {}
  Value(long long v) : text_(std::to_string(v)), quoted_(false) {}
  Value(unsigned v) : text_(std::to_string(v)), quoted_(false) {}
  Value(unsigned long v) : text_(std::to_string(v)), quoted_(false) {}
  Value(unsigned long long v) : text_(std::to_string(v)), quoted_(false) {}
  Value(double v);

  const std::string& text() const { return text_; }
  bool quoted() const { return quoted_; }

 private:
  std::string text_;
  bool quoted_;
};

using Fields = std::initializer_list<std::pair<absl::string_view, Value>>;

// Names the binary in every line ("ingestion", "scoring", ...). Call once from main.
void SetService(absl::string_view service);
// Lines below `level` are dropped.
void SetMinLevel(Level level);
// Parses "debug" | "info" | "warning" | "error"; false when unknown.
bool ParseLevel(absl::string_view text, Level* level);

void Write(Level level, absl::string_view event, Fields fields = {});
inline void Debug(absl::string_view event, Fields fields = {}) { Write(Level::kDebug, event, fields); }
inline void Info(absl::string_view event, Fields fields = {}) { Write(Level::kInfo, event, fields); }
inline void Warning(absl::string_view event, Fields fields = {}) { Write(Level::kWarning, event, fields); }
inline void Error(absl::string_view event, Fields fields = {}) { Write(Level::kError, event, fields); }

// Formats one line without writing it (for tests).
std::string Format(Level level, absl::string_view event, Fields fields);

}  // namespace gaitkeeper::log
