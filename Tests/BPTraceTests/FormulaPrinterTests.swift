import Foundation
import Testing
import BPTrace

/// The printers of the catalogue's formulas: Excel (over cell references the caller supplies),
/// plain text, LaTeX; and docs/FORMULAS.md, generated from the catalogue.
@Suite struct FormulaPrinterTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let z1 = QuantityRef(.z, 1), x = QuantityRef(.x, 0), w1 = QuantityRef(.W, 1), d1 = QuantityRef(.delta, 1)

    /// An Excel printer over fake addresses: quantity, layer, row and column spelled out
    /// (`x0r1c2`); ranges `first:last`; every block 3 x 4 unless `shapes` says otherwise.
    static func excel(explicitTerms: Int = 12, shapes: [QuantityRef: (Int, Int)] = [:], helpers: Set<String> = []) -> ExcelPrinter {
        @Sendable func name(_ leaf: ExcelPrinter.Leaf) -> String? {
            switch leaf {
            case .cell(let ref, let r, let c): return "\(ref.quantity.rawValue)\(ref.layer)r\(r)c\(c)"
            case .named(let n, let v): return helpers.contains(n) ? "\(n)[\(v.map(String.init).joined(separator: ","))]" : nil
            }
        }
        return ExcelPrinter(address: name, range: { a, b in
                                guard let x = name(a), let y = name(b) else { return nil }
                                return x == y ? x : x + ":" + y
                            },
                            count: { d in
                                let s = shapes[d.ref] ?? (3, 4)
                                if case .rows = d { return s.0 } else { return s.1 }
                            },
                            explicitTerms: explicitTerms)
    }

    static func mazur() throws -> Catalogue { Catalogue(spec: try Presets.spec(named: "mazur-2015")) }

    // MARK: - Excel

    @Test func excelWritesShortSumsOutAndLongOnesOverRanges() throws {
        let z = try #require(try Self.mazur().expression(of: Self.z1))
        #expect(Self.excel(shapes: [Self.x: (1, 2)]).formula(z, row: 0, col: 1) == "x0r0c0*W1r0c1+x0r0c1*W1r1c1+b1r0c1")
        // More terms than explicitTerms: a row of x times a column of W is MMULT.
        #expect(Self.excel(explicitTerms: 1, shapes: [Self.x: (1, 2)]).formula(z, row: 0, col: 1) == "MMULT(x0r0c0:x0r0c1,W1r0c1:W1r1c1)+b1r0c1")
        // Two columns (grad_W) or two rows (err) are SUMPRODUCT.
        let c = try Self.mazur()
        let g = try #require(c.expression(of: QuantityRef(.gradW, 2)))
        #expect(Self.excel(explicitTerms: 1).formula(g, row: 1, col: 0) == "SUMPRODUCT(a1r0c1:a1r2c1,delta2r0c0:delta2r2c0)")
        let err = try #require(c.expression(of: QuantityRef(.err, 1)))
        #expect(Self.excel(explicitTerms: 1).formula(err, row: 0, col: 1) == "SUMPRODUCT(delta2r0c0:delta2r0c3,W2r1c0:W2r1c3)")
        let loss = try #require(c.expression(of: QuantityRef(.loss, 2)))
        #expect(Self.excel(explicitTerms: 1).formula(loss, row: 0, col: 0) == "SUMXMY2(y2r0c0:y2r2c3,a2r0c0:a2r2c3)/2")
        #expect(Self.excel(shapes: [QuantityRef(.y, 2): (1, 2)]).formula(loss, row: 0, col: 0) == "((y2r0c0-a2r0c0)^2+(y2r0c1-a2r0c1)^2)/2")
    }

    @Test func excelGuardsTheSigmoidAndKeepsExcelsPrecedence() throws {
        let a = try #require(try Self.mazur().expression(of: QuantityRef(.a, 1)))
        #expect(Self.excel().formula(a, row: 0, col: 0) == "IF(-z1r0c0>709.782712893384,0,1/(1+EXP(-z1r0c0)))")
        let cell = Expr.cell(Self.z1, row: .row, col: .col)
        // Excel reads -B3^2 as (-B3)^2: a negated power keeps its parentheses.
        #expect(Self.excel().formula(-.square(cell), row: 0, col: 0) == "-(z1r0c0^2)")
        #expect(Self.excel().formula(.square(-cell), row: 0, col: 0) == "(-z1r0c0)^2")
        #expect(Self.excel().formula(cell - (cell - cell), row: 0, col: 0) == "z1r0c0-(z1r0c0-z1r0c0)")
        #expect(Self.excel().formula(cell / (cell * cell), row: 0, col: 0) == "z1r0c0/(z1r0c0*z1r0c0)")
        #expect(Self.excel().formula(.hyper(.learningRate) * cell, row: 0, col: 0) == "learning_rate*z1r0c0")
        // Counts are numbers: B·n_L of mse prints as their product.
        let mse = Expr.c(2) * cell / (.count(.rows(Self.z1)) * .count(.cols(Self.z1)))
        #expect(Self.excel().formula(mse, row: 0, col: 0) == "2*z1r0c0/12")
    }

    @Test func namedStepsPrintAsHelperCellsWhenThereAreSome() throws {
        var spec = try Presets.spec(named: "tanh-relu-softmax")
        spec.l2 = 0
        let a = try #require(Catalogue(spec: spec).expression(of: QuantityRef(.a, 3)))
        let inline = Self.excel().formula(a, row: 0, col: 1)
        #expect(inline.hasPrefix("EXP(z3r0c1-MAX(z3r0c0:z3r0c3))/(EXP(z3r0c0-MAX(z3r0c0:z3r0c3))+"))
        let helped = Self.excel(helpers: [Catalogue.Step.exp, Catalogue.Step.expSum]).formula(a, row: 0, col: 1)
        #expect(helped == "e[0,1]/Σe[0]")
        // Σe over helper cells is a SUM over their range once the row is long.
        let sum = try #require(a.namedSteps.first { $0.name == Catalogue.Step.expSum })
        let p = Self.excel(explicitTerms: 2, helpers: [Catalogue.Step.exp])
        #expect(p.formula(sum.body, IndexValues.of(sum.indices, [1])) == "SUM(e[1,0]:e[1,3])")
    }

    /// A long sum whose terms are no cells (a cross-entropy without helper cells) is written
    /// out rather than as an array expression.
    @Test func aLongSumWithoutRangesIsWrittenOut() throws {
        let c = Catalogue(spec: try Presets.spec(named: "tanh-relu-softmax"))
        let loss = try #require(c.expression(of: QuantityRef(.loss, 3)))
        let f = Self.excel(explicitTerms: 1).formula(loss, row: 0, col: 0)
        #expect(!f.contains("SUMPRODUCT") && !f.contains("SUM("))
        #expect(f.components(separatedBy: "IF(").count - 1 == 12)
        #expect(f.hasPrefix("-(IF(y3r0c0=0,0,y3r0c0*LN(a3r0c0))+") && f.hasSuffix(")/3"))
    }

    /// Issue 11: the previous step's state prints as the caller says (the workbook: the same
    /// cell of the previous sheet), `#REF!` without one; t and β1 print as the caller's names.
    @Test func excelPrintsThePreviousStateAndTheStepNumberAsTheCallerSays() throws {
        var spec = try Presets.spec(named: "mazur-2015")
        spec.optimizer = .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8)
        let c = Catalogue(spec: spec)
        let m = try #require(c.expression(of: QuantityRef(.mW, 1)))
        let mHat = try #require(c.expression(of: QuantityRef(.mHatW, 1)))
        #expect(Self.excel().formula(m, row: 1, col: 0) == "beta1*#REF!+(1-beta1)*grad_W1r1c0")
        let base = Self.excel()
        let printer = ExcelPrinter(address: base.address, range: base.range,
                                   hyperName: { $0 == .stepNumber ? "$K$1" : $0.rawValue }, count: base.count, explicitTerms: 12,
                                   previous: { ref, r, col in "'Step 1'!\(ref.quantity.rawValue)\(ref.layer)r\(r)c\(col)" })
        #expect(printer.formula(m, row: 1, col: 0) == "beta1*'Step 1'!m_W1r1c0+(1-beta1)*grad_W1r1c0")
        #expect(printer.formula(mHat, row: 0, col: 1) == "m_W1r0c1/(1-beta1^$K$1)")
    }

    // MARK: - Text

    @Test func textOfTheMazurNetwork() throws {
        let c = try Self.mazur()
        let expected: [(QuantityRef, String)] = [
            (QuantityRef(.z, 1), "z(1) = x·W(1) + b(1)"),
            (QuantityRef(.a, 1), "a(1) = 1 / (1 + exp(-z(1)))"),
            (QuantityRef(.E, 2), "E = y - a(2)"),
            (QuantityRef(.loss, 2), "loss = Σ (y - a(2))² / 2"),
            (QuantityRef(.slope, 2), "slope(2) = a(2) ⊙ (1 - a(2))"),
            (QuantityRef(.delta, 2), "delta(2) = (a(2) - y) ⊙ slope(2)"),
            (QuantityRef(.err, 1), "err(1) = delta(2)·W(2)ᵀ"),
            (QuantityRef(.delta, 1), "delta(1) = err(1) ⊙ slope(1)"),
            (QuantityRef(.gradW, 1), "grad_W(1) = xᵀ·delta(1)"),
            (QuantityRef(.WNew, 2), "W_new(2) = W(2) - η·grad_W(2)"),
            (QuantityRef(.gradB, 1), "grad_b(1) = column sums of delta(1)"),
            (QuantityRef(.bNew, 1), "b_new(1) = b(1) (biases are not trained)"),
        ]
        for (ref, text) in expected { #expect(c.formula(of: ref) == text) }
        let z = try #require(c.expression(of: QuantityRef(.z, 1)))
        #expect(TextPrinter(style: .indexed).text(z) == "Σ_k x[i,k]·W(1)[k,j] + b(1)[j]")
    }

    @Test func textOfSettingsThatChangeAFormula() throws {
        let c = Catalogue(spec: try Presets.spec(named: "tanh-relu-softmax"))
        #expect(c.formula(of: QuantityRef(.a, 3)) == "a(3) = exp(z(3) - max_row z(3)) / Σ_row exp(z(3) - max_row z(3))")
        #expect(c.formula(of: QuantityRef(.loss, 3)) == "loss = -Σ (0 if y = 0 else y·ln(a(3))) / B")
        #expect(c.formula(of: QuantityRef(.cost, 3)) == "cost = loss + λ/2·(Σ W(1)² + Σ W(2)² + Σ W(3)²)")
        #expect(c.formula(of: QuantityRef(.gradW, 2)) == "grad_W(2) = a(1)ᵀ·delta(2) + λ·W(2)")
        #expect(c.formula(of: QuantityRef(.slope, 2)) == "slope(2) = 1 if z(2) > 0 else 0")
        #expect(c.formula(of: QuantityRef(.slope, 1)) == "slope(1) = 1 - a(1)²")
        let immediate = Catalogue(spec: try Presets.spec(named: "mazur-2015-immediate"))
        #expect(immediate.formula(of: QuantityRef(.err, 1)) == "err(1) = delta(2)·W_new(2)ᵀ")
    }

    /// The workbook's helper cells show a formula as its named steps, each over the ones before.
    @Test func stepwiseFormulaNamesTheSteps() throws {
        let c = Catalogue(spec: try Presets.spec(named: "tanh-relu-softmax"))
        #expect(c.stepwiseFormula(of: QuantityRef(.a, 3)) == "max = max_row z(3); e = exp(z(3) - max); Σe = Σ_row e; a(3) = e/Σe")
        #expect(c.stepwiseFormula(of: QuantityRef(.loss, 3)) == "term = 0 if y = 0 else y ⊙ ln(a(3)); loss = -Σ term / B")
        #expect(c.stepwiseFormula(of: QuantityRef(.z, 1)) == nil)
    }

    // MARK: - LaTeX

    @Test func latexSymbolicAndWithTheNumbers() throws {
        let c = try Self.mazur()
        let z = try #require(c.expression(of: QuantityRef(.z, 1)))
        #expect(LaTeXPrinter().latex(z) == "\\sum_{k} x_{i,k} \\cdot W^{(1)}_{k,j} + b^{(1)}_{j}")
        // Mazur's names for the first hidden neuron: net_h1 = w1·i1 + w2·i2 + b1.
        let names: [QuantityRef: [[String]]] = [QuantityRef(.x, 0): [["i_{1}", "i_{2}"]], QuantityRef(.W, 1): [["w_{1}", "w_{3}"], ["w_{2}", "w_{4}"]],
                                                QuantityRef(.b, 1): [["b_{1}", "b_{1}"]]]
        let counts: @Sendable (Dim) -> String = { _ in "2" }
        let symbols = LaTeXPrinter(mode: .cells { ref, r, col in names[ref]?[r][col] ?? "?" }, count: counts)
        #expect(symbols.latex(z, row: 0, col: 0) == "i_{1} \\cdot w_{1} + i_{2} \\cdot w_{2} + b_{1}")
        let spec = try Presets.spec(named: "mazur-2015")
        var trainer = Trainer(spec: spec)
        let step = trainer.step(1)
        let evaluator = Evaluator(spec: spec, step: step)
        let numbers = LaTeXPrinter(mode: .cells { ref, r, col in "\(evaluator.value(ref, r, col))" }, count: counts)
        #expect(numbers.latex(z, row: 0, col: 0) == "0.05 \\cdot 0.15 + 0.1 \\cdot 0.2 + 0.35")
        #expect(evaluator.evaluate(z, row: 0, col: 0) == 0.3775)
        let a = try #require(c.expression(of: QuantityRef(.a, 1)))
        #expect(LaTeXPrinter().latex(a) == "\\frac{1}{1 + e^{-z^{(1)}_{i,j}}}")
        let w = try #require(c.expression(of: QuantityRef(.WNew, 2)))
        let subst = LaTeXPrinter(mode: .cells { ref, r, col in "\(evaluator.value(ref, r, col))" }, hyper: { _ in "0.5" }, count: counts)
        #expect(subst.latex(w, row: 0, col: 0).hasPrefix("0.4 - 0.5 \\cdot 0.08216704"))
    }

    // MARK: - docs/FORMULAS.md

    static let begin = "<!-- generated by FormulaReference.markdownTable(); FormulaPrinterTests checks it -->\n"
    static let end = "<!-- end of generated table -->"

    /// docs/FORMULAS.md holds the table the catalogue generates. To update it after a change
    /// of a formula, run this test with BPTRACE_RECORD_FORMULAS=1.
    @Test func formulasDocumentIsGeneratedFromTheCatalogue() throws {
        let path = Self.root + "/docs/FORMULAS.md"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let table = FormulaReference.markdownTable()
        let start = try #require(text.range(of: Self.begin), "docs/FORMULAS.md lacks the generated-table marker")
        let stop = try #require(text.range(of: Self.end, range: start.upperBound..<text.endIndex))
        if ProcessInfo.processInfo.environment["BPTRACE_RECORD_FORMULAS"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: table)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let current = try String(contentsOfFile: path, encoding: .utf8)
        let a = try #require(current.range(of: Self.begin)), b = try #require(current.range(of: Self.end, range: a.upperBound..<current.endIndex))
        #expect(String(current[a.upperBound..<b.lowerBound]) == table)
        // Every computed quantity has a row.
        for q in Quantity.allCases where ![.x, .y, .W, .b].contains(q) { #expect(table.contains("| \(q.rawValue)"), "\(q)") }
    }
}
