import Foundation
import Testing
@testable import BPTrace

/// `bptrace graph`'s library: the expression parser, the graph built from `Expr`, reverse and
/// forward mode, checked against published numbers and finite differences.
@Suite struct GraphTests {
    static func graph(_ text: String, _ at: [String: Double], expand: Bool = false) throws -> ComputationalGraph {
        var b = GraphBuilder(expand: expand, bindings: at)
        return try b.build(try ExpressionParser.parse(text))
    }

    static func input(_ g: ComputationalGraph, _ name: String) -> GraphNode? {
        g.nodes.first { $0.kind == .input && $0.label == name }
    }

    static func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool { abs(a - b) <= tol }

    /// cs231n, "Backprop, intuitions": f(w, x) = 1/(1 + e^−(w0·x0 + w1·x1 + w2)) at
    /// w = (2, −3, −3), x = (−1, −2): f = 0.73, the +1 gate gives 1.37 with gradient −0.53,
    /// dw = (−0.20, −0.39, 0.20), dx = (0.39, −0.59).
    @Test func cs231nCircuit() throws {
        let g = try Self.graph("1/(1+exp(-(w0*x0+w1*x1+w2)))", ["w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3])
        #expect(Self.close(g.nodes[g.output].value, 0.73, 0.005))
        #expect(g.nodes[g.output].kind == .constDiv(1))
        let plusOne = try #require(g.nodes.first { $0.kind == .addConst(1) })
        #expect(Self.close(plusOne.value, 1.37, 0.005) && Self.close(plusOne.grad, -0.53, 0.005))
        #expect(g.nodes[plusOne.inputs[0]].kind == .exp)
        let published: [(String, Double)] = [("w0", -0.20), ("w1", -0.39), ("w2", 0.20), ("x0", 0.39), ("x1", -0.59)]
        for (name, d) in published {
            let n = try #require(Self.input(g, name))
            #expect(Self.close(n.grad, d, 0.005), "d\(name) = \(n.grad), published \(d)")
        }
        // The gates cs231n draws: 2 ×, 2 +, ×−1, exp, +1, 1/x.
        #expect(g.gateIDs.map { g.nodes[$0].kind.symbol } == ["×", "×", "+", "+", "×−1", "exp", "+1", "1/x"])
        // The local-derivative text of the 1/x gate, as cs231n writes it.
        let t = GateDerivatives.text(.constDiv(1), input: 0, inputs: [plusOne.value], output: g.nodes[g.output].value, digits: 2)
        #expect(t.symbols == "−1/x²" && t.numbers == "−1/1.37²")
    }

    /// The textbook's f(x; w, b) = 1/(exp(−(w·x + b)) + 1) at x = 1, w = 0, b = 0:
    /// f = 0.5, ∂f/∂w = ∂f/∂b = 0.25 (and ∂f/∂x = w·0.25 = 0).
    @Test func textbookGraphAtZero() throws {
        for expand in [false, true] {
            let g = try Self.graph("1/(exp(-(w*x+b))+1)", ["x": 1, "w": 0, "b": 0], expand: expand)
            #expect(g.nodes[g.output].value == 0.5)
            #expect(Self.input(g, "w")?.grad == 0.25 && Self.input(g, "b")?.grad == 0.25 && Self.input(g, "x")?.grad == 0)
            let s = try Self.graph("sigmoid(w*x+b)", ["x": 1, "w": 0, "b": 0], expand: expand)
            #expect(Self.input(s, "w")?.grad == 0.25 && Self.input(s, "b")?.grad == 0.25)
            #expect(s.gateIDs.contains { s.nodes[$0].kind == .sigmoid } == !expand)
        }
    }

    /// Forward mode's tangent of the output for each input equals reverse mode's gradient.
    @Test func forwardModeEqualsReverseMode() throws {
        let g = try Self.graph("tanh(a*b) + max(a, c)^2 / (1 + relu(c - b)) - log(square(b) + 1) * sigmoid(a) + sqrt(ln(2 + a*a))", ["a": 0.7, "b": -1.3, "c": 0.4])
        for v in g.inputIDs {
            let t = GraphModes.tangents(g, seed: v)
            #expect(Self.close(t[g.output], g.nodes[v].grad, 1e-12), "\(g.nodes[v].label): \(t[g.output]) vs \(g.nodes[v].grad)")
        }
        // max(a, c) is one max gate whose gradient goes to a (0.7 > 0.4) only.
        let m = try #require(g.nodes.first { $0.kind == .max })
        #expect(m.inputs.map { g.nodes[$0].label } == ["a", "c"] && GraphModes.locals(g, m.id) == [1, 0])
        let c = GraphModes.cost(g)
        #expect(c.inputs == 3 && c.forwardPasses == 3 && c.reversePasses == 1 && c.forwardOperations == 3 * c.reverseOperations)
    }

    /// --expand changes the gates, not the numbers.
    @Test func expandKeepsValuesAndGradients() throws {
        let text = "tanh(w*x) + sigmoid(x - w)"
        let at = ["w": 0.3, "x": -0.8]
        let a = try Self.graph(text, at), b = try Self.graph(text, at, expand: true)
        #expect(Self.close(a.nodes[a.output].value, b.nodes[b.output].value, 1e-15))
        for name in ["w", "x"] { #expect(Self.close(Self.input(a, name)!.grad, Self.input(b, name)!.grad, 1e-14)) }
        #expect(b.gateIDs.allSatisfy { b.nodes[$0].kind != .tanh && b.nodes[$0].kind != .sigmoid })
        #expect(b.gateIDs.count > a.gateIDs.count)
    }

    /// Random expressions: every input's gradient agrees with a central difference of the
    /// graph's own forward value.
    @Test func randomExpressionsMatchFiniteDifferences() throws {
        var seed = UInt64(12345)
        func next() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
        let leaves = ["a", "b", "c", "0.5", "2"]
        func make(_ depth: Int) -> String {
            if depth == 0 || next() < 0.2 { return leaves[Int(next() * Double(leaves.count))] }
            switch Int(next() * 11) {
            case 0: return "(\(make(depth - 1)) + \(make(depth - 1)))"
            case 1: return "(\(make(depth - 1)) - \(make(depth - 1)))"
            case 2: return "(\(make(depth - 1)) * \(make(depth - 1)))"
            case 3: return "(\(make(depth - 1)) / (1 + square(\(make(depth - 1)))))"
            case 4: return "exp(0.3 * \(make(depth - 1)))"
            case 5: return "tanh(\(make(depth - 1)))"
            case 6: return "sigmoid(\(make(depth - 1)))"
            case 7: return "log(1 + square(\(make(depth - 1))))"
            case 8: return "sqrt(1 + square(\(make(depth - 1))))"
            case 9: return "max(\(make(depth - 1)), relu(\(make(depth - 1))))"
            default: return "-(\(make(depth - 1)))^2"
            }
        }
        for _ in 0..<40 {
            let text = make(4)
            let at = ["a": next() * 2 - 1, "b": next() * 2 - 1, "c": next() * 2 - 1]
            let e = try ExpressionParser.parse(text)
            let vars = GraphVariable.variables(in: e)
            var full = at; for v in ["a", "b", "c"] where !vars.contains(v) { full.removeValue(forKey: v) }
            let g = try Self.graph(text, full)
            for v in vars {
                let h = 1e-6
                var up = full, down = full
                up[v]! += h; down[v]! -= h
                let fd = (try Self.graph(text, up).nodes.last!.value - (try Self.graph(text, down).nodes.last!.value)) / (2 * h)
                let bp = Self.input(g, v)!.grad
                #expect(abs(fd - bp) <= 1e-6 * max(1, abs(bp)), "\(text) d/d\(v): backprop \(bp), finite difference \(fd)")
            }
        }
    }

    /// Bad expressions name the column of the error.
    @Test func parseErrorsNameTheColumn() {
        let cases: [(String, Int, String)] = [
            ("1 + ", 5, "expected"),
            ("(a + b", 7, "missing ')'"),
            ("a + * b", 5, "unexpected '*'"),
            ("foo(a)", 1, "unknown function 'foo'"),
            ("max(a)", 1, "max takes 2 arguments"),
            ("a ^ 3", 5, "only ^2"),
            ("a b", 3, "after a complete expression"),
            ("exp", 1, "exp is a function"),
            ("", 1, "empty"),
            ("a $ b", 3, "unexpected '$'"),
        ]
        for (text, column, words) in cases {
            do {
                _ = try ExpressionParser.parse(text)
                Issue.record("\(text) parsed")
            } catch let e as ExpressionParser.ParseError {
                #expect(e.column == column && e.message.contains(words), "\(text): \(e)")
            } catch { Issue.record("\(error)") }
        }
        // A long chain is refused by its height, not by a stack overflow.
        let chain = Array(repeating: "a", count: 4999).joined(separator: "+")
        #expect(throws: ExpressionParser.ParseError.self) { try ExpressionParser.parse(chain) }
        #expect(ExpressionParser.height(try! ExpressionParser.parse(Array(repeating: "a", count: 300).joined(separator: "*"))) == 300)
        let deep = String(repeating: "(", count: 500) + "a" + String(repeating: ")", count: 500)
        #expect(throws: ExpressionParser.ParseError.self) { try ExpressionParser.parse(deep) }
    }

    /// `--cell out_o1` of mazur-2015: the graph's output is the trace's out_o1, its gradient
    /// with respect to w5 is d out_o1/d w5 = slope_o1 · out_h1 from the trace, and the
    /// gradient at net_o1 is the slope.
    @Test func mazurCellMatchesTheTrace() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var trainer = Trainer(spec: spec)
        let step = trainer.step(1)
        let L = spec.depth
        let g = try CellGraph.build(spec: spec, step: step, ref: QuantityRef(.a, L), row: 0, col: 0, expand: false)
        #expect(g.nodes[g.output].value == step[.a, L]![0, 0])
        #expect(g.nodes[g.output].name == "out_o1")
        let slope = step[.slope, L]![0, 0], outH1 = step[.a, 1]![0, 0]
        let w5 = try #require(Self.input(g, "w5"))
        #expect(Self.close(w5.grad, slope * outH1, 1e-15))
        let net = try #require(g.nodes.first { $0.name == "net_o1" })
        #expect(net.value == step[.z, L]![0, 0] && Self.close(net.grad, slope, 1e-15))
        #expect(Self.close(g.nodes[g.output].value, 0.75136507, 5e-9))
        // Every input is a parameter or an input of the step, named as the post names them.
        #expect(Set(g.inputIDs.map { g.nodes[$0].label }) == ["i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "b1_1", "b1_2", "b2_1"])
        // Expanded, the σ gates become primitives and the numbers stay.
        let x = try CellGraph.build(spec: spec, step: step, ref: QuantityRef(.a, L), row: 0, col: 0, expand: true)
        #expect(Self.close(x.nodes[x.output].value, g.nodes[g.output].value, 1e-15))
        #expect(Self.close(Self.input(x, "w5")!.grad, w5.grad, 1e-15))
    }

    /// The loss E_total of mazur-2015: its gradient w.r.t. w5 is the trace's grad_W.
    @Test func mazurLossGradientIsTheTracesGradient() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var trainer = Trainer(spec: spec)
        let step = trainer.step(1)
        let L = spec.depth
        let g = try CellGraph.build(spec: spec, step: step, ref: QuantityRef(.loss, L), row: 0, col: 0, expand: false)
        #expect(Self.close(g.nodes[g.output].value, step[.loss, L]![0, 0], 1e-15))
        #expect(Self.close(Self.input(g, "w5")!.grad, step[.gradW, L]![0, 0], 1e-15))
        #expect(Self.close(Self.input(g, "w1")!.grad, step[.gradW, 1]![0, 0], 1e-15))
    }

    /// A deeper net with tanh, relu, softmax, cross-entropy, a batch of 2 and l2: the loss's
    /// graph has, at every weight, the trace's grad_W less its l2 term λ·W (the loss has no l2).
    @Test func softmaxCrossEntropyLossGradients() throws {
        let spec = try Presets.spec(named: "tanh-relu-softmax")
        var trainer = Trainer(spec: spec)
        let step = trainer.step(1)
        let L = spec.depth
        let g = try CellGraph.build(spec: spec, step: step, ref: QuantityRef(.loss, L), row: 0, col: 0, expand: false)
        #expect(Self.close(g.nodes[g.output].value, step[.loss, L]![0, 0], 1e-12))
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        var checked = 0
        for l in 1...L {
            let W = step[.W, l]!, grad = step[.gradW, l]!
            for i in 0..<W.rows { for j in 0..<W.cols {
                let label = names.weight(layer: l, source: i, target: j).plain
                let n = try #require(Self.input(g, label))
                #expect(Self.close(n.grad, grad[i, j] - spec.l2 * W[i, j], 1e-12), "\(label)")
                checked += 1
            } }
        }
        #expect(checked == 4 * 5 + 5 * 4 + 4 * 3)
    }
}
