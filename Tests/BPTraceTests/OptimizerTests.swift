import Foundation
import Testing
import BPTrace

/// The `optimizer` key and the engine's momentum, Nesterov, RMSProp, Adam and AdamW: every
/// traced state and every updated parameter is recomputed here from the traced gradients by a
/// literal, scalar transcription of docs/SPEC.md, "Optimizers" (state zero before step 1, t the
/// step number), and each step's start-of-step parameters must be the previous step's update.
@Suite struct OptimizerTests {
    static func spec(_ optimizer: String, batch: String = "\"full\"", bias: Bool = true, updateBiases: Bool = true,
                     l2: Double = 0, update: String = "simultaneous", layers: String = "[2, 3, 2]") throws -> NetworkSpec {
        let biasKeys = bias ? "\"update_biases\": \(updateBiases)" : "\"bias\": false"
        return try SpecParser.parse(text: """
        {"name": "opt", "layers": \(layers), "learning_rate": 0.3, "batch": \(batch), \(biasKeys), "l2": \(l2),
         "update": "\(update)", "optimizer": \(optimizer), "init": {"seed": 7},
         "data": {"inputs": [[0, 1], [1, 0], [1, 1], [0.5, -0.2]], "targets": [[1, 0], [0, 1], [0.2, 0.7], [0.4, 0.4]]}}
        """)
    }

    // MARK: spec

    @Test func defaultsAndObjects() throws {
        #expect(try Self.spec("\"sgd\"").optimizer == .sgd)
        #expect(try Self.spec("\"adam\"").optimizer == .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8))
        #expect(try Self.spec("\"momentum\"").optimizer == .momentum(mu: 0.9))
        #expect(try Self.spec("\"rmsprop\"").optimizer == .rmsprop(rho: 0.9, eps: 1e-8))
        #expect(try Self.spec("{\"name\": \"nesterov\", \"momentum\": 0.5}").optimizer == .nesterov(mu: 0.5))
        #expect(try Self.spec("{\"name\": \"adamw\", \"beta1\": 0.8, \"decay_biases\": true}").optimizer
                == .adamw(beta1: 0.8, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decayBiases: true))
        // No optimizer key: SGD, the trace of before.
        let plain = try SpecParser.parse(text: #"{"layers": [1, 1], "learning_rate": 0.5, "data": {"inputs": [[1]], "targets": [[0]]}}"#)
        #expect(plain.optimizer == .sgd)
    }

    @Test(arguments: [
        ("\"adma\"", "optimizer", "did you mean \"adam\""),
        ("{\"name\": \"adam\", \"beta\": 0.9}", "optimizer.beta", "did you mean"),
        ("{\"name\": \"sgd\", \"momentum\": 0.9}", "optimizer.momentum", "no hyper-parameter"),
        ("{\"name\": \"momentum\", \"beta1\": 0.9}", "optimizer.beta1", "takes momentum"),
        ("{\"name\": \"adam\", \"beta1\": 1}", "optimizer.beta1", "[0, 1)"),
        ("{\"name\": \"adam\", \"beta2\": -0.1}", "optimizer.beta2", "[0, 1)"),
        ("{\"name\": \"rmsprop\", \"rho\": 1.5}", "optimizer.rho", "[0, 1)"),
        ("{\"name\": \"momentum\", \"momentum\": 1}", "optimizer.momentum", "[0, 1)"),
        ("{\"name\": \"adam\", \"eps\": 0}", "optimizer.eps", "eps > 0"),
        ("{\"name\": \"adamw\", \"weight_decay\": -0.01}", "optimizer.weight_decay", ">= 0"),
        ("{\"beta1\": 0.9}", "optimizer", "needs a \"name\""),
        ("3", "optimizer", "expected an optimizer name"),
    ])
    func badOptimizerNamesItsKeyPath(_ value: String, _ path: String, _ words: String) throws {
        do {
            _ = try Self.spec(value)
            Issue.record("\(value) was accepted")
        } catch let e as SpecError {
            #expect(e.path == path, "\(e)")
            #expect(e.message.contains(words), "\(e)")
        }
    }

    // MARK: engine against a literal reference

    /// The contract's update of one scalar parameter, with its state (vel or sq in s1; m in
    /// s1 and v in s2), transcribed formula by formula.
    struct Reference {
        let kind: OptimizerSpec, eta: Double
        var s1: [String: Double] = [:], s2: [String: Double] = [:]

