/// Prints a cell template as LaTeX (math mode, without delimiters).
///
/// - `.symbolic`: the general formula of cell (i, j) with Σ over named indices (`\sum_{k} x_{i,k} \cdot W^{(1)}_{k,j} + b^{(1)}_{j}`).
/// - `.cells`: the formula of one concrete cell with every sum written out, each cell printed
///   by the caller: as a symbol (`w_{5}`, `out_{h1}`: the handout's post-style names) or as a
///   number (the formula with the numbers substituted).
public struct LaTeXPrinter: Sendable {
    public enum Mode: Sendable {
        case symbolic
        case cells(@Sendable (QuantityRef, Int, Int) -> String)
    }
    public let mode: Mode
    /// A hyper-parameter: `\eta`, `\lambda` by default, or its value.
    public let hyper: @Sendable (Hyper) -> String
    /// A count: `B`, `n_{2}` by default, or its value.
    public let count: @Sendable (Dim) -> String
    /// Cells mode: a named step at its concrete index values printed as a name of the caller's
    /// (`e_{o_{1}}`, or its value), instead of its formula; nil answers print the formula inline.
    public let named: (@Sendable (String, [Int]) -> String?)?
    /// Which branch of a condition to print (true: the first), for a concrete cell or the general form;
    /// without it a condition prints as `cases`.
    public let branch: (@Sendable (Expr, IndexValues) -> Bool)?
    /// Cells mode: the previous step's cell of an optimizer's state (`Expr.previous`), as a
    /// symbol or its value; nil prints the cell's name with the superscript `(t-1)`.
    public let previous: (@Sendable (QuantityRef, Int, Int) -> String)?

    public init(mode: Mode = .symbolic, hyper: @escaping @Sendable (Hyper) -> String = LaTeXPrinter.hyperSymbol,
                count: @escaping @Sendable (Dim) -> String = LaTeXPrinter.countSymbol,
                named: (@Sendable (String, [Int]) -> String?)? = nil,
                branch: (@Sendable (Expr, IndexValues) -> Bool)? = nil,
                previous: (@Sendable (QuantityRef, Int, Int) -> String)? = nil) {
        self.mode = mode; self.hyper = hyper; self.count = count; self.named = named; self.branch = branch
        self.previous = previous
    }

    /// The superscript that marks the previous step's value of a state (`m_{w_{5}}^{(t-1)}`).
    public static let previousMark = "^{(t-1)}"

    public static let hyperSymbol: @Sendable (Hyper) -> String = { $0.latex }
    public static let countSymbol: @Sendable (Dim) -> String = { d in
        switch d {
        case .rows(let r):
            switch r.quantity {
            case .W, .gradW, .WNew: return "n_{\(r.layer - 1)}"
            case .b, .gradB, .bNew, .loss, .cost: return "1"
            default: return "B"
            }
        case .cols(let r): return r.quantity == .loss || r.quantity == .cost ? "1" : "n_{\(r.layer)}"
        }
    }

    /// The symbol of a quantity in the symbolic form (`W^{(2)}`, `\delta^{(1)}`, `x`).
    public static func symbol(_ ref: QuantityRef) -> String {
        switch ref.quantity {
        case .x: return "x"
        case .y: return "y"
        case .E: return "E"
        case .loss: return "\\mathcal{L}"
        case .cost: return "C"
        case .W: return "W^{(\(ref.layer))}"
        case .b: return "b^{(\(ref.layer))}"
        case .z: return "z^{(\(ref.layer))}"
        case .a: return "a^{(\(ref.layer))}"
        case .slope: return "f'^{(\(ref.layer))}"
        case .delta: return "\\delta^{(\(ref.layer))}"
        case .err: return "e^{(\(ref.layer))}"
        case .gradW: return "\\nabla W^{(\(ref.layer))}"
        case .gradB: return "\\nabla b^{(\(ref.layer))}"
        case .WNew: return "W'^{(\(ref.layer))}"
        case .bNew: return "b'^{(\(ref.layer))}"
        case .velW, .velB, .sqW, .sqB, .mW, .mB, .vW, .vB, .mHatW, .mHatB, .vHatW, .vHatB:
            return element(ref, nil)
        }
    }

