import BPTrace

/// One cell of a trace: the step, the quantity and its layer, and the 1-based row and column,
/// as in the trace's CSV (`step,layer,quantity,row,col,value`).
public struct CellKey: Hashable, Sendable, CustomStringConvertible {
    public let step: Int
    public let ref: QuantityRef
    public let row: Int
    public let col: Int

    public init(step: Int, _ ref: QuantityRef, row: Int, col: Int) {
        self.step = step; self.ref = ref; self.row = row; self.col = col
    }

    /// The fields packed into two words: a diagnosis looks cells up by the thousand, and the
    /// synthesized hash would hash the quantity's name (a String) each time. Equal keys have
    /// equal fields, so equal hashes; the quantity is its case's tag byte (no payload).
    public func hash(into hasher: inout Hasher) {
        let tag = withUnsafeBytes(of: ref.quantity) { $0.isEmpty ? 0 : Int($0[0]) }
        hasher.combine(step &<< 20 ^ ref.layer &<< 8 ^ tag)
        hasher.combine(row &<< 32 ^ col)
    }

    /// `delta(1)[1,2]@3`, the checker's coordinates form.
    public var description: String { "\(ref.quantity.rawValue)(\(ref.layer))[\(row),\(col)]@\(step)" }
}

/// A number a student (or a program) wrote for one cell, as written, with the line it came from.
public struct StudentValue: Sendable {
    public let key: CellKey
    public let written: WrittenNumber
    /// 1-based line of the file (the header is line 1).
    public let line: Int

    public init(key: CellKey, written: WrittenNumber, line: Int) { self.key = key; self.written = written; self.line = line }
}

/// A line of a student's trace that could not be used, and why.
public struct TraceProblem: Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String

    public init(line: Int, message: String) { self.line = line; self.message = message }

    public var description: String { "line \(line): \(message)" }
}

/// A student's trace: the usable values (in file order) and the lines that were not usable.
/// Read by `StudentTraceReader`; judged by the diagnosis (`bptrace check --trace`).
public struct StudentTrace: Sendable {
    /// The file as the user named it (for messages).
    public let file: String
    public let values: [StudentValue]
    public let problems: [TraceProblem]
    /// Problems beyond the first `StudentTraceReader.maximumProblemsListed`, counted, not listed.
    public var unlistedProblems = 0

    public init(file: String, values: [StudentValue], problems: [TraceProblem]) {
        self.file = file; self.values = values; self.problems = problems
    }

    /// The problems as lines for a report (`line 7: ...`), then `and K more problems` when
    /// some were not listed.
    public var problemLines: [String] {
        problems.map(\.description) + (unlistedProblems > 0 ? ["and \(unlistedProblems) more problem\(unlistedProblems == 1 ? "" : "s") (only the first \(problems.count) are listed)"] : [])
    }
}
