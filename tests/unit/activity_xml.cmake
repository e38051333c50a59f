# TCX/GPX parser unit tests. Included from tests/unit/CMakeLists.txt.
# The real-file checks read ${PROJECT_SOURCE_DIR}/../shared/data (or the
# GK_SHARED_DATA_DIR environment variable at run time) and skip, with a
# message, when it is absent; every other test generates its own documents.
include(GoogleTest)

add_executable(activity_xml_test
  ${CMAKE_CURRENT_LIST_DIR}/activity_xml_test.cc
)
target_link_libraries(activity_xml_test PRIVATE gk_activity_xml GTest::gtest_main)
target_compile_definitions(activity_xml_test PRIVATE
  GK_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
gtest_discover_tests(activity_xml_test PROPERTIES LABELS unit)
