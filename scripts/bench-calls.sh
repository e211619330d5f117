#!/usr/bin/env bash
# Prints ecsdeck's AWS calls per minute per API at one and two tasks, and
# the time from a container writing a line to the dashboard having it,
# on the embedded demo (which counts calls as AWS would).
#
#   scripts/bench-calls.sh [SECONDS]     # per run, default 60
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --example calls -- "${1:-60}"
