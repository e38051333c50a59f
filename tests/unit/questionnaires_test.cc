// Questionnaire scoring: KOOS, KOOS-PF and Kujala, checked against hand-computed scores.
// Expected values are written out by hand (with the arithmetic) rather than derived from the
// library's own tables, so a wrong item list or point value in the library fails here.
#include "services/ingestion/questionnaires/questionnaires.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gaitkeeper::ingestion::questionnaires {
namespace {

using ItemList = std::vector<std::pair<std::string, int>>;

std::vector<std::string> Codes(const std::string& prefix, int count) {
  std::vector<std::string> codes;
  for (int i = 1; i <= count; ++i) codes.push_back(prefix + std::to_string(i));
  return codes;
}

// Sets each code to the value at the same position.
void Set(Answers& answers, const std::vector<std::string>& codes, const std::vector<int>& values) {
  ASSERT_EQ(codes.size(), values.size());
  for (size_t i = 0; i < codes.size(); ++i) answers[codes[i]] = values[i];
}

void SetAll(Answers& answers, const std::vector<std::string>& codes, int value) {
  for (const std::string& code : codes) answers[code] = value;
}

const SubscaleScore& Find(const QuestionnaireScore& result, const std::string& name) {
  for (const SubscaleScore& s : result.subscales) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no subscale " << name;
  static const SubscaleScore kNone;
  return kNone;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The KOOS subscales as the user guide defines them.
struct KoosSubscale {
  std::string name;
  std::string prefix;
  int items;
  int required;  // 2012 rule: at least 50 % answered
};
const std::vector<KoosSubscale> kKoosSubscales = {
    {"pain", "P", 9, 5}, {"symptoms", "S", 7, 4}, {"adl", "A", 17, 9}, {"sport_rec", "SP", 5, 3}, {"qol", "Q", 4, 2},
};

Answers AllKoos(int value) {
  Answers answers;
  for (const KoosSubscale& s : kKoosSubscales) SetAll(answers, Codes(s.prefix, s.items), value);
  return answers;
}

// Kujala option points in printed order, transcribed from the 1993 scale as reproduced in
// J Orthop 2023 (see the header). Index 0 is the best option.
const std::vector<std::pair<std::string, std::vector<int>>> kKujalaPoints = {
    {"K1", {5, 3, 0}},         {"K2", {5, 3, 0}},         {"K3", {5, 3, 2, 0}},      {"K4", {10, 8, 5, 0}},
    {"K5", {5, 4, 3, 2, 0}},   {"K6", {10, 8, 6, 3, 0}},  {"K7", {10, 7, 2, 0}},     {"K8", {10, 8, 6, 4, 0}},
    {"K9", {10, 8, 6, 3, 0}},  {"K10", {10, 8, 6, 4, 0}}, {"K11", {10, 6, 4, 2, 0}}, {"K12", {5, 3, 0}},
    {"K13", {5, 3, 0}},
};

Answers AllKujala(bool best) {
  Answers answers;
  for (const auto& [code, points] : kKujalaPoints) answers[code] = best ? 0 : static_cast<int>(points.size()) - 1;
  return answers;
}

// ---------------------------------------------------------------------------------------------
// Items()

TEST(QuestionnaireItems, KoosListsTheFortyTwoItemsInFormOrderWithFiveOptionsEach) {
  const std::vector<std::string> expected = {
      "P1",  "P2",  "P3",  "P4",  "P5",  "P6",  "P7",  "P8",  "P9",                          // pain
      "S1",  "S2",  "S3",  "S4",  "S5",  "S6",  "S7",                                        // symptoms
      "A1",  "A2",  "A3",  "A4",  "A5",  "A6",  "A7",  "A8",  "A9",  "A10", "A11", "A12",    // ADL
      "A13", "A14", "A15", "A16", "A17",                                                     //
      "SP1", "SP2", "SP3", "SP4", "SP5",                                                     // sport/rec
      "Q1",  "Q2",  "Q3",  "Q4",                                                             // QOL
  };
  ItemList want;
  for (const std::string& code : expected) want.emplace_back(code, 5);
  EXPECT_EQ(Items(Instrument::kKoos), want);
  EXPECT_EQ(Items(Instrument::kKoos).size(), 42u);
}

TEST(QuestionnaireItems, KoosPfListsElevenItemsWithFiveOptionsEach) {
  const ItemList want = {{"PF1", 5}, {"PF2", 5}, {"PF3", 5}, {"PF4", 5},  {"PF5", 5}, {"PF6", 5},
                         {"PF7", 5}, {"PF8", 5}, {"PF9", 5}, {"PF10", 5}, {"PF11", 5}};
  EXPECT_EQ(Items(Instrument::kKoosPf), want);
}

TEST(QuestionnaireItems, KujalaListsThirteenItemsWithTheirOwnOptionCounts) {
  const ItemList want = {{"K1", 3}, {"K2", 3}, {"K3", 4},  {"K4", 4},  {"K5", 5},  {"K6", 5},  {"K7", 4},
                         {"K8", 5}, {"K9", 5}, {"K10", 5}, {"K11", 5}, {"K12", 3}, {"K13", 3}};
  EXPECT_EQ(Items(Instrument::kKujala), want);
}

TEST(QuestionnaireItems, OutOfRangeInstrumentHasNoItems) { EXPECT_TRUE(Items(static_cast<Instrument>(99)).empty()); }

// ---------------------------------------------------------------------------------------------
// KOOS

TEST(KoosScore, ReportsTheFiveSubscalesInOrderWithTheirSizes) {
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, AllKoos(0));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->instrument, Instrument::kKoos);
  ASSERT_EQ(result->subscales.size(), kKoosSubscales.size());
  for (size_t i = 0; i < kKoosSubscales.size(); ++i) {
    EXPECT_EQ(result->subscales[i].name, kKoosSubscales[i].name);
    EXPECT_EQ(result->subscales[i].items, kKoosSubscales[i].items);
  }
}

