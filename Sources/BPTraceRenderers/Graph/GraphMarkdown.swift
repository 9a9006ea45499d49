import BPTrace
import Foundation

/// `<name>-graph.md`: the graph in the handout's style. For every gate its formula, the
/// numbers put in, the result (forward pass); then every step of the backward pass as
/// local derivative · upstream gradient = gradient sent back ("−1/1.37² · 1.00 = −0.53"); then
/// forward mode, one table per input variable; then what each mode costs for this graph.
public enum GraphMarkdown {
    public static func render(_ g: ComputationalGraph, title: String, source: String, digits: Int, picture: String?) -> String {
        let f = { (v: Double) in GraphNumber.fixed(v, digits) }
        let name = { (id: Int) -> String in
            let n = g.nodes[id]
            switch n.kind {
            case .input: return "**\(HandoutEscape.markdown(n.label))**"
            case .constant: return f(n.value)
            default: return "v\(id)" + (n.name.map { " (\(HandoutEscape.markdown($0)))" } ?? "")
            }
        }
        let short = { (id: Int) -> String in
            let n = g.nodes[id]
            return n.kind == .input ? HandoutEscape.markdown(n.label) : n.kind == .constant ? f(n.value) : "v\(id)"
        }
        var out = "# Computational graph: \(code(title))\n\n\(code(source))\n\n"
        if let picture { out += "![The circuit: forward values above each wire, gradients below](\(picture))\n\n" }
        out += "Values are shown with \(digits) decimals; the JSON file has them in full.\n\n"
        out += "## Forward pass\n\nEach gate: formula → numbers → result.\n\n"
        for id in g.gateIDs {
            let n = g.nodes[id]
            let a = n.inputs.map(short), x = n.inputs.map { f(g.nodes[$0].value) }
            out += "- \(name(id)) = \(formula(n.kind, a)) = \(formula(n.kind, x)) = **\(f(n.value))**\n"
        }
        out += "\nOutput: \(name(g.output)) = **\(f(g.nodes[g.output].value))**.\n\n"
        out += "## Reverse mode (backpropagation)\n\n"
        out += "One pass from the output back: ∂f/∂\(short(g.output)) = 1, and at each gate the gradient sent to an input is the gate's local derivative times the gradient arriving from above (the upstream gradient); a node read by several gates adds what each sends back.\n\n"
        for s in GraphModes.chainSteps(g) {
            let n = g.nodes[s.gate]
            let k = n.inputs.firstIndex(of: s.input) ?? 0
            let t = GateDerivatives.text(n.kind, input: k, inputs: n.inputs.map { g.nodes[$0].value }, output: n.value, digits: digits)
            // For a product, the local derivative is the other factor: name it.
            let symbols = n.kind == .mul ? short(n.inputs[1 - k]) : n.kind == .div ? (k == 0 ? "1/\(short(n.inputs[1]))" : "−\(short(n.inputs[0]))/\(short(n.inputs[1]))²") : t.symbols
            let up = f(s.upstream)
            out += "- gate \(short(s.gate)) (\(n.kind.symbol)) → \(short(s.input)): local ∂\(short(s.gate))/∂\(short(s.input)) = \(symbols); "
            out += "\(t.numbers) · \(up.hasPrefix("−") ? "(\(up))" : up) = **\(f(s.product))**\n"
        }
        out += "\nGradients of the output:\n\n| node | label | value | gradient |\n|---|---|---:|---:|\n"
        for n in g.nodes where n.kind != .constant {
            out += "| \(short(n.id)) | \(HandoutEscape.markdown(n.name ?? n.label)) | \(f(n.value)) | \(f(n.grad)) |\n"
        }
        out += "\n## Forward mode\n\nOne pass per input variable, carrying its tangent (∂node/∂variable) along with the values: "
        out += "each gate's tangent is the sum over its inputs of local derivative × the input's tangent. The output's tangent is the same number reverse mode finds.\n\n"
        let tables = g.inputIDs.count * g.nodes.count <= tableLimit
        if !tables {
            out += "This graph has \(g.inputIDs.count) inputs and \(g.nodes.count) nodes: their \(g.inputIDs.count * g.nodes.count) tangents are too many for tables here"
            out += g.inputIDs.count * g.nodes.count <= GraphJSON.forwardModeLimit ? "; the JSON file has them all.\n\n" : ".\n\n"
        }
        for v in g.inputIDs where tables {
            let t = GraphModes.tangents(g, seed: v)
            out += "### Tangent of \(HandoutEscape.markdown(g.nodes[v].label))\n\n| node | label | tangent |\n|---|---|---:|\n"
            for n in g.nodes where n.kind != .constant { out += "| \(short(n.id)) | \(HandoutEscape.markdown(n.name ?? n.label)) | \(f(t[n.id])) |\n" }
            out += "\n"
        }
        let c = GraphModes.cost(g)
        out += "## Cost of each mode for this graph\n\n"
        out += "The graph has \(c.inputs) input variable\(c.inputs == 1 ? "" : "s"), \(c.gates) gate\(c.gates == 1 ? "" : "s") and \(c.edges) wire\(c.edges == 1 ? "" : "s") into gates; "
        out += "each mode does one multiply-add (local derivative × incoming derivative) per wire and pass.\n\n"
        out += "- Forward mode: \(c.forwardPasses) pass\(c.forwardPasses == 1 ? "" : "es") (one per input), \(c.forwardPasses) × \(c.edges) = \(c.forwardOperations) multiply-adds, for the derivative of the one output with respect to every input.\n"
        out += "- Reverse mode: 1 forward pass for the values and 1 backward pass, \(c.reverseOperations) multiply-adds, for the same derivatives. With one output and many inputs (a loss and its weights) reverse mode is the cheaper one: that is why training uses backpropagation.\n"
        return out
    }

