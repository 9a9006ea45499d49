/// Runs a spec for a number of steps and fans every block out to the sinks, stopping at the
/// first non-finite value (which is not delivered; everything before it is).
public enum TraceRunner {
    /// - Parameters:
    ///   - progress: called after each step with (completed steps, total).
    /// - Returns: how the run ended; sinks have been finished either way.
    /// - Throws: only what a sink throws (an I/O error); sinks are not finished then.
    @discardableResult
    public static func run(spec: NetworkSpec, steps: Int, sinks: [TraceSink],
                           progress: ((Int, Int) -> Void)? = nil) throws -> TraceOutcome {
        var trainer = Trainer(spec: spec)
        let run = TraceRun(spec: spec, steps: steps, initialParameters: trainer.parameters)
        for sink in sinks { try sink.begin(run) }
        var stopped: NonFiniteValue? = nil
        var completed = 0
        stepLoop: for s in 1...steps {
            let result = trainer.step(s)
            for block in result.blocks() {
                if let bad = firstNonFinite(block) { stopped = bad; break stepLoop }
                for sink in sinks { try sink.receive(block) }
            }
            completed = s
            progress?(s, steps)
        }
        let outcome = TraceOutcome(completedSteps: completed, stoppedBy: stopped)
        for sink in sinks { try sink.finish(outcome) }
        return outcome
    }

    static func firstNonFinite(_ block: TraceBlock) -> NonFiniteValue? {
        let m = block.matrix
        guard let i = m.values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return NonFiniteValue(step: block.step, layer: block.layer, quantity: block.quantity,
                              row: i / m.cols + 1, col: i % m.cols + 1, value: m.values[i])
    }
}
