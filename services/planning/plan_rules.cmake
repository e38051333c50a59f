# Planning rules engine, version 2 (pure, no I/O). Included from services/planning/CMakeLists.txt:
#   include(plan_rules.cmake)
add_library(gk_plan_rules STATIC
  ${CMAKE_CURRENT_LIST_DIR}/exercise_library.cc
  ${CMAKE_CURRENT_LIST_DIR}/plan_rules.cc
  ${CMAKE_CURRENT_LIST_DIR}/plan_rules_adherence.cc
)
target_include_directories(gk_plan_rules PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(gk_plan_rules PUBLIC
  gk_proto
  absl::strings
  absl::str_format
  absl::status
  absl::statusor
  absl::time
)
