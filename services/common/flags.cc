#include "services/common/flags.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gaitkeeper {

Flags::Flags(std::string program) : program_(std::move(program)) {}

void Flags::AddString(std::string name, std::string env, std::string default_value,
                      std::string help) {
  Spec spec;
  spec.kind = Kind::kString;
  spec.env = std::move(env);
  spec.default_value = default_value;
  spec.help = std::move(help);
  spec.value = std::move(default_value);
  specs_.emplace(std::move(name), std::move(spec));
}

void Flags::AddInt(std::string name, std::string env, int64_t default_value, int64_t min,
                   int64_t max, std::string help) {
  Spec spec;
  spec.kind = Kind::kInt;
  spec.env = std::move(env);
  spec.default_value = std::to_string(default_value);
  spec.help = std::move(help);
  spec.min = min;
  spec.max = max;
  spec.value = spec.default_value;
  spec.int_value = default_value;
  specs_.emplace(std::move(name), std::move(spec));
}

void Flags::AddChoice(std::string name, std::string env, std::string default_value,
                      std::vector<std::string> choices, std::string help) {
  Spec spec;
  spec.kind = Kind::kChoice;
  spec.env = std::move(env);
  spec.default_value = default_value;
  spec.help = std::move(help);
  spec.choices = std::move(choices);
  spec.value = std::move(default_value);
  specs_.emplace(std::move(name), std::move(spec));
}

std::optional<std::string> Flags::ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::Status Flags::Assign(const std::string& name, Spec& spec, const std::string& value,
                           const std::string& origin) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " (env ", spec.env, ") from ", origin,
                                                   ": ", why));
  };
  switch (spec.kind) {
    case Kind::kString:
      break;
    case Kind::kInt: {
      int64_t parsed = 0;
      if (!absl::SimpleAtoi(value, &parsed)) return bad("not an integer");
      if (parsed < spec.min || parsed > spec.max) {
        return bad(absl::StrCat("must be between ", spec.min, " and ", spec.max));
      }
      spec.int_value = parsed;
      break;
    }
    case Kind::kChoice: {
      bool known = false;
      for (const std::string& c : spec.choices) known = known || c == value;
      if (!known) return bad(absl::StrCat("must be one of ", absl::StrJoin(spec.choices, ", ")));
      break;
    }
  }
  spec.value = value;
  spec.source = origin;
  return absl::OkStatus();
}

absl::Status Flags::Parse(int argc, const char* const* argv, const EnvLookup& env) {
  for (auto& [name, spec] : specs_) {
    std::optional<std::string> value = env(spec.env);
    if (value.has_value() && !value->empty()) {
      absl::Status status = Assign(name, spec, *value, "env");
      if (!status.ok()) return status;
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    arg.remove_prefix(2);
    std::string name;
    std::string value;
    size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      value = argv[++i];
    }
    auto it = specs_.find(name);
    if (it == specs_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, "; see --help"));
    }
    absl::Status status = Assign(it->first, it->second, value, "flag");
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", program_, " [--flag=value ...]\n\n");
  for (const auto& [name, spec] : specs_) {
    absl::StrAppend(&out, "  --", name, "  (env ", spec.env, ", default '", spec.default_value,
                    "')\n      ", spec.help, "\n");
  }
  return out;
}

const std::string& Flags::GetString(absl::string_view name) const {
  return specs_.find(name)->second.value;
}

int64_t Flags::GetInt(absl::string_view name) const { return specs_.find(name)->second.int_value; }

const std::string& Flags::SourceOf(absl::string_view name) const {
  return specs_.find(name)->second.source;
}

}  // namespace gaitkeeper
