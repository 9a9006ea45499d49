import Foundation

/// A CSV file read as text (RFC 4180: quoted fields, doubled quotes, CRLF or LF), header first.
struct CSVTable {
    var header: [String]
    var rows: [[String]]
    /// The 1-based line on which each data row starts, for error messages.
    var lineNumbers: [Int]

    static func load(path: String, shownAs name: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError("data.csv", "the data file \(name) does not exist or cannot be read (looked for \(path))", kind: .missingFile)
        }
        guard var text = String(data: data, encoding: .utf8) else { throw SpecError("data.csv", "\(name) is not UTF-8 text") }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records: [[String]] = [], lines: [Int] = []
        var field = "", record: [String] = [], inQuotes = false, line = 1, recordLine = 1, atFieldStart = true
        var chars = Array(text.unicodeScalars)[...]
        func endRecord() {
            record.append(field); field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append(record); lines.append(recordLine) }
            record = []; atFieldStart = true
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart: inQuotes = true; atFieldStart = false
            case ",": record.append(field); field = ""; atFieldStart = true
            case "\r" where chars.first == "\n": break
            case "\n", "\r": endRecord(); line += 1; recordLine = line
            default: field.unicodeScalars.append(c); atFieldStart = false
            }
        }
        if inQuotes { throw SpecError("data.csv", "\(name) line \(recordLine): a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let header = records.first else { throw SpecError("data.csv", "\(name) is empty: expected a header row of column names") }
        let trimmed = header.map { $0.trimmingCharacters(in: .whitespaces) }
        for (i, r) in records.enumerated().dropFirst() where r.count != header.count {
            throw SpecError("data.csv", "\(name) line \(lines[i]): expected \(header.count) fields like the header, found \(r.count)")
        }
        return CSVTable(header: trimmed, rows: Array(records.dropFirst()), lineNumbers: Array(lines.dropFirst()))
    }
}
