#!/usr/bin/env bash
# Development JWT keys (never for production):
#   scripts/gen-dev-keys.sh [--force] DIR
# creates in DIR
#   dev-hs256.secret             HS256 secret, 32 random bytes (raw)
#   rs256-1.key, rs256-1.pub     RSA 2048: private key (PKCS#8 PEM), public key (PEM)
#   es256-1.key, es256-1.pub     EC P-256: private key (PKCS#8 PEM), public key (PEM)
#   verify.keys                  key set for verifiers: the secret and the public keys
#   signing.keys                 key set for issuers: the secret and the private keys
# Key-set format: one key a line, "kid alg key_file", key_file relative to the set's directory,
# '#' starts a comment. Existing files are kept (a missing public key is derived again from its
# private key; a missing private key makes a new pair); --force makes everything anew. Secrets
# and private keys are mode 600. Prints one summary line.
set -euo pipefail

. "$(dirname "$0")/lib/dev_openssl.sh"
gk_dev_args "$@"
gk_dev_workdir gen-dev-keys

# Whether DIR/$1 must be (re)made.
needed() { [ "$force" = 1 ] || [ ! -s "$dir/$1" ]; }

# Moves a finished file from the work dir into place with mode $2.
install_file() {
  chmod "$2" "$work/$1"
  mv -f "$work/$1" "$dir/$1"
}

created=()

if needed dev-hs256.secret; then
  ossl rand -out "$work/dev-hs256.secret" 32
  install_file dev-hs256.secret 600
  created+=(dev-hs256.secret)
fi

# make_pair NAME GENPKEY-ARGS...: private key NAME.key and public key NAME.pub.
make_pair() {
  local name="$1"
  shift
  if needed "$name.key"; then
    ossl genpkey "$@" -out "$work/$name.key"
    ossl pkey -in "$work/$name.key" -pubout -out "$work/$name.pub"
    install_file "$name.key" 600
    install_file "$name.pub" 644
    created+=("$name")
  elif [ ! -s "$dir/$name.pub" ]; then
    ossl pkey -in "$dir/$name.key" -pubout -out "$work/$name.pub"
    install_file "$name.pub" 644
    created+=("$name.pub")
  fi
}
make_pair rs256-1 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
make_pair es256-1 -algorithm EC -pkeyopt ec_paramgen_curve:P-256

if needed verify.keys; then
  cat >"$work/verify.keys" <<'EOF'
# Development verification keys (scripts/gen-dev-keys.sh). kid alg key_file (relative to here)
dev-hs256 HS256 dev-hs256.secret
rs256-1 RS256 rs256-1.pub
es256-1 ES256 es256-1.pub
EOF
  install_file verify.keys 644
  created+=(verify.keys)
fi

if needed signing.keys; then
  cat >"$work/signing.keys" <<'EOF'
# Development signing keys (scripts/gen-dev-keys.sh). kid alg key_file (relative to here)
dev-hs256 HS256 dev-hs256.secret
rs256-1 RS256 rs256-1.key
es256-1 ES256 es256-1.key
EOF
  install_file signing.keys 644
  created+=(signing.keys)
fi

if [ "${#created[@]}" = 0 ]; then
  echo "gen-dev-keys: kept existing keys in $dir (--force to make new ones)"
else
  echo "gen-dev-keys: created ${created[*]} in $dir (verify: $dir/verify.keys, signing: $dir/signing.keys)"
fi
