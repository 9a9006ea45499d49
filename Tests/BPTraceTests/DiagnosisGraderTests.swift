import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// One `Grader` shared by a class of traces (`bptrace check --trace DIR`) must give every trace
/// the diagnosis it gets alone: what it shares between traces (names, alternatives, bptrace's
/// own steps and their re-runs in `StepCache`) may not carry one student's numbers into another's.
@Suite struct DiagnosisGraderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let dir = root + "/Tests/StudentTraces"

    /// The suite's traces of `spec` (manifest.csv), plus the slip and two-bug traces for Mazur's network.
    static func traces(of spec: String) throws -> (NetworkSpec, [StudentTrace]) {
        let net = try SpecParser.parse(text: String(contentsOfFile: "\(dir)/\(spec).json", encoding: .utf8), baseDirectory: dir)
        let manifest = try String(contentsOfFile: "\(dir)/manifest.csv", encoding: .utf8)
        var files = manifest.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0[1] == spec }.map { $0[0] }
        if spec == "mazur-2015" { files += ["slip.csv", "two-bugs.csv"] }
        return (net, try files.map { try StudentTraceReader.read(file: "\(dir)/\($0)", spec: net) })
    }

    /// Everything a report shows of a diagnosis (JSON: every value, root cause, explanation, anchor).
    static func report(_ d: Diagnosis, _ spec: NetworkSpec) -> String { DiagnosisReport(d, specName: spec.name).json() }

    @Test(arguments: ["mazur-2015", "deep", "xor", "tanh-relu-softmax"])
    func aSharedGraderGivesEachTraceItsOwnDiagnosis(spec name: String) throws {
        let (spec, traces) = try Self.traces(of: name)
        #expect(traces.count >= 12)
        for reanchor in [true, false] {
            let alone = traces.map { Self.report(Diagnoser.diagnose(spec: spec, trace: $0, reanchor: reanchor, explain: true), spec) }
            // Forward and backward: the shared steps are made by different traces first.
            let shared = Grader(spec: spec), backward = Grader(spec: spec)
            let inOrder = traces.map { Self.report(shared.diagnose(trace: $0, reanchor: reanchor, explain: true), spec) }
            let reversed = traces.reversed().map { Self.report(backward.diagnose(trace: $0, reanchor: reanchor, explain: true), spec) }.reversed()
            for (i, t) in traces.enumerated() {
                #expect(inOrder[i] == alone[i], "\(t.file) reanchor=\(reanchor): a shared grader differs from a fresh one")
                #expect(Array(reversed)[i] == alone[i], "\(t.file) reanchor=\(reanchor): graded after the others, it differs")
            }
            #expect(shared.steps.storedBytes > 0, "no step of \(name) was shared")
        }
    }

    @Test func pristineStepsAreSharedAndReanchoredOnesAreNot() throws {
        let (spec, traces) = try Self.traces(of: "mazur-2015")
        let clean = try #require(traces.first { $0.file.hasSuffix("clean-mazur-2015-6-written.csv") })
        let slip = try #require(traces.first { $0.file.hasSuffix("slip.csv") })
        let g = Grader(spec: spec)
        _ = g.diagnose(trace: clean, explain: true)
        let afterClean = g.steps.storedBytes
        #expect(afterClean > 0 && g.steps.own(step: 1) != nil && g.steps.own(step: 2) != nil)
        // The same trace again takes every step from the cache: nothing new is stored.
        _ = g.diagnose(trace: clean, explain: true)
        #expect(g.steps.storedBytes == afterClean)
        // The slip re-anchors step 2 on the student's own values: step 1 and its re-runs are
        // shared, step 2's run is the student's own and is not kept.
        let d = g.diagnose(trace: slip, explain: true)
        #expect(d.anchors[2] != nil, "the slip's step 2 was not re-anchored: \(d.anchors)")
        #expect(g.steps.own(step: 3) == nil)
        #expect(g.steps.rerun(step: 1, candidate: 0) != nil)
        #expect(g.steps.rerun(step: 2, candidate: 0) == nil)
    }

    @Test func theCacheKeepsNoMoreThanItsBudget() throws {
        let (spec, traces) = try Self.traces(of: "deep")
        // Room for two steps' values: the first traces fill it, the others run the rest themselves.
        let full = Grader(spec: spec)
        _ = full.diagnose(trace: traces[0])
        let one = StepCache.cost(of: try #require(full.steps.own(step: 1)).result)
        let budget = 2 * one
        let none = Grader(spec: spec, cacheBudget: 0), small = Grader(spec: spec, cacheBudget: budget)
        for t in traces.prefix(6) {
            let fresh = Self.report(Diagnoser.diagnose(spec: spec, trace: t, explain: true), spec)
            #expect(Self.report(none.diagnose(trace: t, explain: true), spec) == fresh, "\(t.file) without a cache")
            #expect(Self.report(small.diagnose(trace: t, explain: true), spec) == fresh, "\(t.file) with a full cache")
        }
        #expect(none.steps.storedBytes == 0)
        #expect(small.steps.storedBytes > 0 && small.steps.storedBytes <= budget)
    }
}
