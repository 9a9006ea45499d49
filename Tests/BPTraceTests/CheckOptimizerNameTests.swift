import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// Names of the optimizer's state (`vel_w5`, `m_hat_w5`, `m_b1`, `m_W(1)[1,1]`, coordinates with
/// `"quantity": "m_W"`), the messages for a state the spec's optimizer does not have, and
/// `bptrace fixture` snapshots that carry the state.
@Suite struct CheckOptimizerNameTests {
    /// A linear 2-1 neuron with a trained bias (the conventions fixture's network) under `optimizer`.
    static func spec(_ optimizer: String, updateBiases: Bool = true) throws -> NetworkSpec {
        try SpecParser.parse(text: """
        {"layers": [2, 1], "activations": ["linear"], "learning_rate": 0.1, "batch": "full", "update_biases": \(updateBiases),
         "optimizer": \(optimizer), "weights": [[[-5], [-2]]], "biases": [[0.5]],
         "data": {"inputs": [[0.4472135954999579, 0], [0, 2]], "targets": [[0], [0]]}}
        """)
    }

    static func message(_ name: String, _ spec: NetworkSpec) -> String {
        do { _ = try ValueNames(spec: spec).resolve(name); return "resolved" } catch { return "\(error)" }
    }

    @Test func stateNamesResolveToTheStateCells() throws {
        let adam = ValueNames(spec: try Self.spec("\"adam\""))
        #expect(try adam.resolve("m_w1").target == .cell(.mW, layer: 1, row: 1, col: 1))
        #expect(try adam.resolve("v_hat_w2@3") == ResolvedName(label: "v_hat_w2@3", target: .cell(.vHatW, layer: 1, row: 2, col: 1), step: 3))
        #expect(try adam.resolve("m_hat_b1").target == .cell(.mHatB, layer: 1, row: 1, col: 1))
        #expect(try adam.resolve("v_b1_1").target == .cell(.vB, layer: 1, row: 1, col: 1))
        #expect(try adam.resolve("m_W(1)[2,1]@2").target == .cell(.mW, layer: 1, row: 2, col: 1))
        let momentum = ValueNames(spec: try Self.spec("{\"name\": \"nesterov\", \"momentum\": 0.5}"))
        #expect(try momentum.resolve("vel_w2").target == .cell(.velW, layer: 1, row: 2, col: 1))
        #expect(try momentum.resolve("vel_b(1)[1,1]").target == .cell(.velB, layer: 1, row: 1, col: 1))
        let rms = ValueNames(spec: try Self.spec("\"rmsprop\""))
        #expect(try rms.resolve("sq_w1").target == .cell(.sqW, layer: 1, row: 1, col: 1))
    }

    @Test func aStateTheOptimizerDoesNotHaveIsNamed() throws {
        let momentum = try Self.spec("\"momentum\"")
        #expect(Self.message("m_w1", momentum) == "\"m_w1\": this network's optimizer is momentum; its state is vel_w1 (vel_W)")
        #expect(Self.message("m_W(1)[1,1]", momentum).contains("this network's optimizer is momentum; its state is vel_w1"))
        #expect(Self.message("sq_b1", momentum).contains("its state is vel_b1 (vel_b)"))
        let adam = try Self.spec("\"adam\"")
        #expect(Self.message("vel_w2", adam).contains("this network's optimizer is adam; its state is m_w1, v_w1, m_hat_w1, v_hat_w1"))
        #expect(Self.message("m_w9", adam).contains("\"w9\" is not a weight of this network: it has w1..w2"))
        let sgd = try Self.spec("\"sgd\"")
        #expect(Self.message("vel_w1", sgd).contains("this network's optimizer is sgd, which keeps no state"))
        let fixedBiases = try Self.spec("\"adam\"", updateBiases: false)
        #expect(Self.message("m_b1", fixedBiases).contains("the biases are not trained (\"update_biases\": false), so they have no optimizer state"))
        #expect(Self.message("m_w1", fixedBiases) == "resolved")
    }

