import BPTrace

/// The forward pass and the loss of a batch under given parameters, computed by the catalogue's
/// evaluator from the catalogue's formulas (z, a, loss, cost), layer by layer: the loss after a
/// step's update on the same batch. The evaluator follows the engine's order, so on a full batch
/// this equals the next step's traced loss.
public enum CatalogueForward {
    public struct Result: Sendable {
        public let loss: Double
        public let cost: Double?
        public let outputs: Matrix
    }

    /// `weights[l-1]`, `biases[l-1]` are W(l), b(l) (biases empty when the spec has none).
    public static func evaluate(spec: NetworkSpec, weights: [Matrix], biases: [Matrix], x: Matrix, y: Matrix) -> Result {
        let L = spec.depth
        let catalogue = Catalogue(spec: spec)
        var blocks: [QuantityRef: Matrix] = [QuantityRef(.x, 0): x, QuantityRef(.y, L): y]
        for l in 1...L {
            blocks[QuantityRef(.W, l)] = weights[l - 1]
            if spec.bias, l - 1 < biases.count { blocks[QuantityRef(.b, l)] = biases[l - 1] }
        }
        func compute(_ ref: QuantityRef) {
            guard let e = catalogue.expression(of: ref) else { return }
            let (rows, cols) = catalogue.shape(of: ref, batchSize: x.rows)
            blocks[ref] = Evaluator(spec: spec, blocks: blocks).evaluateAll(e, rows: rows, cols: cols)
        }
        for l in 1...L { compute(QuantityRef(.z, l)); compute(QuantityRef(.a, l)) }
        compute(QuantityRef(.loss, L))
        if spec.l2 > 0 { compute(QuantityRef(.cost, L)) }
        return Result(loss: blocks[QuantityRef(.loss, L)]?[0, 0] ?? .nan, cost: blocks[QuantityRef(.cost, L)]?[0, 0],
                      outputs: blocks[QuantityRef(.a, L)] ?? Matrix(rows: 0, cols: 0))
    }

    /// The loss after a step's update: the step's batch through its new weights and biases.
    public static func afterUpdate(spec: NetworkSpec, blocks: [QuantityRef: Matrix]) -> Result? {
        let L = spec.depth
        guard let x = blocks[QuantityRef(.x, 0)], let y = blocks[QuantityRef(.y, L)] else { return nil }
        let weights = (1...L).compactMap { blocks[QuantityRef(.WNew, $0)] }
        let biases = spec.bias ? (1...L).compactMap { blocks[QuantityRef(.bNew, $0)] } : []
        guard weights.count == L, biases.count == (spec.bias ? L : 0) else { return nil }
        return evaluate(spec: spec, weights: weights, biases: biases, x: x, y: y)
    }

    /// A change between two values (the loss after minus the loss before).
    public static func change(from before: Double, to after: Double) -> Double { after - before }
}
