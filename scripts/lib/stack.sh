# Starting and stopping the three services in the background (scripts/stack.sh, demo.sh).
# shellcheck shell=bash

GK_STACK_DIR="${GK_STACK_DIR:-$GK_RUN/stack}"
GK_INGESTION_PORT="${GK_INGESTION_PORT:-50051}"
GK_SCORING_PORT="${GK_SCORING_PORT:-50052}"
GK_PLANNING_PORT="${GK_PLANNING_PORT:-50053}"
GK_SERVICES=(ingestion scoring planning)

gk_service_port() {
  case "$1" in
    ingestion) echo "$GK_INGESTION_PORT" ;;
    scoring) echo "$GK_SCORING_PORT" ;;
    planning) echo "$GK_PLANNING_PORT" ;;
  esac
}

gk_service_pid() {
  local f="$GK_STACK_DIR/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"
}

# Starts one service in the background, logging to .run/stack/<name>.log.
gk_service_start() {
  local name="$1" port
  port="$(gk_service_port "$name")"
  mkdir -p "$GK_STACK_DIR"
  if gk_service_pid "$name" >/dev/null; then gk_say "$name already running"; return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then gk_die "port $port ($name) is already in use"; fi
  GK_DATABASE_URL="$GK_DATABASE_URL" GK_SCORING_ADDRESS="127.0.0.1:$GK_SCORING_PORT" GK_PLANNING_ADDRESS="127.0.0.1:$GK_PLANNING_PORT" \
    nohup "$(gk_bin "$name" "$name")" --listen="127.0.0.1:$port" >>"$GK_STACK_DIR/$name.log" 2>&1 &
  echo $! > "$GK_STACK_DIR/$name.pid"
}

# Waits until the service answers grpc.health.v1 Check with SERVING.
gk_service_wait() {
  local name="$1" port i
  port="$(gk_service_port "$name")"
  for i in $(seq 1 100); do
    if "$(gk_bin probe probe)" --address="127.0.0.1:$port" --timeout_ms=500 >/dev/null 2>&1; then return 0; fi
    gk_service_pid "$name" >/dev/null || { tail -n 20 "$GK_STACK_DIR/$name.log" >&2; gk_die "$name exited"; }
    sleep 0.1
  done
  gk_die "$name did not become healthy on port $port"
}

# SIGTERM (graceful drain), then SIGKILL after 15 s.
gk_service_stop() {
  local name="$1" pid i
  pid="$(gk_service_pid "$name")" || { rm -f "$GK_STACK_DIR/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$GK_STACK_DIR/$name.pid"
}

gk_stack_start_all() {
  local s
  for s in "${GK_SERVICES[@]}"; do gk_service_start "$s"; done
  for s in "${GK_SERVICES[@]}"; do gk_service_wait "$s"; done
}

gk_stack_stop_all() {
  local s
  for s in ingestion planning scoring; do gk_service_stop "$s"; done
}
