import CXLSXWriter

/// A line chart of several series over one category range, its value axis optionally
/// logarithmic (base 10): the Overview's chart of mean |delta(l)| per layer. Each series gets its
/// own colour and dash pattern (the handout chart's, by layer), so the lines stay apart in greyscale.
struct XLSXMultiLineChart {
    var title: String
    var categories: String
    /// (legend name, values range, style: the index of its colour and dash pattern) per line.
    var series: [(name: String, values: String, style: Int)]
    var xAxisName: String
    var yAxisName: String
    var logY = true
    var xScale = 1.5
    var yScale = 1.4

    static let colours: [UInt32] = [0x08306B, 0x2171B5, 0x6BAED6, 0xE6550D, 0xA63603, 0x31A354, 0x756BB1, 0x636363]
    static let dashes: [lxw_chart_line_dash_type] = [LXW_CHART_LINE_DASH_SOLID, LXW_CHART_LINE_DASH_DASH, LXW_CHART_LINE_DASH_ROUND_DOT,
                                                     LXW_CHART_LINE_DASH_DASH_DOT, LXW_CHART_LINE_DASH_LONG_DASH, LXW_CHART_LINE_DASH_SQUARE_DOT,
                                                     LXW_CHART_LINE_DASH_LONG_DASH_DOT, LXW_CHART_LINE_DASH_LONG_DASH_DOT_DOT]
}

extension XLSXWorkbook {
    func insertMultiLineChart(_ sheet: Sheet, row: Int, col: Int, _ spec: XLSXMultiLineChart) throws {
        try checkCell(sheet, row, col)
        let chart = try titledLineChart(spec.title, what: "the chart \(spec.title)")
        for s in spec.series {
            guard let series = spec.categories.withCString({ c in s.values.withCString { v in chart_add_series(chart, c, v) } }) else {
                throw OutputError(.io, "error writing \(destination): cannot add the series \(s.name) to the chart")
            }
            s.name.withCString { chart_series_set_name(series, $0) }
            var line = lxw_chart_line()
            line.color = XLSXMultiLineChart.colours[s.style % XLSXMultiLineChart.colours.count]
            line.width = 2
            line.dash_type = UInt8(XLSXMultiLineChart.dashes[s.style % XLSXMultiLineChart.dashes.count].rawValue)
            chart_series_set_line(series, &line)
            chart_series_set_marker_type(series, UInt8(LXW_CHART_MARKER_NONE.rawValue))
        }
        spec.xAxisName.withCString { chart_axis_set_name(chart.pointee.x_axis, $0) }
        spec.yAxisName.withCString { chart_axis_set_name(chart.pointee.y_axis, $0) }
        if spec.logY { chart_axis_set_log_base(chart.pointee.y_axis, 10) }
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_RIGHT.rawValue))
        var options = lxw_chart_options()
        options.x_scale = spec.xScale
        options.y_scale = spec.yScale
        options.x_offset = 10
        options.y_offset = 4
        try check(worksheet_insert_chart_opt(sheet.pointer, lxw_row_t(row), lxw_col_t(col), chart, &options), "inserting the chart \(spec.title)")
    }
}
