import Foundation

/// The graph's own math: one table of gate → local derivative ∂out/∂input, from the gate's
/// input values x (and output value y). This is the only calculus in the graph code; forward
/// values come from the catalogue's evaluator (`GraphBuilder`). Documented in docs/GRAPH.md.
public enum GateDerivatives {
    /// ∂(gate)/∂(input k) for each input of `node`, given the values of its inputs.
    public static func local(_ kind: GateKind, inputs x: [Double], output y: Double) -> [Double] {
        switch kind {
        case .input, .constant: return []
        case .add: return [1, 1]
        case .sub: return [1, -1]
        case .mul: return [x[1], x[0]]
        case .div: return [1 / x[1], -x[0] / (x[1] * x[1])]
        case .max:
            // the first largest input gets the gradient (the catalogue's max keeps the first of equals)
            var best = 0
            for k in x.indices.dropFirst() where x[k] > x[best] { best = k }
            return x.indices.map { $0 == best ? 1 : 0 }
        case .neg: return [-1]
        case .exp: return [y]
        case .log: return [1 / x[0]]
        case .tanh: return [1 - y * y]
        case .sigmoid: return [y * (1 - y)]
        case .relu: return [x[0] > 0 ? 1 : 0]
        case .square: return [2 * x[0]]
        case .sqrt: return [1 / (2 * y)]
        case .addConst, .subConst: return [1]
        case .constSub: return [-1]
        case .mulConst(let c): return [c]
        case .divConst(let c): return [1 / c]
        case .constDiv(let c): return [-c / (x[0] * x[0])]
        }
    }

    /// The local derivative of input k as a formula in symbols and with the numbers put in
    /// ("−1/x²", "−1/1.37²"); `digits` decimals.
    public static func text(_ kind: GateKind, input k: Int, inputs x: [Double], output y: Double, digits: Int) -> (symbols: String, numbers: String) {
        let f = { (v: Double) in GraphNumber.fixed(v, digits) }
        let p = { (v: Double) in v < 0 ? "(\(f(v)))" : f(v) }
        let c = { (v: Double) in GraphNumber.plain(v).replacingOccurrences(of: "-", with: "−") }
        switch kind {
        case .input, .constant: return ("", "")
        case .add, .addConst, .subConst: return ("1", "1")
        case .sub: return k == 0 ? ("1", "1") : ("−1", "−1")
        case .neg, .constSub: return ("−1", "−1")
        case .mul: return k == 0 ? ("b", f(x[1])) : ("a", f(x[0]))
        case .div: return k == 0 ? ("1/b", "1/\(p(x[1]))") : ("−a/b²", "−\(p(x[0]))/\(p(x[1]))²")
        case .max:
            let local = GateDerivatives.local(kind, inputs: x, output: y)[k]
            return (local == 1 ? "1 (largest input)" : "0 (not the largest)", local == 1 ? "1" : "0")
        case .exp: return ("eˣ", "e^\(p(x[0]))")
        case .log: return ("1/x", "1/\(p(x[0]))")
        case .tanh: return ("1 − tanh²(x)", "1 − \(p(y))²")
        case .sigmoid: return ("σ(x)(1 − σ(x))", "\(f(y))·(1 − \(f(y)))")
        case .relu: return ("[x > 0]", x[0] > 0 ? "1" : "0")
        case .square: return ("2x", "2·\(p(x[0]))")
        case .sqrt: return ("1/(2√x)", "1/(2·\(f(y)))")
        case .mulConst(let v): return (c(v), c(v))
        case .divConst(let v): return ("1/\(c(v))", "1/\(c(v))")
        case .constDiv(let v): return ("−\(c(v))/x²", "−\(c(v))/\(p(x[0]))²")
        }
    }
}
