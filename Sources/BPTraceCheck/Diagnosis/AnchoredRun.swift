import BPTrace

/// The correct values a student's trace is judged against, step by step: the engine's own run
/// (`--no-reanchor`), or each step run from the student's start-of-step parameters and
/// optimizer state wherever those differ from the engine's beyond their written precision.
struct AnchoredRun {
    struct StepAnchor {
        /// The parameters the step starts from (the engine's full precision where the student agrees).
        let parameters: Parameters
        /// The optimizer's state before the step (nil for SGD).
        let optimizer: StatefulOptimizer?
        /// The state quantities of the step before, as the step reads them (`Expr.previous`).
        let previous: [QuantityRef: Matrix]
        /// How far the student's own start values may be from the ones used (per W, b and
        /// state cell, keyed at this step for W/b and at the step before for the state).
        let deviation: [CellKey: Double]
        /// Which start values came from the student (for the report).
        let fromStudent: [String]
        /// Whether this step and every step before it started from bptrace's own values (none
        /// taken from the student): its runs are the same for every student (`StepCache`).
        let pristine: Bool
    }

    let spec: NetworkSpec
    let catalogue: Catalogue
    var results: [Int: StepResult] = [:]
    var anchors: [Int: StepAnchor] = [:]
    /// The engine's start values before re-anchoring, by start cell (W(l), b(l) of step s).
    var engineStart: [CellKey: Double] = [:]

    let written: [CellKey: StudentValue]
    let reanchor: Bool
    private var params: Parameters
    private var optimizer: StatefulOptimizer?
    private var before: StepResult? = nil
    /// The runs shared by the traces of a class, and whether the steps so far are among them.
    let cache: StepCache
    private var pristine = true
    /// The spec's step plan, made once for every step run here.
    private let plan: [StepPlanEntry]

    init(spec: NetworkSpec, written: [CellKey: StudentValue], reanchor: Bool, cache: StepCache) {
        self.spec = spec; self.written = written; self.reanchor = reanchor; self.cache = cache
        catalogue = Catalogue(spec: spec)
        plan = catalogue.stepPlan
        params = spec.initialParameters()
        optimizer = spec.optimizer.isSGD ? nil : StatefulOptimizer(spec.optimizer, learningRate: spec.learningRate)
    }

