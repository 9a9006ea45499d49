#!/usr/bin/env python3
"""Recalculate xlsx workbooks in Gnumeric (`ssconvert --recalc`) and compare every formula
cell's recalculated value with the value cached in the file.

Needs Gnumeric's `ssconvert` (Debian: gnumeric) and openpyxl:

    python3 scripts/xlsx_recalc_gnumeric.py FILE.xlsx [FILE.xlsx ...] [--report N]

Prints one JSON object in the shape of scripts/xlsx_recalc.py's: {"files": [{"path", "sheets",
"formulaCells", "recalculatedFormulaCells", "compared", "mismatchCount", "mismatches": [{"sheet",
"cell", "formula", "cached", "recalculated", "error"}]}]}. Exit status 0 when the script ran
(mismatches are data, judged by the caller), 2 on any failure (ssconvert or openpyxl missing, a
file that does not load, ...).

How it makes sure the values are really Gnumeric's: `ssconvert --recalc IN.xlsx OUT.xlsx`
loads the workbook, recomputes every formula from scratch and writes a new file with its own
results; the cached values are read from IN, the recalculated ones from OUT (openpyxl,
data_only), cell by cell over every formula cell of IN. `formulaCells` counts the formula cells
of IN, `recalculatedFormulaCells` those of OUT (Gnumeric kept them as formulas). A cell whose
formula failed in Gnumeric (#VALUE!, #NUM!, ...) is a mismatch with `recalculated` null and the
error text in `error`. Tolerance as in xlsx_recalc.py: |a - b| <= 1e-12 or
|a - b| <= 1e-9 * max(|a|, |b|).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

REL_TOL = 1e-9
ABS_TOL = 1e-12


def fail(message):
    print(f"xlsx_recalc_gnumeric: {message}", file=sys.stderr)
    sys.exit(2)


def close_enough(a, b):
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    d = abs(a - b)
    return d <= ABS_TOL or d <= REL_TOL * max(abs(a), abs(b))


def load(path, data_only):
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Workbook contains no default style"
        try:
            return openpyxl.load_workbook(path, data_only=data_only, read_only=True)
        except Exception as e:  # noqa: BLE001 - any load failure is reported the same way
            fail(f"openpyxl cannot read {path}: {e}")


def cells_by_sheet(book):
    """{sheet: {(row, col): value}} of the non-empty cells (1-based rows and columns)."""
    out = {}
    for ws in book.worksheets:
        values = {}
        for row in ws.iter_rows():
            for cell in row:
                if getattr(cell, "value", None) is not None:
                    values[(cell.row, cell.column)] = cell.value
        out[ws.title] = values
    return out


def is_formula(value):
    return isinstance(value, str) and value.startswith("=")


def column_name(c):
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def as_json_number(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def check_file(ssconvert, path, report, work):
    out = os.path.join(work, "recalculated.xlsx")
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([ssconvert, "--recalc", path, out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0 or not os.path.exists(out):
        fail(f"ssconvert --recalc failed on {path} (status {r.returncode}): {r.stderr.strip()}")
    formulas = cells_by_sheet(load(path, data_only=False))
    cached = cells_by_sheet(load(path, data_only=True))
    recalc_formulas = cells_by_sheet(load(out, data_only=False))
    recalculated = cells_by_sheet(load(out, data_only=True))
    names = list(formulas.keys())
    mismatches, count, compared, seen = [], 0, 0, 0
    for name in names:
        seen += sum(1 for v in recalc_formulas.get(name, {}).values() if is_formula(v))
        for (row, col), f in formulas[name].items():
            if not is_formula(f):
                continue
            compared += 1
            a = cached[name].get((row, col))
            b = recalculated.get(name, {}).get((row, col))
            if not close_enough(a, b):
                count += 1
                if len(mismatches) < report:
                    mismatches.append({"sheet": name, "cell": f"{column_name(col)}{row}", "formula": f,
                                       "cached": as_json_number(a), "recalculated": as_json_number(b),
                                       "error": None if as_json_number(b) is not None else str(b)})
    return {"path": path, "sheets": names, "formulaCells": compared, "recalculatedFormulaCells": seen,
            "compared": compared, "mismatchCount": count, "mismatches": mismatches}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--report", type=int, default=20)
    args = p.parse_args()
    ssconvert = shutil.which("ssconvert")
    if not ssconvert:
        fail("ssconvert is not installed (Debian: apt-get install gnumeric)")
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        fail("the Python module openpyxl is missing (pip install openpyxl, or Debian python3-openpyxl)")
    for f in args.files:
        if not os.path.exists(f):
            fail(f"{f} does not exist")
    work = tempfile.mkdtemp(prefix="bptrace-gnumeric-")
    try:
        results = [check_file(ssconvert, f, args.report, work) for f in args.files]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    json.dump({"files": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
