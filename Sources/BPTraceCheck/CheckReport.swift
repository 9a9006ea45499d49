import BPTrace
import Foundation

/// The report of `bptrace check`: text for people, JSON for machines. Pure functions of the
/// checks; the CLI only prints them.
public struct CheckReport: Sendable {
    public let checks: [FixtureCheck]
    /// Fixtures that could not be read (they count as neither passed nor failed).
    public let errors: [FixtureError]

    /// The diagnoses of the student traces fixtures name (`"trace"`), in fixture order.
    public let traces: [DiagnosisReport]

    public init(checks: [FixtureCheck], errors: [FixtureError] = [], traces: [DiagnosisReport] = []) {
        self.checks = checks; self.errors = errors; self.traces = traces
    }

    public var passed: Int { checks.reduce(0) { $0 + $1.passed } + traces.reduce(0) { $0 + $1.diagnosis.passed } }
    public var failed: Int { checks.reduce(0) { $0 + $1.failed } + traces.reduce(0) { $0 + $1.diagnosis.failed } }
    public var erratumConfirmed: Int { checks.reduce(0) { $0 + $1.erratumConfirmed } }
    public var conventionConfirmed: Int { checks.reduce(0) { $0 + $1.conventionConfirmed } }

    /// `N passed, M failed`: the last line of the text report.
    public var summaryLine: String { "\(passed) passed, \(failed) failed" }

    // MARK: Text

