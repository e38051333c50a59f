# The private PostgreSQL cluster: created with initdb under .run/pg, listening only on
# 127.0.0.1:$GK_PG_PORT (no Unix socket), with three roles:
#   gaitkeeper_admin  superuser (initdb user; scripts and test fixtures only)
#   gaitkeeper_owner  owns the database and its tables, runs migrations
#   gaitkeeper_app    what the services connect as: DML only, owns nothing
# Passwords are random, written to .run/pg.env (mode 0600) with the connection URLs.
# shellcheck shell=bash

GK_PG_PORT="${GK_PG_PORT:-55432}"
GK_PG_DIR="$GK_RUN/pg"
GK_PG_ENV="$GK_RUN/pg.env"

gk_pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] || gk_die "PostgreSQL server binaries not found (package postgresql)"
  echo "$d"
}

# PostgreSQL refuses to run as root: as root, its commands run as the 'postgres' system user.
gk_pg_as() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The real folder (through the .run/pg link, if any): user postgres may not be able to walk the
# checkout's own path.
gk_pg_real_dir() { readlink -f "$GK_PG_DIR"; }
gk_pg_data() { echo "$(gk_pg_real_dir)/data"; }

gk_pg_running() {
  [ -f "$(gk_pg_data)/postmaster.pid" ] && gk_pg_as "$(gk_pg_bin)/pg_ctl" -D "$(gk_pg_data)" status >/dev/null 2>&1
}

# Makes .run/pg usable by the server's user. As root, a repository under a folder 'postgres'
# cannot enter (e.g. a private mktemp dir) gets its cluster in a private folder under /tmp,
# linked from .run/pg.
gk_pg_prepare_dir() {
  mkdir -p "$GK_RUN"
  [ -e "$GK_PG_DIR" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$GK_PG_DIR"
    chown postgres:postgres "$GK_PG_DIR"
    if ! runuser -u postgres -- test -w "$GK_PG_DIR"; then
      rmdir "$GK_PG_DIR"
      local alt
      alt="$(mktemp -d /tmp/gaitkeeper-pg.XXXXXX)"
      chown postgres:postgres "$alt"
      chmod 700 "$alt"
      ln -s "$alt" "$GK_PG_DIR"
      gk_say "PostgreSQL cluster in $alt (linked from .run/pg: the repository is not reachable by user postgres)"
    fi
  else
    mkdir -p "$GK_PG_DIR"
  fi
}

gk_pg_write_env() {
  local admin_pw owner_pw app_pw
  admin_pw="$(openssl rand -hex 16)"
  owner_pw="$(openssl rand -hex 16)"
  app_pw="$(openssl rand -hex 16)"
  (
    umask 077
    cat > "$GK_PG_ENV" <<ENV
GK_PG_PORT=$GK_PG_PORT
GK_PG_ADMIN_PASSWORD=$admin_pw
GK_PG_OWNER_PASSWORD=$owner_pw
GK_PG_APP_PASSWORD=$app_pw
GK_ADMIN_URL=postgresql://gaitkeeper_admin:$admin_pw@127.0.0.1:$GK_PG_PORT/postgres
GK_OWNER_URL=postgresql://gaitkeeper_owner:$owner_pw@127.0.0.1:$GK_PG_PORT/gaitkeeper
GK_DATABASE_URL=postgresql://gaitkeeper_app:$app_pw@127.0.0.1:$GK_PG_PORT/gaitkeeper
ENV
  )
}

gk_pg_load_env() {
  [ -f "$GK_PG_ENV" ] || gk_die "no $GK_PG_ENV: run scripts/pg.sh start"
  set -a
  # shellcheck disable=SC1090
  . "$GK_PG_ENV"
  set +a
}

gk_pg_init() {
  gk_pg_prepare_dir
  [ -f "$(gk_pg_data)/PG_VERSION" ] && return 0
  gk_say "initdb: new private cluster in $GK_PG_DIR"
  gk_pg_write_env
  gk_pg_load_env
  local pwfile
  pwfile="$(gk_pg_real_dir)/.pw"
  (umask 077 && printf '%s\n' "$GK_PG_ADMIN_PASSWORD" > "$pwfile")
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pwfile"
  gk_pg_as "$(gk_pg_bin)/initdb" -D "$(gk_pg_data)" -U gaitkeeper_admin --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale >"$GK_PG_DIR/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$GK_PG_DIR/initdb.log" >&2; gk_die "initdb failed"; }
  rm -f "$pwfile"
}

# Starts the cluster if it is not running. Returns 0 and sets GK_PG_STARTED=1 when it started it.
gk_pg_start() {
  GK_PG_STARTED=0
  gk_pg_init
  gk_pg_load_env
  if gk_pg_running; then return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$GK_PG_PORT") 2>/dev/null; then
    gk_die "port $GK_PG_PORT is taken by another program; set GK_PG_PORT (and remove .run/pg.env to re-create)"
  fi
  gk_say "starting PostgreSQL on 127.0.0.1:$GK_PG_PORT"
  gk_pg_as "$(gk_pg_bin)/pg_ctl" -D "$(gk_pg_data)" -l "$(gk_pg_real_dir)/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $GK_PG_PORT -c unix_socket_directories='' -c max_connections=200" \
    start >/dev/null || { tail -n 20 "$(gk_pg_real_dir)/server.log" >&2; gk_die "PostgreSQL did not start"; }
  GK_PG_STARTED=1
  gk_pg_bootstrap
}

# Idempotent: roles, passwords and the database.
gk_pg_bootstrap() {
  PGPASSWORD="$GK_PG_ADMIN_PASSWORD" psql -q -X -h 127.0.0.1 -p "$GK_PG_PORT" -U gaitkeeper_admin -d postgres \
    -v ON_ERROR_STOP=1 -v owner_pw="$GK_PG_OWNER_PASSWORD" -v app_pw="$GK_PG_APP_PASSWORD" >/dev/null <<'SQL'
SELECT 'CREATE ROLE gaitkeeper_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaitkeeper_owner') \gexec
SELECT 'CREATE ROLE gaitkeeper_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOINHERIT'
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaitkeeper_app') \gexec
ALTER ROLE gaitkeeper_owner PASSWORD :'owner_pw';
ALTER ROLE gaitkeeper_app PASSWORD :'app_pw';
SELECT 'CREATE DATABASE gaitkeeper OWNER gaitkeeper_owner'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'gaitkeeper') \gexec
SQL
}

gk_pg_migrate() {
  gk_pg_load_env
  "$(gk_bin migrate migrate)" --database_url="$GK_OWNER_URL"
}

gk_pg_stop() {
  if gk_pg_running; then
    gk_say "stopping PostgreSQL"
    gk_pg_as "$(gk_pg_bin)/pg_ctl" -D "$(gk_pg_data)" -m fast -w stop >/dev/null
  fi
}
