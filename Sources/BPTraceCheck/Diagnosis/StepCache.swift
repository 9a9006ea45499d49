import BPTrace

/// The engine's steps that are the same for every student of a spec, kept by a `Grader`.
///
/// A step whose anchor took nothing from the student, at this step or any step before it
/// (`AnchoredRun`: every start value within its rounding of bptrace's), starts from bptrace's
/// own parameters and optimizer state: its run, and its re-runs under each alternative of
/// `--explain`, are the same bits for every trace of the class (the trainer is deterministic).
/// They are computed by the first trace that needs them and reused by the others. A step the
/// student's own values re-anchored is run per trace, as before.
///
/// Memory is bounded: at most `valueBudget` traced values are kept (16 MB of Float64), so it
/// does not grow with the number of traces, only (up to the budget) with the steps and the
/// network's size. Beyond the budget steps are run per trace, as without the cache.
final class StepCache {
    static let valueBudget = 2_000_000
    /// This cache's budget (`valueBudget`; the tests use 0: nothing kept, every step run per trace).
    let budget: Int
    init(budget: Int = StepCache.valueBudget) { self.budget = budget }

    struct Own {
        let result: StepResult
        /// The parameters and the optimizer's state after the step.
        let parameters: Parameters
        let optimizer: StatefulOptimizer?
    }

    private var own: [Int: Own] = [:]
    /// reruns[step][candidate index in `Grader.candidates`]
    private var reruns: [Int: [Int: StepResult]] = [:]
    private(set) var storedValues = 0

    func own(step s: Int) -> Own? { own[s] }

    func store(step s: Int, _ entry: Own) {
        if admit(entry.result) { own[s] = entry }
    }

    func rerun(step s: Int, candidate k: Int) -> StepResult? { reruns[s]?[k] }

    func store(step s: Int, candidate k: Int, _ r: StepResult) {
        if admit(r) { reruns[s, default: [:]][k] = r }
    }

    private func admit(_ r: StepResult) -> Bool {
        let n = r.values.values.reduce(0) { $0 + $1.rows * $1.cols }
        guard storedValues + n <= budget else { return false }
        storedValues += n
        return true
    }
}
