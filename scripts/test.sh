#!/usr/bin/env bash
# All tests: installs what is missing, builds (Debug by default, with the tests), starts the
# private PostgreSQL (integration tests make a fresh database per run in it), runs CTest and ends
# with CTest's summary line. Stops PostgreSQL afterwards if it started it.
#   GK_BUILD_TYPE=Release ./scripts/test.sh     another build type (own build dir)
#   ./scripts/test.sh -L unit                    arguments go to ctest
set -euo pipefail
export GK_BUILD_TYPE="${GK_BUILD_TYPE:-Debug}"
export GK_BUILD="${GK_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build-test-${GK_BUILD_TYPE,,}}"
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pg.sh"

cleanup() { if [ "${GK_PG_STARTED:-0}" = 1 ]; then gk_pg_stop || true; fi; }
trap cleanup EXIT

gk_install_deps
gk_build
gk_pg_start
gk_pg_load_env
# Integration tests must not skip silently in this script: no database is a failure here.
export GK_TEST_ADMIN_URL="$GK_ADMIN_URL" GK_TEST_REQUIRE_DB=1
export GK_TEST_BIN_DIR="$GK_BUILD/services"
cd "$GK_BUILD"
ctest --output-on-failure -j"$GK_JOBS" "$@"
