# FIT decoder unit tests. Included from tests/unit/CMakeLists.txt.
# The real-file checks read ${PROJECT_SOURCE_DIR}/../shared/data (or the
# GK_SHARED_DATA_DIR environment variable at run time) and skip, with a
# message, when it is absent.
include(GoogleTest)

add_executable(fit_decoder_test
  ${CMAKE_CURRENT_LIST_DIR}/fit_decoder_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/../support/fit_encoder.cc
)
target_link_libraries(fit_decoder_test PRIVATE gk_fit GTest::gtest_main)
target_compile_definitions(fit_decoder_test PRIVATE
  GK_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
gtest_discover_tests(fit_decoder_test PROPERTIES LABELS unit)
