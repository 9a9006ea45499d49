import BPTrace

/// The network picture of the handout: neurons named as in the post (i1, h1, o1; h^(l)_j for
/// deeper nets), bias nodes, and each edge labelled with its weight before and after a step
/// (`w5 0.4 → 0.3589`). Nets too big for labels (a layer of more than 6 neurons, or more than
/// 40 edges) get unlabelled edges, coloured by sign and as thick as the weight is large; layers
/// of more than 12 neurons show their first 6 and last 5 with an ellipsis between.
public struct NetworkDiagram {
    public let spec: NetworkSpec
    public let names: NetworkNames
    public let before: Parameters
    /// Parameters after the step, or nil for a picture of one set of weights.
    public let after: Parameters?
    /// Inputs, outputs and targets of a one-sample step, shown beside the neurons.
    public let sample: (x: [Double], out: [Double], target: [Double])?
    public let title: String
    /// Decimals of the labels (the handout's, at most 4 to keep labels short).
    public let decimals: Int

    public init(spec: NetworkSpec, names: NetworkNames, before: Parameters, after: Parameters?,
                sample: (x: [Double], out: [Double], target: [Double])?, title: String, decimals: Int) {
        self.spec = spec; self.names = names; self.before = before; self.after = after
        self.sample = sample; self.title = title; self.decimals = min(decimals, 4)
    }

    /// Whether every edge gets a label.
    public var labelled: Bool { NetworkDiagram.labelsEdges(spec) }

    /// Whether a picture of `spec` labels its edges (layers of at most 6 neurons, at most 40 edges).
    public static func labelsEdges(_ spec: NetworkSpec) -> Bool {
        var edges = 0
        for l in 1...spec.depth { edges += spec.layers[l - 1] * spec.layers[l] }
        return spec.layers.allSatisfy { $0 <= 6 } && edges <= 40
    }

    private struct Box {
        var x0, y0, x1, y1: Double
        func overlap(_ o: Box) -> Double {
            let w = min(x1, o.x1) - max(x0, o.x0), h = min(y1, o.y1) - max(y0, o.y0)
            return w > 0 && h > 0 ? w * h : 0
        }
    }