    @Test func coordinateEntriesAcceptTheStateQuantities() throws {
        let base = """
        {"source": "t", "spec": {"layers": [2, 1], "activations": ["linear"], "learning_rate": 0.6, "bias": false, "batch": "full",
          "optimizer": {"name": "momentum", "momentum": 0.5}, "weights": [[[-5], [-2]]],
          "data": {"inputs": [[0.4472135954999579, 0], [0, 2]], "targets": [[0], [0]]}},
         "values": [VALUES]}
        """
        let good = base.replacingOccurrences(of: "VALUES", with: """
        {"step": 1, "layer": 1, "quantity": "vel_W", "row": 2, "col": 1, "value": "-8"},
        {"name": "vel_w2", "value": "-8"}, {"name": "vel_W(1)[1,1]", "value": "-1.0", "note": "0.2 * -5"}
        """)
        let result = Checker.check(try FixtureParser.parse(text: good, file: "v.json"))
        #expect(result.passed == 3 && result.failed == 0)
        #expect(result.values[0].entry.label == "vel_W(1)[2,1]")
        let bad = base.replacingOccurrences(of: "VALUES", with: "{\"layer\": 1, \"quantity\": \"m_W\", \"row\": 1, \"col\": 1, \"value\": \"1\"}")
        do {
            _ = try FixtureParser.parse(text: bad, file: "bad.json")
            Issue.record("a state of another optimizer must be refused")
        } catch let e as FixtureErrors {
            #expect(e.errors.map(\.description).joined().contains("values[0].quantity: \"m_W(1)[1,1]\": this network's optimizer is momentum; its state is vel_w1"), "\(e.errors)")
        }
    }

    @Test func snapshotsCarryTheStateWhenTheSpecHasAnOptimizer() throws {
        let spec = try Self.spec("\"adam\"")
        let all = ValueNames(spec: spec).canonicalNames()
        #expect(Array(all.suffix(12)) == ["m_w1", "m_w2", "v_w1", "v_w2", "m_hat_w1", "m_hat_w2", "v_hat_w1", "v_hat_w2",
                                          "m_b1", "v_b1", "m_hat_b1", "v_hat_b1"])
        let text = try FixtureSnapshot.make(spec: spec, reference: .inline(.object([])), options: FixtureSnapshot.Options(steps: 2, decimals: 12))
        #expect(text.contains("\"name\": \"v_hat_b1@2\""))
        // The snapshot of the inline spec itself: checkable and passing.
        let specJSON = try JSONParser.parse("""
        {"layers": [2, 1], "activations": ["linear"], "learning_rate": 0.1, "batch": "full", "update_biases": true, "optimizer": "adam",
         "weights": [[[-5], [-2]]], "biases": [[0.5]], "data": {"inputs": [[0.4472135954999579, 0], [0, 2]], "targets": [[0], [0]]}}
        """)
        let snap = try FixtureSnapshot.make(spec: spec, reference: .inline(specJSON), options: FixtureSnapshot.Options(steps: 2, pick: ["m_*"]))
        let fixture = try FixtureParser.parse(text: snap, file: "adam-snapshot.json")
        #expect(fixture.entries.map(\.label) == ["m_w1", "m_w2", "m_hat_w1", "m_hat_w2", "m_b1", "m_hat_b1",
                                                 "m_w1@2", "m_w2@2", "m_hat_w1@2", "m_hat_w2@2", "m_b1@2", "m_hat_b1@2"])
        #expect(Checker.check(fixture).failed == 0)
        // A pick of a state quantity by coordinates.
        let byQuantity = try FixtureSnapshot.make(spec: spec, reference: .inline(specJSON), options: FixtureSnapshot.Options(pick: ["v_W"]))
        #expect(byQuantity.contains("\"quantity\": \"v_W\""))
        // SGD snapshots have no state names.
        #expect(!ValueNames(spec: try Presets.spec(named: "mazur-2015")).canonicalNames().contains { $0.hasPrefix("vel_") || $0.hasPrefix("m_") })
    }
}
