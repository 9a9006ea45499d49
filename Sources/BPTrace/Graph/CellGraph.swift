import Foundation

/// The graph of one cell of a traced quantity (`bptrace graph --cell out_o1`): its catalogue
/// formula expanded, through the formulas of the quantities it reads, down to the step's
/// inputs x and y and its parameters W and b, with the values of the engine's step.
public enum CellGraph {
    /// Quantities that stay inputs of the graph (they have no formula within a step).
    public static let leaves: Set<Quantity> = [.x, .y, .W, .b]

    /// - Parameters:
    ///   - ref, row, col: the cell (0-based).
    ///   - step: the engine's step, whose values the leaves take.
    public static func build(spec: NetworkSpec, step: StepResult, ref: QuantityRef, row: Int, col: Int, expand: Bool) throws -> ComputationalGraph {
        try build(spec: spec, values: { step[$0] }, evaluator: Evaluator(spec: spec, step: step), ref: ref, row: row, col: col, expand: expand)
    }

    /// The same over a step's traced blocks (the handout keeps them by quantity and layer).
    public static func build(spec: NetworkSpec, blocks: [QuantityRef: Matrix], ref: QuantityRef, row: Int, col: Int, expand: Bool) throws -> ComputationalGraph {
        try build(spec: spec, values: { blocks[$0] }, evaluator: Evaluator(spec: spec, blocks: blocks), ref: ref, row: row, col: col, expand: expand)
    }

    static func build(spec: NetworkSpec, values: @escaping (QuantityRef) -> Matrix?, evaluator: Evaluator,
                      ref: QuantityRef, row: Int, col: Int, expand: Bool) throws -> ComputationalGraph {
        let step = values
        let catalogue = Catalogue(spec: spec)
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        let batch = step(QuantityRef(.x, 0))?.rows ?? 1
        let label = { (r: QuantityRef, i: Int, j: Int) in cellName(r, i, j, names: names, batch: batch) }
        var builder = GraphBuilder(
            expand: expand,
            cellLeaf: { r, i, j in
                let formula = catalogue.descriptor(of: r).formula
                if leaves.contains(r.quantity) || formula == nil {
                    return .input(label: label(r, i, j), value: step(r).map { i < $0.rows && j < $0.cols ? $0[i, j] : .nan } ?? .nan)
                }
                return .expand(formula: namingSigmoid(formula!), row: i, col: j, name: label(r, i, j))
            },
            evaluator: evaluator)
        return try builder.build(.cell(ref, row: .at(row), col: .at(col)))
    }

    /// The catalogue's sigmoid 1/(1 + exp(−z)) marked as one σ gate (split again by --expand).
    static func namingSigmoid(_ e: Expr) -> Expr {
        e.rewriting { s in
            if case .div(.constant(1), .add(.constant(1), .apply(.exp, .neg(let z)))) = s { return GraphVariable.sigmoid(z) }
            return nil
        }
    }

    /// The post's name of a cell: i1, w5, b1, net_h1, out_o1 (with [k] for sample k of a batch);
    /// other quantities as quantity(layer)[row,col], 1-based.
    public static func cellName(_ r: QuantityRef, _ i: Int, _ j: Int, names: NetworkNames, batch: Int) -> String {
        let sample = batch > 1 ? "[\(i + 1)]" : ""
        let l = r.layer
        switch r.quantity {
        case .x: return names.neuron(layer: 0, j).plain + sample
        case .y: return "target_" + names.neuron(layer: l, j).plain + sample
        case .W where l >= 1 && l <= names.depth: return names.weight(layer: l, source: i, target: j).plain
        // per-neuron spelling: a shared bias b1 is one value but two cells of b(1), two inputs here
        case .b where l >= 1 && l <= names.depth: return names.perNeuronBias(layer: l, j).plain
        case .z where l >= 1 && l <= names.depth: return "net_" + names.neuron(layer: l, j).plain + sample
        case .a where l <= names.depth: return "out_" + names.neuron(layer: l, j).plain + sample
        case .loss: return "E_total"
        case .cost: return "cost"
        default: return "\(r.quantity.rawValue)(\(l))[\(i + 1),\(j + 1)]"
        }
    }
}
