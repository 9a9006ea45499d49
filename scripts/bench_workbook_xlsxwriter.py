#!/usr/bin/env python3
"""The Python side of scripts/bench_workbook.sh: write, with XlsxWriter, the same cells,
formulas (with their cached values), formats, column widths, frozen panes, links, names and
loss chart as a workbook written by bptrace.

    python3 scripts/bench_workbook_xlsxwriter.py extract REFERENCE.xlsx PLAN.pickle
    python3 scripts/bench_workbook_xlsxwriter.py write PLAN.pickle OUT.xlsx

`extract` (not timed) reads bptrace's workbook with openpyxl into a plan: per sheet, every
cell in row order with its kind (number, text, formula + cached value, link, blank) and its
format. `write` loads the plan, then times only the XlsxWriter part (constant_memory mode, as
bptrace uses libxlsxwriter's), from creating the workbook to closing it, and prints
`wall-seconds cpu-seconds cells formulas` on one line.

Needs: pip install openpyxl XlsxWriter.
"""
import pickle
import sys
import time


def color(c):
    if c is None or not isinstance(getattr(c, "rgb", None), str):
        return None
    return "#" + c.rgb[-6:]


def format_key(cell):
    f, fill, b, a = cell.font, cell.fill, cell.border, cell.alignment
    return (
        f.name, f.sz, bool(f.b), bool(f.i), f.u, color(f.color),
        color(fill.fgColor) if fill is not None and fill.fill_type == "solid" else None,
        cell.number_format if cell.number_format != "General" else None,
        color(b.left.color) if b is not None and b.left is not None and b.left.style == "thin" else None,
        color(b.bottom.color) if b is not None and b.bottom is not None and b.bottom.style == "thin" else None,
        a.horizontal if a is not None else None,
        a.vertical if a is not None else None,
    )


def xlsxwriter_format(key):
    name, size, bold, italic, underline, font_color, fill, num_format, border, bottom, align, valign = key
    d = {}
    if name: d["font_name"] = name
    if size: d["font_size"] = size
    if bold: d["bold"] = True
    if italic: d["italic"] = True
    if underline: d["underline"] = 1
    if font_color: d["font_color"] = font_color
    if fill: d["bg_color"] = fill; d["pattern"] = 1
    if num_format: d["num_format"] = num_format
    if border: d["border"] = 1; d["border_color"] = border
    elif bottom: d["bottom"] = 1; d["bottom_color"] = bottom
    if align in ("left", "center", "right"): d["align"] = align
    if valign == "center": d["valign"] = "vcenter"
    return d


def extract(reference, plan_path):
    import openpyxl
    wb = openpyxl.load_workbook(reference)
    cached = openpyxl.load_workbook(reference, data_only=True)
    plan = {"sheets": [], "names": [], "formats": {}}
    for name, dn in wb.defined_names.items():
        plan["names"].append((name, "=" + dn.attr_text))
    for ws in wb.worksheets:
        cv = cached[ws.title]
        links = {h.ref: h.location for h in ws._hyperlinks if h.location}
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                key = format_key(cell)
                fid = plan["formats"].setdefault(key, len(plan["formats"]))
                r, c = cell.row - 1, cell.column - 1
                if cell.coordinate in links:
                    cells.append((r, c, "link", links[cell.coordinate], cell.value, fid))
                elif cell.data_type == "f":
                    cells.append((r, c, "formula", cell.value, cv[cell.coordinate].value, fid))
                elif isinstance(cell.value, str):
                    cells.append((r, c, "text", cell.value, None, fid))
                elif isinstance(cell.value, (int, float)):
                    cells.append((r, c, "number", float(cell.value), None, fid))
                else:
                    cells.append((r, c, "blank", None, None, fid))
        widths = [(d.min - 1, d.max - 1, d.width) for d in ws.column_dimensions.values() if d.width]
        heights = [(r - 1, d.height) for r, d in ws.row_dimensions.items() if d.height]
        chart = None
        if ws.title == "Overview":
            # The loss table: "step" header in column B under "Loss per step".
            head = next(c for c in ws["B"] if c.value == "step")
            last = head.row
            while ws.cell(last + 1, 2).value is not None:
                last += 1
            chart = (head.row, last, head.row - 2)
        plan["sheets"].append({
            "name": ws.title, "cells": cells, "widths": widths, "heights": heights,
            "freeze": ws.freeze_panes, "gridlines": ws.sheet_view.showGridLines,
            "tab": color(ws.sheet_properties.tabColor), "chart": chart,
        })
    with open(plan_path, "wb") as f:
        pickle.dump(plan, f)


def write(plan_path, out):
    import xlsxwriter
    with open(plan_path, "rb") as f:
        plan = pickle.load(f)
    keys = sorted(plan["formats"], key=plan["formats"].get)
    start, cpu = time.perf_counter(), time.process_time()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    formats = [wb.add_format(xlsxwriter_format(k)) for k in keys]
    ncells = nformulas = 0
    for sheet in plan["sheets"]:
        ws = wb.add_worksheet(sheet["name"])
        for first, last, width in sheet["widths"]:
            ws.set_column(first, last, width)
        heights = dict(sheet["heights"])
        done_heights = set()
        for r, c, kind, value, extra, fid in sheet["cells"]:
            if r in heights and r not in done_heights:
                ws.set_row(r, heights[r])
                done_heights.add(r)
            fmt = formats[fid]
            if kind == "number":
                ws.write_number(r, c, value, fmt)
            elif kind == "text":
                ws.write_string(r, c, value, fmt)
            elif kind == "formula":
                ws.write_formula(r, c, value, fmt, extra)
                nformulas += 1
            elif kind == "link":
                ws.write_url(r, c, "internal:" + value, fmt, extra)
            else:
                ws.write_blank(r, c, None, fmt)
            ncells += 1
        if sheet["freeze"]:
            ws.freeze_panes(sheet["freeze"])
        if sheet["gridlines"] is False:
            ws.hide_gridlines(2)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if sheet["tab"]:
            ws.set_tab_color(sheet["tab"])
        if sheet["chart"]:
            header, last, title_row = sheet["chart"]
            chart = wb.add_chart({"type": "line"})
            chart.add_series({"name": "loss", "categories": ["Overview", header, 1, last - 1, 1],
                              "values": ["Overview", header, 2, last - 1, 2], "line": {"color": "#1F4E78", "width": 2}})
            chart.set_title({"name": "Loss per step"})
            chart.set_x_axis({"name": "step"})
            chart.set_y_axis({"name": "loss"})
            chart.set_legend({"none": True})
            ws.insert_chart(title_row, 6, chart, {"x_scale": 1.5, "y_scale": 1.4})
    for name, ref in plan["names"]:
        wb.define_name(name, ref)
    wb.close()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{elapsed:.3f} {cpu:.3f} {ncells} {nformulas}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("extract", "write"):
        sys.exit(__doc__)
    (extract if sys.argv[1] == "extract" else write)(sys.argv[2], sys.argv[3])
