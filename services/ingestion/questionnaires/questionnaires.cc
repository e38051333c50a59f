#include "services/ingestion/questionnaires/questionnaires.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

// Scoring rules, item lists and sources are documented in the header.
namespace gaitkeeper::ingestion::questionnaires {
namespace {

// Every KOOS and KOOS-PF item has five boxes, scored 0..4.
constexpr int kKoosOptions = 5;
constexpr double kKoosPointsPerStep = 100.0 / 4.0;
// Bounds the error message for hostile input: at most this many problems, codes cut to this length.
constexpr int kMaxProblemsReported = 50;
constexpr size_t kMaxCodeLengthReported = 32;

struct SubscaleDef {
  std::string name;
  std::vector<std::string> codes;  // form order
};

// One Kujala item: its code and the points of each option, in printed order (best first).
struct KujalaItem {
  std::string code;
  std::vector<int> points;
};

std::vector<std::string> NumberedCodes(absl::string_view prefix, int count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  for (int i = 1; i <= count; ++i) codes.push_back(absl::StrCat(prefix, i));
  return codes;
}

const std::vector<SubscaleDef>& KoosSubscales() {
  static const auto* const kSubscales = new std::vector<SubscaleDef>{
      {"pain", NumberedCodes("P", 9)},       {"symptoms", NumberedCodes("S", 7)},
      {"adl", NumberedCodes("A", 17)},       {"sport_rec", NumberedCodes("SP", 5)},
      {"qol", NumberedCodes("Q", 4)},
  };
  return *kSubscales;
}

const std::vector<SubscaleDef>& KoosPfSubscales() {
  static const auto* const kSubscales = new std::vector<SubscaleDef>{{"patellofemoral", NumberedCodes("PF", 11)}};
  return *kSubscales;
}

const std::vector<KujalaItem>& KujalaItems() {
  static const auto* const kItems = new std::vector<KujalaItem>{
      {"K1", {5, 3, 0}},            // limp
      {"K2", {5, 3, 0}},            // support
      {"K3", {5, 3, 2, 0}},         // walking
      {"K4", {10, 8, 5, 0}},        // stairs
      {"K5", {5, 4, 3, 2, 0}},      // squatting
      {"K6", {10, 8, 6, 3, 0}},     // running
      {"K7", {10, 7, 2, 0}},        // jumping
      {"K8", {10, 8, 6, 4, 0}},     // prolonged sitting with the knees flexed
      {"K9", {10, 8, 6, 3, 0}},     // pain
      {"K10", {10, 8, 6, 4, 0}},    // swelling
      {"K11", {10, 6, 4, 2, 0}},    // abnormal painful patellar movements
      {"K12", {5, 3, 0}},           // atrophy of thigh
      {"K13", {5, 3, 0}},           // flexion deficiency
  };
  return *kItems;
}

std::vector<std::pair<std::string, int>> KoosStyleItems(const std::vector<SubscaleDef>& subscales) {
  std::vector<std::pair<std::string, int>> items;
  for (const SubscaleDef& subscale : subscales) {
    for (const std::string& code : subscale.codes) items.emplace_back(code, kKoosOptions);
  }
  return items;
}

// A client-supplied code, quoted, C-escaped and cut to a bounded length, for error messages.
std::string Quoted(absl::string_view code) {
  const bool cut = code.size() > kMaxCodeLengthReported;
  return absl::StrCat("\"", absl::CHexEscape(code.substr(0, kMaxCodeLengthReported)), cut ? "...\"" : "\"");
}

// Checks every answer against the instrument's items; collects one message per bad answer.
absl::Status ValidateAnswers(const std::vector<std::pair<std::string, int>>& items, const Answers& answers,
                             absl::string_view instrument_name) {
  std::vector<std::string> problems;
  int not_reported = 0;
  for (const auto& [code, value] : answers) {
    int options = 0;
    for (const auto& [item_code, item_options] : items) {
      if (item_code == code) {
        options = item_options;
        break;
      }
    }
    const bool unknown = options == 0;
    if (!unknown && value >= 0 && value < options) continue;
    if (static_cast<int>(problems.size()) == kMaxProblemsReported) {
      ++not_reported;
    } else if (unknown) {
      problems.push_back(absl::StrCat("unknown item code ", Quoted(code), " for ", instrument_name));
    } else {
      problems.push_back(
          absl::StrCat("item ", Quoted(code), ": value ", value, " out of range [0, ", options - 1, "]"));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  if (not_reported > 0) problems.push_back(absl::StrCat("and ", not_reported, " more"));
  return absl::InvalidArgumentError(absl::StrCat("invalid answers: ", absl::StrJoin(problems, "; ")));
}

// KOOS 2012 rule: computed when at least half the items are answered; mean over answered items.
SubscaleScore ScoreKoosSubscale(const SubscaleDef& subscale, const Answers& answers) {
  SubscaleScore result;
  result.name = subscale.name;
  result.items = static_cast<int>(subscale.codes.size());
  int sum = 0;
  std::vector<absl::string_view> missing;
  for (const std::string& code : subscale.codes) {
    auto it = answers.find(code);
    if (it == answers.end()) {
      missing.push_back(code);
      continue;
    }
    sum += it->second;
    ++result.answered;
  }
  const int required = (result.items + 1) / 2;  // ceil(50 %)
  if (result.answered < required) {
    result.note = absl::StrCat("not computed: ", result.answered, " of ", result.items, " items answered, at least ",
                               required, " required");
    return result;
  }
  result.score = 100.0 - kKoosPointsPerStep * sum / result.answered;
  if (!missing.empty()) {
    result.note =
        absl::StrCat("mean of the ", result.answered, " answered items; missing: ", absl::StrJoin(missing, ", "));
  }
  return result;
}

SubscaleScore ScoreKujala(const Answers& answers) {
  SubscaleScore result;
  result.name = "total";
  result.items = static_cast<int>(KujalaItems().size());
  int total = 0;
  std::vector<absl::string_view> missing;
  for (const KujalaItem& item : KujalaItems()) {
    auto it = answers.find(item.code);
    if (it == answers.end()) {
      missing.push_back(item.code);
      continue;
    }
    total += item.points[it->second];
    ++result.answered;
  }
  if (!missing.empty()) {
    result.note = absl::StrCat("not computed: every item is required (items carry unequal weights); missing: ",
                               absl::StrJoin(missing, ", "));
    return result;
  }
  result.score = total;
  return result;
}

}  // namespace

const std::vector<std::pair<std::string, int>>& Items(Instrument instrument) {
  static const auto* const kKoos = new std::vector<std::pair<std::string, int>>(KoosStyleItems(KoosSubscales()));
  static const auto* const kKoosPf = new std::vector<std::pair<std::string, int>>(KoosStyleItems(KoosPfSubscales()));
  static const auto* const kKujala = [] {
    auto* items = new std::vector<std::pair<std::string, int>>();
    for (const KujalaItem& item : KujalaItems()) items->emplace_back(item.code, static_cast<int>(item.points.size()));
    return items;
  }();
  static const auto* const kNone = new std::vector<std::pair<std::string, int>>();
  switch (instrument) {
    case Instrument::kKoos:
      return *kKoos;
    case Instrument::kKoosPf:
      return *kKoosPf;
    case Instrument::kKujala:
      return *kKujala;
  }
  return *kNone;
}

absl::StatusOr<QuestionnaireScore> Score(Instrument instrument, const Answers& answers) {
  QuestionnaireScore result;
  result.instrument = instrument;
  switch (instrument) {
    case Instrument::kKoos:
    case Instrument::kKoosPf: {
      const bool koos = instrument == Instrument::kKoos;
      if (absl::Status status = ValidateAnswers(Items(instrument), answers, koos ? "KOOS" : "KOOS-PF"); !status.ok()) {
        return status;
      }
      for (const SubscaleDef& subscale : koos ? KoosSubscales() : KoosPfSubscales()) {
        result.subscales.push_back(ScoreKoosSubscale(subscale, answers));
      }
      return result;
    }
    case Instrument::kKujala: {
      if (absl::Status status = ValidateAnswers(Items(instrument), answers, "Kujala"); !status.ok()) return status;
      result.subscales.push_back(ScoreKujala(answers));
      return result;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown instrument ", static_cast<int>(instrument)));
}

}  // namespace gaitkeeper::ingestion::questionnaires
