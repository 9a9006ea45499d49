#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import CXLSXWriter

/// How a cell looks: font, fill, border, number format. Hashable, so the workbook makes one
/// libxlsxwriter format per distinct style and reuses it.
struct XLSXStyle: Hashable, Sendable {
    enum Align: Sendable { case general, left, center, right }
    var font = "Arial"
    var size = 10.0
    var bold = false
    var italic = false
    var underline = false
    /// 0xRRGGBB, or nil for the default (black).
    var color: UInt32? = nil
    /// A solid background fill, 0xRRGGBB.
    var fill: UInt32? = nil
    /// Excel number format code (`0.000`); nil for General.
    var numberFormat: String? = nil
    /// A thin border of this colour on all four sides.
    var border: UInt32? = nil
    /// A thin bottom border of this colour (headings).
    var bottomBorder: UInt32? = nil
    var align: Align = .general
    var verticalCenter = false
}

/// A line chart on a worksheet: one series, categories and values given as absolute
/// references (`='Overview'!$B$40:$B$51`).
struct XLSXLineChart {
    var title: String
    var categories: String
    var values: String
    var seriesName: String
    var xAxisName: String
    var yAxisName: String
    /// Size relative to Excel's default chart (480 x 288 pixels).
    var xScale = 1.5
    var yScale = 1.4
}

/// A small Swift face over libxlsxwriter's C API: the only file of bptrace that touches its
/// pointers. libxlsxwriter opens the file it writes by name (fopen), so it writes it inside a
/// private folder (mode 0700) created beside `destination` under a fresh temporary name
/// (`.<name>.partial-<pid>-<random>/`), where nobody else can plant a link; `commit()` moves
/// the finished file into place (or stages it in the run's transaction). Its own temporary
/// files (one per sheet) go to another private folder under $TMPDIR. `abort()`, a failed
/// `commit()` or a `deinit` before `commit()` delete both folders, so a failed run never
/// leaves a partial workbook.
///
/// - Constant-memory mode is on: libxlsxwriter streams each sheet's rows to a temporary file,
///   so rows of one sheet must be written in ascending order (a later row flushes the earlier
///   ones; writing to a flushed row is refused with an error). Sheets may be interleaved.
/// - The document's `created` time is fixed, so the same content gives a byte-identical file.
/// - Every write is checked: a non-finite number, a cell outside Excel's grid or any
///   libxlsxwriter error throws instead of writing something invalid.
final class XLSXWorkbook {
    /// Excel's grid: 1,048,576 rows x 16,384 columns (0-based indices below these).
    static let maxRows = 1_048_576
    static let maxColumns = 16_384
    static let maxSheetNameLength = 31
    /// libxlsxwriter's limit on hyperlinks per sheet (Excel's 65,530).
    static let maxLinksPerSheet = 65_530
    /// 2024-01-01T00:00:00Z, the `created` time of every workbook (determinism).
    static let fixedCreated: time_t = 1_704_067_200

    /// A worksheet of this workbook; opaque to other files.
    struct Sheet {
        let pointer: UnsafeMutablePointer<lxw_worksheet>
        let name: String
    }

    /// A cell format of this workbook, made from an `XLSXStyle` by `format(_:)`; opaque.
    struct Format {
        fileprivate let pointer: UnsafeMutablePointer<lxw_format>
    }

    let destination: String
    /// The file libxlsxwriter writes, inside `privateFolder`.
    let temporaryPath: String
    private let privateFolder: String
    private let overwrite: Bool
    private let transaction: OutputTransaction?
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private var formats: [XLSXStyle: UnsafeMutablePointer<lxw_format>] = [:]
    private var sheetNames: Set<String> = []
    /// The folder for libxlsxwriter's temporary files (a private one under $TMPDIR), kept
    /// alive as long as the workbook.
    private var temporaryDirectory: UnsafeMutablePointer<CChar>? = nil
    private var finished = false
    /// How many formula cells were written (tests compare it with what LibreOffice finds).
    private(set) var formulaCount = 0
    private(set) var sheetCount = 0

