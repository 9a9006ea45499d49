import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// The diagnosis as a library: rounding allowances, re-anchoring, root causes, explanations.
/// Traces here are made from the engine's own run, rounded (a clean student); the bug traces
/// made apart from the engine are checked end to end in GradeCLITests.
@Suite struct DiagnosisTests {
    /// The engine's run of `spec` written to `decimals` decimals: rounded when written, or carried
    /// rounded (each step started from the rounded W_new of the step before).
    static func cleanTrace(_ spec: NetworkSpec, steps: Int, decimals: Int, carried: Bool, keep: (QuantityRef) -> Bool = { _ in true }) -> StudentTrace {
        var values: [StudentValue] = []
        var line = 1
        func round(_ m: Matrix) -> Matrix { m.map { Double(String(format: "%.\(decimals)f", $0))! } }
        var params = spec.initialParameters()
        var trainer = Trainer(spec: spec, parameters: params)
        for s in 1...steps {
            if carried {
                params = Parameters(weights: params.weights.map(round), biases: params.biases.map(round))
                trainer = Trainer(spec: spec, parameters: params, optimizer: trainer.optimizer)
            }
            let r = trainer.step(s)
            params = trainer.parameters
            for ref in Catalogue(spec: spec).stepQuantities where keep(ref) {
                guard let m = r[ref] else { continue }
                for i in 0..<m.rows { for j in 0..<m.cols {
                    line += 1
                    let w = WrittenNumber(String(format: "%.\(decimals)f", m[i, j]))!
                    values.append(StudentValue(key: CellKey(step: s, ref, row: i + 1, col: j + 1), written: w, line: line))
                } }
            }
        }
        return StudentTrace(file: "clean.csv", values: values, problems: [])
    }

    static func replacing(_ t: StudentTrace, _ key: CellKey, with text: String) -> StudentTrace {
        StudentTrace(file: t.file, values: t.values.map { $0.key == key ? StudentValue(key: key, written: WrittenNumber(text)!, line: $0.line) : $0 }, problems: t.problems)
    }

