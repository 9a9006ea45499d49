import Foundation

/// The "V" of numerical differentiation: the error of one-sided and central differences
/// against backprop over ε on log-log axes, with guide lines of slope 1 and 2 (truncation) and
/// −1 (rounding) and the best ε of each marked.
public struct EpsSweepPlot {
    public let eps: [Double]
    public let oneSided: [Double]
    public let central: [Double]
    public let title: String

    public init(eps: [Double], oneSided: [Double], central: [Double], title: String) {
        self.eps = eps; self.oneSided = oneSided; self.central = central; self.title = title
    }

    /// Errors below this (exact zeros included) are drawn at it.
    static let errorFloor = 1e-17

    public func render() -> String {
        let width = 720.0, height = 440.0
        let ml = 78.0, mr = 190.0, mt = 46.0, mb = 56.0
        let pw = width - ml - mr, ph = height - mt - mb
        var svg = SVGDocument(width: width, height: height)
        svg.text((ml + width - mr) / 2, 26, title, size: 15, anchor: .middle, weight: "bold")
        let lx = eps.map { log10($0) }
        let all = (oneSided + central).map { log10(max($0, Self.errorFloor)) }.filter(\.isFinite)
        let xlo: Double = (lx.min() ?? -12).rounded(.down), xhi: Double = (lx.max() ?? -1).rounded(.up)
        let ylo: Double = ((all.min() ?? -16) - 0.3).rounded(.down)
        let yhi: Double = max((all.max() ?? 0).rounded(.up), ylo + 1)
        let xspan: Double = max(xhi - xlo, 1), yspan: Double = yhi - ylo
        func X(_ l: Double) -> Double { ml + (l - xlo) / xspan * pw }
        func Y(_ l: Double) -> Double { mt + ph - (l - ylo) / yspan * ph }
        let ystep = max(1, ((yhi - ylo) / 8).rounded(.up))
        var y = ylo
        while y <= yhi + 1e-9 {
            svg.line(ml, Y(y), ml + pw, Y(y), stroke: "#e4e4e4", width: 1)
            svg.text(ml - 8, Y(y) + 4, "1e\(Int(y))", size: 11, anchor: .end, fill: "#444")
            y += ystep
        }
        var x = xlo
        while x <= xhi + 1e-9 {
            svg.line(X(x), mt, X(x), mt + ph, stroke: "#eeeeee", width: 1)
            svg.text(X(x), mt + ph + 18, "1e\(Int(x))", size: 11, anchor: .middle, fill: "#444")
            x += 1
        }
        svg.line(ml, mt + ph, ml + pw, mt + ph, stroke: "#444", width: 1.2)
        svg.line(ml, mt, ml, mt + ph, stroke: "#444", width: 1.2)
        svg.text(ml + pw / 2, height - 12, "step ε (log scale)", size: 12, anchor: .middle, fill: "#333")
        svg.text(20, mt + ph / 2, "|finite difference − backprop| (log scale)", size: 12, anchor: .middle, fill: "#333", rotate: -90)

        // Guide lines parallel to the measured branches they describe, shifted off them by
        // `shift` decades and clipped to the plot.
        func guide(slope: Double, through i: Int, of series: [Double], from a: Double, to b: Double, shift: Double, label: String, below: Bool) {
            guard series.indices.contains(i), series[i] > Self.errorFloor else { return }
            let y0 = log10(series[i]) + shift, x0 = lx[i]
            var p0 = (a, y0 + slope * (a - x0)), p1 = (b, y0 + slope * (b - x0))
            func clip(_ p: inout (Double, Double), toward q: (Double, Double)) {
                for bound in [ylo, yhi] where (p.1 - bound) * (q.1 - bound) < 0 || (bound == ylo ? p.1 < ylo : p.1 > yhi) {
                    if (bound == ylo && p.1 < ylo) || (bound == yhi && p.1 > yhi) {
                        let t = (bound - p.1) / (q.1 - p.1)
                        p = (p.0 + t * (q.0 - p.0), bound)
                    }
                }
                p.0 = min(max(p.0, xlo), xhi)
            }
            clip(&p0, toward: p1); clip(&p1, toward: p0)
            guard p1.0 - p0.0 > 0.3 else { return }
            svg.line(X(p0.0), Y(p0.1), X(p1.0), Y(p1.1), stroke: "#666", width: 1.4, dash: "6 4")
            // The label at the guide's upper end (left for slope −1, right otherwise), outside the data.
            if below {
                svg.text(X(p0.0), Y(p0.1) + 18, label, size: 11, anchor: .middle, weight: "bold", fill: "#333")
            } else if slope > 0 {
                svg.text(X(p0.0) - 6, Y(p0.1) + 4, label, size: 11, anchor: .end, weight: "bold", fill: "#333")
            } else {
                svg.text(X(p1.0) + 6, Y(p1.1) + 4, label, size: 11, anchor: .start, weight: "bold", fill: "#333")
            }
        }
        let large = lx.indices.first { eps[$0] <= 1e-2 } ?? 0
        guide(slope: 1, through: large, of: oneSided, from: lx[large] - 3, to: lx[large], shift: 0.8, label: "slope 1", below: false)
        guide(slope: 2, through: large, of: central, from: lx[large] - 1.5, to: lx[large] + 1, shift: -1.2, label: "slope 2", below: true)
        let small = lx.indices.last { eps[$0] >= 1e-11 } ?? (lx.count - 1)
        guide(slope: -1, through: small, of: oneSided, from: lx[small] - 1, to: lx[small] + 2, shift: 1, label: "slope −1", below: false)

        let blue = "#1f5fa8", orange = "#d9661f"
        func series(_ v: [Double]) -> [(Double, Double)] { zip(lx, v).filter { !$0.1.isNaN }.map { (X($0), Y(min(log10(max($1, Self.errorFloor)), yhi))) } }
        svg.polyline(series(oneSided), stroke: orange, width: 2.2)
        for p in series(oneSided) { svg.rect(p.0 - 3.5, p.1 - 3.5, 7, 7, fill: orange) }
        svg.polyline(series(central), stroke: blue, width: 2.2)
        for p in series(central) { svg.circle(p.0, p.1, 3.8, fill: blue, stroke: blue, width: 1) }
        // The best ε of each: ringed, and named in the legend.
        var best: [String] = []
        for (v, c, name) in [(oneSided, orange, "one-sided"), (central, blue, "central")] {
            guard let i = v.indices.filter({ v[$0].isFinite }).min(by: { v[$0] < v[$1] }) else { continue }
            let p = (X(lx[i]), Y(log10(max(v[i], Self.errorFloor))))
            svg.circle(p.0, p.1, 8, fill: "none", stroke: c, width: 2)
            best.append("\(name): ε = 1e\(Int(lx[i].rounded()))")
            best.append("  error \(String(format: "%.1e", v[i]))")
        }
        // Legend.
        let gx = ml + pw + 16
        svg.line(gx, mt + 10, gx + 24, mt + 10, stroke: orange, width: 2.2)
        svg.rect(gx + 8.5, mt + 6.5, 7, 7, fill: orange)
        svg.text(gx + 30, mt + 14, "one-sided", size: 12)
        svg.text(gx + 30, mt + 29, "(f(θ+ε)−f(θ))/ε", size: 10, fill: "#555")
        svg.line(gx, mt + 50, gx + 24, mt + 50, stroke: blue, width: 2.2)
        svg.circle(gx + 12, mt + 50, 3.8, fill: blue, stroke: blue, width: 1)
        svg.text(gx + 30, mt + 54, "central", size: 12)
        svg.text(gx + 30, mt + 69, "(f(θ+ε)−f(θ−ε))/2ε", size: 10, fill: "#555")
        svg.line(gx, mt + 90, gx + 24, mt + 90, stroke: "#777", width: 1.2, dash: "5 4")
        svg.text(gx + 30, mt + 94, "slope guides:", size: 12)
        for (k, line) in ["1: one-sided truncation", "   ≈ ε·f″/2", "2: central truncation", "   ≈ ε²·f‴/6", "−1: rounding ≈ u·|f|/ε"].enumerated() {
            svg.text(gx + 8, mt + 112 + Double(k) * 15, line, size: 10.5, fill: "#444")
        }
        svg.circle(gx + 12, mt + 196, 7, fill: "none", stroke: "#444", width: 2)
        svg.text(gx + 30, mt + 200, "smallest error:", size: 12)
        for (k, line) in best.enumerated() { svg.text(gx + 8, mt + 218 + Double(k) * 15, line, size: 10.5, fill: k < 2 ? orange : blue) }
        return svg.render(title: title)
    }
}