    /// Opens a workbook that will become `destination`. Fails when the destination exists and
    /// `overwrite` is false, or when the folder is missing or not writable (checked now by
    /// creating the private folder, not only when the workbook is closed).
    init(destination: String, overwrite: Bool, transaction: OutputTransaction? = nil) throws {
        self.destination = destination
        self.overwrite = overwrite
        self.transaction = transaction
        try OutputFile.checkDestination(destination, overwrite: overwrite)
        privateFolder = try TemporaryName.createDirectory(beside: destination, mode: 0o700)
        temporaryPath = privateFolder + "/" + (destination as NSString).lastPathComponent
        let made: String
        do { made = try TemporaryName.createPrivateFolder() } catch {
            XLSXWorkbook.removeFolder(privateFolder)
            throw error
        }
        temporaryDirectory = strdup(made)

        // libxlsxwriter's own temporary files (one per sheet in constant-memory mode) go to
        // the private folder under $TMPDIR (by itself it reads only TMP/TEMP); it creates them
        // with O_EXCL and unlinks them at once.
        XLSXWorkbook.keepLargeAllocationsLazy()
        var options = lxw_workbook_options()
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        options.use_zip64 = UInt8(LXW_FALSE.rawValue)
        options.tmpdir = temporaryDirectory
        guard let wb = temporaryPath.withCString({ workbook_new_opt($0, &options) }) else {
            XLSXWorkbook.removeFolder(made)
            XLSXWorkbook.removeFolder(privateFolder)
            throw OutputError(.cannotCreate, "cannot start the workbook \(destination) (libxlsxwriter could not allocate it)")
        }
        workbook = wb

        try setProperties(title: "bptrace workbook", subject: "")
    }

    deinit {
        abort()
        free(temporaryDirectory)
    }

    /// Removes one of our temporary folders (and anything in it, without following links).
    private static func removeFolder(_ path: String) {
        FileSystem.removeTree(path)
        CleanupRegistry.unregister(path)
    }

    private func removeTemporaries(keepingPrivateFolder: Bool = false) {
        unlink(temporaryPath)
        CleanupRegistry.unregister(temporaryPath)
        if let t = temporaryDirectory { XLSXWorkbook.removeFolder(String(cString: t)) }
        if !keepingPrivateFolder { XLSXWorkbook.removeFolder(privateFolder) }
    }

    /// The document's title and subject; the author is bptrace and the `created` time is fixed.
    /// libxlsxwriter copies the strings.
    func setProperties(title: String, subject: String) throws {
        var properties = lxw_doc_properties()
        properties.created = XLSXWorkbook.fixedCreated
        let comment = "Generated by bptrace: every computed cell is a formula with the engine's value cached."
        let error = title.withCString { t in subject.withCString { s in "bptrace".withCString { a in comment.withCString { c in
            properties.title = UnsafeMutablePointer(mutating: t)
            properties.subject = UnsafeMutablePointer(mutating: s)
            properties.author = UnsafeMutablePointer(mutating: a)
            properties.comments = UnsafeMutablePointer(mutating: c)
            return workbook_set_properties(wb, &properties)
        } } } }
        try check(error, "setting the document properties")
    }

    var wb: UnsafeMutablePointer<lxw_workbook> {
        guard let workbook else { preconditionFailure("the workbook \(destination) is already closed") }
        return workbook
    }

    func check(_ error: lxw_error, _ what: @autoclosure () -> String) throws {
        guard error != LXW_NO_ERROR else { return }
        throw OutputError(.io, "error writing \(destination): \(what()): \(String(cString: lxw_strerror(error)))")
    }

    // MARK: Sheets

