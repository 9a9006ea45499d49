#!/usr/bin/env python3
"""Dump the solid fills, formulas and texts of some sheets of an xlsx workbook, read with
openpyxl (an independent reader of the file: pip install openpyxl).

    python3 scripts/xlsx_fills.py FILE.xlsx [--sheet NAME ...] [--prefix TEXT ...]

--sheet picks sheets by name, --prefix by the start of their name (e.g. "1." for the
walkthrough of step 1); with neither, every sheet. Prints one JSON object:

    {"sheets": ["Overview", ...],                       # every sheet, in tab order
     "dump": {NAME: {"fills": {"B5": "FFFF00", ...},    # solid fills as RRGGBB
                     "formulas": {"B5": "=B3*E3+F3"},
                     "texts": {"B2": "X — x(0)"},
                     "numbers": {"C9": 0.15},
                     "formats": {"C9": "0.000"}}}}              # number formats other than General

Exit status 2 when openpyxl is missing or the file does not load.
"""
import argparse
import json
import sys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--sheet", action="append", default=[])
    p.add_argument("--prefix", action="append", default=[])
    args = p.parse_args()
    try:
        import openpyxl
    except ImportError:
        print("xlsx_fills: openpyxl is missing (pip install openpyxl)", file=sys.stderr)
        sys.exit(2)
    try:
        wb = openpyxl.load_workbook(args.file, data_only=False)
    except Exception as e:  # noqa: BLE001
        print(f"xlsx_fills: cannot read {args.file}: {e}", file=sys.stderr)
        sys.exit(2)
    chosen = [n for n in wb.sheetnames
              if (not args.sheet and not args.prefix) or n in args.sheet or any(n.startswith(x) for x in args.prefix)]
    dump = {}
    for name in chosen:
        ws = wb[name]
        fills, formulas, texts, numbers, formats = {}, {}, {}, {}, {}
        for row in ws.iter_rows():
            for cell in row:
                f = cell.fill
                if f is not None and f.fill_type == "solid":
                    rgb = f.fgColor.rgb if f.fgColor is not None else None
                    if isinstance(rgb, str):
                        fills[cell.coordinate] = rgb[-6:].upper()
                v = cell.value
                if v is None:
                    continue
                if cell.number_format != "General":
                    formats[cell.coordinate] = cell.number_format
                if cell.data_type == "f":
                    formulas[cell.coordinate] = v if isinstance(v, str) else str(v)
                elif isinstance(v, str):
                    texts[cell.coordinate] = v
                elif isinstance(v, (int, float)):
                    numbers[cell.coordinate] = float(v)
        dump[name] = {"fills": fills, "formulas": formulas, "texts": texts, "numbers": numbers, "formats": formats}
    json.dump({"sheets": wb.sheetnames, "dump": dump}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
