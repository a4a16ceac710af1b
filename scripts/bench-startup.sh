#!/usr/bin/env bash
# Start-up to first frame in trainee mode, measured by loket itself (--log) in a real terminal (tmux).
# Usage: scripts/bench-startup.sh [runs]   (builds the binary the README installs first: a static executable)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product loket --scratch-path .build/static >/dev/null 2>&1
binary=.build/static/release/loket
log=$(mktemp)
trap 'rm -f "$log"' EXIT
results=()
for run in $(seq "$runs"); do
    # A server per run: reusing one right after kill-server races with its exit.
    socket="loket-bench-$$-$run"
    : >"$log"
    tmux -L "$socket" new-session -d -x 120 -y 40 "env LANG=C.UTF-8 TERM=xterm-256color $binary --seed 1 --log $log"
    for _ in $(seq 200); do
        grep -q "first frame" "$log" && break
        sleep 0.02
    done
    results+=("$(grep -o 'first frame [0-9]*' "$log" | grep -o '[0-9]*$')")
    tmux -L "$socket" kill-server 2>/dev/null || true
done
sorted=$(printf '%s\n' "${results[@]}" | sort -n)
echo "start to first frame, $runs runs (ms): $(echo $sorted | tr '\n' ' ')"
echo "median: $(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p") ms (budget 100 ms)"
