import Foundation

/// The vanishing-gradient chart of the handout: the size of the error term of each layer,
/// mean |delta(l)| (from `DeltaSizes`), against the step, on a logarithmic y axis with a tick
/// at every power of ten. One line per layer, told apart by colour and by dash pattern (so it
/// reads in greyscale too), with a legend. A value of 0 or one that is not finite cannot sit on
/// a log axis: the line breaks there.
public struct DeltaSizeChart {
    /// (step, mean |delta(l)| for l = 1 … L), steps increasing.
    public let points: [(step: Int, sizes: [Double])]
    /// The legend text of each layer l = 1 … L.
    public let layerNames: [String]
    public let title: String

    public init(points: [(step: Int, sizes: [Double])], layerNames: [String], title: String) {
        self.points = points; self.layerNames = layerNames; self.title = title
    }

    /// Colours dark to light and dash patterns, cycled for deeper networks.
    static let colours = ["#08306b", "#2171b5", "#6baed6", "#e6550d", "#a63603", "#31a354", "#756bb1", "#636363"]
    static let dashes: [String?] = [nil, "9 4", "3 3", "12 4 3 4", "6 2", "2 5", "12 3 3 3 3 3", "16 6"]

    /// The legend names of layers 1 … L of a network with these layer sizes.
    public static func layerNames(layers: [Int]) -> [String] {
        let L = layers.count - 1
        return (1...max(1, L)).map { l in
            l == L ? "layer \(l) (output)" : (l == 1 ? "layer \(l) (first hidden)" : "layer \(l) (hidden)")
        }
    }

    public func render() -> String {
        let L = layerNames.count
        let legendWidth = 190.0
        let width = 640.0 + legendWidth, height = 360.0
        let ml = 78.0, mt = 44.0, mb = 52.0
        let pw = 640.0 - ml - 24, ph = height - mt - mb
        var svg = SVGDocument(width: width, height: height)
        svg.text(ml + pw / 2, 24, title, size: 15, anchor: .middle, weight: "bold")
        let positive = points.flatMap { $0.sizes.filter { $0 > 0 && $0.isFinite } }
        var lo = floor(log10(positive.min() ?? 1e-3)), hi = ceil(log10(positive.max() ?? 1))
        if hi <= lo { hi = lo + 1 }
        if hi - lo > 30 { lo = hi - 30 }   // at most 30 decades: smaller values drop off the bottom
        let firstStep = points.first?.step ?? 1, lastStep = max(points.last?.step ?? 1, firstStep + 1)
        func X(_ s: Int) -> Double { ml + Double(s - firstStep) / Double(lastStep - firstStep) * pw }
        func Y(_ v: Double) -> Double { mt + ph - (log10(v) - lo) / (hi - lo) * ph }

        let every = max(1, Int(ceil((hi - lo) / 10)))
        var e = lo
        while e <= hi {
            svg.line(ml, Y(pow(10, e)), ml + pw, Y(pow(10, e)), stroke: "#e4e4e4", width: 1)
            if Int(e - lo) % every == 0 {
                svg.text(ml - 8, Y(pow(10, e)) + 4, "1e\(Int(e))", size: 11, anchor: .end, fill: "#444")
            }
            e += 1
        }
        for s in LossCurve.ticks(Double(firstStep), Double(lastStep)).filter({ $0 == $0.rounded() }) {
            svg.line(X(Int(s)), mt + ph, X(Int(s)), mt + ph + 5, stroke: "#444", width: 1)
            svg.text(X(Int(s)), mt + ph + 19, String(Int(s)), size: 11, anchor: .middle, fill: "#444")
        }
        svg.line(ml, mt + ph, ml + pw, mt + ph, stroke: "#444", width: 1.2)
        svg.line(ml, mt, ml, mt + ph, stroke: "#444", width: 1.2)
        svg.text(ml + pw / 2, height - 10, "step", size: 12, anchor: .middle, fill: "#333")
        svg.text(18, mt + ph / 2, "mean |delta| (log scale)", size: 12, anchor: .middle, fill: "#333", rotate: -90)

        for l in 0..<L {
            let colour = DeltaSizeChart.colours[l % DeltaSizeChart.colours.count]
            let dash = DeltaSizeChart.dashes[l % DeltaSizeChart.dashes.count]
            var segment: [(Double, Double)] = []
            func flush() {
                if segment.count == 1 {
                    svg.circle(segment[0].0, segment[0].1, 3.5, fill: colour, stroke: colour, width: 1)
                } else if segment.count > 1 {
                    let p = segment.map { "\(SVGDocument.n($0.0)),\(SVGDocument.n($0.1))" }.joined(separator: " ")
                    svg.raw("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.2\" stroke-linejoin=\"round\"" + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
                }
                segment = []
            }
            for p in points {
                let v = l < p.sizes.count ? p.sizes[l] : .nan
                if v > 0, v.isFinite, log10(v) >= lo { segment.append((X(p.step), Y(v))) } else { flush() }
            }
            flush()
        }

        // Legend: the output layer first (top), as the lines usually stack.
        let lx = 640.0, ly = mt + 4
        svg.text(lx, ly, "layer", size: 12, weight: "bold", fill: "#333")
        for (i, l) in (0..<L).reversed().enumerated() {
            let y = ly + 20 + Double(i) * 20
            let colour = DeltaSizeChart.colours[l % DeltaSizeChart.colours.count]
            svg.line(lx, y - 4, lx + 40, y - 4, stroke: colour, width: 2.2, dash: DeltaSizeChart.dashes[l % DeltaSizeChart.dashes.count])
            svg.text(lx + 48, y, layerNames[l], size: 11, fill: "#222")
        }
        return svg.render(title: title)
    }
}
