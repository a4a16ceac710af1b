#!/usr/bin/env bash
# Fuzzes the JSON line reader, the TOML reader and the report reader for a while with a fresh seed each.
# Usage: scripts/fuzz.sh [seconds per reader, default 60] [seed]
# An input that breaks an invariant is saved by the test itself; one that crashes the process is saved here.
# Both land in Tests/FuzzRegressions/, which `swift test` replays on every run.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
seed=${2:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
swift build --build-tests >/dev/null || exit 1
current=$(mktemp)
trap 'rm -f "$current"' EXIT
status=0
for test in engineLines:json tomlFiles:toml savedReports:report; do
    name=${test%%:*}
    prefix=${test##*:}
    echo "fuzzing $prefix for ${seconds}s, seed $seed"
    : > "$current"
    LOKET_FUZZ_SECONDS=$seconds LOKET_FUZZ_SEED=$seed LOKET_FUZZ_CURRENT=$current \
        swift test --skip-build --filter "FuzzTests/$name" > "$current.log" 2>&1
    result=$?
    if [ $result -ne 0 ]; then
        status=1
        if ! grep -q "input saved as" "$current.log" && [ -s "$current" ]; then
            # The process died on this input: keep it as a regression.
            saved="Tests/FuzzRegressions/$prefix-crash-$(sha256sum "$current" | cut -c1-16).bin"
            cp "$current" "$saved"
            echo "crash: input saved as $saved"
        fi
        grep -E "✘|input saved as" "$current.log" | head -5
    fi
    rm -f "$current.log"
done
exit $status
