#!/usr/bin/env bash
# Regenerates docs/images/handout-*.png: the default network's handout (12 steps, step 1
# derived, 9 decimals as in the post) rendered to PDF and its first pages to PNG.
#   usage: scripts/handout_docs.sh   (from the repository root)
set -euo pipefail
swift build --scratch-path .build-md >/dev/null
bin=$(swift build --scratch-path .build-md --show-bin-path)/bptrace
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run --format md --steps 12 --out "$tmp" >/dev/null
mkdir -p docs/images
scripts/handout_pdf.sh "$tmp/mazur-2015.md" docs/images/handout-page 2
