import BPTrace

/// The losses a compare workbook keeps of one run: the loss at the table's steps (every k-th
/// step and the last requested), the last completed step's loss and the first step below the
/// target. Memory grows with the table (at most `CompareSheetRows.rowLimit` + 1 values per run),
/// never with the steps.
struct CompareRunLosses {
    let label: String
    let index: Int
    var tableLosses: [Int: Double] = [:]
    /// The two latest (step, loss) seen: a run stopped mid-step keeps its last complete one.
    var recent: [(step: Int, loss: Double)] = []
    var firstBelowTarget: Int? = nil
    var completed = 0
    var stoppedBy: NonFiniteValue? = nil

    init(label: String, index: Int) { self.label = label; self.index = index }

    var finalLoss: Double? { recent.last(where: { $0.step == completed })?.loss }
    var diverged: Bool { stoppedBy != nil }
}

/// Which steps the Compare sheet's table lists: every k-th step, k = ceil(steps / rowLimit),
/// starting at step 1, plus the last step.
enum CompareSheetRows {
    /// The table stays below about this many rows (plus the last step).
    static let rowLimit = 500

    static func every(_ steps: Int) -> Int { max(1, (steps + rowLimit - 1) / rowLimit) }

    static func steps(_ steps: Int) -> [Int] {
        guard steps > 0 else { return [] }
        let k = every(steps)
        var out = Array(stride(from: 1, through: steps, by: k))
        if out.last != steps { out.append(steps) }
        return out
    }

    /// Log scale when the finite positive losses span more than two decades.
    static func wantsLogScale(_ runs: [CompareRunLosses]) -> Bool {
        let values = runs.flatMap { $0.tableLosses.values }.filter { $0.isFinite }
        guard let lo = values.min(), let hi = values.max(), lo > 0 else { return false }
        return hi / lo > 100
    }
}
