#!/usr/bin/env bash
# Measures what docs/PERFORMANCE.md reports, each figure beside a baseline taken in the same run:
#   1. CreateSession over gRPC at 16 and 64 callers  vs  pgbench running the same SQL at 16 and 64;
#      then at 16 callers with the verified-token cache on and off (libjwt signature check per call)
#   2. samples stored per second through the streaming RPCs (per-second dynamics, 100 Hz and 500 Hz
#      IMU)  vs  COPY of the same samples one row per sample into an indexed plain table
#   3. scoring a 60-minute session: its database read vs the computation (dynamics + IMU)
#   4. the IMU gait analysis and scoring micro-benchmarks (Google Benchmark)
# Everything runs on loopback against the private PostgreSQL; traffic is bounded in time and count.
# The services run as the stack does (scripts/lib/stack.sh: JWT authentication, TLS between every
# client and service); gaitkeeper-load mints an RS256 athlete token per simulated caller and
# calls over TLS, so token verification and TLS are part of every figure.
#   bench/run.sh [--quick]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/../scripts/lib/pg.sh"
export GK_BUILD="${GK_BENCH_BUILD:-$GK_ROOT/build-bench}"
export GK_BUILD_TYPE=Release
export GK_CMAKE_ARGS="-DGK_BUILD_BENCHMARKS=ON -DGK_BUILD_TESTS=OFF"
export GK_STACK_DIR="$GK_RUN/bench"
export GK_INGESTION_PORT=50071 GK_SCORING_PORT=50072 GK_PLANNING_PORT=50073
. "$(dirname "$0")/../scripts/lib/stack.sh"

quick=0
[ "${1:-}" = "--quick" ] && quick=1
seconds=10; sessions=8; minutes=30
[ $quick = 1 ] && { seconds=3; sessions=2; minutes=10; }

cleanup() { gk_stack_stop_all || true; if [ "${GK_PG_STARTED:-0}" = 1 ]; then gk_pg_stop || true; fi; }
trap cleanup EXIT

gk_install_deps libbenchmark-dev
gk_build
gk_pg_start
gk_pg_migrate
# The bench stack: enough handler threads and connections for 64 callers.
export GK_INGESTION_MAX_THREADS=96 GK_INGESTION_DB_POOL_SIZE=64 GK_LOG_LEVEL=warning
# The per-caller abuse limits (default 10 writes/s, 1 upload/s, 4 streams per caller) are raised
# out of reach: the benchmark measures what the service can do, not how fast the limiter refuses
# a caller that sends far more than any app would. Never run a real deployment like this.
export GK_WRITE_RATE_PER_S=1000000 GK_WRITE_BURST=1000000 GK_UPLOAD_RATE_PER_S=1000000 GK_UPLOAD_BURST=1000000 \
  GK_MAX_STREAMS_PER_CALLER=10000
gk_stack_start_all
gk_client_args
load() { "$GK_BUILD/bench/gaitkeeper-load" "$1" "${GK_CLIENT_ARGS[@]}" "${@:2}"; }
target="127.0.0.1:$GK_INGESTION_PORT"

echo "## machine"
echo "$(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), PostgreSQL $("$(gk_pg_bin)/postgres" --version | awk '{print $3}'), date $(date -u +%F)"

echo "## 1. CreateSession vs pgbench (same SQL, same concurrency)"
# pgbench's athlete, inserted in its own tenancy scope (row-level security, migration 0006).
athlete="$(cat /proc/sys/kernel/random/uuid)"
psql -X -q -v ON_ERROR_STOP=1 "$GK_DATABASE_URL" >/dev/null <<SQL
BEGIN;
SELECT set_config('gaitkeeper.athlete_id', '$athlete', true);
INSERT INTO athletes (id, request_id, request_hash) VALUES ('$athlete', gen_random_uuid(), '\\x00');
COMMIT;
SQL
script="$(mktemp)"
sed "s/@ATHLETE@/$athlete/" "$GK_ROOT/bench/create_session.pgbench.sql" > "$script"
pgbench_run() {
  PGPASSWORD="$GK_PG_APP_PASSWORD" pgbench -n -M prepared -h 127.0.0.1 -p "$GK_PG_PORT" -U gaitkeeper_app \
    -c "$1" -j 2 -T "$2" -f "$script" gaitkeeper 2>/dev/null \
    | awk -v c="$1" '/latency average/{lat=$4} /^tps/{tps=$3} END{printf "pgbench concurrency=%d tps=%.0f latency_avg_ms=%s\n", c, tps, lat}'
}
# Warm-up, not reported: the first seconds after start (connections, caches, a checkpoint)
# once gave a tenth of the steady rate.
load create-sessions --target="$target" --concurrency=16 --seconds=2 >/dev/null
pgbench_run 16 2 >/dev/null
for c in 16 64; do
  load create-sessions --target="$target" --concurrency=$c --seconds=$seconds
  pgbench_run $c $seconds
done
rm -f "$script"

echo "## 1b. CreateSession at 16 callers: verified-token cache on vs off (every call checks the signature)"
load create-sessions --target="$target" --concurrency=16 --seconds=$seconds
gk_stack_stop_all
GK_JWT_VERIFIED_CACHE_KIB=0 gk_stack_start_all
load create-sessions --target="$target" --concurrency=16 --seconds=$seconds
gk_stack_stop_all
gk_stack_start_all

echo "## 2. samples stored per second vs COPY one row per sample"
for kind in dynamics imu100 imu500; do
  m=$minutes; s=$sessions
  [ $kind = dynamics ] && s=$((sessions * 64))
  load ingest --target="$target" --kind=$kind --sessions=$s --concurrency=4 --minutes=$m
  "$GK_BUILD/bench/gaitkeeper-load" copy-baseline --database_url="$GK_DATABASE_URL" --kind=$kind --sessions=$s --minutes=$m
done

echo "## 3. scoring a session: database read vs computation (same session, same run)"
for rate in 100 500 1000; do
  "$GK_BUILD/bench/gaitkeeper-score-bench" --database_url="$GK_DATABASE_URL" --minutes=$((quick ? 10 : 60)) \
    --imu_rate_hz=$rate --repeats=$((quick ? 1 : 5)) 2>/dev/null
done

echo "## 4. micro-benchmarks"
for b in "$GK_BUILD"/bench/*_benchmark; do
  if [ -x "$b" ]; then "$b" --benchmark_min_time=0.2 2>/dev/null; fi
done
echo "done"
