import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// Runs are first-class: every block and outcome names its run, one sink can receive several
/// runs (a spec and its variants) through `TraceRunner`, and the checker's runs — `--explain`'s
/// conventions included — are streamed through it into a `StepCollector`.
@Suite struct TraceRunTests {
    final class Recorder: TraceSink {
        var begun: [RunID] = [], finished: [RunID] = []
        var blocks: [RunID: [TraceBlock]] = [:]
        var rules: [RunID: String] = [:]
        func begin(_ run: TraceRun) throws { begun.append(run.id); rules[run.id] = run.rules.name }
        func receive(_ block: TraceBlock) throws { blocks[block.run, default: []].append(block) }
        func finish(_ outcome: TraceOutcome) throws { finished.append(outcome.run) }
    }

    @Test func oneSinkReceivesSeveralRunsAndTellsThemApart() throws {
        let spec = try Presets.spec(named: "analytics-vidhya")
        let sink = Recorder()
        let main = try TraceRunner.run(spec: spec, steps: 2, sinks: [sink])
        let folded = try TraceRunner.run(spec: spec, steps: 2, sinks: [sink], id: RunID("lr_folded"), rules: .learningRateFolded)
        #expect(main.run == .main && folded.run == RunID("lr_folded"))
        #expect(sink.begun == [.main, RunID("lr_folded")] && sink.finished == sink.begun)
        #expect(sink.rules == [.main: "standard", RunID("lr_folded"): "lr_folded"])
        // Each run's blocks are the trainer's under its rules, in trace order.
        var a = Trainer(spec: spec), b = Trainer(spec: spec, rules: .learningRateFolded)
        let want = (1...2).flatMap { a.step($0).blocks() }, wantFolded = (1...2).flatMap { b.step($0).blocks(run: RunID("lr_folded")) }
        let got = try #require(sink.blocks[.main]), gotFolded = try #require(sink.blocks[RunID("lr_folded")])
        #expect(got.map(\.matrix) == want.map(\.matrix) && gotFolded.map(\.matrix) == wantFolded.map(\.matrix))
        #expect(gotFolded.allSatisfy { $0.run == RunID("lr_folded") })
        // The runs really differ (the folded delta is η times the contract's).
        let d = QuantityRef(.delta, 2)
        let mainDelta = try #require(got.first { QuantityRef($0.quantity, $0.layer) == d }?.matrix)
        let foldedDelta = try #require(gotFolded.first { QuantityRef($0.quantity, $0.layer) == d }?.matrix)
        #expect(foldedDelta == mainDelta.map { $0 * spec.learningRate })
    }

    static let diverging = """
        {"name": "diverge", "layers": [1, 1], "activations": ["linear"], "learning_rate": 100,
         "weights": [[[1]]], "biases": [[0]], "data": {"inputs": [[3]], "targets": [[1]]}}
        """

    @Test func theCheckersRunsDeliverNonFiniteValuesTheRunCommandStopsAt() throws {
        let spec = try SpecParser.parse(text: Self.diverging)
        let stopped = try TraceRunner.run(spec: spec, steps: 500, sinks: [])
        let at = try #require(stopped.stoppedBy).step
        #expect(stopped.completedSteps == at - 1)
        // The checker's run goes on to the step asked for, so a value there reads as not finite.
        let results = ConventionRunner.run(spec: spec, steps: [1, at + 2])
        #expect(results.keys.sorted() == [1, at + 2])
        let late = try #require(results[at + 2])
        #expect(late.isComplete)
        #expect(!late.loss.isFinite || late.values.values.contains { $0.values.contains { !$0.isFinite } })
    }

    @Test func collectedStepsEqualTheTrainersAndKeepOnlyTheWantedSteps() throws {
        let spec = try Presets.spec(named: "mazur-2015-immediate")
        let got = ConventionRunner.run(spec: spec, rules: .learningRateFolded, steps: [2, 4], id: RunID("x"))
        #expect(got.keys.sorted() == [2, 4])
        var t = Trainer(spec: spec, rules: .learningRateFolded)
        for s in 1...4 {
            let r = t.step(s)
            if let g = got[s] { #expect(g.values == r.values && g.blocks().map(\.matrix) == r.blocks().map(\.matrix)) }
        }
    }

    @Test func conventionsAreNamedVariantsOfTheTrainer() throws {
        #expect(Convention([.lrFolded]).rules.learningRateInDelta)
        #expect(Convention([.update(.immediate)]).rules.errorThrough == .immediate)
        let both = Convention([.update(.immediate), .lrFolded]).rules
        #expect(both.learningRateInDelta && both.errorThrough == .immediate && both.name == "lr_folded + update=immediate")
        #expect(Convention.none.rules.name == "standard" && Convention([.negated]).rules.errorThrough == nil)
        // The convention's run equals the trainer under its rules on the convention's spec.
        let spec = try Presets.spec(named: "mazur-2015")
        let c = Convention([.update(.immediate), .lrFolded])
        let variant = try #require(c.apply(to: spec))
        let got = try #require(ConventionRunner.run(spec: variant, rules: c.rules, steps: [2])[2])
        var t = Trainer(spec: spec, rules: c.rules)
        _ = t.step(1)
        #expect(t.step(2).values == got.values)
    }
}
