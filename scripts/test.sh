#!/usr/bin/env bash
# Runs every test of ecsdeck: unit, screen, response-fixture, end-to-end and
# the AWS wire tests against a local moto server, which this script
# installs (into a virtual environment, once) and starts on a free
# loopback port. Nothing here talks to real AWS.
#
#   scripts/test.sh            # everything
#   scripts/test.sh moto       # extra arguments go to `cargo test`
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
VENV="${ECSDECK_VENV:-.venv}"

if [ ! -x "$VENV/bin/moto_server" ]; then
  echo "== installing moto[server]==$MOTO_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="${TMPDIR:-/tmp}/ecsdeck-moto-$port.log"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT

python3 - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/moto-api/"
for _ in range(150):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit("moto did not start; see its log")
PY
echo "== moto listening on 127.0.0.1:$port (log: $log)"

export ECSDECK_MOTO_ENDPOINT="http://127.0.0.1:$port"
# Keep any real AWS configuration of this machine out of the tests.
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
# Snapshots are checked, never silently rewritten.
export INSTA_UPDATE=no CI="${CI:-}"

cargo test "$@"
