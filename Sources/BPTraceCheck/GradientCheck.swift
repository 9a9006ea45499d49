import BPTrace
import Foundation

/// Central finite differences of the cost against the backprop gradient, for every weight and
/// bias, at the start of each checked step.
///
/// For a parameter θ the numeric derivative is
///
///     g_fd = (f(θ + ε) − f(θ − ε)) / 2ε
///
/// where f is the cost of the step's batch (loss + (λ/2)·ΣW²) with every other parameter held.
/// Its truncation error is O(ε²) (ε²/6 · f'''), its rounding error O(u/ε) (u ≈ 1.1e-16 times the
/// size of f, cancelled in the subtraction); the sum is smallest near ε ≈ u^(1/3) ≈ 5e-6, and
/// the default ε = 1e-5 sits there. The comparison is the relative error
///
///     |g_bp − g_fd| / max(|g_bp|, |g_fd|, s),   s = 1e-3 · max(1, |f(θ)|)
///
/// so gradients much smaller than the cost are compared absolutely (scaled by the cost)
/// instead of dividing rounding noise (about u·|f|/ε ≈ 1e-11·|f|) by a tiny number. A check
/// fails when any relative error exceeds the threshold (default 1e-6: correct backprop on the
/// presets and fixtures stays below 1e-7; a wrong derivative gives errors of order 1e-2 to 1).
///
/// A ReLU kink between θ − ε and θ + ε makes the difference quotient meaningless; such
/// parameters are reported as kinks and left out of the verdict.
///
/// Under `"update": "immediate"` the engine's hidden-layer gradients are, by design, not the
/// gradient of the cost (err(l-1) goes back through the already-updated W(l)). The check then
/// compares the cost's true gradient — backprop with the simultaneous order at the same
/// parameters — and reports apart how far the immediate order's gradients are from it.
public enum GradientCheck {
    /// grad_W(l) and grad_b(l) for l = 1..L (index l-1); `biases` empty without bias terms.
    public struct Gradients: Sendable {
        public var weights: [Matrix]
        public var biases: [Matrix]
        public init(weights: [Matrix], biases: [Matrix]) { self.weights = weights; self.biases = biases }
    }

    /// Computes the gradient of the cost of step `step`'s batch at `parameters`. Tests inject a
    /// wrong one to see the check fail.
    public typealias GradientFunction = @Sendable (_ spec: NetworkSpec, _ parameters: Parameters, _ step: Int) -> Gradients

    /// The engine's backprop (`Trainer`), with the simultaneous order: the cost's gradient.
    public static let backprop: GradientFunction = { spec, parameters, step in
        var s = spec
        s.update = .simultaneous
        return engineGradients(spec: s, parameters: parameters, step: step)
    }

    /// The engine's gradients under the spec's own update order.
    public static func engineGradients(spec: NetworkSpec, parameters: Parameters, step: Int) -> Gradients {
        var t = Trainer(spec: spec, parameters: parameters)
        let r = t.step(step)
        let L = spec.depth
        return Gradients(weights: (1...L).compactMap { r[.gradW, $0] }, biases: spec.bias ? (1...L).compactMap { r[.gradB, $0] } : [])
    }

    /// The most weights and biases `gradcheck` takes: every parameter costs two evaluations of
    /// the cost, so the work grows with the square of the network's size.
    public static let maximumParameters = 100_000
    /// Parameters × traced values per step × steps: a bound on the work of one check.
    public static let maximumWork = 10_000_000_000

    /// Why `spec` is too large to check for `steps` steps, or nil.
    public static func refusal(spec: NetworkSpec, steps: Int) -> String? {
        let p = SpecLimits.parameterCount(layers: spec.layers, bias: spec.bias)
        if p > maximumParameters {
            return "the network has \(SpecLimits.grouped(p)) weights and biases; gradcheck takes at most \(SpecLimits.grouped(maximumParameters)) (each costs two evaluations of the cost)"
        }
        let perStep = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
        let work = Double(p) * Double(perStep) * Double(steps)
        if work > Double(maximumWork) {
            return "checking \(SpecLimits.grouped(p)) parameters over \(steps) step(s) of \(SpecLimits.grouped(perStep)) traced values is about \(String(format: "%.1e", work)) operations; gradcheck does at most \(String(format: "%.0e", Double(maximumWork))) (use fewer --steps, a smaller batch or network)"
        }
        return nil
    }

