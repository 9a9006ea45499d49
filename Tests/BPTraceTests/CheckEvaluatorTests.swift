import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// The checker reads every value through the catalogue's formulas (`Catalogue.lossTerm`,
/// `lossDerivative`, `inputError`, `errTerm`, `sharedBiasGradient`) evaluated over the step: no
/// arithmetic of the network of its own. This suite keeps, written out here, the arithmetic the
/// checker had before, and requires the same bits on the presets and on random networks (every
/// loss, sigmoid and softmax cross-entropy, both update orders, the lr-folded rules).
@Suite struct CheckEvaluatorTests {
    /// The checker's former hand-written readers (the reference the catalogue must reproduce).
    static func reference(_ target: ValueTarget, _ r: StepResult, _ spec: NetworkSpec) -> Double? {
        let L = spec.depth
        let through = { (l: Int) in spec.update == .immediate ? r.WNew[l]! : r.W[l]! }
        switch target {
        case let .outputTerm(s, k):
            let o = r.a[L][s - 1, k - 1], t = r.y[s - 1, k - 1]
            let B = Double(r.a[L].rows), n = Double(r.a[L].cols)
            switch spec.loss {
            case .halfSSE: return 0.5 * (t - o) * (t - o)
            case .mse: return (t - o) * (t - o) / (B * n)
            case .sum: return o
            case .hinge:
                let y = (0..<r.y.cols).first { r.y[s - 1, $0] == 1 } ?? 0
                let m = o - r.a[L][s - 1, y] + 1
                return k - 1 == y ? 0 : max(0, m) / B
            case .crossEntropy:
                var s = 0.0
                if t != 0 { s += t * Foundation.log(o) }
                if spec.activations[L - 1] != .softmax, 1.0 - t != 0 { s += (1.0 - t) * Foundation.log(1.0 - o) }
                return -s / B
            }
        case let .outputDerivative(s, k):
            let o = r.a[L][s - 1, k - 1], t = r.y[s - 1, k - 1]
            let B = Double(r.a[L].rows), n = Double(r.a[L].cols)
            switch spec.loss {
            case .halfSSE: return o - t
            case .mse: return 2.0 * (o - t) / (B * n)
            case .sum: return 1
            case .hinge:
                let y = (0..<r.y.cols).first { r.y[s - 1, $0] == 1 } ?? 0
                let oy = r.a[L][s - 1, y]
                let violated = (0..<r.y.cols).filter { $0 != y && r.a[L][s - 1, $0] - oy + 1 > 0 }.count
                return (k - 1 == y ? -Double(violated) : (o - oy + 1 > 0 ? 1 : 0)) / B
            case .crossEntropy:
                var d = t != 0 ? -t / o : 0
                if spec.activations[L - 1] != .softmax, 1.0 - t != 0 { d += (1.0 - t) / (1.0 - o) }
                return d / B
            }
        case let .inputError(s, i):
            let w = through(1), d = r.delta[1]!
            var sum = 0.0
            for k in 0..<d.cols { sum += d[s - 1, k] * w[i - 1, k] }
            return sum
        case let .errTerm(s, h, o):
            return r.delta[L]![s - 1, o - 1] * through(L)[h - 1, o - 1]
        case let .sharedBiasGradient(l):
            guard let g = r.gradB[l] else { return nil }
            var sum = 0.0
            for v in g.values { sum += v }
            return sum
        default: return nil
        }
    }

    static func targets(_ spec: NetworkSpec, batch B: Int) -> [ValueTarget] {
        let L = spec.depth
        var out: [ValueTarget] = []
        for s in 1...B {
            for k in 1...spec.layers[L] { out += [.outputTerm(sample: s, output: k), .outputDerivative(sample: s, output: k)] }
            for i in 1...spec.layers[0] { out.append(.inputError(sample: s, input: i)) }
            if L >= 2 { for h in 1...spec.layers[L - 1] { for o in 1...spec.layers[L] { out.append(.errTerm(sample: s, hidden: h, output: o)) } } }
        }
        if spec.bias { for l in 1...L { out.append(.sharedBiasGradient(layer: l)) } }
        return out
    }

    @Test func theCataloguesFormulasGiveTheCheckersFormerValuesBitForBit() throws {
        var specs = try Presets.names.map { try Presets.spec(named: $0) }
        specs += (0..<120).map(CatalogueEngineTests.randomSpec)
        var compared = 0
        var losses: Set<String> = []
        for spec in specs {
            for rules in [BackpropRules.standard, .learningRateFolded] {
                var t = Trainer(spec: spec, rules: rules)
                for s in 1...2 {
                    let r = t.step(s)
                    for target in Self.targets(spec, batch: r.x.rows) {
                        let want = try #require(Self.reference(target, r, spec))
                        let got = try #require(target.read(r, spec: spec), "\(spec.name): \(target)")
                        #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN) || (got == 0 && want == 0),
                                "\(spec.name) \(rules) step \(s): \(target) catalogue \(got), former \(want)")
                        compared += 1
                    }
                    losses.insert("\(spec.loss.rawValue):\(spec.activations[spec.depth - 1] == .softmax):\(spec.update.rawValue)")
                }
            }
        }
        #expect(compared > 5_000)
        #expect(losses.count >= 8, "\(losses.sorted())")
    }

    @Test func targetsOutsideTheStepAreNilNotATrap() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var t = Trainer(spec: spec)
        let r = t.step(1)
        for target: ValueTarget in [.outputTerm(sample: 2, output: 1), .outputDerivative(sample: 1, output: 3), .inputError(sample: 1, input: 9),
                                    .errTerm(sample: 1, hidden: 5, output: 1), .cell(.W, layer: 4, row: 1, col: 1), .cell(.slope, layer: 1, row: 0, col: 1)] {
            #expect(target.read(r, spec: spec) == nil, "\(target)")
        }
        // Before the backward pass, what reads it is nil too.
        #expect(ValueTarget.inputError(sample: 1, input: 1).read(t.forward(2), spec: spec) == nil)
    }
}