    public func render() -> String {
        let fmt = HandoutNumberFormat(decimals: decimals)
        let L = spec.depth
        let big = !labelled
        let sy: Double = big ? 50 : 96, r: Double = big ? 15 : 21
        // Columns further apart where many labelled edges cross.
        let gaps: [Double] = (1...max(1, L)).map { l in
            let edges = spec.layers[l - 1] * spec.layers[l]
            return big ? 170 : min(430, 215 + 28 * Double(max(0, edges - 4)))
        }
        func columnX(_ l: Int) -> Double { gaps.prefix(l).reduce(0, +) }
        let labelSize: Double = 12
        // Slots per layer: neuron indices, nil for the ellipsis.
        let slots: [[Int?]] = spec.layers.map { n in
            n <= 12 ? (0..<n).map { Optional($0) } : (0..<6).map { Optional($0) } + [nil] + ((n - 5)..<n).map { Optional($0) }
        }
        let maxSlots = Double(slots.map(\.count).max()!)
        let baseLeft: Double = sample != nil ? 70 : 45
        let right: Double = max(sample != nil ? 125 : 45, SVGDocument.textWidth("outputs (\(spec.activations[L - 1].rawValue))", size: 11) / 2 + 10)
        let top: Double = 64
        let hasBias = spec.bias
        let biasRowY = top + maxSlots * sy - (big ? 10 : 20)
        let legend = big ? "edges: weights at the start of the step, blue positive, red negative, thicker = larger (values in the tables)"
            : (after == nil ? "edge label: weight" : "edge label: weight before → after the step") + " (\(decimals) decimals)"
        let natural = baseLeft + columnX(L) + right
        let width = max(natural, SVGDocument.textWidth(legend, size: 11) + 24,
                        SVGDocument.textWidth(title, size: 15) * 1.05 + 24)
        let left = baseLeft + (width - natural) / 2
        let height = (hasBias ? biasRowY + 42 : top + (maxSlots - 1) * sy + 40) + 22
        var svg = SVGDocument(width: width, height: height)

        func pos(_ l: Int, _ slot: Int) -> (Double, Double) {
            let k = Double(slots[l].count)
            return (left + columnX(l), top + (maxSlots - k) / 2 * sy + Double(slot) * sy)
        }
        func position(_ l: Int, _ j: Int) -> (Double, Double)? {
            guard let s = slots[l].firstIndex(where: { $0 == j }) else { return nil }
            return pos(l, s)
        }
        func biasPos(_ l: Int) -> (Double, Double) { (left + columnX(l - 1) + (big ? 0 : gaps[l - 1] * 0.18), biasRowY) }

        svg.text(width / 2, 22, title, size: 15, anchor: .middle, weight: "bold")
        svg.text(width / 2, height - 10, legend, size: 11, anchor: .middle, fill: "#555")

        // Edges and their labels.
        var obstacles: [Box] = []     // labels
        var circles: [Box] = []
        for l in 0...L {
            for s in slots[l].indices {
                let (x, y) = pos(l, s)
                circles.append(Box(x0: x - r - 2, y0: y - r - 2, x1: x + r + 2, y1: y + r + 2))
            }
        }
        if hasBias {
            for l in 1...L { let (x, y) = biasPos(l); circles.append(Box(x0: x - 14, y0: y - 14, x1: x + 14, y1: y + 14)) }
        }
        var labels: [(Double, Double, String)] = []
        let maxAbs = max(1e-12, before.weights.flatMap(\.values).map(abs).max() ?? 1)

        func place(_ a: (Double, Double), _ b: (Double, Double), _ text: String) {
            let w = SVGDocument.textWidth(text, size: labelSize) + 6, h = labelSize + 5
            var best: (Double, Box, Double, Double)? = nil
            for t in [0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85] {
                let cx = a.0 + (b.0 - a.0) * t, cy = a.1 + (b.1 - a.1) * t
                let box = Box(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2)
                let o = obstacles.reduce(0) { $0 + $1.overlap(box) } + circles.reduce(0) { $0 + 20 * $1.overlap(box) }
                if best == nil || o < best!.0 { best = (o, box, cx, cy) }
                if o == 0 { break }
            }
            let (_, box, cx, cy) = best!
            obstacles.append(box)
            labels.append((cx, cy, text))
        }

        func edgeEnds(_ a: (Double, Double), _ b: (Double, Double), _ ra: Double, _ rb: Double) -> ((Double, Double), (Double, Double)) {
            let dx = b.0 - a.0, dy = b.1 - a.1
            let d = max(1e-9, (dx * dx + dy * dy).squareRoot())
            return ((a.0 + dx / d * ra, a.1 + dy / d * ra), (b.0 - dx / d * rb, b.1 - dy / d * rb))
        }

        for l in 1...L {
            let W = before.weights[l - 1], Wn = after?.weights[l - 1]
            // Targets in turn, sources in order: the post's numbering order.
            for j in 0..<spec.layers[l] {
                guard let pt = position(l, j) else { continue }
                for i in 0..<spec.layers[l - 1] {
                    guard let ps = position(l - 1, i) else { continue }
                    let (p, q) = edgeEnds(ps, pt, r, r)
                    let w = W[i, j]
                    if big {
                        svg.line(p.0, p.1, q.0, q.1, stroke: w >= 0 ? "#3b6fb6" : "#c0392b", width: 0.5 + 2.5 * abs(w) / maxAbs)
                    } else {
                        svg.line(p.0, p.1, q.0, q.1, stroke: "#8a8a8a", width: 1.3)
                        var text = "\(names.weight(layer: l, source: i, target: j).plain) \(fmt.plain(w))"
                        if let Wn { text += " → \(fmt.plain(Wn[i, j]))" }
                        place(p, q, text)
                    }
                }
            }
            if hasBias {
                let bp = biasPos(l)
                let b = before.biases[l - 1], bn = after?.biases[l - 1]
                let shared = names.sharedBias[l - 1] && (bn == nil || bn! == b)
                for j in 0..<spec.layers[l] {
                    guard let pt = position(l, j) else { continue }
                    let (p, q) = edgeEnds(bp, pt, 12, r)
                    svg.line(p.0, p.1, q.0, q.1, stroke: "#b0b0b0", width: 1, dash: "4 3")
                    if !shared && !big {
                        var text = "\(names.bias(layer: l, j).plain) \(fmt.plain(b[0, j]))"
                        if let bn { text += " → \(fmt.plain(bn[0, j]))" }
                        place(p, q, text)
                    }
                }
                if shared && !big {
                    let text = "\(names.bias(layer: l, 0).plain) = \(fmt.plain(b[0, 0]))"
                    labels.append((bp.0, bp.1 + 28, text))
                }
            }
        }

        // Neurons on top of the edges.
        let fills = ["#dbe9f6", "#e2f0d9", "#fde9d9"]
        for l in 0...L {
            let fill = l == 0 ? fills[0] : (l == L ? fills[2] : fills[1])
            for (s, j) in slots[l].enumerated() {
                let (x, y) = pos(l, s)
                guard let j else {
                    svg.text(x, y + 5, "⋮", size: 20, anchor: .middle, fill: "#555"); continue
                }
                svg.circle(x, y, r, fill: fill)
                svg.text(x, y + 4.5, names.neuron(layer: l, j).plain, size: big ? 10 : 13, anchor: .middle, weight: "bold")
            }
            let caption: String
            if l == 0 { caption = "inputs" } else if l == L { caption = "outputs (\(spec.activations[l - 1].rawValue))" } else {
                caption = "hidden \(L > 2 ? "layer \(l) " : "")(\(spec.activations[l - 1].rawValue))"
            }
            let (x, _) = pos(l, 0)
            svg.text(x, top - r - 6 + (maxSlots - Double(slots[l].count)) / 2 * sy, caption, size: 11, anchor: .middle, fill: "#555")
        }
        if hasBias {
            for l in 1...L {
                let (x, y) = biasPos(l)
                svg.circle(x, y, 12, fill: "#f3f3f3", stroke: "#888", width: 1)
                svg.text(x, y + 4, "1", size: 11, anchor: .middle, fill: "#444")
            }
        }
        if let sample {
            for j in 0..<spec.layers[0] {
                guard let (x, y) = position(0, j) else { continue }
                svg.text(x - r - 8, y + 4, fmt.plain(sample.x[j]), size: 12, anchor: .end)
            }
            for j in 0..<spec.layers[L] {
                guard let (x, y) = position(L, j) else { continue }
                svg.text(x + r + 7, y - 2, "out \(fmt.plain(sample.out[j]))", size: 12)
                svg.text(x + r + 7, y + 13, "target \(fmt.plain(sample.target[j]))", size: 12, fill: "#555")
            }
        }
        for (x, y, t) in labels {
            let w = SVGDocument.textWidth(t, size: labelSize) + 6
            svg.rect(x - w / 2, y - labelSize / 2 - 2.5, w, labelSize + 5, fill: "#ffffff", stroke: "#d0d0d0", opacity: 0.92, rx: 3)
            svg.text(x, y + labelSize / 2 - 1.5, t, size: labelSize, anchor: .middle)
        }
        return svg.render(title: title)
    }
}
