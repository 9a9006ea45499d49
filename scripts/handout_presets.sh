#!/bin/sh
# usage: scripts/handout_presets.sh BIN OUTDIR — the handout of every preset at 3 steps, steps 1-3 derived,
# in full, matrix and summary detail (OUTDIR/<preset>-<detail>/); compare two such folders with
# scripts/handout_numbers.py BEFORE AFTER.
BIN=$1; OUT=$2; mkdir -p "$OUT"
for p in $("$BIN" presets | grep -E "^[a-z]" | awk "{print \$1}"); do
  for d in full matrix summary; do
    mkdir -p "$OUT/$p-$d"
    "$BIN" run --preset "$p" --steps 3 --format md --detail "$d" --handout-steps 1-3 --out "$OUT/$p-$d" --force >/dev/null 2>&1 || echo "fail $p $d"
  done
done