        /// Returns P_new and the traced state [name: value] for the cell `key`.
        mutating func update(_ key: String, _ P: Double, _ g: Double, t: Int, isBias: Bool) -> (Double, [String: Double]) {
            let a = s1[key] ?? 0, b = s2[key] ?? 0
            switch kind {
            case .sgd: return (P - eta * g, [:])
            case .momentum(let mu):
                let vel = mu * a + g; s1[key] = vel
                return (P - eta * vel, ["vel": vel])
            case .nesterov(let mu):
                let vel = mu * a + g; s1[key] = vel
                return (P - eta * (g + mu * vel), ["vel": vel])
            case .rmsprop(let rho, let eps):
                let sq = rho * a + (1 - rho) * g * g; s1[key] = sq
                return (P - eta * g / (sq.squareRoot() + eps), ["sq": sq])
            case .adam(let b1, let b2, let eps), .adamw(let b1, let b2, let eps, _, _):
                let m = b1 * a + (1 - b1) * g, v = b2 * b + (1 - b2) * g * g
                s1[key] = m; s2[key] = v
                let mHat = m / (1 - pow(b1, Double(t))), vHat = v / (1 - pow(b2, Double(t)))
                var base = P
                if case .adamw(_, _, _, let wd, let db) = kind, !isBias || db { base = P - eta * wd * P }
                return (base - eta * mHat / (vHat.squareRoot() + eps), ["m": m, "v": v, "m_hat": mHat, "v_hat": vHat])
            }
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool { a == b || abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

    /// Trains `steps` steps and checks every state cell and every updated parameter.
    static func check(_ spec: NetworkSpec, steps: Int = 4) -> [String] {
        var trainer = Trainer(spec: spec)
        var ref = Reference(kind: spec.optimizer, eta: spec.learningRate)
        var problems: [String] = []
        var previous: Parameters? = nil
        for s in 1...steps {
            let r = trainer.step(s)
            for l in 1...spec.depth {
                if let p = previous { if r[.W, l] != p.weights[l - 1] { problems.append("step \(s): W(\(l)) is not the previous W_new") } }
                var pairs: [(Quantity, Quantity, Quantity, String, Bool)] = [(.W, .gradW, .WNew, "W", false)]
                if spec.bias { pairs.append((.b, .gradB, .bNew, "b", true)) }
                for (pq, gq, nq, suffix, isBias) in pairs {
                    guard let P = r[pq, l], let g = r[gq, l], let new = r[nq, l] else { problems.append("step \(s): \(pq)(\(l)) missing"); continue }
                    for i in 0..<P.rows {
                        for j in 0..<P.cols {
                            guard !isBias || spec.updateBiases else {
                                if new[i, j] != P[i, j] { problems.append("fixed bias moved") }
                                continue
                            }
                            let (want, state) = ref.update("\(suffix)\(l)[\(i),\(j)]", P[i, j], g[i, j], t: s, isBias: isBias)
                            if !close(new[i, j], want) { problems.append("step \(s): \(nq)(\(l))[\(i),\(j)] \(new[i, j]) != \(want)") }
                            for (name, v) in state {
                                guard let q = Quantity(rawValue: "\(name)_\(suffix)"), let m = r[q, l] else {
                                    problems.append("step \(s): \(name)_\(suffix)(\(l)) not traced"); continue
                                }
                                if !close(m[i, j], v) { problems.append("step \(s): \(name)_\(suffix)(\(l))[\(i),\(j)] \(m[i, j]) != \(v)") }
                            }
                        }
                    }
                }
            }
            previous = r.updatedParameters
        }
        return problems
    }

    static let optimizers = ["\"sgd\"", "\"momentum\"", "{\"name\": \"nesterov\", \"momentum\": 0.7}", "{\"name\": \"rmsprop\", \"rho\": 0.8, \"eps\": 1e-6}",
                             "\"adam\"", "{\"name\": \"adam\", \"beta1\": 0.5, \"beta2\": 0.6}", "{\"name\": \"adamw\", \"weight_decay\": 0.1}",
                             "{\"name\": \"adamw\", \"weight_decay\": 0.2, \"decay_biases\": true}"]

    @Test(arguments: optimizers)
    func engineFollowsTheDefinitions(_ optimizer: String) throws {
        let variants: [NetworkSpec] = [
            try Self.spec(optimizer),
            try Self.spec(optimizer, batch: "\"sample\""),
            try Self.spec(optimizer, batch: "3", l2: 0.05),
            try Self.spec(optimizer, bias: false),
            try Self.spec(optimizer, updateBiases: false),
            try Self.spec(optimizer, l2: 0.01, update: "immediate", layers: "[2, 3, 3, 2]"),
        ]
        for spec in variants {
            let problems = Self.check(spec, steps: 5)
            #expect(problems.isEmpty, "\(optimizer) batch \(spec.batch) bias \(spec.bias)/\(spec.updateBiases) l2 \(spec.l2) \(spec.update): \(problems.prefix(5))")
        }
    }

    /// The trace has each optimizer's state blocks, in stage 11 (weights) and 12 (biases), and
    /// none of another's; fixed biases carry no state.
    @Test func stateBlocksInTheTrace() throws {
        let adam = Catalogue(spec: try Self.spec("\"adam\"")).stepPlan
        #expect(adam.contains { $0.ref == QuantityRef(.mHatW, 1) && $0.stage == .updateWeights })
        #expect(adam.contains { $0.ref == QuantityRef(.vHatB, 2) && $0.stage == .updateBiases })
        #expect(!adam.contains { $0.ref.quantity == .velW })
        let fixed = Catalogue(spec: try Self.spec("\"momentum\"", updateBiases: false)).stepQuantities
        #expect(fixed.contains(QuantityRef(.velW, 1)) && !fixed.contains(QuantityRef(.velB, 1)))
        let sgd = Catalogue(spec: try Self.spec("\"sgd\"")).stepQuantities
        #expect(!sgd.contains { $0.quantity.optimizerStateOfWeights != nil })
    }

    /// Hand-checkable: Adam's first step moves every parameter by about η·sign(g), since
    /// m̂ = g and v̂ = g² at t = 1 (so m̂/(√v̂ + eps) = g/(|g| + eps)).
    @Test func firstAdamStepMovesByTheLearningRate() throws {
        let spec = try Self.spec("\"adam\"")
        var trainer = Trainer(spec: spec)
        let r = trainer.step(1)
        for l in 1...spec.depth {
            let W = r[.W, l]!, g = r[.gradW, l]!, new = r[.WNew, l]!
            for i in 0..<W.rows {
                for j in 0..<W.cols where abs(g[i, j]) > 1e-6 {
                    let moved = W[i, j] - new[i, j], sign: Double = g[i, j] > 0 ? 1 : -1
                    // η·sign(g), short by η·eps/(|g| + eps) (below 3e-3 of η here).
                    #expect(abs(moved - 0.3 * sign) <= 0.3 * 1e-8 / abs(g[i, j]) + 1e-15, "W(\(l))[\(i),\(j)] moved \(moved)")
                }
            }
            #expect(r[.mHatW, l]! == g || zip(r[.mHatW, l]!.values, g.values).allSatisfy { Self.close($0, $1) })
        }
    }

    /// Adam traces 4 more values per parameter (m, v, m̂, v̂): the per-step limit counts them,
    /// so a network that fits under SGD can be refused under Adam, with the key and the numbers.
    @Test func traceLimitCountsTheState() throws {
        #expect(SpecLimits.tracedValuesPerStep(layers: [4096, 2048], batch: 1) < SpecLimits.maximumTracedValuesPerStep)
        #expect(SpecLimits.tracedValuesPerStep(layers: [4096, 2048], batch: 1, optimizerStates: 4) > SpecLimits.maximumTracedValuesPerStep)
        let row = "[" + Array(repeating: "0", count: 4096).joined(separator: ",") + "]"
        let target = "[" + Array(repeating: "0", count: 2048).joined(separator: ",") + "]"
        do {
            _ = try SpecParser.parse(text: #"{"layers": [4096, 2048], "learning_rate": 0.1, "optimizer": "adam", "data": {"inputs": [\#(row)], "targets": [\#(target)]}}"#)
            Issue.record("accepted")
        } catch let e as SpecError {
            #expect(e.path == "layers" && e.message.contains("more than the limit"), "\(e)")
        }
    }
}
