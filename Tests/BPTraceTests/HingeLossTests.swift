import Foundation
import Testing
@testable import BPTrace

/// The hinge loss (multiclass SVM, margin 1) against numbers computed by hand from cs231n's
/// scores, and the spec checks that keep it to a linear output with one-hot targets.
@Suite struct HingeLossTests {
    /// cs231n's scores: row k is image k's class scores (cat, car, frog images).
    static let scores = Matrix([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    static let oneHot = Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]])

    @Test func perImageLossesAndTheirMeanAreCs231nNumbers() {
        // One image at a time: 2.9, 0 and 12.9 (6.3 + 6.6).
        let expected = [2.9, 0, 12.9]
        for k in 0..<3 {
            let o = Matrix(row: Self.scores.row(k)), t = Matrix(row: Self.oneHot.row(k))
            #expect(abs(Loss.hinge.value(outputs: o, targets: t, outputActivation: .linear) - expected[k]) < 1e-12, "image \(k + 1)")
        }
        // The batch: their mean, 5.2666…
        #expect(abs(Loss.hinge.value(outputs: Self.scores, targets: Self.oneHot, outputActivation: .linear) - 15.8 / 3) < 1e-12)
    }

    @Test func subgradientCountsTheViolatedMarginsStrictly() {
        let ones = Matrix(rows: 3, cols: 3, repeating: 1)
        let d = Loss.hinge.outputDelta(outputs: Self.scores, targets: Self.oneHot, slope: ones)
        // cat image: car violates (+1), frog does not; the cat class gets −1. car image: none.
        // frog image: both violate, the frog class gets −2. Each divided by B = 3.
        #expect(d.values == [-1, 1, 0, 0, 0, 0, 1, 1, -2].map { $0 / 3 })
        // A margin of exactly 0 (o_j − o_y + 1 = 0) is not violated: loss 0, gradient 0.
        let kink = Matrix([[2, 1, 0.5]]), t = Matrix([[1, 0, 0]])
        #expect(Loss.hinge.value(outputs: kink, targets: t, outputActivation: .linear) == 0)
        #expect(Loss.hinge.outputDelta(outputs: kink, targets: t, slope: Matrix(rows: 1, cols: 3, repeating: 1)).values == [0, 0, 0])
    }

    /// The catalogue's formulas of the loss and delta(L) give the engine's values for the
    /// cs231n batch (the same numbers as above through `Evaluator`).
    @Test func catalogueFormulasGiveTheHandNumbers() throws {
        let spec = try SpecParser.parse(text: """
        {"layers": [3, 3], "activations": ["linear"], "loss": "hinge", "bias": false, "learning_rate": 1,
         "weights": [[[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]],
         "data": {"inputs": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}
        """)
        var trainer = Trainer(spec: spec)
        let step = trainer.step(1)
        let catalogue = Catalogue(spec: spec), ev = Evaluator(spec: spec, step: step)
        let loss = try #require(catalogue.expression(of: QuantityRef(.loss, 1)))
        #expect(abs(ev.evaluate(loss, row: 0, col: 0) - 15.8 / 3) < 1e-12)
        let delta = try #require(catalogue.expression(of: QuantityRef(.delta, 1)))
        #expect(ev.evaluateAll(delta, rows: 3, cols: 3).values == [-1, 1, 0, 0, 0, 0, 1, 1, -2].map { $0 / 3 })
    }

    static func error(_ text: String) -> SpecError? {
        do { _ = try SpecParser.parse(text: text); return nil } catch let e as SpecError { return e } catch { return SpecError("", "\(error)") }
    }

    static func spec(activation: String = "linear", outputs: Int = 3, targets: String = "[[0, 1, 0], [1, 0, 0]]") -> String {
        "{\"layers\": [2, \(outputs)], \"activations\": [\"\(activation)\"], \"loss\": \"hinge\", \"learning_rate\": 0.1, \"data\": {\"inputs\": [[1, 2], [3, 4]], \"targets\": \(targets)}}"
    }

    @Test func hingeNeedsALinearOutputLayer() throws {
        #expect(Self.error(Self.spec()) == nil)
        for act in ["sigmoid", "tanh", "relu", "softmax"] {
            let e = try #require(Self.error(Self.spec(activation: act)), "\(act) accepted")
            #expect(e.path == "activations[0]" || e.path == "loss", "\(act): \(e.path)")
            #expect(e.message.contains("linear") || e.message.contains("cross_entropy"), "\(e.message)")
        }
        let sig = try #require(Self.error(Self.spec(activation: "sigmoid")))
        #expect(sig.path == "activations[0]")
        #expect(sig.message.contains("\"hinge\" needs a linear output layer") && sig.message.contains("\"sigmoid\""))
    }

    @Test func hingeNeedsOneHotTargets() throws {
        let cases: [(String, String, String)] = [
            ("[[0, 1, 0], [0.5, 0, 0]]", "data.targets[1][0]", "found 0.5 (sample 2, output 1)"),
            ("[[0, 1, 0], [1, 0, 1]]", "data.targets[1]", "found 2 ones (sample 2)"),
            ("[[0, 0, 0], [1, 0, 0]]", "data.targets[0]", "found 0 ones (sample 1)"),
            ("[[0, -1, 2], [1, 0, 0]]", "data.targets[0][1]", "found -1.0 (sample 1, output 2)"),
        ]
        for (targets, path, says) in cases {
            let e = try #require(Self.error(Self.spec(targets: targets)), "\(targets) accepted")
            #expect(e.path == path, "\(targets): \(e.path)")
            #expect(e.message.contains("one-hot") && e.message.contains(says), "\(e.message)")
        }
    }

    @Test func hingeNeedsTwoClasses() throws {
        let e = try #require(Self.error(Self.spec(outputs: 1, targets: "[[1], [1]]")))
        #expect(e.path == "layers[1]")
        #expect(e.message.contains("at least 2 output neurons"))
    }
}
