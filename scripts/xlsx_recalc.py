#!/usr/bin/python3
"""Recalculate xlsx workbooks in LibreOffice (headless, through UNO) and compare every formula
cell's recalculated value with the value cached in the file.

Run with the system Python, which has LibreOffice's `uno` module (Debian: python3-uno,
libreoffice-calc-nogui):

    /usr/bin/python3 scripts/xlsx_recalc.py FILE.xlsx [FILE.xlsx ...]
        [--set "SHEET!CELL=VALUE" ...]   edit cells after the check, then recalculate again
        [--dump SHEET ...]               print the (final) values of these sheets
        [--report N]                     list at most N mismatches per file (default 20)

Prints one JSON object: {"files": [{"path", "sheets", "formulaCells", "compared", "mismatchCount",
"mismatches": [{"sheet", "cell", "formula", "cached", "recalculated"}], "dump": {sheet: rows}}]}.
Exit status 0 when the script ran (mismatches are data, judged by the caller), 2 on any failure
(LibreOffice missing, a file that does not load, ...).

How it makes sure the values are really recalculated: LibreOffice starts with a throw-away
profile whose Calc setting Formula/Load/OOXMLRecalcMode is 1 ("never recalculate on load"), so
the values read right after loading are the cached ones from the file; then
`calculateAll()` recomputes every formula and the values are read again. Cells are read in bulk
(`getDataArray`, one call per sheet). A cached and a recalculated value agree when
|a - b| <= 1e-12 or |a - b| <= 1e-9 * max(|a|, |b|).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REL_TOL = 1e-9
ABS_TOL = 1e-12

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"""


def fail(message):
    print(f"xlsx_recalc: {message}", file=sys.stderr)
    sys.exit(2)


class Office:
    """A private headless LibreOffice reached through a named pipe."""

    def __init__(self):
        try:
            import uno  # noqa: F401
        except ImportError:
            fail("the Python module 'uno' is missing: install python3-uno and run with /usr/bin/python3")
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            fail("soffice is not installed (Debian: libreoffice-calc-nogui)")
        self.profile = tempfile.mkdtemp(prefix="bptrace-lo-")
        os.makedirs(os.path.join(self.profile, "user"))
        with open(os.path.join(self.profile, "user", "registrymodifications.xcu"), "w") as f:
            f.write(XCU)
        self.pipe = f"bptrace_recalc_{os.getpid()}"
        self.proc = subprocess.Popen(
            [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
             f"-env:UserInstallation=file://{self.profile}",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import uno
        from com.sun.star.connection import NoConnectException
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 120
        while True:
            try:
                self.ctx = resolver.resolve(f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.close()
                    fail("LibreOffice did not start")
                time.sleep(0.2)
        self.desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def load(self, path):
        import uno
        from com.sun.star.beans import PropertyValue
        hidden = PropertyValue()
        hidden.Name, hidden.Value = "Hidden", True
        url = uno.systemPathToFileUrl(os.path.abspath(path))
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, (hidden,))
        if doc is None:
            fail(f"LibreOffice could not load {path}")
        return doc

    def close(self):
        try:
            if getattr(self, "desktop", None) is not None:
                self.desktop.terminate()
        except Exception:
            pass
        try:
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def used_range(sheet):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    a = cursor.getRangeAddress()
    return sheet.getCellRangeByPosition(0, 0, a.EndColumn, a.EndRow)


def formula_cells(sheet):
    """(row, col) of every formula cell of the sheet."""
    from com.sun.star.sheet.CellFlags import FORMULA
    out = []
    ranges = sheet.queryContentCells(FORMULA)
    for a in ranges.getRangeAddresses():
        for r in range(a.StartRow, a.EndRow + 1):
            for c in range(a.StartColumn, a.EndColumn + 1):
                out.append((r, c))
    return out


def column_name(c):
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def close_enough(a, b):
    if not isinstance(a, float) or not isinstance(b, float):
        return False
    d = abs(a - b)
    return d <= ABS_TOL or d <= REL_TOL * max(abs(a), abs(b))


def check_file(office, path, edits, dumps, report):
    doc = office.load(path)
    try:
        sheets = doc.getSheets()
        names = list(sheets.getElementNames())
        snapshot = {}
        for name in names:
            sheet = sheets.getByName(name)
            rng = used_range(sheet)
            snapshot[name] = (sheet, rng, formula_cells(sheet), rng.getDataArray(), rng.getFormulaArray())
        doc.calculateAll()
        mismatches, count, compared = [], 0, 0
        for name in names:
            sheet, rng, cells, cached, formulas = snapshot[name]
            recalculated = rng.getDataArray()
            for (r, c) in cells:
                compared += 1
                a, b = cached[r][c], recalculated[r][c]
                if not close_enough(a, b):
                    count += 1
                    if len(mismatches) < report:
                        err = sheet.getCellByPosition(c, r).getError()
                        mismatches.append({"sheet": name, "cell": f"{column_name(c)}{r + 1}", "formula": formulas[r][c],
                                           "cached": a, "recalculated": b, "error": err})
        result = {"path": path, "sheets": names, "formulaCells": compared, "compared": compared,
                  "mismatchCount": count, "mismatches": mismatches}
        if edits:
            for sheet_name, cell, value in edits:
                sheets.getByName(sheet_name).getCellRangeByName(cell).setValue(value)
            doc.calculateAll()
        if dumps:
            result["dump"] = {}
            for name in dumps:
                if name not in names:
                    fail(f"{path} has no sheet named {name!r}")
                data = used_range(sheets.getByName(name)).getDataArray()
                result["dump"][name] = [list(row) for row in data]
        return result
    finally:
        doc.close(True)


def parse_edit(text):
    target, _, value = text.rpartition("=")
    sheet, _, cell = target.rpartition("!")
    if not sheet or not cell:
        fail(f"--set expects SHEET!CELL=VALUE, found {text!r}")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cell, float(value)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--set", dest="edits", action="append", default=[])
    p.add_argument("--dump", action="append", default=[])
    p.add_argument("--report", type=int, default=20)
    args = p.parse_args()
    for f in args.files:
        if not os.path.exists(f):
            fail(f"{f} does not exist")
    edits = [parse_edit(e) for e in args.edits]
    office = Office()
    try:
        results = [check_file(office, f, edits, args.dump, args.report) for f in args.files]
    finally:
        office.close()
    json.dump({"files": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
