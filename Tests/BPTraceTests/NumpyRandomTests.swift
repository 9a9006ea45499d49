import Testing
@testable import BPTrace

/// Golden values printed by numpy 2.4.6 (legacy RandomState) with the snippets quoted in each
/// test; committed as numbers so the test run needs no numpy.
@Suite struct NumpyRandomTests {
    @Test func uniformMatchesNumpySeed0() {
        // np.random.seed(0); np.random.uniform(-0.5, 2.0, size=5)
        var rng = NumpyRandom(seed: 0)
        let got = (0..<5).map { _ in rng.uniform(low: -0.5, high: 2.0) }
        #expect(got == [0.8720337598183119, 1.2879734159310487, 1.0069084401791097, 0.8622079574922421, 0.5591369983472618])
    }

    @Test func normalKeepsTheCachedSecondValueAcrossCalls() {
        // np.random.seed(42); a = np.random.normal(0, 1, size=3); b = np.random.normal(1.5, 0.1, size=4)
        // The third draw of `a` caches a value that the first draw of `b` uses.
        var rng = NumpyRandom(seed: 42)
        let a = (0..<3).map { _ in rng.normal(mean: 0, std: 1) }
        let b = (0..<4).map { _ in rng.normal(mean: 1.5, std: 0.1) }
        #expect(a == [0.4967141530112327, -0.13826430117118466, 0.6476885381006925])
        #expect(b == [1.6523029856408025, 1.4765846625276664, 1.476586304305082, 1.6579212815507391])
    }

    @Test func largestSeed() {
        // np.random.seed(4294967295); np.random.normal(size=3)
        var rng = NumpyRandom(seed: 4_294_967_295)
        #expect((0..<3).map { _ in rng.standardNormal() } == [0.6484086742306527, 0.6693235306338161, -1.0805437227474493])
    }

    @Test func uniformInitDrawsWeightsThenBiasesLayerByLayer() throws {
        // np.random.seed(2); np.random.uniform(0, 1, size=15): the xor preset (2-2-1) draws
        // W(1) row-major (4), b(1) (2), W(2) (2), b(2) (1) from this one stream.
        let stream = [0.43599490214200376, 0.025926231827891333, 0.5496624778787091, 0.4353223926182769,
                      0.42036780208748903, 0.3303348210038741, 0.2046486340378425, 0.6192709663506637,
                      0.29965467367452314]
        let p = try Presets.spec(named: "xor").initialParameters()
        #expect(p.weights[0].values == Array(stream[0..<4]))
        #expect(p.biases[0].values == Array(stream[4..<6]))
        #expect(p.weights[1].values == Array(stream[6..<8]))
        #expect(p.biases[1].values == [stream[8]])
    }

    @Test func explicitValuesConsumeNoDraws() throws {
        // With W(1) given, b(1) takes the stream's first two draws.
        let spec = try SpecParser.parse(text: """
        {"layers": [2, 2, 1], "learning_rate": 0.5, "weights": [[[1, 2], [3, 4]], null],
         "init": {"seed": 2}, "data": {"inputs": [[0, 0]], "targets": [[0]]}}
        """)
        let p = spec.initialParameters()
        #expect(p.biases[0].values == [0.43599490214200376, 0.025926231827891333])
        #expect(p.weights[1].values == [0.5496624778787091, 0.4353223926182769])
    }

    @Test func xavierUniformPerLayerWithoutBiasDraws() throws {
        // np.random.seed(7); for (i, o) in [(4,5), (5,4), (4,3)]:
        //     r = np.sqrt(6/(i+o)); np.random.uniform(-r, r, size=(i, o))
        let p = try Presets.spec(named: "tanh-relu-softmax").initialParameters()
        #expect(Array(p.weights[0].values.prefix(3)) == [-0.691885666187167, 0.45710547360294407, -0.10057730389044273])
        #expect(Array(p.weights[2].values.suffix(2)) == [-0.14373534131849508, -0.1361815213494828])
        #expect(p.biases.allSatisfy { $0.values.allSatisfy { $0 == 0 } })
    }

    @Test func heNormalPerLayer() throws {
        // np.random.seed(3); for (i, o) in [(3,4), (4,2)]: np.random.normal(0, np.sqrt(2/i), size=(i, o))
        let spec = try SpecParser.parse(text: """
        {"layers": [3, 4, 2], "learning_rate": 0.1, "bias": false, "init": {"distribution": "he_normal", "seed": 3},
         "data": {"inputs": [[0, 0, 0]], "targets": [[0, 0]]}}
        """)
        let p = spec.initialParameters()
        #expect(Array(p.weights[0].values.prefix(3)) == [1.4604090331058333, 0.35640880048431217, 0.07878985274897744])
        #expect(Array(p.weights[1].values.suffix(3)) == [-1.0935245967998855, 0.694638674380775, -0.7785723877968257])
        #expect(p.biases.isEmpty)
    }
}
