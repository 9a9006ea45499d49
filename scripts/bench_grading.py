#!/usr/bin/env python3
"""Benchmark of grading a class (issue 15, "Grading throughput"), figures printed as ratios
against baselines measured in the same run:

A class of 200 student traces of 12 mazur-2015 steps is written into a temporary directory by
scripts/student_traces.py (deterministic: clean traces, each bug that changes Mazur's numbers,
two bugs in different layers, slips, both rounding styles, 4/6/9 decimals, complete and partial
traces). Then, best of N each (wall clock; CPU time of the children beside it):

  (a) 200 plain checks, one process per trace (`bptrace check --preset mazur-2015 --trace t.csv`):
      the issue's "one single-trace check times 200"; also one plain check's time x 200;
  (b) one process, plain, over the folder (`--trace DIR`);
  (c) one process over the folder with `--explain` (bug models on);
  (d) 200 processes with `--explain`.

Target (issue 15): (c) < 2 x (a), in wall-clock and in CPU time (the machine may be shared:
the CPU time of the children moves less with the load than the wall clock). Also printed: (c) against (b), the harsher like-for-like
ratio (what --explain costs inside one process). Memory: peak RSS (GNU time %M) of (c) for
25, 100, 200 and 800 traces; target: flat (the 800-trace run within 2 MB of the 25-trace run).
A check of the class (from (c)'s --format csv output, not timed) says how many clean traces
pass and how many bug traces have their bug among the first root cause's explanations.

usage: python3 scripts/bench_grading.py [BIN]   (run from anywhere; default BIN: the release
       build .build/release/bptrace, made first with `swift build -c release --static-swift-stdlib`)
Exit code 0 when the targets are met, 1 otherwise.
"""
import csv
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import student_traces as st  # noqa: E402

STEPS = 12
CLASS = 200
MEMORY_SIZES = [25, 100, 200, 800]
FLAT_MB = 2.0
# The bugs that change Mazur's numbers (student_traces.SUITE); per-layer ones also go in pairs.
BUGS = st.SUITE["mazur-2015"]
PAIRS = [("slope_from_net@1", "update_sign@2"), ("slope_missing@2", "lr_twice@1"), ("slope_twice@1", "slope_missing@2"),
         ("update_sign@1", "slope_from_net@2"), ("bias_missing_in_forward@1", "lr_twice@2")]


def class_plan(n):
    """n deterministic student descriptions: (name, bugs, slip, decimals, style, quantities)."""
    rng = random.Random(15)
    kinds = [("clean", [], False)] * 6 + [(b, [b], False) for b in BUGS] + \
            [("two_bugs", list(p), False) for p in PAIRS] + [("slip", [], True)] * 2
    plan = []
    for i in range(n):
        name, bugs, slip = kinds[i % len(kinds)]
        decimals = rng.choice([4, 6, 6, 9])
        style = rng.choice(["written", "carried"])
        partial = rng.random() < 0.25
        plan.append(("%03d-%s-%d-%s%s" % (i + 1, name, decimals, style, "-partial" if partial else ""),
                     bugs, slip, decimals, style, set(st.PARTIAL) if partial else None))
    return plan


def write_class(spec, folder, n):
    os.makedirs(folder)
    plan = class_plan(n)
    cache = {}
    for name, bugs, slip, decimals, style, quantities in plan:
        k = (tuple(bugs), slip, decimals, style, tuple(sorted(quantities or [])))
        if k not in cache:
            cache[k] = st.trace(spec, STEPS, decimals, style, st.Bugs(bugs), slip, quantities)
        with open(os.path.join(folder, name + ".csv"), "w", encoding="utf-8") as f:
            f.write(cache[k])
    return plan


