// Clinician edits and adherence (pure).
#include "gtest/gtest.h"
#include "services/common/status.h"
#include "services/planning/plan_review.h"

namespace gaitkeeper::planning {
namespace {

v1::Plan ThreeItems() {
  v1::Plan plan;
  plan.set_name("athletes/a/plans/p");
  const std::pair<v1::ItemCategory, const char*> items[] = {
      {v1::ITEM_CATEGORY_RUN, "easy_run"}, {v1::ITEM_CATEGORY_GAIT_CUE, "cadence_cue"}, {v1::ITEM_CATEGORY_STRENGTH, "squat"},
      {v1::ITEM_CATEGORY_EDUCATION, "load_education"}};
  for (auto [category, key] : items) {
    v1::PlanItem* item = plan.add_items();
    item->set_category(category);
    item->set_key(key);
    item->set_title(key);
  }
  plan.mutable_cadence_target()->set_target_low_spm(168);
  plan.mutable_cadence_target()->set_target_high_spm(176);
  return plan;
}

TEST(ApplyEdits, EachKindOfEdit) {
  std::vector<v1::PlanEdit> edits(5);
  edits[0].set_add_note("Keep runs on flat ground this week.");
  edits[1].mutable_change_dose()->set_index(2);
  edits[1].mutable_change_dose()->mutable_dose()->set_sets(2);
  edits[1].mutable_change_dose()->mutable_dose()->set_reps(8);
  edits[2].set_cadence_target_spm(170);
  edits[3].set_remove_item(0);  // the run; the squat moves to index 1
  edits[4].mutable_replace_item()->set_index(1);
  edits[4].mutable_replace_item()->mutable_item()->set_title("Split squat");
  edits[4].mutable_replace_item()->mutable_item()->set_key("split_squat");
  edits[4].mutable_replace_item()->mutable_item()->set_category(v1::ITEM_CATEGORY_STRENGTH);
  absl::StatusOr<v1::Plan> out = ApplyEdits(ThreeItems(), edits);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->items_size(), 3);
  EXPECT_EQ(out->items(0).title(), "Cadence 170 steps/min");
  EXPECT_EQ(out->items(1).key(), "split_squat");
  EXPECT_EQ(out->clinician_notes(0), "Keep runs on flat ground this week.");
  EXPECT_DOUBLE_EQ(out->cadence_target().target_low_spm(), 170);
}

TEST(ApplyEdits, BadEditsNameTheirIndexAndChangeNothing) {
  std::vector<v1::PlanEdit> edits(2);
  edits[0].set_add_note("fine");
  edits[1].set_remove_item(9);
  absl::StatusOr<v1::Plan> out = ApplyEdits(ThreeItems(), edits);
  ASSERT_FALSE(out.ok());
  ASSERT_EQ(FieldViolationsOf(out.status()).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(out.status())[0].field, "edits[1].remove_item");
  edits[1].set_cadence_target_spm(300);
  EXPECT_EQ(FieldViolationsOf(ApplyEdits(ThreeItems(), edits).status())[0].field, "edits[1].cadence_target_spm");
  edits[1].mutable_change_dose()->set_index(0);
  edits[1].mutable_change_dose()->mutable_dose()->set_reps(-1);
  EXPECT_EQ(FieldViolationsOf(ApplyEdits(ThreeItems(), edits).status())[0].field, "edits[1].change_dose.dose");
  edits[1].Clear();
  EXPECT_EQ(FieldViolationsOf(ApplyEdits(ThreeItems(), edits).status())[0].field, "edits[1]");
}

TEST(ComputeAdherence, DistinctItemsPerCategoryEducationExcluded) {
  std::vector<v1::CompletionLog> logs(3);
  logs[0].set_item_index(0);
  logs[0].set_pain_during(3);
  logs[1].set_item_index(0);  // the same run logged twice counts once
  logs[2].set_item_index(3);  // education is not counted
  v1::AdherenceSummary a = ComputeAdherence(ThreeItems(), logs);
  EXPECT_EQ(a.planned(), 3);
  EXPECT_EQ(a.done(), 1);
  EXPECT_NEAR(a.percent(), 100.0 / 3, 1e-9);
  EXPECT_EQ(a.max_pain_during(), 3);
  ASSERT_EQ(a.categories_size(), 3);
  EXPECT_EQ(a.categories(0).category(), v1::ITEM_CATEGORY_RUN);
  EXPECT_DOUBLE_EQ(a.categories(0).percent(), 100);
  EXPECT_EQ(ComputeAdherence(ThreeItems(), {}).max_pain_during(), -1);
}

}  // namespace
}  // namespace gaitkeeper::planning