TEST(KoosScore, AllBestAnswersScore100AndAllWorstScore0InEverySubscale) {
  // Best box (0) everywhere: mean 0, 100 - 0 * 25 = 100. Worst box (4): mean 4, 100 - 4 * 25 = 0.
  for (const auto& [value, expected] : std::vector<std::pair<int, double>>{{0, 100.0}, {4, 0.0}}) {
    SCOPED_TRACE(absl::StrCat("every item = ", value));
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, AllKoos(value));
    ASSERT_TRUE(result.ok()) << result.status();
    for (const KoosSubscale& s : kKoosSubscales) {
      SCOPED_TRACE(s.name);
      const SubscaleScore& score = Find(*result, s.name);
      ASSERT_TRUE(score.score.has_value());
      EXPECT_DOUBLE_EQ(*score.score, expected);
      EXPECT_EQ(score.answered, s.items);
      EXPECT_EQ(score.note, "");
    }
  }
}

TEST(KoosScore, MixedAnswersMatchHandComputedScores) {
  Answers answers;
  // Pain: 0+1+2+3+4+0+1+2+3 = 16; mean 16/9 = 1.778; 100 - 25*16/9 = 100 - 44.444 = 55.556 (500/9).
  Set(answers, Codes("P", 9), {0, 1, 2, 3, 4, 0, 1, 2, 3});
  // Symptoms: 1+1+2+0+0+3+1 = 8; mean 8/7 = 1.143; 100 - 25*8/7 = 100 - 28.571 = 71.429 (500/7).
  Set(answers, Codes("S", 7), {1, 1, 2, 0, 0, 3, 1});
  // ADL: A1..A15 = 1 (15), A16 = 4, A17 = 0: sum 19; 100 - 25*19/17 = 100 - 27.941 = 72.059 (1225/17).
  Set(answers, Codes("A", 17), {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0});
  // Sport/Rec: 2+3+4+3+2 = 14; mean 2.8; 100 - 70 = 30.
  Set(answers, Codes("SP", 5), {2, 3, 4, 3, 2});
  // QOL: 1+2+2+3 = 8; mean 2; 100 - 50 = 50.
  Set(answers, Codes("Q", 4), {1, 2, 2, 3});

  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::vector<std::pair<std::string, double>> expected = {
      {"pain", 500.0 / 9}, {"symptoms", 500.0 / 7}, {"adl", 1225.0 / 17}, {"sport_rec", 30.0}, {"qol", 50.0}};
  for (const auto& [name, want] : expected) {
    SCOPED_TRACE(name);
    const SubscaleScore& s = Find(*result, name);
    ASSERT_TRUE(s.score.has_value());
    EXPECT_NEAR(*s.score, want, 1e-9);
  }
  EXPECT_NEAR(Find(*result, "pain").score.value_or(-1), 55.556, 1e-3);
  EXPECT_NEAR(Find(*result, "symptoms").score.value_or(-1), 71.429, 1e-3);
  EXPECT_NEAR(Find(*result, "adl").score.value_or(-1), 72.059, 1e-3);
}

