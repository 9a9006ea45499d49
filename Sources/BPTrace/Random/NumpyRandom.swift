import Foundation

/// numpy's legacy `RandomState` draws, bit for bit: after `numpy.random.seed(s)`,
/// `numpy.random.uniform(low, high)` and `numpy.random.normal(mean, std)` return what
/// `uniform(low:high:)` and `normal(mean:std:)` return here, in the same order.
///
/// - `random_sample`: a 53-bit double from two 32-bit outputs, `((a >> 5)·2^26 + (b >> 6)) / 2^53`.
/// - `uniform`: `low + (high - low) · random_sample()`.
/// - `normal`: the polar Box–Muller method; each accepted pair returns `f·x2` and caches `f·x1`
///   for the next call (the cache survives across calls, as numpy's `has_gauss` does).
public struct NumpyRandom: Sendable {
    private var mt: MT19937
    private var cachedGauss: Double?

    public init(seed: UInt32) { mt = MT19937(seed: seed) }

    public mutating func randomSample() -> Double {
        let a = mt.next32() >> 5, b = mt.next32() >> 6
        return (Double(a) * 67_108_864.0 + Double(b)) / 9_007_199_254_740_992.0
    }

    public mutating func uniform(low: Double, high: Double) -> Double {
        low + (high - low) * randomSample()
    }

    public mutating func standardNormal() -> Double {
        if let g = cachedGauss { cachedGauss = nil; return g }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * randomSample() - 1.0
            x2 = 2.0 * randomSample() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * Foundation.log(r2) / r2).squareRoot()
        cachedGauss = f * x1
        return f * x2
    }

    public mutating func normal(mean: Double, std: Double) -> Double {
        mean + std * standardNormal()
    }
}