    public struct Options: Sendable {
        /// The finite-difference step ε.
        public var eps: Double = 1e-5
        /// The largest relative error that passes.
        public var threshold: Double = 1e-6
        /// The denominator's floor, relative to the cost: s = floorScale · max(1, |f(θ)|).
        public var floorScale: Double = 1e-3
        public init(eps: Double = 1e-5, threshold: Double = 1e-6, floorScale: Double = 1e-3) {
            self.eps = eps; self.threshold = threshold; self.floorScale = floorScale
        }
    }

    /// One parameter at one step.
    public struct Entry: Sendable {
        public let step: Int
        /// The post-style name (`w5`, `b1_2`).
        public let name: String
        public let isBias: Bool
        public let layer: Int
        /// 1-based: source and target neuron for a weight; row 1 and the neuron for a bias.
        public let row: Int
        public let col: Int
        public let backprop: Double
        public let numeric: Double
        public var absoluteError: Double { abs(backprop - numeric) }
        public let relativeError: Double
        /// A ReLU kink lies within ±ε: the difference quotient says nothing.
        public let kink: Bool
    }

    public struct Report: Sendable {
        public let spec: NetworkSpec
        public let steps: Int
        public let options: Options
        public let entries: [Entry]
        /// Under the immediate order: the largest relative deviation of the engine's own
        /// gradients from the cost's gradient (by design, not part of the verdict).
        public let immediateDeviation: Double?

        /// Entries sorted by relative error, worst first (kinks last).
        public var worst: [Entry] {
            entries.sorted { a, b in a.kink != b.kink ? !a.kink : (a.relativeError > b.relativeError || a.relativeError.isNaN) }
        }
        public var checked: [Entry] { entries.filter { !$0.kink } }
        public var maxRelativeError: Double { checked.map(\.relativeError).max() ?? 0 }
        public var failures: [Entry] { checked.filter { !($0.relativeError <= options.threshold) } }
        public var passed: Bool { failures.isEmpty }
    }

    /// Checks steps 1...`steps` of `spec` along the engine's own trajectory.
    public static func run(spec: NetworkSpec, steps: Int = 1, options: Options = Options(),
                           gradient: GradientFunction = backprop, progress: ((Int, Int) -> Void)? = nil) -> Report {
        let total = SpecLimits.parameterCount(layers: spec.layers, bias: spec.bias) * max(1, steps)
        var done = 0
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        var trainer = Trainer(spec: spec)
        var entries: [Entry] = []
        var deviation: Double? = nil
        for s in 1...max(1, steps) {
            let theta = trainer.parameters
            let g = gradient(spec, theta, s)
            let center = relPattern(spec: spec, parameters: theta, step: s)
            let floor = options.floorScale * max(1, abs(cost(spec: spec, parameters: theta, step: s)))
            if spec.update == .immediate {
                let own = engineGradients(spec: spec, parameters: theta, step: s)
                let truth = backprop(spec, theta, s)
                for (a, b) in zip(own.weights + own.biases, truth.weights + truth.biases) {
                    for (x, y) in zip(a.values, b.values) {
                        let d = abs(x - y) / max(abs(x), abs(y), floor)
                        deviation = max(deviation ?? 0, d)
                    }
                }
            }
            for l in 1...spec.depth {
                let W = theta.weights[l - 1]
                for i in 0..<W.rows {
                    for j in 0..<W.cols {
                        let (fd, kink) = numeric(spec: spec, parameters: theta, step: s, eps: options.eps, center: center,
                                                 value: W[i, j]) { p, v in p.weights[l - 1][i, j] = v }
                        let bp = g.weights[l - 1][i, j]
                        entries.append(Entry(step: s, name: names.weight(layer: l, source: i, target: j).plain, isBias: false, layer: l,
                                             row: i + 1, col: j + 1, backprop: bp, numeric: fd,
                                             relativeError: relative(bp, fd, floor: floor), kink: kink))
                        done += 1; progress?(done, total)
                    }
                }
                guard spec.bias else { continue }
                for j in 0..<theta.biases[l - 1].cols {
                    let (fd, kink) = numeric(spec: spec, parameters: theta, step: s, eps: options.eps, center: center,
                                             value: theta.biases[l - 1][0, j]) { p, v in p.biases[l - 1][0, j] = v }
                    let bp = g.biases[l - 1][0, j]
                    entries.append(Entry(step: s, name: names.perNeuronBias(layer: l, j).plain, isBias: true, layer: l, row: 1, col: j + 1,
                                         backprop: bp, numeric: fd, relativeError: relative(bp, fd, floor: floor), kink: kink))
                    done += 1; progress?(done, total)
                }
            }
            _ = trainer.step(s)
        }
        return Report(spec: spec, steps: max(1, steps), options: options, entries: entries, immediateDeviation: deviation)
    }

