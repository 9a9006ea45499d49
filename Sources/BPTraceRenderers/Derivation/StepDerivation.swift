import BPTrace

/// Builds the derivation lines of one traced step from the catalogue: each formula is the
/// catalogue's expression of the quantity, printed by `LaTeXPrinter` once with the post's
/// symbols and once with the step's numbers; each value is the traced cell's, or the
/// catalogue's evaluator's for a part of a formula (∂E/∂out, one term of a sum). No formula is
/// written here: adding a quantity to the catalogue changes these lines with it.
public struct StepDerivation: Sendable {
    public let spec: NetworkSpec
    public let symbols: PostSymbols
    public let blocks: [QuantityRef: Matrix]
    let catalogue: Catalogue
    let evaluator: Evaluator
    /// A number as a factor of a formula (negative numbers in parentheses).
    let operand: @Sendable (Double) -> String
    /// A number on its own.
    let number: @Sendable (Double) -> String

    /// The values of the named steps of the step's formulas (softmax's m, e, Σe), by name and indices.
    private(set) var named: [NamedKey: Double]

    /// `namedSteps`: whether to evaluate the named steps (each e of a softmax layer, O(B·n²)),
    /// which only the line-by-line derivation shows.
    /// `step` is the step's number (t of Adam's bias correction) and `previous` the optimizer
    /// state traced by the step before (empty at step 1: every state starts at 0).
    public init(spec: NetworkSpec, symbols: PostSymbols, blocks: [QuantityRef: Matrix],
                operand: @escaping @Sendable (Double) -> String, number: @escaping @Sendable (Double) -> String,
                namedSteps: Bool = true, step: Int = 1, previous: [QuantityRef: Matrix] = [:]) {
        self.spec = spec; self.symbols = symbols; self.blocks = blocks
        self.operand = operand; self.number = number
        catalogue = Catalogue(spec: spec)
        evaluator = Evaluator(spec: spec, blocks: blocks, step: step, previous: previous)
        named = [:]
        if namedSteps {
            var all: [NamedKey: Double] = [:]
            for l in 1...spec.depth { all.merge(namedValues(layer: l)) { a, _ in a } }
            named = all
        }
    }

    var L: Int { spec.depth }
    var B: Int { symbols.batchSize }

    /// The traced value of a cell (NaN when the step has no such block).
    public func value(_ q: Quantity, _ l: Int, _ r: Int, _ c: Int) -> Double { evaluator.value(QuantityRef(q, l), r, c) }

    // MARK: printing

    /// Which branch of a condition a concrete line shows: the general one (the second) when it
    /// has the same value as the one taken (0·ln 0.3 for a zero target), else the one taken.
    private var branch: @Sendable (Expr, IndexValues) -> Bool {
        let ev = evaluator
        return { e, env in
            guard case .when(let l, let op, let r, let t, let f) = e else { return false }
            let lv = ev.evaluate(l, env), rv = ev.evaluate(r, env)
            let holds = op == .greater ? lv > rv : lv == rv
            return holds && ev.evaluate(t, env) != ev.evaluate(f, env)
        }
    }

    private var counts: @Sendable (Dim) -> String { let ev = evaluator; return { String(ev.count($0)) } }

    /// The printer of symbols; `names` overrides the name of a cell, `steps` names named steps.
    func symbolPrinter(layer: Int, names: [CellRead: String] = [:], steps: [String: String] = [:]) -> LaTeXPrinter {
        let sy = symbols
        return LaTeXPrinter(mode: .cells { ref, r, c in names[CellRead(ref, r, c)] ?? sy.cell(ref, r, c) },
                            count: counts,
                            named: { n, v in steps[n] ?? (n == Catalogue.Step.crossEntropyTerm ? nil : sy.step(n, v, layer: layer)) },
                            branch: branch,
                            previous: { ref, r, c in sy.previous(ref, r, c) })
    }

    /// The printer of numbers; `steps` gives the values of named steps printed as one number.
    func numberPrinter(layer: Int, steps: [String: Double] = [:]) -> LaTeXPrinter {
        let ev = evaluator, num = number, l2 = spec.l2, eta = spec.learningRate
        let values = named
        // Cells print as plain numbers; the printer puts a negative one in parentheses where it must.
        // η and λ at the handout's decimals; an optimizer's hyper-parameters and t as given.
        return LaTeXPrinter(mode: .cells { ref, r, c in num(ev.value(ref, r, c)) },
                            hyper: { h in
                                switch h {
                                case .learningRate: return num(eta)
                                case .l2: return num(l2)
                                default: return StepDerivation.exact(ev.hyper(h), num)
                                }
                            },
                            count: counts,
                            named: { n, v in steps[n].map(num) ?? values[NamedKey(name: n, values: v)].map(num) },
                            branch: branch,
                            previous: { ref, r, c in num(ev.previous(ref, r, c)) })
    }

