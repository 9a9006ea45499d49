/// The formula of ONE cell of a quantity, as a small expression tree (issue 9): the catalogue
/// declares each quantity's formula once in this form, and printers turn it into an Excel
/// formula, LaTeX or plain text while the evaluator computes it from a trace's values.
///
/// A template is written for a symbolic target cell (`Index.row`, `Index.col`); sums and maxima
/// bind their own indices over a symbolic extent (`Dim`: the rows or columns of a quantity), so
/// no batch size or layer width is baked into a formula.
public indirect enum Expr: Sendable, Equatable {
    /// The cell (row, col) of a traced quantity of the same step.
    case cell(QuantityRef, row: Index, col: Index)
    /// A hyper-parameter of the spec (η, λ, ...).
    case hyper(Hyper)
    case constant(Double)
    /// The number of rows or columns of a quantity (B, n_l), a number once the spec is known.
    case count(Dim)
    case add(Expr, Expr)
    case sub(Expr, Expr)
    case mul(Expr, Expr)
    case div(Expr, Expr)
    case neg(Expr)
    case square(Expr)
    case apply(Function, Expr)
    /// Σ of the body over every combination of the bound indices, the first binding outermost,
    /// each from 0 upwards, accumulated left to right from 0.0 (the engine's loop order).
    case sum([Binding], Expr)
    /// The largest value of the body as the index runs from 0 upwards (the first one wins ties).
    case max(Binding, Expr)
    /// `lhs op rhs ? then : else`: relu's slope, cross-entropy's terms that count 0.
    case when(Expr, Comparison, Expr, then: Expr, else: Expr)
    /// A named intermediate step (softmax's row max, e = exp(z − max), Σe; a cross-entropy term):
    /// the same arithmetic as `body`, with a name and the indices it depends on, so a printer
    /// may show it as a cell of its own (the workbook's helper cells) or inline.
    case named(String, [Index], Expr)
    /// The cell (row, col) of a quantity traced by the PREVIOUS step (an optimizer's state);
    /// 0 at step 1, where every state starts.
    case previous(QuantityRef, row: Index, col: Index)
    /// base ^ exponent (Adam's bias corrections 1 − β^t).
    case power(Expr, Expr)
}

/// An index of a cell template: the target cell's row or column, a fixed position, or an index
/// bound by an enclosing `sum` / `max`.
public enum Index: Hashable, Sendable, CustomStringConvertible {
    case row, col
    case at(Int)
    case bound(String)

    public var description: String {
        switch self {
        case .row: return "row"
        case .col: return "col"
        case .at(let n): return "\(n)"
        case .bound(let name): return name
        }
    }
}

/// A symbolic extent: the rows or the columns of a quantity.
public enum Dim: Hashable, Sendable {
    case rows(QuantityRef), cols(QuantityRef)
    public var ref: QuantityRef {
        switch self { case .rows(let r), .cols(let r): return r }
    }
}

/// One bound index of a sum or max and the extent it runs over.
public struct Binding: Hashable, Sendable {
    public let index: String
    public let dim: Dim
    public init(_ index: String, over dim: Dim) { self.index = index; self.dim = dim }
}

/// The hyper-parameters a formula may read. Optimizers (β1, β2, ε, μ) join here.
public enum Hyper: String, CaseIterable, Sendable {
    case learningRate = "learning_rate"
    case l2 = "lambda_l2"
    /// The optimizers' hyper-parameters (docs/SPEC.md, "Optimizers").
    case momentum, rho, beta1, beta2, eps
    case weightDecay = "weight_decay"
    /// t, the step number (1-based): not a hyper-parameter of the spec, but a number known per step.
    case stepNumber = "t"

    /// The plain-text symbol (η, λ, μ, ρ, β1, β2, ε, wd, t).
    public var symbol: String {
        switch self {
        case .learningRate: return "η"
        case .l2: return "λ"
        case .momentum: return "μ"
        case .rho: return "ρ"
        case .beta1: return "β1"
        case .beta2: return "β2"
        case .eps: return "ε"
        case .weightDecay: return "wd"
        case .stepNumber: return "t"
        }
    }

    /// The LaTeX symbol.
    public var latex: String {
        switch self {
        case .learningRate: return "\\eta"
        case .l2: return "\\lambda"
        case .momentum: return "\\mu"
        case .rho: return "\\rho"
        case .beta1: return "\\beta_1"
        case .beta2: return "\\beta_2"
        case .eps: return "\\epsilon"
        case .weightDecay: return "w_d"
        case .stepNumber: return "t"
        }
    }

    /// The value of the hyper-parameter in `spec` at step `step` (NaN where the spec's
    /// optimizer has none).
    public func value(in spec: NetworkSpec, step: Int) -> Double {
        switch (self, spec.optimizer) {
        case (.learningRate, _): return spec.learningRate
        case (.l2, _): return spec.l2
        case (.stepNumber, _): return Double(step)
        case (.momentum, .momentum(let mu)), (.momentum, .nesterov(let mu)): return mu
        case (.rho, .rmsprop(let rho, _)): return rho
        case (.eps, .rmsprop(_, let eps)), (.eps, .adam(_, _, let eps)), (.eps, .adamw(_, _, let eps, _, _)): return eps
        case (.beta1, .adam(let b1, _, _)), (.beta1, .adamw(let b1, _, _, _, _)): return b1
        case (.beta2, .adam(_, let b2, _)), (.beta2, .adamw(_, let b2, _, _, _)): return b2
        case (.weightDecay, .adamw(_, _, _, let wd, _)): return wd
        default: return .nan
        }
    }
}