def run(cmd):
    """Runs cmd; returns (wall seconds, CPU seconds of the child). Exit 0 or 1 (failed values) is fine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} exited {r.returncode}: {r.stderr.decode()[:500]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(cmds, n):
    """Best of n rounds, each round running every command of cmds in turn: (wall, cpu) of the best round."""
    rounds = []
    for _ in range(n):
        w = c = 0.0
        for cmd in cmds:
            a, b = run(cmd)
            w += a; c += b
        rounds.append((w, c))
    return min(rounds)


def peak_mb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def class_check(bin_, folder, plan):
    """(clean traces passing, clean traces; bug traces whose first root cause names a bug they have, bug traces)."""
    out = subprocess.run([bin_, "check", "--preset", "mazur-2015", "--trace", folder, "--explain", "--format", "csv"],
                         capture_output=True, text=True).stdout
    rows = {os.path.basename(r["file"])[:-4]: r for r in csv.DictReader(io.StringIO(out))}
    clean = [p for p in plan if not p[1] and not p[2]]
    bugged = [p for p in plan if p[1]]
    ok_clean = sum(1 for p in clean if rows[p[0]]["failed"] == "0")
    named = 0
    for p in bugged:
        said = rows[p[0]]["explained_by"]
        if any(b.split("@")[0] in said for b in p[1]):
            named += 1
    return ok_clean, len(clean), named, len(bugged)


def main():
    if len(sys.argv) > 1:
        bin_ = os.path.abspath(sys.argv[1])
    else:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "bptrace"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        bin_ = os.path.join(ROOT, ".build", "release", "bptrace")
    tmp = tempfile.mkdtemp(prefix="bptrace-grading-")
    try:
        return measure(bin_, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(bin_, tmp):
    spec = json.loads(subprocess.run([bin_, "presets", "--show", "mazur-2015"], capture_output=True, text=True, check=True).stdout)
    folder = os.path.join(tmp, "class")
    plan = write_class(spec, folder, CLASS)
    files = [os.path.join(folder, p[0] + ".csv") for p in plan]
    values = sum(sum(1 for _ in open(f)) - 1 for f in files)
    distinct = len({open(f).read() for f in files})
    check = [bin_, "check", "--preset", "mazur-2015", "--trace"]

    one = best([check + [files[0]]], 20)
    a = best([check + [f] for f in files], 3)
    b = best([check + [folder]], 5)
    c = best([check + [folder, "--explain"]], 5)
    d = best([check + [f, "--explain"] for f in files], 3)

    mem = {}
    for n in MEMORY_SIZES:
        sub = os.path.join(tmp, "mem%d" % n)
        write_class(spec, sub, n)
        mem[n] = peak_mb(check + [sub, "--explain"])
        shutil.rmtree(sub)
    ok_clean, n_clean, named, n_bugged = class_check(bin_, folder, plan)

    def line(label, t, note=""):
        print(f"  {label:<44}{t[0] * 1000:9.1f} ms wall {t[1] * 1000:9.1f} ms cpu{note}")

    print(f"grading a class: {CLASS} traces of {STEPS} mazur-2015 steps ({values} values, {distinct} different files), "
          f"best of 3-20 rounds:")
    line("one plain check (best of 20) x 200", (one[0] * CLASS, one[1] * CLASS))
    line("(a) 200 plain checks, one process each", a)
    line("(b) one process, plain, --trace DIR", b)
    line("(c) one process, --trace DIR --explain", c)
    line("(d) 200 processes with --explain", d)
    print(f"  (c) / (a)  {c[0] / a[0]:6.3f} x wall  {c[1] / a[1]:6.3f} x cpu   (issue 15 target: < 2 x)")
    print(f"  (c) / one x 200  {c[0] / (one[0] * CLASS):6.3f} x wall")
    print(f"  (c) / (b)  {c[0] / b[0]:6.3f} x wall  {c[1] / b[1]:6.3f} x cpu   (what --explain costs in one process)")
    print(f"  (d) / (a)  {d[0] / a[0]:6.3f} x wall  {d[1] / a[1]:6.3f} x cpu   (--explain, one process a trace)")
    print("peak memory (max RSS) of (c), check --trace DIR --explain:")
    for n in MEMORY_SIZES:
        print(f"  {n:4d} traces                                 {mem[n]:9.1f} MB")
    growth = mem[MEMORY_SIZES[-1]] - mem[MEMORY_SIZES[0]]
    print(f"  growth 25 -> 800 traces                     {growth:9.1f} MB   (target: flat, within {FLAT_MB:.0f} MB)")
    print(f"class check: {ok_clean} of {n_clean} clean traces pass; {named} of {n_bugged} bug traces have their bug "
          f"in the first root cause's explanations")
    met = c[0] / a[0] < 2 and c[1] / a[1] < 2 and growth <= FLAT_MB
    print(f"grading throughput: (c)/(a) {c[0] / a[0]:.3f} x wall, {c[1] / a[1]:.3f} x cpu (target < 2 x), memory growth {growth:.1f} MB "
          f"(target <= {FLAT_MB:.0f} MB): {'targets met' if met else 'not yet'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
