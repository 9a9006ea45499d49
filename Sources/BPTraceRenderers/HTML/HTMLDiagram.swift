import BPTrace

/// The explorer's network picture: inline SVG drawn with `SVGDocument`'s conventions (the
/// handout's layout: inputs left, bias nodes "1" below, the post's names), where every number
/// is a trace cell the page can update and click: each neuron's net input z, output a and
/// delta δ of one sample of the batch (the first; the page's sample control picks another),
/// each weight and bias at the start of the step, inputs and targets.
/// Networks too big to label (`NetworkDiagram.labelsEdges`) show neurons and edges only; their
/// numbers are in the tables.
struct HTMLDiagram {
    let spec: NetworkSpec
    let names: NetworkNames
    /// The step drawn first (the script refreshes the numbers for other steps).
    let step: Int
    let value: (QuantityRef, Int, Int) -> String?

    private struct Box {
        var x0, y0, x1, y1: Double
        func overlap(_ o: Box) -> Double {
            let w = min(x1, o.x1) - max(x0, o.x0), h = min(y1, o.y1) - max(y0, o.y0)
            return w > 0 && h > 0 ? w * h : 0
        }
    }

    func cell(_ q: Quantity, _ l: Int, _ r: Int, _ c: Int, extra: String = "") -> String {
        let v = value(QuantityRef(q, l), r, c) ?? ""
        return "<tspan class=\"cell\(extra)\" tabindex=\"0\" role=\"button\" data-step=\"\(step)\" data-layer=\"\(l)\" data-quantity=\"\(q.rawValue)\" data-row=\"\(r + 1)\" data-col=\"\(c + 1)\">\(HTMLText.escape(v))</tspan>"
    }

    /// A label: a background box and the text, grouped with the cell's key so the script can
    /// mark the box (yellow and solid, orange and dashed) for the stage walk and the operands.
    /// `after`: the parameter's value after the update (W_new, b_new), shown after an arrow in
    /// the update stages only (`newval`; the script fits the box to the text).
    func label(_ x: Double, _ y: Double, anchor: String, prefix: String, _ q: Quantity, _ l: Int, _ r: Int, _ c: Int,
               after: Quantity? = nil) -> String {
        let n = SVGDocument.n
        let text = prefix + (value(QuantityRef(q, l), r, c) ?? "")
        let w = Double(text.count) * 8.4 + 10, h: Double = 22
        let x0 = anchor == "middle" ? x - w / 2 : (anchor == "end" ? x - w + 5 : x - 5)
        return "<g class=\"lblg\" data-key=\"\(q.rawValue)|\(l)|\(r + 1)|\(c + 1)\"><rect class=\"lblbg\" x=\"\(n(x0))\" y=\"\(n(y - 16))\" width=\"\(n(w))\" height=\"\(n(h))\" rx=\"4\"/>"
            + "<text class=\"lbl\" x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(HTMLText.escape(prefix))\(cell(q, l, r, c))\(newValue(after, l, r, c))</text></g>"
    }

    func newValue(_ q: Quantity?, _ l: Int, _ r: Int, _ c: Int) -> String {
        guard let q, value(QuantityRef(q, l), r, c) != nil else { return "" }
        return "<tspan class=\"newval\"> → </tspan>" + cell(q, l, r, c, extra: " newval")
    }

