/*
 * The floor of the workbook benchmark (issue 15): a bare C program that writes the same
 * workbook as `bptrace run` with the same libxlsxwriter and the same options, and nothing else.
 *
 *     cc -O2 -o xlsx_floor Benchmarks/xlsx_floor.c -lxlsxwriter
 *     ./xlsx_floor PLAN.bin OUT.xlsx [RUNS]
 *
 * PLAN.bin is written by `scripts/bench_workbook_xlsxwriter.py export` from the plan that
 * openpyxl extracted out of bptrace's own workbook (format: see `export` there). Loading it into
 * arrays is not timed. Timed, RUNS times (default 1): create a private temporary folder for
 * libxlsxwriter's per-sheet files (as bptrace does under $TMPDIR), open the workbook in
 * constant-memory mode without zip64, set the document properties (fixed `created` time), make
 * the formats, add the sheets in tab order, define the names, write every cell in the order
 * bptrace writes them (numbers, inline strings, formulas with their cached values via
 * worksheet_write_formula_num, internal links, styled blanks; row heights before their row),
 * set column widths, frozen panes, gridlines, page setup, tab colours and the charts, close the
 * workbook (libxlsxwriter's XML and deflate), and remove the temporary folder.
 *
 * Prints one line: `best-wall-seconds best-cpu-seconds cells formulas`.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "xlsxwriter.h"

typedef struct {
    const char *font, *num_format;
    double size;
    int32_t bold, italic, underline, color, fill, border, bottom, align, valign;
} plan_format;

typedef struct {
    int32_t kind, row, col, format;
    double number;
    const char *text, *extra;
} plan_cell;

typedef struct { const char *name, *categories, *values; int32_t color, dash; double width; } plan_series;

typedef struct {
    int32_t row, col, x_offset, y_offset, log_base, legend, nseries;
    double x_scale, y_scale;
    const char *title, *x_name, *y_name;
    plan_series *series;
} plan_chart;

typedef struct {
    const char *name;
    int32_t nwidths, nheights, freeze_row, freeze_col, hide_grid, landscape, fit_w, fit_h, tab, ncharts, ncells;
    int32_t *width_cols; double *widths;
    int32_t *height_rows; double *heights;
    plan_chart *charts;
    plan_cell *cells;
} plan_sheet;

static char *cursor, *end;

static void need(size_t n) {
    if ((size_t)(end - cursor) < n) { fprintf(stderr, "xlsx_floor: the plan is truncated\n"); exit(65); }
}
static int32_t rd_i(void) { int32_t v; need(4); memcpy(&v, cursor, 4); cursor += 4; return v; }
static double rd_d(void) { double v; need(8); memcpy(&v, cursor, 8); cursor += 8; return v; }
static const char *rd_s(void) {
    int32_t n = rd_i();
    if (n < 0) { fprintf(stderr, "xlsx_floor: bad string length in the plan\n"); exit(65); }
    need((size_t)n + 1);
    const char *s = cursor;
    cursor += n + 1;
    return s;
}
static void *alloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) { fprintf(stderr, "xlsx_floor: out of memory\n"); exit(70); }
    return p;
}

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(lxw_error e, const char *what) {
    if (e != LXW_NO_ERROR) { fprintf(stderr, "xlsx_floor: %s: %s\n", what, lxw_strerror(e)); exit(74); }
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) { fprintf(stderr, "usage: xlsx_floor PLAN.bin OUT.xlsx [RUNS]\n"); return 64; }
    int runs = argc == 4 ? atoi(argv[3]) : 1;
    if (runs < 1) runs = 1;

    /* Load the plan (not timed). */
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 66; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = alloc((size_t)size, 1);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) { perror(argv[1]); return 74; }
    fclose(f);
    cursor = buf; end = buf + size;
    need(8);
    if (memcmp(cursor, "BPXFLOOR", 8) != 0) { fprintf(stderr, "xlsx_floor: %s is not a plan\n", argv[1]); return 65; }
    cursor += 8;

    const char *title = rd_s(), *subject = rd_s(), *author = rd_s(), *comments = rd_s();
    time_t created = rd_i();
    int32_t nformats = rd_i();
    plan_format *pf = alloc((size_t)nformats, sizeof *pf);
    for (int32_t i = 0; i < nformats; i++) {
        pf[i].font = rd_s(); pf[i].size = rd_d();
        pf[i].bold = rd_i(); pf[i].italic = rd_i(); pf[i].underline = rd_i(); pf[i].color = rd_i(); pf[i].fill = rd_i();
        pf[i].num_format = rd_s();
        pf[i].border = rd_i(); pf[i].bottom = rd_i(); pf[i].align = rd_i(); pf[i].valign = rd_i();
    }
    int32_t nnames = rd_i();
    const char **names = alloc((size_t)nnames * 2, sizeof *names);
    for (int32_t i = 0; i < nnames; i++) { names[2 * i] = rd_s(); names[2 * i + 1] = rd_s(); }
    int32_t active = rd_i();
    int32_t nsheets = rd_i();
    plan_sheet *ps = alloc((size_t)nsheets, sizeof *ps);
    long ncells = 0, nformulas = 0;
    for (int32_t n = 0; n < nsheets; n++) {
        plan_sheet *s = &ps[n];
        s->name = rd_s();
        s->nwidths = rd_i();
        s->width_cols = alloc((size_t)s->nwidths * 2, sizeof(int32_t));
        s->widths = alloc((size_t)s->nwidths, sizeof(double));
        for (int32_t i = 0; i < s->nwidths; i++) { s->width_cols[2 * i] = rd_i(); s->width_cols[2 * i + 1] = rd_i(); s->widths[i] = rd_d(); }
        s->nheights = rd_i();
        s->height_rows = alloc((size_t)s->nheights, sizeof(int32_t));
        s->heights = alloc((size_t)s->nheights, sizeof(double));
        for (int32_t i = 0; i < s->nheights; i++) { s->height_rows[i] = rd_i(); s->heights[i] = rd_d(); }
        s->freeze_row = rd_i(); s->freeze_col = rd_i();
        s->hide_grid = rd_i(); s->landscape = rd_i(); s->fit_w = rd_i(); s->fit_h = rd_i(); s->tab = rd_i();
        s->ncharts = rd_i();
        s->charts = alloc((size_t)s->ncharts, sizeof(plan_chart));
        for (int32_t c = 0; c < s->ncharts; c++) {
            plan_chart *ch = &s->charts[c];
            ch->row = rd_i(); ch->col = rd_i(); ch->x_offset = rd_i(); ch->y_offset = rd_i();
            ch->x_scale = rd_d(); ch->y_scale = rd_d();
            ch->title = rd_s(); ch->x_name = rd_s(); ch->y_name = rd_s();
            ch->log_base = rd_i(); ch->legend = rd_i(); ch->nseries = rd_i();
            ch->series = alloc((size_t)ch->nseries, sizeof(plan_series));
            for (int32_t k = 0; k < ch->nseries; k++) {
                plan_series *se = &ch->series[k];
                se->name = rd_s(); se->categories = rd_s(); se->values = rd_s();
                se->color = rd_i(); se->width = rd_d(); se->dash = rd_i();
            }
        }
        s->ncells = rd_i();
        s->cells = alloc((size_t)s->ncells, sizeof(plan_cell));
        for (int32_t i = 0; i < s->ncells; i++) {
            plan_cell *c = &s->cells[i];
            c->kind = rd_i(); c->row = rd_i(); c->col = rd_i(); c->format = rd_i();
            if (c->format >= nformats) { fprintf(stderr, "xlsx_floor: bad format index in the plan\n"); return 65; }
            switch (c->kind) {
            case 0: c->number = rd_d(); break;
            case 1: c->text = rd_s(); break;
            case 2: c->text = rd_s(); c->number = rd_d(); nformulas++; break;
            case 3: c->text = rd_s(); c->extra = rd_s(); break;
            case 4: break;
            default: fprintf(stderr, "xlsx_floor: bad cell kind %d in the plan\n", c->kind); return 65;
            }
        }
        ncells += s->ncells;
    }
    int32_t *order = alloc((size_t)nsheets, sizeof(int32_t));
    for (int32_t n = 0; n < nsheets; n++) {
        order[n] = rd_i();
        if (order[n] < 0 || order[n] >= nsheets) { fprintf(stderr, "xlsx_floor: bad sheet order in the plan\n"); return 65; }
    }

    lxw_format **formats = alloc((size_t)nformats, sizeof *formats);
    lxw_worksheet **sheets = alloc((size_t)nsheets, sizeof *sheets);
    double best_wall = 1e30, best_cpu = 1e30;
    const char *tmp = getenv("TMPDIR");
    char folder[4096];

    for (int run = 0; run < runs; run++) {
        double wall0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);

        /* The same options as bptrace: constant memory, no zip64, a private temporary folder. */
        snprintf(folder, sizeof folder, "%s/xlsx_floor-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(folder)) { perror("mkdtemp"); return 73; }
        lxw_workbook_options options = { .constant_memory = LXW_TRUE, .use_zip64 = LXW_FALSE, .tmpdir = folder };
        lxw_workbook *wb = workbook_new_opt(argv[2], &options);
        if (!wb) { fprintf(stderr, "xlsx_floor: cannot start %s\n", argv[2]); return 73; }
        lxw_doc_properties props = { .title = (char *)title, .subject = (char *)subject, .author = (char *)author,
                                     .comments = (char *)comments, .created = created };
        check(workbook_set_properties(wb, &props), "properties");

        for (int32_t i = 0; i < nformats; i++) {
            const plan_format *p = &pf[i];
            lxw_format *fm = workbook_add_format(wb);
            format_set_font_name(fm, p->font);
            format_set_font_size(fm, p->size);
            if (p->bold) format_set_bold(fm);
            if (p->italic) format_set_italic(fm);
            if (p->underline) format_set_underline(fm, LXW_UNDERLINE_SINGLE);
            if (p->color >= 0) format_set_font_color(fm, (lxw_color_t)p->color);
            if (p->fill >= 0) { format_set_pattern(fm, LXW_PATTERN_SOLID); format_set_bg_color(fm, (lxw_color_t)p->fill); }
            if (*p->num_format) format_set_num_format(fm, p->num_format);
            if (p->border >= 0) { format_set_border(fm, LXW_BORDER_THIN); format_set_border_color(fm, (lxw_color_t)p->border); }
            else if (p->bottom >= 0) { format_set_bottom(fm, LXW_BORDER_THIN); format_set_bottom_color(fm, (lxw_color_t)p->bottom); }
            if (p->align == 1) format_set_align(fm, LXW_ALIGN_LEFT);
            else if (p->align == 2) format_set_align(fm, LXW_ALIGN_CENTER);
            else if (p->align == 3) format_set_align(fm, LXW_ALIGN_RIGHT);
            if (p->valign) format_set_align(fm, LXW_ALIGN_VERTICAL_CENTER);
            formats[i] = fm;
        }
        for (int32_t n = 0; n < nsheets; n++) {
            sheets[n] = workbook_add_worksheet(wb, ps[n].name);
            if (!sheets[n]) { fprintf(stderr, "xlsx_floor: cannot add the sheet %s\n", ps[n].name); return 74; }
        }
        for (int32_t i = 0; i < nnames; i++) check(workbook_define_name(wb, names[2 * i], names[2 * i + 1]), "define name");

        for (int32_t k = 0; k < nsheets; k++) {
            const plan_sheet *s = &ps[order[k]];
            lxw_worksheet *ws = sheets[order[k]];
            int32_t h = 0;
            for (int32_t i = 0; i < s->ncells; i++) {
                const plan_cell *c = &s->cells[i];
                while (h < s->nheights && s->height_rows[h] <= c->row) {
                    check(worksheet_set_row(ws, (lxw_row_t)s->height_rows[h], s->heights[h], NULL), "row height");
                    h++;
                }
                lxw_format *fm = c->format >= 0 ? formats[c->format] : NULL;
                lxw_error e;
                switch (c->kind) {
                case 0: e = worksheet_write_number(ws, (lxw_row_t)c->row, (lxw_col_t)c->col, c->number, fm); break;
                case 1: e = worksheet_write_string(ws, (lxw_row_t)c->row, (lxw_col_t)c->col, c->text, fm); break;
                case 2: e = worksheet_write_formula_num(ws, (lxw_row_t)c->row, (lxw_col_t)c->col, c->text, fm, c->number); break;
                case 3: e = worksheet_write_url_opt(ws, (lxw_row_t)c->row, (lxw_col_t)c->col, c->text, fm, c->extra, NULL); break;
                default: e = worksheet_write_blank(ws, (lxw_row_t)c->row, (lxw_col_t)c->col, fm); break;
                }
                check(e, "writing a cell");
            }
            for (; h < s->nheights; h++) check(worksheet_set_row(ws, (lxw_row_t)s->height_rows[h], s->heights[h], NULL), "row height");
            for (int32_t i = 0; i < s->ncharts; i++) {
                const plan_chart *p = &s->charts[i];
                lxw_chart *chart = workbook_add_chart(wb, LXW_CHART_LINE);
                chart_title_set_name(chart, p->title);
                lxw_chart_font title_font = { .size = 12, .bold = LXW_TRUE };
                chart_title_set_name_font(chart, &title_font);
                for (int32_t j = 0; j < p->nseries; j++) {
                    const plan_series *se = &p->series[j];
                    lxw_chart_series *series = chart_add_series(chart, se->categories, se->values);
                    chart_series_set_name(series, se->name);
                    lxw_chart_line line = { .color = (lxw_color_t)se->color, .width = (float)se->width, .dash_type = (uint8_t)se->dash };
                    chart_series_set_line(series, &line);
                    chart_series_set_marker_type(series, LXW_CHART_MARKER_NONE);
                }
                chart_axis_set_name(chart->x_axis, p->x_name);
                chart_axis_set_name(chart->y_axis, p->y_name);
                if (p->log_base) chart_axis_set_log_base(chart->y_axis, (uint16_t)p->log_base);
                chart_legend_set_position(chart, (uint8_t)p->legend);
                lxw_chart_options co = { .x_offset = p->x_offset, .y_offset = p->y_offset, .x_scale = p->x_scale, .y_scale = p->y_scale };
                check(worksheet_insert_chart_opt(ws, (lxw_row_t)p->row, (lxw_col_t)p->col, chart, &co), "inserting a chart");
            }
            for (int32_t i = 0; i < s->nwidths; i++)
                check(worksheet_set_column(ws, (lxw_col_t)s->width_cols[2 * i], (lxw_col_t)s->width_cols[2 * i + 1], s->widths[i], NULL), "column width");
            if (s->freeze_row >= 0) worksheet_freeze_panes(ws, (lxw_row_t)s->freeze_row, (lxw_col_t)s->freeze_col);
            if (s->hide_grid) worksheet_gridlines(ws, LXW_HIDE_ALL_GRIDLINES);
            if (s->landscape) worksheet_set_landscape(ws);
            if (s->fit_w >= 0) worksheet_fit_to_pages(ws, (uint16_t)s->fit_w, (uint16_t)s->fit_h);
            if (s->tab >= 0) worksheet_set_tab_color(ws, (lxw_color_t)s->tab);
        }
        if (active >= 0 && active < nsheets) worksheet_activate(sheets[active]);
        check(workbook_close(wb), "closing the workbook");
        if (rmdir(folder) != 0) { perror(folder); return 74; }

        double wall = now(CLOCK_MONOTONIC) - wall0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
        if (wall < best_wall) best_wall = wall;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    printf("%.4f %.4f %ld %ld\n", best_wall, best_cpu, ncells, nformulas);
    return 0;
}