    /// Most tangents (inputs × nodes) written as forward-mode tables.
    public static let tableLimit = 5_000

    /// `s` as a code span (one line; the texts are bptrace's own or a parsed expression).
    static func code(_ s: String) -> String {
        let line = s.map { $0.isNewline ? " " : String($0) }.joined().replacingOccurrences(of: "`", with: "'")
        return "`" + line + "`"
    }

    /// The gate's operation on `a` (names or numbers).
    static func formula(_ kind: GateKind, _ a: [String]) -> String {
        let p = { (s: String) in s.hasPrefix("−") ? "(\(s))" : s }
        let c = { (v: Double) in GraphNumber.plain(v).replacingOccurrences(of: "-", with: "−") }
        switch kind {
        case .input, .constant: return a.first ?? ""
        case .add: return "\(a[0]) + \(p(a[1]))"
        case .sub: return "\(a[0]) − \(p(a[1]))"
        case .mul: return "\(p(a[0])) · \(p(a[1]))"
        case .div: return "\(p(a[0])) / \(p(a[1]))"
        case .max: return "max(\(a.joined(separator: ", ")))"
        case .neg: return "−\(p(a[0]))"
        case .exp, .log, .tanh, .sigmoid, .relu: return "\(kind.symbol)(\(a[0]))"   // the gate's own name
        case .square: return "\(p(a[0]))²"
        case .sqrt: return "√\(p(a[0]))"
        case .addConst(let v): return v < 0 ? "\(a[0]) − \(c(-v))" : "\(a[0]) + \(c(v))"
        case .mulConst(let v): return "\(c(v)) · \(p(a[0]))"
        case .subConst(let v): return "\(a[0]) − \(c(v))"
        case .constSub(let v): return "\(c(v)) − \(p(a[0]))"
        case .divConst(let v): return "\(p(a[0])) / \(c(v))"
        case .constDiv(let v): return "\(c(v)) / \(p(a[0]))"
        }
    }
}
