#!/usr/bin/env bash
# Installs what the handout (bptrace run --format md) needs to be checked and rendered:
#   pandoc                      Markdown -> HTML (MathML validates every formula) and -> LaTeX
#   texlive-latex-base          pdflatex and the base packages of pandoc's LaTeX template
#   texlive-latex-recommended   booktabs, etoolbox, footnotehyper, microtype, parskip, xcolor (template)
#   lmodern                     the template's fonts
#   librsvg2-bin                rsvg-convert: pandoc turns the SVG pictures into PDF with it
#   poppler-utils               pdftoppm: PDF pages -> PNG for docs/images (not needed by the tests)
# bptrace itself needs none of these at run time.
set -euo pipefail
packages=(pandoc texlive-latex-base texlive-latex-recommended lmodern librsvg2-bin poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
