/// A data CSV file (RFC 4180: quoted fields, doubled quotes, CRLF or LF), header first, read
/// strictly: column names are unique, every field of a wanted column is a number in the JSON
/// number grammar (no hex, inf, nan, NUL or trailing text), and only the wanted columns are
/// kept, so memory grows with the data the network uses, not with the file.
struct CSVTable {
    /// The header's column names (spaces and tabs around them removed).
    var header: [String]
    /// Data rows.
    var rowCount: Int
    /// The wanted columns' numbers, row by row (rowCount x wanted.count).
    var values: [Double]

    /// A column a spec asks for, and the key path that names it (`data.inputs[1]`).
    struct Wanted { let name: String; let keyPath: String }

    /// At most this many columns in a header.
    static let maximumColumns = 10_000

    /// Reads the file at `path` (shown in messages as `name`) and the `wanted` columns' numbers.
    /// Throws `SpecError`s at `data.csv` (or the wanted column's key path) naming line and column.
    static func load(path: String, shownAs rawName: String, wanted: [Wanted], maximumRows: Int) throws -> CSVTable {
        let bytes = try InputFile.bytes(path: path, shownAs: rawName, what: "data file", keyPath: "data.csv", regularOnly: true)
        let name = SafeText.truncated(rawName, limit: 200)
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1

        /// One record's fields as byte ranges (quotes removed), or nil at the end of the file.
        func record() throws -> (fields: [[UInt8]], line: Int)? {
            // Skip blank lines.
            while i < bytes.count, bytes[i] == 0x0A || bytes[i] == 0x0D {
                if bytes[i] == 0x0A || !(i + 1 < bytes.count && bytes[i + 1] == 0x0A) { line += 1 }
                i += 1
            }
            guard i < bytes.count else { return nil }
            let start = line
            var fields: [[UInt8]] = [], field: [UInt8] = [], inQuotes = false, atFieldStart = true
            while i < bytes.count {
                let c = bytes[i]; i += 1
                if c == 0 { throw SpecError("data.csv", "\(name) line \(line), column \(fields.count + 1): a NUL character (the file is binary or corrupt)") }
                if inQuotes {
                    if c == 0x22 {
                        if i < bytes.count, bytes[i] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                    } else {
                        if c == 0x0A { line += 1 }
                        field.append(c)
                    }
                    continue
                }
                switch c {
                case 0x22 where atFieldStart: inQuotes = true; atFieldStart = false
                case 0x2C:
                    fields.append(field); field = []; atFieldStart = true
                    if fields.count > maximumColumns {
                        throw SpecError("data.csv", "\(name) line \(start): more than \(maximumColumns) fields, the limit for a data file")
                    }
                case 0x0D where i < bytes.count && bytes[i] == 0x0A: break
                case 0x0A, 0x0D:
                    line += 1
                    fields.append(field)
                    return (fields, start)
                default: field.append(c); atFieldStart = false
                }
            }
            if inQuotes { throw SpecError("data.csv", "\(name) line \(start): a quoted field is not closed") }
            fields.append(field)
            return (fields, start)
        }

        guard let (headerFields, _) = try record() else {
            throw SpecError("data.csv", "\(name) is empty: expected a header row of column names")
        }
        var header: [String] = []
        for (c, f) in headerFields.enumerated() {
            guard let s = String(validating: f, as: UTF8.self) else {
                throw SpecError("data.csv", "\(name) line 1, column \(c + 1): the column name is not UTF-8 text")
            }
            header.append(trimmed(s))
        }
        var firstColumn: [String: Int] = [:]
        for (c, h) in header.enumerated() {
            if let first = firstColumn[h] {
                throw SpecError("data.csv", "\(name) line 1: the column name \(SafeText.quoted(h)) appears twice (columns \(first + 1) and \(c + 1)); column names must be unique")
            }
            firstColumn[h] = c
        }
        var columns: [Int] = []
        for w in wanted {
            guard let c = firstColumn[w.name] else {
                throw SpecError(w.keyPath, "column \(SafeText.quoted(w.name)) is not in \(name)'s header (\(SafeText.list(header, count: 20, limit: 40, quote: false)))\(suggestion(for: w.name, among: Array(header.prefix(1000))))")
            }
            columns.append(c)
        }

        var values: [Double] = []
        var rows = 0
        while let (fields, at) = try record() {
            guard fields.count == header.count else {
                throw SpecError("data.csv", "\(name) line \(at): expected \(header.count) fields like the header, found \(fields.count)")
            }
            rows += 1
            guard rows <= maximumRows else {
                throw SpecError("data.csv", "\(name) has more than \(maximumRows) data rows, the limit for samples")
            }
            for c in columns {
                guard let v = number(fields[c]) else {
                    let shown = String(decoding: fields[c], as: UTF8.self)
                    throw SpecError("data.csv", "\(name) line \(at), column \"\(SafeText.truncated(header[c]))\": expected a finite number, found \(SafeText.quoted(shown)) (numbers are written as in JSON: 0.05, -1, 2.5e-3; no hex, inf, nan or '+')")
                }
                values.append(v)
            }
        }
        return CSVTable(header: header, rowCount: rows, values: values)
    }

    /// `s` without the spaces and tabs around it.
    static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub.removeFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub.removeLast() }
        return String(sub)
    }

    /// A field's number: the JSON number grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`)
    /// with spaces and tabs around it, finite. Nil for anything else.
    static func number(_ field: [UInt8]) -> Double? {
        var lo = 0, hi = field.count
        while lo < hi, field[lo] == 0x20 || field[lo] == 0x09 { lo += 1 }
        while hi > lo, field[hi - 1] == 0x20 || field[hi - 1] == 0x09 { hi -= 1 }
        let b = field[lo..<hi]
        guard JSONNumberGrammar.matches(b) else { return nil }
        guard let v = Double(String(decoding: b, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}

/// The number grammar of RFC 8259 (JSON), shared by the spec parser's rules and the CSV reader.
enum JSONNumberGrammar {
    static func matches<C: Collection>(_ b: C) -> Bool where C.Element == UInt8 {
        var it = Array(b)[...]
        func isDigit(_ c: UInt8?) -> Bool { c.map { (0x30...0x39).contains($0) } ?? false }
        func digits() -> Int { var n = 0; while isDigit(it.first) { it.removeFirst(); n += 1 }; return n }
        if it.first == 0x2D { it.removeFirst() }
        if it.first == 0x30 { it.removeFirst() } else if digits() == 0 { return false }
        if it.first == 0x2E { it.removeFirst(); if digits() == 0 { return false } }
        if it.first == 0x65 || it.first == 0x45 {
            it.removeFirst()
            if it.first == 0x2B || it.first == 0x2D { it.removeFirst() }
            if digits() == 0 { return false }
        }
        return it.isEmpty
    }
}
