#!/usr/bin/env bash
# Makes a local certificate authority and a server certificate for Mosquitto's
# TLS listener (port 8883), with openssl. Clients trust the CA:
#   mosquitto_sub --cafile docker/mosquitto/certs/ca.crt -h localhost -p 8883 ...
#   mqtt.connect('mqtts://host:8883', { ca: fs.readFileSync('ca.crt') })
#
#   docker/mosquitto/make-certs.sh [out-dir] [name ...]
# out-dir defaults to docker/mosquitto/certs (mounted by docker/compose.yaml);
# the names (DNS names or IP addresses) go into the certificate's
# subjectAltName, default: localhost mosquitto 127.0.0.1 and this host's name.
# An existing CA is kept (clients keep trusting it); the server certificate is
# made again. Keys are private (0600); never commit them.
set -euo pipefail

OUT="${1:-$(cd "$(dirname "$0")" && pwd)/certs}"
shift || true
NAMES=("$@")
[ ${#NAMES[@]} -eq 0 ] && NAMES=(localhost mosquitto 127.0.0.1 "$(hostname)")
DAYS_CA="${DAYS_CA:-3650}"
DAYS_SERVER="${DAYS_SERVER:-825}"

command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 1; }
mkdir -p "$OUT"
umask 077

san=""
for n in "${NAMES[@]}"; do
  if [[ "$n" =~ ^[0-9.]+$ || "$n" == *:* ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
done
san="${san%,}"

if [ ! -s "$OUT/ca.key" ] || [ ! -s "$OUT/ca.crt" ]; then
  openssl genrsa -out "$OUT/ca.key" 3072 2>/dev/null
  openssl req -x509 -new -key "$OUT/ca.key" -sha256 -days "$DAYS_CA" \
    -subj "/CN=IoT flow engine local CA" -out "$OUT/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  echo "made a CA: $OUT/ca.crt"
else
  echo "kept the CA: $OUT/ca.crt"
fi

openssl genrsa -out "$OUT/server.key" 2048 2>/dev/null
openssl req -new -key "$OUT/server.key" -subj "/CN=${NAMES[0]}" -out "$OUT/server.csr"
ext="$(mktemp)"
trap 'rm -f "$ext" "$OUT/server.csr"' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >"$ext"
openssl x509 -req -in "$OUT/server.csr" -CA "$OUT/ca.crt" -CAkey "$OUT/ca.key" -CAcreateserial \
  -days "$DAYS_SERVER" -sha256 -extfile "$ext" -out "$OUT/server.crt" 2>/dev/null
chmod 0644 "$OUT/ca.crt" "$OUT/server.crt"
echo "made a server certificate for $san: $OUT/server.crt"
