#!/usr/bin/env python3
"""The Python side of scripts/bench_workbook.sh: write, with XlsxWriter, the same cells,
formulas (with their cached values), formats, column widths, frozen panes, links, names and
loss chart as a workbook written by bptrace.

    python3 scripts/bench_workbook_xlsxwriter.py extract REFERENCE.xlsx PLAN.pickle
    python3 scripts/bench_workbook_xlsxwriter.py write PLAN.pickle OUT.xlsx
    python3 scripts/bench_workbook_xlsxwriter.py export PLAN.pickle PLAN.bin

`extract` (not timed) reads bptrace's workbook with openpyxl into a plan: per sheet, every
cell in row order with its kind (number, text, formula + cached value, link, blank) and its
format. `write` loads the plan, then times only the XlsxWriter part (constant_memory mode, as
bptrace uses libxlsxwriter's), from creating the workbook to closing it, and prints
`wall-seconds cpu-seconds cells formulas` on one line.

`export` (not timed) converts the plan into the binary file read by the C floor program
(Benchmarks/xlsx_floor.c), described in `export` below. `extract` also keeps, for the C
program, what it needs to call libxlsxwriter exactly as bptrace does: the document
properties, the sheet that is active, each sheet's page setup and frozen cell, and each
chart's series, colours, title, axes, anchor and scale (read from the chart's XML).

Needs: pip install openpyxl XlsxWriter.
"""
import datetime
import pickle
import re
import struct
import sys
import time
import zipfile


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


def read_charts(reference):
    """The charts of each sheet (by tab index), read from the package's XML: openpyxl keeps
    no chart it reads. Each: anchor cell, offsets (pixels), scale, title, axis names, log base,
    legend, and the series (name, categories, values, colour, width, dash)."""
    z = zipfile.ZipFile(reference)
    rels = lambda path: dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', z.read(path).decode()))
    book = z.read("xl/workbook.xml").decode()
    book_rels = rels("xl/_rels/workbook.xml.rels")
    out = {}
    for index, rid in enumerate(re.findall(r'<sheet name="[^"]*" sheetId="\d+" r:id="(rId\d+)"', book)):
        sheet = "xl/" + book_rels[rid]
        sheet_rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if sheet_rels not in z.namelist():
            continue
        for target in rels(sheet_rels).values():
            if "drawings/" not in target:
                continue
            drawing = "xl/drawings/" + target.split("/")[-1]
            chart_rels = rels(drawing.replace("drawings/", "drawings/_rels/") + ".rels")
            for anchor in re.findall(r"<xdr:twoCellAnchor>(.*?)</xdr:twoCellAnchor>", z.read(drawing).decode()):
                corner = r"<xdr:%s><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff><xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff>"
                frm = re.search(corner % "from", anchor)
                to = re.search(corner % "to", anchor)
                rid_chart = re.search(r'<c:chart [^>]*r:id="(rId\d+)"', anchor).group(1)
                x = z.read("xl/charts/" + chart_rels[rid_chart].split("/")[-1]).decode()
                texts = lambda xml: "".join(re.findall(r"<a:t>(.*?)</a:t>", xml))
                series = []
                for ser in re.findall(r"<c:ser>(.*?)</c:ser>", x):
                    dash = re.search(r'<a:prstDash val="(\w+)"', ser)
                    series.append((re.search(r"<c:tx><c:v>(.*?)</c:v>", ser).group(1),
                                   "=" + re.search(r"<c:cat>.*?<c:f>(.*?)</c:f>", ser).group(1),
                                   "=" + re.search(r"<c:val>.*?<c:f>(.*?)</c:f>", ser).group(1),
                                   int(re.search(r'<a:srgbClr val="(\w+)"', ser).group(1), 16),
                                   int(re.search(r'<a:ln w="(\d+)"', ser).group(1)) / 12700,
                                   dash.group(1) if dash else None))
                title = re.search(r"<c:chart><c:title>(.*?)</c:title>", x)
                cat_ax = re.search(r"<c:catAx>(.*?)</c:catAx>", x).group(1)
                val_ax = re.search(r"<c:valAx>(.*?)</c:valAx>", x).group(1)
                log = re.search(r'<c:logBase val="(\d+)"', val_ax)
                legend = re.search(r'<c:legendPos val="(\w+)"', x)
                out.setdefault(index, []).append({
                    "col": int(frm.group(1)), "x_offset": int(frm.group(2)) // 9525,
                    "row": int(frm.group(3)), "y_offset": int(frm.group(4)) // 9525,
                    "title": texts(title.group(1)) if title else "",
                    "x_name": texts(re.search(r"<c:title>(.*?)</c:title>", cat_ax).group(1)),
                    "y_name": texts(re.search(r"<c:title>(.*?)</c:title>", val_ax).group(1)),
                    "log_base": int(log.group(1)) if log else 0,
                    "legend": legend.group(1) if legend else None,
                    "series": series,
                    "to": (int(to.group(1)), int(to.group(2)) / 9525, int(to.group(3)), int(to.group(4)) / 9525),
                })
    return out


