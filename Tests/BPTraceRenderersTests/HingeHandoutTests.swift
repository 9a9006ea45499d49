import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// The hinge loss's handout: its derivation lines carry cs231n's numbers, and pandoc turns it
/// into HTML (every formula parsed) and a PDF.
@Suite struct HingeHandoutTests {
    static let cs231n = """
    {"name": "cs231n-hinge", "layers": [3, 3], "activations": ["linear"], "loss": "hinge", "bias": false,
     "learning_rate": 1, "batch": "sample", "weights": [[[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]],
     "data": {"inputs": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}
    """
    static let deep = """
    {"name": "hinge-deep", "layers": [2, 3, 3, 4], "activations": ["tanh", "relu", "linear"], "loss": "hinge",
     "learning_rate": 0.2, "batch": 2, "l2": 0.01, "init": {"distribution": "normal", "std": 0.9, "seed": 7},
     "data": {"inputs": [[1, 0.5], [0.2, -1], [-0.7, 0.3]], "targets": [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]}}
    """

    @Test func theCatImageDerivationHasCs231nNumbers() throws {
        let folder = try HandoutSupport.freshFolder("hinge")
        let path = try HandoutSupport.write(spec: try SpecParser.parse(text: Self.cs231n), steps: 3, folder: folder)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("multiclass SVM (hinge) loss"))
        // The car class's term of the cat image: max(0, 5.1 − 3.2 + 1) = 2.9; the total 2.9.
        #expect(text.contains("\\max\\left(0, 5.1 - \\left(1 \\cdot 3.2 + 0 \\cdot 5.1 + 0 \\cdot \\left(-1.7\\right)\\right) + 1\\right)}{1} = 2.9"))
        #expect(text.contains("E_{\\mathrm{total}} = E_{o_{1}} + E_{o_{2}} + E_{o_{3}} = 0 + 2.9 + 0 = 2.9"))
        // The cat class's delta: minus the one violated margin.
        #expect(text.contains("= \\frac{0 + \\left(-1\\right) + 0}{1} = -1$$"))
    }

    @Test(arguments: ["cs231n", "deep"])
    func pandocReadsTheHingeHandout(_ which: String) throws {
        let folder = try HandoutSupport.freshFolder("hinge-\(which)")
        let spec = try SpecParser.parse(text: which == "deep" ? Self.deep : Self.cs231n)
        let path = try HandoutSupport.write(spec: spec, steps: 3, folder: folder, options: HandoutSupport.options(steps: [1, 3]))
        let h = try HandoutSupport.html(path)
        #expect(h.status == 0 && h.stderr.isEmpty, "\(h.stderr)")
        let (r, isPDF) = try HandoutSupport.pdf(path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(isPDF)
    }
}
