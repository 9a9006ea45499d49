import Foundation

/// Turns an `Expr` (a typed expression, or a traced quantity's catalogue formula) into a
/// `ComputationalGraph`: one gate per operation, sums unrolled into chains of `+`, a cell of
/// another traced quantity expanded through its own catalogue formula (or kept as an input).
/// Forward values are computed by the catalogue's `Evaluator` on each gate's operation.
public struct GraphBuilder {
    /// What a cell of a traced quantity becomes.
    public enum CellLeaf {
        /// An input of the graph (x, y, W, b) with its name and value.
        case input(label: String, value: Double)
        /// Expanded through `formula` at (row, col); `name` labels the node that computes it.
        case expand(formula: Expr, row: Int, col: Int, name: String)
    }

    public struct BuildError: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// Largest graph built (nodes).
    public static let maximumNodes = 20_000

    let expand: Bool
    let bindings: [String: Double]
    let cellLeaf: (QuantityRef, Int, Int) -> CellLeaf
    let evaluator: Evaluator

    private var nodes: [GraphNode] = []
    private var memo: [String: Int] = [:]

    /// - Parameters:
    ///   - expand: split sigmoid and tanh into primitive gates (×−1, exp, +1, 1/x).
    ///   - bindings: the values of a typed expression's variables.
    ///   - cellLeaf: for a traced cell, whether it is an input or is expanded.
    ///   - evaluator: the hyper-parameters, shapes and values of a step (typed expressions need none).
    public init(expand: Bool, bindings: [String: Double] = [:],
                cellLeaf: @escaping (QuantityRef, Int, Int) -> CellLeaf = { r, i, j in .input(label: "\(r)[\(i),\(j)]", value: .nan) },
                evaluator: Evaluator = Evaluator(value: { _, _, _ in .nan }, shape: { _ in (0, 0) }, hyper: { _ in .nan })) {
        self.expand = expand; self.bindings = bindings; self.cellLeaf = cellLeaf; self.evaluator = evaluator
    }

    /// The graph of `e` evaluated at (row, col), with gradients (reverse mode) filled in.
    public mutating func build(_ e: Expr, row: Int = 0, col: Int = 0, name: String? = nil) throws -> ComputationalGraph {
        nodes = []; memo = [:]
        let out = try node(e, IndexValues(row: row, col: col))
        if let name, nodes[out].name == nil { nodes[out].name = name }
        // The output must be the last node: it is, since a gate is made after its inputs.
        guard out == nodes.count - 1 || nodes[out].inputs.isEmpty else { throw BuildError(message: "internal error: the output is not the last node of the graph") }
        var g = ComputationalGraph(nodes: nodes)
        if out != nodes.count - 1 { g.nodes = Array(nodes.prefix(out + 1)) }
        GraphModes.backward(&g)
        return g
    }

    // MARK: - Nodes

    private mutating func add(_ kind: GateKind, _ inputs: [Int], label: String? = nil) throws -> Int {
        guard nodes.count < Self.maximumNodes else { throw BuildError(message: "the graph has more than \(Self.maximumNodes) nodes; choose a smaller expression or network") }
        let x = inputs.map { nodes[$0].value }
        let value = Self.forward(kind, x, evaluator)
        nodes.append(GraphNode(id: nodes.count, kind: kind, label: label ?? kind.symbol, inputs: inputs, value: value))
        return nodes.count - 1
    }

    /// A gate's forward value, computed by the catalogue's evaluator on the gate's operation.
    static func forward(_ kind: GateKind, _ x: [Double], _ ev: Evaluator) -> Double {
        let a = x.first.map(Expr.constant) ?? .constant(.nan)
        let b = x.count > 1 ? Expr.constant(x[1]) : .constant(.nan)
        let e: Expr
        switch kind {
        case .input, .constant: return .nan
        case .add: e = a + b
        case .sub: e = a - b
        case .mul: e = a * b
        case .div: e = a / b
        case .max:
            var m = x[0]
            for v in x.dropFirst() { m = ev.evaluate(.when(.constant(v), .greater, .constant(m), then: .constant(v), else: .constant(m)), row: 0, col: 0) }
            return m
        case .neg: e = -a
        case .exp: e = .apply(.exp, a)
        case .log: e = .apply(.ln, a)
        case .tanh: e = .apply(.tanh, a)
        case .sigmoid: e = GraphVariable.sigmoid(a)
        case .relu: e = .apply(.relu, a)
        case .square: e = .square(a)
        case .sqrt: e = .apply(.sqrt, a)
        case .addConst(let c): e = a + .c(c)
        case .mulConst(let c): e = a * .c(c)
        case .subConst(let c): e = a - .c(c)
        case .constSub(let c): e = .c(c) - a
        case .divConst(let c): e = a / .c(c)
        case .constDiv(let c): e = .c(c) / a
        }
        return ev.evaluate(e, row: 0, col: 0)
    }

    private mutating func leaf(_ kind: GateKind, label: String, value: Double, key: String?) throws -> Int {
        if let key, let id = memo[key] { return id }
        guard nodes.count < Self.maximumNodes else { throw BuildError(message: "the graph has more than \(Self.maximumNodes) nodes; choose a smaller expression or network") }
        nodes.append(GraphNode(id: nodes.count, kind: kind, label: label, inputs: [], value: value))
        if let key { memo[key] = nodes.count - 1 }
        return nodes.count - 1
    }

