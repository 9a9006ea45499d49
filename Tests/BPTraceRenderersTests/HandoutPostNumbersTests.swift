import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// The default network's handout against the numbers Matt Mazur's post prints
/// (https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/, Fixtures/mazur-2015.json): each must be the result of the formula that derives it.
@Suite struct HandoutPostNumbersTests {
    /// The formula whose result is `number`: a display line whose last part is exactly `number`
    /// and whose left-hand side contains every marker.
    func derivation(of number: String, in text: String, lhs markers: [String]) -> String? {
        HandoutSupport.equations(text).first { eq in
            eq.parts.last == number && markers.allSatisfy { eq.lhs.contains($0) }
        }?.line
    }

    /// (published number, what the left-hand side of its line must name)
    static let nineDecimals: [(String, [String])] = [
        ("0.3775", ["\\mathrm{net}_{h_{1}}"]),
        ("0.593269992", ["\\mathrm{out}_{h_{1}}"]),
        ("0.596884378", ["\\mathrm{out}_{h_{2}}"]),
        ("1.105905967", ["\\mathrm{net}_{o_{1}}"]),
        ("0.75136507", ["\\mathrm{out}_{o_{1}}"]),
        ("0.772928465", ["\\mathrm{out}_{o_{2}}"]),
        ("0.274811083", ["E_{o_{1}}"]),
        ("0.023560026", ["E_{o_{2}}"]),
        ("0.298371109", ["E_{\\mathrm{total}}"]),
        ("0.74136507", ["\\partial E_{\\mathrm{total}}", "\\partial \\mathrm{out}_{o_{1}}"]),
        ("0.186815602", ["\\partial \\mathrm{out}_{o_{1}}", "\\partial \\mathrm{net}_{o_{1}}"]),
        ("0.082167041", ["\\partial E_{\\mathrm{total}}", "\\partial w_{5}"]),
        ("0.35891648", ["{w_{5}}^{+}"]),
        ("0.408666186", ["{w_{6}}^{+}"]),
        ("0.51130127", ["{w_{7}}^{+}"]),
        ("0.561370121", ["{w_{8}}^{+}"]),
        ("0.138498562", ["\\delta_{o_{1}}"]),
        ("0.055399425", ["\\partial E_{o_{1}}", "\\partial \\mathrm{out}_{h_{1}}"]),
        // The post prints -0.019049119, a rounding slip: the exact value is -0.019049118258.
        ("-0.019049118", ["\\partial E_{o_{2}}", "\\partial \\mathrm{out}_{h_{1}}"]),
        ("0.036350306", ["\\partial E_{\\mathrm{total}}", "\\partial \\mathrm{out}_{h_{1}}"]),
        ("0.241300709", ["\\partial \\mathrm{out}_{h_{1}}", "\\partial \\mathrm{net}_{h_{1}}"]),
        ("0.000438568", ["\\partial E_{\\mathrm{total}}", "\\partial w_{1}"]),
        ("0.149780716", ["{w_{1}}^{+}"]),
    ]

    @Test("the post's 9-decimal numbers, each as the result of the line that derives it")
    func postNumbersAtNineDecimals() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015", options: HandoutSupport.options(decimals: 9))
        for (number, markers) in Self.nineDecimals {
            #expect(derivation(of: number, in: text, lhs: markers) != nil, "no line derives \(number) with \(markers) on its left")
        }
        // The brief's example line, in bptrace's spelling of the names.
        #expect(text.contains("\\mathrm{net}_{h_{1}} = w_{1} \\cdot i_{1} + w_{2} \\cdot i_{2} + b_{1} \\cdot 1 = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 \\cdot 1")
                || text.contains("\\mathrm{net}_{h_{1}} &= w_{1} \\cdot i_{1} + w_{2} \\cdot i_{2} + b_{1} \\cdot 1 = 0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 \\cdot 1"))
        // The chain rule for w5 with the post's three factors.
        let w5 = try #require(derivation(of: "0.082167041", in: text, lhs: ["\\partial w_{5}"]))
        #expect(w5.contains("0.74136507 \\cdot 0.186815602 \\cdot 0.593269992"))
        // The update line of w1 with the post's gradient.
        let w1 = try #require(derivation(of: "0.149780716", in: text, lhs: ["{w_{1}}^{+}"]))
        #expect(w1.contains("0.15 - 0.5 \\cdot 0.000438568"))
    }

    @Test("the default --decimals of the handout is the post's 9")
    func defaultDecimalsAreNine() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015")
        #expect(derivation(of: "0.593269992", in: text, lhs: ["\\mathrm{out}_{h_{1}}"]) != nil)
        #expect(text.contains("rounded to 9 decimals"))
    }

    @Test("the post's 8-decimal numbers (w2+, w3+, w4+) at --decimals 8")
    func postNumbersAtEightDecimals() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015", options: HandoutSupport.options(decimals: 8))
        for (number, name) in [("0.19956143", "{w_{2}}^{+}"), ("0.24975114", "{w_{3}}^{+}"), ("0.29950229", "{w_{4}}^{+}")] {
            #expect(derivation(of: number, in: text, lhs: [name]) != nil, "no line derives \(number) for \(name)")
        }
    }

    @Test("the immediate update order reproduces the post's error after the first update, 0.291027924")
    func immediateLossAfterFirstUpdate() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015-immediate", options: HandoutSupport.options(decimals: 9))
        let line = try #require(text.split(separator: "\n").first { $0.contains("before the update and is") })
        #expect(line.contains("E_{\\mathrm{total}}^{+} = 0.291027924"))
        #expect(text.contains("Update order: immediate"))
        // The error sent back to h1 goes through the updated w5+ and w7+.
        #expect(text.contains("\\delta_{o_{1}} \\cdot {w_{5}}^{+}"))
        // The textbook order gives 0.291027774 instead (reference/mazur-2015.md).
        let (simultaneous, _) = try HandoutSupport.handout(preset: "mazur-2015", options: HandoutSupport.options(decimals: 9))
        #expect(simultaneous.contains("E_{\\mathrm{total}}^{+} = 0.291027774"))
    }

    @Test("after 10,000 immediate updates: the post's error 0.000035085 and outputs 0.015912196, 0.984065734")
    func immediateAfterTenThousand() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015-immediate", steps: 10_000,
                                                   options: HandoutSupport.options(decimals: 9))
        let line = try #require(text.split(separator: "\n").first { $0.contains("After the last update (step 10000)") })
        #expect(line.contains("E_{\\mathrm{total}} = 0.000035085"))
        let outs = try #require(text.split(separator: "\n").first { $0.contains("The outputs are then") })
        #expect(outs.contains("\\mathrm{out}_{o_{1}} = 0.015912196"))
        #expect(outs.contains("\\mathrm{out}_{o_{2}} = 0.984065734"))
    }
}
