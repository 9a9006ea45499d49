import Foundation
import Testing
import BPTrace
import BPTraceCheck

/// The math lives in two places, the engine (`Trainer`, `Activation`, `Loss`) and the
/// catalogue's formulas (`Catalogue.expression(of:)`), and this suite holds them together: for
/// every preset, every fixture spec and 240 random networks (every activation, loss, batch
/// mode, l2, bias, update_biases and update order), every cell of every computed quantity of
/// every step, evaluated from the catalogue's formula over the traced operands, is the engine's
/// value.
///
/// Tolerance: relative 1e-12 with no absolute floor — the evaluator does the engine's arithmetic
/// in the engine's order, so values agree bit for bit; only two sums are grouped differently
/// (cost adds Σ W² layer by layer where the engine keeps one running sum; a sigmoid
/// cross-entropy term adds its two parts before the running sum), and both add terms of one
/// sign, so the relative error stays at a few ulps at any magnitude. A floor would only hide
/// a formula that is wrong near 0. Every other quantity is required to match exactly.
@Suite struct CatalogueEngineTests {
    static let relative = 1e-12
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Quantities whose catalogue sum is grouped differently from the engine's (see above).
    static func regrouped(_ ref: QuantityRef, _ spec: NetworkSpec) -> Bool {
        ref.quantity == .cost || (ref.quantity == .loss && spec.loss == .crossEntropy)
    }

    struct Outcome {
        var cells = 0
        var mismatches: [String] = []
        var covered: Set<String> = []
    }

