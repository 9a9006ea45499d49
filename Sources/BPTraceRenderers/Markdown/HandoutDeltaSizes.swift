import BPTrace
import Foundation

/// The handout's section on vanishing gradients, for networks with two or more hidden layers:
/// a chart of mean |delta(l)| per layer over the steps (`delta-sizes.svg`, `DeltaSizeChart`),
/// one sentence on why sigmoid layers shrink the error and relu layers do not, and a table of
/// the sizes at the first and last step. The numbers come from `DeltaSizes`; the curve keeps the
/// steps the handout's loss curve keeps (about 1,000 points at most).
struct HandoutDeltaSizes {
    static let figureName = "delta-sizes.svg"
    let spec: NetworkSpec
    private var collector: DeltaSizes.Collector
    private(set) var points: [(step: Int, sizes: [Double])] = []
    private var first: (step: Int, sizes: [Double])? = nil
    private var last: (step: Int, sizes: [Double])? = nil

    init(spec: NetworkSpec) {
        self.spec = spec
        collector = DeltaSizes.Collector(depth: spec.depth)
    }

    var applies: Bool { DeltaSizes.applies(to: spec) }

    mutating func receive(_ block: TraceBlock) {
        if applies { collector.receive(block) }
    }

    /// A step has ended; `keep` says whether the curve samples it.
    mutating func finishStep(_ step: Int, keep: Bool) {
        guard applies else { return }
        let s = (step: step, sizes: collector.sizes(step: step))
        if first == nil { first = s }
        last = s
        if keep { points.append(s) }
    }

    /// "1.80446e-05": six significant digits, the same on every machine.
    static func number(_ v: Double) -> String {
        v.isFinite ? String(format: "%.6g", v) : (v.isNaN ? "—" : (v > 0 ? "∞" : "−∞"))
    }

    /// The Markdown of the section (empty for shallow networks or a run with no step), after
    /// writing its figure through `writeFigure`.
    func section(figures: String, writeFigure: (String, String) throws -> Void) throws -> String {
        guard applies, let first, let last else { return "" }
        let L = spec.depth
        let names = DeltaSizeChart.layerNames(layers: spec.layers)
        try writeFigure(HandoutDeltaSizes.figureName,
                        DeltaSizeChart(points: points, layerNames: names,
                                       title: "\(spec.name): size of the error term per layer").render())
        var out: [String] = ["## The size of the error term per layer", ""]
        out.append("![Mean absolute error term $|\\delta^{(l)}|$ of each layer (over the batch and the layer's neurons) at each step, on a log scale; one line per layer.](\(figures)/\(HandoutDeltaSizes.figureName))")
        out.append("")
        let hidden = Set(spec.activations.prefix(L - 1).map(\.rawValue)).sorted().joined(separator: ", ")
        out.append("Each layer's error term is the error of the layer above sent back through its weights and multiplied by the slope of this layer's activation (here \(hidden)): the slope of sigmoid, $\\sigma'(z)$, is at most 0.25 (its value at $z = 0$), so with sigmoid layers the error shrinks at every layer on its way back to the inputs and the first layers hardly learn (vanishing gradients), while relu passes it on with slope 1 wherever a neuron is active and keeps its size (compare the presets `deep-sigmoid` and `deep-relu`).")
        out.append("")
        let lastHeader = last.step == first.step ? "" : " step \(last.step) |"
        out.append("| layer | mean $\\lvert \\delta^{(l)} \\rvert$ at step \(first.step) |" + lastHeader)
        out.append("|:---|---:|" + (lastHeader.isEmpty ? "" : "---:|"))
        for l in 1...L {
            var row = "| \(names[l - 1]) | \(HandoutDeltaSizes.number(first.sizes[l - 1])) |"
            if !lastHeader.isEmpty { row += " \(HandoutDeltaSizes.number(last.sizes[l - 1])) |" }
            out.append(row)
        }
        out.append("")
        return out.joined(separator: "\n") + "\n"
    }
}
