import Foundation
import Testing
@testable import BPTraceRenderers

/// The writer's faster paths (issue 15) give what the plain code they replaced gave: sheet names
/// quoted for references byte by byte instead of through Foundation, and a sheet's cells put in
/// row order by packed integer keys instead of a comparison of cells.
@Suite("Workbook fast paths") struct WorkbookFastPathTests {
    /// The quoting as it was written before: Character properties and Foundation's replacement.
    static func referenceQuoted(_ name: String) -> String {
        let plain = name.first.map { $0.isLetter } == true && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return plain ? name : "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    @Test func quotedSheetMatchesTheCharacterRules() {
        let names = ["Overview", "Data", "Step 12", "Step12", "S1", "1.3 Hidden input", "1abc", "", "'", "ab'c", "it's 'x'",
                     "Ärger", "Schritt", "a\u{301}bc", "abc\u{301}", "x\r\ny", "Z9", "z", "9", "A_b", "A-b", "ﬁle", "Ωmega",
                     "run 2 · Step 1", "Überblick", "ab\u{0}c", "\u{1F600}"]
        for name in names {
            #expect(A1.quotedSheet(name) == Self.referenceQuoted(name), "quotedSheet(\(name.debugDescription))")
        }
        // Random ASCII names, quotes and non-ASCII letters included.
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019 '._-éß")
        for _ in 0..<2_000 {
            let name = String((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(A1.quotedSheet(name) == Self.referenceQuoted(name), "quotedSheet(\(name.debugDescription))")
        }
    }

    /// The order `SheetCells.write` used before: row, then column, then the order of adding.
    static func referenceOrder(_ cells: [SheetCells.Cell]) -> [Int] {
        cells.indices.sorted { a, b in
            let x = cells[a], y = cells[b]
            return x.row != y.row ? x.row < y.row : (x.col != y.col ? x.col < y.col : a < b)
        }
    }

    @Test func rowOrderMatchesTheComparisonSort() {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<50 {
            var cells: [SheetCells.Cell] = []
            // Few distinct positions, so cells share a position and the order of adding decides.
            let rows = trial % 2 == 0 ? 5 : 1_048_575
            for _ in 0..<Int.random(in: 0...400, using: &rng) {
                cells.append(.init(row: Int.random(in: 0...rows, using: &rng), col: Int.random(in: 0...(trial % 3 == 0 ? 3 : 16_383), using: &rng),
                                   content: .blank, format: nil))
            }
            #expect(SheetCells.rowOrder(cells) == Self.referenceOrder(cells))
        }
        // Outside the packed key's range (not a cell Excel has): the comparison sort is used.
        let odd: [SheetCells.Cell] = [.init(row: 1 << 20, col: 0, content: .blank, format: nil),
                                      .init(row: 2, col: 1 << 14, content: .blank, format: nil),
                                      .init(row: 2, col: 3, content: .blank, format: nil)]
        #expect(SheetCells.rowOrder(odd) == [2, 1, 0])
    }
}
