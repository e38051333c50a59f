# Shared by scripts/*.sh: paths, package installation, build. Source it; do not run it.
# shellcheck shell=bash

GK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GK_RUN="${GK_RUN:-$GK_ROOT/.run}"
GK_BUILD="${GK_BUILD:-$GK_ROOT/build}"
GK_BUILD_TYPE="${GK_BUILD_TYPE:-Release}"
GK_JOBS="${GK_JOBS:-2}"

# Debian 12 packages the build, the tests and the private PostgreSQL need.
GK_PACKAGES=(cmake g++ make pkg-config ccache protobuf-compiler libprotobuf-dev libgrpc++-dev libgrpc-dev
  protobuf-compiler-grpc libabsl-dev libpqxx-dev libpq-dev libgtest-dev libgmock-dev postgresql
  postgresql-client openssl libssl-dev libxml2-dev libjwt-dev)

gk_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
gk_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs whatever of GK_PACKAGES (plus "$@") is missing, with apt-get, only when something is.
gk_install_deps() {
  local missing=() p
  for p in "${GK_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  gk_say "installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || gk_die "need root or sudo to install: ${missing[*]}"
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds everything, or the targets given.
gk_build() {
  if [ ! -f "$GK_BUILD/CMakeCache.txt" ]; then
    gk_say "configuring ($GK_BUILD_TYPE) in $GK_BUILD"
    cmake -S "$GK_ROOT" -B "$GK_BUILD" -DCMAKE_BUILD_TYPE="$GK_BUILD_TYPE" ${GK_CMAKE_ARGS:-} >/dev/null
  fi
  gk_say "building${1:+ $*} (-j$GK_JOBS)"
  if [ $# -gt 0 ]; then
    local t
    for t in "$@"; do cmake --build "$GK_BUILD" -j"$GK_JOBS" --target "$t"; done
  else
    cmake --build "$GK_BUILD" -j"$GK_JOBS"
  fi
}

gk_bin() { echo "$GK_BUILD/services/$1/gaitkeeper-$2"; }