TEST(KoosScore, EachItemCountsOnlyInItsOwnSubscale) {
  // Everything best except one item at the worst box: that item's subscale drops to
  // 100 - 25*4/n (pain 88.889, symptoms 85.714, ADL 94.118, sport/rec 80, QOL 75); the others stay 100.
  for (const KoosSubscale& target : kKoosSubscales) {
    for (const std::string& code : Codes(target.prefix, target.items)) {
      SCOPED_TRACE(code);
      Answers answers = AllKoos(0);
      answers[code] = 4;
      absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, answers);
      ASSERT_TRUE(result.ok()) << result.status();
      for (const KoosSubscale& s : kKoosSubscales) {
        const double want = s.name == target.name ? 100.0 - 100.0 / s.items : 100.0;
        ASSERT_TRUE(Find(*result, s.name).score.has_value());
        EXPECT_NEAR(*Find(*result, s.name).score, want, 1e-9) << s.name;
      }
    }
  }
}

TEST(KoosScore, ExactlyHalfAnsweredIsComputedAndBelowHalfIsNot) {
  // 2012 rule: Pain needs 5 of 9, Symptoms 4 of 7, ADL 9 of 17, Sport/Rec 3 of 5, QOL 2 of 4
  // (exactly 50 %). Answering the first `required` items with 2: mean 2, 100 - 2*25 = 50.
  for (const KoosSubscale& s : kKoosSubscales) {
    SCOPED_TRACE(s.name);
    const std::vector<std::string> codes = Codes(s.prefix, s.items);
    Answers enough;
    SetAll(enough, std::vector<std::string>(codes.begin(), codes.begin() + s.required), 2);
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, enough);
    ASSERT_TRUE(result.ok()) << result.status();
    const SubscaleScore& computed = Find(*result, s.name);
    ASSERT_TRUE(computed.score.has_value());
    EXPECT_DOUBLE_EQ(*computed.score, 50.0);
    EXPECT_EQ(computed.answered, s.required);
    EXPECT_TRUE(Contains(computed.note, codes.back())) << computed.note;  // names a missing item

    Answers too_few;
    SetAll(too_few, std::vector<std::string>(codes.begin(), codes.begin() + s.required - 1), 2);
    result = Score(Instrument::kKoos, too_few);
    ASSERT_TRUE(result.ok()) << result.status();
    const SubscaleScore& missing = Find(*result, s.name);
    EXPECT_FALSE(missing.score.has_value());
    EXPECT_EQ(missing.answered, s.required - 1);
    EXPECT_EQ(missing.items, s.items);
    EXPECT_TRUE(Contains(missing.note, "not computed")) << missing.note;
  }
}

