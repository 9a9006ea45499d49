import BPTrace

/// One of the student's values, judged: the correct value it is compared with and the
/// tolerance it gets (its written half unit widened by the rounding its operands carry).
public struct DiagnosedValue: Sendable {
    public let student: StudentValue
    /// The correct value (the engine's step from the anchor); nil when there is none.
    public let computed: Double?
    /// The allowance: the written tolerance plus the rounding propagated from the operands.
    public let tolerance: Double
    public let holds: Bool
    /// Why the value is compared as it is, when that is not the engine's step (start-of-step
    /// parameters taken as the student's anchor, compared with their own W_new).
    public let note: String?
    /// The post-style name (`out_h1`, `dE_total/dw5@2`), where the cell has one.
    public var name: String? = nil

    public var key: CellKey { student.key }
    public var difference: Double? { computed.map { $0 - student.written.value } }
}

/// How a mistake other than the engine's step (`Alternative`) accounts for a root cause.
public struct ModelExplanation: Sendable {
    public let spelling: String
    public let meaning: String
    /// How many of the student's values from the root cause on (the root cause and the values
    /// computed from it in the same step) the alternative reproduces, of `of`.
    public let reproduced: Int
    public let of: Int
    /// How many of the step's values the student got right the alternative would have made
    /// wrong (a bug model changes every layer; a student's mistake may be in one).
    public var contradicts: Int = 0
}

/// A wrong value whose operands are all right or not given: where a mistake enters.
public struct RootCause: Sendable {
    public let value: DiagnosedValue
    /// The post-style name (`dE_total/dnet_h2`), where the cell has one.
    public let name: String?
    /// The operand cells the student wrote (all right), and how many operand cells were not given.
    public let rightOperands: [CellKey]
    public let missingOperands: Int
    /// Wrong values of the student's that follow from this root cause.
    public let downstream: Int
    /// The alternatives that reproduce the student's value here, best first (empty without --explain).
    public let explanations: [ModelExplanation]
    /// The student's values from the root cause on, in its step (the root cause included).
    public let laterValues: Int
}

/// The diagnosis of one student's trace (`bptrace check --trace`).
public struct Diagnosis: Sendable {
    public let file: String
    /// Whether the correct values are computed from the student's own start-of-step values.
    public let reanchored: Bool
    /// Per step: where its anchor came from when it was (partly) the student's (`W(1)[1,2] from your W_new@1`).
    public let anchors: [Int: [String]]
    /// The student's values, in file order.
    public let values: [DiagnosedValue]
    /// Root causes in stage order (step, then stage, then layer, row and column as traced).
    public let rootCauses: [RootCause]
    /// Lines of the trace that could not be used, and values that have no correct value here.
    public let problems: [TraceProblem]
    public let explained: Bool
    /// Problems of the trace beyond those the reader lists (`StudentTrace.unlistedProblems`).
    public var unlistedProblems = 0

    public var passed: Int { values.filter(\.holds).count }
    public var failed: Int { values.count - passed }
    /// Wrong values that are not root causes.
    public var downstreamWrong: Int { failed - rootCauses.count }
}
