import BPTrace

extension StudentTraceReader {
    /// Turns a trace's data lines into values and problems, one line at a time.
    struct LineReader {
        let rules: TraceCellRules
        let columns: ColumnIndex
        let fieldCount: Int
        /// The largest step a line may name: a check trains up to it.
        let maxStep: Int
        /// Distinct steps a trace may name: a check keeps each one's results.
        let maxDistinctSteps: Int
        var values: [StudentValue] = []
        var problems: [TraceProblem] = []
        var unlisted = 0
        var firstLine: [CellKey: Int] = [:]
        var steps: Set<Int> = []

        init(rules: TraceCellRules, columns: ColumnIndex, fieldCount: Int) {
            self.rules = rules; self.columns = columns; self.fieldCount = fieldCount
            let perStep = max(1, SpecLimits.tracedValuesPerStep(layers: rules.spec.layers, batch: rules.batchSize))
            maxStep = min(CheckLimits.maximumSteps, max(1, CheckLimits.maximumTracedValues / perStep))
            maxDistinctSteps = max(1, CheckLimits.maximumKeptValues / perStep)
        }

        mutating func problem(_ line: Int, _ message: String) {
            if problems.count < StudentTraceReader.maximumProblemsListed {
                problems.append(TraceProblem(line: line, message: message))
            } else {
                unlisted += 1
            }
        }

        /// Reads one data line: a value, a problem, or nothing (a blank value: not given).
        mutating func take(_ line: TraceLines.Line, file: String) throws {
            switch read(line) {
            case .problem(let m): problem(line.number, m)
            case .blank: break
            case .value(let v):
                if let first = firstLine[v.key] {
                    problem(line.number, "step \(v.key.step), \(cellName(v.key)) is given twice: first on line \(first), whose value is used")
                    return
                }
                if !steps.contains(v.key.step) {
                    guard steps.count < maxDistinctSteps else {
                        problem(line.number, "the trace names more than \(SpecLimits.grouped(maxDistinctSteps)) different steps, the most a check of this network keeps (\(SpecLimits.grouped(CheckLimits.maximumKeptValues)) traced values); step \(v.key.step) is left out")
                        return
                    }
                    steps.insert(v.key.step)
                }
                guard values.count < StudentTraceReader.maximumValues else {
                    throw StudentTraceError(file: file, line: line.number, message: "more than \(SpecLimits.grouped(StudentTraceReader.maximumValues)) values, the limit for one trace")
                }
                firstLine[v.key] = line.number
                values.append(v)
            }
        }

        enum Outcome { case value(StudentValue), problem(String), blank }

        func cellName(_ k: CellKey) -> String { "\(k.ref.quantity.rawValue)(\(k.ref.layer))[\(k.row),\(k.col)]" }

        func read(_ line: TraceLines.Line) -> Outcome {
            if line.tooLong {
                return .problem("the line is \(SpecLimits.grouped(line.byteCount)) bytes long, more than the limit of \(SpecLimits.grouped(StudentTraceReader.maximumLineBytes)) for one line")
            }
            if line.hasNUL { return .problem("a NUL character: the line is binary or corrupt") }
            guard let raw = line.fields else { return .problem("a quoted field is not closed on this line") }
            guard raw.count == fieldCount else {
                return .problem("expected \(fieldCount) fields like the header, found \(raw.count)")
            }
            // Whole numbers are read from the bytes; only the quantity and the value become text.
            func field(_ i: Int) -> ArraySlice<UInt8> { TraceLines.trimmed(raw[i]) }
            func shown(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
            guard let qText = String(validating: field(columns.quantity), as: UTF8.self),
                  let valueText = String(validating: field(columns.value), as: UTF8.self) else {
                return .problem("the line is not UTF-8 text")
            }
            guard let step = Self.integer(field(columns.step)), step >= 1, step <= maxStep else {
                let why = maxStep < CheckLimits.maximumSteps ? " (the most a check trains for this network, \(SpecLimits.grouped(CheckLimits.maximumTracedValues)) traced values)" : " (the most a check trains)"
                return .problem("the step must be a whole number from 1 to \(SpecLimits.grouped(maxStep))\(why), found \(SafeText.quoted(shown(columns.step)))")
            }
            guard let q = Quantity(rawValue: qText) else {
                let known = rules.quantityNames
                let hint = qText.isEmpty ? "" : suggestion(for: qText, among: known)
                return .problem("unknown quantity \(SafeText.quoted(qText))\(hint); this network's quantities are \(known.joined(separator: ", "))")
            }
            guard let layer = Self.integer(field(columns.layer)) else {
                return .problem("the layer must be a whole number (0 for the inputs, 1 to \(rules.L)), found \(SafeText.quoted(shown(columns.layer)))")
            }
            let ref = QuantityRef(q, layer)
            if let why = rules.whyNotTraced(ref) {
                return .problem("\(q.rawValue)(\(layer)) is not in this network: \(why)")
            }
            guard let row = Self.integer(field(columns.row)) else { return .problem("the row must be a whole number from 1, found \(SafeText.quoted(shown(columns.row)))") }
            guard let col = Self.integer(field(columns.col)) else { return .problem("the col must be a whole number from 1, found \(SafeText.quoted(shown(columns.col)))") }
            if let why = rules.whyOutside(ref, row: row, col: col) { return .problem(why) }
            if valueText.isEmpty { return .blank }
            guard valueText.unicodeScalars.count <= StudentTraceReader.maximumValueLength else {
                return .problem("the value has \(valueText.unicodeScalars.count) characters, more than the \(StudentTraceReader.maximumValueLength) a number may have (\(SafeText.quoted(valueText)))")
            }
            guard let written = WrittenNumber(valueText) else {
                let comma = valueText.contains(",") && WrittenNumber(valueText.replacingOccurrences(of: ",", with: ".")) != nil
                    ? " (a decimal comma? write a decimal point)" : ""
                return .problem("the value \(SafeText.quoted(valueText)) is not a number\(comma); write digits with an optional sign, decimal point and exponent, e.g. 0.593269992, -3.001 or 1e-05")
            }
            return .value(StudentValue(key: CellKey(step: step, ref, row: row, col: col), written: written, line: line.number))
        }

        /// A whole number: optional sign, digits, optionally `.` and zeros (`2.0`, as a program
        /// printing floats writes it). Saturates at ±Int.max (then out of every range); nil for
        /// anything else.
        static func integer(_ s: ArraySlice<UInt8>) -> Int? {
            var chars = s
            var negative = false
            if let f = chars.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { negative = f == UInt8(ascii: "-"); chars = chars.dropFirst() }
            var n = 0, digits = 0
            while let c = chars.first, (0x30...0x39).contains(c) {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
                n = o1 || o2 ? Int.max : a
                digits += 1; chars = chars.dropFirst()
            }
            guard digits > 0 else { return nil }
            if chars.first == UInt8(ascii: ".") {
                chars = chars.dropFirst()
                guard !chars.isEmpty, chars.allSatisfy({ $0 == 0x30 }) else { return nil }
                chars = chars.dropFirst(chars.count)
            }
            guard chars.isEmpty else { return nil }
            return negative ? -n : n
        }
    }
}
