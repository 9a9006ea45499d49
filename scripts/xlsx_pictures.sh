#!/usr/bin/env bash
# Renders the README's pictures of the workbook: LibreOffice prints the workbook to PDF with
# one page per sheet, pdftoppm turns chosen pages into PNG.
#
#   scripts/xlsx_pictures.sh [OUT_DIR]        (default docs/images)
#
# Writes workbook-overview.png, workbook-step.png (Step 1) and workbook-walkthrough.png
# (1.3 Hidden input) for the analytics-vidhya preset, the tutorial's own network; and
# workbook-adam.png: the update bands (stages 11 and 12) of Step 2 of the mazur-2015 network
# trained by Adam with its biases (a crop of the page at 100 dpi).
# Needs: swift, soffice (libreoffice-calc-nogui), pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/images}
SCRATCH=${SCRATCH:-.build-xlsx}
DPI=${DPI:-66}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build --scratch-path "$SCRATCH" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
"$SCRATCH/debug/bptrace" run --preset analytics-vidhya --steps 12 --out "$work" --force >/dev/null
soffice -env:UserInstallation="file://$work/profile" --headless \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$work" "$work/analytics-vidhya.xlsx" >/dev/null 2>&1
# Pages follow the tabs: Overview, Data, 1.1 ... 1.12, Step 1, ...
page() { pdftoppm -png -r "$DPI" -f "$1" -l "$1" -singlefile "$work/analytics-vidhya.pdf" "$work/p$1"; cp "$work/p$1.png" "$OUT/$2"; }
mkdir -p "$OUT"
page 1 workbook-overview.png
page 5 workbook-walkthrough.png
page 15 workbook-step.png

# Adam: mazur-2015 with "optimizer": "adam" and trained biases, 3 steps; page 16 is Step 2.
"$SCRATCH/debug/bptrace" presets --show mazur-2015 >"$work/mazur.json"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s.update(name="mazur-2015-adam", optimizer="adam", update_biases=True); json.dump(s, open(sys.argv[2], "w"))' \
  "$work/mazur.json" "$work/adam.json"
"$SCRATCH/debug/bptrace" run --spec "$work/adam.json" --steps 3 --format xlsx --out "$work" --force >/dev/null
soffice -env:UserInstallation="file://$work/profile" --headless \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$work" "$work/mazur-2015-adam.xlsx" >/dev/null 2>&1
pdftoppm -png -r 100 -f 16 -l 16 -x 0 -y 990 -W 2800 -H 290 -singlefile "$work/mazur-2015-adam.pdf" "$work/adam"
cp "$work/adam.png" "$OUT/workbook-adam.png"
ls -la "$OUT"/workbook-*.png