    @Test(arguments: ["mazur-2015", "xor", "tanh-relu-softmax", "xor-adam", "xor-momentum", "deep-sigmoid"])
    func roundedCleanTracesPass(preset: String) throws {
        let spec = try Presets.spec(named: preset)
        for d in [4, 6, 9] {
            for carried in [false, true] {
                let t = Self.cleanTrace(spec, steps: 3, decimals: d, carried: carried)
                for reanchor in [true, false] {
                    let g = Diagnoser.diagnose(spec: spec, trace: t, reanchor: reanchor)
                    #expect(g.failed == 0 && g.passed == t.values.count,
                            "\(preset) D=\(d) carried=\(carried) reanchor=\(reanchor): \(g.values.filter { !$0.holds }.prefix(3).map { "\($0.key) \($0.student.written) vs \($0.computed ?? .nan) ±\($0.tolerance)" })")
                }
            }
        }
    }

    @Test func theAllowanceWidensWithTheOperandsRounding() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let t = Self.cleanTrace(spec, steps: 1, decimals: 4, carried: false)
        let g = Diagnoser.diagnose(spec: spec, trace: t)
        let z = try #require(g.values.first { $0.key == CellKey(step: 1, QuantityRef(.z, 1), row: 1, col: 1) })
        let gradW = try #require(g.values.first { $0.key == CellKey(step: 1, QuantityRef(.gradW, 2), row: 1, col: 1) })
        // z(1)[1,1] = x1·W11 + x2·W21 + b1 with x, W, b written to 4 decimals (±5e-5 each): its own
        // half unit plus 5e-5·(W11 + W21 + x1 + x2 + 1) = 5e-5·1.5.
        #expect((z.tolerance - (5e-5 + 5e-5 * 1.5)).magnitude < 1e-12, "\(z.tolerance)")
        #expect(gradW.tolerance > 5e-5)
    }

    @Test func aWrongValueIsARootCauseOnlyWhenItsOperandsAreRight() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var t = Self.cleanTrace(spec, steps: 1, decimals: 6, carried: false)
        let z = CellKey(step: 1, QuantityRef(.z, 1), row: 1, col: 1)
        let a = CellKey(step: 1, QuantityRef(.a, 1), row: 1, col: 1)
        t = Self.replacing(Self.replacing(t, z, with: "0.387500"), a, with: "0.595680")
        let g = Diagnoser.diagnose(spec: spec, trace: t, explain: true)
        #expect(g.rootCauses.map(\.value.key) == [z])
        #expect(g.rootCauses[0].name == "net_h1")
        #expect(g.rootCauses[0].downstream == 1 && g.downstreamWrong == 1)
        #expect(g.rootCauses[0].rightOperands.contains(CellKey(step: 1, QuantityRef(.W, 1), row: 1, col: 1)))
        #expect(g.rootCauses[0].explanations.isEmpty)      // a typo no alternative makes
    }

    @Test func explanationsNameTheConventionAndCountTheFollowers() throws {
        // A trace of the immediate order checked against the simultaneous spec.
        let spec = try Presets.spec(named: "mazur-2015")
        let immediate = try Presets.spec(named: "mazur-2015-immediate")
        let t = Self.cleanTrace(immediate, steps: 1, decimals: 9, carried: false)
        let g = Diagnoser.diagnose(spec: spec, trace: t, explain: true)
        let first = try #require(g.rootCauses.first)
        #expect(first.value.key.ref == QuantityRef(.err, 1))
        #expect(first.explanations.first?.spelling == "update=immediate")
        #expect(first.explanations.first.map { $0.reproduced == $0.of } == true)
        let plain = Diagnoser.diagnose(spec: spec, trace: t, explain: false)
        #expect(plain.rootCauses.filter { !$0.explanations.isEmpty }.isEmpty)
    }

    @Test func reanchoringStartsTheNextStepFromTheStudentsParameters() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        // No W or b written: step 2 starts from the student's W_new of step 1.
        var t = Self.cleanTrace(spec, steps: 2, decimals: 6, carried: false) { $0.quantity != .W && $0.quantity != .b }
        let key = CellKey(step: 1, QuantityRef(.WNew, 2), row: 1, col: 1)
        t = Self.replacing(t, key, with: "0.400000")
        let g = Diagnoser.diagnose(spec: spec, trace: t)
        #expect(g.rootCauses.first?.value.key == key)
        #expect(g.anchors[2] == ["1 cell of W(2) from your W_new(2)@1"] && g.anchors[1] == nil)
        // Against bptrace's own run, step 2 (computed here from the right W) is right.
        let own = Diagnoser.diagnose(spec: spec, trace: t, reanchor: false)
        #expect(!own.reanchored && own.anchors.isEmpty)
        #expect(own.rootCauses.map(\.value.key) == [key] && own.failed == 1)
    }

    @Test func optimizerStateCanBeSeeded() throws {
        var o = StatefulOptimizer(.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8), learningRate: 0.1)
        let p = QuantityRef(.W, 1)
        #expect(o.state(of: p) == nil)
        _ = o.update(parameter: p, value: Matrix([[1.0]]), gradient: Matrix([[0.5]]))
        let st = try #require(o.state(of: p))
        #expect(st.steps == 1 && st.state.count == 2)
        var seeded = StatefulOptimizer(.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8), learningRate: 0.1)
        seeded.seed(p, state: st.state, steps: st.steps)
        let a = o.update(parameter: p, value: Matrix([[1.0]]), gradient: Matrix([[0.25]]))
        let b = seeded.update(parameter: p, value: Matrix([[1.0]]), gradient: Matrix([[0.25]]))
        #expect(a.newValue == b.newValue)
    }

    @Test func valuesOutsideTheStepRangeAreProblemsNotTraps() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let w = WrittenNumber("0.1")!
        let t = StudentTrace(file: "x.csv", values: [StudentValue(key: CellKey(step: Diagnoser.maximumStep + 1, QuantityRef(.z, 1), row: 1, col: 1), written: w, line: 2),
                                                     StudentValue(key: CellKey(step: 1, QuantityRef(.z, 1), row: 5, col: 1), written: w, line: 3)], problems: [])
        let g = Diagnoser.diagnose(spec: spec, trace: t)
        #expect(g.values.isEmpty && g.problems.map(\.line) == [2, 3])
    }
}