    /// The letter of an optimizer's state (`\mathrm{vel}`, `\mathrm{sq}`, `m`, `v`, `\hat{m}`,
    /// `\hat{v}`), the same for weights and biases; nil for other quantities.
    public static func stateLetter(_ q: Quantity) -> String? {
        guard q.optimizerStateOfWeights != nil else { return nil }
        let raw = q.rawValue
        let base = raw.hasPrefix("vel") ? "\\mathrm{vel}" : raw.hasPrefix("sq") ? "\\mathrm{sq}" : raw.hasPrefix("m") ? "m" : "v"
        return raw.contains("_hat_") ? "\\hat{\(base)}" : base
    }

    /// The symbol of an element of `ref` at the indices `at` (`W^{(2)}_{i,j}`); a state keeps
    /// its parameter and the indices in one subscript (`m^{(2)}_{W,i,j}`, block `m^{(2)}_{W}`),
    /// and its previous step's value adds `(t-1)` to the superscript (`m^{(2)\,(t-1)}_{W,i,j}`).
    public static func element(_ ref: QuantityRef, _ at: String?, previous: Bool = false) -> String {
        guard let letter = stateLetter(ref.quantity), let weights = ref.quantity.optimizerStateOfWeights else {
            let s = at.map { "\(symbol(ref))_{\($0)}" } ?? symbol(ref)
            return previous ? "{\(s)}\(previousMark)" : s
        }
        return "\(letter)^{(\(ref.layer))\(previous ? "\\," + previousMark.dropFirst(2).dropLast() : "")}_{\(weights ? "W" : "b")\(at.map { ",\($0)" } ?? "")}"
    }

    /// The general formula (symbolic mode) or the formula of cell (row, col) (cells mode).
    public func latex(_ e: Expr, row: Int = 0, col: Int = 0) -> String { print(e, IndexValues(row: row, col: col)).text }

    /// The formula at concrete index values (bound indices of an enclosing sum set).
    public func latex(_ e: Expr, _ env: IndexValues) -> String { print(e, env).text }

    /// Cells mode: a product of counts and constants as one number (`B·n_{2}` as `6`) when every
    /// count prints as a number.
    private func folded(_ e: Expr) -> Double? {
        guard !symbolic else { return nil }
        switch e {
        case .count(let d): return Double(count(d))
        case .mul(let a, let b):
            guard case .count = a, let x = folded(a), let y = folded(b) else { return nil }
            return x * y
        default: return nil
        }
    }

    private enum P: Int, Comparable {
        case additive = 1, multiplicative, unary, power, atom
        static func < (a: P, b: P) -> Bool { a.rawValue < b.rawValue }
    }
    private struct Out { let text: String; let p: P }
    private func wrap(_ o: Out, below p: P) -> String { o.p < p ? "\\left(\(o.text)\\right)" : o.text }
    /// A term after `+` or `-`: in parentheses when it is a sum or starts with a minus (`a + (-0.5)`).
    private func later(_ o: Out) -> String { o.p < .multiplicative || o.p == .unary ? "\\left(\(o.text)\\right)" : o.text }
    private func leafOut(_ s: String) -> Out { Out(text: s, p: s.hasPrefix("-") ? .unary : .atom) }

    private func index(_ i: Index) -> String {
        switch i {
        case .row: return "i"
        case .col: return "j"
        case .at(let n): return String(n + 1)
        case .bound(let n): return n
        }
    }

    private var symbolic: Bool { if case .symbolic = mode { return true } else { return false } }

