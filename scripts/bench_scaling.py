#!/usr/bin/env python3
"""Scaling table of the CSV trace (issue 15): wall time and peak memory of
`bptrace run --format csv` (release build): time by the script's own clock (best of 3 for runs
under 2 s, one run above), peak memory by `/usr/bin/time -f %M`,

1. in steps: mazur-2015 for 1k / 10k / 100k / 1M steps (the 1M run writes about 2.2 GB into a
   temporary directory, deleted afterwards; `--max-steps N` stops the list earlier);
2. in width: one step of a [w, w, w] sigmoid network, w = 4 / 64 / 512, weights drawn by
   `init` with an explicit seed (uniform [-0.5, 0.5), seed 15), one sample of w inputs/targets.

Each row prints the cost per step and per CSV cell (row of the trace) after the process's
start-up (the time of a 1-step mazur-2015 run, measured first in the same run), and the ratio of
that cost to the largest run's: linear cost shows as ratios near 1, flat memory as a peak that
does not grow with the steps.

usage: python3 scripts/bench_scaling.py [--max-steps N]     (run from the repository root)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "bptrace")


def wall(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{r.stderr}")
    return time.perf_counter() - start


def timed(cmd):
    """(seconds, peak MB) of cmd: the best of 3 wall times (one run when it takes over 2 s), and
    the peak RSS from GNU time."""
    secs = wall(cmd)
    if secs < 2:
        secs = min([secs] + [wall(cmd) for _ in range(2)])
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return secs, int(r.stderr.strip().splitlines()[-1]) / 1024


def rows_of(path):
    """Data rows of a CSV (lines minus the header), counted in blocks."""
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
    return n - 1


def width_spec(w, path):
    spec = {"name": f"width-{w}", "layers": [w, w, w], "activations": ["sigmoid", "sigmoid"],
            "loss": "half_sse", "learning_rate": 0.5, "batch": "full",
            "init": {"distribution": "uniform", "low": -0.5, "high": 0.5, "seed": 15, "rng": "numpy"},
            "data": {"inputs": [[(i % 10) / 10 for i in range(w)]], "targets": [[((i * 7) % 10) / 10 for i in range(w)]]}}
    with open(path, "w") as f:
        json.dump(spec, f)


def measure(cmd, csv_path, label, units):
    secs, mb = timed(cmd)
    size = os.path.getsize(csv_path)
    cells = rows_of(csv_path)
    os.remove(csv_path)
    return {"label": label, "units": units, "secs": secs, "mb": mb, "size": size, "cells": cells}


def table(title, unit_name, rows, startup):
    print(title)
    print(f"  {'run':<22}{'time ms':>9}{'peak MB':>9}{'CSV MB':>9}{'cells':>12}"
          f"{'us/' + unit_name:>12}{'ns/cell':>9}{'x last':>9}")
    last = max(rows[-1]["secs"] - startup, 1e-9) / rows[-1]["cells"]
    for r in rows:
        work = max(r["secs"] - startup, 0.0)
        per_cell = work / r["cells"]
        print(f"  {r['label']:<22}{r['secs'] * 1e3:9.1f}{r['mb']:9.1f}{r['size'] / 1e6:9.1f}{r['cells']:12,}"
              f"{work / r['units'] * 1e6:12.2f}{per_cell * 1e9:9.0f}{per_cell / last:9.2f}")


def main():
    max_steps = 1_000_000
    if "--max-steps" in sys.argv:
        max_steps = int(sys.argv[sys.argv.index("--max-steps") + 1])
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench: needs GNU time (/usr/bin/time; apt-get install time)")
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "bptrace"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="bptrace-scaling-")
    try:
        startup, _ = timed([BIN, "run", "--preset", "mazur-2015", "--steps", "1", "--format", "csv", "--out", tmp, "--force"])
        print(f"start-up (a 1-step mazur-2015 run): {startup * 1e3:.1f} ms, taken off every row's cost per step and per cell")
        steps_rows = []
        for steps in [1_000, 10_000, 100_000, 1_000_000]:
            if steps > max_steps:
                break
            cmd = [BIN, "run", "--preset", "mazur-2015", "--steps", str(steps), "--format", "csv", "--out", tmp, "--force"]
            steps_rows.append(measure(cmd, os.path.join(tmp, "mazur-2015.csv"), f"mazur {steps:,} steps", steps))
        table("csv trace in steps (mazur-2015, 61 cells a step):", "step", steps_rows, startup)
        width_rows = []
        for w in [4, 64, 512]:
            spec = os.path.join(tmp, f"width-{w}.json")
            width_spec(w, spec)
            cmd = [BIN, "run", "--spec", spec, "--steps", "1", "--format", "csv", "--out", tmp, "--force"]
            width_rows.append(measure(cmd, os.path.join(tmp, f"width-{w}.csv"), f"[{w},{w},{w}] 1 step", 1))
        table("csv trace in width (one step, one sample):", "step", width_rows, startup)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
