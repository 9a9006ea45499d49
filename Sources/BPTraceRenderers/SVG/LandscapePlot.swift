import Foundation

/// The loss over two parameters as a heat map (viridis: dark = low, light = high, legible in
/// greyscale) with a colour bar, axes named after the parameters, and the path training took
/// drawn on it (start circle, arrowhead-free polyline, end square).
public struct LandscapePlot {
    public let aName: String, bName: String
    public let aValues: [Double], bValues: [Double]
    /// loss[i][j] at (aValues[i], bValues[j]).
    public let loss: [[Double]]
    public let path: [(Double, Double)]
    public let title: String

    public init(aName: String, bName: String, aValues: [Double], bValues: [Double], loss: [[Double]], path: [(Double, Double)], title: String) {
        self.aName = aName; self.bName = bName; self.aValues = aValues; self.bValues = bValues
        self.loss = loss; self.path = path; self.title = title
    }

    /// Cells drawn per axis at most (a finer grid is sampled; the CSV has every point).
    static let maximumCells = 120

    /// Viridis, 9 stops.
    static let stops: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37)]

    static func colour(_ t: Double) -> String {
        let u = min(max(t.isFinite ? t : 1, 0), 1) * Double(stops.count - 1)
        let k = min(Int(u), stops.count - 2), f = u - Double(k)
        let (a, b) = (stops[k], stops[k + 1])
        func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    public func render() -> String {
        let width = 680.0, height = 580.0
        let ml = 78.0, mt = 46.0, side = 440.0, mb = height - mt - side
        var svg = SVGDocument(width: width, height: height)
        svg.text(ml + side / 2, 26, title, size: 15, anchor: .middle, weight: "bold")
        let finite = loss.flatMap { $0 }.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = max(finite.max() ?? 1, lo + 1e-300)
        // Colour by log(1 + (loss − min)/δ), δ = (max − min)/100: linear near the minimum,
        // logarithmic above it, so shallow basins stay visible beside steep walls.
        let delta = (hi - lo) / 100
        let top = log1p((hi - lo) / delta)
        func t(_ v: Double) -> Double { log1p(max(v - lo, 0) / delta) / top }
        func inverse(_ f: Double) -> Double { lo + delta * expm1(f * top) }
        let na = aValues.count, nb = bValues.count
        let (a0, a1, b0, b1) = (aValues.first!, aValues.last!, bValues.first!, bValues.last!)
        func X(_ v: Double) -> Double { ml + (v - a0) / (a1 - a0) * side }
        func Y(_ v: Double) -> Double { mt + side - (v - b0) / (b1 - b0) * side }
        let ca = min(na, Self.maximumCells), cb = min(nb, Self.maximumCells)
        let cw = side / Double(ca), ch = side / Double(cb)
        for i in 0..<ca {
            let si = Int((Double(i) + 0.5) / Double(ca) * Double(na))
            for j in 0..<cb {
                let sj = Int((Double(j) + 0.5) / Double(cb) * Double(nb))
                // Cells overlap by a hair so no background seams show.
                svg.raw("<rect x=\"\(SVGDocument.n(ml + Double(i) * cw))\" y=\"\(SVGDocument.n(mt + side - Double(j + 1) * ch))\" width=\"\(SVGDocument.n(cw + 0.4))\" height=\"\(SVGDocument.n(ch + 0.4))\" fill=\"\(Self.colour(t(loss[si][sj])))\" shape-rendering=\"crispEdges\"/>")
            }
        }
        svg.rect(ml, mt, side, side, fill: "none", stroke: "#333")
        for v in LossCurve.ticks(a0, a1) {
            svg.line(X(v), mt + side, X(v), mt + side + 5, stroke: "#444", width: 1)
            svg.text(X(v), mt + side + 19, LossCurve.tickLabel(v, step: tickStep(a0, a1)), size: 11, anchor: .middle, fill: "#444")
        }
        for v in LossCurve.ticks(b0, b1) {
            svg.line(ml - 5, Y(v), ml, Y(v), stroke: "#444", width: 1)
            svg.text(ml - 8, Y(v) + 4, LossCurve.tickLabel(v, step: tickStep(b0, b1)), size: 11, anchor: .end, fill: "#444")
        }
        svg.text(ml + side / 2, mt + side + 40, aName, size: 13, anchor: .middle, weight: "bold", fill: "#222")
        svg.text(24, mt + side / 2, bName, size: 13, anchor: .middle, weight: "bold", fill: "#222", rotate: -90)

        // Local minima of the grid (lower than all eight neighbours): the basins.
        for (i, j) in localMinima() {
            let (x, y) = (X(aValues[i]), Y(bValues[j]))
            svg.line(x - 7, y - 7, x + 7, y + 7, stroke: "#ffffff", width: 2.5)
            svg.line(x - 7, y + 7, x + 7, y - 7, stroke: "#ffffff", width: 2.5)
            // The label on a dark plate (legible on light cells), kept inside the map.
            let label = "min " + String(format: "%.3g", loss[i][j])
            let w = SVGDocument.textWidth(label, size: 11) + 8
            let lx = x + 10 + w <= ml + side ? x + 10 : x - 10 - w
            let ly = y - 24 >= mt ? y - 24 : y + 10
            svg.rect(lx, ly, w, 16, fill: "#111111", opacity: 0.7, rx: 3)
            svg.text(lx + 4, ly + 12, label, size: 11, weight: "bold", fill: "#ffffff")
        }
        // The training path: a white line with a dark edge, start circle, end square.
        let pts = path.filter { $0.0.isFinite && $0.1.isFinite }.map { (X($0.0), Y($0.1)) }
        // Clipped to the map: a path that leaves the window is cut at its edge (and said so).
        svg.raw("<clipPath id=\"map\"><rect x=\"\(SVGDocument.n(ml))\" y=\"\(SVGDocument.n(mt))\" width=\"\(SVGDocument.n(side))\" height=\"\(SVGDocument.n(side))\"/></clipPath>")
        svg.raw("<g clip-path=\"url(#map)\">")
        if pts.count > 1 {
            svg.polyline(pts, stroke: "#111111", width: 4.5)
            svg.polyline(pts, stroke: "#ffffff", width: 2)
        }
        if let s = pts.first {
            svg.circle(s.0, s.1, 5.5, fill: "#ffffff", stroke: "#111111", width: 2)
        }
        if pts.count > 1, let e = pts.last {
            svg.rect(e.0 - 5, e.1 - 5, 10, 10, fill: "#e8462a", stroke: "#111111")
        }
        svg.raw("</g>")
        let outside = path.contains { !($0.0 >= a0 && $0.0 <= a1 && $0.1 >= b0 && $0.1 <= b1) }
        _ = mb
        // Colour bar.
        let bx = ml + side + 40, bw = 20.0
        let n = 60
        for k in 0..<n {
            let y0 = mt + side - Double(k + 1) * side / Double(n)
            svg.rect(bx, y0, bw, side / Double(n) + 0.3, fill: Self.colour((Double(k) + 0.5) / Double(n)))
        }
        svg.rect(bx, mt, bw, side, fill: "none", stroke: "#333")
        for k in 0...4 {
            let f = Double(k) / 4
            let v = inverse(f)
            let yy = mt + side - f * side
            svg.line(bx + bw, yy, bx + bw + 5, yy, stroke: "#444", width: 1)
            svg.text(bx + bw + 8, yy + 4, String(format: "%.3g", v), size: 11, fill: "#444")
        }
        svg.text(bx + bw / 2, mt - 10, "loss", size: 12, anchor: .middle, fill: "#333")
        // Legend of the path.
        let ly = mt + side + 62
        svg.circle(ml + 6, ly - 4, 5.5, fill: "#ffffff", stroke: "#111111", width: 2)
        svg.text(ml + 18, ly, "start values", size: 12)
        svg.rect(ml + 120, ly - 9, 10, 10, fill: "#e8462a", stroke: "#111111")
        svg.text(ml + 136, ly, "after \(max(0, path.count - 1)) training step\(path.count == 2 ? "" : "s")", size: 12)
        svg.text(ml + 310, ly, "× local minimum of the grid", size: 11, fill: "#555")
        if outside {
            svg.text(ml, ly + 20, "the path leaves the map (a larger --span shows all of it)", size: 11, fill: "#a0301a")
        }
        return svg.render(title: title)
    }

    /// Interior grid points whose loss is below all eight neighbours'.
    func localMinima() -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        guard loss.count > 2, loss[0].count > 2 else { return out }
        for i in 1..<(loss.count - 1) {
            for j in 1..<(loss[i].count - 1) {
                let v = loss[i][j]
                guard v.isFinite else { continue }
                var lowest = true
                for di in -1...1 { for dj in -1...1 where (di, dj) != (0, 0) { if !(loss[i + di][j + dj] > v) { lowest = false } } }
                if lowest { out.append((i, j)) }
            }
        }
        return out.count <= 8 ? out : []
    }

    private func tickStep(_ lo: Double, _ hi: Double) -> Double {
        let t = LossCurve.ticks(lo, hi)
        return t.count > 1 ? t[1] - t[0] : 1
    }
}
