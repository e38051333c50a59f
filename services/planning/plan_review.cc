#include "services/planning/plan_review.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace gaitkeeper::planning {
namespace {

bool ValidDose(const v1::Dose& d) {
  return d.sets() >= 0 && d.reps() >= 0 && d.hold_seconds() >= 0 && d.duration_minutes() >= 0 &&
         d.distance_km_cap() >= 0 && d.sets() <= 20 && d.reps() <= 200 && d.hold_seconds() <= 600 &&
         d.duration_minutes() <= 600 && d.distance_km_cap() <= 100;
}

}  // namespace

absl::StatusOr<v1::Plan> ApplyEdits(const v1::Plan& plan, const std::vector<v1::PlanEdit>& edits) {
  v1::Plan out = plan;
  for (size_t i = 0; i < edits.size(); ++i) {
    const v1::PlanEdit& e = edits[i];
    const std::string field = absl::StrCat("edits[", i, "]");
    auto in_range = [&](int index) { return index >= 0 && index < out.items_size(); };
    switch (e.edit_case()) {
      case v1::PlanEdit::kRemoveItem:
        if (!in_range(e.remove_item())) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".remove_item", "is not an item index"}});
        }
        out.mutable_items()->erase(out.mutable_items()->begin() + e.remove_item());
        break;
      case v1::PlanEdit::kReplaceItem:
        if (!in_range(e.replace_item().index())) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".replace_item.index", "is not an item index"}});
        }
        if (e.replace_item().item().title().empty() || !ValidDose(e.replace_item().item().dose()) ||
            e.replace_item().item().day() < 0 || e.replace_item().item().day() > 6) {
          return InvalidArgumentWithFields("INVALID_EDIT",
                                           {{field + ".replace_item.item", "needs a title, a day 0–6 and a sane dose"}});
        }
        *out.mutable_items(e.replace_item().index()) = e.replace_item().item();
        break;
      case v1::PlanEdit::kChangeDose:
        if (!in_range(e.change_dose().index())) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".change_dose.index", "is not an item index"}});
        }
        if (!ValidDose(e.change_dose().dose())) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".change_dose.dose", "is out of range"}});
        }
        *out.mutable_items(e.change_dose().index())->mutable_dose() = e.change_dose().dose();
        break;
      case v1::PlanEdit::kCadenceTargetSpm:
        if (e.cadence_target_spm() < 120 || e.cadence_target_spm() > 230) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".cadence_target_spm", "must be 120–230 steps/min"}});
        }
        out.mutable_cadence_target()->set_target_low_spm(e.cadence_target_spm());
        out.mutable_cadence_target()->set_target_high_spm(std::max(e.cadence_target_spm(), out.cadence_target().target_high_spm()));
        out.mutable_cadence_target()->set_because(absl::StrCat("set by your clinician to ", e.cadence_target_spm(), " steps/min"));
        for (v1::PlanItem& item : *out.mutable_items()) {
          if (item.key() == "cadence_cue") {
            item.set_title(absl::StrCat("Cadence ", static_cast<int>(e.cadence_target_spm()), " steps/min"));
            item.set_because(out.cadence_target().because());
          }
        }
        break;
      case v1::PlanEdit::kAddNote:
        if (e.add_note().empty() || e.add_note().size() > 2000) {
          return InvalidArgumentWithFields("INVALID_EDIT", {{field + ".add_note", "must be 1–2000 bytes"}});
        }
        out.add_clinician_notes(e.add_note());
        break;
      case v1::PlanEdit::EDIT_NOT_SET:
        return InvalidArgumentWithFields("INVALID_EDIT", {{field, "names no edit"}});
    }
  }
  return out;
}

v1::AdherenceSummary ComputeAdherence(const v1::Plan& plan, const std::vector<v1::CompletionLog>& logs) {
  std::set<int> done_items;
  int max_pain = -1;
  for (const v1::CompletionLog& log : logs) {
    done_items.insert(log.item_index());
    if (log.has_pain_during()) max_pain = std::max(max_pain, log.pain_during());
  }
  std::map<int, std::pair<int, int>> by_category;  // category -> planned, done
  v1::AdherenceSummary out;
  out.set_plan(plan.name());
  for (int i = 0; i < plan.items_size(); ++i) {
    const v1::ItemCategory category = plan.items(i).category();
    if (category == v1::ITEM_CATEGORY_EDUCATION) continue;
    auto& [planned, done] = by_category[category];
    ++planned;
    if (done_items.count(i) > 0) ++done;
  }
  int planned_total = 0;
  int done_total = 0;
  for (const auto& [category, counts] : by_category) {
    v1::CategoryAdherence* c = out.add_categories();
    c->set_category(static_cast<v1::ItemCategory>(category));
    c->set_planned(counts.first);
    c->set_done(counts.second);
    c->set_percent(counts.first > 0 ? 100.0 * counts.second / counts.first : 0);
    planned_total += counts.first;
    done_total += counts.second;
  }
  out.set_planned(planned_total);
  out.set_done(done_total);
  out.set_percent(planned_total > 0 ? 100.0 * done_total / planned_total : 0);
  out.set_max_pain_during(max_pain);
  return out;
}

}  // namespace gaitkeeper::planning
