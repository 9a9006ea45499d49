/// The colours and cell formats of the workbook, made once per workbook.
///
/// The colours follow the tutorial's screenshots: yellow for the cell being computed, orange
/// for the cells it is computed from; light blue marks inputs a student may edit.
struct WorkbookStyles {
    static let yellow: UInt32 = 0xFFFF00
    static let orange: UInt32 = 0xFFC000
    static let editable: UInt32 = 0xDDEBF7
    static let headerFill: UInt32 = 0xEDEDED
    static let bandFill: UInt32 = 0x1F4E78
    static let grid: UInt32 = 0xBFBFBF
    static let ink: UInt32 = 0x1F4E78
    static let grey: UInt32 = 0x595959
    static let noteRed: UInt32 = 0x9C0006
    static let link: UInt32 = 0x0563C1

    /// How a number cell of a block is filled.
    enum Fill { case plain, editable, yellow, orange }

    let sheetTitle, navigation, info, bandBar, blockTitle, blockFormula, blockNote, header, corner: XLSXWorkbook.Format
    private let numbers: [XLSXWorkbook.Format]      // indexed by Fill: `decimals` fixed decimals
    private let scientific: [XLSXWorkbook.Format]   // indexed by Fill: `decimals` decimals, with an exponent
    private let decimals: Int
    // Overview and Data
    let overviewTitle, heading, label, text, status, stopped, tableHeader, stepNumber, dataNumber, plainNumber: XLSXWorkbook.Format
    let editableNumber, swatchYellow, swatchOrange, swatchEditable: XLSXWorkbook.Format
    private let lossFixed, lossScientific: XLSXWorkbook.Format

    /// The format of a block's number cell holding `value`: `decimals` fixed decimals
    /// (`0.000`), or, when the value is nonzero but would show as 0 with them (a small
    /// gradient at 3 decimals), the same digits with an exponent (`4.386E-04`). The choice is
    /// made from the value bptrace computed; a cell keeps its format when a student's edit
    /// changes its value.
    func number(_ fill: Fill, for value: Double) -> XLSXWorkbook.Format {
        let formats = WorkbookStyles.showsAsZero(value, decimals: decimals) ? scientific : numbers
        switch fill {
        case .plain: return formats[0]
        case .editable: return formats[1]
        case .yellow: return formats[2]
        case .orange: return formats[3]
        }
    }

    /// The Overview's loss and cost cells: at least 6 decimals, with an exponent for a loss
    /// that would show as 0 with them.
    func lossNumber(for value: Double) -> XLSXWorkbook.Format {
        WorkbookStyles.showsAsZero(value, decimals: WorkbookStyles.lossDecimals(decimals)) ? lossScientific : lossFixed
    }

    static func lossDecimals(_ decimals: Int) -> Int { max(decimals, 6) }

    /// `0.000` for 3 decimals, `0` for none.
    static func fixedFormat(decimals: Int) -> String {
        decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals)
    }

    /// `0.000E+00` for 3 decimals, `0E+00` for none.
    static func scientificFormat(decimals: Int) -> String { fixedFormat(decimals: decimals) + "E+00" }

    /// Whether `value` is nonzero but shown with `decimals` fixed decimals reads 0 (or -0):
    /// its magnitude is below half a unit in the last decimal.
    static func showsAsZero(_ value: Double, decimals: Int) -> Bool {
        value != 0 && value.isFinite && value.magnitude < 0.5 / pow10(decimals)
    }

    /// 10^n, exact for the 0...15 decimals a workbook takes.
    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    init(workbook wb: XLSXWorkbook, decimals: Int) {
        self.decimals = decimals
        let fixed = WorkbookStyles.fixedFormat(decimals: decimals)
        let exponent = WorkbookStyles.scientificFormat(decimals: decimals)
        let base = XLSXStyle()
        func style(_ change: (inout XLSXStyle) -> Void) -> XLSXWorkbook.Format {
            var s = base
            change(&s)
            return wb.format(s)
        }
        sheetTitle = style { $0.size = 14; $0.bold = true; $0.color = WorkbookStyles.ink }
        navigation = style { $0.underline = true; $0.color = WorkbookStyles.link }
        info = style { $0.italic = true; $0.color = WorkbookStyles.grey }
        bandBar = style { $0.size = 11; $0.bold = true; $0.color = 0xFFFFFF; $0.fill = WorkbookStyles.bandFill }
        blockTitle = style { $0.bold = true }
        blockFormula = style { $0.italic = true; $0.color = WorkbookStyles.grey }
        blockNote = style { $0.size = 9; $0.italic = true; $0.color = WorkbookStyles.noteRed }
        header = style { $0.bold = true; $0.align = .center; $0.fill = WorkbookStyles.headerFill; $0.border = WorkbookStyles.grid }
        corner = style { $0.size = 9; $0.italic = true; $0.color = WorkbookStyles.grey; $0.align = .center; $0.fill = WorkbookStyles.headerFill; $0.border = WorkbookStyles.grid }
        let fills: [UInt32?] = [nil, WorkbookStyles.editable, WorkbookStyles.yellow, WorkbookStyles.orange]
        numbers = fills.map { fill in style { $0.numberFormat = fixed; $0.border = WorkbookStyles.grid; $0.fill = fill } }
        scientific = fills.map { fill in style { $0.numberFormat = exponent; $0.border = WorkbookStyles.grid; $0.fill = fill } }
        overviewTitle = style { $0.size = 16; $0.bold = true; $0.color = WorkbookStyles.ink }
        heading = style { $0.size = 12; $0.bold = true; $0.color = WorkbookStyles.ink; $0.bottomBorder = WorkbookStyles.ink }
        label = style { $0.bold = true }
        text = wb.format(base)
        status = style { $0.bold = true; $0.color = 0x375623 }
        stopped = style { $0.bold = true; $0.color = 0xC00000 }
        tableHeader = style { $0.bold = true; $0.align = .center; $0.fill = WorkbookStyles.headerFill; $0.border = WorkbookStyles.grid }
        stepNumber = style { $0.numberFormat = "0"; $0.align = .center; $0.border = WorkbookStyles.grid }
        let lossDecimals = WorkbookStyles.lossDecimals(decimals)
        lossFixed = style { $0.numberFormat = WorkbookStyles.fixedFormat(decimals: lossDecimals); $0.border = WorkbookStyles.grid }
        lossScientific = style { $0.numberFormat = WorkbookStyles.scientificFormat(decimals: lossDecimals); $0.border = WorkbookStyles.grid }
        dataNumber = style { $0.fill = WorkbookStyles.editable; $0.border = WorkbookStyles.grid }
        plainNumber = style { $0.align = .left }
        editableNumber = style { $0.fill = WorkbookStyles.editable; $0.border = WorkbookStyles.grid; $0.align = .left }
        swatchYellow = style { $0.fill = WorkbookStyles.yellow; $0.border = WorkbookStyles.grid; $0.align = .center }
        swatchOrange = style { $0.fill = WorkbookStyles.orange; $0.border = WorkbookStyles.grid; $0.align = .center }
        swatchEditable = style { $0.fill = WorkbookStyles.editable; $0.border = WorkbookStyles.grid; $0.align = .center }
    }
}

