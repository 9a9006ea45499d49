#!/usr/bin/env bash
# Builds and runs bptrace's libFuzzer targets (docs/FUZZING.md).
#
#   scripts/fuzz.sh [--time SECONDS] [--jobs N] [--build-only | --merge-only] [--no-merge] [target...]
#
# Targets: spec, fixture, csv, names, trace (default: all five, run at the same time, one process each).
# Each target is one binary, .build-fuzz/<target>-fuzz: the BPTrace library's sources compiled
# with -sanitize=fuzzer,address into module BPTrace together with Fuzz/Entry/FuzzEntries.swift
# and Fuzz/Targets/<target>.swift, so internal APIs are reachable.
#
# A run reads Fuzz/seeds/<t>/ (hand-made), Fuzz/corpus/<t>/ (found by earlier runs) and
# Fuzz/regressions/<t>/, fuzzes in fork mode (a crash, timeout or out-of-memory is saved and
# the run goes on) and then:
#   - merges what it found into Fuzz/corpus/<t>/ (-set_cover_merge=1 -use_counters=0: a small
#     set of inputs that reaches the code edges the seeds do not; rebuilt each time),
#   - copies each crash/timeout/oom input into Fuzz/regressions-pending/<t>/ (move it to
#     Fuzz/regressions/<t>/ once the bug is fixed: CI replays that folder),
#   - prints per target: seconds, executions (stat::number_of_executed_units), exec/s,
#     corpus files, crashes. Logs: $FUZZ_LOGS (default /tmp/fuzz-logs/).
set -euo pipefail
cd "$(dirname "$0")/.."

time=60; jobs=1; build_only=0; merge_only=0; merge=1; targets=()
while [ $# -gt 0 ]; do
    case $1 in
        --time) time=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --build-only) build_only=1; shift ;;
        --merge-only) merge_only=1; shift ;;
        --no-merge) merge=0; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        spec|fixture|csv|names|trace) targets+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument $1 (targets: spec fixture csv names trace)" >&2; exit 64 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(spec fixture csv names trace)
logs=${FUZZ_LOGS:-/tmp/fuzz-logs}
# LeakSanitizer off: Foundation's FileManager.contents(atPath:) leaks 4 kB on an empty file
# (toolchain, not bptrace), and every fork child would end as a "crash" at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
out=.build-fuzz
mkdir -p "$out" "$logs"

# Longest input per target (the seeds' 40 kB cases are truncated to this while fuzzing).
max_len() { case $1 in spec|fixture) echo 8192 ;; csv|trace) echo 4096 ;; names) echo 256 ;; esac; }

build() {
    local t=$1 bin=$out/$1-fuzz
    # The core and the checker, compiled as one module (their `import BPTrace` is then ignored).
    local sources; sources=$(find Sources/BPTrace Sources/BPTraceCheck -name '*.swift' | sort)
    if [ -x "$bin" ] && [ -z "$(find $sources Fuzz/Entry Fuzz/Targets/$t.swift -newer "$bin" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    echo "building $bin"
    # ld.gold warns about every ASan helper symbol; only errors matter.
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name BPTrace -D BPTRACE_FUZZ_TARGET \
        $sources Fuzz/Entry/FuzzEntries.swift "Fuzz/Targets/$t.swift" -o "$bin" 2> "$logs/$t-build.log" \
        || { grep -v 'Cannot export local symbol' "$logs/$t-build.log" >&2; return 1; }
}

fuzz() {
    local t=$1 bin=$out/$1-fuzz work=$out/scratch/$1 art=$out/artifacts/$1/
    mkdir -p "$work" "$art" Fuzz/corpus/$t
    local extra=()
    # Not regressions-pending: each of those would stall every fork job again.
    for d in Fuzz/seeds/$t Fuzz/corpus/$t Fuzz/regressions/$t; do
        [ -d "$d" ] && extra+=("$d")
    done
    local par=()
    [ "$jobs" -gt 1 ] && par=(-fork="$jobs") || par=(-fork=1)
    "$bin" "${par[@]}" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -detect_leaks=0 \
        -max_total_time="$time" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -dict=Fuzz/dict/$t.dict -artifact_prefix="$art" -print_final_stats=1 \
        "$work" "${extra[@]}" > "$logs/$t.log" 2>&1 || true
}

merge_corpus() {
    local t=$1 bin=$out/$1-fuzz work=$out/scratch/$1 new=$out/merged/$1
    rm -rf "$new"; mkdir -p "$new"
    # Start from the seeds so that only inputs adding coverage beyond them are kept; edges
    # only (-use_counters=0), not hit counts, keep the committed corpus to a few hundred files.
    cp Fuzz/seeds/$t/* "$new"/
    "$bin" -set_cover_merge=1 -use_counters=0 -detect_leaks=0 -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 "$new" Fuzz/corpus/$t "$work" \
        > "$logs/$t-merge.log" 2>&1 || { echo "merge of $t failed, see $logs/$t-merge.log" >&2; return 0; }
    for s in Fuzz/seeds/$t/*; do rm -f "$new/$(basename "$s")"; done
    rm -rf Fuzz/corpus/$t; mkdir -p Fuzz/corpus/$t
    cp "$new"/* Fuzz/corpus/$t/ 2>/dev/null || true
}

save_crashes() {
    local t=$1 art=$out/artifacts/$1/ n=0
    mkdir -p Fuzz/regressions-pending/$t
    for f in "$art"crash-* "$art"timeout-* "$art"oom-* "$art"leak-*; do
        [ -e "$f" ] || continue
        local name; name=$(basename "$f")
        [ -e Fuzz/regressions/$t/$name ] || cp "$f" Fuzz/regressions-pending/$t/
        n=$((n + 1))
    done
    echo $n
}

for t in "${targets[@]}"; do build "$t"; done
[ $build_only = 1 ] && exit 0
if [ $merge_only = 1 ]; then
    # Rebuild Fuzz/corpus/<t>/ from the last run's work folder, without fuzzing.
    for t in "${targets[@]}"; do merge_corpus "$t"; echo "$t: $(find Fuzz/corpus/$t -type f | wc -l) corpus files"; done
    exit 0
fi

start=$(date +%s)
pids=()
for t in "${targets[@]}"; do fuzz "$t" & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
elapsed=$(( $(date +%s) - start ))

printf '%-8s %8s %12s %8s %8s %8s\n' target seconds executions exec/s corpus crashes
for t in "${targets[@]}"; do
    if [ $merge = 1 ]; then merge_corpus "$t"; fi
    crashes=$(save_crashes "$t")
    # Fork mode: the parent's last "#N:" line counts every child's executions; a single
    # process prints stat::number_of_executed_units.
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | awk '{s += $2} END {print s + 0}' || true)
    fork=$(grep -o '^#[0-9]*:' "$logs/$t.log" | tail -1 | tr -d '#:' || true)
    if [ -n "$fork" ] && [ "$fork" -gt "$execs" ]; then execs=$fork; fi
    corpus=$(find Fuzz/corpus/$t -type f | wc -l)
    printf '%-8s %8s %12s %8s %8s %8s\n' "$t" "$elapsed" "$execs" $((execs / (elapsed > 0 ? elapsed : 1))) "$corpus" "$crashes"
done
