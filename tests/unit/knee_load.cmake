# Knee-load score engine unit tests. Included from tests/unit/CMakeLists.txt.
include(GoogleTest)

add_executable(knee_load_test ${CMAKE_CURRENT_LIST_DIR}/knee_load_test.cc)
target_link_libraries(knee_load_test PRIVATE gk_knee_load GTest::gtest_main)
gtest_discover_tests(knee_load_test PROPERTIES LABELS unit)
