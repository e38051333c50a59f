# Planning rules v2 unit tests. Included from tests/unit/CMakeLists.txt:
#   include(plan_rules.cmake)
# One check reads db/migrations/0004_seed_exercise_library.sql to keep the seed equal to the C++
# exercise library.
include(GoogleTest)

add_executable(plan_rules_test ${CMAKE_CURRENT_LIST_DIR}/plan_rules_test.cc)
target_link_libraries(plan_rules_test PRIVATE gk_plan_rules GTest::gtest_main)
target_compile_definitions(plan_rules_test PRIVATE
  GK_SEED_MIGRATION="${CMAKE_CURRENT_LIST_DIR}/../../db/migrations/0004_seed_exercise_library.sql")
gtest_discover_tests(plan_rules_test PROPERTIES LABELS unit)
