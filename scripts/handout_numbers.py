#!/usr/bin/env python3
"""Compares the numbers of two sets of handouts (scripts/handout_presets.sh writes them).

usage: handout_numbers.py BEFORE_DIR AFTER_DIR
For each handout (DIR/<case>/<name>.md) it extracts every number (-0.019049118, 0.5, 2.5 \\times 10^{16})
and compares them: a number that no longer appears at all is "missing" (exit status 1); one that
appears fewer times than before is listed as "fewer" (information: a formula written differently
may repeat an operand less often)."""
import collections, glob, os, re, sys

NUM = re.compile(r'-?\d+(?:\.\d+)?(?: \\times 10\^\{-?\d+\})?')

def numbers(path):
    text = open(path, encoding='utf-8').read()
    # Names carry digits that are not numbers: w_{5}, o_{1}, h^{(2)}_{1}, ^{[3]}, ## Step 3, file names.
    text = re.sub(r'_\{[^}]*\}|\^\{\([^)]*\)\}|\^\{\[\d+\]\}|\(\d+\)|network-step-\d+|mazur-2015|[A-Za-z]+-?\d+[A-Za-z]*', ' ', text)
    return collections.Counter(m.group(0) for m in NUM.finditer(text))

def main(before, after):
    bad = 0
    for b in sorted(glob.glob(os.path.join(before, '*', '*.md'))):
        a = os.path.join(after, os.path.relpath(b, before))
        if not os.path.exists(a):
            print(f'{a}: missing'); bad += 1; continue
        nb, na = numbers(b), numbers(a)
        lost = {n: c - na[n] for n, c in nb.items() if na[n] < c}
        gained = sum((na - nb).values())
        rel = os.path.relpath(b, before)
        missing = sorted(n for n in nb if n not in na)
        if missing:
            bad += 1
            print(f'{rel}: MISSING {len(missing)} distinct: {", ".join(missing[:12])}')
        if lost:
            shown = ', '.join(f'{n} x{c}' for n, c in sorted(lost.items())[:12])
            print(f'{rel}: {sum(lost.values())} fewer ({len(lost)} distinct): {shown}{" ..." if len(lost) > 12 else ""}; {gained} more')
        else:
            print(f'{rel}: every number kept ({sum(nb.values())} before, {sum(na.values())} after)')
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
