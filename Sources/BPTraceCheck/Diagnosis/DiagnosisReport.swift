import BPTrace
import Foundation

/// How a diagnosis is printed (`bptrace check --trace`): text for people, JSON for machines,
/// and for a class one line (text) or one row (CSV) per file. Pure functions; the CLI prints them.
public struct DiagnosisReport: Sendable {
    public let diagnosis: Diagnosis
    /// The spec's name, for the heading.
    public let specName: String

    public init(_ diagnosis: Diagnosis, specName: String) { self.diagnosis = diagnosis; self.specName = specName }

    /// Root-cause blocks the text report prints (JSON has them all).
    public static let rootCausesShown = 20

    static func num(_ d: Double?) -> JSONValue { d.flatMap { $0.isFinite ? JSONValue.number(shortestText($0)) : nil } ?? .null }

    /// The cell and its post-style name: `delta(2)[1,1]@1 (dE_total/dnet_o1)`.
    static func cellText(_ key: CellKey, name: String?) -> String { name.map { "\(key) (\($0))" } ?? key.description }

    // MARK: Text

    /// One block per root cause, the problems, then `N passed, M failed` (without the summary
    /// line when `summary` is false: several traces end with one total).
    public func text(summary: Bool = true) -> String {
        let d = diagnosis
        var out: [String] = []
        out.append("\(d.file) — checked against \(specName), " + (d.reanchored
            ? "re-anchored: each step from your own start-of-step values where they differ from bptrace's beyond their written decimals (--no-reanchor: bptrace's own run)"
            : "against bptrace's own run (--no-reanchor)"))
        for s in d.anchors.keys.sorted() { out.append("  step \(s) starts from your values: " + d.anchors[s]!.joined(separator: "; ")) }
        let groups = Self.groups(d.rootCauses)
        for (i, g) in groups.enumerated() {
            if i == Self.rootCausesShown {
                let rest = groups[i...].reduce(0) { $0 + $1.count }
                out.append("  ... \(rest) more root causes (--format json lists them all)")
                break
            }
            out += g.count == 1 ? Self.single(g[0], i + 1, explained: d.explained) : Self.block(g, i + 1, explained: d.explained)
        }
        if d.failed > 0 { out.append("  \(d.downstreamWrong) wrong value\(d.downstreamWrong == 1 ? "" : "s") downstream of the root cause\(d.rootCauses.count == 1 ? "" : "s")") }
        for p in d.problems.prefix(100) { out.append("  \(p)") }
        let more = max(0, d.problems.count - 100) + d.unlistedProblems
        if more > 0 { out.append("  ... and \(more) more problem\(more == 1 ? "" : "s")") }
        if summary { out.append("\(d.passed) passed, \(d.failed) failed") }
        return out.map { SafeText.escaped($0) }.joined(separator: "\n") + "\n"
    }

    /// Root causes of the same block and step that the same alternatives explain, in order:
    /// one text block each (a forgotten slope makes every cell of delta(L) a root cause).
    static func groups(_ roots: [RootCause]) -> [[RootCause]] {
        var out: [[RootCause]] = []
        for r in roots {
            if let last = out.last?.last, last.value.key.step == r.value.key.step, last.value.key.ref == r.value.key.ref,
               last.explanations.map(\.spelling) == r.explanations.map(\.spelling) {
                out[out.count - 1].append(r)
            } else {
                out.append([r])
            }
        }
        return out
    }

    /// The student's value, the correct one and the tolerance of one root cause.
    static func valueLine(_ v: DiagnosedValue) -> String {
        "yours \(v.student.written.text), correct \(v.computed.map { v.student.written.formatLike($0) } ?? "n/a")"
            + " = \(v.computed.map(shortestText) ?? "n/a") (tolerance ±\(String(format: "%.2g", v.tolerance)))"
    }

    static func explanationLines(_ r: RootCause, explained: Bool) -> [String] {
        guard explained else { return [] }
        guard let best = r.explanations.first else { return ["    no convention or bug model tried reproduces your value"] }
        return ["    explained by \(best.spelling): \(best.meaning); " + follows(best)]
            + r.explanations.dropFirst().prefix(4).map { "    or by \($0.spelling): \($0.meaning); " + follows($0) }
    }

