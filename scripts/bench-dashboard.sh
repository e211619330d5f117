#!/usr/bin/env bash
# Prints the dashboard's figures on the embedded demo: time to the first
# full screen, CPU and memory while idle over a minute, and the API call
# rate the dashboard reports. Needs tmux. The demo's simulated servers run
# in the same process, so the CPU figure includes them.
#
#   scripts/bench-dashboard.sh [--release] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=debug
if [ "${1:-}" = "--release" ]; then profile=release; shift; fi
secs="${1:-60}"
cargo build --quiet $([ "$profile" = release ] && echo --release)
bin="${CARGO_TARGET_DIR:-target}/$profile/ecsdeck"
session="ecsdeck-bench-$$"
tmux new-session -d -s "$session" -x 120 -y 40 "$bin demo --log-file /dev/null"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
start=$(date +%s.%N)
first=""
for _ in $(seq 1 600); do
  screen=$(tmux capture-pane -p -t "$session")
  if ! grep -q "loading" <<<"$screen" && grep -q "fsmt-" <<<"$screen" && grep -q "updated" <<<"$screen"; then
    first=$(echo "$(date +%s.%N) - $start" | bc)
    break
  fi
  sleep 0.05
done
healthy=""
for _ in $(seq 1 600); do
  if tmux capture-pane -p -t "$session" | grep -q "● HEALTHY"; then
    healthy=$(echo "$(date +%s.%N) - $start" | bc)
    break
  fi
  sleep 0.05
done
pid=$(pgrep -n -x ecsdeck)
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks); s0=$(date +%s.%N)
sleep "$secs"
t1=$(ticks); s1=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
rate=$(tmux capture-pane -p -t "$session" | grep -o '[0-9]* calls/min' | head -1)
cpu=$(echo "scale=2; 100 * ($t1 - $t0) / $hz / ($s1 - $s0)" | bc)
echo "profile:                 $profile"
echo "first full screen:       ${first:-never} s"
echo "service HEALTHY shown:   ${healthy:-never} s (demo task start-up included)"
echo "idle CPU over ${secs}s:      ${cpu} % of one core"
echo "memory RSS:              $((rss / 1024)) MiB (peak $((hwm / 1024)) MiB)"
echo "AWS call rate shown:     ${rate:-n/a}"
