# Questionnaire scoring unit tests (KOOS, KOOS-PF, Kujala). Included from tests/unit/CMakeLists.txt.
include(GoogleTest)

add_executable(questionnaires_test ${CMAKE_CURRENT_LIST_DIR}/questionnaires_test.cc)
target_link_libraries(questionnaires_test PRIVATE gk_questionnaires GTest::gtest_main)
gtest_discover_tests(questionnaires_test PROPERTIES LABELS unit)
