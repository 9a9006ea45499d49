import BPTrace
import Foundation

/// Freezes a run into a fixture (`bptrace fixture`): the spec, and the values picked, written
/// to a fixed number of decimals so that `bptrace check` holds them to half a unit of the last.
public enum FixtureSnapshot {
    /// How the fixture refers to its spec.
    public enum SpecReference: Sendable {
        /// The spec's JSON, written into the fixture.
        case inline(JSONValue)
        /// A path relative to the fixture file (for specs whose data is a CSV file).
        case path(String)
    }

    public struct Options: Sendable {
        public var steps: Int = 1
        /// Tokens of `--pick`; empty means every post-style name of every step.
        public var pick: [String] = []
        public var decimals: Int = 9
        public var title: String? = nil
        public var source: Fixture.Source? = nil
        public init(steps: Int = 1, pick: [String] = [], decimals: Int = 9, title: String? = nil, source: Fixture.Source? = nil) {
            self.steps = steps; self.pick = pick; self.decimals = decimals; self.title = title; self.source = source
        }
    }

    /// A picked value: its fixture entry (name or coordinates) and where to read it.
    struct Pick { let entry: [(key: String, value: JSONValue)]; let target: ValueTarget; let step: Int; let label: String }

    /// The fixture's JSON text. Throws `NameError` for a `--pick` token that names nothing, or a
    /// value that is not finite.
    public static func make(spec: NetworkSpec, reference: SpecReference, options: Options) throws -> String {
        let names = ValueNames(spec: spec)
        let picks = try expand(options.pick, names: names, steps: options.steps)
        // The snapshot must be checkable: within the limits `bptrace check` applies to any fixture.
        let perStep = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
        let lastStep = picks.map(\.step).max() ?? 1
        let keptSteps = Set(picks.map(\.step)).count
        if Double(perStep) * Double(lastStep) > Double(CheckLimits.maximumTracedValues) {
            throw NameError("a fixture of \(lastStep) steps of this network (\(SpecLimits.grouped(perStep)) traced values a step) is beyond what `bptrace check` trains (\(SpecLimits.grouped(CheckLimits.maximumTracedValues)) values); use fewer --steps")
        }
        if Double(perStep) * Double(keptSteps) > Double(CheckLimits.maximumKeptValues) {
            throw NameError("the picked values name \(keptSteps) different steps of \(SpecLimits.grouped(perStep)) traced values each, more than `bptrace check` keeps (\(SpecLimits.grouped(CheckLimits.maximumKeptValues))); pick values of fewer steps (e.g. E_total@\(lastStep)) or use fewer --steps")
        }
        let results = ConventionRunner.run(spec: spec, steps: Set(picks.map(\.step)))
        var values: [JSONValue] = []
        for p in picks {
            guard let r = results[p.step], let v = p.target.read(r, spec: spec), v.isFinite else {
                throw NameError("\(p.label): the value is not finite (the run overflowed), so it cannot be frozen")
            }
            var text = String(format: "%.\(options.decimals)f", v)
            if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }  // no "-0.000"
            values.append(.object(p.entry + [("value", .string(text))]))
        }
        var root: [(key: String, value: JSONValue)] = []
        root.append(("title", .string(options.title ?? "\(spec.name): \(options.steps) step\(options.steps == 1 ? "" : "s") frozen by bptrace fixture")))
        let src = options.source ?? Fixture.Source(title: "bptrace fixture snapshot of \(spec.name)", author: nil, year: nil, url: nil)
        var s: [(key: String, value: JSONValue)] = []
        if let t = src.title { s.append(("title", .string(t))) }
        if let a = src.author { s.append(("author", .string(a))) }
        if let y = src.year { s.append(("year", Int(y) != nil ? .number(y) : .string(y))) }
        if let u = src.url { s.append(("url", .string(u))) }
        root.append(("source", .object(s)))
        root.append(("note", .string("Written by `bptrace fixture` from the engine's run: \(values.count) values to \(options.decimals) decimals, "
                                     + "each checked to half a unit in its last decimal (±\(shortestText(0.5 * WrittenNumber.power10(-options.decimals))))")))
        switch reference {
        case .inline(let json): root.append(("spec", json))
        case .path(let p): root.append(("spec", .string(p)))
        }
        root.append(("steps", .number("\(options.steps)")))
        root.append(("values", .array(values)))
        return JSONWriter.write(.object(root), pretty: true) + "\n"
    }

    /// `--pick` tokens → values, step by step. A token is a contract quantity (`a`, `W_new`,
    /// optionally with a layer: `a(2)`), or a name or glob pattern over the post-style names
    /// (`out_*`, `w*+`, `dE_total/dw*`, `E_total`), each optionally with `@step`.
    static func expand(_ tokens: [String], names: ValueNames, steps: Int) throws -> [Pick] {
        let canonical = names.canonicalNames()
        let tokens = tokens.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var out: [Pick] = []
        var seen = Set<String>()
        for step in 1...steps {
            let stepSuffix = step == 1 ? "" : "@\(step)"
            func addName(_ n: String) throws {
                let r = try names.resolve(n + stepSuffix)
                guard seen.insert(r.label).inserted else { return }
                out.append(Pick(entry: [("name", .string(r.label))], target: r.target, step: step, label: r.label))
            }
            guard out.count <= CheckLimits.maximumValues else { throw tooMany() }
            if tokens.isEmpty { for n in canonical { try addName(n) }; continue }
            for token in tokens {
                var body = token
                var only: Int? = nil
                if let at = token.lastIndex(of: "@") {
                    guard let s = Int(token[token.index(after: at)...]), s >= 1 else { throw NameError("--pick \"\(token)\": expected a step number after @") }
                    guard s <= steps else { throw NameError("--pick \"\(token)\": step \(s) is beyond --steps \(steps)") }
                    only = s
                    body = String(token[..<at])
                }
                if let only, only != step { continue }
                if let (q, layer) = quantityToken(body) {
                    let layers = layer.map { [$0] } ?? Array(0...names.spec.depth)
                    var any = false
                    for l in layers {
                        guard let (rows, cols) = names.shape(q, layer: l) else { continue }
                        any = true
                        for r in 1...rows { for c in 1...cols {
                            let label = "\(q.rawValue)(\(l))[\(r),\(c)]\(stepSuffix)"
                            guard seen.insert(label).inserted else { continue }
                            out.append(Pick(entry: [("step", .number("\(step)")), ("layer", .number("\(l)")), ("quantity", .string(q.rawValue)),
                                                    ("row", .number("\(r)")), ("col", .number("\(c)"))],
                                            target: .cell(q, layer: l, row: r, col: c), step: step, label: label))
                        }
                        guard out.count <= CheckLimits.maximumValues else { throw tooMany() } }
                    }
                    if !any { throw NameError("--pick \"\(token)\": this network has no \(q.rawValue)\(layer.map { " in layer \($0)" } ?? "")") }
                    continue
                }
                if body.contains("*") || body.contains("?") {
                    let matched = canonical.filter { glob(body, $0) }
                    if matched.isEmpty { throw NameError("--pick \"\(token)\" matches no name of this network (e.g. \(canonical.prefix(5).joined(separator: ", ")))") }
                    for n in matched { try addName(n) }
                    continue
                }
                try addName(body)
            }
        }
        guard out.count <= CheckLimits.maximumValues else { throw tooMany() }
        return out
    }

    static func tooMany() -> NameError {
        NameError("the fixture would hold more than \(SpecLimits.grouped(CheckLimits.maximumValues)) values, the most `bptrace check` reads from one fixture; use --pick or fewer --steps")
    }

    /// `a` or `a(2)` → (a, 2).
    static func quantityToken(_ s: String) -> (Quantity, Int?)? {
        if let q = Quantity(rawValue: s) { return (q, nil) }
        guard s.hasSuffix(")"), let open = s.firstIndex(of: "("), let q = Quantity(rawValue: String(s[..<open])),
              let l = Int(s[s.index(after: open)..<s.index(before: s.endIndex)]) else { return nil }
        return (q, l)
    }

    /// Shell-style matching with `*` (any run) and `?` (one character); everything else literal.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: t.count + 1), count: p.count + 1)
        func m(_ i: Int, _ j: Int) -> Bool {
            if let v = memo[i][j] { return v }
            let v: Bool
            if i == p.count { v = j == t.count }
            else if p[i] == "*" { v = m(i + 1, j) || (j < t.count && m(i, j + 1)) }
            else { v = j < t.count && (p[i] == "?" || p[i] == t[j]) && m(i + 1, j + 1) }
            memo[i][j] = v
            return v
        }
        return m(0, 0)
    }
}
