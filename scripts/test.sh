#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, runs every test (Swift Testing), and
# ends with one line "N passed, M failed" (N, M: test functions; a parameterised test counts once).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test || { echo "test: installing the test dependencies failed" >&2; exit 1; }
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|warning:|^ *[0-9]* *\||^ *\|'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "test: the build failed" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build 2>&1 | tee "$log" | grep -E '^✘|^error|Test run with'
status=${PIPESTATUS[0]}
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' "$log" | tail -1)
failed=$(grep -E '^✘ Test ' "$log" | grep -v '^✘ Test run with' | sed -E 's/^✘ Test ([^(]*\().*/\1/' | sort -u | wc -l)
total=${total:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$((total - failed)) passed, $failed failed"
exit "$status"