    private func print(_ e: Expr, _ env: IndexValues) -> Out {
        if case .mul = e, let v = folded(e) { return leafOut(TextPrinter.number(v)) }
        switch e {
        case .cell(let ref, let r, let c):
            switch mode {
            case .symbolic:
                let scalar = ref.quantity == .loss || ref.quantity == .cost
                let at = [.b, .gradB, .bNew].contains(ref.quantity) || ref.quantity.optimizerStateOfWeights == false ? index(c) : "\(index(r)),\(index(c))"
                return Out(text: scalar ? LaTeXPrinter.symbol(ref) : LaTeXPrinter.element(ref, at), p: .atom)
            case .cells(let name): return leafOut(name(ref, env[r], env[c]))
            }
        case .hyper(let h): return leafOut(hyper(h))
        case .previous(let ref, let r, let c):
            switch mode {
            case .symbolic:
                let at = ref.quantity.optimizerStateOfWeights == false ? index(c) : "\(index(r)),\(index(c))"
                return Out(text: LaTeXPrinter.element(ref, at, previous: true), p: .atom)
            case .cells(let name):
                if let previous { return leafOut(previous(ref, env[r], env[c])) }
                return leafOut("{" + name(ref, env[r], env[c]) + "}" + LaTeXPrinter.previousMark)
            }
        case .power(let a, let b): return Out(text: "{" + wrap(print(a, env), below: .atom) + "}^{" + print(b, env).text + "}", p: .power)
        case .constant(let v): return leafOut(TextPrinter.number(v))
        case .count(let d): return leafOut(count(d))
        case .add(let a, let b): return Out(text: print(a, env).text + " + " + later(print(b, env)), p: .additive)
        case .sub(let a, let b): return Out(text: print(a, env).text + " - " + later(print(b, env)), p: .additive)
        case .mul(let a, let b):
            // A negative left factor in parentheses too: `a + (-0.5) \cdot b`, never `a + -0.5 \cdot b`.
            return Out(text: wrap(print(a, env), below: .power) + " \\cdot " + wrap(print(b, env), below: .power), p: .multiplicative)
        case .div(let a, let b): return Out(text: "\\frac{\(print(a, env).text)}{\(print(b, env).text)}", p: .atom)
        case .neg(let a): return Out(text: "-" + wrap(print(a, env), below: .power), p: .unary)
        case .square(let a):
            // A fraction squared (a division, or a cell named `\frac{∂E}{∂w}`) in parentheses:
            // `\left(\frac{a}{b}\right)^{2}`, not a 2 beside the bar.
            let inner = print(a, env)
            if inner.text.hasPrefix("\\frac") { return Out(text: "{\\left(" + inner.text + "\\right)}^{2}", p: .power) }
            return Out(text: "{" + wrap(inner, below: .atom) + "}^{2}", p: .power)
        case .apply(let f, let a):
            let x = print(a, env).text
            switch f {
            case .exp: return Out(text: "e^{\(x)}", p: .atom)
            case .ln: return Out(text: "\\ln\\left(\(x)\\right)", p: .atom)
            case .sqrt: return Out(text: "\\sqrt{\(x)}", p: .atom)
            case .tanh: return Out(text: "\\tanh\\left(\(x)\\right)", p: .atom)
            case .relu: return Out(text: "\\max\\left(0, \(x)\\right)", p: .atom)
            }
        case .when(let l, let op, let r, let t, let f):
            if let branch { return print(branch(e, env) ? t : f, env) }
            let test = "\(print(l, env).text) \(op == .greater ? ">" : "=") \(print(r, env).text)"
            return Out(text: "\\begin{cases} \(print(t, env).text) & \\text{if } \(test) \\\\ \(print(f, env).text) & \\text{otherwise} \\end{cases}", p: .atom)
        case .named(let n, let indices, let body):
            if !symbolic, let named, let text = named(n, indices.map { env[$0] }) { return leafOut(text) }
            return print(body, env)
        case .max(let b, let body):
            if symbolic { return Out(text: "\\max_{\(b.index)} " + wrap(print(body, env), below: .atom), p: .unary) }
            let terms = expanded([b], env).map { print(body, $0).text }
            return Out(text: "\\max\\left(\(terms.joined(separator: ", "))\\right)", p: .atom)
        case .sum(let bindings, let body):
            if symbolic {
                return Out(text: "\\sum_{\(bindings.map(\.index).joined(separator: ","))} " + wrap(print(body, env), below: .multiplicative), p: .unary)
            }
            let terms = expanded(bindings, env).map { print(body, $0) }
            if terms.count == 1 { return terms[0] }
            return Out(text: terms.enumerated().map { $0.offset == 0 ? wrap($0.element, below: .multiplicative) : later($0.element) }.joined(separator: " + "),
                       p: terms.isEmpty ? .atom : .additive)
        }
    }

    /// The index values of a written-out sum or max; counts come from the caller as numbers.
    private func expanded(_ bindings: [Binding], _ env: IndexValues) -> [IndexValues] {
        combinations(bindings, bindings.map { Int(count($0.dim)) ?? 0 }, base: env)
    }
}