    public static func relative(_ a: Double, _ b: Double, floor: Double) -> Double {
        guard a.isFinite, b.isFinite else { return .infinity }
        return abs(a - b) / max(abs(a), abs(b), floor)
    }

    /// The cost of step `step`'s batch at `parameters`: loss + (λ/2)·ΣW².
    public static func cost(spec: NetworkSpec, parameters: Parameters, step: Int) -> Double {
        let r = Trainer(spec: spec, parameters: parameters).forward(step)
        return r.cost ?? r.loss
    }

    /// For each ReLU layer, which net inputs are > 0 (a change means a kink was crossed).
    static func relPattern(spec: NetworkSpec, parameters: Parameters, step: Int) -> [Bool] {
        guard spec.activations.contains(.relu) else { return [] }
        let r = Trainer(spec: spec, parameters: parameters).forward(step)
        var out: [Bool] = []
        for l in 1...spec.depth where spec.activations[l - 1] == .relu { out += (r[.z, l]?.values ?? []).map { $0 > 0 } }
        return out
    }

    /// (f(θ+ε) − f(θ−ε)) / 2ε, dividing by the step actually taken ((θ+ε) − (θ−ε) in Float64).
    static func numeric(spec: NetworkSpec, parameters: Parameters, step: Int, eps: Double, center: [Bool],
                        value: Double, set: (inout Parameters, Double) -> Void) -> (Double, Bool) {
        var plus = parameters, minus = parameters
        let up = value + eps, down = value - eps
        set(&plus, up)
        set(&minus, down)
        let fd = (cost(spec: spec, parameters: plus, step: step) - cost(spec: spec, parameters: minus, step: step)) / (up - down)
        let kink = !center.isEmpty && (relPattern(spec: spec, parameters: plus, step: step) != center
                                       || relPattern(spec: spec, parameters: minus, step: step) != center)
        return (fd, kink)
    }
}

extension GradientCheck.Report {
    /// The table of the `top` worst relative errors and a verdict line.
    public func text(top: Int = 10) -> String {
        var lines: [String] = []
        let nParams = entries.count / max(1, steps)
        lines.append("gradcheck \(spec.name): \(nParams) parameters × \(steps) step\(steps == 1 ? "" : "s"), "
                     + "central differences (f(θ+ε) − f(θ−ε)) / 2ε with ε = \(shortestText(options.eps)) on the cost"
                     + (spec.l2 > 0 ? " (loss + λ/2·ΣW²)" : " (the loss; l2 = 0)"))
        if spec.update == .immediate {
            lines.append("the spec's update order is immediate: checked against the cost's gradient (backprop with the simultaneous order);")
            lines.append("the immediate order's own hidden-layer gradients deviate from it by up to \(String(format: "%.2e", immediateDeviation ?? 0)) relative (by design, not counted)")
        }
        let header = ["step", "param", "layer", "row", "col", "backprop", "finite diff", "abs error", "rel error", ""]
        var rows: [[String]] = []
        for e in worst.prefix(max(0, top)) {
            rows.append(["\(e.step)", e.name, "\(e.layer)", "\(e.row)", "\(e.col)", String(format: "%.12e", e.backprop), String(format: "%.12e", e.numeric),
                         String(format: "%.2e", e.absoluteError), String(format: "%.2e", e.relativeError),
                         e.kink ? "relu kink within ±ε: not counted" : (e.relativeError <= options.threshold ? "" : "FAIL")])
        }
        let widths = (0..<header.count).map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max()! }
        func fmt(_ r: [String]) -> String {
            r.enumerated().map { c, s in c >= 2 && c <= 8 ? String(repeating: " ", count: widths[c] - s.count) + s : s + String(repeating: " ", count: widths[c] - s.count) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.append("worst \(rows.count) of \(entries.count) by relative error |bp − fd| / max(|bp|, |fd|, \(shortestText(options.floorScale))·max(1, |cost|)):")
        lines.append(fmt(header))
        for r in rows { lines.append(fmt(r)) }
        let kinks = entries.count - checked.count
        let verdict = passed ? "PASS" : "FAIL"
        lines.append("\(verdict): max relative error \(String(format: "%.2e", maxRelativeError)) (threshold \(shortestText(options.threshold))); "
                     + "\(failures.count) of \(checked.count) above it" + (kinks > 0 ? "; \(kinks) at a relu kink, not counted" : ""))
        return lines.joined(separator: "\n") + "\n"
    }
}
