import Testing
import BPTrace

/// `init.rng` is read into `InitSpec.rng` and the initializer draws from the stream it names
/// (numpy's, the only one); any other name is refused at its key path.
@Suite struct InitSpecTests {
    static func spec(init initJSON: String) throws -> NetworkSpec {
        try SpecParser.parse(text: """
            {"layers": [2, 3, 1], "learning_rate": 0.1, "init": \(initJSON),
             "data": {"inputs": [[1, 2]], "targets": [[1]]}}
            """)
    }

    @Test func rngIsReadAndHonoured() throws {
        let named = try Self.spec(init: #"{"seed": 2, "rng": "numpy"}"#)
        let implicit = try Self.spec(init: #"{"seed": 2}"#)
        #expect(named.initSpec.rng == .numpy && implicit.initSpec.rng == .numpy)
        #expect(named.initSpec == implicit.initSpec)
        // numpy.random.seed(2); numpy.random.uniform(0, 1): 0.43599490214200376, 0.025926231827891333, ...
        let w = named.initialParameters().weights[0]
        #expect(w[0, 0] == 0.43599490214200376)
        #expect(w[0, 1] == 0.025926231827891333)
        #expect(named.initialParameters() == implicit.initialParameters())
        #expect(InitSpec.RandomStream.allCases.map(\.rawValue) == ["numpy"])
    }

    @Test func anUnknownStreamIsRefusedAtItsKey() throws {
        do {
            _ = try Self.spec(init: #"{"rng": "pcg64"}"#)
            Issue.record("expected an error")
        } catch let e as SpecError {
            #expect(e.path == "init.rng")
            #expect(e.description.contains("unknown rng \"pcg64\"") && e.description.contains("\"numpy\""), "\(e)")
        }
        #expect(throws: SpecError.self) { _ = try Self.spec(init: #"{"rng": 1}"#) }
    }
}