    /// A root cause alone: its cell, values, right operands, explanations and followers.
    static func single(_ r: RootCause, _ number: Int, explained: Bool) -> [String] {
        let v = r.value
        var out = ["  root cause \(number): \(cellText(v.key, name: r.name)), line \(v.student.line)", "    " + valueLine(v)]
        if let n = v.note { out.append("    \(n)") }
        var ops = r.rightOperands.isEmpty ? "    none of the values it is computed from is in your trace"
                                          : "    computed from your right values " + r.rightOperands.prefix(8).map(\.description).joined(separator: ", ") + (r.rightOperands.count > 8 ? ", ..." : "")
        if !r.rightOperands.isEmpty && r.missingOperands > 0 { ops += " (and \(r.missingOperands) value\(r.missingOperands == 1 ? "" : "s") not given)" }
        out.append(ops)
        out += explanationLines(r, explained: explained)
        out.append("    \(r.downstream) wrong value\(r.downstream == 1 ? "" : "s") of yours follow\(r.downstream == 1 ? "s" : "") from it")
        return out
    }

    /// Cells shown per grouped block (JSON has every cell).
    static let cellsShown = 8

    /// Several root causes of one block and step: one line per cell, the blocks their right
    /// operands come from, and the explanations once.
    static func block(_ g: [RootCause], _ number: Int, explained: Bool) -> [String] {
        let k = g[0].value.key
        let lines = g.map(\.value.student.line)
        let where_ = lines.count <= 4 ? "lines " + lines.map(String.init).joined(separator: ", ") : "lines \(lines.min()!)–\(lines.max()!)"
        var out = ["  root cause \(number): \(k.ref.quantity.rawValue)(\(k.ref.layer))@\(k.step), \(g.count) cells, \(where_)"]
        for r in g.prefix(cellsShown) {
            let c = r.value.key
            out.append("    [\(c.row),\(c.col)]" + (r.name.map { " \($0)" } ?? "") + ": " + valueLine(r.value))
            if let n = r.value.note { out.append("      \(n)") }
        }
        if g.count > cellsShown { out.append("    ... and \(g.count - cellsShown) more cells (--format json lists them)") }
        var blocks: [String] = []
        for r in g { for o in r.rightOperands {
            let b = "\(o.ref.quantity.rawValue)(\(o.ref.layer))@\(o.step)"
            if !blocks.contains(b) { blocks.append(b) }
        } }
        out.append(blocks.isEmpty ? "    none of the values they are computed from is in your trace"
                                  : "    each computed from your right values of " + blocks.joined(separator: ", "))
        out += explanationLines(g[0], explained: explained)
        return out
    }

    static func follows(_ x: ModelExplanation) -> String {
        let later = x.of - 1, hit = max(0, x.reproduced - 1)
        return later == 0 ? "no later value of yours depends on it" : "\(hit) of your \(later) later value\(later == 1 ? "" : "s") follow\(hit == 1 ? "s" : "") from it"
    }

    // MARK: JSON

