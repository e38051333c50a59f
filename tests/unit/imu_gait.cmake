# Raw-IMU gait metrics: accuracy tests on synthetic signals of known ground truth.
# Included from tests/unit/CMakeLists.txt.
include(GoogleTest)

add_executable(imu_gait_test
  ${CMAKE_CURRENT_LIST_DIR}/imu_gait_test.cc
  ${PROJECT_SOURCE_DIR}/tests/support/imu_synth.cc
)
target_link_libraries(imu_gait_test PRIVATE gk_imu_gait GTest::gtest_main)
gtest_discover_tests(imu_gait_test PROPERTIES LABELS unit)
