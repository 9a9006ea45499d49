import Foundation

/// The explorer's loss curve: inline SVG (the handout's axes and round ticks, `LossCurve.ticks`)
/// with a marker the script moves to the current step; `marks` are its positions per explorable step.
struct HTMLLossCurve {
    /// (step, loss), steps increasing (a sample of long runs).
    let points: [(step: Int, loss: Double)]
    let label: String

    func render(explorable: [Int]) -> (svg: String, marks: [String: (Double, Double)]) {
        let width = 640.0, height = 300.0
        let ml = 84.0, mr = 20.0, mt = 20.0, mb = 54.0
        let pw = width - ml - mr, ph = height - mt - mb
        let n = SVGDocument.n
        let axes = LossAxes(points: points, left: ml, top: mt, width: pw, height: ph)
        let finite = axes.finite, yt = axes.yTicks, xt = axes.xTicks
        let X = axes.x, Y = axes.y
        var out = ["<svg id=\"losscurve\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(label)) per step; the marker shows the current step\">"]
        let ystep = axes.yStep
        for v in yt {
            out.append("<line class=\"grid\" x1=\"\(n(ml))\" y1=\"\(n(Y(v)))\" x2=\"\(n(ml + pw))\" y2=\"\(n(Y(v)))\"/>")
            out.append("<text class=\"tick\" x=\"\(n(ml - 8))\" y=\"\(n(Y(v) + 5))\" text-anchor=\"end\">\(LossCurve.tickLabel(v, step: ystep))</text>")
        }
        for s in xt {
            out.append("<line class=\"axis\" x1=\"\(n(X(s)))\" y1=\"\(n(mt + ph))\" x2=\"\(n(X(s)))\" y2=\"\(n(mt + ph + 5))\"/>")
            out.append("<text class=\"tick\" x=\"\(n(X(s)))\" y=\"\(n(mt + ph + 22))\" text-anchor=\"middle\">\(Int(s))</text>")
        }
        out.append("<line class=\"axis\" x1=\"\(n(ml))\" y1=\"\(n(mt + ph))\" x2=\"\(n(ml + pw))\" y2=\"\(n(mt + ph))\"/>")
        out.append("<line class=\"axis\" x1=\"\(n(ml))\" y1=\"\(n(mt))\" x2=\"\(n(ml))\" y2=\"\(n(mt + ph))\"/>")
        out.append("<text class=\"tick\" x=\"\(n(ml + pw / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">step</text>")
        out.append("<text class=\"tick\" x=\"18\" y=\"\(n(mt + ph / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(n(mt + ph / 2)))\">\(HTMLText.escape(label))</text>")
        if finite.count > 1 {
            out.append("<polyline class=\"curve\" points=\"" + finite.map { "\(n(X(Double($0.step)))),\(n(Y($0.loss)))" }.joined(separator: " ") + "\"/>")
        }
        var marks: [String: (Double, Double)] = [:]
        let byStep = Dictionary(finite.map { ($0.step, $0.loss) }, uniquingKeysWith: { a, _ in a })
        for s in explorable { if let v = byStep[s] { marks[String(s)] = (X(Double(s)), Y(v)) } }
        let first = explorable.first.flatMap { marks[String($0)] } ?? (ml, mt + ph)
        out.append("<line id=\"lossline\" class=\"markline\" x1=\"\(n(first.0))\" y1=\"\(n(mt))\" x2=\"\(n(first.0))\" y2=\"\(n(mt + ph))\"/>")
        out.append("<circle id=\"lossmark\" class=\"mark\" cx=\"\(n(first.0))\" cy=\"\(n(first.1))\" r=\"7\"/>")
        out.append("</svg>")
        return (out.joined(separator: "\n"), marks)
    }
}