    struct NamedKey: Hashable { let name: String; let values: [Int] }

    /// The values of the named steps of layer `layer`'s formulas (softmax's max, e, Σe).
    func namedValues(layer l: Int) -> [NamedKey: Double] {
        guard let e = catalogue.expression(of: QuantityRef(.a, l)), !e.namedSteps.isEmpty else { return [:] }
        var out: [NamedKey: Double] = [:]
        for r in 0..<B {
            for j in 0..<spec.layers[l] {
                for s in instances(e, IndexValues(row: r, col: j)) {
                    let key = NamedKey(name: s.name, values: s.values)
                    if out[key] == nil { out[key] = evaluator.evaluate(s.body, s.env) }
                }
            }
        }
        return out
    }

    /// The named steps an expression uses at the target cell, each once, innermost first.
    func instances(_ e: Expr, _ env: IndexValues) -> [(name: String, values: [Int], body: Expr, env: IndexValues)] {
        var out: [(name: String, values: [Int], body: Expr, env: IndexValues)] = []
        func walk(_ x: Expr, _ env: IndexValues) {
            switch x {
            case .named(let n, let idx, let body):
                walk(body, env)
                let v = idx.map { env[$0] }
                if !out.contains(where: { $0.name == n && $0.values == v }) { out.append((n, v, body, env)) }
            case .sum(let bs, let body):
                for inner in expand(bs, env) { walk(body, inner) }
            case .max(let b, let body):
                for inner in expand([b], env) { walk(body, inner) }
            default:
                x.children.forEach { walk($0, env) }
            }
        }
        walk(e, env)
        return out
    }

    /// Every combination of the bindings' values, the first outermost.
    func expand(_ bindings: [Binding], _ env: IndexValues) -> [IndexValues] {
        var out = [env]
        for b in bindings {
            out = out.flatMap { e in (0..<max(0, evaluator.count(b.dim))).map { v in var x = e; x.bound[b.index] = v; return x } }
        }
        return out
    }

    /// The cells an expression reads at the target cell, in order.
    func reads(_ e: Expr, _ env: IndexValues) -> [CellRead] {
        var out: [CellRead] = []
        func walk(_ x: Expr, _ env: IndexValues) {
            switch x {
            case .cell(let ref, let r, let c):
                let cell = CellRead(ref, env[r], env[c])
                if !out.contains(cell) { out.append(cell) }
            case .sum(let bs, let body): for inner in expand(bs, env) { walk(body, inner) }
            case .max(let b, let body): for inner in expand([b], env) { walk(body, inner) }
            default: x.children.forEach { walk($0, env) }
            }
        }
        walk(e, env)
        return out
    }

    /// A line for cell (r, c) of `ref`: its catalogue formula in symbols and in numbers, and
    /// the traced value. `shown` rewrites the formula for display only (the order of a product).
    func line(_ ref: QuantityRef, _ r: Int, _ c: Int, lhs: String? = nil, names: [CellRead: String] = [:],
              steps: [String: String] = [:], shown: (Expr) -> Expr = { $0 }) -> DerivationLine? {
        guard let e = catalogue.expression(of: ref) else { return nil }
        let env = IndexValues(row: r, col: c)
        let f = shown(e)
        var sym = symbolPrinter(layer: ref.layer, names: names, steps: steps).latex(f, env)
        var num = numberPrinter(layer: ref.layer).latex(f, env)
        if case .when(let a, let op, let b, _, _) = e {
            // A condition (relu's slope): the branch shown, and why.
            let holds = branch(e, env) || (op == .greater ? evaluator.evaluate(a, env) > evaluator.evaluate(b, env) : evaluator.evaluate(a, env) == evaluator.evaluate(b, env))
            let rel = op == .greater ? (holds ? ">" : "\\le") : (holds ? "=" : "\\ne")
            let sp = symbolPrinter(layer: ref.layer, names: names), np = numberPrinter(layer: ref.layer)
            sym += " \\quad (\(sp.latex(a, env)) \(rel) \(sp.latex(b, env)))"
            num += " \\quad (\(np.latex(a, env)) \(rel) \(np.latex(b, env)))"
        }
        return DerivationLine(lhs: lhs ?? symbols.cell(ref, r, c), symbolic: [sym], substituted: num,
                              value: evaluator.value(ref, r, c), reads: reads(e, env), computes: CellRead(ref, r, c),
                              stage: catalogue.stage(of: ref))
    }
}
