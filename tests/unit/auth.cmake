# JWT key sets, verification and minting (services/common/auth). Keys are generated in the test.
# Included from tests/unit/CMakeLists.txt.
include(GoogleTest)
find_package(OpenSSL REQUIRED)

add_executable(auth_test ${CMAKE_CURRENT_LIST_DIR}/auth_test.cc)
target_link_libraries(auth_test PRIVATE gk_auth OpenSSL::Crypto GTest::gtest_main)
gtest_discover_tests(auth_test PROPERTIES LABELS unit)