    /// Runs step `s` (after step s-1) from its anchor. `carried` is how far the student's own
    /// values of the step before may be from bptrace's by rounding alone (W_new, b_new, state):
    /// a start value within its written tolerance plus that is kept at bptrace's full precision.
    /// `keep`: whether the step's results are kept (a step the student wrote nothing of is only run).
    mutating func runStep(_ s: Int, carried: [CellKey: Double], keep: Bool = true) {
            let L = spec.depth
            let stateW = spec.optimizer.stateQuantities(weights: true), stateB = spec.optimizer.stateQuantities(weights: false)
            let reanchor = self.reanchor, written = self.written
            var params = self.params, optimizer = self.optimizer, before = self.before
            var engineStart: [CellKey: Double] = [:]
            var deviation: [CellKey: Double] = [:]
            var fromStudent: [String] = []
            // Start-of-step parameters: the student's W/b of step s, else their W_new/b_new of s-1.
            func anchorMatrix(_ m: inout Matrix, _ q: Quantity, _ newQ: Quantity, _ l: Int) {
                var replaced = 0, origin = ""
                for r in 0..<m.rows {
                    for c in 0..<m.cols {
                        let key = CellKey(step: s, QuantityRef(q, l), row: r + 1, col: c + 1)
                        engineStart[key] = m[r, c]
                        let source = CellKey(step: s - 1, QuantityRef(newQ, l), row: r + 1, col: c + 1)
                        let cand = written[key] ?? (s > 1 ? written[source] : nil)
                        guard let cand else { continue }
                        let gap = (cand.written.value - m[r, c]).magnitude
                        let rounding = cand.written.defaultTolerance + (carried[source] ?? 0)
                        if reanchor && gap > rounding {
                            m[r, c] = cand.written.value
                            deviation[key] = cand.written.halfUnit
                            replaced += 1
                            origin = cand.key.step == s ? "your \(q.rawValue)(\(l))@\(s)" : "your \(newQ.rawValue)(\(l))@\(s - 1)"
                        } else {
                            // Kept at bptrace's value: the student's own is this far at most (a
                            // wrong start value under --no-reanchor carries only its rounding).
                            deviation[key] = min(gap, rounding) + cand.written.halfUnit
                        }
                    }
                }
                if replaced > 0 { fromStudent.append("\(replaced) cell\(replaced == 1 ? "" : "s") of \(q.rawValue)(\(l)) from \(origin)") }
            }
            var weights = params.weights, biases = params.biases
            for l in 1...L {
                anchorMatrix(&weights[l - 1], .W, .WNew, l)
                if spec.bias { anchorMatrix(&biases[l - 1], .b, .bNew, l) }
            }
            params = Parameters(weights: weights, biases: biases)
            // The optimizer's state after step s-1: the student's where it differs.
            var previous: [QuantityRef: Matrix] = [:]
            if var opt = optimizer, let prior = before {
                for l in 1...L {
                    for (isW, qs) in [(true, stateW), (false, stateB)] {
                        let p = QuantityRef(isW ? .W : .b, l)
                        guard var st = opt.state(of: p) else { continue }
                        var changed = 0
                        for (k, q) in qs.enumerated() where k < 2 {
                            let ref = QuantityRef(q, l)
                            guard var m = prior[ref], k < st.state.count else { continue }
                            for r in 0..<m.rows {
                                for c in 0..<m.cols {
                                    let key = CellKey(step: s - 1, ref, row: r + 1, col: c + 1)
                                    guard let cand = written[key] else { continue }
                                    let gap = (cand.written.value - m[r, c]).magnitude
                                    let rounding = cand.written.defaultTolerance + (carried[key] ?? 0)
                                    if reanchor && gap > rounding {
                                        m[r, c] = cand.written.value; deviation[key] = cand.written.halfUnit; changed += 1
                                    } else {
                                        deviation[key] = min(gap, rounding) + cand.written.halfUnit
                                    }
                                }
                            }
                            st.state[k] = m
                            previous[ref] = m
                        }
                        if changed > 0 {
                            opt.seed(p, state: st.state, steps: st.steps)
                            fromStudent.append("\(changed) optimizer state cell\(changed == 1 ? "" : "s") of \(p) from your step \(s - 1)")
                        }
                    }
                }
                // The other traced state (m_hat, v_hat) is not read by the next step.
                optimizer = opt
            }
            // Nothing taken from the student up to here: bptrace's own step, the same for every trace.
            let pristine = self.pristine && fromStudent.isEmpty
            if keep { anchors[s] = StepAnchor(parameters: params, optimizer: optimizer, previous: previous, deviation: deviation, fromStudent: fromStudent, pristine: pristine) }
            let r: StepResult
            if pristine, let hit = cache.own(step: s) {
                r = hit.result; params = hit.parameters; optimizer = hit.optimizer
            } else {
                var trainer = Trainer(spec: spec, parameters: params, rules: .standard, optimizer: optimizer, plan: plan)
                r = trainer.step(s)
                params = trainer.parameters
                optimizer = trainer.optimizer as? StatefulOptimizer
                if pristine { cache.store(step: s, StepCache.Own(result: r, parameters: params, optimizer: optimizer)) }
            }
            if keep { results[s] = r }
            before = r
            self.pristine = pristine
            self.params = params; self.optimizer = optimizer; self.before = before
            if keep { self.engineStart.merge(engineStart) { $1 } }
    }

    /// Runs step `s` again from its anchor under an alternative (a convention or a bug model),
    /// the `candidate`-th of `Grader.candidates` (a pristine anchor's re-run is shared: `StepCache`).
    func rerun(step s: Int, candidate k: Int, under alt: Alternative) -> StepResult? {
        guard let a = anchors[s] else { return nil }
        if a.pristine, let hit = cache.rerun(step: s, candidate: k) { return hit }
        let r = run(step: s, from: a, under: alt)
        if a.pristine { cache.store(step: s, candidate: k, r) }
        return r
    }

    private func run(step s: Int, from a: StepAnchor, under alt: Alternative) -> StepResult {
        var opt: StatefulOptimizer? = nil
        if !alt.spec.optimizer.isSGD {
            var o = StatefulOptimizer(alt.spec.optimizer, learningRate: alt.spec.learningRate, variant: alt.rules.optimizer)
            if let from = a.optimizer {
                for l in 1...spec.depth {
                    for p in [QuantityRef(.W, l), QuantityRef(.b, l)] {
                        if let st = from.state(of: p) { o.seed(p, state: st.state, steps: st.steps) }
                    }
                }
            }
            opt = o
        }
        var trainer = Trainer(spec: alt.spec, parameters: a.parameters, rules: alt.rules, optimizer: opt, plan: alt.plan)
        return trainer.step(s)
    }
}
