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
    private let numbers: [XLSXWorkbook.Format]   // indexed by Fill
    // Overview and Data
    let overviewTitle, heading, label, text, status, stopped, tableHeader, stepNumber, lossNumber, dataNumber, plainNumber: XLSXWorkbook.Format
    let editableNumber, swatchYellow, swatchOrange, swatchEditable: XLSXWorkbook.Format

    func number(_ fill: Fill) -> XLSXWorkbook.Format {
        switch fill {
        case .plain: return numbers[0]
        case .editable: return numbers[1]
        case .yellow: return numbers[2]
        case .orange: return numbers[3]
        }
    }

    init(workbook wb: XLSXWorkbook, decimals: Int) {
        let fixed = decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals)
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
        numbers = [nil, WorkbookStyles.editable, WorkbookStyles.yellow, WorkbookStyles.orange].map { fill in
            style { $0.numberFormat = fixed; $0.border = WorkbookStyles.grid; $0.fill = fill }
        }
        overviewTitle = style { $0.size = 16; $0.bold = true; $0.color = WorkbookStyles.ink }
        heading = style { $0.size = 12; $0.bold = true; $0.color = WorkbookStyles.ink; $0.bottomBorder = WorkbookStyles.ink }
        label = style { $0.bold = true }
        text = wb.format(base)
        status = style { $0.bold = true; $0.color = 0x375623 }
        stopped = style { $0.bold = true; $0.color = 0xC00000 }
        tableHeader = style { $0.bold = true; $0.align = .center; $0.fill = WorkbookStyles.headerFill; $0.border = WorkbookStyles.grid }
        stepNumber = style { $0.numberFormat = "0"; $0.align = .center; $0.border = WorkbookStyles.grid }
        lossNumber = style { $0.numberFormat = "0." + String(repeating: "0", count: max(decimals, 6)); $0.border = WorkbookStyles.grid }
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

    /// Writes every cell, row by row; row heights are set before their row's first cell.
    func write(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet) throws {
        let order = cells.indices.sorted { a, b in
            let x = cells[a], y = cells[b]
            return x.row != y.row ? x.row < y.row : (x.col != y.col ? x.col < y.col : a < b)
        }
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
