#!/usr/bin/env bash
# Times the service picker's listing of a large account (20 clusters x 100
# services) against a local moto server this script starts; nothing here
# talks to real AWS.
#
#   scripts/bench-picker.sh
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${ECSDECK_VENV:-.venv}"
if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "moto is not installed in $VENV: run scripts/test.sh once" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -s "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
ECSDECK_MOTO_ENDPOINT="http://127.0.0.1:$port" cargo run --quiet --example picker
