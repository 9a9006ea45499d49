#!/usr/bin/env bash
# Renders the README's picture of a compare workbook's Compare sheet: the xor net trained with
# sgd, momentum and adam for 300 steps (bptrace compare --format xlsx), printed by LibreOffice to
# PDF (one page per sheet), page 1 (Compare) turned into PNG by pdftoppm.
#
#   scripts/xlsx_compare_picture.sh [OUT_DIR]        (default docs/images)
#
# Writes compare-workbook.png. Needs: swift, soffice (libreoffice-calc-nogui), pdftoppm.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/images}
BIN=${BIN:-.build/debug/bptrace}
DPI=${DPI:-66}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$BIN" ] || swift build >/dev/null
"$BIN" compare --preset xor --steps 300 --vary optimizer=sgd,momentum,adam --target 0.1 \
  --sheets-limit 1 --format xlsx --out "$work" --force >/dev/null
soffice -env:UserInstallation="file://$work/profile" --headless \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$work" "$work/xor-compare.xlsx" >/dev/null 2>&1
pdftoppm -png -r "$DPI" -f 1 -l 1 -x 0 -y 0 -W 1100 -H 560 -singlefile "$work/xor-compare.pdf" "$work/compare"
mkdir -p "$OUT"
cp "$work/compare.png" "$OUT/compare-workbook.png"
ls -la "$OUT/compare-workbook.png"
