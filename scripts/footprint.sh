#!/usr/bin/env bash
# Resident memory of trainee mode 3 s after start, in tmux, split into where it goes: the binary's own pages, the
# shared C libraries, and anonymous memory (heap: script, trained models, conversations).
# Usage: scripts/footprint.sh [runs] [binary]   (without a binary: builds the one the README installs, a static
# executable)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
binary=${2:-}
if [ -z "$binary" ]; then
    swift build -c release --static-swift-stdlib -Xswiftc -static-executable --product loket \
        --scratch-path .build/static >/dev/null 2>&1
    binary=.build/static/release/loket
fi
name=$(basename "$binary")
totals=()
for run in $(seq "$runs"); do
    socket="loket-footprint-$$-$run"
    tmux -L "$socket" new-session -d -x 120 -y 40 "env LANG=C.UTF-8 TERM=xterm-256color $binary --seed 1"
    sleep 3
    pid=$(tmux -L "$socket" list-panes -F '#{pane_pid}')
    line=$(awk -v name="$name" '
        /^[0-9a-f]+-[0-9a-f]+ / { file = $6; split(file, parts, "/"); base = parts[length(parts)] }
        /^Rss:/ {
            if (base == name) own += $2
            else if (file ~ /\.so/ || file ~ /^\/usr\/lib\/locale/) libs += $2
            else anon += $2
            total += $2
        }
        END { printf "%d %d %d %d", total, own, libs, anon }' "/proc/$pid/smaps")
    tmux -L "$socket" kill-server 2>/dev/null || true
    read -r total own libs anon <<<"$line"
    totals+=("$total")
    echo "run $run: resident $total kB = binary $own + shared libraries $libs + anonymous $anon"
done
median=$(printf '%s\n' "${totals[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "median resident: $median kB (budget 12 MB = 12288 kB)"
