# Per-caller abuse limits (RateLimiter, StreamLimiter) unit tests. Included from
# tests/unit/CMakeLists.txt.
include(GoogleTest)

add_executable(limits_test ${CMAKE_CURRENT_LIST_DIR}/limits_test.cc)
target_link_libraries(limits_test PRIVATE gk_limits GTest::gtest_main)
gtest_discover_tests(limits_test PROPERTIES LABELS unit)
