import BPTrace
import Foundation

/// A student's trace file that cannot be read at all (missing, too large, not a CSV, no usable
/// header, too many values). `line` is 1 for header problems, nil for the whole file.
/// Lines that are merely bad are not errors: they become `TraceProblem`s of the trace.
public struct StudentTraceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file breaks a rule (exit 65).
        case invalid
        /// The file does not exist or cannot be read (exit 66).
        case missingFile
    }
    /// The file as the user named it.
    public let file: String
    public let line: Int?
    public let message: String
    public let kind: Kind

    public init(file: String, line: Int?, message: String, kind: Kind = .invalid) {
        self.file = file; self.line = line; self.message = message; self.kind = kind
    }

    /// `student.csv line 1: ...`, the file name escaped and cut to 200 characters.
    public var description: String {
        let name = SafeText.truncated(file, limit: 200)
        return line.map { "\(name) line \($0): \(message)" } ?? "\(name): \(message)"
    }
}

/// Reads a student's trace: a CSV in the trace's schema (docs/CHECKING.md, "The trace a student
/// submits"). The header names the columns `step`, `layer`, `quantity`, `row`, `col`, `value`
/// in any order (exact lowercase names; other columns such as bptrace's own `stage` are
/// ignored). Each data line is one cell; a line that cannot be used becomes a `TraceProblem`
/// naming its line, and the valid rest is returned. A value is kept as written
/// (`WrittenNumber`): its tolerance comes from its decimals.
public enum StudentTraceReader {
    /// The columns a trace must have.
    public static let columns = ["step", "layer", "quantity", "row", "col", "value"]
    /// Bytes of one line (header or data line).
    public static let maximumLineBytes = 16_384
    /// Usable values in one trace.
    public static let maximumValues = 1_000_000
    /// Problems kept in `StudentTrace.problems`; the rest are counted in `unlistedProblems`.
    public static let maximumProblemsListed = 100
    /// Characters of one written value.
    public static let maximumValueLength = 60

    /// Reads the trace at `path` (named `shownAs` in messages) for `spec`.
    /// `regularOnly` refuses devices, pipes and sockets (files found in a folder).
    public static func read(file path: String, shownAs: String? = nil, spec: NetworkSpec, regularOnly: Bool = false) throws -> StudentTrace {
        let name = shownAs ?? path
        switch InputFile.read(path: path, regularOnly: regularOnly) {
        case .success(let bytes): return try read(bytes: bytes, file: name, spec: spec)
        case .failure(let f):
            let (message, kind): (String, StudentTraceError.Kind)
            switch f {
            case .missing: (message, kind) = ("the trace file does not exist", .missingFile)
            case .unreadable(let why): (message, kind) = ("cannot read the trace file: \(why)", .missingFile)
            case .isDirectory: (message, kind) = ("a folder, not a trace file", .missingFile)
            case .notRegular: (message, kind) = ("not a regular file (a device, pipe or socket)", .invalid)
            case .tooLarge: (message, kind) = ("the trace file is larger than \(InputFile.limitText), the limit for input files", .invalid)
            }
            throw StudentTraceError(file: name, line: nil, message: message, kind: kind)
        }
    }

    /// Reads trace text (tests, the fuzz target).
    public static func read(text: String, file: String, spec: NetworkSpec) throws -> StudentTrace {
        try read(bytes: Array(text.utf8), file: file, spec: spec)
    }

    /// Reads a trace's bytes. `file` names it in messages and in the result.
    public static func read(bytes: [UInt8], file: String, spec: NetworkSpec) throws -> StudentTrace {
        guard bytes.count <= InputFile.maximumBytes else {
            throw StudentTraceError(file: file, line: nil, message: "the trace file is larger than \(InputFile.limitText), the limit for input files")
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw StudentTraceError(file: file, line: 1, message: "the file is UTF-16 text (a spreadsheet's \"Unicode Text\"); save it as CSV UTF-8, comma separated")
        }
        var lines = TraceLines(bytes: bytes)
        guard let header = lines.next() else {
            throw StudentTraceError(file: file, line: nil, message: "the file is empty: expected a header line \(columns.joined(separator: ","))")
        }
        let index = try headerColumns(header, file: file)
        var reader = LineReader(rules: TraceCellRules(spec: spec), columns: index, fieldCount: index.fieldCount)
        while let line = lines.next() {
            try reader.take(line, file: file)
        }
        var trace = StudentTrace(file: file, values: reader.values, problems: reader.problems)
        trace.unlistedProblems = reader.unlisted
        return trace
    }

    /// Where each wanted column is in the header.
    struct ColumnIndex {
        var step = 0, layer = 0, quantity = 0, row = 0, col = 0, value = 0
        var fieldCount = 0
    }