TEST(KoosScore, PartialSubscaleIsTheMeanOfTheAnsweredItems) {
  Answers answers;
  // QOL, exactly 50 %: Q1 = 4, Q3 = 2; mean (4+2)/2 = 3; 100 - 75 = 25.
  answers["Q1"] = 4;
  answers["Q3"] = 2;
  // Pain, 5 of 9: P2..P6 = 0, 0, 1, 1, 3; sum 5, mean 1; 100 - 25 = 75.
  Set(answers, {"P2", "P3", "P4", "P5", "P6"}, {0, 0, 1, 1, 3});
  // Sport/Rec, 4 of 5: SP1, SP2, SP4, SP5 = 1, 2, 2, 2; sum 7, mean 1.75; 100 - 43.75 = 56.25.
  Set(answers, {"SP1", "SP2", "SP4", "SP5"}, {1, 2, 2, 2});
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_DOUBLE_EQ(Find(*result, "qol").score.value_or(-1), 25.0);
  EXPECT_DOUBLE_EQ(Find(*result, "pain").score.value_or(-1), 75.0);
  EXPECT_DOUBLE_EQ(Find(*result, "sport_rec").score.value_or(-1), 56.25);
  EXPECT_TRUE(Contains(Find(*result, "sport_rec").note, "SP3"));
  // Nothing answered for Symptoms or ADL: not computed, and that does not affect the others.
  EXPECT_FALSE(Find(*result, "symptoms").score.has_value());
  EXPECT_FALSE(Find(*result, "adl").score.has_value());
}

TEST(KoosScore, NoAnswersIsValidAndComputesNothing) {
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->subscales.size(), 5u);
  for (const SubscaleScore& s : result->subscales) {
    EXPECT_FALSE(s.score.has_value()) << s.name;
    EXPECT_EQ(s.answered, 0) << s.name;
  }
}

// ---------------------------------------------------------------------------------------------
// KOOS-PF

TEST(KoosPfScore, AllBestIs100AndAllWorstIs0) {
  for (const auto& [value, expected] : std::vector<std::pair<int, double>>{{0, 100.0}, {4, 0.0}}) {
    Answers answers;
    SetAll(answers, Codes("PF", 11), value);
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoosPf, answers);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->instrument, Instrument::kKoosPf);
    ASSERT_EQ(result->subscales.size(), 1u);
    const SubscaleScore& s = result->subscales[0];
    EXPECT_EQ(s.name, "patellofemoral");
    EXPECT_EQ(s.items, 11);
    EXPECT_EQ(s.answered, 11);
    ASSERT_TRUE(s.score.has_value());
    EXPECT_DOUBLE_EQ(*s.score, expected);
  }
}

TEST(KoosPfScore, MixedAnswersMatchHandComputedScores) {
  struct Case {
    std::vector<int> values;
    double expected;
  };
  const std::vector<Case> cases = {
      // 0+1+2+3+4+0+1+2+3+4+2 = 22; mean 2; 100 - 50 = 50.
      {{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 2}, 50.0},
      // ten 1s + PF11 = 3: sum 13; mean 13/11 = 1.182; 100 - 25*13/11 = 100 - 29.545 = 70.455 (775/11).
      {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3}, 775.0 / 11},
      // 3 everywhere but PF1 = 0: sum 30; 100 - 750/11 = 31.818 (350/11).
      {{0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 350.0 / 11},
  };
  for (const Case& c : cases) {
    Answers answers;
    Set(answers, Codes("PF", 11), c.values);
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoosPf, answers);
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_TRUE(result->subscales[0].score.has_value());
    EXPECT_NEAR(*result->subscales[0].score, c.expected, 1e-9);
  }
}

TEST(KoosPfScore, SixOfElevenIsComputedAndFiveIsNot) {
  // 50 % of 11 = 5.5, so 6 answers are needed. PF1..PF6 = 1,1,1,1,1,4: sum 9, mean 1.5; 100 - 37.5 = 62.5.
  Answers answers;
  Set(answers, Codes("PF", 6), {1, 1, 1, 1, 1, 4});
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoosPf, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->subscales[0].score.has_value());
  EXPECT_DOUBLE_EQ(*result->subscales[0].score, 62.5);
  EXPECT_EQ(result->subscales[0].answered, 6);

  answers.erase("PF6");
  result = Score(Instrument::kKoosPf, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->subscales[0].score.has_value());
  EXPECT_EQ(result->subscales[0].answered, 5);
  EXPECT_TRUE(Contains(result->subscales[0].note, "not computed"));
}