    public func text() -> String {
        var out: [String] = []
        for c in checks { out += lines(for: c) ; out.append("") }
        for t in traces { out += t.text(summary: false).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init); out.append("") }
        var apart: [String] = []
        if erratumConfirmed > 0 { apart.append("\(erratumConfirmed) \(erratumConfirmed == 1 ? "erratum" : "errata") confirmed") }
        if conventionConfirmed > 0 { apart.append("\(conventionConfirmed) convention value\(conventionConfirmed == 1 ? "" : "s") confirmed") }
        if !apart.isEmpty { out.append(apart.joined(separator: ", ") + " (counted apart from passed and failed)") }
        if !errors.isEmpty { out.append("\(Set(errors.map(\.file)).count) fixture file(s) could not be read (their errors are on stderr)") }
        out.append(summaryLine)
        // Names, notes and titles come from the fixture file: no control characters reach the terminal.
        return out.map { SafeText.escaped($0) }.joined(separator: "\n") + "\n"
    }

    static func mark(_ o: CheckOutcome) -> String {
        switch o {
        case .pass: return "pass"
        case .fail: return "FAIL"
        case .erratumConfirmed: return "erratum-confirmed"
        case .conventionConfirmed: return "convention-confirmed"
        }
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    static func diffText(_ d: Double?) -> String {
        guard let d else { return "n/a" }
        return d == 0 ? "0" : String(format: "%+.2e", d)
    }

    func lines(for c: FixtureCheck) -> [String] {
        let f = c.fixture
        var head = f.file
        if let t = f.title { head += " — \(t)" }
        var out = [head]
        if let s = f.source, !s.summary.isEmpty { out.append("  source: \(s.summary)") }
        let wMark = c.values.map { Self.mark($0.outcome).count }.max() ?? 4
        let wName = c.values.map { $0.entry.label.count }.max() ?? 4
        let wExp = c.values.map { $0.entry.expected.text.count }.max() ?? 4
        let wComp = c.values.map { ($0.computedLikeWritten ?? "n/a").count }.max() ?? 4
        let wFull = c.values.map { ($0.computed.map(shortestText) ?? "n/a").count }.max() ?? 4
        for v in c.values {
            let e = v.entry
            var line = "  " + Self.pad(Self.mark(v.outcome), wMark) + "  " + Self.pad(e.label, wName)
            line += "  expected " + Self.pad(e.expected.text, wExp)
            line += "  computed " + Self.pad(v.computedLikeWritten ?? "n/a", wComp)
            line += " = " + Self.pad(v.computed.map(shortestText) ?? "n/a", wFull)
            line += "  diff " + Self.pad(Self.diffText(v.difference), 9)
            line += "  tol ±" + shortestText(e.tolerance)
            if !e.variant.key.isEmpty { line += "  [with \(SafeText.truncated(e.variant.key, limit: 120))]" }
            if v.outcome == .fail { line += "  \(e.path): \(v.reason ?? "")" }
            else if let r = v.reason { line += "  \(r)" }
            if let n = e.note, v.outcome != .pass { line += "  (note: \(n))" }
            out.append(line)
            if let x = v.explanation { out += explanationLines(x, entry: e).map { "      " + $0 } }
        }
        if c.unexplained > 0 {
            out.append("  --explain explained the first \(CheckLimits.maximumExplained) values; \(c.unexplained) more are not explained (the limit keeps a check quick)")
        }
        if c.explainStopped {
            out.append("  --explain stopped trying conventions after \(SpecLimits.grouped(CheckLimits.maximumExplainWork)) traced values of re-runs; some explanations are incomplete")
        }
        // Not the "N passed, M failed" form: that is the report's last line only.
        var tally = "  → \(c.passed) pass, \(c.failed) fail"
        if c.erratumConfirmed > 0 { tally += ", \(c.erratumConfirmed) erratum-confirmed" }
        if c.conventionConfirmed > 0 { tally += ", \(c.conventionConfirmed) convention-confirmed" }
        out.append(tally)
        return out
    }

    func explanationLines(_ x: Explanation, entry e: Fixture.Entry) -> [String] {
        if x.matches.isEmpty {
            var s = "explain: no convention tried (\(x.tried) alternatives: update order, bias training, half_sse/mse, error sign, lr folded into the delta, and their pairs) reproduces \(e.expected.text)"
            if let c = x.closest { s += "; closest: \(c.convention) gives \(e.expected.formatLike(c.computed)) = \(shortestText(c.computed))" }
            return [s]
        }
        var out: [String] = []
        for m in x.matches {
            out.append("explain: \(e.expected.text) follows \(m.convention) — \(m.convention.meaning): there it is \(e.expected.formatLike(m.computed)) = \(shortestText(m.computed))")
            let total = m.alsoHold.count + m.wouldFail.count
            if total == 0 { continue }
            out.append("         of the \(total) values that pass under the fixture's spec, \(m.alsoHold.count) hold under both "
                       + "(\(Self.byStep(m.alsoHold, of: m.alsoHold + m.wouldFail))): \(Self.list(m.alsoHold))")
            if !m.wouldFail.isEmpty {
                out.append("         \(m.wouldFail.count) hold only under the fixture's spec, not under \(m.convention): \(Self.list(m.wouldFail))")
            }
        }
        return out
    }

    /// "step 1: 37 of 44" per step, from labels' @step suffixes.
    static func byStep(_ some: [String], of all: [String]) -> String {
        func step(_ label: String) -> Int { label.split(separator: "@").last.flatMap { Int($0) } ?? 1 }
        let steps = Set(all.map(step)).sorted()
        return steps.map { s in "step \(s): \(some.filter { step($0) == s }.count) of \(all.filter { step($0) == s }.count)" }.joined(separator: ", ")
    }

    static func list(_ items: [String], limit: Int = 40) -> String {
        items.count <= limit ? items.joined(separator: ", ") : items.prefix(limit).joined(separator: ", ") + ", ... (\(items.count - limit) more)"
    }

    // MARK: JSON

    public func json() -> String {
        func num(_ d: Double?) -> JSONValue { d.flatMap { $0.isFinite ? JSONValue.number(shortestText($0)) : nil } ?? .null }
        func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var fixtures: [JSONValue] = []
        for c in checks {
            let f = c.fixture
            var values: [JSONValue] = []
            for v in c.values {
                let e = v.entry
                var members: [(key: String, value: JSONValue)] = [
                    ("index", .number("\(e.index)")), ("name", .string(e.label)), ("step", .number("\(e.step)")),
                    ("expected", .string(e.expected.text)), ("computed", str(v.computedLikeWritten)),
                    ("computed_full", num(v.computed)), ("difference", num(v.difference)),
                    ("tolerance", num(e.tolerance)), ("status", .string(e.status.rawValue)), ("outcome", .string(v.outcome.rawValue)),
                    ("reason", str(v.reason)), ("note", str(e.note)),
                ]
                if let c = e.convention { members.append(("convention", .string(c.description))) }
                if !e.variant.key.isEmpty { members.append(("with", .string(e.variant.key))) }
                if let x = v.explanation {
                    let matches: [JSONValue] = x.matches.map { m in
                        .object([("convention", .string(m.convention.description)), ("meaning", .string(m.convention.meaning)),
                                 ("computed", num(m.computed)),
                                 ("also_hold", .array(m.alsoHold.map { .string($0) })),
                                 ("would_fail", .array(m.wouldFail.map { .string($0) }))])
                    }
                    var xm: [(key: String, value: JSONValue)] = [("reproduced_by", .array(matches)), ("tried", .number("\(x.tried)"))]
                    if let cl = x.closest { xm.append(("closest", .object([("convention", .string(cl.convention.description)), ("computed", num(cl.computed))]))) }
                    members.append(("explanation", .object(xm)))
                }
                values.append(.object(members))
            }
            var source: JSONValue = .null
            if let s = f.source {
                source = .object([("title", str(s.title)), ("author", str(s.author)), ("year", str(s.year)), ("url", str(s.url))])
            }
            fixtures.append(.object([("file", .string(f.file)), ("title", str(f.title)), ("source", source),
                                     ("passed", .number("\(c.passed)")), ("failed", .number("\(c.failed)")),
                                     ("errata_confirmed", .number("\(c.erratumConfirmed)")),
                                     ("conventions_confirmed", .number("\(c.conventionConfirmed)")),
                                     ("values", .array(values))]))
        }
        let errs: [JSONValue] = errors.map { .object([("file", .string($0.file)), ("path", .string($0.path)), ("message", .string($0.message))]) }
        var members: [(key: String, value: JSONValue)] = [("fixtures", .array(fixtures))]
        if !traces.isEmpty { members.append(("traces", .array(traces.map { $0.jsonValue() }))) }
        let root: JSONValue = .object(members + [("errors", .array(errs)),
                                       ("passed", .number("\(passed)")), ("failed", .number("\(failed)")),
                                       ("errata_confirmed", .number("\(erratumConfirmed)")),
                                       ("conventions_confirmed", .number("\(conventionConfirmed)")),
                                       ("summary", .string(summaryLine))])
        return JSONWriter.write(root, pretty: true) + "\n"
    }
}