def chart_scale(chart, widths, heights):
    """x_scale, y_scale of a chart from its two anchor corners: its size in pixels (libxlsxwriter's
    column and row sizes: a stored width w is int(7 w + 0.5) pixels, a height h points 4/3 h
    pixels; 64 and 20 by default) over Excel's default chart of 480 x 288 pixels."""
    def col_px(c):
        w = next((w for first, last, w in widths if first <= c <= last), None)
        return 64 if w is None else int(w * 7 + 0.5)
    def row_px(r):
        h = dict(heights).get(r)
        return 20 if h is None else int(4 / 3 * h)
    to_col, to_col_off, to_row, to_row_off = chart["to"]
    width = sum(col_px(c) for c in range(chart["col"], to_col)) - chart["x_offset"] + to_col_off
    height = sum(row_px(r) for r in range(chart["row"], to_row)) - chart["y_offset"] + to_row_off
    return round(width / 480, 6), round(height / 288, 6)


def extract(reference, plan_path):
    import openpyxl
    wb = openpyxl.load_workbook(reference)
    cached = openpyxl.load_workbook(reference, data_only=True)
    plan = {"sheets": [], "names": [], "formats": {}, "unstyled": set()}
    p = wb.properties
    plan["props"] = (p.title or "", p.subject or "", p.creator or "", p.description or "",
                     int(p.created.replace(tzinfo=datetime.timezone.utc).timestamp()) if p.created else 0)
    plan["active"] = wb.index(wb.active)
    charts = read_charts(reference)
    for name, dn in wb.defined_names.items():
        plan["names"].append((name, "=" + dn.attr_text))
    for ws in wb.worksheets:
        cv = cached[ws.title]
        # openpyxl attaches each hyperlink it reads to its cell (ws._hyperlinks stays empty).
        links = {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row
                 if c.hyperlink is not None and c.hyperlink.location}
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                key = format_key(cell)
                fid = plan["formats"].setdefault(key, len(plan["formats"]))
                if cell.style_id == 0:
                    plan["unstyled"].add(fid)   # written without a format (libxlsxwriter's default)
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
        for chart_ in charts.get(len(plan["sheets"]), []):
            chart_["scale"] = chart_scale(chart_, widths, heights)
        setup = ws.sheet_properties.pageSetUpPr
        fit = (int(ws.page_setup.fitToWidth or 1), int(ws.page_setup.fitToHeight or 0)) if setup is not None and setup.fitToPage else None
        plan["sheets"].append({
            "name": ws.title, "cells": cells, "widths": widths, "heights": heights,
            "freeze": ws.freeze_panes, "gridlines": ws.sheet_view.showGridLines,
            "tab": color(ws.sheet_properties.tabColor), "chart": chart,
            "landscape": ws.page_setup.orientation == "landscape", "fit": fit,
            "charts": charts.get(len(plan["sheets"]), []),
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


DASHES = ["solid", "sysDot", "sysDash", "dash", "dashDot", "lgDash", "lgDashDot", "lgDashDotDot",
          "dot", "sysDashDot", "sysDashDotDot"]   # libxlsxwriter's lxw_chart_line_dash_type order
LEGENDS = {None: 0, "r": 1, "l": 2, "t": 3, "b": 4, "tr": 5}   # lxw_chart_legend_position
KINDS = {"number": 0, "text": 1, "formula": 2, "link": 3, "blank": 4}
ALIGNS = {None: 0, "general": 0, "left": 1, "center": 2, "right": 3}


def export(plan_path, out):
    """The plan as the binary file Benchmarks/xlsx_floor.c reads: native-endian int32 (`i`),
    float64 (`d`) and strings (`s`: int32 byte length, the UTF-8 bytes, a NUL, so the C
    program points into the buffer). The sheets are listed in tab order; `order` is the order
    their cells are written in, bptrace's: every sheet in tab order but the Overview, which
    bptrace fills last (it holds the loss table). A column width is given as libxlsxwriter's
    argument (the stored width is int(7 w + 0.5) + 5 pixels, 7 pixels a character)."""
    import openpyxl.utils.cell as cellref
    with open(plan_path, "rb") as f:
        plan = pickle.load(f)
    buf = bytearray(b"BPXFLOOR")
    i = lambda *v: buf.extend(struct.pack("=%di" % len(v), *v))
    d = lambda *v: buf.extend(struct.pack("=%dd" % len(v), *v))
    def s(text):
        b = (text or "").encode()
        i(len(b)); buf.extend(b + b"\0")
    rgb = lambda c: -1 if c is None else int(c[1:], 16)

    title, subject, author, comments, created = plan["props"]
    s(title); s(subject); s(author); s(comments); i(created)
    keys = sorted(plan["formats"], key=plan["formats"].get)
    i(len(keys))
    for name, size, bold, italic, underline, font_color, fill, num_format, border, bottom, align, valign in keys:
        s(name or "Calibri"); d(float(size or 11))
        i(int(bold), int(italic), int(bool(underline)), rgb(font_color), rgb(fill))
        s(num_format)
        i(rgb(border), rgb(bottom), ALIGNS.get(align, 0), int(valign == "center"))
    i(len(plan["names"]))
    for name, ref in plan["names"]:
        s(name); s(ref)
    i(plan["active"])
    sheets = plan["sheets"]
    i(len(sheets))
    for sheet in sheets:
        s(sheet["name"])
        i(len(sheet["widths"]))
        for first, last, width in sheet["widths"]:
            i(first, last); d((int(width * 7 + 0.5) - 5) / 7)
        i(len(sheet["heights"]))
        for row, height in sorted(sheet["heights"]):
            i(row); d(float(height))
        if sheet["freeze"]:
            row, col = cellref.coordinate_to_tuple(sheet["freeze"])
            i(row - 1, col - 1)
        else:
            i(-1, -1)
        fit = sheet["fit"] or (-1, -1)
        i(int(sheet["gridlines"] is False), int(sheet["landscape"]), fit[0], fit[1], rgb(sheet["tab"]))
        i(len(sheet["charts"]))
        for c in sheet["charts"]:
            i(c["row"], c["col"], c["x_offset"], c["y_offset"]); d(*c["scale"])
            s(c["title"]); s(c["x_name"]); s(c["y_name"])
            i(c["log_base"], LEGENDS.get(c["legend"], 1), len(c["series"]))
            for name, categories, values, colour, width, dash in c["series"]:
                s(name); s(categories); s(values); i(colour); d(width); i(DASHES.index(dash or "solid"))
        i(len(sheet["cells"]))
        for r, col, kind, value, extra, fid in sheet["cells"]:
            i(KINDS[kind], r, col, -1 if fid in plan["unstyled"] else fid)
            if kind == "number":
                d(value)
            elif kind == "text":
                s(value)
            elif kind == "formula":
                s(value); d(float(extra or 0))
            elif kind == "link":
                s("internal:" + value); s(extra)
    order = [n for n, sheet in enumerate(sheets) if sheet["name"] != "Overview"]
    order += [n for n, sheet in enumerate(sheets) if sheet["name"] == "Overview"]
    i(*order)
    with open(out, "wb") as f:
        f.write(buf)


if __name__ == "__main__":
    modes = {"extract": extract, "write": write, "export": export}
    if len(sys.argv) != 4 or sys.argv[1] not in modes:
        sys.exit(__doc__)
    modes[sys.argv[1]](sys.argv[2], sys.argv[3])