    /// The value of an expression of constants, hyper-parameters and counts (no cells), or nil.
    static func constantValue(_ e: Expr, _ evaluator: Evaluator) -> Double? {
        func pure(_ x: Expr) -> Bool {
            switch x {
            case .cell, .previous, .sum, .max, .named, .when: return false
            default: return x.children.allSatisfy(pure)
            }
        }
        return pure(e) ? evaluator.evaluate(e, row: 0, col: 0) : nil
    }

    private mutating func constant(_ v: Double, label: String? = nil) throws -> Int {
        try leaf(.constant, label: label ?? GraphNumber.plain(v), value: v, key: nil)
    }

    /// The value of `e` (a condition's sides), variables replaced by their values.
    private func value(_ e: Expr, _ env: IndexValues) -> Double {
        evaluator.evaluate(e.rewriting { GraphVariable.name(of: $0).map { .constant(bindings[$0] ?? .nan) } }, env)
    }

    private mutating func node(_ e: Expr, _ env: IndexValues) throws -> Int {
        if let name = GraphVariable.name(of: e) {
            return try leaf(.input, label: name, value: bindings[name] ?? .nan, key: "var " + name)
        }
        switch e {
        case .constant(let v): return try constant(v)
        case .hyper(let h): return try constant(evaluator.hyper(h), label: h.symbol)
        case .previous(let ref, let r, let c): return try constant(evaluator.previous(ref, env[r], env[c]), label: "\(ref)_prev")
        case .power(let a, let b):
            guard let x = Self.constantValue(a, evaluator), let y = Self.constantValue(b, evaluator) else {
                throw BuildError(message: "a power of a variable is not a gate of the graph")
            }
            return try constant(Foundation.pow(x, y))
        case .count(let d): return try constant(Double(evaluator.count(d)))
        case .cell(let ref, let r, let c):
            let (i, j) = (env[r], env[c])
            let key = "cell \(ref) \(i) \(j)"
            if let id = memo[key] { return id }
            switch cellLeaf(ref, i, j) {
            case .input(let label, let v):
                let id = try leaf(.input, label: label, value: v, key: key)
                nodes[id].name = label
                return id
            case .expand(let formula, let fi, let fj, let name):
                let id = try node(formula, IndexValues(row: fi, col: fj))
                if nodes[id].name == nil { nodes[id].name = name }
                memo[key] = id
                return id
            }
        case .add(let a, let b): return try binary(a, b, env, .add, { .addConst($0) }, { .addConst($0) })
        case .sub(let a, let b): return try binary(a, b, env, .sub, { .constSub($0) }, { .subConst($0) })
        case .mul(let a, let b): return try binary(a, b, env, .mul, { .mulConst($0) }, { .mulConst($0) })
        case .div(let a, let b): return try binary(a, b, env, .div, { .constDiv($0) }, { .divConst($0) })
        case .neg(let a): return try add(.neg, [try node(a, env)])
        case .square(let a): return try add(.square, [try node(a, env)])
        case .apply(let f, let a):
            let x = try node(a, env)
            switch f {
            case .exp: return try add(.exp, [x])
            case .ln: return try add(.log, [x])
            case .sqrt: return try add(.sqrt, [x])
            case .relu: return try add(.relu, [x])
            case .tanh:
                guard expand else { return try add(.tanh, [x]) }
                // tanh(x) = 2σ(2x) − 1
                let s = try sigmoidGates(try add(.mulConst(2), [x]))
                return try add(.addConst(-1), [try add(.mulConst(2), [s])])
            }
        case .named(GraphVariable.sigmoidName, _, let body):
            guard case .div(.constant(1), .add(.constant(1), .apply(.exp, .neg(let z)))) = body else { return try node(body, env) }
            let x = try node(z, env)
            return expand ? try sigmoidGates(x) : try add(.sigmoid, [x])
        case .named(_, _, let body): return try node(body, env)
        case .sum(let bindings, let body):
            let envs = combinations(bindings, bindings.map { evaluator.count($0.dim) }, base: env)
            guard !envs.isEmpty else { return try constant(0) }
            var acc = try node(body, envs[0])
            for inner in envs.dropFirst() { acc = try add(.add, [acc, try node(body, inner)]) }
            return acc
        case .max(let b, let body):
            let n = evaluator.count(b.dim)
            guard n > 0 else { return try constant(.nan) }
            var ids: [Int] = []
            for k in 0..<n { var inner = env; inner.bound[b.index] = k; ids.append(try node(body, inner)) }
            return ids.count == 1 ? ids[0] : try add(.max, ids)
        case .when(let l, let op, let r, let t, let f):
            if op == .greater, t == l, f == r {   // max(a, b)
                return try add(.max, [try node(l, env), try node(r, env)])
            }
            let lv = value(l, env), rv = value(r, env)
            let holds = op == .greater ? lv > rv : lv == rv
            return try node(holds ? t : f, env)
        }
    }

    /// σ as cs231n's primitive gates: ×−1, exp, +1, 1/x.
    private mutating func sigmoidGates(_ x: Int) throws -> Int {
        try add(.constDiv(1), [try add(.addConst(1), [try add(.exp, [try add(.neg, [x])])])])
    }

    private mutating func binary(_ a: Expr, _ b: Expr, _ env: IndexValues, _ kind: GateKind,
                                 _ constLeft: (Double) -> GateKind, _ constRight: (Double) -> GateKind) throws -> Int {
        switch (a, b) {
        case (.constant(let c), .constant):
            return try add(kind, [try constant(c), try node(b, env)])
        case (.constant(let c), _): return try add(constLeft(c), [try node(b, env)])
        case (_, .constant(let c)): return try add(constRight(c), [try node(a, env)])
        default: return try add(kind, [try node(a, env), try node(b, env)])
        }
    }
}
