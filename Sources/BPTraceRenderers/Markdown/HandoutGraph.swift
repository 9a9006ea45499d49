import BPTrace
import Foundation

/// `bptrace run --format md --graph out_o1`: the handout's section with the computational
/// graph of one traced value at the first derived step (docs/GRAPH.md), drawn from the
/// catalogue's formulas with that step's values.
public struct HandoutGraphCell: Sendable, Equatable {
    public let ref: QuantityRef
    /// 0-based cell.
    public let row: Int, col: Int
    /// The name the user gave (out_o1).
    public let label: String
    public init(ref: QuantityRef, row: Int, col: Int, label: String) { self.ref = ref; self.row = row; self.col = col; self.label = label }

    /// The figure's file name in the handout's figures folder.
    public var figureName: String {
        "graph-" + label.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? String($0) : "_" }.joined() + ".svg"
    }
}

enum HandoutGraph {
    /// The figure (SVG) and the Markdown section that shows it.
    static func section(_ cell: HandoutGraphCell, spec: NetworkSpec, blocks: [QuantityRef: Matrix], step: Int,
                        figuresFolder: String, digits: Int) throws -> (svg: String, markdown: String) {
        let g = try CellGraph.build(spec: spec, blocks: blocks, ref: cell.ref, row: cell.row, col: cell.col, expand: false)
        let title = "\(cell.label) of \(spec.name), step \(step)"
        let svg = GraphSVG.render(g, title: title, digits: min(digits, 4))
        let f = HandoutNumberFormat(decimals: digits)
        let name = HandoutEscape.markdown(cell.label)
        var md = "## The computational graph of \(name)\n\n"
        md += "\(name) at step \(step) as a circuit of gates, from the inputs and parameters on the left to \(name) on the right: each wire carries its value above it (green) and the derivative of \(name) with respect to it below it (red, italic, after ∂). Backpropagation is this picture read from right to left, each gate multiplying the gradient arriving from its right by its local derivative (`bptrace graph --cell` writes the same graph with every step of it).\n\n"
        md += "![The computational graph of \(name)](\(figuresFolder)/\(cell.figureName))\n\n"
        md += "| input | value | ∂\(name)/∂input |\n|---|---:|---:|\n"
        for id in g.inputIDs {
            let n = g.nodes[id]
            md += "| \(HandoutEscape.markdown(n.label)) | \(f.plain(n.value)) | \(f.plain(n.grad)) |\n"
        }
        return (svg, md + "\n")
    }
}
