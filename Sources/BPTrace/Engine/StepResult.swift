/// Every intermediate of one training step: a store keyed by quantity and layer (`QuantityRef`).
/// Which quantities a step has, and in which order the trace carries them, is the catalogue's
/// (`Catalogue.stepQuantities`, from the descriptors); the store only holds the values.
public struct StepResult: Sendable {
    public private(set) var step: Int
    public let catalogue: Catalogue
    /// One slot per quantity and layer 0...L (row-major by quantity), nil where nothing is stored.
    @usableFromInline private(set) var slots: [Matrix?]
    /// The step each slot was last written in: a slot holds a block of this step only when its
    /// stamp is `step` (an older one is last step's block, kept for `compute` to reuse).
    @usableFromInline private(set) var stamps: [Int]
    /// L + 1: the layers a slot row holds.
    @usableFromInline let layers: Int

    /// The step's quantities in trace order with their stages (`Catalogue.stepPlan`), shared
    /// by the steps of one trainer.
    public let plan: [StepPlanEntry]

    public init(step: Int, catalogue: Catalogue, plan: [StepPlanEntry]? = nil) {
        self.step = step
        self.catalogue = catalogue
        self.plan = plan ?? catalogue.stepPlan
        layers = catalogue.spec.depth + 1
        slots = Array(repeating: nil, count: Quantity.count * layers)
        stamps = Array(repeating: Int.min, count: Quantity.count * layers)
    }

    /// The number of layers with weights, L.
    public var depth: Int { catalogue.spec.depth }

    @usableFromInline func slot(_ q: Quantity, _ l: Int) -> Int? {
        guard l >= 0, l < layers else { return nil }
        return q.ordinal * layers + l
    }

    /// The value of `quantity` at `layer`; nil when the step has no such block (a layer out of
    /// range, a quantity this spec does not have, or one not computed yet). Storing at a layer
    /// out of range is ignored.
    public subscript(_ quantity: Quantity, _ layer: Int) -> Matrix? {
        get { slot(quantity, layer).flatMap { stamps[$0] == step ? slots[$0] : nil } }
        set { if let i = slot(quantity, layer) { slots[i] = newValue; stamps[i] = step } }
    }

    /// Computes the block `quantity`(layer) with `body`, which writes it into the matrix it is
    /// handed: the step before's block of that quantity when the store has one (overwritten in
    /// place when nothing else holds it, see `MatrixInto.swift`), else an empty matrix. Returns
    /// the block. (A closure rather than a `_modify` accessor: a coroutine's frame would be
    /// allocated on every call.)
    @discardableResult
    public mutating func compute(_ quantity: Quantity, _ layer: Int, _ body: (inout Matrix) -> Void) -> Matrix {
        guard let i = slot(quantity, layer) else { var m = Matrix.none; body(&m); return m }
        var m = slots[i].take() ?? .none
        body(&m)
        slots[i] = m
        stamps[i] = step
        return m
    }

    /// Starts step `step` in this store: it then holds nothing, but keeps the step before's
    /// blocks for the trainer's `compute` to reuse their storage.
    public mutating func recycle(step: Int) { self.step = step }

    public subscript(_ ref: QuantityRef) -> Matrix? {
        get { self[ref.quantity, ref.layer] }
        set { self[ref.quantity, ref.layer] = newValue }
    }

    /// The values computed so far, by block (a step of `Trainer.step` has every quantity of
    /// `catalogue.stepQuantities`; one of `Trainer.forward` only stages 1–7).
    public var values: [QuantityRef: Matrix] {
        var out: [QuantityRef: Matrix] = [:]
        for (k, q) in Quantity.allCases.enumerated() {
            for l in 0..<layers where stamps[k * layers + l] == step { if let m = slots[k * layers + l] { out[QuantityRef(q, l)] = m } }
        }
        return out
    }

    /// The value of `quantity` at `layer`, or an error naming the block when the step does not
    /// hold it: for callers that need a block the descriptors say exists, without a trap.
    public func matrix(_ quantity: Quantity, _ layer: Int) throws(MissingBlock) -> Matrix {
        let ref = QuantityRef(quantity, layer)
        guard let m = values[ref] else { throw MissingBlock(step: step, ref: ref, exists: catalogue.exists(ref)) }
        return m
    }

    /// Whether the step holds every quantity its spec has.
    public var isComplete: Bool { plan.allSatisfy { self[$0.ref] != nil } }

    /// The step's blocks in trace order: `Catalogue.stepQuantities`, those the store holds,
    /// as blocks of run `run`.
    public func blocks(run: RunID = .main) -> [TraceBlock] {
        var out: [TraceBlock] = []
        out.reserveCapacity(plan.count)
        for p in plan {
            if let b = block(p, run: run) { out.append(b) }
        }
        return out
    }

