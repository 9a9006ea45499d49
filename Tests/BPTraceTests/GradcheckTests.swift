import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// `bptrace gradcheck`: central differences of the cost agree with backprop on every preset and
/// every fixture network, and disagree when the backward pass is fed a wrong derivative.
@Suite struct GradcheckTests {
    /// The engine's trainer under backprop rules whose slope is `derivative` (the same
    /// derivative for the output delta and every hidden delta), with the error sent back through
    /// the start-of-step weights: with the right derivative it is the engine's gradient, with a
    /// wrong one gradcheck must fail. The forward values (z, a) are the engine's.
    static func backprop(_ name: String, derivative: @escaping @Sendable (Activation, Matrix, Matrix) -> Matrix?) -> GradientCheck.GradientFunction {
        let rules = BackpropRules.simultaneous.with(slope: SlopeRule(name: name, slope: derivative))
        return { spec, parameters, step in
            var t = Trainer(spec: spec, parameters: parameters, rules: rules)
            let r = t.step(step)
            let L = spec.depth
            return GradientCheck.Gradients(weights: (1...L).compactMap { r[.gradW, $0] }, biases: spec.bias ? (1...L).compactMap { r[.gradB, $0] } : [])
        }
    }

    static let rightDerivative = backprop("f'") { f, z, a in f.slope(z: z, a: a) }
    /// The classic slip: sigmoid'(z) written as σ(z) instead of σ(z)(1 − σ(z)).
    static let wrongSigmoidDerivative = backprop("σ(z)") { f, z, a in f == .sigmoid ? a : f.slope(z: z, a: a) }
    /// tanh'(z) written as 1 − z² instead of 1 − tanh(z)².
    static let wrongTanhDerivative = backprop("1 − z²") { f, z, a in f == .tanh ? z.map { 1 - $0 * $0 } : f.slope(z: z, a: a) }

    /// Every preset and every network of the shipped fixtures (with their `with` variants).
    static var networks: [(String, NetworkSpec)] {
        var out = Presets.all.map { ($0.name, try! Presets.spec(named: $0.name)) }
        for name in CheckFixtureTests.shipped {
            let f = try! FixtureParser.load(path: (CheckFixtureTests.fixturesDir as NSString).appendingPathComponent(name))
            out.append((name, f.spec))
            var seen = Set<String>()
            for e in f.entries where !e.variant.key.isEmpty && seen.insert(e.variant.key).inserted {
                out.append(("\(name) with \(e.variant.key)", e.variant.spec))
            }
        }
        return out
    }

    @Test func passesOnEveryPresetAndFixtureNetwork() {
        let networks = Self.networks
        #expect(networks.count >= 14)
        for (name, spec) in networks {
            let report = GradientCheck.run(spec: spec, steps: 3)
            #expect(report.passed, "\(name): max relative error \(report.maxRelativeError)")
            #expect(report.maxRelativeError < 1e-7, "\(name): \(report.maxRelativeError)")
            #expect(report.checked.count == report.entries.count - report.entries.filter(\.kink).count)
            #expect(report.entries.count == 3 * (spec.layers.indices.dropFirst().reduce(0) { $0 + spec.layers[$1 - 1] * spec.layers[$1] + (spec.bias ? spec.layers[$1] : 0) }))
        }
    }

    @Test func theTestsOwnBackpropEqualsTheEngine() {
        for (name, spec) in Self.networks where !spec.activations.contains(.softmax) || spec.loss == .crossEntropy {
            let p = spec.initialParameters()
            let a = Self.rightDerivative(spec, p, 1), b = GradientCheck.backprop(spec, p, 1)
            for (x, y) in zip(a.weights + a.biases, b.weights + b.biases) {
                for (u, v) in zip(x.values, y.values) { #expect(abs(u - v) <= 1e-15 * max(1, abs(v)), "\(name)") }
            }
        }
    }

    @Test func failsWhenFedAWrongDerivative() {
        for preset in ["mazur-2015", "analytics-vidhya", "xor", "mazur-2015-immediate"] {
            let spec = try! Presets.spec(named: preset)
            let good = GradientCheck.run(spec: spec, gradient: Self.rightDerivative)
            #expect(good.passed, "\(preset)")
            let bad = GradientCheck.run(spec: spec, gradient: Self.wrongSigmoidDerivative)
            #expect(!bad.passed, "\(preset)")
            #expect(bad.maxRelativeError > 0.1, "\(preset): \(bad.maxRelativeError)")
            // The worst parameter leads the table and is marked.
            #expect(bad.text().contains("FAIL"))
            #expect(bad.worst.first!.relativeError == bad.maxRelativeError)
        }
        let deep = try! Presets.spec(named: "tanh-relu-softmax")
        let bad = GradientCheck.run(spec: deep, gradient: Self.wrongTanhDerivative)
        #expect(!bad.passed)
        // Only the tanh layer's derivative is wrong: layers 2 and 3 still agree.
        #expect(bad.failures.allSatisfy { $0.layer == 1 })
    }

    @Test func immediateOrderChecksTheCostsGradientAndReportsTheDeviation() {
        let spec = try! Presets.spec(named: "mazur-2015-immediate")
        let report = GradientCheck.run(spec: spec, steps: 2)
        #expect(report.passed)
        #expect((report.immediateDeviation ?? 0) > 1e-3)
        #expect(report.text().contains("immediate"))
        // The engine's own immediate-order gradients would not pass for the hidden layer.
        let own = GradientCheck.run(spec: spec, steps: 2) { s, p, step in GradientCheck.engineGradients(spec: s, parameters: p, step: step) }
        #expect(!own.passed)
        #expect(own.failures.allSatisfy { $0.layer == 1 })
    }

    @Test func centralDifferenceFormula() {
        // One sigmoid neuron (cs231n): dL/dw1 by hand = x1·σ'(1) = -0.19661193324148185.
        let spec = try! FixtureParser.load(path: CheckFixtureTests.fixturesDir + "/cs231n-sigmoid-neuron.json").spec
        let report = GradientCheck.run(spec: spec)
        let w1 = report.entries.first { $0.name == "w1" }!
        #expect(abs(w1.numeric - -0.19661193324148185) < 1e-10)
        #expect(w1.backprop == -0.19661193324148185)
        // Too large a step measures curvature: ε = 0.1 is visibly off, and fails.
        let coarse = GradientCheck.run(spec: spec, options: GradientCheck.Options(eps: 0.1))
        #expect(!coarse.passed && coarse.maxRelativeError > 1e-4)
    }
}
