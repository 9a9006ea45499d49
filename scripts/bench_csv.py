#!/usr/bin/env python3
"""Benchmark of the CSV trace (issue 2), figures printed as ratios against baselines measured
in the same run:

1. time of `bptrace run --preset mazur-2015 --steps 10000 --format csv` (release build) against
   scripts/bench_numpy_reference.py, plain numpy doing the same math and writing the same rows
   with Python's csv module (target: bptrace >= 10x faster); best of 5 runs each;
2. the same bptrace time against a floor program, Benchmarks/csv_floor.swift (built here with
   `swiftc -O -static-stdlib` into a temporary directory, linked like bptrace's release build):
   it formats the same 610,000 doubles (read from bptrace's CSV before timing) with Swift's
   shortest round-trip formatter into one buffer and writes it, with no engine (issue 15
   target: bptrace <= 2x the floor). Two floor figures: the whole floor process (start-up,
   reading the raw doubles, formatting, writing: program against program, like bptrace's
   figure) and, harsher, the format + write part alone, timed inside the floor process;
3. peak memory (max RSS, from wait4) at 1,000 vs 100,000 steps (target: flat within 10 MB).

Every timed program writes a file that does not exist yet: the last run's output is deleted
before each run, untimed (deleting a 21 MB file costs a few ms in the kernel, whoever does it).

usage: python3 scripts/bench_csv.py            (run from the repository root)
"""
import csv
import os
import struct
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bptrace")


def peak_mb(cmd):
    """Peak RSS of cmd in MB, measured by GNU time (or wait4 from a fresh, small Python)."""
    if os.path.exists("/usr/bin/time"):
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return int(r.stderr.strip().splitlines()[-1]) / 1024
    probe = "import os,subprocess,sys;p=subprocess.Popen(sys.argv[1:],stdout=subprocess.DEVNULL);print(os.wait4(p.pid,0)[2].ru_maxrss)"
    return int(subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True).stdout) / 1024


def run(cmd):
    """Runs cmd, returns its wall-clock seconds."""
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {r.stderr.decode()}")
    return elapsed


def best(cmd, n=5, fresh=None):
    """Best of n runs; `fresh` (a path) is deleted before each run, untimed, so every run
    writes a new file instead of also paying for deleting the last run's."""
    times = []
    for _ in range(n):
        if fresh and os.path.exists(fresh):
            os.remove(fresh)
        times.append(run(cmd))
    return min(times)


def floor_seconds(csv_path, tmp):
    """Builds the floor program, gives it the CSV's values as raw doubles; returns
    (in-process seconds of format+write, best of 5; whole-process seconds, best of 5; bytes)."""
    exe = os.path.join(tmp, "csv_floor")
    subprocess.run(["swiftc", "-O", "-static-stdlib", os.path.join(ROOT, "Benchmarks", "csv_floor.swift"), "-o", exe],
                   check=True, stdout=subprocess.DEVNULL)
    with open(csv_path) as f:
        values = [float(row[5]) for row in list(csv.reader(f))[1:]]
    raw = os.path.join(tmp, "values.f64")
    with open(raw, "wb") as f:
        f.write(struct.pack(f"<{len(values)}d", *values))
    out = os.path.join(tmp, "floor.txt")
    r = subprocess.run([exe, raw, out, "5"], capture_output=True, text=True, check=True)
    inner, size = r.stdout.split()
    whole = best([exe, raw, out, "1"], fresh=out)
    return float(inner), whole, int(size), len(values)


def main():
    tmp = tempfile.mkdtemp(prefix="bptrace-bench-")
    try:
        return measure(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)   # about 250 MB of CSV


def measure(tmp):
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "bptrace"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    steps = 10000
    ours = best([BIN, "run", "--preset", "mazur-2015", "--steps", str(steps), "--format", "csv", "--out", tmp, "--force"],
                fresh=os.path.join(tmp, "mazur-2015.csv"))
    ref_csv = os.path.join(tmp, "numpy.csv")
    theirs = best([sys.executable, os.path.join(ROOT, "scripts", "bench_numpy_reference.py"), str(steps), ref_csv], fresh=ref_csv)

    # Same rows: keys identical, values equal within 1e-12 relative.
    with open(os.path.join(tmp, "mazur-2015.csv")) as a, open(ref_csv) as b:
        ra, rb = list(csv.reader(a)), list(csv.reader(b))
    same = len(ra) == len(rb) and all(x[:5] == y[:5] and x[6] == y[6] for x, y in zip(ra, rb)) and all(
        abs(float(x[5]) - float(y[5])) <= 1e-12 * max(1, abs(float(y[5]))) for x, y in zip(ra[1:], rb[1:]))

    floor_in, floor_whole, floor_bytes, floor_n = floor_seconds(os.path.join(tmp, "mazur-2015.csv"), tmp)
    csv_bytes = os.path.getsize(os.path.join(tmp, "mazur-2015.csv"))

    mem_small = peak_mb([BIN, "run", "--preset", "mazur-2015", "--steps", "1000", "--format", "csv", "--out", tmp, "--force"])
    mem_large = peak_mb([BIN, "run", "--preset", "mazur-2015", "--steps", "100000", "--format", "csv", "--out", tmp, "--force"])
    size_large = os.path.getsize(os.path.join(tmp, "mazur-2015.csv")) / 1e6

    print(f"csv trace, mazur-2015, {steps} steps ({len(ra) - 1} rows), best of 5:")
    print(f"  bptrace (release)        {ours * 1000:9.1f} ms")
    print(f"  numpy + csv module       {theirs * 1000:9.1f} ms   (same rows: {'yes' if same else 'NO'})")
    print(f"  speed-up                 {theirs / ours:9.1f} x   (target >= 10 x; the baseline is the numpy run above)")
    print(f"  floor: {floor_n} doubles, shortest form, one buffer ({floor_bytes / 1e6:.1f} MB; the CSV is {csv_bytes / 1e6:.1f} MB)")
    print(f"    whole process              {floor_whole * 1000:9.1f} ms   (start-up, read the doubles, format, write)")
    print(f"    format + write, in process {floor_in * 1000:9.1f} ms")
    print(f"  bptrace / floor          {ours / floor_whole:9.2f} x   (target <= 2 x, program against program; "
          f"against format + write alone: {ours / floor_in:.2f} x)")
    print("peak memory (max RSS) of bptrace run --format csv:")
    print(f"  1,000 steps              {mem_small:9.1f} MB")
    print(f"  100,000 steps            {mem_large:9.1f} MB   ({size_large:.0f} MB of CSV written)")
    print(f"  growth                   {mem_large - mem_small:9.1f} MB   (target: within 10 MB)")
    # Issue 2's targets decide the exit code; issue 15's (>= 25x numpy, <= 2x floor) are printed.
    print(f"issue 15: numpy ratio {theirs / ours:.1f} x (target >= 25 x: {'met' if theirs / ours >= 25 else 'not yet'}), "
          f"floor ratio {ours / floor_whole:.2f} x (target <= 2 x: {'met' if ours / floor_whole <= 2 else 'not yet'}; "
          f"against format + write alone {ours / floor_in:.2f} x)")
    ok = same and theirs / ours >= 10 and mem_large - mem_small <= 10
    print("bench: " + ("targets met" if ok else "TARGET MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
