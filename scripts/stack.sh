#!/usr/bin/env bash
# Leaves the private PostgreSQL and the three services running in the background on fixed
# loopback ports, for manual use and load tests:
#   ingestion 127.0.0.1:50051, scoring 127.0.0.1:50052, planning 127.0.0.1:50053, PostgreSQL 127.0.0.1:55432
#   scripts/stack.sh up | down | status | ghz
# `down` stops only what `up` started (a PostgreSQL that was already running is left alone).
# Logs: .run/stack/<service>.log
# The services run as in production (scripts/lib/stack.sh): JWT authentication (issuer
# gaitkeeper-dev) and TLS, with development keys in .run/keys and certificates in .run/certs.
# `up` prints how to call them (a token from gaitkeeper-token, the CA for TLS). `ghz` writes the
# load-test configurations of bench/ghz, filled with a real token for a fresh athlete, to
# .run/ghz (bench/ghz/README.md).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pg.sh"
. "$(dirname "$0")/lib/stack.sh"

case "${1:-}" in
  up)
    gk_install_deps
    gk_build gaitkeeper-migrate gaitkeeper-ingestion gaitkeeper-scoring gaitkeeper-planning gaitkeeper-probe gaitkeeper-cli \
      gaitkeeper-token
    gk_pg_start
    mkdir -p "$GK_STACK_DIR"
    [ "$GK_PG_STARTED" = 1 ] && touch "$GK_STACK_DIR/pg.started-by-stack"
    gk_pg_migrate
    gk_stack_start_all
    for s in "${GK_SERVICES[@]}"; do gk_probe "$s" --list=yes; done
    gk_client_args
    echo
    echo "Every call needs 'authorization: Bearer <token>', over TLS (CA $GK_CERTS_DIR/ca.crt)."
    echo "An athlete's token (its subject is the athlete id; CreateAthlete creates that athlete):"
    echo "  $GK_BUILD/services/common/auth/gaitkeeper-token --signing_keys=$GK_KEYS_DIR/signing.keys" \
      "--kid=$GK_STACK_USER_KID --issuer=$GK_STACK_ISSUER --role=athlete --subject=\$(cat /proc/sys/kernel/random/uuid)"
    echo "The companion app stand-in (mints its own athlete token):"
    echo "  $(gk_bin cli cli) --ingestion=127.0.0.1:$GK_INGESTION_PORT --scoring=127.0.0.1:$GK_SCORING_PORT" \
      "--planning=127.0.0.1:$GK_PLANNING_PORT ${GK_CLIENT_ARGS[*]}"
    echo "Ready-to-run ghz configurations with a real token: scripts/stack.sh ghz"
    gk_say "stack is up; stop it with scripts/stack.sh down"
    ;;
  ghz)
    gk_build gaitkeeper-ghz
    gk_client_args
    "$GK_BUILD/bench/gaitkeeper-ghz" fill --configs="$GK_ROOT/bench/ghz" --out="$GK_RUN/ghz" \
      --ingestion="127.0.0.1:$GK_INGESTION_PORT" --scoring="127.0.0.1:$GK_SCORING_PORT" \
      --planning="127.0.0.1:$GK_PLANNING_PORT" "${GK_CLIENT_ARGS[@]}"
    echo "Check one without ghz:  $GK_BUILD/bench/gaitkeeper-ghz run --config=$GK_RUN/ghz/create_session.json --calls=3"
    echo "Load-test it with ghz:  ghz --config $GK_RUN/ghz/create_session.json"
    ;;
  down)
    gk_stack_stop_all
    if [ -f "$GK_STACK_DIR/pg.started-by-stack" ]; then
      gk_pg_stop
      rm -f "$GK_STACK_DIR/pg.started-by-stack"
    fi
    gk_say "stack is down"
    ;;
  status)
    rc=0
    for s in "${GK_SERVICES[@]}"; do
      if pid="$(gk_service_pid "$s")"; then
        printf '%-10s pid %-7s ' "$s" "$pid"
        gk_probe "$s" || rc=1
      else
        printf '%-10s not running\n' "$s"; rc=1
      fi
    done
    if gk_pg_running; then echo "postgres   running on 127.0.0.1:$GK_PG_PORT"; else echo "postgres   not running"; rc=1; fi
    exit $rc
    ;;
  *) echo "usage: $0 up|down|status|ghz" >&2; exit 2 ;;
esac
