# TLS credentials and real handshakes against an in-process server. Included from
# tests/unit/CMakeLists.txt. The test runs scripts/gen-dev-certs.sh (needs the `openssl` command)
# into a temporary directory.
include(GoogleTest)

add_executable(tls_test ${CMAKE_CURRENT_LIST_DIR}/tls_test.cc)
target_link_libraries(tls_test PRIVATE gk_tls OpenSSL::Crypto GTest::gtest_main)
target_compile_definitions(tls_test PRIVATE GK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(tls_test PROPERTIES LABELS unit)
