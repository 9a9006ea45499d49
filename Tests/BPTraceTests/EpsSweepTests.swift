import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// `gradcheck --eps-sweep`: the errors of one-sided and central differences over ε = 1e-1 …
/// 1e-12 behave as the truncation and rounding analysis says (docs/NUMERICAL.md).
@Suite struct EpsSweepTests {
    static func sweep(_ preset: String, _ name: String) throws -> EpsSweep {
        let spec = try Presets.spec(named: preset)
        return EpsSweep(spec: spec, parameter: try ParameterRef(named: name, in: spec, option: "--param"))
    }

    func row(_ s: EpsSweep, _ eps: Double) -> EpsSweep.Row { s.rows.first { abs($0.eps / eps - 1) < 1e-9 }! }

    @Test func backpropIsThePostsNumberAndEveryDecadeIsSwept() throws {
        let s = try Self.sweep("mazur-2015", "w5")
        // Matt Mazur's post: dE_total/dw5 = 0.082167041.
        #expect(abs(s.backprop - 0.082167041) < 5e-10)
        #expect(s.rows.map(\.eps) == (1...12).map { pow(10, -Double($0)) })
        #expect(EpsSweep.defaultParameter(in: try Presets.spec(named: "mazur-2015")) == "w5")
    }

    @Test(arguments: [("mazur-2015", "w5"), ("mazur-2015", "w1"), ("analytics-vidhya", "w13"), ("nndl-nonconvex", "w1")])
    func centralErrorAtOneEMinusFiveIsTiny(preset: String, name: String) throws {
        let s = try Self.sweep(preset, name)
        #expect(row(s, 1e-5).centralError < 1e-8, "\(preset) \(name): \(row(s, 1e-5).centralError)")
        // Central beats one-sided at every ε from 1e-1 to 1e-4 (truncation dominates there).
        for e in [1e-1, 1e-2, 1e-3, 1e-4] { #expect(row(s, e).centralError < row(s, e).oneSidedError) }
    }

    @Test func truncationSlopesOneAndTwoForLargeEps() throws {
        let s = try Self.sweep("mazur-2015", "w5")
        // One-sided: error ≈ ε/2·f'' falls tenfold per decade; central ≈ ε²/6·f''' a hundredfold.
        for (big, small) in [(1e-1, 1e-2), (1e-2, 1e-3), (1e-3, 1e-4)] {
            let r1 = row(s, big).oneSidedError / row(s, small).oneSidedError
            #expect(r1 > 8 && r1 < 12.5, "one-sided ratio \(r1) from \(big) to \(small)")
        }
        for (big, small) in [(1e-1, 1e-2), (1e-2, 1e-3)] {
            let r2 = row(s, big).centralError / row(s, small).centralError
            #expect(r2 > 80 && r2 < 125, "central ratio \(r2) from \(big) to \(small)")
        }
        // Independently: the one-sided error at ε = 1e-3 is ε/2 · f''(w5), with f'' from a
        // central second difference of the same cost.
        let spec = try Presets.spec(named: "mazur-2015")
        let p = spec.initialParameters()
        func f(_ v: Double) -> Double { var q = p; q.weights[1][0, 0] = v; return GradientCheck.cost(spec: spec, parameters: q, step: 1) }
        let h = 1e-3, w = p.weights[1][0, 0]
        let second = (f(w + h) - 2 * f(w) + f(w - h)) / (h * h)
        #expect(abs(row(s, 1e-3).oneSidedError - abs(second) * 1e-3 / 2) < 0.01 * abs(second) * 1e-3 / 2)
    }

    @Test func theVsBottomIsInTheExpectedDecades() throws {
        for (preset, name) in [("mazur-2015", "w5"), ("nndl-nonconvex", "w2")] {
            let s = try Self.sweep(preset, name)
            #expect((1e-6...1e-4).contains(s.bestCentral.eps), "\(preset): central best at \(s.bestCentral.eps)")
            #expect((1e-9...1e-6).contains(s.bestOneSided.eps), "\(preset): one-sided best at \(s.bestOneSided.eps)")
            // Rounding takes over at the small end: ε = 1e-12 is far worse than the best.
            #expect(row(s, 1e-12).centralError > 100 * s.bestCentral.centralError)
            #expect(row(s, 1e-12).oneSidedError > 100 * s.bestOneSided.oneSidedError)
        }
    }

    @Test func unknownParameterIsNamed() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        #expect(throws: SpecError.self) { try ParameterRef(named: "w9", in: spec, option: "--param") }
        do { _ = try ParameterRef(named: "w9", in: spec, option: "--param"); Issue.record("w9 accepted") } catch {
            #expect(error.description.contains("--param") && error.description.contains("w1..w8"))
        }
    }

    @Test func textNamesTheParameterAndTheBestEps() throws {
        let text = try Self.sweep("mazur-2015", "w5").text()
        #expect(text.contains("d(cost)/dw5"))
        #expect(text.contains("best ε: one-sided 1e-07") || text.contains("best ε: one-sided 1e-08"))
        #expect(text.contains("central 1e-05"))
    }
}
