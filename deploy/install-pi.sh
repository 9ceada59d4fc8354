#!/usr/bin/env bash
# Installs the app on a Raspberry Pi (Raspberry Pi OS bookworm, 64-bit) without
# Docker, as a systemd service that starts at boot. Run from a checkout:
#   sudo deploy/install-pi.sh
# Options (environment): PREFIX (/opt/iot-flow-engine), DATA_DIR
# (/var/lib/iot-flow-engine), WITH_INFLUXDB=1 to install InfluxDB 1.x on the Pi
# and store readings there, NO_SYSTEMCTL=1 to only lay out files (the tests
# also use NO_APT, NO_NPM, NO_USER, ENV_FILE and UNIT_DIR).
# Retention (90 days raw, hourly aggregates two years): the unit applies it on
# the first start once INFLUX_URL is set (scripts/influx-retention.ts --first-start).
set -euo pipefail

PREFIX="${PREFIX:-/opt/iot-flow-engine}"
DATA_DIR="${DATA_DIR:-/var/lib/iot-flow-engine}"
ENV_FILE="${ENV_FILE:-/etc/iot-flow-engine.env}"
UNIT_DIR="${UNIT_DIR:-/etc/systemd/system}"
SRC="$(cd "$(dirname "$0")/.." && pwd)"

say() { printf '\n==> %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (sudo $0)" >&2; exit 1; }

if [ -z "${NO_APT:-}" ]; then
  say "Debian packages: Node.js, npm, Mosquitto, ffmpeg"
  apt-get update
  apt-get install -y --no-install-recommends nodejs npm mosquitto mosquitto-clients ffmpeg
  if [ -n "${WITH_INFLUXDB:-}" ]; then apt-get install -y --no-install-recommends influxdb; fi
  node -e 'const [maj]=process.versions.node.split(".").map(Number); if (maj<18) { console.error("Node.js 18 or newer is needed, found "+process.version); process.exit(1) }'
fi

say "User and folders"
mkdir -p "$PREFIX" "$DATA_DIR" "$UNIT_DIR" "$(dirname "$ENV_FILE")"
if [ -z "${NO_USER:-}" ]; then
  id iot >/dev/null 2>&1 || useradd --system --home "$DATA_DIR" --shell /usr/sbin/nologin iot
  for g in gpio video; do getent group "$g" >/dev/null && usermod -aG "$g" iot || true; done
  chown iot:iot "$DATA_DIR"
fi

say "App into $PREFIX"
tar -C "$SRC" --exclude=node_modules --exclude=dist --exclude=.data --exclude=.git -cf - . | tar -C "$PREFIX" -xf -
if [ -z "${NO_NPM:-}" ]; then
  (cd "$PREFIX" && npm ci --no-audit --no-fund && npm run build)
fi

if [ ! -f "$ENV_FILE" ]; then
  say "Configuration in $ENV_FILE (edit it, then: systemctl restart iot-flow-engine)"
  secret="$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)"
  cat > "$ENV_FILE" <<CONF
# See $PREFIX/README.md, "Configuration".
NODE_ENV=production
NODE_RED_CREDENTIAL_SECRET=$secret
DATA_DIR=$DATA_DIR
HOST=127.0.0.1
PORT=1880
# The Pi's own Mosquitto (installed above); devices publish to it.
MQTT_URL=mqtt://127.0.0.1:1883
SIMULATE_DEVICES=0
$(if [ -n "${WITH_INFLUXDB:-}" ]; then printf 'INFLUX_URL=http://127.0.0.1:8086\nINFLUX_VERSION=1\nINFLUX_DB=iot'; else printf '# INFLUX_URL=http://server:8086\n# INFLUX_VERSION=2'; fi)
# Applied on the first start with INFLUX_URL (then remembered in DATA_DIR/influx-retention.json):
INFLUX_RETENTION=90d
INFLUX_HOURLY_RETENTION=730d
# ADMIN_PASSWORD_HASH=   (needed before setting HOST=0.0.0.0)
CONF
  chmod 600 "$ENV_FILE"
fi

say "systemd unit"
install -m 0644 "$SRC/deploy/iot-flow-engine.service" "$UNIT_DIR/iot-flow-engine.service"
sed -i "s#/opt/iot-flow-engine#$PREFIX#g; s#/var/lib/iot-flow-engine#$DATA_DIR#g; s#/etc/iot-flow-engine.env#$ENV_FILE#g" "$UNIT_DIR/iot-flow-engine.service"
if [ -z "${NO_SYSTEMCTL:-}" ]; then
  systemctl daemon-reload
  systemctl enable --now mosquitto
  if [ -n "${WITH_INFLUXDB:-}" ]; then systemctl enable --now influxdb; fi
  systemctl enable --now iot-flow-engine
  say "Done: systemctl status iot-flow-engine; the editor is on http://127.0.0.1:1880/"
else
  say "Done (systemctl skipped)"
fi