// ---------------------------------------------------------------------------------------------
// Kujala

TEST(KujalaScore, AllBestIs100AndAllWorstIs0) {
  // Best: 5+5+5+10+5+10+10+10+10+10+10+5+5 = 100. Worst: every last option is worth 0.
  for (const auto& [best, expected] : std::vector<std::pair<bool, double>>{{true, 100.0}, {false, 0.0}}) {
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKujala, AllKujala(best));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->instrument, Instrument::kKujala);
    ASSERT_EQ(result->subscales.size(), 1u);
    const SubscaleScore& total = result->subscales[0];
    EXPECT_EQ(total.name, "total");
    EXPECT_EQ(total.items, 13);
    EXPECT_EQ(total.answered, 13);
    ASSERT_TRUE(total.score.has_value());
    EXPECT_DOUBLE_EQ(*total.score, expected);
  }
}

TEST(KujalaScore, MixedAnswersMatchAHandComputedTotal) {
  const Answers answers = {
      {"K1", 1},   // limp: slight or periodical          3
      {"K2", 0},   // support: full without pain           5
      {"K3", 1},   // walking: more than 2 km              3
      {"K4", 2},   // stairs: pain up and down             5
      {"K5", 3},   // squatting: partial weight bearing    2
      {"K6", 2},   // running: slight pain from start      6
      {"K7", 1},   // jumping: slight difficulty           7
      {"K8", 3},   // sitting: forced to extend knees      4
      {"K9", 1},   // pain: slight and occasional          8
      {"K10", 2},  // swelling: after daily activities     6
      {"K11", 1},  // patellar movements: in sports        6
      {"K12", 1},  // atrophy: slight                      3
      {"K13", 0},  // flexion deficiency: none             5
  };
  // 3+5+3+5+2+6+7+4+8+6+6+3+5 = 63.
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKujala, answers);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->subscales[0].score.has_value());
  EXPECT_DOUBLE_EQ(*result->subscales[0].score, 63.0);
}

TEST(KujalaScore, EveryOptionOfEveryItemIsWorthItsPublishedPoints) {
  // All other items best; item `code` at option i: total = 100 - (best points - points[i]).
  for (const auto& [code, points] : kKujalaPoints) {
    for (size_t option = 0; option < points.size(); ++option) {
      SCOPED_TRACE(absl::StrCat(code, " option ", option));
      Answers answers = AllKujala(true);
      answers[code] = static_cast<int>(option);
      absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKujala, answers);
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_TRUE(result->subscales[0].score.has_value());
      EXPECT_DOUBLE_EQ(*result->subscales[0].score, 100.0 - (points[0] - points[option]));
    }
  }
}

