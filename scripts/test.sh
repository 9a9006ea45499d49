#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test (Swift Testing), and
# ends with one line "N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
log=$(mktemp)
status=0
swift test 2>&1 | tee "$log" | grep -E '✘|^error|Test run with' || true
status=${PIPESTATUS[0]}
summary=$(grep -E 'Test run with [0-9]+ test' "$log" | tail -1)
failed=$(grep -E '^✘ Test [^ ]+\(.*\) (failed|recorded)' "$log" | sed -E 's/^✘ Test ([^ ]+\(.*\)) .*/\1/' | sort -u | wc -l)
total=$(echo "$summary" | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p')
total=${total:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$((total - failed)) passed, $failed failed"
rm -f "$log"
exit "$status"
