# Raw-IMU gait metrics throughput (Google Benchmark). Included from bench/CMakeLists.txt.
find_package(benchmark REQUIRED)

add_executable(imu_gait_benchmark
  ${CMAKE_CURRENT_LIST_DIR}/imu_gait_benchmark.cc
  ${PROJECT_SOURCE_DIR}/tests/support/imu_synth.cc
)
target_link_libraries(imu_gait_benchmark PRIVATE gk_imu_gait benchmark::benchmark_main)
