#pragma once

// Server-side scoring of patient-reported knee questionnaires: KOOS, its patellofemoral
// subscale KOOS-PF, and the Kujala Anterior Knee Pain Scale (AKPS). Pure library: no I/O, no
// global mutable state, no exceptions; answers in, scores out.
//
// ---------------------------------------------------------------------------------------------
// KOOS (Knee injury and Osteoarthritis Outcome Score), 42 items, five independent subscales
// ---------------------------------------------------------------------------------------------
// Item codes as printed on the official form:
//   Pain       P1..P9    (9 items)   P1 "How often do you experience knee pain?" (Never, Monthly,
//                                    Weekly, Daily, Always); P2..P9 pain during activities
//                                    (None, Mild, Moderate, Severe, Extreme).
//   Symptoms   S1..S7    (7 items)   S1 swelling, S2 grinding/clicking, S3 catching (Never ..
//                                    Always); S4 "Can you straighten your knee fully?", S5 "Can
//                                    you bend your knee fully?" (printed Always, Often, Sometimes,
//                                    Rarely, Never); S6 morning stiffness, S7 stiffness later in
//                                    the day (None .. Extreme).
//   ADL        A1..A17   (17 items)  difficulty, None .. Extreme.
//   Sport/Rec  SP1..SP5  (5 items)   difficulty, None .. Extreme.
//   QOL        Q1..Q4    (4 items)   Q1 awareness (Never, Monthly, Weekly, Daily, Always); Q2
//                                    lifestyle modified, Q3 lack of confidence (Not at all,
//                                    Mildly, Moderately, Severely, Totally); Q4 difficulty in
//                                    general (None .. Extreme). Anchors as in [3] and [6].
// Direction: the answer value is the index of the ticked box, 0..4 from left to right as the
// boxes are printed. On the official form box 0 is always the "no problem" end, including for
// S4/S5 whose printed order is Always..Never ("Always" able to straighten = 0). So no item is
// reverse-scored here; a client that renders S4/S5 as Never..Always must send 4 - its index.
// Scoring (KOOS Scoring 2012): per subscale, score = 100 - mean(answered items) * 100 / 4, i.e.
// 100 - mean * 25; 100 = no problems, 0 = extreme problems. Missing items: a subscale is
// computed as long as at least 50 % of its items are answered (Pain 5, Symptoms 4, ADL 9,
// Sport/Rec 3, QOL 2), the mean then being over the answered items; otherwise that subscale is
// not computed. Subscales are independent: one not computed does not affect the others. The 1998
// rule (at most 2 missing per subscale) is superseded and not implemented. There is no KOOS total.
//
// ---------------------------------------------------------------------------------------------
// KOOS-PF (patellofemoral pain and osteoarthritis subscale of the KOOS), 11 items
// ---------------------------------------------------------------------------------------------
// Codes PF1..PF11, each with five boxes scored 0..4 in printed order, box 0 = no problem
// (PF1, PF4..PF10: None .. Extreme; PF2, PF3: Never, Monthly, Weekly, Daily, Always; PF11: Not at
// all .. Totally). Scored like a KOOS subscale: 100 - mean * 25, computed when at least 50 % of
// the items (6 of 11) are answered.
//
// ---------------------------------------------------------------------------------------------
// Kujala Anterior Knee Pain Scale (Kujala et al. 1993), 13 items, total 0..100
// ---------------------------------------------------------------------------------------------
// Codes K1..K13; the answer value is the 0-based index of the chosen option, options in printed
// order (best first). Points per option:
//   K1  Limp                                   None 5, Slight or periodical 3, Constant 0
//   K2  Support                                Full support without pain 5, Painful 3,
//                                              Weight-bearing impossible 0
//   K3  Walking                                Unlimited 5, More than 2 km 3, 1-2 km 2, Unable 0
//   K4  Stairs                                 No difficulty 10, Slight pain when descending 8,
//                                              Pain both when descending and ascending 5, Unable 0
//   K5  Squatting                              No difficulty 5, Repeated squatting painful 4,
//                                              Painful each time 3, Possible with partial weight
//                                              bearing 2, Unable 0
//   K6  Running                                No difficulty 10, Pain after more than 2 km 8,
//                                              Slight pain from start 6, Severe pain 3, Unable 0
//   K7  Jumping                                No difficulty 10, Slight difficulty 7,
//                                              Constant pain 2, Unable 0
//   K8  Prolonged sitting with knees flexed    No difficulty 10, Pain after exercise 8,
//                                              Constant pain 6, Pain forces to extend knees
//                                              temporarily 4, Unable 0
//   K9  Pain                                   None 10, Slight and occasional 8, Interferes with
//                                              sleep 6, Occasionally severe 3, Constant and
//                                              severe 0
//   K10 Swelling                               None 10, After severe exertion 8, After daily
//                                              activities 6, Every evening 4, Constant 0
//   K11 Abnormal painful kneecap (patellar)    None 10, Occasionally in sports activities 6,
//       movements (subluxations)               Occasionally in daily activities 4, At least one
//                                              documented dislocation 2, More than two
//                                              dislocations 0
//   K12 Atrophy of thigh                       None 5, Slight 3, Severe 0
//   K13 Flexion deficiency                     None 5, Slight 3, Severe 0
// Total = sum of points (maxima sum to 100; all-worst is 0). Missing items (our rule; the 1993
// paper gives none): the total is NOT computed when any item is missing. The items carry unequal
// weights (5 or 10 points), so neither prorating nor mean imputation preserves the scale's
// meaning, and a partial sum would read as worse function than the patient reported.
//
// ---------------------------------------------------------------------------------------------
// Sources (third-party copies marked as such)
// ---------------------------------------------------------------------------------------------
// [1] KOOS Scoring 2012 (Roos EM, koos.nu), copy at
//     https://www.scribd.com/document/404984174/KOOSscoring2012-pdf : formula, 0..4 box scores,
//     2012 missing-item rule and the per-subscale minimum counts (5/4/9/3/2).
// [2] KOOS form as published by PhenX Toolkit, protocol 250401,
//     https://www.phenxtoolkit.org/protocols/view/250401 : codes S1..S5 with their printed
//     answer order (S4 Always..Never), "at least 50 % of items within each subscale".
// [3] awell-health/awell-score, src/scores/koos/definition/{koos_inputs.ts,koos_subscales.ts}
//     and src/scores/koos/README.md (GitHub): answer anchors per item and the same minimum
//     counts. Note: that code numbers the two stiffness items Sy1/Sy2 (before swelling); the
//     official form [2] numbers them S6/S7, which we follow. Scoring is unaffected.
// [4] Item list S1..S7 (S6, S7 = stiffness), P1..P9, A1..A17, SP1..SP5, Q1..Q4 with wording:
//     https://www.thecalculator.co/health/Knee-Injury-And-Osteoarthritis-Outcome-Score-(KOOS)-Calculator-957.html
// [5] Crossley KM, Macri EM, Cowan SM, Collins NJ, Roos EM. The patellofemoral pain and
//     osteoarthritis subscale of the KOOS (KOOS-PF): development and validation using the COSMIN
//     checklist. Br J Sports Med 2018;52(17):1130-1136, doi:10.1136/bjsports-2016-096776 :
//     the 11-item subscale (abstract only; the formula is confirmed by [6]).
// [6] A knee-cohort study's public R data-cleaning script on GitHub (found by code search; the
//     index does not show its repository name) coding koos_pf1..koos_pf11: PF2, PF3 on
//     Never..Always, PF11 on Not at all..Totally, the others None..Extreme, all 0..4, and
//     koos_pf_total = 100 - mean * 100 / 4.
// [7] Kujala UM et al. Scoring of patellofemoral disorders. Arthroscopy 1993;9(2):159-163,
//     doi:10.1016/s0749-8063(05)80366-4 (original; not available to us in full text). Option
//     points taken from the table reproduced in J Orthop 2023;42:54-62,
//     doi:10.1016/j.jor.2023.07.005, https://pmc.ncbi.nlm.nih.gov/articles/PMC10362729/table/undtbl2
//
// Not confirmed from sources:
// - KOOS-PF item wording and the order PF1..PF11 were not available; only the answer formats
//   per code [6] and the scoring [5]. Scoring does not depend on wording, forms do.
// - That the KOOS 2012 50 % rule applies to KOOS-PF: applied by analogy ("scored the same way");
//   no KOOS-PF-specific missing-data rule was found.
// - Kujala option points come from a 2023 reproduction [7], not the 1993 paper itself. Copies in
//   circulation disagree: boneandspine.com and orthopaedicmanipulation.com give Limp "Constant"
//   2 (not 0), one gives Squatting "Partial weight bearing" 1 (not 2) and different Jumping
//   options. With those variants the all-worst total is not 0, so we follow [7], whose points
//   sum to 100 at best and 0 at worst.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace gaitkeeper::ingestion::questionnaires {

