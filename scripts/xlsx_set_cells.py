#!/usr/bin/env python3
"""Write numbers into cells of an xlsx workbook with openpyxl, as a user editing the file in
another program would, and save it under a new name (formulas and defined names are kept;
cached values and charts are not, so recalculate the copy, e.g. with scripts/xlsx_recalc.py).

    python3 scripts/xlsx_set_cells.py IN.xlsx OUT.xlsx "SHEET!CELL=VALUE" [...]

Exit status 2 when openpyxl is missing, the file does not load, or a sheet does not exist.
"""
import sys


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        import openpyxl
    except ImportError:
        print("xlsx_set_cells: openpyxl is missing (pip install openpyxl)", file=sys.stderr)
        sys.exit(2)
    source, target, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        wb = openpyxl.load_workbook(source)
    except Exception as e:  # noqa: BLE001
        print(f"xlsx_set_cells: cannot read {source}: {e}", file=sys.stderr)
        sys.exit(2)
    for edit in edits:
        where, _, value = edit.rpartition("=")
        sheet, _, cell = where.rpartition("!")
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") and sheet.endswith("'") else sheet
        if sheet not in wb.sheetnames:
            print(f"xlsx_set_cells: {source} has no sheet {sheet!r}", file=sys.stderr)
            sys.exit(2)
        wb[sheet][cell] = float(value)
    wb.save(target)


if __name__ == "__main__":
    main()
