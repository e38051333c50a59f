# Shared by scripts/gen-dev-certs.sh and scripts/gen-dev-keys.sh: their command line
# ([--force] DIR), a private work directory inside DIR, and a quiet openssl.

# Parses "[--force] DIR" into $force (0/1) and $dir; a bad command line prints usage, exit 2.
gk_dev_args() {
  local arg
  force=0
  dir=""
  for arg in "$@"; do
    case "$arg" in
      --force) force=1 ;;
      -*) gk_dev_usage ;;
      *) [ -z "$dir" ] || gk_dev_usage; dir="$arg" ;;
    esac
  done
  [ -n "$dir" ] || gk_dev_usage
  command -v openssl >/dev/null || { echo "$0: openssl not found (apt-get install openssl)" >&2; exit 1; }
}
gk_dev_usage() { echo "usage: $0 [--force] DIR" >&2; exit 2; }

# Makes DIR and $work, a work directory inside it (same file system, so finished files move into
# place atomically; removed on exit), with $log for openssl's output; new files are private.
gk_dev_workdir() {
  mkdir -p "$dir"
  work="$(mktemp -d "$dir/.$1.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  log="$work/openssl.log"
  umask 077
}

# Runs openssl quietly; on failure shows what it said and exits.
ossl() {
  if ! openssl "$@" >>"$log" 2>&1; then
    echo "$0: openssl $1 failed:" >&2
    cat "$log" >&2
    exit 1
  fi
}
