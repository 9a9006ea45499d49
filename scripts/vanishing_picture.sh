#!/usr/bin/env bash
# Renders docs/images/vanishing-gradients.png: the handout's chart of mean |delta(l)| per layer
# for deep-sigmoid above the same chart for deep-relu (200 steps each).
#   scripts/vanishing_picture.sh [OUT_DIR]        (default docs/images)
# Needs: swift, rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/images}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bin=$(swift build --show-bin-path)/bptrace
for p in deep-sigmoid deep-relu; do
  "$bin" run --preset "$p" --steps 200 --format md --detail summary --handout-steps 1 --out "$work" >/dev/null
done
{
  echo '<svg xmlns="http://www.w3.org/2000/svg" width="830" height="730" viewBox="0 0 830 730">'
  echo '<g>'; sed '1d' "$work/deep-sigmoid-figures/delta-sizes.svg"; echo '</g>'
  echo '<g transform="translate(0 370)">'; sed '1d' "$work/deep-relu-figures/delta-sizes.svg"; echo '</g>'
  echo '</svg>'
} > "$work/both.svg"
mkdir -p "$OUT"
rsvg-convert "$work/both.svg" -o "$OUT/vanishing-gradients.png"
ls -la "$OUT/vanishing-gradients.png"