TEST(KujalaScore, AnyMissingItemMeansNoTotal) {
  // Our rule: items weigh 5 or 10 points, so a partial sum or a prorated total would misstate
  // function; the total is not computed and the note names what is missing.
  for (const auto& [code, points] : kKujalaPoints) {
    SCOPED_TRACE(code);
    Answers answers = AllKujala(true);
    answers.erase(code);
    absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKujala, answers);
    ASSERT_TRUE(result.ok()) << result.status();
    const SubscaleScore& total = result->subscales[0];
    EXPECT_FALSE(total.score.has_value());
    EXPECT_EQ(total.answered, 12);
    EXPECT_EQ(total.items, 13);
    EXPECT_TRUE(Contains(total.note, "not computed")) << total.note;
    EXPECT_TRUE(Contains(total.note, code)) << total.note;
  }
  absl::StatusOr<QuestionnaireScore> empty = Score(Instrument::kKujala, {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_FALSE(empty->subscales[0].score.has_value());
  EXPECT_EQ(empty->subscales[0].answered, 0);
}

// ---------------------------------------------------------------------------------------------
// Invalid input

struct BadAnswer {
  Instrument instrument;
  std::string code;
  int value;
  std::string why;
};

TEST(QuestionnaireValidation, UnknownCodesAndOutOfRangeValuesAreInvalidArgumentNamingTheCode) {
  const std::vector<BadAnswer> cases = {
      {Instrument::kKoos, "P10", 0, "Pain has 9 items"},
      {Instrument::kKoos, "A18", 0, "ADL has 17 items"},
      {Instrument::kKoos, "SP6", 0, "Sport/Rec has 5 items"},
      {Instrument::kKoos, "Q0", 0, "codes start at 1"},
      {Instrument::kKoos, "p1", 0, "codes are case-sensitive"},
      {Instrument::kKoos, "PF1", 0, "KOOS-PF code sent as KOOS"},
      {Instrument::kKoos, "K1", 0, "Kujala code sent as KOOS"},
      {Instrument::kKoos, "", 0, "empty code"},
      {Instrument::kKoos, "P1", 5, "boxes are 0..4"},
      {Instrument::kKoos, "S4", -1, "negative"},
      {Instrument::kKoosPf, "PF12", 0, "KOOS-PF has 11 items"},
      {Instrument::kKoosPf, "P1", 0, "KOOS code sent as KOOS-PF"},
      {Instrument::kKoosPf, "PF3", 5, "boxes are 0..4"},
      {Instrument::kKujala, "K14", 0, "Kujala has 13 items"},
      {Instrument::kKujala, "K0", 0, "codes start at 1"},
      {Instrument::kKujala, "P1", 0, "KOOS code sent as Kujala"},
      {Instrument::kKujala, "K1", 3, "limp has 3 options"},
      {Instrument::kKujala, "K3", 4, "walking has 4 options"},
      {Instrument::kKujala, "K5", 5, "squatting has 5 options"},
      {Instrument::kKujala, "K13", 3, "flexion deficiency has 3 options"},
      {Instrument::kKujala, "K11", -1, "negative"},
  };
  for (const BadAnswer& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.code, "=", c.value, " (", c.why, ")"));
    Answers answers = c.instrument == Instrument::kKujala ? AllKujala(true) : AllKoos(0);
    answers[c.code] = c.value;
    absl::StatusOr<QuestionnaireScore> result = Score(c.instrument, answers);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(std::string(result.status().message()), absl::StrCat("\"", c.code, "\"")))
        << result.status();
  }
}

TEST(QuestionnaireValidation, HighestOptionIsAccepted) {
  // Upper bounds are inclusive of count - 1: KOOS box 4, Kujala limp option 2, squatting option 4.
  EXPECT_TRUE(Score(Instrument::kKoos, {{"P1", 4}}).ok());
  EXPECT_TRUE(Score(Instrument::kKoosPf, {{"PF11", 4}}).ok());
  EXPECT_TRUE(Score(Instrument::kKujala, {{"K1", 2}, {"K5", 4}}).ok());
}

TEST(QuestionnaireValidation, EveryOffendingCodeIsNamed) {
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, {{"X1", 0}, {"P1", 7}, {"Q2", 1}});
  ASSERT_FALSE(result.ok());
  const std::string message(result.status().message());
  EXPECT_TRUE(Contains(message, "\"X1\"")) << message;
  EXPECT_TRUE(Contains(message, "\"P1\"")) << message;
  EXPECT_FALSE(Contains(message, "\"Q2\"")) << message;  // valid answers are not blamed
}

TEST(QuestionnaireValidation, HostileCodesKeepTheMessageBounded) {
  Answers answers;
  answers[std::string(10000, 'x')] = 0;
  for (int i = 0; i < 500; ++i) answers[absl::StrCat("Z", i)] = 0;
  absl::StatusOr<QuestionnaireScore> result = Score(Instrument::kKoos, answers);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_LT(result.status().message().size(), 5000u);
  EXPECT_TRUE(Contains(std::string(result.status().message()), "more")) << result.status();
}

TEST(QuestionnaireValidation, OutOfRangeInstrumentIsInvalidArgument) {
  absl::StatusOr<QuestionnaireScore> result = Score(static_cast<Instrument>(99), {});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gaitkeeper::ingestion::questionnaires
