import BPTrace
import Foundation

/// `<name>-graph.json`: `{"nodes": [{"id", "op", "label", "inputs", "value", "grad"}, ...],
/// "forward_mode": {variable: {node id: tangent}}}` (docs/GRAPH.md). Numbers are written in
/// full (shortest round-trip) precision; a non-finite number is null. Keys in a fixed order, so
/// the same graph gives the same bytes.
public enum GraphJSON {
    public static func render(_ g: ComputationalGraph, title: String) -> String {
        var out = "{\n  \"title\": \(string(title)),\n  \"output\": \(g.output),\n  \"nodes\": [\n"
        for (k, n) in g.nodes.enumerated() {
            var fields = ["\"id\": \(n.id)", "\"op\": \(string(n.kind.op))", "\"label\": \(string(n.label))",
                          "\"inputs\": [\(n.inputs.map(String.init).joined(separator: ", "))]",
                          "\"value\": \(number(n.value))", "\"grad\": \(number(n.grad))"]
            if let c = n.kind.constant { fields.append("\"constant\": \(number(c))") }
            if let name = n.name { fields.append("\"name\": \(string(name))") }
            if !n.inputs.isEmpty {
                fields.append("\"local\": [\(GraphModes.locals(g, n.id).map(number).joined(separator: ", "))]")
            }
            out += "    {" + fields.joined(separator: ", ") + "}" + (k + 1 < g.nodes.count ? "," : "") + "\n"
        }
        out += "  ],\n  \"forward_mode\": {"
        // One tangent per input and node: written up to `forwardModeLimit` numbers.
        let inputs = g.inputIDs.count * g.nodes.count <= forwardModeLimit ? g.inputIDs : []
        for (k, v) in inputs.enumerated() {
            let t = GraphModes.tangents(g, seed: v)
            let entries = t.enumerated().map { "\(string(String($0.offset))): \(number($0.element))" }
            out += "\n    \(string(g.nodes[v].label)): {" + entries.joined(separator: ", ") + "}" + (k + 1 < inputs.count ? "," : "")
        }
        out += inputs.isEmpty ? "},\n" : "\n  },\n"
        if inputs.isEmpty && !g.inputIDs.isEmpty { out += "  \"forward_mode_omitted\": true,\n" }
        let c = GraphModes.cost(g)
        out += "  \"cost\": {\"inputs\": \(c.inputs), \"gates\": \(c.gates), \"wires\": \(c.edges), "
        out += "\"forward_mode\": {\"passes\": \(c.forwardPasses), \"multiply_adds\": \(c.forwardOperations)}, "
        out += "\"reverse_mode\": {\"passes\": \(c.reversePasses), \"multiply_adds\": \(c.reverseOperations)}}\n}\n"
        return out
    }

    /// Most tangents (inputs × nodes) the JSON's forward_mode holds; a larger graph gets an
    /// empty forward_mode and "forward_mode_omitted": true.
    public static let forwardModeLimit = 1_000_000

    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }

    static func string(_ s: String) -> String { JSONValue.quoted(s) }
}
