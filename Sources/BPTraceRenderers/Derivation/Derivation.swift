import BPTrace

/// One traced cell: a quantity of a layer at (row, col), 0-based.
public struct CellRead: Hashable, Sendable {
    public let ref: QuantityRef
    public let row: Int
    public let col: Int
    public init(_ ref: QuantityRef, _ row: Int, _ col: Int) { self.ref = ref; self.row = row; self.col = col }
}

/// One line of a derivation, the post's way: left side = symbolic form(s) = the numbers put
/// in = the value. Built from the catalogue's formulas (`StepDerivation`); a writer only formats
/// it (the Markdown handout as `$$lhs = ... $$`, an HTML page the same way).
public struct DerivationLine: Sendable {
    /// The left side, LaTeX math (`\mathrm{net}_{h_{1}}`, `{w_{5}}^{+}`).
    public let lhs: String
    /// The formula in symbols, LaTeX math: usually one form, two where the post shows two
    /// (the chain rule, then the delta rule), none for a value that is only named.
    public let symbolic: [String]
    /// The formula with the numbers put in, LaTeX math; nil when there is nothing to put in.
    public let substituted: String?
    /// The result, from the trace or from the catalogue's evaluator; nil for a line of symbols only.
    public let value: Double?
    /// The traced cells the line reads.
    public let reads: [CellRead]
    /// The traced cell the line computes, when it is one.
    public let computes: CellRead?
    /// The stage of the step the line belongs to.
    public let stage: Stage

    public init(lhs: String, symbolic: [String], substituted: String?, value: Double?, reads: [CellRead] = [],
                computes: CellRead? = nil, stage: Stage) {
        self.lhs = lhs; self.symbolic = symbolic; self.substituted = substituted; self.value = value
        self.reads = reads; self.computes = computes; self.stage = stage
    }

    /// The parts after the left side, the value formatted by `number`: a substituted form equal
    /// to the value's text is not repeated.
    public func parts(_ number: (Double) -> String) -> [String] {
        var out = symbolic
        let v = value.map(number)
        if let substituted, substituted != v, !out.contains(substituted) { out.append(substituted) }
        if let v { out.append(v) }
        return out
    }
}
