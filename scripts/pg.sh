#!/usr/bin/env bash
# The private PostgreSQL of this checkout (see scripts/lib/pg.sh).
#   scripts/pg.sh start    create (initdb) if needed, start, create roles and database, migrate
#   scripts/pg.sh stop     stop it
#   scripts/pg.sh status   running or not, and where
#   scripts/pg.sh env      print the connection variables (contains passwords: keep it local)
#   scripts/pg.sh psql     a psql shell as the application role
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pg.sh"

case "${1:-}" in
  start)
    gk_install_deps
    gk_build gaitkeeper-migrate
    gk_pg_start
    gk_pg_migrate
    ;;
  stop) gk_pg_stop ;;
  status)
    if gk_pg_running; then echo "PostgreSQL running on 127.0.0.1:$GK_PG_PORT, data in $GK_PG_DIR"; else echo "PostgreSQL not running"; exit 1; fi
    ;;
  env) gk_pg_load_env; grep -E '^GK_(PG_PORT|ADMIN_URL|OWNER_URL|DATABASE_URL)=' "$GK_PG_ENV" ;;
  psql) gk_pg_load_env; exec psql "$GK_DATABASE_URL" ;;
  *) echo "usage: $0 start|stop|status|env|psql" >&2; exit 2 ;;
esac
