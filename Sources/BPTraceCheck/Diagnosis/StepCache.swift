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
/// Memory is bounded: the steps kept take at most `byteBudget` (16 MiB, estimated by `cost(of:)`),
/// so it does not grow with the number of traces, only (up to the budget) with the steps and
/// the network's size. Beyond the budget steps are run per trace, as without the cache.
final class StepCache {
    static let byteBudget = 16 << 20
    /// This cache's budget in bytes (`byteBudget`; the tests use 0: nothing kept, every step run per trace).
    let budget: Int
    init(budget: Int = StepCache.byteBudget) { self.budget = budget }

    /// The memory a kept step takes, estimated: 8 bytes a value, 192 a matrix (its array and
    /// slot), 256 the step (measured: 5,000 steps of mazur-2015, 61 values in 25 blocks a step,
    /// take about 24 MB, 4.8 KB a step; this estimate gives 5.5 KB).
    static func cost(of r: StepResult) -> Int {
        let blocks = r.values.values
        return 8 * blocks.reduce(0) { $0 + $1.rows * $1.cols } + 192 * blocks.count + 256
    }

    struct Own {
        let result: StepResult
        /// The parameters and the optimizer's state after the step.
        let parameters: Parameters
        let optimizer: StatefulOptimizer?
    }

    private var own: [Int: Own] = [:]
    /// reruns[step][candidate index in `Grader.candidates`]
    private var reruns: [Int: [Int: StepResult]] = [:]
    /// The estimated bytes kept (`cost(of:)`).
    private(set) var storedBytes = 0

    func own(step s: Int) -> Own? { own[s] }

    func store(step s: Int, _ entry: Own) {
        if admit(entry.result) { own[s] = entry }
    }

    func rerun(step s: Int, candidate k: Int) -> StepResult? { reruns[s]?[k] }

    func store(step s: Int, candidate k: Int, _ r: StepResult) {
        if admit(r) { reruns[s, default: [:]][k] = r }
    }

    private func admit(_ r: StepResult) -> Bool {
        let n = StepCache.cost(of: r)
        guard storedBytes + n <= budget else { return false }
        storedBytes += n
        return true
    }
}
