import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// The workbook writer closes a step when every quantity the catalogue's descriptors name for
/// the spec has arrived, not when it has counted as many blocks: a block the spec does not have
/// (a future optimizer's extra quantity, a variant's) neither closes the step early nor is lost
/// track of.
@Suite("Workbook step completeness") struct WorkbookStepCompletenessTests {
    typealias S = WorkbookTestSupport

    /// Writes `steps` steps of `spec`, handing the writer `extra` (blocks of each step the spec
    /// does not have) first; returns the file's bytes.
    static func workbook(_ spec: NetworkSpec, steps: Int, extra: (StepResult) -> [TraceBlock]) throws -> Data {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try WorkbookWriter(destination: dir + "/net.xlsx", overwrite: false, options: RenderOptions())
        var trainer = Trainer(spec: spec)
        try writer.begin(TraceRun(spec: spec, steps: steps, initialParameters: trainer.parameters))
        for s in 1...steps {
            let r = trainer.step(s)
            for b in extra(r) + r.blocks() { try writer.receive(b) }
        }
        try writer.finish(TraceOutcome(completedSteps: steps, stoppedBy: nil))
        return try Data(contentsOf: URL(fileURLWithPath: dir + "/net.xlsx"))
    }

    @Test func blocksTheSpecDoesNotHaveDoNotCloseAStepEarly() throws {
        let spec = try S.preset("tanh-relu-softmax")
        let L = spec.depth
        let plain = try Self.workbook(spec, steps: 2) { _ in [] }
        // err(L) and slope(L) of a softmax output are not quantities of this spec: counted, they
        // would close each step one and two blocks before its last blocks (b_new) arrive.
        let extra = try Self.workbook(spec, steps: 2) { r in
            [TraceBlock(step: r.step, stage: .hiddenError, layer: L, quantity: .err, matrix: r.E),
             TraceBlock(step: r.step, stage: .slopes, layer: L, quantity: .slope, matrix: r.E)]
        }
        #expect(!Catalogue(spec: spec).exists(QuantityRef(.err, L)) && !Catalogue(spec: spec).exists(QuantityRef(.slope, L)))
        #expect(plain == extra, "the workbook changed when blocks the spec does not have arrived first")
    }
}
