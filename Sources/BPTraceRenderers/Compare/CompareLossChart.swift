import Foundation

/// The comparison's loss curves on one chart: one line per run, a legend naming the varied
/// values, a log-scale loss axis when the losses span more than 2 decades; a diverged run's
/// line ends where it stopped, with a cross.
public struct CompareLossChart {
    public struct Series {
        public let label: String
        /// The loss at steps 1, 2, ... (as far as the run went).
        public let losses: [Double]
        public let diverged: Bool
        public init(label: String, losses: [Double], diverged: Bool) { self.label = label; self.losses = losses; self.diverged = diverged }
    }
    public let series: [Series]
    public let steps: Int
    public let title: String

    /// Whether each run's line carries `class="run" data-run="N"` (the compare page's selector dims the others).
    public var tagRuns = false

    public init(series: [Series], steps: Int, title: String) { self.series = series; self.steps = steps; self.title = title }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    static let dashes: [String?] = [nil, "6 3", "2 3", "8 3 2 3"]

    /// Whether the loss axis is logarithmic: every loss positive and max/min above 100.
    public var logScale: Bool {
        let all = series.flatMap(\.losses).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max(), lo > 0 else { return false }
        return hi / lo > 100
    }

    public func render() -> String {
        let legendRows = series.count
        let width = 720.0, ml = 78.0, mr = 24.0, mt = 44.0, plotH = 280.0, mb = 52.0
        let height = mt + plotH + mb + Double(legendRows) * 18 + 8
        let pw = width - ml - mr
        var svg = SVGDocument(width: width, height: height)
        svg.text(width / 2, 24, title, size: 15, anchor: .middle, weight: "bold")
        let log = logScale
        func t(_ v: Double) -> Double { log ? log10(v) : v }
        let all = series.flatMap(\.losses).filter { $0.isFinite && (!log || $0 > 0) }.map(t)
        var lo = all.min() ?? 0, hi = all.max() ?? 1
        if !log { lo = min(0, lo) }
        if hi <= lo { hi = lo + 1 }
        var yt: [Double] = log ? Array(Int(floor(lo))...Int(ceil(hi))).map(Double.init) : LossCurve.ticks(lo, hi)
        // The top tick at or above the largest loss, so the axis is labelled at its top.
        if !log, yt.count > 1, let last = yt.last, last < hi { yt.append(last + (yt[1] - yt[0])) }
        lo = min(lo, yt.first ?? lo); hi = max(hi, yt.last ?? hi)
        let lastStep = max(steps, 2)
        let xt = LossCurve.ticks(1, Double(lastStep)).filter { $0 == $0.rounded() && $0 >= 1 }
        func X(_ s: Int) -> Double { ml + Double(s - 1) / Double(lastStep - 1) * pw }
        func Y(_ v: Double) -> Double { mt + plotH - (t(v) - lo) / (hi - lo) * plotH }
        func Yt(_ tv: Double) -> Double { mt + plotH - (tv - lo) / (hi - lo) * plotH }
        let ystep = yt.count > 1 ? yt[1] - yt[0] : 1
        for v in yt {
            svg.line(ml, Yt(v), ml + pw, Yt(v), stroke: "#e4e4e4", width: 1)
            let label = log ? "1e\(Int(v))" : LossCurve.tickLabel(v, step: ystep)
            svg.text(ml - 8, Yt(v) + 4, label, size: 11, anchor: .end, fill: "#444")
        }
        for s in xt {
            svg.line(X(Int(s)), mt + plotH, X(Int(s)), mt + plotH + 5, stroke: "#444", width: 1)
            svg.text(X(Int(s)), mt + plotH + 19, String(Int(s)), size: 11, anchor: .middle, fill: "#444")
        }
        svg.line(ml, mt + plotH, ml + pw, mt + plotH, stroke: "#444", width: 1.2)
        svg.line(ml, mt, ml, mt + plotH, stroke: "#444", width: 1.2)
        svg.text(ml + pw / 2, mt + plotH + 40, "step", size: 12, anchor: .middle, fill: "#333")
        svg.text(18, mt + plotH / 2, log ? "loss (log scale)" : "loss", size: 12, anchor: .middle, fill: "#333", rotate: -90)
        for (i, s) in series.enumerated() {
            let colour = Self.colours[i % Self.colours.count], dash = Self.dashes[(i / Self.colours.count) % Self.dashes.count]
            // A long run is drawn through at most about 1000 of its steps (every k-th, and its last).
            let stride = max(1, s.losses.count / 1000)
            let pts = s.losses.enumerated().filter { ($0.offset % stride == 0 || $0.offset == s.losses.count - 1) && $0.element.isFinite && (!log || $0.element > 0) }
                .map { (X($0.offset + 1), Y($0.element)) }
            if pts.count == 1 { svg.circle(pts[0].0, pts[0].1, 3, fill: colour, stroke: colour, width: 1) }
            else if pts.count > 1 {
                let p = pts.map { "\(SVGDocument.n($0.0)),\(SVGDocument.n($0.1))" }.joined(separator: " ")
                let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                let tag = tagRuns ? " class=\"run\" data-run=\"\(i + 1)\"" : ""
                svg.raw("<polyline\(tag) points=\"\(p)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(d)/>")
            }
            if s.diverged, let last = pts.last {
                svg.line(last.0 - 5, last.1 - 5, last.0 + 5, last.1 + 5, stroke: colour, width: 2.5)
                svg.line(last.0 - 5, last.1 + 5, last.0 + 5, last.1 - 5, stroke: colour, width: 2.5)
            }
            let ly = mt + plotH + mb + Double(i) * 18 + 10
            if let dash { svg.line(ml, ly - 4, ml + 28, ly - 4, stroke: colour, width: 2, dash: dash) } else { svg.line(ml, ly - 4, ml + 28, ly - 4, stroke: colour, width: 2) }
            svg.text(ml + 36, ly, "run \(i + 1): \(s.label)" + (s.diverged ? " (diverged ×)" : ""), size: 11, fill: "#222")
        }
        return svg.render(title: title)
    }
}