    /// Calls `body` with the values of block `ref` (row-major, `rows` x `cols`) in place, if the
    /// store holds it: how a sink reads a whole step without copying its blocks.
    @inlinable public func withValues<R>(_ ref: QuantityRef, _ body: (_ rows: Int, _ cols: Int, UnsafeBufferPointer<Double>) throws -> R) rethrows -> R? {
        guard let i = slot(ref.quantity, ref.layer), stamps[i] == step, slots[i] != nil else { return nil }
        return try slots[i]!.values.withUnsafeBufferPointer { try body(slots[i]!.rows, slots[i]!.cols, $0) }
    }

    /// The first non-finite value of the step in trace order, with its plan position (the
    /// trace runner stops there).
    public func firstNonFinite() -> (planIndex: Int, value: NonFiniteValue)? {
        for (k, p) in plan.enumerated() {
            let found: NonFiniteValue?? = withValues(p.ref) { rows, cols, v in
                guard let i = v.firstIndex(where: { !$0.isFinite }) else { return nil }
                return NonFiniteValue(step: step, layer: p.ref.layer, quantity: p.ref.quantity, row: i / cols + 1, col: i % cols + 1, value: v[i])
            }
            if let found, let bad = found { return (k, bad) }
        }
        return nil
    }

    /// The block of plan entry `p`, if the store holds it (what `blocks` lists, one at a time).
    public func block(_ p: StepPlanEntry, run: RunID = .main) -> TraceBlock? {
        guard let m = self[p.ref] else { return nil }
        return TraceBlock(run: run, step: step, stage: p.stage, layer: p.ref.layer, quantity: p.ref.quantity, matrix: m)
    }

    // MARK: Typed accessors

    /// The step's input batch x (layer 0) and targets y (layer L).
    public var x: Matrix { self[.x, 0] ?? Matrix(rows: 0, cols: 0) }
    public var y: Matrix { self[.y, depth] ?? Matrix(rows: 0, cols: 0) }
    /// The data loss at the start-of-step weights (NaN before the forward pass).
    public var loss: Double { self[.loss, depth]?.values.first ?? .nan }
    /// loss + λ/2·ΣW², only with l2 > 0.
    public var cost: Double? { self[.cost, depth]?.values.first }

    /// The parameters after this step's update (W_new, b_new); nil before the update.
    public var updatedParameters: Parameters? {
        let L = depth
        var weights: [Matrix] = [], biases: [Matrix] = []
        for l in 1...L {
            guard let w = self[.WNew, l] else { return nil }
            weights.append(w)
            if catalogue.spec.bias {
                guard let b = self[.bNew, l] else { return nil }
                biases.append(b)
            }
        }
        return Parameters(weights: weights, biases: biases)
    }

    // MARK: By layer (index l holds layer l; nil where the step has no such block)

    private func byLayer(_ q: Quantity) -> [Matrix?] { (0...depth).map { self[q, $0] } }
    public var W: [Matrix?] { byLayer(.W) }
    public var b: [Matrix?] { byLayer(.b) }
    public var z: [Matrix?] { byLayer(.z) }
    /// a(0) is the input x.
    public var a: [Matrix] { [x] + (1...depth).map { self[.a, $0] ?? Matrix(rows: 0, cols: 0) } }
    public var E: Matrix { self[.E, depth] ?? Matrix(rows: 0, cols: 0) }
    public var slope: [Matrix?] { byLayer(.slope) }
    public var delta: [Matrix?] { byLayer(.delta) }
    public var err: [Matrix?] { byLayer(.err) }
    public var gradW: [Matrix?] { byLayer(.gradW) }
    public var gradB: [Matrix?] { byLayer(.gradB) }
    public var WNew: [Matrix?] { byLayer(.WNew) }
    public var bNew: [Matrix?] { byLayer(.bNew) }
}

/// A block asked of a step that does not hold it.
public struct MissingBlock: Error, Equatable, Sendable, CustomStringConvertible {
    public let step: Int
    public let ref: QuantityRef
    /// Whether the spec has the quantity at all (false: e.g. the slope of a softmax layer).
    public let exists: Bool
    public var description: String {
        exists ? "step \(step) holds no \(ref) (not computed)" : "step \(step) has no \(ref): this network does not have it"
    }
}

extension Quantity {
    /// The number of quantities (`allCases.count`).
    public static let count = 28
    /// The quantity's position in `allCases` (a step's slot; a renderer's table index).
    public var ordinal: Int {
        switch self {
        case .x: return 0
        case .y: return 1
        case .W: return 2
        case .b: return 3
        case .z: return 4
        case .a: return 5
        case .loss: return 6
        case .cost: return 7
        case .E: return 8
        case .slope: return 9
        case .delta: return 10
        case .err: return 11
        case .gradW: return 12
        case .gradB: return 13
        case .WNew: return 14
        case .bNew: return 15
        case .velW: return 16
        case .velB: return 17
        case .sqW: return 18
        case .sqB: return 19
        case .mW: return 20
        case .mB: return 21
        case .vW: return 22
        case .vB: return 23
        case .mHatW: return 24
        case .mHatB: return 25
        case .vHatW: return 26
        case .vHatB: return 27
        }
    }
}
