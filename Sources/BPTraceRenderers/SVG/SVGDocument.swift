import Foundation

/// A small SVG 1.1 document builder: shapes and text appended in order, coordinates printed
/// with two decimals, text XML-escaped. The output is plain SVG that browsers, GitHub and
/// librsvg (which pandoc uses for PDF) render alike; it is byte-identical for the same calls.
public struct SVGDocument {
    public let width: Double
    public let height: Double
    private var body: [String] = []
    /// The font stack of every text element (DejaVu Sans is what Debian's librsvg finds).
    public static let fontFamily = "DejaVu Sans, Verdana, Arial, sans-serif"

    public init(width: Double, height: Double) {
        self.width = width; self.height = height
    }

    public static func n(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    public mutating func raw(_ element: String) { body.append(element) }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                              stroke: String = "#555", width: Double = 1.2, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(d)/>")
    }

    public mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, fill: String, stroke: String = "#333", width: Double = 1.5) {
        body.append("<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"/>")
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                              stroke: String = "none", opacity: Double = 1, rx: Double = 0) {
        let o = opacity < 1 ? " fill-opacity=\"\(Self.n(opacity))\"" : ""
        let r = rx > 0 ? " rx=\"\(Self.n(rx))\"" : ""
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\"\(o)\(r)/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\"/>")
    }

    public enum Anchor: String { case start, middle, end }

    /// Text with its baseline at y.
    public mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double = 12, anchor: Anchor = .start,
                              weight: String? = nil, fill: String = "#222", rotate: Double? = nil) {
        let w = weight.map { " font-weight=\"\($0)\"" } ?? ""
        let r = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-family=\"\(Self.fontFamily)\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\"\(w)\(r)>\(Self.escape(s))</text>")
    }

    /// The approximate width of `s` in a sans-serif font of `size` (for placing labels).
    public static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.6 }

    /// The document: an XML declaration, the svg element with a white background, the body.
    public func render(title: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\">\n"
        out += "<title>\(Self.escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\"/>\n"
        for e in body { out += e; out += "\n" }
        out += "</svg>\n"
        return out
    }
}
