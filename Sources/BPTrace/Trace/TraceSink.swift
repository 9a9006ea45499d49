/// What a sink learns before the first block: the validated spec and the run's length.
public struct TraceRun: Sendable {
    public let spec: NetworkSpec
    /// The number of steps asked for (the trace may end earlier on a non-finite value).
    public let steps: Int
    public let initialParameters: Parameters
    public init(spec: NetworkSpec, steps: Int, initialParameters: Parameters) {
        self.spec = spec; self.steps = steps; self.initialParameters = initialParameters
    }
}

/// How a run ended.
public struct TraceOutcome: Sendable {
    /// Steps whose every block was delivered.
    public let completedSteps: Int
    /// The first non-finite value, when one stopped the run.
    public let stoppedBy: NonFiniteValue?
    public init(completedSteps: Int, stoppedBy: NonFiniteValue?) {
        self.completedSteps = completedSteps; self.stoppedBy = stoppedBy
    }
}

/// A back end of the trace (a renderer): told when the run starts, handed every block in
/// order, told when it ends. The trainer never knows which sinks exist.
public protocol TraceSink: AnyObject {
    func begin(_ run: TraceRun) throws
    func receive(_ block: TraceBlock) throws
    /// Called once after the last block, also when a non-finite value stopped the run: the
    /// sink finishes a complete, valid file from what it received.
    func finish(_ outcome: TraceOutcome) throws
}