    /// Runs `steps` steps and compares every computed cell; `variant` may alter a formula.
    /// `rules`: the trainer runs under them and the catalogue's formulas are those for them
    /// (`expression(of:under:)`); `catalogueRules` may name other rules for the formulas.
    static func compare(_ spec: NetworkSpec, steps: Int, rules: BackpropRules = .standard, catalogueRules: BackpropRules? = nil,
                        variant: (QuantityRef, Expr) -> Expr = { $1 }) -> Outcome {
        let catalogue = Catalogue(spec: spec)
        var trainer = Trainer(spec: spec, rules: rules)
        var out = Outcome()
        var before: StepResult? = nil
        for s in 1...steps {
            let step = trainer.step(s)
            // The previous step's traced state feeds the optimizers' formulas (0 at step 1).
            let evaluator = Evaluator(spec: spec, step: step, previous: before)
            defer { before = step }
            var traced: [QuantityRef: Matrix] = [:]
            for b in step.blocks() { traced[QuantityRef(b.quantity, b.layer)] = b.matrix }
            for ref in catalogue.stepQuantities {
                guard let template = catalogue.expression(of: ref, under: catalogueRules ?? rules) else { continue }
                guard let engine = traced[ref] else { out.mismatches.append("\(spec.name) step \(s): \(ref) has a formula but no trace"); continue }
                let shape = catalogue.shape(of: ref, batchSize: step.x.rows)
                if shape != (engine.rows, engine.cols) { out.mismatches.append("\(spec.name) step \(s): \(ref) is \(engine.rows)x\(engine.cols), the catalogue says \(shape)") }
                let e = variant(ref, template)
                out.covered.insert(coverageKey(ref, spec))
                for r in 0..<engine.rows {
                    for c in 0..<engine.cols {
                        let want = engine[r, c], got = evaluator.evaluate(e, row: r, col: c)
                        out.cells += 1
                        let same = got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN)
                        let close = abs(got - want) <= relative * max(abs(got), abs(want))
                        if !(same || (regrouped(ref, spec) && close)) {
                            out.mismatches.append("\(spec.name) step \(s): \(ref)[\(r),\(c)] engine \(want), catalogue \(got)")
                        }
                    }
                }
            }
        }
        return out
    }

    /// What a quantity's formula depends on: its name with the setting that picks the formula.
    static func coverageKey(_ ref: QuantityRef, _ spec: NetworkSpec) -> String {
        let L = spec.depth
        switch ref.quantity {
        case .a, .slope: return "\(ref.quantity.rawValue):\(spec.activations[ref.layer - 1].rawValue)"
        case .loss: return "loss:\(spec.loss.rawValue)" + (spec.loss == .crossEntropy ? ":\(spec.activations[L - 1].rawValue)" : "")
        case .delta where ref.layer == L: return "delta(L):\(spec.loss.rawValue)"
        case .delta: return "delta(hidden)"
        case .err: return "err:\(spec.update.rawValue)"
        case .gradW: return "grad_W:l2=\(spec.l2 > 0)"
        case .bNew: return "b_new:update_biases=\(spec.updateBiases)" + (spec.optimizer.isSGD || !spec.updateBiases ? "" : ":\(spec.optimizer.name)")
        case .WNew where !spec.optimizer.isSGD: return "W_new:\(spec.optimizer.name)"
        case .z: return "z:bias=\(spec.bias)"
        default: return ref.quantity.rawValue
        }
    }

    static let expectedCoverage: Set<String> = {
        var s: Set<String> = ["E", "cost", "delta(hidden)", "W_new", "grad_b", "err:simultaneous", "err:immediate",
                              "grad_W:l2=true", "grad_W:l2=false", "b_new:update_biases=true", "b_new:update_biases=false",
                              "z:bias=true", "z:bias=false", "loss:cross_entropy:softmax", "loss:cross_entropy:sigmoid"]
        for f in Activation.allCases { s.insert("a:\(f.rawValue)"); if f != .softmax { s.insert("slope:\(f.rawValue)") } }
        for l in Loss.allCases { s.insert("delta(L):\(l.rawValue)"); if l != .crossEntropy { s.insert("loss:\(l.rawValue)") } }
        return s
    }()

    // MARK: - Random networks

    /// SplitMix64: a small seeded generator, so the networks are the same on every run.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func double(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(next() >> 11) / Double(1 << 53) }
        mutating func bool() -> Bool { next() & 1 == 1 }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    /// A valid random network: softmax only at the output with cross-entropy and ≥ 2 outputs,
    /// cross-entropy only after sigmoid or softmax with targets in [0, 1] (some exactly 0 or 1,
    /// so the terms that count 0 are exercised), hinge only after a linear output with one-hot
    /// targets and ≥ 2 outputs.
    static func randomSpec(_ i: Int) -> NetworkSpec {
        var g = Random(state: UInt64(i) &* 7919 &+ 17)
        let depth = g.int(1...3)
        let hidden: [Activation] = [.sigmoid, .tanh, .relu, .linear]
        let output = g.pick([Activation.sigmoid, .tanh, .relu, .linear, .softmax])
        let loss: Loss
        switch output {
        case .softmax: loss = .crossEntropy
        case .sigmoid: loss = g.pick([.halfSSE, .mse, .sum, .crossEntropy])
        case .linear: loss = g.pick([.halfSSE, .mse, .sum, .hinge])
        default: loss = g.pick([.halfSSE, .mse, .sum])
        }
        var layers = [g.int(1...4)]
        for _ in 1..<depth { layers.append(g.int(1...5)) }
        layers.append(output == .softmax || loss == .hinge ? g.int(2...5) : g.int(1...4))
        let activations = (1..<depth).map { _ in g.pick(hidden) } + [output]
        let n = g.int(1...5)
        let inputs = Matrix(rows: n, cols: layers[0], values: (0..<(n * layers[0])).map { _ in g.double(-2, 2) })
        let ce = loss == .crossEntropy
        var targets = Matrix(rows: n, cols: layers[depth], values: (0..<(n * layers[depth])).map { _ in
            ce ? g.pick([0, 1, g.double(0, 1)]) : g.double(-1.5, 1.5)
        })
        if loss == .hinge {
            // One-hot rows, the class of each sample drawn.
            targets = Matrix(rows: n, cols: layers[depth])
            for r in 0..<n { targets[r, g.int(0...(layers[depth] - 1))] = 1 }
        }
        let bias = i % 7 != 3 && g.bool() || i % 2 == 0
        let weights: [Matrix?] = (1...depth).map { l in
            Matrix(rows: layers[l - 1], cols: layers[l], values: (0..<(layers[l - 1] * layers[l])).map { _ in g.double(-1.5, 1.5) })
        }
        let biases: [[Double]?] = bias ? (1...depth).map { l in (0..<layers[l]).map { _ in g.double(-1, 1) } } : Array(repeating: nil, count: depth)
        let batch: BatchMode = [BatchMode.full, .sample, .size(g.int(1...4))][i % 3]
        return NetworkSpec(name: "random-\(i)", layers: layers, activations: activations, loss: loss,
                           learningRate: g.double(0.01, 1), batch: batch, bias: bias, updateBiases: g.bool(),
                           update: g.bool() ? .immediate : .simultaneous, l2: g.bool() ? g.double(0.0001, 0.1) : 0,
                           weights: weights, biases: biases, data: Dataset(inputs: inputs, targets: targets))
    }

    static let randomCount = 240

    /// `randomSpec(i)` with an optimizer drawn from every kind, some with non-default
    /// hyper-parameters (AdamW with and without the decay of biases).
    static func randomOptimizerSpec(_ i: Int) -> NetworkSpec {
        var spec = randomSpec(i)
        var g = Random(state: UInt64(i) &* 104_729 &+ 3)
        let choices: [OptimizerSpec] = [
            .momentum(mu: g.double(0, 0.99)), .nesterov(mu: g.double(0, 0.99)), .rmsprop(rho: g.double(0, 0.99), eps: 1e-8),
            .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8), .adam(beta1: g.double(0, 0.99), beta2: g.double(0, 0.99), eps: g.double(1e-8, 1e-3)),
            .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: g.double(0, 0.2), decayBiases: g.bool()),
            .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decayBiases: false),
        ]
        spec.optimizer = choices[i % choices.count]
        spec.name = "random-\(spec.optimizer.name)-\(i)"
        return spec
    }

    /// The optimizers: every state cell and W_new / b_new of 140 random networks (every batch
    /// mode, l2, bias setting and update order), over 4 steps so the state carries, is the
    /// catalogue's formula over the same step's gradient and the previous step's state.
    @Test func randomOptimizerNetworksMatchEngine() {
        var covered: Set<String> = []
        var mismatches: [String] = []
        var cells = 0
        for i in 0..<140 {
            let outcome = Self.compare(Self.randomOptimizerSpec(i), steps: 4)
            covered.formUnion(outcome.covered)
            mismatches += outcome.mismatches
            cells += outcome.cells
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g.\n\(mismatches.prefix(8).joined(separator: "\n"))")
        let states = ["vel_W", "vel_b", "sq_W", "sq_b", "m_W", "m_b", "v_W", "v_b", "m_hat_W", "m_hat_b", "v_hat_W", "v_hat_b"]
        let updates = OptimizerSpec.names.dropFirst().flatMap { ["W_new:\($0)", "b_new:update_biases=true:\($0)"] }
        let expected = Set(states + updates)
        #expect(expected.subtracting(covered).isEmpty, "not covered: \(expected.subtracting(covered).sorted())")
        #expect(cells > 20_000)
    }

    // MARK: - Tests

    @Test(arguments: Presets.names)
    func presetMatchesEngine(_ name: String) throws {
        let outcome = Self.compare(try Presets.spec(named: name), steps: 5)
        #expect(outcome.cells > 0)
        #expect(outcome.mismatches.count == 0, "\(outcome.mismatches.prefix(5).joined(separator: "\n"))")
    }

    @Test func fixtureSpecsMatchEngine() throws {
        let dir = Self.root + "/Fixtures"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 8)
        for f in files {
            let fixture = try FixtureParser.parse(text: try String(contentsOfFile: dir + "/" + f, encoding: .utf8), file: f, baseDirectory: dir)
            let outcome = Self.compare(fixture.spec, steps: 4)
            #expect(outcome.mismatches.count == 0, "\(f): \(outcome.mismatches.prefix(5).joined(separator: "\n"))")
        }
    }

    @Test func randomNetworksMatchEngine() {
        var covered: Set<String> = []
        var cells = 0
        var mismatches: [String] = []
        var batches: Set<String> = []
        for i in 0..<Self.randomCount {
            let spec = Self.randomSpec(i)
            let outcome = Self.compare(spec, steps: 3)
            covered.formUnion(outcome.covered)
            cells += outcome.cells
            mismatches += outcome.mismatches
            batches.insert("\(spec.batch)".filter(\.isLetter).isEmpty ? "k" : "\(spec.batch)")
        }
        #expect(mismatches.count == 0, "\(mismatches.count) mismatches, e.g.\n\(mismatches.prefix(8).joined(separator: "\n"))")
        // Every formula the catalogue can choose was exercised.
        #expect(Self.expectedCoverage.subtracting(covered).isEmpty, "not covered: \(Self.expectedCoverage.subtracting(covered).sorted())")
        #expect(batches == ["full", "sample", "k"])
        #expect(cells > 50_000)
    }

    /// Every computed quantity has a formula, and the inputs have none.
    @Test func everyComputedQuantityHasAFormula() throws {
        for i in 0..<40 {
            let spec = Self.randomSpec(i)
            let catalogue = Catalogue(spec: spec)
            for ref in catalogue.stepQuantities {
                let input = [.x, .y, .W, .b].contains(ref.quantity)
                #expect((catalogue.expression(of: ref) == nil) == input, "\(spec.name): \(ref)")
            }
        }
    }

    // MARK: - The test can fail

    /// A bug model: the sigmoid slope written from z instead of a, z(1 − z). The comparison
    /// must catch it in every network with a sigmoid layer, and nowhere else.
    static func slopeFromZ(_ spec: NetworkSpec) -> (QuantityRef, Expr) -> Expr {
        { ref, e in
            guard ref.quantity == .slope, spec.activations[ref.layer - 1] == .sigmoid else { return e }
            return e.rewriting { node in
                if case .cell(let r, let row, let col) = node, r.quantity == .a { return .cell(QuantityRef(.z, r.layer), row: row, col: col) }
                return nil
            }
        }
    }

    @Test func alteredSigmoidSlopeIsCaught() throws {
        let mazur = try Presets.spec(named: "mazur-2015")
        let outcome = Self.compare(mazur, steps: 2, variant: Self.slopeFromZ(mazur))
        // The wrong slope differs in every slope cell, and everything downstream reads the
        // engine's trace, so exactly the slope cells mismatch: 2 layers x 2 neurons x 2 steps.
        #expect(outcome.mismatches.count == 8, "\(outcome.mismatches.prefix(10))")
        #expect(outcome.mismatches.filter { !$0.contains("slope(") }.count == 0)
        var caught = 0, withSigmoid = 0
        for i in 0..<60 {
            let spec = Self.randomSpec(i)
            let bad = Self.compare(spec, steps: 1, variant: Self.slopeFromZ(spec)).mismatches
            let hasSigmoid = spec.activations.contains(.sigmoid)
            if hasSigmoid { withSigmoid += 1; if !bad.isEmpty { caught += 1 } } else { #expect(bad.count == 0, "\(spec.name)") }
        }
        #expect(withSigmoid > 10)
        #expect(caught == withSigmoid)
    }

    /// An altered update rule (W + η·grad_W) and a dropped L2 term are caught too.
    @Test func alteredUpdateRuleAndL2AreCaught() throws {
        let spec = try Presets.spec(named: "tanh-relu-softmax")
        let plus = Self.compare(spec, steps: 2) { ref, e in
            guard ref.quantity == .WNew, case .sub(let w, let step) = e else { return e }
            return .add(w, step)
        }
        #expect(plus.mismatches.count > 0)
        #expect(plus.mismatches.filter { !$0.contains("W_new") }.count == 0)
        let noL2 = Self.compare(spec, steps: 2) { ref, e in
            guard ref.quantity == .gradW, case .add(let product, _) = e else { return e }
            return product
        }
        #expect(noL2.mismatches.count > 0)
        #expect(noL2.mismatches.filter { !$0.contains("grad_W") }.count == 0)
    }

    // MARK: - Named variants of the trainer

    /// The trainer's named variants (the lr-folded convention, the immediate and simultaneous
    /// update orders whatever the spec says) equal the catalogue's formulas for those variants,
    /// on the presets, the fixture specs' networks and random networks.
    @Test func variantsMatchTheCataloguesVariantFormulas() throws {
        let variants: [BackpropRules] = [.learningRateFolded, .immediate, .simultaneous]
        var specs = try Presets.names.map { try Presets.spec(named: $0) }
        specs += (0..<80).map(Self.randomSpec)
        var cells = 0
        for rules in variants {
            for spec in specs {
                let outcome = Self.compare(spec, steps: 3, rules: rules)
                cells += outcome.cells
                #expect(outcome.mismatches.isEmpty, "\(rules): \(outcome.mismatches.prefix(5).joined(separator: "\n"))")
            }
        }
        #expect(cells > 20_000)
    }

    /// The variants are really different: the lr-folded run checked against the standard
    /// formulas mismatches in delta(L) (η times the contract's), and the immediate run on a
    /// simultaneous spec with two layers mismatches in err.
    @Test func variantsCheckedAgainstTheStandardFormulasAreCaught() throws {
        let mazur = try Presets.spec(named: "mazur-2015")
        let folded = Self.compare(mazur, steps: 2, rules: .learningRateFolded, catalogueRules: .standard)
        #expect(folded.mismatches.count > 0)
        #expect(folded.mismatches.allSatisfy { $0.contains("delta(2)") }, "\(folded.mismatches.prefix(4))")
        let immediate = Self.compare(mazur, steps: 2, rules: .immediate, catalogueRules: .standard)
        #expect(immediate.mismatches.count > 0)
        #expect(immediate.mismatches.allSatisfy { $0.contains("err(1)") }, "\(immediate.mismatches.prefix(4))")
        // A wrong derivative has no declared formula.
        let wrong = BackpropRules.standard.with(slope: SlopeRule(name: "σ(z)") { _, _, a in a })
        #expect(Catalogue(spec: mazur).expression(of: QuantityRef(.slope, 1), under: wrong) == nil)
    }
}