    func render() -> String {
        let L = spec.depth
        let labelled = NetworkDiagram.labelsEdges(spec)
        let sy: Double = labelled ? 150 : 46, r: Double = labelled ? 24 : 14
        // Columns further apart where many labelled edges cross (as the handout's picture).
        let gaps: [Double] = (1...L).map { l in
            labelled ? min(560, 320 + 26 * Double(max(0, spec.layers[l - 1] * spec.layers[l] - 4))) : 170
        }
        func columnX(_ l: Int) -> Double { gaps.prefix(l).reduce(0, +) }
        let slots: [[Int?]] = spec.layers.map { n in
            n <= 12 ? (0..<n).map { Optional($0) } : (0..<6).map { Optional($0) } + [nil] + ((n - 5)..<n).map { Optional($0) }
        }
        let maxSlots = Double(slots.map(\.count).max()!)
        let left: Double = labelled ? 110 : 50, top: Double = 50
        let width = left + columnX(L) + (labelled ? 150 : 90)
        let biasY = top + maxSlots * sy - (labelled ? 30 : 10)
        let height = (spec.bias ? biasY + 40 : top + (maxSlots - 1) * sy + (labelled ? 70 : 30))
        func pos(_ l: Int, _ s: Int) -> (Double, Double) {
            (left + columnX(l), top + (maxSlots - Double(slots[l].count)) / 2 * sy + Double(s) * sy)
        }
        func position(_ l: Int, _ j: Int) -> (Double, Double)? {
            slots[l].firstIndex(where: { $0 == j }).map { pos(l, $0) }
        }
        func biasPos(_ l: Int) -> (Double, Double) { (left + columnX(l - 1) + (labelled ? gaps[l - 1] * 0.2 : 0), biasY) }
        func ends(_ a: (Double, Double), _ b: (Double, Double), _ ra: Double, _ rb: Double) -> ((Double, Double), (Double, Double)) {
            let dx = b.0 - a.0, dy = b.1 - a.1, d = max(1e-9, (dx * dx + dy * dy).squareRoot())
            return ((a.0 + dx / d * ra, a.1 + dy / d * ra), (b.0 - dx / d * rb, b.1 - dy / d * rb))
        }
        var out: [String] = []
        let n = SVGDocument.n
        out.append("<svg id=\"diagram\"\(labelled ? "" : " class=\"compact\"") viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"group\" aria-label=\"The network: neurons, weights and biases at the current step\">")
        var obstacles: [Box] = []
        for l in 0...L { for s in slots[l].indices { let (x, y) = pos(l, s); obstacles.append(Box(x0: x - r - 4 - (labelled ? 40 : 0), y0: y - r - 4, x1: x + r + 4 + (labelled ? 40 : 0), y1: y + r + (labelled ? 82 : 4))) } }
        var labels: [String] = []
        func place(_ a: (Double, Double), _ b: (Double, Double), _ prefix: String, _ q: Quantity, _ l: Int, _ r: Int, _ c: Int, after: Quantity) {
            let v = value(QuantityRef(q, l), r, c) ?? "", nv = value(QuantityRef(after, l), r, c).map { " → " + $0 } ?? ""
            let w = Double((prefix + v + nv).count) * 8.4 + 10, h: Double = 22
            var best: (Double, Double, Double)? = nil
            for t in [0.35, 0.65, 0.25, 0.75, 0.5, 0.42, 0.58, 0.3, 0.7, 0.2, 0.8] {
                let cx = a.0 + (b.0 - a.0) * t, cy = a.1 + (b.1 - a.1) * t
                let box = Box(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2)
                let o = obstacles.reduce(0) { $0 + $1.overlap(box) }
                if best == nil || o < best!.0 { best = (o, cx, cy) }
                if o == 0 { break }
            }
            let (_, cx, cy) = best!
            obstacles.append(Box(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2))
            labels.append(label(cx, cy + 5.5, anchor: "middle", prefix: prefix, q, l, r, c, after: after))
        }
        for l in 1...L {
            for j in 0..<spec.layers[l] {
                guard let pt = position(l, j) else { continue }
                for i in 0..<spec.layers[l - 1] {
                    guard let ps = position(l - 1, i) else { continue }
                    let (p, q) = ends(ps, pt, r, r)
                    out.append("<line class=\"edge\" x1=\"\(n(p.0))\" y1=\"\(n(p.1))\" x2=\"\(n(q.0))\" y2=\"\(n(q.1))\"/>")
                    if labelled {
                        let name = names.weight(layer: l, source: i, target: j).plain
                        place(p, q, "\(name) ", .W, l, i, j, after: .WNew)
                    }
                }
            }
            guard spec.bias else { continue }
            let bp = biasPos(l)
            let shared = names.sharedBias[l - 1]
            for j in 0..<spec.layers[l] {
                guard let pt = position(l, j) else { continue }
                let (p, q) = ends(bp, pt, 13, r)
                out.append("<line class=\"edge bias\" x1=\"\(n(p.0))\" y1=\"\(n(p.1))\" x2=\"\(n(q.0))\" y2=\"\(n(q.1))\"/>")
                if labelled && !shared {
                    let name = names.bias(layer: l, j).plain
                    place(p, q, "\(name) ", .b, l, 0, j, after: .bNew)
                }
            }
            if labelled && shared {
                labels.append(label(bp.0, bp.1 + 34, anchor: "middle", prefix: "\(names.bias(layer: l, 0).plain) = ", .b, l, 0, 0, after: .bNew))
            }
        }
        for l in 0...L {
            let kind = l == 0 ? "in" : (l == L ? "outn" : "hid")
            for (s, j) in slots[l].enumerated() {
                let (x, y) = pos(l, s)
                guard let j else { out.append("<text class=\"name\" x=\"\(n(x))\" y=\"\(n(y + 6))\" text-anchor=\"middle\">⋮</text>"); continue }
                let name = names.neuron(layer: l, j).plain
                out.append("<circle class=\"neuron \(kind)\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\"/>")
                out.append("<text class=\"name\" x=\"\(n(x))\" y=\"\(n(y + (labelled ? 6 : 4)))\" text-anchor=\"middle\">\(HTMLText.escape(name))</text>")
                guard labelled else { continue }
                if l == 0 {
                    out.append(label(x - r - 8, y + 5, anchor: "end", prefix: "", .x, 0, 0, j))
                } else {
                    out.append(label(x, y + r + 20, anchor: "middle", prefix: "net ", .z, l, 0, j))
                    out.append(label(x, y + r + 44, anchor: "middle", prefix: "out ", .a, l, 0, j))
                    out.append(label(x, y + r + 68, anchor: "middle", prefix: "δ ", .delta, l, 0, j))
                }
                if l == L {
                    out.append(label(x + r + 10, y + 5, anchor: "start", prefix: "target ", .y, L, 0, j))
                }
            }
            let (x, _) = pos(l, 0)
            let caption = l == 0 ? "inputs" : (l == L ? "outputs (\(spec.activations[l - 1].rawValue))" : "hidden\(L > 2 ? " \(l)" : "") (\(spec.activations[l - 1].rawValue))")
            out.append("<text class=\"cap\" x=\"\(n(x))\" y=\"\(n(top - r - 10 + (maxSlots - Double(slots[l].count)) / 2 * sy))\" text-anchor=\"middle\">\(HTMLText.escape(caption))</text>")
        }
        if spec.bias {
            for l in 1...L {
                let (x, y) = biasPos(l)
                out.append("<circle class=\"neuron biasn\" cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"13\"/><text class=\"name\" x=\"\(n(x))\" y=\"\(n(y + 5))\" text-anchor=\"middle\">1</text>")
            }
        }
        out += labels
        out.append("</svg>")
        return out.joined(separator: "\n")
    }
}
