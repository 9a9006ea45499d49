import BPTrace
import Testing

/// `ComparePlan.make`: the grid's order and settings, each run's spec, and the refusals.
@Suite("ComparePlan")
struct ComparePlanTests {
    static func base() throws -> JSONValue { try JSONParser.parse(Presets.preset(named: "xor")!.json) }

    @Test("the grid is the product of the --vary options, the first varying slowest, each run's spec edited")
    func grid() throws {
        let plan = try ComparePlan.make(baseJSON: try Self.base(), vary: ["optimizer=rmsprop,adam", "learning_rate=0.1,0.7", "optimizer.eps=1e-6"], steps: 3, target: nil)
        #expect(plan.runs.count == 4)
        #expect(plan.runs.map(\.label) == [
            "optimizer=rmsprop, learning_rate=0.1, optimizer.eps=1e-6", "optimizer=rmsprop, learning_rate=0.7, optimizer.eps=1e-6",
            "optimizer=adam, learning_rate=0.1, optimizer.eps=1e-6", "optimizer=adam, learning_rate=0.7, optimizer.eps=1e-6"])
        #expect(plan.runs.map(\.id.name) == ["run1", "run2", "run3", "run4"])
        #expect(plan.runs.map(\.spec.learningRate) == [0.1, 0.7, 0.1, 0.7])
        #expect(plan.runs.map(\.spec.optimizer.name) == ["rmsprop", "rmsprop", "adam", "adam"])
    }

    @Test("the message names the setting the spec refuses")
    func culprit() throws {
        do { _ = try ComparePlan.make(baseJSON: try Self.base(), vary: ["optimizer=momentum", "optimizer.eps=1e-6"], steps: 1, target: nil); Issue.record("accepted") }
        catch let e as CompareError { #expect(e.message.hasPrefix("--vary optimizer.eps=1e-6: optimizer.eps:"), "\(e.message)") }
    }

    @Test("an optimizer hyper-parameter applies to the run's optimizer; one it lacks is refused")
    func hyperParameter() throws {
        let plan = try ComparePlan.make(baseJSON: try Self.base(), vary: ["optimizer=adam", "optimizer.beta1=0.5,0.8"], steps: 1, target: nil)
        #expect(plan.runs.map(\.spec.optimizer) == [.adam(beta1: 0.5, beta2: 0.999, eps: 1e-8), .adam(beta1: 0.8, beta2: 0.999, eps: 1e-8)])
        #expect(throws: CompareError.self) { try ComparePlan.make(baseJSON: try Self.base(), vary: ["optimizer=sgd,adam", "optimizer.beta1=0.5"], steps: 1, target: nil) }
    }

    @Test("batch takes full, sample or an integer; update and l2 and init.seed edit the spec")
    func otherKeys() throws {
        let plan = try ComparePlan.make(baseJSON: try Self.base(), vary: ["batch=full,sample,2", "update=immediate", "l2=0.01", "init.seed=7"], steps: 1, target: 0.1)
        #expect(plan.runs.map(\.spec.batch) == [.full, .sample, .size(2)])
        #expect(plan.runs.allSatisfy { $0.spec.update == .immediate && $0.spec.l2 == 0.01 && $0.spec.initSpec.seed == 7 })
        #expect(plan.target == 0.1)
    }

    @Test("refusals: unknown key, repeated key, empty value, too many runs, an invalid value")
    func refusals() throws {
        func message(_ vary: [String]) throws -> CompareError? {
            do { _ = try ComparePlan.make(baseJSON: try Self.base(), vary: vary, steps: 1, target: nil); return nil } catch let e as CompareError { return e }
        }
        #expect(try message(["optimiser=adam"])?.message.contains("did you mean \"optimizer\"") == true)
        #expect(try message(["l2=0.1", "l2=0.2"])?.kind == .usage)
        #expect(try message(["l2=0.1,,0.2"])?.message.contains("value 2 is empty") == true)
        #expect(try message(["learning_rate=" + (1...65).map { "0.\($0)" }.joined(separator: ",")])?.message.contains("65 runs") == true)
        let bad = try message(["learning_rate=0.1,abc"])
        #expect(bad?.kind == .invalid && bad?.message.hasPrefix("--vary learning_rate=abc: expected a number") == true, "\(String(describing: bad))")
        let negative = try message(["learning_rate=0.1,-2"])
        #expect(negative?.kind == .invalid && negative?.message.hasPrefix("--vary learning_rate=-2: learning_rate: expected a number > 0") == true)
        #expect(try message(["=1"])?.message.contains("the key before '=' is empty") == true)
    }
}