    /// Adds a worksheet at the end of the tab order. Names must be unique, at most 31
    /// characters and free of `[]:*?/\`.
    func addSheet(named name: String) throws -> Sheet {
        guard name.count <= XLSXWorkbook.maxSheetNameLength else {
            throw OutputError(.io, "internal error: sheet name \"\(name)\" is longer than 31 characters")
        }
        guard !sheetNames.contains(name.lowercased()) else {
            throw OutputError(.io, "internal error: sheet name \"\(name)\" is used twice")
        }
        let bad = CharacterSet(charactersIn: "[]:*?/\\")
        guard name.rangeOfCharacter(from: bad) == nil, !name.hasPrefix("'"), !name.hasSuffix("'") else {
            throw OutputError(.io, "internal error: sheet name \"\(name)\" has a character Excel forbids")
        }
        guard let ws = name.withCString({ workbook_add_worksheet(wb, $0) }) else {
            throw OutputError(.io, "error writing \(destination): cannot add the sheet \"\(name)\" (out of memory or temporary files)")
        }
        sheetNames.insert(name.lowercased())
        sheetCount += 1
        return Sheet(pointer: ws, name: name)
    }

    /// Column widths in Excel's character units, for columns first...last (0-based).
    func setColumnWidth(_ sheet: Sheet, first: Int, last: Int, width: Double) throws {
        try checkColumn(last)
        try check(worksheet_set_column(sheet.pointer, lxw_col_t(first), lxw_col_t(last), width, nil), "setting column widths")
    }

    /// A row's height in points. In constant-memory mode call it before writing the row.
    func setRowHeight(_ sheet: Sheet, row: Int, height: Double) throws {
        try checkRow(row)
        try check(worksheet_set_row(sheet.pointer, lxw_row_t(row), height, nil), "setting a row height")
    }

    /// Freezes the rows above `row` and the columns left of `col`.
    func freezePanes(_ sheet: Sheet, row: Int, col: Int) {
        worksheet_freeze_panes(sheet.pointer, lxw_row_t(row), lxw_col_t(col))
    }

    /// Hides gridlines on screen and in print; landscape, fitted one page wide when printed.
    func setHandoutLayout(_ sheet: Sheet, hideGridlines: Bool) {
        if hideGridlines { worksheet_gridlines(sheet.pointer, UInt8(LXW_HIDE_ALL_GRIDLINES.rawValue)) }
        worksheet_set_landscape(sheet.pointer)
        worksheet_fit_to_pages(sheet.pointer, 1, 0)
    }

    func setTabColor(_ sheet: Sheet, _ rgb: UInt32) {
        worksheet_set_tab_color(sheet.pointer, lxw_color_t(rgb))
    }

    func activate(_ sheet: Sheet) { worksheet_activate(sheet.pointer) }

    // MARK: Cells

    private func checkRow(_ row: Int) throws {
        guard row >= 0, row < XLSXWorkbook.maxRows else {
            throw OutputError(.io, "internal error: row \(row + 1) is outside Excel's 1,048,576 rows")
        }
    }

    private func checkColumn(_ col: Int) throws {
        guard col >= 0, col < XLSXWorkbook.maxColumns else {
            throw OutputError(.io, "internal error: column \(col + 1) is outside Excel's 16,384 columns")
        }
    }

    func checkCell(_ sheet: Sheet, _ row: Int, _ col: Int) throws {
        try checkRow(row)
        try checkColumn(col)
    }

    private func checkFinite(_ value: Double, _ sheet: Sheet, _ row: Int, _ col: Int) throws {
        guard value.isFinite else {
            throw OutputError(.io, "refusing to write the non-finite value \(value) to \(sheet.name)!\(A1.cell(row, col))")
        }
    }

    private func checkText(_ s: String) throws {
        guard s.utf8.count <= 32_767 else { throw OutputError(.io, "internal error: a text of \(s.utf8.count) bytes is longer than Excel allows") }
    }

    /// The format of a style, made once and reused.
    func format(_ style: XLSXStyle) -> Format { Format(pointer: lxwFormat(style)) }

