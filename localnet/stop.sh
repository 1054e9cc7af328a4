#!/usr/bin/env bash
# Stops exactly the processes localnet/start.sh started (by pid file); state is kept for the next start.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${LOCALNET_DIR:-$root/.localnet}"
shopt -s nullglob
pids=()
for f in "$dir"/pids/*.pid; do
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid:$(basename "$f" .pid)"); fi
done
for entry in "${pids[@]}"; do
  pid=${entry%%:*}
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "killed ${entry#*:} (pid $pid) after timeout"; fi
done
rm -f "$dir"/pids/*.pid
echo "stopped ${#pids[@]} processes"
