# Starting and stopping the three services in the background (scripts/stack.sh, demo.sh,
# bench/run.sh, tests/integration/binaries_e2e.sh).
#
# Security as in production, with development material (docs/SECURITY.md): every service runs
# with --auth_mode=jwt and serves TLS with its own certificate; services call each other over
# mutual TLS with service tokens (ES256, kid es256-1, the only kid allowed to sign them); users'
# tokens are RS256 (kid rs256-1), minted by the clients themselves (gaitkeeper-cli and
# gaitkeeper-load play the identity provider). Keys and certificates are made once under the run
# dir and kept (scripts/gen-dev-keys.sh, scripts/gen-dev-certs.sh).
# shellcheck shell=bash

GK_STACK_DIR="${GK_STACK_DIR:-$GK_RUN/stack}"
GK_INGESTION_PORT="${GK_INGESTION_PORT:-50051}"
GK_SCORING_PORT="${GK_SCORING_PORT:-50052}"
GK_PLANNING_PORT="${GK_PLANNING_PORT:-50053}"
GK_SERVICES=(ingestion scoring planning)

GK_KEYS_DIR="${GK_KEYS_DIR:-$GK_RUN/keys}"
GK_CERTS_DIR="${GK_CERTS_DIR:-$GK_RUN/certs}"
# Not GK_JWT_ISSUER / GK_SERVICE_KID: those are the services' own environment fallbacks.
GK_STACK_ISSUER=gaitkeeper-dev
GK_STACK_SERVICE_KID=es256-1
GK_STACK_USER_KID=rs256-1

gk_service_port() {
  case "$1" in
    ingestion) echo "$GK_INGESTION_PORT" ;;
    scoring) echo "$GK_SCORING_PORT" ;;
    planning) echo "$GK_PLANNING_PORT" ;;
  esac
}

# Makes the development keys and certificates if missing (existing ones are kept), and the key set
# the services sign their tokens with: es256-1 alone, so no service holds a user-signing key.
gk_security_init() {
  "$GK_ROOT/scripts/gen-dev-keys.sh" "$GK_KEYS_DIR" >&2
  "$GK_ROOT/scripts/gen-dev-certs.sh" "$GK_CERTS_DIR" >&2
  if [ ! -s "$GK_KEYS_DIR/service-signing.keys" ]; then
    printf '# Service token signing key (scripts/lib/stack.sh). kid alg key_file\n%s ES256 %s.key\n' \
      "$GK_STACK_SERVICE_KID" "$GK_STACK_SERVICE_KID" > "$GK_KEYS_DIR/service-signing.keys"
  fi
}

# Sets GK_ARGS to the command-line flags of service $1 listening on 127.0.0.1:$2: JWT
# verification, TLS with its certificate (the CA verifies client certificates and the services it
# calls), and for the two services that call another one, their service signing key. Limits come
# from the environment (GK_WRITE_RATE_PER_S etc.; bench/run.sh raises them).
gk_service_args() {
  local name="$1" port="$2"
  GK_ARGS=(--listen="127.0.0.1:$port" --auth_mode=jwt
    --jwt_keys="$GK_KEYS_DIR/verify.keys" --jwt_issuer="$GK_STACK_ISSUER" --jwt_service_kids="$GK_STACK_SERVICE_KID"
    --tls_cert="$GK_CERTS_DIR/$name.crt" --tls_key="$GK_CERTS_DIR/$name.key" --tls_ca="$GK_CERTS_DIR/ca.crt")
  case "$name" in
    ingestion | scoring)
      GK_ARGS+=(--service_signing_keys="$GK_KEYS_DIR/service-signing.keys" --service_kid="$GK_STACK_SERVICE_KID") ;;
  esac
}

# Sets GK_CLIENT_ARGS to what gaitkeeper-cli and gaitkeeper-load need: mint users' tokens with
# rs256-1 and trust the development CA.
gk_client_args() {
  GK_CLIENT_ARGS=(--signing_keys="$GK_KEYS_DIR/signing.keys" --kid="$GK_STACK_USER_KID"
    --issuer="$GK_STACK_ISSUER" --tls_ca="$GK_CERTS_DIR/ca.crt")
}

# gaitkeeper-probe against service $1 over TLS (health and reflection need no token); extra
# arguments are passed on.
gk_probe() {
  local name="$1"
  shift
  "$(gk_bin probe probe)" --address="127.0.0.1:$(gk_service_port "$name")" --tls_ca="$GK_CERTS_DIR/ca.crt" "$@"
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
  gk_service_args "$name" "$port"
  GK_DATABASE_URL="$GK_DATABASE_URL" GK_SCORING_ADDRESS="127.0.0.1:$GK_SCORING_PORT" GK_PLANNING_ADDRESS="127.0.0.1:$GK_PLANNING_PORT" \
    nohup "$(gk_bin "$name" "$name")" "${GK_ARGS[@]}" >>"$GK_STACK_DIR/$name.log" 2>&1 &
  echo $! > "$GK_STACK_DIR/$name.pid"
}

# Waits until the service answers grpc.health.v1 Check with SERVING.
gk_service_wait() {
  local name="$1" i
  for i in $(seq 1 100); do
    if gk_probe "$name" --timeout_ms=500 >/dev/null 2>&1; then return 0; fi
    gk_service_pid "$name" >/dev/null || { tail -n 20 "$GK_STACK_DIR/$name.log" >&2; gk_die "$name exited"; }
    sleep 0.1
  done
  gk_die "$name did not become healthy on port $(gk_service_port "$name")"
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
  gk_security_init
  for s in "${GK_SERVICES[@]}"; do gk_service_start "$s"; done
  for s in "${GK_SERVICES[@]}"; do gk_service_wait "$s"; done
}

gk_stack_stop_all() {
  local s
  for s in ingestion planning scoring; do gk_service_stop "$s"; done
}
