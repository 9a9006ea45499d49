import Foundation

/// The loss curve of the handout: the loss of each traced step (of its batch, before its
/// update) against the step, on linear axes with round ticks; derived steps are marked.
public struct LossCurve {
    /// (step, loss), steps increasing. At most a few thousand points: the handout samples long runs.
    public let points: [(step: Int, loss: Double)]
    /// Steps to mark with a dot (the handout's derived steps).
    public let marked: Set<Int>
    public let title: String
    public let yLabel: String

    public init(points: [(step: Int, loss: Double)], marked: Set<Int>, title: String, yLabel: String) {
        self.points = points; self.marked = marked; self.title = title; self.yLabel = yLabel
    }

    /// Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        let span = hi - lo
        guard span > 0, span.isFinite else { return [lo] }
        let raw = span / Double(count)
        let p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        var out: [Double] = []
        var v = ceil(lo / step - 1e-9) * step
        while v <= hi + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    static func tickLabel(_ v: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return HandoutNumberFormat(decimals: min(decimals, 12)).plain(v)
    }

    public func render() -> String {
        let width = 640.0, height = 340.0
        let ml = 78.0, mr = 24.0, mt = 44.0, mb = 52.0
        let pw = width - ml - mr, ph = height - mt - mb
        var svg = SVGDocument(width: width, height: height)
        svg.text(width / 2, 24, title, size: 15, anchor: .middle, weight: "bold")
        let axes = LossAxes(points: points, left: ml, top: mt, width: pw, height: ph)
        let finite = axes.finite, yt = axes.yTicks, xt = axes.xTicks
        let X = axes.x, Y = axes.y

        // Grid, axes, ticks.
        let ystep = axes.yStep
        for v in yt {
            svg.line(ml, Y(v), ml + pw, Y(v), stroke: "#e4e4e4", width: 1)
            svg.text(ml - 8, Y(v) + 4, LossCurve.tickLabel(v, step: ystep), size: 11, anchor: .end, fill: "#444")
        }
        for s in xt {
            svg.line(X(s), mt + ph, X(s), mt + ph + 5, stroke: "#444", width: 1)
            svg.text(X(s), mt + ph + 19, String(Int(s)), size: 11, anchor: .middle, fill: "#444")
        }
        svg.line(ml, mt + ph, ml + pw, mt + ph, stroke: "#444", width: 1.2)
        svg.line(ml, mt, ml, mt + ph, stroke: "#444", width: 1.2)
        svg.text(ml + pw / 2, height - 10, "step", size: 12, anchor: .middle, fill: "#333")
        svg.text(18, mt + ph / 2, yLabel, size: 12, anchor: .middle, fill: "#333", rotate: -90)

        if finite.count == 1 {
            svg.circle(X(Double(finite[0].step)), Y(finite[0].loss), 3.5, fill: "#1f5fa8", stroke: "#1f5fa8", width: 1)
        } else {
            svg.polyline(finite.map { (X(Double($0.step)), Y($0.loss)) }, stroke: "#1f5fa8", width: 2)
        }
        for p in finite where marked.contains(p.step) {
            svg.circle(X(Double(p.step)), Y(p.loss), 4.5, fill: "#e67e22", stroke: "#a04f0b", width: 1)
        }
        return svg.render(title: title)
    }
}

/// The axes every loss curve draws (the handout's and the explorer's): the finite points, the
/// step range on x, a y range from 0 (or below) to the largest loss widened to round ticks,
/// and the maps from (step, loss) to the plot area.
struct LossAxes {
    let finite: [(step: Int, loss: Double)]
    let xTicks: [Double]
    let yTicks: [Double]
    private let firstStep: Int, lastStep: Int, lo: Double, hi: Double
    private let left: Double, top: Double, width: Double, height: Double

    init(points: [(step: Int, loss: Double)], left: Double, top: Double, width: Double, height: Double) {
        self.left = left; self.top = top; self.width = width; self.height = height
        finite = points.filter { $0.loss.isFinite }
        firstStep = finite.first?.step ?? 1
        lastStep = max(finite.last?.step ?? 1, firstStep + 1)
        let losses = finite.map(\.loss)
        var lo = min(0, losses.min() ?? 0), hi = losses.max() ?? 1
        if hi <= lo { hi = lo + 1 }
        yTicks = LossCurve.ticks(lo, hi)
        self.lo = min(lo, yTicks.first ?? lo); self.hi = max(hi, yTicks.last ?? hi)
        xTicks = LossCurve.ticks(Double(firstStep), Double(lastStep)).filter { $0 == $0.rounded() }
    }

    /// The distance between y ticks (1 when there is one tick).
    var yStep: Double { yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1 }

    func x(_ s: Double) -> Double { left + (s - Double(firstStep)) / Double(lastStep - firstStep) * width }
    func y(_ v: Double) -> Double { top + height - (v - lo) / (hi - lo) * height }
}
