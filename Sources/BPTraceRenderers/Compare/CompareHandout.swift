import BPTrace
import Foundation

/// The Markdown of the comparison handout: the runs, the loss curves, the table and the first
/// step's update of one weight under each setting.
enum CompareHandout {
    static func text(_ results: [CompareRunResult], plan: ComparePlan, figures: String, firstStep: [RunID: [Int: StepResult]], names: [RunID: NetworkNames],
                     options: RenderOptions) -> String {
        let fmt = HandoutNumberFormat(decimals: options.handoutDecimals ?? 6)
        let name = plan.base.name
        var s = "# Comparing \(results.count) runs of \(name)\n\n"
        let keys = plan.axes.map { "`\($0.key)`" }.joined(separator: " and ")
        s += "The same network, data and starting weights, trained for \(plan.steps) step\(plan.steps == 1 ? "" : "s") with \(keys) varied:\n\n"
        for r in results { s += "- run \(r.run.index): \(r.run.label)\n" }
        let diverged = results.filter(\.diverged)
        // The sentence an instructor keeps or edits.
        if let best = results.filter({ !$0.diverged && $0.finalLoss != nil }).min(by: { $0.finalLoss! < $1.finalLoss! }) {
            s += "\n> After \(plan.steps) steps the lowest loss is run \(best.run.index)'s (\(best.run.label))"
            s += diverged.isEmpty ? "." : "; \(diverged.map { "run \($0.run.index)" }.joined(separator: ", ")) diverged: a step too large overshoots until a value overflows."
            s += "\n"
        }
        s += "\n## Loss curves\n\n![Loss per step of every run](\(figures)/compare-loss.svg)\n\n"
        s += "The loss of a step is the trace's `loss` at that step: the loss of its batch before its update. "
        s += "A run that diverged ends where a value stopped being finite (×).\n\n"
        s += "## The runs\n\n"
        s += "| run | " + plan.axes.map(\.key).joined(separator: " | ") + " | final loss | steps run | diverged | first step below target |\n"
        s += "|---|" + plan.axes.map { _ in "---|" }.joined() + "---:|---:|---|---:|\n"
        for r in results {
            s += "| \(r.run.index) | " + r.run.settings.map(\.value).joined(separator: " | ")
            s += " | \(r.finalLoss.map { fmt.plain($0) } ?? "—") | \(r.stepsRun) | \(r.diverged ? "yes, at step \(r.divergedAtStep ?? 0)" : "no")"
            s += " | \(plan.target == nil ? "(no --target)" : r.firstStepBelow(plan.target).map(String.init) ?? "never") |\n"
        }
        s += "\nFinal loss: the loss of the last step the run completed.\n"
        s += CompareWeightUpdate.section(results, plan: plan, firstStep: firstStep, names: names, fmt: fmt)
        return s
    }
}
