import Foundation

/// Reverse mode (backpropagation) and forward mode over a `ComputationalGraph`, with the local
/// derivatives of `GateDerivatives`.
public enum GraphModes {
    /// One step of the chain rule at a gate: the gradient sent to input `input` is
    /// local · upstream.
    public struct ChainStep: Sendable, Equatable {
        public let gate: Int
        public let input: Int
        public let local: Double
        public let upstream: Double
        public var product: Double { local * upstream }
    }

    static func inputValues(_ g: ComputationalGraph, _ n: GraphNode) -> [Double] { n.inputs.map { g.nodes[$0].value } }

    /// The local derivatives of a gate, one per input.
    public static func locals(_ g: ComputationalGraph, _ id: Int) -> [Double] {
        let n = g.nodes[id]
        return GateDerivatives.local(n.kind, inputs: inputValues(g, n), output: n.value)
    }

    /// Fills every node's `grad` = ∂output/∂node: one pass from the output back to the inputs.
    public static func backward(_ g: inout ComputationalGraph) {
        guard !g.nodes.isEmpty else { return }
        var grad = [Double](repeating: 0, count: g.nodes.count)
        grad[g.output] = 1
        for id in g.nodes.indices.reversed() {
            let n = g.nodes[id]
            for (k, input) in n.inputs.enumerated() { grad[input] += locals(g, id)[k] * grad[id] }
        }
        for id in g.nodes.indices { g.nodes[id].grad = grad[id] }
    }

    /// The chain-rule steps of the backward pass, output first (gates in reverse order).
    public static func chainSteps(_ g: ComputationalGraph) -> [ChainStep] {
        var out: [ChainStep] = []
        for id in g.nodes.indices.reversed() where !g.nodes[id].inputs.isEmpty {
            let l = locals(g, id)
            for (k, input) in g.nodes[id].inputs.enumerated() {
                out.append(ChainStep(gate: id, input: input, local: l[k], upstream: g.nodes[id].grad))
            }
        }
        return out
    }

    /// Forward mode for one input variable: its tangent ∂node/∂variable at every node, in one
    /// pass from the inputs to the output.
    public static func tangents(_ g: ComputationalGraph, seed: Int) -> [Double] {
        var t = [Double](repeating: 0, count: g.nodes.count)
        for id in g.nodes.indices {
            if id == seed { t[id] = 1; continue }
            let n = g.nodes[id]
            guard !n.inputs.isEmpty else { continue }
            let l = locals(g, id)
            var s = 0.0
            for (k, input) in n.inputs.enumerated() { s += l[k] * t[input] }
            t[id] = s
        }
        return t
    }

    /// What each mode costs for this graph.
    public struct Cost: Sendable, Equatable {
        public let inputs: Int, gates: Int, edges: Int
        /// Forward mode: one pass per input, each a multiply-add per wire.
        public var forwardPasses: Int { inputs }
        public var forwardOperations: Int { inputs * edges }
        /// Reverse mode: one forward pass for the values, one backward pass, a multiply-add per wire.
        public var reversePasses: Int { 1 }
        public var reverseOperations: Int { edges }
    }

    public static func cost(_ g: ComputationalGraph) -> Cost {
        Cost(inputs: g.inputIDs.count, gates: g.gateIDs.count, edges: g.edgeCount)
    }
}