/// The cells of one sheet, collected in any order and written in ascending row order, as
/// constant-memory mode requires.
struct SheetCells {
    enum Content {
        case number(Double)
        case text(String)
        case formula(String, Double)
        case link(sheet: String, text: String)
        case blank
    }
    struct Cell {
        let row: Int
        let col: Int
        let content: Content
        let format: XLSXWorkbook.Format?
    }

    private(set) var cells: [Cell] = []
    private var heights: [Int: Double] = [:]

    init(capacity: Int = 0) { cells.reserveCapacity(capacity) }

    mutating func number(_ row: Int, _ col: Int, _ v: Double, _ f: XLSXWorkbook.Format?) { cells.append(Cell(row: row, col: col, content: .number(v), format: f)) }
    mutating func text(_ row: Int, _ col: Int, _ s: String, _ f: XLSXWorkbook.Format?) { cells.append(Cell(row: row, col: col, content: .text(s), format: f)) }
    mutating func formula(_ row: Int, _ col: Int, _ formula: String, _ v: Double, _ f: XLSXWorkbook.Format?) { cells.append(Cell(row: row, col: col, content: .formula(formula, v), format: f)) }
    mutating func link(_ row: Int, _ col: Int, toSheet sheet: String, _ text: String, _ f: XLSXWorkbook.Format?) { cells.append(Cell(row: row, col: col, content: .link(sheet: sheet, text: text), format: f)) }
    mutating func blank(_ row: Int, _ col: Int, _ f: XLSXWorkbook.Format) { cells.append(Cell(row: row, col: col, content: .blank, format: f)) }
    mutating func height(_ row: Int, _ points: Double) { heights[row] = points }

    /// The indices of `cells` by row, then column, then the order they were added in. Sorted
    /// as packed integer keys (row, column, index) rather than by comparing the cells, which
    /// copied two cells (and retained their strings) per comparison.
    static func rowOrder(_ cells: [Cell]) -> [Int] {
        guard cells.count < 1 << 30, cells.allSatisfy({ $0.row >= 0 && $0.row < 1 << 20 && $0.col >= 0 && $0.col < 1 << 14 }) else {
            return cells.indices.sorted { a, b in
                let x = cells[a], y = cells[b]
                return x.row != y.row ? x.row < y.row : (x.col != y.col ? x.col < y.col : a < b)
            }
        }
        var keys = [UInt64]()
        keys.reserveCapacity(cells.count)
        for (i, cell) in cells.enumerated() { keys.append(UInt64(cell.row) << 44 | UInt64(cell.col) << 30 | UInt64(i)) }
        keys.sort()
        return keys.map { Int($0 & (1 << 30 - 1)) }
    }

    /// Writes every cell, row by row; row heights are set before their row's first cell.
    func write(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet) throws {
        let order = SheetCells.rowOrder(cells)
        let heightRows = heights.keys.sorted()
        var h = 0
        for i in order {
            let cell = cells[i]
            while h < heightRows.count, heightRows[h] <= cell.row {
                try wb.setRowHeight(sheet, row: heightRows[h], height: heights[heightRows[h]]!)
                h += 1
            }
            switch cell.content {
            case .number(let v): try wb.writeNumber(sheet, cell.row, cell.col, v, cell.format)
            case .text(let s): try wb.writeString(sheet, cell.row, cell.col, s, cell.format)
            case .formula(let f, let v): try wb.writeFormula(sheet, cell.row, cell.col, f, value: v, cell.format)
            case .link(let target, let text): try wb.writeInternalLink(sheet, cell.row, cell.col, toSheet: target, text: text, cell.format)
            case .blank: try wb.writeBlank(sheet, cell.row, cell.col, cell.format!)
            }
        }
        while h < heightRows.count {
            try wb.setRowHeight(sheet, row: heightRows[h], height: heights[heightRows[h]]!)
            h += 1
        }
    }
}
