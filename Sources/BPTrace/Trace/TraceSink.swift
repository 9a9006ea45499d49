/// Which run a block belongs to: a sink may receive several runs (a spec and its variants —
/// `check --explain`'s conventions, a comparison of optimizers) and tells them apart by this.
public struct RunID: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    /// The one run of `bptrace run`.
    public static let main = RunID("main")
    public var description: String { name }
}

/// What a sink learns before the first block: the validated spec and the run's length.
public struct TraceRun: Sendable {
    public let id: RunID
    public let spec: NetworkSpec
    /// The number of steps asked for (the trace may end earlier on a non-finite value).
    public let steps: Int
    public let initialParameters: Parameters
    /// The backward pass's rules (`standard` unless the run is a variant).
    public let rules: BackpropRules
    public init(id: RunID = .main, spec: NetworkSpec, steps: Int, initialParameters: Parameters, rules: BackpropRules = .standard) {
        self.id = id; self.spec = spec; self.steps = steps; self.initialParameters = initialParameters; self.rules = rules
    }
}

/// How a run ended.
public struct TraceOutcome: Sendable {
    public let run: RunID
    /// Steps whose every block was delivered.
    public let completedSteps: Int
    /// The first non-finite value, when one stopped the run.
    public let stoppedBy: NonFiniteValue?
    public init(run: RunID = .main, completedSteps: Int, stoppedBy: NonFiniteValue?) {
        self.run = run; self.completedSteps = completedSteps; self.stoppedBy = stoppedBy
    }
}

/// A back end of the trace (a renderer): told when a run starts, handed every block in
/// order, told when it ends. The trainer never knows which sinks exist. A sink handed several
/// runs gets each run's `begin`, blocks and `finish` in turn; every block and outcome names
/// its run (`TraceBlock.run`, `TraceOutcome.run`).
public protocol TraceSink: AnyObject {
    func begin(_ run: TraceRun) throws
    func receive(_ block: TraceBlock) throws
    /// Called once after the last block, also when a non-finite value stopped the run: the
    /// sink finishes a complete, valid file from what it received.
    func finish(_ outcome: TraceOutcome) throws
    /// Whether the sink reads the blocks of step `step` (default: every step). A run whose
    /// sinks skip a step, and that does not stop at non-finite values, hands them no blocks of it.
    func wants(step: Int) -> Bool
    /// Receives every block of a step at once, in trace order (`StepResult.blocks`). The
    /// default hands them to `receive(_:)` one by one; a sink that reads whole steps (the CSV
    /// writer) reads the store directly, without a block value per quantity.
    func receive(step result: StepResult, run: RunID) throws
}

extension TraceSink {
    public func wants(step: Int) -> Bool { true }

    public func receive(step result: StepResult, run: RunID) throws {
        for p in result.plan { if let block = result.block(p, run: run) { try receive(block) } }
    }
}
