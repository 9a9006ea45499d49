#!/usr/bin/env bash
# Renders a bptrace handout to PDF through pandoc and pdflatex, and optionally pages of it to PNG.
#   usage: scripts/handout_pdf.sh DIR/NAME.md [PNG_PREFIX [LAST_PAGE]]
# writes DIR/NAME.pdf; with PNG_PREFIX also PNG_PREFIX-1.png .. PNG_PREFIX-LAST_PAGE.png at 70 dpi.
# Needs the packages of scripts/handout_deps.sh.
set -euo pipefail
md=$1
dir=$(dirname "$md"); base=$(basename "$md" .md)
# pandoc runs in the handout's folder so the relative picture links resolve.
(cd "$dir" && pandoc "$base.md" --from markdown --pdf-engine=pdflatex \
   -V geometry:margin=2cm -V colorlinks=true -o "$base.pdf")
echo "$dir/$base.pdf"
if [ -n "${2:-}" ]; then
  for ((page = 1; page <= ${3:-1}; page++)); do
    pdftoppm -r 70 -png -f "$page" -l "$page" -singlefile "$dir/$base.pdf" "$2-$page"
    echo "$2-$page.png"
  done
fi
