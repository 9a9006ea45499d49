import BPTrace
import Foundation

/// The circuit picture (`<name>-graph.svg`), left to right as cs231n draws it: inputs on the
/// left, one circle per gate, the output on the right. Each wire carries its forward value
/// above it (green, upright) and the gradient of the output with respect to it below it (red,
/// italic, after "∂"), so the two stay apart in greyscale too.
public enum GraphSVG {
    public static let valueColour = "#1b7a1b", gradColour = "#c0161b"
    static let colW = 150.0, rowH = 74.0, r = 19.0, left = 90.0, top = 64.0

    public static func render(_ g: ComputationalGraph, title: String, digits: Int) -> String {
        let n = g.nodes.count
        // Column: 0 for inputs and constants, else one more than the deepest input.
        var level = [Int](repeating: 0, count: n)
        for node in g.nodes where !node.inputs.isEmpty { level[node.id] = 1 + node.inputs.map { level[$0] }.max()! }
        // An input or constant stands just left of the first gate that reads it.
        var consumers = [[Int]](repeating: [], count: n)
        for node in g.nodes { for i in node.inputs { consumers[i].append(node.id) } }
        for node in g.nodes where node.inputs.isEmpty {
            if let first = consumers[node.id].map({ level[$0] }).min() { level[node.id] = max(0, first - 1) }
        }
        let columns = (level.max() ?? 0) + 1
        var rows = [[Int]](repeating: [], count: columns)
        var y = [Double](repeating: 0, count: n)
        // Within a column, nodes in the order they were made (depth first from the output's
        // first input), which keeps a gate's inputs together.
        for id in g.nodes.indices { y[id] = Double(rows[level[id]].count); rows[level[id]].append(id) }
        // Spread every column over the height of the tallest one.
        let tallest = rows.map(\.count).max() ?? 1
        for c in 0..<columns {
            let count = rows[c].count
            let offset = Double(tallest - count) / 2
            for id in rows[c] { y[id] = top + (y[id] + offset) * rowH + rowH / 2 }
        }
        let x = { (id: Int) in left + Double(level[id]) * colW }
        let width = left + Double(columns - 1) * colW + 130 + max(30, SVGDocument.textWidth(g.nodes[g.output].name ?? "f", size: 14))
        let height = top + Double(tallest) * rowH + 34
        var svg = SVGDocument(width: width, height: height)
        svg.text(12, 22, title, size: 14, weight: "bold")
        legend(&svg)

        let f = { (v: Double) in GraphNumber.fixed(v, digits) }
        // Wires: from each node's right side to each gate that reads it.
        for node in g.nodes {
            for input in node.inputs {
                let x0 = x(input) + (g.nodes[input].kind == .input || g.nodes[input].kind == .constant ? 4 : r)
                let xs = x0 + 70
                svg.polyline([(x0, y[input]), (xs, y[input]), (x(node.id) - r, y[node.id])], stroke: "#444", width: 1.4)
            }
        }
        // The output's wire.
        let out = g.output
        svg.line(x(out) + r, y[out], x(out) + r + 90, y[out], stroke: "#444", width: 1.4)
        // Values above, gradients below each node's outgoing wire.
        for node in g.nodes {
            let leafish = node.kind == .input || node.kind == .constant
            let lx = x(node.id) + (leafish ? 4 : r) + 35
            svg.text(lx, y[node.id] - 6, f(node.value), size: 12, anchor: .middle, weight: "bold", fill: valueColour)
            svg.raw("<text x=\"\(SVGDocument.n(lx))\" y=\"\(SVGDocument.n(y[node.id] + 17))\" font-family=\"\(SVGDocument.fontFamily)\" font-size=\"12\" font-style=\"italic\" text-anchor=\"middle\" fill=\"\(gradColour)\">\(SVGDocument.escape("∂ " + f(node.grad)))</text>")
        }
        // Nodes.
        for node in g.nodes {
            switch node.kind {
            case .input:
                // A white ground keeps the name legible where a wire passes behind it.
                let w = SVGDocument.textWidth(node.label, size: 14)
                svg.rect(x(node.id) - 6 - w, y[node.id] - 11, w + 4, 20, fill: "#ffffff")
                svg.text(x(node.id) - 4, y[node.id] + 5, node.label, size: 14, anchor: .end, weight: "bold")
            case .constant:
                svg.text(x(node.id) - 4, y[node.id] + 5, node.label, size: 13, anchor: .end, fill: "#555")
            default:
                svg.circle(x(node.id), y[node.id], r, fill: "#f4f4f4", stroke: "#333")
                let s = node.kind.symbol
                svg.text(x(node.id), y[node.id] + 5, s, size: s.count > 3 ? 10 : 13, anchor: .middle, weight: "bold")
                if let name = node.name {
                    svg.text(x(node.id), y[node.id] - r - 4, name, size: 10, anchor: .middle, fill: "#555")
                }
            }
        }
        svg.text(x(out) + r + 94, y[out] + 5, g.nodes[out].name ?? "f", size: 14, weight: "bold")
        return svg.render(title: title)
    }

    static func legend(_ svg: inout SVGDocument) {
        let a = "(green, upright, above each wire)", b = "∂ gradient", c = "of the output (red, italic, below it)"
        svg.text(12, 44, "value", size: 12, weight: "bold", fill: valueColour)
        let x1 = 12 + SVGDocument.textWidth("value ", size: 12) + 4
        svg.text(x1, 44, a, size: 12, fill: "#333")
        let x2 = x1 + SVGDocument.textWidth(a, size: 12) + 24
        svg.raw("<text x=\"\(SVGDocument.n(x2))\" y=\"44\" font-family=\"\(SVGDocument.fontFamily)\" font-size=\"12\" font-style=\"italic\" fill=\"\(gradColour)\">\(b)</text>")
        svg.text(x2 + SVGDocument.textWidth(b, size: 12) + 6, 44, c, size: 12, fill: "#333")
    }
}