enum class Instrument { kKoos, kKoosPf, kKujala };

// Answers by item code ("P1", "S3", "A17", "SP5", "Q4", "PF1".."PF11", "K1".."K13"; exact,
// case-sensitive). The value is the 0-based index of the chosen answer option in printed order;
// for KOOS and KOOS-PF that index is also the item's score (0 = no problem .. 4 = extreme).
// An item absent from the map is a missing answer.
using Answers = std::map<std::string, int, std::less<>>;

struct SubscaleScore {
  // Stable machine name: KOOS "pain", "symptoms", "adl", "sport_rec", "qol"; KOOS-PF
  // "patellofemoral"; Kujala "total".
  std::string name;
  // 0..100, higher = better; std::nullopt when not computed under the missing-item rule.
  std::optional<double> score;
  int answered = 0;  // items of this subscale present in the answers
  int items = 0;     // items in this subscale
  // Human-readable: why the score is missing, or which items were missing when a KOOS subscale
  // was computed from a subset. Empty when every item was answered.
  std::string note;
};

struct QuestionnaireScore {
  Instrument instrument = Instrument::kKoos;
  // KOOS: pain, symptoms, adl, sport_rec, qol in that order; KOOS-PF: patellofemoral;
  // Kujala: total.
  std::vector<SubscaleScore> subscales;
};

// Scores `answers` for `instrument`. Scores are not rounded (presentation rounds).
// Returns InvalidArgument, naming every offending item code, when an answer has a code that does
// not belong to the instrument or a value outside [0, number of options). Missing items are not
// an error: they are handled by the instrument's missing-item rule (see above). Also returns
// InvalidArgument for an out-of-range `instrument` value.
absl::StatusOr<QuestionnaireScore> Score(Instrument instrument, const Answers& answers);

// The instrument's item codes in form order, each with its number of answer options (valid
// values are 0 .. count - 1), for validation by the API layer and for building forms. Empty for
// an out-of-range `instrument` value. The reference stays valid for the life of the program.
const std::vector<std::pair<std::string, int>>& Items(Instrument instrument);

}  // namespace gaitkeeper::ingestion::questionnaires