    public func jsonValue() -> JSONValue {
        let d = diagnosis
        func cell(_ k: CellKey) -> [(key: String, value: JSONValue)] {
            [("step", .number("\(k.step)")), ("layer", .number("\(k.ref.layer)")), ("quantity", .string(k.ref.quantity.rawValue)),
             ("row", .number("\(k.row)")), ("col", .number("\(k.col)"))]
        }
        let roots: [JSONValue] = d.rootCauses.map { r in
            var m = cell(r.value.key)
            m += [("cell", .string(r.value.key.description)), ("name", r.name.map { .string($0) } ?? .null), ("line", .number("\(r.value.student.line)")),
                  ("expected", .string(r.value.student.written.text)), ("computed", Self.num(r.value.computed)),
                  ("tolerance", Self.num(r.value.tolerance)),
                  ("right_operands", .array(r.rightOperands.map { .string($0.description) })),
                  ("operands_not_given", .number("\(r.missingOperands)")),
                  ("explained_by", .array(r.explanations.map { .string($0.spelling) })),
                  ("explains", .object(r.explanations.map { ($0.spelling, .number("\($0.reproduced)")) })),
                  ("values_from_here", .number("\(r.laterValues)")),
                  ("downstream", .number("\(r.downstream)"))]
            return .object(m)
        }
        let values: [JSONValue] = d.values.map { v in
            var m = cell(v.key)
            m += [("name", v.name.map { .string($0) } ?? .null), ("line", .number("\(v.student.line)")), ("expected", .string(v.student.written.text)),
                  ("computed", Self.num(v.computed)), ("difference", Self.num(v.difference)),
                  ("tolerance", Self.num(v.tolerance)), ("outcome", .string(v.holds ? "pass" : "fail"))]
            if let n = v.note { m.append(("note", .string(n))) }
            return .object(m)
        }
        let anchors: [JSONValue] = d.anchors.keys.sorted().map { s in
            .object([("step", .number("\(s)")), ("from_student", .array(d.anchors[s]!.map { .string($0) }))])
        }
        return .object([("file", .string(d.file)), ("spec", .string(specName)),
                         ("anchor", .string(d.reanchored ? "student" : "engine")),
                         ("anchored_steps", .array(anchors)),
                         ("passed", .number("\(d.passed)")), ("failed", .number("\(d.failed)")),
                         ("root_causes", .array(roots)),
                         ("downstream_wrong", .number("\(d.downstreamWrong)")),
                         ("problems", .array(d.problems.map { .object([("line", .number("\($0.line)")), ("message", .string($0.message))]) })),
                         ("problems_not_listed", .number("\(d.unlistedProblems)")),
                         ("values", .array(values)),
                         ("summary", .string("\(d.passed) passed, \(d.failed) failed"))])
    }

    public func json() -> String { JSONWriter.write(jsonValue(), pretty: true) + "\n" }

    // MARK: Class mode

    /// One line: `a.csv: 40 passed, 3 failed; root causes: delta(2)[1,1]@1 (slope_missing)`.
    public func summaryLine() -> String {
        let d = diagnosis
        var s = "\(d.file): \(d.passed) passed, \(d.failed) failed"
        if !d.rootCauses.isEmpty {
            s += "; root cause\(d.rootCauses.count == 1 ? "" : "s"): " + d.rootCauses.prefix(5).map { r in
                r.value.key.description + (r.explanations.first.map { " (\($0.spelling))" } ?? "")
            }.joined(separator: ", ") + (d.rootCauses.count > 5 ? ", ..." : "")
        }
        let unusable = d.problems.count + d.unlistedProblems
        if unusable > 0 { s += "; \(unusable) unusable line\(unusable == 1 ? "" : "s")" }
        return SafeText.escaped(s)
    }

    public static let csvHeader = "file,passed,failed,root_causes,first_root_cause,name,expected,computed,explained_by,downstream,problems"

    /// One row of the class table (RFC 4180 quoting).
    public func csvRow() -> String {
        let d = diagnosis
        let first = d.rootCauses.first
        let fields: [String] = [
            d.file, "\(d.passed)", "\(d.failed)", "\(d.rootCauses.count)",
            first.map { $0.value.key.description } ?? "", first?.name ?? "",
            first?.value.student.written.text ?? "", first?.value.computed.map(shortestText) ?? "",
            first?.explanations.map(\.spelling).joined(separator: " ") ?? "",
            "\(d.downstreamWrong)", "\(d.problems.count + d.unlistedProblems)",
        ]
        return fields.map(Self.csvField).joined(separator: ",")
    }

    static func csvField(_ s: String) -> String {
        // A leading = + - @ would be a formula in a spreadsheet: such text is quoted with a '.
        var t = s
        if let f = t.first, "=+@".contains(f) || (f == "-" && Double(t) == nil) { t = "'" + t }
        guard t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return t }
        return "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
