import Foundation
import Testing
@testable import BPTraceRenderers

/// ShortestDouble.write prints exactly `Double.description` (digits and layout) and the text reads
/// back to the same bit pattern, over random bit patterns and the values where formatters go wrong:
/// powers of ten and of two and their neighbours, subnormals, integers, short decimals, extremes.
@Suite struct ShortestDoubleTests {
    /// Formats values into one reused buffer and collects the ones whose text is wrong.
    final class Checker {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        var checked = 0
        var failures: [String] = []
        deinit { buffer.deallocate() }

        func text(_ v: Double) -> String {
            let n = ShortestDouble.write(v, to: buffer)
            return String(decoding: UnsafeBufferPointer(start: buffer, count: n), as: UTF8.self)
        }

        /// v and -v: the text must equal `description` and parse back to the same bits.
        func check(_ v: Double) {
            for x in [v, -v] {
                checked += 1
                let t = text(x), expected = x.description
                if t != expected || Double(t)?.bitPattern != x.bitPattern {
                    if failures.count < 20 {
                        failures.append("bits 0x\(String(x.bitPattern, radix: 16)): got \(t), description \(expected)")
                    }
                }
            }
        }

        /// v and its neighbours nextDown and nextUp (and their negatives).
        func checkAround(_ v: Double) {
            check(v)
            if v.nextDown.isFinite { check(v.nextDown) }
            if v.nextUp.isFinite { check(v.nextUp) }
        }
    }

    /// A fixed-seed splitmix64 (Steele, Lea, Flood 2014): the same values every run.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Hand-written expected texts, independent of `description`: fails if the digits or the
    /// layout (exponent switch, two-digit exponents, `.0`, sign of zero) are wrong.
    @Test func knownTexts() {
        let c = Checker()
        let expected: [(Double, String)] = [
            (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (2.0, "2.0"), (-2.0, "-2.0"), (100.0, "100.0"),
            (0.1, "0.1"), (0.3775, "0.3775"), (0.05, "0.05"), (-0.5630305965991492, "-0.5630305965991492"),
            (0.0001, "0.0001"), (0.00015, "0.00015"), (9.99e-05, "9.99e-05"), (1e-05, "1e-05"),
            (2.5e-05, "2.5e-05"), (1e-10, "1e-10"), (12345.678, "12345.678"), (0.001234, "0.001234"),
            (1e15, "1000000000000000.0"), (1e16, "1e+16"), (8.5e15, "8500000000000000.0"), (9.5e15, "9.5e+15"),
            (9007199254740992.0, "9007199254740992.0"), (9007199254740994.0, "9.007199254740994e+15"),
            (123456789012345680.0, "1.2345678901234568e+17"), (1e22, "1e+22"), (1e23, "1e+23"),
            (1e100, "1e+100"), (1e-100, "1e-100"), (5e-324, "5e-324"), (1e-323, "1e-323"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (Double.leastNonzeroMagnitude, "5e-324"), (Double.leastNormalMagnitude, "2.2250738585072014e-308"),
            (Double.greatestFiniteMagnitude.nextDown, "1.7976931348623155e+308"),
        ]
        for (v, text) in expected {
            #expect(c.text(v) == text, "bits 0x\(String(v.bitPattern, radix: 16))")
        }
    }

    /// The formatter stays inside the 40 bytes its caller provides, and non-finite values print as
    /// `description` does.
    @Test func staysInsideFortyBytesAndDelegatesNonFinite() {
        let c = Checker()
        let worst: [Double] = [-1.7976931348623157e308, -2.2250738585072014e-308, -4.9406564584124654e-324,
                               -1.2345678901234567e-100, -0.00012345678901234567, -9007199254740991.0,
                               -1234567.8901234567, .infinity, -.infinity, .nan, -.nan, .signalingNaN]
        for v in worst {
            for i in 0..<64 { c.buffer[i] = 0xEE }
            let n = ShortestDouble.write(v, to: c.buffer)
            #expect(n <= 40)
            #expect((40..<64).allSatisfy { c.buffer[$0] == 0xEE }, "wrote past 40 bytes for \(v)")
            if !v.isFinite { #expect(c.text(v) == v.description) }
        }
    }

    @Test func randomBitPatterns() {
        let c = Checker()
        var random = SplitMix64(state: 15)
        var n = 0
        while n < 1_000_000 {
            let v = Double(bitPattern: random.next())
            guard v.isFinite else { continue }
            c.check(v.sign == .minus ? -v : v)      // check() adds the negative
            n += 1
        }
        #expect(c.checked == 2_000_000)
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    @Test func powersOfTenAndTwoWithNeighbours() {
        let c = Checker()
        for k in -323...308 { c.checkAround(Double("1e\(k)")!) }
        for e in -1074...1023 { c.checkAround(Double(sign: .plus, exponent: e, significand: 1)) }
        #expect(c.checked == 2 * 3 * (632 + 2098))
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    @Test func subnormals() {
        let c = Checker()
        c.checkAround(Double.leastNonzeroMagnitude)
        c.checkAround(Double.leastNormalMagnitude.nextDown)          // the largest subnormal
        var random = SplitMix64(state: 324)
        for _ in 0..<100_000 {
            let v = Double(bitPattern: random.next() & ((1 << 52) - 1))
            c.check(v)
        }
        for bits: UInt64 in 1...2_000 { c.check(Double(bitPattern: bits)) }
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    @Test func integers() {
        let c = Checker()
        for i in stride(from: 0, through: 1_000_000, by: 997) { c.check(Double(i)) }
        let twoTo53 = 9007199254740992.0
        for k in -2_000...2_000 { c.check(twoTo53 + Double(k)) }
        for k in 0...200 { c.checkAround(Double(1 << 53) * Double(k)) }
        for e in 0...22 { c.checkAround(Double("1e\(e)")! - 1); c.checkAround(Double("1e\(e)")! + 1) }
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    /// Short decimals k / 10^n, the values traces are full of (0.3775, 0.05, learning rates, data).
    @Test func shortDecimals() {
        let c = Checker()
        for n in 1...6 {
            for k in stride(from: 1, through: 1_000_000, by: n <= 3 ? 1 : 37) where k < 10 * pow10(n) {
                c.check(Double("\(k)e-\(n)")!)
                c.check(Double(k) / Double(pow10(n)))
            }
        }
        for n in 7...22 { c.checkAround(Double("3775e-\(n)")!); c.checkAround(Double("5e-\(n)")!) }
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    @Test func extremes() {
        let c = Checker()
        for v in [Double.greatestFiniteMagnitude, .leastNormalMagnitude, .leastNonzeroMagnitude, 0.0, 1.0,
                  Double.ulpOfOne, 1 + .ulpOfOne, 1 - .ulpOfOne / 2] {
            c.checkAround(v)
        }
        #expect(c.failures.isEmpty, "\(c.failures)")
    }

    private func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { p, _ in p * 10 } }
}
