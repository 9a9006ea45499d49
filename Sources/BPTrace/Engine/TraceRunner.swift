/// Runs a spec for a number of steps and fans every block out to the sinks, stopping at the
/// first non-finite value (which is not delivered; everything before it is).
public enum TraceRunner {
    /// - Parameters:
    ///   - id: the run's name in every block and outcome (sinks that receive several runs tell
    ///     them apart by it).
    ///   - rules: the backward pass's rules (a variant run: `lr_folded`, an update order).
    ///   - stopAtNonFinite: false delivers every step whatever its values (the checker reads
    ///     values near an overflow and reports them itself).
    ///   - progress: called after each step with (completed steps, total).
    /// - Returns: how the run ended; sinks have been finished either way.
    /// - Throws: only what a sink throws (an I/O error); sinks are not finished then.
    @discardableResult
    public static func run(spec: NetworkSpec, steps: Int, sinks: [TraceSink], id: RunID = .main, rules: BackpropRules = .standard,
                           stopAtNonFinite: Bool = true, progress: ((Int, Int) -> Void)? = nil) throws -> TraceOutcome {
        var trainer = Trainer(spec: spec, rules: rules)
        let run = TraceRun(id: id, spec: spec, steps: steps, initialParameters: trainer.parameters, rules: rules)
        for sink in sinks { try sink.begin(run) }
        var stopped: NonFiniteValue? = nil
        var completed = 0
        var readers: [TraceSink] = []
        readers.reserveCapacity(sinks.count)
        // One store for every step: each step's blocks reuse the storage of the step before's
        // (sinks that keep a block keep their copy; `Trainer.step(_:into:)`).
        var result = StepResult(step: 1, catalogue: Catalogue(spec: spec))
        stepLoop: for s in 1...max(1, steps) where steps >= 1 {
            trainer.step(s, into: &result)
            readers.removeAll(keepingCapacity: true)
            for sink in sinks where sink.wants(step: s) { readers.append(sink) }
            if stopAtNonFinite, let (i, bad) = result.firstNonFinite() {
                // The blocks before the first non-finite value, one at a time; then stop.
                for p in result.plan[..<i] {
                    guard let block = result.block(p, run: id) else { continue }
                    for sink in readers { try sink.receive(block) }
                }
                stopped = bad
                break stepLoop
            }
            for sink in readers { try sink.receive(step: result, run: id) }
            completed = s
            progress?(s, steps)
        }
        let outcome = TraceOutcome(run: id, completedSteps: completed, stoppedBy: stopped)
        for sink in sinks { try sink.finish(outcome) }
        return outcome
    }

}

/// A sink that keeps the steps it is asked for as `StepResult`s, per run: how the checker
/// (and `--explain`'s variant runs) read a run streamed through `TraceRunner`.
public final class StepCollector: TraceSink {
    public let wanted: Set<Int>
    /// The kept steps, by run and step.
    public private(set) var results: [RunID: [Int: StepResult]] = [:]
    private var catalogues: [RunID: (Catalogue, [StepPlanEntry])] = [:]

    public init(steps wanted: Set<Int>) { self.wanted = wanted }

    public func begin(_ run: TraceRun) throws {
        let catalogue = Catalogue(spec: run.spec)
        catalogues[run.id] = (catalogue, catalogue.stepPlan)
        results[run.id] = [:]
    }

    public func receive(_ block: TraceBlock) throws {
        guard wanted.contains(block.step), let (catalogue, plan) = catalogues[block.run] else { return }
        results[block.run, default: [:]][block.step, default: StepResult(step: block.step, catalogue: catalogue, plan: plan)][block.quantity, block.layer] = block.matrix
    }

    public func finish(_ outcome: TraceOutcome) throws {}

    public func wants(step: Int) -> Bool { wanted.contains(step) }
}
