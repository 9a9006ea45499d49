#!/usr/bin/env bash
# Installs what bptrace needs to build (libxlsxwriter-dev) and, with --test, what its test
# suite needs to check the outputs with independent tools. Installs only what is missing.
#
#   libxlsxwriter-dev, pkg-config     build: the workbook writer (C library, system target)
#   libreoffice-calc-nogui, python3-uno   tests: a second spreadsheet engine recalculates workbooks
#   gnumeric                          tests: a third engine (ssconvert --recalc) recalculates them from
#                                     scratch; it rejects array expressions LibreOffice accepts
#   pandoc, texlive-latex-base, texlive-latex-recommended, lmodern, librsvg2-bin
#                                     tests: the handout through pandoc to HTML (MathML) and PDF
#   chromium, chromium-driver, python3-selenium
#                                     tests: the explorer page (run --format html) in headless
#                                     Chromium (scripts/explorer_browser.py)
#   pip: pandas, openpyxl             tests: read the CSV with pandas; check workbook fills
#   pip: jax, optax                   tests: a real framework as witness of the optimizers
#                                     (scripts/witness_optax.py; CPU wheels, float64)
set -euo pipefail
packages=(libxlsxwriter-dev pkg-config)
pip_packages=()
if [ "${1:-}" = "--test" ]; then
  packages+=(libreoffice-calc-nogui python3-uno gnumeric pandoc texlive-latex-base texlive-latex-recommended lmodern librsvg2-bin chromium chromium-driver python3-selenium)
  pip_packages+=(pandas openpyxl jax optax)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for p in "${pip_packages[@]}"; do
  python3 -c "import $p" 2>/dev/null || { echo "install-deps: pip install $p" >&2; python3 -m pip install -q "$p"; }
done
# openpyxl for the system python too (LibreOffice's UNO scripts run with /usr/bin/python3)
if [ "${1:-}" = "--test" ] && [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c "import openpyxl" 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-openpyxl >/dev/null || true
fi
