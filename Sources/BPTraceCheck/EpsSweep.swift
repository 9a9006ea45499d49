import BPTrace
import Foundation

/// Numerical differentiation against backprop for one parameter over ε = 1e-1 … 1e-12:
///
///     one-sided  (f(θ+ε) − f(θ)) / ε          truncation error ≈ ε/2·|f''|   (slope 1 on a log-log plot)
///     central    (f(θ+ε) − f(θ−ε)) / 2ε       truncation error ≈ ε²/6·|f'''| (slope 2)
///
/// and both carry a rounding error ≈ u·|f|/ε (u ≈ 1.1e-16; slope −1). The error against the
/// backprop gradient therefore draws a "V" over ε; its bottom is where the two errors are equal:
/// ε ≈ √u ≈ 1e-8 (error ≈ 1e-8) one-sided, ε ≈ u^(1/3) ≈ 5e-6 (error ≈ 1e-10) central.
/// f is the cost of step 1's batch (loss + λ/2·ΣW²), every other parameter held; the quotient
/// divides by the step actually taken ((θ+ε) − θ in Float64).
public struct EpsSweep: Sendable {
    public struct Row: Sendable {
        public let eps: Double
        public let oneSided: Double
        public let central: Double
        public let oneSidedError: Double
        public let centralError: Double
    }

    public let spec: NetworkSpec
    public let parameter: ParameterRef
    public let step: Int
    public let backprop: Double
    public let cost: Double
    public let rows: [Row]

    /// 1e-1, 1e-2, …, 1e-12.
    public static let epsilons: [Double] = (1...12).map { pow(10, -Double($0)) }

    /// The parameter `gradcheck --eps-sweep` takes without `--param`: the first weight into the
    /// output layer (w5 in mazur-2015, the post's worked example).
    public static func defaultParameter(in spec: NetworkSpec) -> String {
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        return names.weight(layer: spec.depth, source: 0, target: 0).plain
    }

    public init(spec: NetworkSpec, parameter: ParameterRef, step: Int = 1, epsilons: [Double] = EpsSweep.epsilons,
                gradient: GradientCheck.GradientFunction = GradientCheck.backprop) {
        self.spec = spec; self.parameter = parameter; self.step = step
        var trainer = Trainer(spec: spec)
        for s in 1..<max(1, step) { _ = trainer.step(s) }
        let theta = trainer.parameters
        let g = gradient(spec, theta, step)
        let bp: Double
        if parameter.isBias {
            let bl = g.biases.isEmpty ? nil : g.biases[parameter.layer - 1]
            // A shared bias moves every neuron's bias: its derivative is their sum.
            bp = bl.map { m in parameter.col.map { m[0, $0] } ?? m.values.reduce(0, +) } ?? .nan
        } else {
            bp = g.weights[parameter.layer - 1][parameter.row, parameter.col!]
        }
        backprop = bp
        func f(_ v: Double) -> Double {
            var p = theta
            parameter.set(v, in: &p)
            return GradientCheck.cost(spec: spec, parameters: p, step: step)
        }
        let v0 = parameter.value(in: theta)
        let f0 = f(v0)
        cost = f0
        rows = epsilons.map { e in
            let up = v0 + e, down = v0 - e
            let fu = f(up), fd = f(down)
            let one = (fu - f0) / (up - v0)
            let cen = (fu - fd) / (up - down)
            return Row(eps: e, oneSided: one, central: cen, oneSidedError: abs(one - bp), centralError: abs(cen - bp))
        }
    }

    /// The row with the smallest one-sided and central error.
    public var bestOneSided: Row { rows.min { $0.oneSidedError < $1.oneSidedError }! }
    public var bestCentral: Row { rows.min { $0.centralError < $1.centralError }! }

    public func text() -> String {
        func e(_ v: Double) -> String { String(format: "%.3e", v) }
        var lines = ["gradcheck --eps-sweep \(spec.name): d(cost)/d\(parameter.name) at the start of step \(step), backprop \(String(format: "%.15e", backprop))",
                     "error |finite difference − backprop| for ε = 1e-1 … 1e-12:",
                     "ε        one-sided (f(θ+ε)−f(θ))/ε   error       central (f(θ+ε)−f(θ−ε))/2ε   error"]
        for r in rows {
            lines.append(String(format: "%-7@  %-26@  %-10@  %-27@  %@", String(format: "%.0e", r.eps) as NSString,
                                String(format: "%.15e", r.oneSided) as NSString, e(r.oneSidedError) as NSString,
                                String(format: "%.15e", r.central) as NSString, e(r.centralError) as NSString))
        }
        let b1 = bestOneSided, b2 = bestCentral
        lines.append("best ε: one-sided \(String(format: "%.0e", b1.eps)) (error \(e(b1.oneSidedError))), central \(String(format: "%.0e", b2.eps)) (error \(e(b2.centralError)))")
        lines.append("note: for large ε the error is truncation (one-sided ≈ ε/2·f'', falls 10× a decade; central ≈ ε²/6·f''', 100× a decade);")
        lines.append("      for small ε it is rounding (≈ 1e-16·|f|/ε, grows 10× a decade). With |f| and its derivatives of order 1, central")
        lines.append("      differences balance the two near ε ≈ 1e-5 with errors near 1e-10, one-sided near ε ≈ 1e-8 with errors near 1e-8;")
        lines.append("      smaller derivatives move both bottoms (docs/NUMERICAL.md).")
        return lines.joined(separator: "\n") + "\n"
    }
}
