import BPTrace

extension Judge {
    /// Root causes in stage order: wrong values whose operands are right or not given (through
    /// cells not given, back to the last given ones), with the wrong values that follow from each.
    func rootCauses(explain: Bool) -> [RootCause] {
        // taint[cell]: the root causes a cell's value depends on through wrong or unwritten cells.
        var taint: [CellKey: RootSet] = [:]
        var roots: [CellKey] = []
        var downstream: [Int] = []
        for key in order {
            var from = RootSet()
            for op in operands[key] ?? [] { if let t = taint[op] { from.formUnion(t) } }
            if let d = judged[key] {
                if d.holds { continue }                       // a right value stops what came before it
                if from.isEmpty {
                    roots.append(key); downstream.append(0)
                    var own = RootSet(); own.insert(roots.count - 1)
                    taint[key] = own
                } else {
                    for t in from.members { downstream[t] += 1 }
                    taint[key] = from
                }
            } else if !from.isEmpty {
                taint[key] = from
            }
        }
        let names = grader.names
        let candidates = explain ? grader.candidates.all : []
        // Each step is re-run once per alternative, however many root causes it has.
        var reruns: [Int: [StepResult?]] = [:]
        if explain {
            for s in Set(roots.map(\.step)) { reruns[s] = candidates.enumerated().map { run.rerun(step: s, candidate: $0, under: $1) } }
        }
        // How many of the step's right values each alternative would have made wrong: a
        // mistake the student did not make changes numbers they got right.
        var contradictions: [Int: [Int]] = [:]
        for (s, runs) in reruns {
            let right = judged.values.filter { $0.key.step == s && $0.holds }
            contradictions[s] = zip(candidates, runs).map { alt, r in
                guard let r else { return Int.max }
                return right.filter { !reproduces($0.key, in: r, negated: alt.negated) }.count
            }
        }
        // Stage order: step, then the stage, then the trace's order of quantities, row and column.
        let position = Dictionary(uniqueKeysWithValues: catalogue.stepQuantities.enumerated().map { ($1, $0) })
        func rank(_ k: CellKey) -> [Int] { [k.step, catalogue.stage(of: k.ref).rawValue, position[k.ref] ?? 0, k.row, k.col] }
        let sorted = roots.indices.sorted { rank(roots[$0]).lexicographicallyPrecedes(rank(roots[$1])) }
        return sorted.map { i in
            let key = roots[i]
            let d = judged[key]!
            let ops = operands[key] ?? []
            let given = ops.filter { judged[$0] != nil }
            let later = laterValues(of: key)
            let explanations = explain ? self.explanations(of: d, later: later, candidates: candidates, reruns: reruns[key.step] ?? [], contradictions: contradictions[key.step] ?? []) : []
            return RootCause(value: d, name: names.name(of: key), rightOperands: given, missingOperands: ops.count - given.count,
                             downstream: downstream[i], explanations: explanations, laterValues: later.count)
        }
    }

    /// An alternative's value reproduces a student's within this many times the value's
    /// tolerance: the allowance is propagated through the correct formulas, and a mistaken
    /// formula may carry the operands' rounding further (z(1 − z) moves 1 − 2z times as far as z
    /// does, where a(1 − a) moves less): a carried-rounded slope_from_net trace at 4 decimals
    /// missed its explanation by 5% of the tolerance without it.
    static let explanationSlack = 3.0

    /// The student's values in the root cause's step computed from it (the root cause first).
    func laterValues(of root: CellKey) -> [CellKey] {
        var reached: Set<CellKey> = [root]
        var out: [CellKey] = [root]
        for key in order[orderOfStep[root.step] ?? 0..<0] where key != root {
            guard (operands[key] ?? []).contains(where: reached.contains) else { continue }
            reached.insert(key)
            if judged[key] != nil { out.append(key) }
        }
        return out
    }

    /// Whether an alternative's run `r` gives the student's value of `key` (within
    /// `explanationSlack` times its tolerance; `negated`: its negation).
    func reproduces(_ key: CellKey, in r: StepResult, negated: Bool) -> Bool {
        guard let d = judged[key], let m = r[key.ref], key.row - 1 < m.rows, key.col - 1 < m.cols else { return false }
        let v = m[key.row - 1, key.col - 1]
        return WrittenNumber.holds(negated ? -v : v, expected: d.student.written.value, tolerance: Judge.explanationSlack * d.tolerance)
    }

    /// The alternatives that reproduce the root cause's value when its step is run again from the
    /// same anchor, each with how many of `later` it reproduces, best first: most of `later`
    /// reproduced, then fewest of the step's right values contradicted, then the bug models
    /// before the conventions.
    func explanations(of root: DiagnosedValue, later: [CellKey], candidates: [Alternative], reruns: [StepResult?], contradictions: [Int]) -> [ModelExplanation] {
        var out: [(ModelExplanation, Int)] = []
        for (index, alt) in candidates.enumerated() {
            guard index < reruns.count, let r = reruns[index] else { continue }
            guard reproduces(root.key, in: r, negated: alt.negated) else { continue }
            let n = later.filter { reproduces($0, in: r, negated: alt.negated) }.count
            let against = index < contradictions.count ? contradictions[index] : 0
            out.append((ModelExplanation(spelling: alt.spelling, meaning: alt.meaning, reproduced: n, of: later.count, contradicts: against), index))
        }
        // Ties: the bug models before the conventions (a student's trace is more often a mistake
        // than another tutorial's convention), each in its own order.
        let conventions = grader.candidates.conventions
        func tie(_ i: Int) -> Int { i >= conventions ? i - conventions : i + candidates.count }
        return out.sorted { a, b in
            if a.0.reproduced != b.0.reproduced { return a.0.reproduced > b.0.reproduced }
            if a.0.contradicts != b.0.contradicts { return a.0.contradicts < b.0.contradicts }
            return tie(a.1) < tie(b.1)
        }.map(\.0)
    }
}

/// The post-style names of a network's cells (`dE_total/dnet_h2`, `w5+`), where a cell has one.
struct PostNames {
    private var byCell: [CellKey: String] = [:]

    init(spec: NetworkSpec) {
        let names = ValueNames(spec: spec)
        for n in names.canonicalNames() {
            guard let resolved = try? names.resolve(n), case .cell(let q, let l, let r, let c) = resolved.target else { continue }
            let key = CellKey(step: 1, QuantityRef(q, l), row: r, col: c)
            if byCell[key] == nil { byCell[key] = n }
        }
    }

    func name(of key: CellKey) -> String? {
        guard let n = byCell[CellKey(step: 1, key.ref, row: key.row, col: key.col)] else { return nil }
        return key.step == 1 ? n : "\(n)@\(key.step)"
    }
}

/// A set of root-cause indices as bits: unions stay cheap when a value follows from many.
struct RootSet {
    private var words: [UInt64] = []
    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    mutating func insert(_ i: Int) {
        while words.count <= i / 64 { words.append(0) }
        words[i / 64] |= 1 << UInt64(i % 64)
    }
    mutating func formUnion(_ o: RootSet) {
        while words.count < o.words.count { words.append(0) }
        for (k, w) in o.words.enumerated() { words[k] |= w }
    }
    var members: [Int] {
        var out: [Int] = []
        for (k, w) in words.enumerated() where w != 0 { for b in 0..<64 where w & (1 << UInt64(b)) != 0 { out.append(k * 64 + b) } }
        return out
    }
}
