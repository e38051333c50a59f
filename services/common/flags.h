#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"

namespace gaitkeeper {

// Command-line flags with environment fallbacks: `--name=value` (or `--name value`) wins, then
// the environment variable, then the default. Unknown flags and bad values are errors, so a
// service fails fast at start rather than running misconfigured.
class Flags {
 public:
  // Looks up an environment variable; injectable for tests.
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  explicit Flags(std::string program);

  void AddString(std::string name, std::string env, std::string default_value, std::string help);
  // An integer in [min, max].
  void AddInt(std::string name, std::string env, int64_t default_value, int64_t min, int64_t max,
              std::string help);
  // A string that must be one of `choices`.
  void AddChoice(std::string name, std::string env, std::string default_value,
                 std::vector<std::string> choices, std::string help);

  // Parses argv (argv[0] skipped) and the environment. Returns InvalidArgument naming the flag
  // and its environment variable on any bad or unknown value.
  absl::Status Parse(int argc, const char* const* argv, const EnvLookup& env = ProcessEnv);

  // True when --help was given; print Usage() and exit 0.
  bool help_requested() const { return help_requested_; }
  std::string Usage() const;

  const std::string& GetString(absl::string_view name) const;
  int64_t GetInt(absl::string_view name) const;
  // Where the value came from: "flag", "env" or "default" (logged at start).
  const std::string& SourceOf(absl::string_view name) const;

  static std::optional<std::string> ProcessEnv(const std::string& name);

 private:
  enum class Kind { kString, kInt, kChoice };
  struct Spec {
    Kind kind = Kind::kString;
    std::string env;
    std::string default_value;
    std::string help;
    int64_t min = 0;
    int64_t max = 0;
    std::vector<std::string> choices;
    std::string value;
    int64_t int_value = 0;
    std::string source = "default";
  };
  absl::Status Assign(const std::string& name, Spec& spec, const std::string& value,
                      const std::string& origin);

  std::string program_;
  std::map<std::string, Spec, std::less<>> specs_;
  bool help_requested_ = false;
};

}  // namespace gaitkeeper