    /// The header's columns, or an error at line 1 that says what is missing.
    static func headerColumns(_ line: TraceLines.Line, file: String) throws -> ColumnIndex {
        func fail(_ m: String) -> StudentTraceError { StudentTraceError(file: file, line: 1, message: m) }
        let expected = "expected a header naming the columns \(columns.joined(separator: ","))"
        if line.tooLong { throw fail("the header is longer than \(SpecLimits.grouped(maximumLineBytes)) bytes; \(expected)") }
        if line.hasNUL { throw fail("a NUL character: the file is binary, not a CSV text file (a spreadsheet must be saved as CSV); \(expected)") }
        guard let fields = line.fields else { throw fail("a quoted field is not closed on this line; \(expected)") }
        var names: [String] = []
        for f in fields {
            guard let s = String(validating: f, as: UTF8.self) else {
                throw fail("the header is not UTF-8 text: the file is not a CSV text file (a spreadsheet must be saved as CSV); \(expected)")
            }
            names.append(trimmed(s))
        }
        var at: [String: Int] = [:]
        for (i, n) in names.enumerated() where columns.contains(n) {
            if let first = at[n] { throw fail("the column \(SafeText.quoted(n)) appears twice (columns \(first + 1) and \(i + 1))") }
            at[n] = i
        }
        let missing = columns.filter { at[$0] == nil }
        if !missing.isEmpty {
            var hint = ""
            if names.count == 1, let only = names.first, only.contains(";") || only.contains("\t") {
                hint = " (the header looks separated by \(only.contains(";") ? "semicolons" : "tabs"): save the file as CSV with commas)"
            } else if let m = missing.first, let near = names.first(where: { StudentTraceReader.trimmed($0).lowercased() == m }) {
                hint = " (\(SafeText.quoted(near)) is not \"\(m)\": column names are exact and lowercase)"
            }
            let found = names.isEmpty ? "nothing" : SafeText.list(names, count: 10, limit: 40)
            throw fail("not a trace CSV: the header has no column \(missing.map { "\"\($0)\"" }.joined(separator: ", "))\(hint); \(expected) (found \(found))")
        }
        return ColumnIndex(step: at["step"]!, layer: at["layer"]!, quantity: at["quantity"]!, row: at["row"]!, col: at["col"]!,
                           value: at["value"]!, fieldCount: names.count)
    }

    /// `s` without the spaces and tabs around it.
    static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub.removeFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub.removeLast() }
        return String(sub)
    }
}

/// The physical lines of a file (LF, CRLF or a lone CR end a line), numbered from 1, blank
/// lines skipped, a UTF-8 byte-order mark at the start ignored. A line's fields follow
/// RFC 4180 within the line: a field may be quoted ("a,b", doubled quotes inside).
struct TraceLines {
    struct Line {
        let number: Int
        /// The fields (quotes removed), or nil when a quoted field is not closed on the line.
        let fields: [ArraySlice<UInt8>]?
        let hasNUL: Bool
        /// Longer than `StudentTraceReader.maximumLineBytes` (then `fields` is empty).
        let tooLong: Bool
        let byteCount: Int
    }

    let bytes: [UInt8]
    var i = 0, line = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    mutating func next() -> Line? {
        while i < bytes.count {
            let start = i
            while i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
            let end = i
            if i < bytes.count {
                if bytes[i] == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 2 } else { i += 1 }
            }
            line += 1
            if end == start { continue }
            let count = end - start
            if count > StudentTraceReader.maximumLineBytes {
                return Line(number: line, fields: [], hasNUL: false, tooLong: true, byteCount: count)
            }
            let slice = bytes[start..<end]
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return Line(number: line, fields: Self.split(slice), hasNUL: slice.contains(0), tooLong: false, byteCount: count)
        }
        return nil
    }

    /// RFC 4180 fields of one line; nil when a quote is left open. Unquoted fields are slices
    /// of the file's bytes (no copy); a quoted one is copied without its quotes.
    static func split(_ s: ArraySlice<UInt8>) -> [ArraySlice<UInt8>]? {
        var fields: [ArraySlice<UInt8>] = []
        var j = s.startIndex
        while true {
            let start = j
            while j < s.endIndex, s[j] != 0x2C, s[j] != 0x22 { j += 1 }
            if j < s.endIndex, s[j] == 0x22, s[start..<j].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                // A quoted field (spaces before the quote allowed): up to the closing quote.
                var field: [UInt8] = []
                j += 1
                var closed = false
                while j < s.endIndex {
                    let c = s[j]; j += 1
                    if c == 0x22 {
                        if j < s.endIndex, s[j] == 0x22 { field.append(0x22); j += 1 } else { closed = true; break }
                    } else { field.append(c) }
                }
                guard closed else { return nil }
                // Text after the closing quote up to the comma belongs to the field (as spreadsheets read it).
                let tail = j
                while j < s.endIndex, s[j] != 0x2C { j += 1 }
                field += s[tail..<j]
                fields.append(field[...])
            } else {
                // Unquoted (a quote inside it is an ordinary character).
                while j < s.endIndex, s[j] != 0x2C { j += 1 }
                fields.append(s[start..<j])
            }
            guard j < s.endIndex else { return fields }
            j += 1   // the comma
            if j == s.endIndex { fields.append(s[j..<j]); return fields }
        }
    }

    /// `field` without the spaces and tabs around it.
    static func trimmed(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = field.startIndex, hi = field.endIndex
        while lo < hi, field[lo] == 0x20 || field[lo] == 0x09 { lo += 1 }
        while hi > lo, field[hi - 1] == 0x20 || field[hi - 1] == 0x09 { hi -= 1 }
        return field[lo..<hi]
    }
}