    private func lxwFormat(_ style: XLSXStyle) -> UnsafeMutablePointer<lxw_format> {
        if let f = formats[style] { return f }
        let f = workbook_add_format(wb)!
        style.font.withCString { format_set_font_name(f, $0) }
        format_set_font_size(f, style.size)
        if style.bold { format_set_bold(f) }
        if style.italic { format_set_italic(f) }
        if style.underline { format_set_underline(f, UInt8(LXW_UNDERLINE_SINGLE.rawValue)) }
        if let c = style.color { format_set_font_color(f, lxw_color_t(c)) }
        if let fill = style.fill {
            format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
            format_set_bg_color(f, lxw_color_t(fill))
        }
        if let nf = style.numberFormat { nf.withCString { format_set_num_format(f, $0) } }
        if let b = style.border {
            format_set_border(f, UInt8(LXW_BORDER_THIN.rawValue))
            format_set_border_color(f, lxw_color_t(b))
        }
        if let b = style.bottomBorder {
            format_set_bottom(f, UInt8(LXW_BORDER_THIN.rawValue))
            format_set_bottom_color(f, lxw_color_t(b))
        }
        switch style.align {
        case .general: break
        case .left: format_set_align(f, UInt8(LXW_ALIGN_LEFT.rawValue))
        case .center: format_set_align(f, UInt8(LXW_ALIGN_CENTER.rawValue))
        case .right: format_set_align(f, UInt8(LXW_ALIGN_RIGHT.rawValue))
        }
        if style.verticalCenter { format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue)) }
        formats[style] = f
        return f
    }

    private func pointer(_ format: Format?) -> UnsafeMutablePointer<lxw_format>? { format?.pointer }

    func writeNumber(_ sheet: Sheet, _ row: Int, _ col: Int, _ value: Double, _ style: Format?) throws {
        try checkCell(sheet, row, col)
        try checkFinite(value, sheet, row, col)
        try check(worksheet_write_number(sheet.pointer, lxw_row_t(row), lxw_col_t(col), value, pointer(style)),
                  "writing the number at \(sheet.name)!\(A1.cell(row, col))")
    }

    /// Text, always stored as text: a string that starts with `=` is not a formula.
    func writeString(_ sheet: Sheet, _ row: Int, _ col: Int, _ text: String, _ style: Format?) throws {
        try checkCell(sheet, row, col)
        try checkText(text)
        try check(text.withCString { worksheet_write_string(sheet.pointer, lxw_row_t(row), lxw_col_t(col), $0, pointer(style)) },
                  "writing the text at \(sheet.name)!\(A1.cell(row, col))")
    }

    /// A formula (`=B3*E3+F3`) with its cached result, shown wherever nothing recalculates.
    func writeFormula(_ sheet: Sheet, _ row: Int, _ col: Int, _ formula: String, value: Double, _ style: Format?) throws {
        try checkCell(sheet, row, col)
        try checkFinite(value, sheet, row, col)
        guard formula.utf8.count <= 8_192 else {
            throw OutputError(.io, "internal error: the formula at \(sheet.name)!\(A1.cell(row, col)) is longer than Excel's 8,192 characters")
        }
        try check(formula.withCString { worksheet_write_formula_num(sheet.pointer, lxw_row_t(row), lxw_col_t(col), $0, pointer(style), value) },
                  "writing the formula at \(sheet.name)!\(A1.cell(row, col))")
        formulaCount += 1
    }

    /// An empty cell that still carries a style (a fill, a border).
    func writeBlank(_ sheet: Sheet, _ row: Int, _ col: Int, _ style: Format?) throws {
        try checkCell(sheet, row, col)
        try check(worksheet_write_blank(sheet.pointer, lxw_row_t(row), lxw_col_t(col), pointer(style)),
                  "writing a blank cell at \(sheet.name)!\(A1.cell(row, col))")
    }

    /// A link to a cell of a sheet of this workbook, shown as `text`.
    func writeInternalLink(_ sheet: Sheet, _ row: Int, _ col: Int, toSheet target: String, cell: String = "A1",
                           text: String, _ style: Format?) throws {
        try checkCell(sheet, row, col)
        try checkText(text)
        let url = "internal:\(A1.quotedSheet(target))!\(cell)"
        try check(url.withCString { u in text.withCString { t in
            worksheet_write_url_opt(sheet.pointer, lxw_row_t(row), lxw_col_t(col), u, pointer(style), t, nil)
        } }, "writing the link to \(target) at \(sheet.name)!\(A1.cell(row, col))")
    }

    /// A workbook-wide name (`learning_rate`) for a formula or reference (`=Overview!$C$9`).
    func defineName(_ name: String, refersTo formula: String) throws {
        try check(name.withCString { n in formula.withCString { workbook_define_name(wb, n, $0) } }, "defining the name \(name)")
    }

    /// A new line chart with its title set in the workbook's chart title font (12 pt, bold).
    func titledLineChart(_ title: String, what: String) throws -> UnsafeMutablePointer<lxw_chart> {
        guard let chart = workbook_add_chart(wb, UInt8(LXW_CHART_LINE.rawValue)) else {
            throw OutputError(.io, "error writing \(destination): cannot create \(what)")
        }
        // libxlsxwriter copies every string it is given here.
        title.withCString { chart_title_set_name(chart, $0) }
        var titleFont = lxw_chart_font()
        titleFont.size = 12
        titleFont.bold = UInt8(LXW_TRUE.rawValue)
        chart_title_set_name_font(chart, &titleFont)
        return chart
    }

    /// Inserts a line chart with its top-left corner at (row, col).
    func insertLineChart(_ sheet: Sheet, row: Int, col: Int, _ spec: XLSXLineChart) throws {
        try checkCell(sheet, row, col)
        let chart = try titledLineChart(spec.title, what: "the loss chart")
        guard let series = spec.categories.withCString({ c in spec.values.withCString { v in chart_add_series(chart, c, v) } }) else {
            throw OutputError(.io, "error writing \(destination): cannot add the loss series to the chart")
        }
        spec.seriesName.withCString { chart_series_set_name(series, $0) }
        var line = lxw_chart_line()
        line.color = 0x1F4E78
        line.width = 2
        chart_series_set_line(series, &line)
        chart_series_set_marker_type(series, UInt8(LXW_CHART_MARKER_NONE.rawValue))
        spec.xAxisName.withCString { chart_axis_set_name(chart.pointee.x_axis, $0) }
        spec.yAxisName.withCString { chart_axis_set_name(chart.pointee.y_axis, $0) }
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
        var options = lxw_chart_options()
        options.x_scale = spec.xScale
        options.y_scale = spec.yScale
        options.x_offset = 10
        options.y_offset = 4
        try check(worksheet_insert_chart_opt(sheet.pointer, lxw_row_t(row), lxw_col_t(col), chart, &options), "inserting the loss chart")
    }

    // MARK: Finishing

    /// Writes the workbook (libxlsxwriter assembles it only now, so write errors such as a full
    /// disk surface here) and renames it onto the destination.
    func commit() throws {
        guard let wb = workbook else { throw OutputError(.io, "internal error: the workbook \(destination) was already closed") }
        workbook = nil
        finished = true
        CleanupRegistry.withSignalsBlocked { CleanupRegistry.register(temporaryPath, directory: false) }
        let error = workbook_close(wb)
        if error != LXW_NO_ERROR {
            removeTemporaries()
            throw OutputError(.io, "error writing \(destination): \(String(cString: lxw_strerror(error))) (is the disk full or the folder read-only?); no file was left behind")
        }
        // libxlsxwriter's temporary folder is done with; the private folder goes once the
        // workbook is in place.
        if let t = temporaryDirectory { XLSXWorkbook.removeFolder(String(cString: t)) }
        if let transaction {
            transaction.stageFile(temporaryPath, as: destination, container: privateFolder)
        } else {
            let t = OutputTransaction(overwrite: overwrite)
            t.stageFile(temporaryPath, as: destination, container: privateFolder)
            try t.commit()
        }
    }

    /// Drops the workbook without writing it and deletes the temporary files.
    func abort() {
        guard !finished else { return }
        finished = true
        if let wb = workbook { lxw_workbook_free(wb) }
        workbook = nil
        removeTemporaries()
    }
}
