import Foundation
import Testing
@testable import BPTrace

/// The step as a store keyed by (quantity, layer): which quantities exist and their order come
/// from the catalogue's descriptors; lookups of what a step does not hold answer nil or throw,
/// never trap; the trainer calls its optimizer once per trained parameter.
@Suite struct StepStoreTests {
    @Test func blocksFollowTheCataloguesOrderForEveryNetwork() throws {
        var specs = try Presets.names.map { try Presets.spec(named: $0) }
        specs += (0..<60).map(CatalogueEngineTests.randomSpec)
        for spec in specs {
            var t = Trainer(spec: spec)
            let r = t.step(1)
            let catalogue = Catalogue(spec: spec)
            #expect(r.blocks().map { QuantityRef($0.quantity, $0.layer) } == catalogue.stepQuantities, "\(spec.name)")
            #expect(r.isComplete, "\(spec.name)")
            #expect(Set(r.values.keys) == Set(catalogue.stepQuantities), "\(spec.name): the store holds exactly the step's quantities")
            for b in r.blocks() {
                let ref = QuantityRef(b.quantity, b.layer)
                #expect(b.stage == catalogue.stage(of: ref))
                #expect(catalogue.descriptor(of: ref).perSample == (b.matrix.rows == r.x.rows && [.x, .y, .z, .a, .E, .slope, .delta, .err].contains(b.quantity)),
                        "\(spec.name): \(ref)")
            }
            // The forward pass alone is not a complete step.
            #expect(!t.forward(2).isComplete)
        }
    }

    @Test func descriptorsSayWhichQuantitiesExist() throws {
        let softmax = try Presets.spec(named: "tanh-relu-softmax")
        let c = Catalogue(spec: softmax)
        let L = softmax.depth
        #expect(!c.exists(QuantityRef(.slope, L)) && c.descriptor(of: QuantityRef(.slope, L)).formula == nil)
        #expect(c.exists(QuantityRef(.slope, 1)))
        #expect(!c.exists(QuantityRef(.err, L)) && !c.exists(QuantityRef(.err, 0)) && c.exists(QuantityRef(.err, L - 1)))
        #expect(!c.exists(QuantityRef(.W, 0)) && !c.exists(QuantityRef(.W, L + 1)) && !c.exists(QuantityRef(.z, -3)))
        var plain = try Presets.spec(named: "mazur-2015")
        plain.bias = false
        plain.l2 = 0
        let p = Catalogue(spec: plain)
        for q in [Quantity.b, .gradB, .bNew] { #expect(!p.exists(QuantityRef(q, 1)), "\(q)") }
        #expect(!p.exists(QuantityRef(.cost, 2)))
        plain.l2 = 0.01
        #expect(Catalogue(spec: plain).exists(QuantityRef(.cost, 2)))
        // Descriptors of what does not exist are answered, not trapped on.
        #expect(p.shape(of: QuantityRef(.W, 7), batchSize: 1) == (1, 1))
    }

    @Test func everyQuantityHasItsOwnSlot() {
        #expect(Quantity.allCases.map(\.ordinal) == Array(0..<Quantity.allCases.count))
        #expect(Quantity.count == Quantity.allCases.count)
    }

    @Test func lookupsOfMissingBlocksDoNotTrap() throws {
        var t = Trainer(spec: try Presets.spec(named: "tanh-relu-softmax"))
        let r = t.step(1)
        #expect(r[.slope, 3] == nil && r[.W, 99] == nil && r[.W, -1] == nil && r[.err, 3] == nil)
        #expect(throws: MissingBlock.self) { try r.matrix(.slope, 3) }
        do { _ = try r.matrix(.slope, 3) } catch { #expect(!error.exists && "\(error)".contains("slope(3)")) }
        let f = t.forward(2)
        do { _ = try f.matrix(.delta, 1) } catch { #expect(error.exists && "\(error)".contains("not computed")) }
        #expect(f.updatedParameters == nil)
        #expect(try r.matrix(.delta, 3) == r.delta[3])
        // Storing out of range is ignored; the evaluator reads outside a block as NaN.
        var copy = r
        copy[.W, 42] = Matrix(row: [1])
        #expect(copy[.W, 42] == nil && copy.values.count == r.values.count)
        let e = Evaluator(spec: t.spec, step: r)
        #expect(e.evaluate(.cell(QuantityRef(.W, 1), row: .at(-1), col: .at(0)), row: 0, col: 0).isNaN)
        #expect(e.evaluate(.cell(QuantityRef(.W, 9), row: .at(0), col: .at(0)), row: 0, col: 0).isNaN)
    }

    /// Records the calls; moves every parameter by −0.5·gradient.
    struct RecordingOptimizer: Optimizer {
        var calls: [QuantityRef] = []
        mutating func update(parameter: QuantityRef, value: Matrix, gradient: Matrix) -> OptimizerStep {
            calls.append(parameter)
            return OptimizerStep(newValue: value.zipWith(gradient) { $0 - 0.5 * $1 })
        }
    }

    @Test func theTrainerCallsItsOptimizerPerTrainedParameter() throws {
        let spec = try Presets.spec(named: "analytics-vidhya")       // biases trained, 2 layers
        var t = Trainer(spec: spec, optimizer: RecordingOptimizer())
        let r = t.step(1)
        let calls = (t.optimizer as? RecordingOptimizer)?.calls
        #expect(calls == [QuantityRef(.W, 2), QuantityRef(.b, 2), QuantityRef(.W, 1), QuantityRef(.b, 1)])
        #expect(r[.WNew, 2] == r[.W, 2]!.zipWith(r[.gradW, 2]!) { $0 - 0.5 * $1 })
        #expect(t.parameters.weights[1] == r[.WNew, 2])
        // Biases that are not trained are not handed to the optimizer.
        var mazur = Trainer(spec: try Presets.spec(named: "mazur-2015"), optimizer: RecordingOptimizer())
        _ = mazur.step(1)
        #expect((mazur.optimizer as? RecordingOptimizer)?.calls == [QuantityRef(.W, 2), QuantityRef(.W, 1)])
        // SGD is the default, bit for bit.
        var sgd = Trainer(spec: spec, optimizer: SGD(learningRate: spec.learningRate)), plain = Trainer(spec: spec)
        for s in 1...3 { #expect(sgd.step(s).values == plain.step(s).values) }
    }
}
