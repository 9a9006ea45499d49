/// The size of the error term per layer: mean |delta(l)| over the batch's rows and the
/// layer's neurons, for each layer l = 1 … L of one step. A summary of traced values (not a
/// traced quantity of its own), computed here once for the handout's chart and the workbook's
/// Overview, so both show the same numbers.
public enum DeltaSizes {
    /// Networks with two or more hidden layers get the chart (vanishing gradients need depth).
    public static func applies(to spec: NetworkSpec) -> Bool { spec.depth >= 3 }

    /// mean |m[r, c]| over every entry; NaN for an empty matrix.
    public static func meanAbs(_ m: Matrix) -> Double {
        guard !m.values.isEmpty else { return .nan }
        var s = 0.0
        for v in m.values { s += abs(v) }
        return s / Double(m.values.count)
    }

    /// Collects mean |delta(l)| of each step from the trace's delta blocks.
    public struct Collector: Sendable {
        public let depth: Int
        private var current: [Double]
        private var currentStep = 0
        public init(depth: Int) {
            self.depth = depth
            current = [Double](repeating: .nan, count: depth)
        }

        /// Notes a block; only delta blocks count.
        public mutating func receive(_ block: TraceBlock) {
            guard block.quantity == .delta, block.layer >= 1, block.layer <= depth else { return }
            if block.step != currentStep { currentStep = block.step; current = [Double](repeating: .nan, count: depth) }
            current[block.layer - 1] = meanAbs(block.matrix)
        }

        /// mean |delta(l)| of layers 1 … L at `step` (NaN where no delta block of that step was seen).
        public func sizes(step: Int) -> [Double] {
            step == currentStep ? current : [Double](repeating: .nan, count: depth)
        }
    }
}
