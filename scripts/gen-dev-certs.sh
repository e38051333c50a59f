#!/usr/bin/env bash
# Development TLS material for the three services (never for production):
#   scripts/gen-dev-certs.sh [--force] DIR
# creates in DIR
#   ca.crt, ca.key                    "Gaitkeeper development CA" (EC P-256, 825 days)
#   <svc>.crt, <svc>.key              for ingestion, scoring, planning: CN gaitkeeper-<svc>,
#                                     SAN DNS:localhost, IP:127.0.0.1, IP:::1,
#                                     extendedKeyUsage serverAuth + clientAuth (each service
#                                     serves with it and presents it when calling the next one)
# Existing files are kept (a missing or half-present pair is made again; a new CA re-issues every
# service certificate); --force makes everything anew. Keys are mode 600. Prints one summary line.
# Use with: --tls_cert DIR/<svc>.crt --tls_key DIR/<svc>.key --tls_client_ca DIR/ca.crt, and
# clients trust DIR/ca.crt.
set -euo pipefail

. "$(dirname "$0")/lib/dev_openssl.sh"
gk_dev_args "$@"

readonly services=(ingestion scoring planning)
readonly days=825
gk_dev_workdir gen-dev-certs

new_ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

# Moves a finished key/cert pair from the work dir into place, key first and private.
install_pair() {
  local name="$1"
  chmod 600 "$work/$name.key"
  chmod 644 "$work/$name.crt"
  mv -f "$work/$name.key" "$dir/$name.key"
  mv -f "$work/$name.crt" "$dir/$name.crt"
}

have_pair() { [ -s "$dir/$1.crt" ] && [ -s "$dir/$1.key" ]; }

created=()
new_ca=0
if [ "$force" = 1 ] || ! have_pair ca; then
  cat >"$work/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Gaitkeeper development CA
[v3_ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
  new_ec_key "$work/ca.key"
  ossl req -x509 -new -config "$work/ca.cnf" -extensions v3_ca -key "$work/ca.key" \
    -sha256 -days "$days" -set_serial "0x$(openssl rand -hex 16)" -out "$work/ca.crt"
  install_pair ca
  new_ca=1
  created+=(ca)
fi

cat >"$work/leaf.ext" <<'EOF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
for svc in "${services[@]}"; do
  if [ "$new_ca" = 0 ] && have_pair "$svc"; then continue; fi
  new_ec_key "$work/$svc.key"
  ossl req -new -key "$work/$svc.key" -subj "/CN=gaitkeeper-$svc" -out "$work/$svc.csr"
  ossl x509 -req -in "$work/$svc.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$days" \
    -extfile "$work/leaf.ext" -out "$work/$svc.crt"
  install_pair "$svc"
  created+=("$svc")
done

if [ "${#created[@]}" = 0 ]; then
  echo "gen-dev-certs: kept existing certificates in $dir (--force to make new ones)"
else
  echo "gen-dev-certs: created ${created[*]} in $dir (CA: $dir/ca.crt)"
fi
