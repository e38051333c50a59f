#!/usr/bin/env bash
# The main job, end to end: installs what is missing, builds, starts a private PostgreSQL and the
# three services (on their own ports, beside any running stack), plays the companion app
# (gaitkeeper-cli) and prints the scored session and the week plan, then stops everything it
# started. Extra arguments go to gaitkeeper-cli, e.g. ./scripts/demo.sh --pain_after=5
# Authentication and TLS are on, as in production (scripts/lib/stack.sh): the CLI picks a new
# athlete id, mints an RS256 athlete token for it with the development keys (.run/keys) and calls
# the services over TLS (.run/certs); the services call each other over mutual TLS with ES256
# service tokens.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pg.sh"
export GK_STACK_DIR="$GK_RUN/demo"
export GK_INGESTION_PORT="${GK_DEMO_INGESTION_PORT:-50061}"
export GK_SCORING_PORT="${GK_DEMO_SCORING_PORT:-50062}"
export GK_PLANNING_PORT="${GK_DEMO_PLANNING_PORT:-50063}"
. "$(dirname "$0")/lib/stack.sh"

cleanup() {
  gk_stack_stop_all || true
  if [ "${GK_PG_STARTED:-0}" = 1 ]; then gk_pg_stop || true; fi
}
trap cleanup EXIT

gk_install_deps
gk_build gaitkeeper-migrate gaitkeeper-ingestion gaitkeeper-scoring gaitkeeper-planning gaitkeeper-probe gaitkeeper-cli
gk_pg_start
gk_pg_migrate
gk_stack_start_all
gk_say "services up (ingestion :$GK_INGESTION_PORT, scoring :$GK_SCORING_PORT, planning :$GK_PLANNING_PORT; JWT + TLS); running the companion app"
echo
gk_client_args
"$(gk_bin cli cli)" --ingestion="127.0.0.1:$GK_INGESTION_PORT" --scoring="127.0.0.1:$GK_SCORING_PORT" \
  --planning="127.0.0.1:$GK_PLANNING_PORT" "${GK_CLIENT_ARGS[@]}" "$@"
echo
gk_say "demo done (service logs: $GK_STACK_DIR/*.log)"