/// Functions applied to one argument.
public enum Function: String, CaseIterable, Sendable {
    case exp, ln, sqrt, tanh
    /// max(0, x), as the engine's `x > 0 ? x : 0`.
    case relu
}

public enum Comparison: String, Sendable {
    case greater = ">", equal = "="
}

// MARK: - Building

extension Expr {
    public static func + (a: Expr, b: Expr) -> Expr { .add(a, b) }
    public static func - (a: Expr, b: Expr) -> Expr { .sub(a, b) }
    public static func * (a: Expr, b: Expr) -> Expr { .mul(a, b) }
    public static func / (a: Expr, b: Expr) -> Expr { .div(a, b) }
    public static prefix func - (a: Expr) -> Expr { .neg(a) }
    public static func c(_ v: Double) -> Expr { .constant(v) }
    public static func exp(_ a: Expr) -> Expr { .apply(.exp, a) }
    public static func ln(_ a: Expr) -> Expr { .apply(.ln, a) }
    /// The cell of `ref` at the target cell's own position (element-wise formulas).
    public static func same(_ ref: QuantityRef) -> Expr { .cell(ref, row: .row, col: .col) }
}

// MARK: - Reading

extension Expr {
    /// The direct sub-expressions, left to right.
    public var children: [Expr] {
        switch self {
        case .cell, .hyper, .constant, .count, .previous: return []
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b), .power(let a, let b): return [a, b]
        case .neg(let a), .square(let a), .apply(_, let a), .sum(_, let a), .max(_, let a), .named(_, _, let a): return [a]
        case .when(let l, _, let r, let t, let e): return [l, r, t, e]
        }
    }

    /// The quantities the expression reads, in order of first appearance.
    public var quantities: [QuantityRef] {
        var out: [QuantityRef] = []
        func walk(_ e: Expr) {
            if case .cell(let ref, _, _) = e, !out.contains(ref) { out.append(ref) }
            e.children.forEach(walk)
        }
        walk(self)
        return out
    }

    /// The hyper-parameters the expression reads.
    public var hypers: [Hyper] {
        var out: [Hyper] = []
        func walk(_ e: Expr) {
            if case .hyper(let h) = e, !out.contains(h) { out.append(h) }
            e.children.forEach(walk)
        }
        walk(self)
        return out
    }

    /// The named steps inside the expression, outermost first, each once (by name).
    public var namedSteps: [(name: String, indices: [Index], body: Expr)] {
        var out: [(String, [Index], Expr)] = []
        func walk(_ e: Expr) {
            if case .named(let n, let i, let b) = e, !out.contains(where: { $0.0 == n }) { out.append((n, i, b)) }
            e.children.forEach(walk)
        }
        walk(self)
        return out
    }

    /// The expression with every sub-expression for which `transform` answers replaced by its
    /// answer (outermost first; a replaced part is not searched further). Variants of a formula
    /// (bug models, tests that must fail) are made this way.
    public func rewriting(_ transform: (Expr) -> Expr?) -> Expr {
        if let replaced = transform(self) { return replaced }
        switch self {
        case .cell, .hyper, .constant, .count, .previous: return self
        case .power(let a, let b): return .power(a.rewriting(transform), b.rewriting(transform))
        case .add(let a, let b): return .add(a.rewriting(transform), b.rewriting(transform))
        case .sub(let a, let b): return .sub(a.rewriting(transform), b.rewriting(transform))
        case .mul(let a, let b): return .mul(a.rewriting(transform), b.rewriting(transform))
        case .div(let a, let b): return .div(a.rewriting(transform), b.rewriting(transform))
        case .neg(let a): return .neg(a.rewriting(transform))
        case .square(let a): return .square(a.rewriting(transform))
        case .apply(let f, let a): return .apply(f, a.rewriting(transform))
        case .sum(let b, let a): return .sum(b, a.rewriting(transform))
        case .max(let b, let a): return .max(b, a.rewriting(transform))
        case .when(let l, let op, let r, let t, let e):
            return .when(l.rewriting(transform), op, r.rewriting(transform), then: t.rewriting(transform), else: e.rewriting(transform))
        case .named(let n, let i, let a): return .named(n, i, a.rewriting(transform))
        }
    }
}

/// Concrete values of the indices while a template is evaluated or printed for one cell.
public struct IndexValues: Sendable, Equatable {
    public var row: Int
    public var col: Int
    public var bound: [String: Int] = [:]
    public init(row: Int, col: Int, bound: [String: Int] = [:]) { self.row = row; self.col = col; self.bound = bound }

    public subscript(_ i: Index) -> Int {
        switch i {
        case .row: return row
        case .col: return col
        case .at(let n): return n
        case .bound(let name): return bound[name] ?? 0
        }
    }

    /// The values with the named step's indices set to `values` (a helper cell's position).
    public static func of(_ indices: [Index], _ values: [Int]) -> IndexValues {
        var env = IndexValues(row: 0, col: 0)
        for (i, v) in zip(indices, values) {
            switch i {
            case .row: env.row = v
            case .col: env.col = v
            case .at: break
            case .bound(let name): env.bound[name] = v
            }
        }
        return env
    }
}

/// Every combination of the bindings' values, the first binding outermost (row-major).
func combinations(_ bindings: [Binding], _ counts: [Int], base: IndexValues) -> [IndexValues] {
    var out = [base]
    for (b, n) in zip(bindings, counts) {
        var next: [IndexValues] = []
        next.reserveCapacity(out.count * Swift.max(n, 0))
        for env in out { for v in 0..<Swift.max(n, 0) { var e = env; e.bound[b.index] = v; next.append(e) } }
        out = next
    }
    return out
}
