import Foundation
import Testing
@testable import BPTrace

/// `bptrace landscape`: the grid's losses equal a hand-written evaluation that does not use the
/// engine, the centre equals the trace's step-1 loss, the path is the trace's W.
@Suite struct LandscapeTests {
    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// nndl-nonconvex written out: ½ Σ (σ(w2·σ(w1·x)) − t)² over its three samples.
    static func nonconvexLoss(_ w1: Double, _ w2: Double) -> Double {
        let data: [(Double, Double)] = [(2.1, 0.21), (-2.8, 0.83), (1.4, 0.54)]
        return data.reduce(0) { s, d in let o = sigmoid(w2 * sigmoid(w1 * d.0)); return s + 0.5 * (o - d.1) * (o - d.1) }
    }

    /// mazur-2015 written out (2-2-2 sigmoid, biases 0.35 and 0.60, one sample, ½·SSE), with
    /// w5 and w6 replaced.
    static func mazurLoss(w5: Double, w6: Double) -> Double {
        let (i1, i2) = (0.05, 0.10)
        let h1 = sigmoid(0.15 * i1 + 0.20 * i2 + 0.35), h2 = sigmoid(0.25 * i1 + 0.30 * i2 + 0.35)
        let o1 = sigmoid(w5 * h1 + w6 * h2 + 0.60), o2 = sigmoid(0.50 * h1 + 0.55 * h2 + 0.60)
        return 0.5 * (0.01 - o1) * (0.01 - o1) + 0.5 * (0.99 - o2) * (0.99 - o2)
    }

    static func land(_ preset: String, _ a: String, _ b: String, span: Double, grid: Int, steps: Int) throws -> Landscape {
        let spec = try Presets.spec(named: preset)
        return Landscape(spec: spec, a: try ParameterRef(named: a, in: spec), b: try ParameterRef(named: b, in: spec), span: span, grid: grid, steps: steps)
    }

    @Test func nonconvexGridEqualsAHandWrittenLoss() throws {
        let l = try Self.land("nndl-nonconvex", "w1", "w2", span: 4, grid: 21, steps: 0)
        #expect(l.aValues.count == 21 && l.bValues.count == 21)
        #expect(abs(l.aValues.first! - (-5)) < 1e-12 && abs(l.aValues.last! - 3) < 1e-12)
        #expect(abs(l.bValues.first! - (-3.5)) < 1e-12 && abs(l.bValues.last! - 4.5) < 1e-12)
        for (i, a) in l.aValues.enumerated() {
            for (j, b) in l.bValues.enumerated() {
                let want = Self.nonconvexLoss(a, b)
                #expect(abs(l.loss[i][j] - want) <= 1e-14 * max(1, want), "(\(a), \(b)): \(l.loss[i][j]) vs \(want)")
            }
        }
    }

    @Test func nonconvexLandscapeHasTwoBasins() throws {
        let l = try Self.land("nndl-nonconvex", "w1", "w2", span: 4, grid: 81, steps: 0)
        var minima: [(Double, Double)] = []
        for i in 1..<80 { for j in 1..<80 {
            let v = l.loss[i][j]
            if (-1...1).allSatisfy({ di in (-1...1).allSatisfy { dj in (di == 0 && dj == 0) || l.loss[i + di][j + dj] > v } }) {
                minima.append((l.aValues[i], l.bValues[j]))
            }
        } }
        #expect(minima.count == 2, "\(minima)")
        // One with w1 < 0, one with w1 > 0.
        #expect(minima.contains { $0.0 < -2 } && minima.contains { $0.0 > 1 })
    }

    @Test func mazurGridAndCentreEqualTheTrace() throws {
        let l = try Self.land("mazur-2015", "w5", "w6", span: 1, grid: 11, steps: 5)
        for (i, a) in l.aValues.enumerated() {
            for (j, b) in l.bValues.enumerated() {
                #expect(abs(l.loss[i][j] - Self.mazurLoss(w5: a, w6: b)) < 1e-15)
            }
        }
        // The centre (odd grid) is the start: the trace's step-1 loss, the post's 0.298371109.
        var t = Trainer(spec: try Presets.spec(named: "mazur-2015"))
        let r1 = t.step(1)
        #expect(l.loss[5][5] == r1.loss)
        #expect(abs(l.loss[5][5] - 0.298371109) < 5e-10)
        #expect(l.start.a == 0.40 && l.start.b == 0.45)
    }

    @Test func pathIsTheTracesW() throws {
        let l = try Self.land("nndl-nonconvex", "w1", "w2", span: 4, grid: 3, steps: 30)
        #expect(l.path.count == 31)
        #expect(l.path[0].a == -1.0 && l.path[0].b == 0.5)
        var t = Trainer(spec: try Presets.spec(named: "nndl-nonconvex"))
        for s in 1...30 {
            let r = t.step(s)
            #expect(l.path[s - 1].a == r[.W, 1]![0, 0] && l.path[s - 1].b == r[.W, 2]![0, 0])
            #expect(l.path[s - 1].loss == r.loss)
        }
        #expect(l.path[30].a == t.parameters.weights[0][0, 0] && l.path[30].b == t.parameters.weights[1][0, 0])
        // Training lowers the loss along the path.
        #expect(l.path[29].loss < l.path[0].loss)
    }

    @Test func biasesAndCSV() throws {
        let spec = try Presets.spec(named: "analytics-vidhya")
        let l = Landscape(spec: spec, a: try ParameterRef(named: "w13", in: spec), b: try ParameterRef(named: "b2", in: spec), span: 0.5, grid: 3, steps: 0)
        let csv = l.csv().split(separator: "\n")
        #expect(csv.first == "w13,b2,loss" && csv.count == 10)
        let cells = csv[1].split(separator: ",").map { Double($0)! }
        #expect(cells[0] == 0.30 - 0.5 && cells[1] == 0.69 - 0.5 && cells[2] == l.loss[0][0])
    }

    @Test func workIsBounded() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        for g in [0, 1, 402] { #expect(Landscape.refusal(spec: spec, grid: g, steps: 1) != nil) }
        #expect(Landscape.refusal(spec: spec, grid: 401, steps: 100) == nil)
        #expect(throws: SpecError.self) { try ParameterRef(named: "w99", in: spec) }
        #expect(throws: SpecError.self) { try ParameterRef(named: "b3", in: spec) }
    }
}
