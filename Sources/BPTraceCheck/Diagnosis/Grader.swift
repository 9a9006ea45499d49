import BPTrace

/// Grades traces of one spec: what a diagnosis depends on only through the spec — the cells'
/// post-style names, the order quantities are computed in, the alternatives `--explain` tries —
/// is worked out once here and shared by every trace of a class (`bptrace check --trace DIR`),
/// instead of once per trace. Each trace's own state (its values, anchors, allowances, root
/// causes) lives in `diagnose` and is dropped when it returns, so memory does not grow with the
/// number of traces. `Diagnoser.diagnose(spec:trace:...)` is a grader used once.
/// docs/BENCHMARKS.md, "Grading throughput".
public final class Grader {
    public let spec: NetworkSpec
    let catalogue: Catalogue
    let names: PostNames
    let computeOrder: [QuantityRef]
    /// The steps the engine runs the same for every student (`StepCache`).
    let steps: StepCache
    private var alternatives: (all: [Alternative], conventions: Int)? = nil

    public convenience init(spec: NetworkSpec) { self.init(spec: spec, cacheBudget: StepCache.byteBudget) }

    /// `cacheBudget`: how many bytes of shared steps may be kept (`StepCache`).
    init(spec: NetworkSpec, cacheBudget: Int) {
        self.spec = spec
        catalogue = Catalogue(spec: spec)
        names = PostNames(spec: spec)
        computeOrder = Judge.computeOrder(catalogue)
        steps = StepCache(budget: cacheBudget)
    }

    /// `Alternative.candidates(for: spec)`, and how many of them are conventions (the rest are
    /// bug models), made on first use.
    var candidates: (all: [Alternative], conventions: Int) {
        if let a = alternatives { return a }
        let a = (Alternative.candidates(for: spec), Alternative.conventions(for: spec).count)
        alternatives = a
        return a
    }

    /// Judges one student's trace (see `Diagnoser`).
    public func diagnose(trace: StudentTrace, reanchor: Bool = true, explain: Bool = false) -> Diagnosis {
        var problems = trace.problems
        var written: [CellKey: StudentValue] = [:]
        var usable: [StudentValue] = []
        for v in trace.values {
            guard v.key.step >= 1, v.key.step <= Diagnoser.maximumStep else {
                problems.append(TraceProblem(line: v.line, message: "step \(v.key.step) is outside 1...\(Diagnoser.maximumStep)")); continue
            }
            guard written[v.key] == nil else {
                problems.append(TraceProblem(line: v.line, message: "\(v.key) is given twice (the first is used)")); continue
            }
            written[v.key] = v
            usable.append(v)
        }
        let steps = usable.map(\.key.step).max() ?? 0
        guard steps >= 1 else {
            return Diagnosis(file: trace.file, reanchored: reanchor, anchors: [:], values: [], rootCauses: [], problems: problems.sorted { $0.line < $1.line }, explained: explain)
        }
        var judge = Judge(grader: self, run: AnchoredRun(spec: spec, written: written, reanchor: reanchor, cache: self.steps), written: written, reanchor: reanchor)
        let givenSteps = Set(usable.map(\.key.step))
        for s in 1...steps {
            judge.run.runStep(s, carried: judge.deviation, keep: givenSteps.contains(s))
            // A step the student wrote nothing of is run (the next starts from it) but not judged.
            if givenSteps.contains(s) { judge.judge(step: s) }
        }
        let run = judge.run

        var values: [DiagnosedValue] = []
        for v in usable {
            if var d = judge.judged[v.key] { d.name = names.name(of: v.key); values.append(d) }
            else { problems.append(TraceProblem(line: v.line, message: "\(v.key): this network has no such cell")) }
        }
        let roots = judge.rootCauses(explain: explain)
        var anchors: [Int: [String]] = [:]
        for (s, a) in run.anchors where !a.fromStudent.isEmpty { anchors[s] = a.fromStudent }
        var d = Diagnosis(file: trace.file, reanchored: reanchor, anchors: anchors, values: values, rootCauses: roots,
                          problems: problems.sorted { $0.line < $1.line }, explained: explain)
        d.unlistedProblems = trace.unlistedProblems
        return d
    }
}
