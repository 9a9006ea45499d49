import Testing
@testable import BPTrace

/// A long run computes each step into the storage of the step before's blocks
/// (`Trainer.step(_:into:)`, `StepResult.compute`). That must give bit-for-bit the values of
/// fresh steps, must never change a block someone kept from an earlier step (value semantics),
/// and a recycled store must not show last step's blocks as this step's.
@Suite struct StepReuseTests {
    /// Every preset and random networks (batches, optimizers, l2, mistakes' variants), 6 steps:
    /// the reused store equals fresh steps block for block, bit for bit.
    @Test func reusedStepsEqualFreshSteps() throws {
        var specs = try Presets.names.map { try Presets.spec(named: $0) }
        specs += (0..<40).map(CatalogueEngineTests.randomSpec)
        for spec in specs {
            for rules in [BackpropRules.standard, .immediate, .learningRateFolded] {
                var fresh = Trainer(spec: spec, rules: rules), reused = Trainer(spec: spec, rules: rules)
                var store = StepResult(step: 1, catalogue: Catalogue(spec: spec))
                for s in 1...6 {
                    let a = fresh.step(s)
                    reused.step(s, into: &store)
                    #expect(store.step == s)
                    #expect(bits(store) == bits(a), "\(spec.name) \(rules.name) step \(s)")
                }
                let p = [fresh.parameters, reused.parameters].map { ($0.weights + $0.biases).map { $0.values.map(\.bitPattern) } }
                #expect(p[0] == p[1], "\(spec.name) \(rules.name)")
            }
        }
    }

    /// Blocks kept from step 1 (as the checker's collector keeps them) still hold step 1's
    /// values after the store has been reused for steps 2 and 3.
    @Test func keptBlocksDoNotChange() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var t = Trainer(spec: spec), check = Trainer(spec: spec)
        var store = StepResult(step: 1, catalogue: Catalogue(spec: spec))
        t.step(1, into: &store)
        let kept = store.values                          // copies of step 1's blocks
        let expected = check.step(1).values
        t.step(2, into: &store)
        t.step(3, into: &store)
        #expect(kept.mapValues { $0.values.map(\.bitPattern) } == expected.mapValues { $0.values.map(\.bitPattern) })
        #expect(store.values[QuantityRef(.z, 1)] != kept[QuantityRef(.z, 1)], "step 3 differs from step 1")
        // Published numbers of step 1 (Mazur's post): out_h1 = 0.593269992, W_new w5 = 0.35891648.
        #expect(abs(kept[QuantityRef(.a, 1)]![0, 0] - 0.593269992) < 5e-10)
        #expect(abs(kept[QuantityRef(.WNew, 2)]![0, 0] - 0.35891648) < 5e-9)
    }

    /// After `recycle`, the store holds nothing of the step before until the trainer computes.
    @Test func aRecycledStoreHoldsNoStaleBlocks() throws {
        let spec = try Presets.spec(named: "xor-adam")
        var t = Trainer(spec: spec)
        var store = StepResult(step: 1, catalogue: Catalogue(spec: spec))
        t.step(1, into: &store)
        #expect(store.isComplete)
        store.recycle(step: 2)
        #expect(store.values.isEmpty)
        #expect(store[.z, 1] == nil && store.blocks().isEmpty)
        #expect(store.withValues(QuantityRef(.z, 1)) { _, _, _ in true } == nil)
        t.step(2, into: &store)
        #expect(store.isComplete && store.step == 2)
    }

    private func bits(_ r: StepResult) -> [QuantityRef: [UInt64]] { r.values.mapValues { $0.values.map(\.bitPattern) } }
}
