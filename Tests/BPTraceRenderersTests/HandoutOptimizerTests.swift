import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// The handout of a non-SGD run (issue 11): every state line and update of the full detail
/// against the CSV trace of the same run (read back as text, independently of the renderer),
/// the previous step's state put in as a number, t as the step number, the words once, and
/// pandoc/LaTeX accepting the result.
@Suite struct HandoutOptimizerTests {
    /// The default network with trained biases, η = 0.1 and `optimizer`.
    static func spec(_ optimizer: OptimizerSpec) throws -> NetworkSpec {
        var s = try Presets.spec(named: "mazur-2015")
        s.name = "opt-\(optimizer.name)"
        s.optimizer = optimizer
        s.updateBiases = true
        s.learningRate = 0.1
        return s
    }

    static let optimizers: [OptimizerSpec] = [
        .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8), .momentum(mu: 0.9), .nesterov(mu: 0.5),
        .rmsprop(rho: 0.9, eps: 1e-8), .adamw(beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.01, decayBiases: true),
    ]

    /// The handout (steps 1-3 derived) and the CSV trace of 3 steps of `spec`.
    static func run(_ spec: NetworkSpec, detail: HandoutDetail = .full, derived: [Int] = [1, 2, 3]) throws -> (text: String, path: String, csv: [String: Double]) {
        let folder = try HandoutSupport.freshFolder(spec.name)
        let md = folder + "/\(spec.name).md", csvPath = folder + "/\(spec.name).csv"
        let handout = try MarkdownHandoutWriter(destination: md, overwrite: false, options: HandoutSupport.options(detail: detail, steps: derived))
        let trace = CSVTraceWriter(file: try OutputFile(destination: csvPath, overwrite: false))
        try TraceRunner.run(spec: spec, steps: 3, sinks: [handout, trace])
        var csv: [String: Double] = [:]
        for line in try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            csv[f[0...4].joined(separator: ",")] = Double(f[5])
        }
        return (try String(contentsOfFile: md, encoding: .utf8), md, csv)
    }

    /// The handout's sections `## Step k`, by k.
    static func steps(_ text: String) -> [Int: String] {
        var out: [Int: String] = [:]
        for part in text.components(separatedBy: "\n## Step ").dropFirst() {
            let k = Int(part.prefix { $0.isNumber })!
            out[k] = String(part.split(separator: "\n## ", maxSplits: 1).first ?? Substring(part))
        }
        return out
    }

    /// The post's name of weight (i → j) of layer l in a 2-2-2 network: numbered layer by
    /// layer, for each receiving neuron its inputs in order.
    static func weight(_ l: Int, _ i: Int, _ j: Int) -> String { "w_{\((l - 1) * 4 + j * 2 + i + 1)}" }

    static func letter(_ q: String) -> String {
        switch q {
        case "vel_W", "vel_b": return "\\mathrm{vel}"
        case "sq_W", "sq_b": return "\\mathrm{sq}"
        case "m_W", "m_b": return "m"
        case "v_W", "v_b": return "v"
        case "m_hat_W", "m_hat_b": return "\\hat{m}"
        default: return "\\hat{v}"
        }
    }

    @Test("every state line and update of the full detail equals the CSV at 9 decimals, the previous state and t put in", arguments: optimizers)
    func stateLinesMatchTheCSV(_ optimizer: OptimizerSpec) throws {
        let spec = try Self.spec(optimizer)
        let (text, _, csv) = try Self.run(spec)
        let fmt = HandoutNumberFormat(decimals: 9)
        let sections = Self.steps(text)
        #expect(sections.keys.sorted() == [1, 2, 3])
        let states = spec.optimizer.stateQuantities(weights: true).map(\.rawValue)
        var checked = 0
        for (k, section) in sections {
            let eqs = HandoutSupport.equations(section)
            for l in 1...2 {
                for i in 0..<2 {
                    for j in 0..<2 {
                        let w = Self.weight(l, i, j)
                        let key = { (q: String, step: Int) in "\(step),\(l),\(q),\(i + 1),\(j + 1)" }
                        for q in states {
                            let lhs = "\(Self.letter(q))_{\(w)}"
                            let eq = try #require(eqs.first { $0.lhs == lhs }, "step \(k): no line for \(lhs)")
                            let value = try #require(csv[key(q, k)])
                            #expect(eq.parts.last == fmt.tex(value), "step \(k) \(lhs): \(eq.line)")
                            let numbers = eq.parts.dropFirst().first ?? ""
                            if !q.contains("_hat_") {
                                // The previous step's state, as a number: 0 at step 1.
                                let before = k == 1 ? 0 : try #require(csv[key(q, k - 1)])
                                #expect(eq.parts[0].contains("\(lhs)^{(t-1)}"), "\(eq.line)")
                                let shown = fmt.tex(before).hasPrefix("-") ? "\\left(\(fmt.tex(before))\\right)" : fmt.tex(before)
                                #expect(numbers.contains(" \\cdot \(shown) + "), "step \(k) \(lhs): previous \(fmt.tex(before)) in \(eq.line)")
                            } else {
                                #expect(numbers.contains("}^{\(k)}"), "t = \(k) in \(eq.line)")
                            }
                            if let v = NumericTeX.evaluate(numbers) { #expect(abs(v - value) < 1e-6, "\(eq.line)") }
                            checked += 1
                        }
                        let update = try #require(eqs.first { $0.lhs == "{\(w)}^{+}" }, "step \(k): no update of \(w)")
                        #expect(update.parts.last == fmt.tex(try #require(csv[key("W_new", k)])), "\(update.line)")
                        #expect(update.parts.dropFirst().first?.hasPrefix(fmt.tex(try #require(csv[key("W", k)]))) == true, "\(update.line)")
                        checked += 1
                    }
                }
            }
            // A trained bias gets the same lines: b^{(2)}_{1}'s first state.
            let bq = spec.optimizer.stateQuantities(weights: false)[0].rawValue
            let b = try #require(eqs.first { $0.lhs == "\(Self.letter(bq))_{b^{(2)}_{1}}" }, "step \(k): no bias state")
            #expect(b.parts.last == fmt.tex(try #require(csv["\(k),2,\(bq),1,1"])), "\(b.line)")
        }
        #expect(checked == 3 * 8 * (states.count + 1))
        // The words once, the settings with the hyper-parameters.
        #expect(text.components(separatedBy: "**The optimizer's symbols.**").count == 2)
        #expect(text.contains("- Optimizer: ") && text.contains("(`\(optimizer.name)`)"))
    }

    @Test("a derived step after steps that are not derived reads the state the step before left (kept while streaming)")
    func previousStateOfAStepNotDerived() throws {
        let (text, _, csv) = try Self.run(try Self.spec(.momentum(mu: 0.9)), derived: [3])
        #expect(Self.steps(text).keys.sorted() == [3])
        let eq = try #require(HandoutSupport.equations(text).first { $0.lhs == "\\mathrm{vel}_{w_{5}}" })
        let before = HandoutNumberFormat(decimals: 9).tex(try #require(csv["2,2,vel_W,1,1"]))
        #expect(eq.parts[1].hasPrefix("0.9 \\cdot \(before) + "), "\(eq.line)")
    }

    @Test("Adam's first step moves each weight by about η against its gradient (m̂ = g, v̂ = g² at t = 1)")
    func firstAdamStepIsEta() throws {
        let spec = try Self.spec(.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8))
        let (text, _, _) = try Self.run(spec)
        let eqs = HandoutSupport.equations(try #require(Self.steps(text)[1]))
        for n in 1...8 {
            let w = "w_{\(n)}"
            let update = try #require(eqs.first { $0.lhs == "{\(w)}^{+}" })
            let g = try #require(eqs.last { $0.lhs == "\\frac{\\partial E_{\\mathrm{total}}}{\\partial \(w)}" }?.parts.last.flatMap(Double.init))
            let after = try #require(update.parts.last.flatMap(Double.init))
            let before = try #require(update.parts[1].split(separator: " ").first.flatMap { Double($0) })
            // |Δw| = η·|g|/(|g| + ε) ≈ η = 0.1 (ε/|g| < 1e-4 here), against the sign of g.
            #expect(abs(abs(after - before) - 0.1) < 1e-5, "\(update.line)")
            #expect((after - before) * g < 0, "\(update.line)")
            let mHat = try #require(eqs.first { $0.lhs == "\\hat{m}_{\(w)}" }?.parts.last)
            #expect(mHat == HandoutNumberFormat(decimals: 9).tex(g) || abs(Double(mHat)! - g) <= 1e-9, "m̂ = g at t = 1")
        }
    }

    @Test("pandoc turns the Adam and momentum handouts (full and matrix detail) into PDF and warning-free HTML")
    func pandocAcceptsOptimizerHandouts() throws {
        for (optimizer, detail) in [(Self.optimizers[0], HandoutDetail.full), (Self.optimizers[4], .matrix), (Self.optimizers[1], .matrix)] {
            let (_, path, _) = try Self.run(try Self.spec(optimizer), detail: detail)
            let html = try HandoutSupport.html(path)
            #expect(html.status == 0, "\(optimizer.name) \(detail): \(html.stderr)")
            let (r, ok) = try HandoutSupport.pdf(path)
            #expect(r.status == 0 && ok, "\(optimizer.name) \(detail): \(r.stderr.suffix(1500))")
        }
    }

    @Test("matrix detail: each state block with its formula, the previous state and the step's numbers put in")
    func matrixDetailShowsTheState() throws {
        let (text, _, csv) = try Self.run(try Self.spec(.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8)), detail: .matrix)
        let step2 = try #require(Self.steps(text)[2])
        let fmt = HandoutNumberFormat(decimals: 6)
        let m = try #require(step2.split(separator: "\n").first { $0.hasPrefix("$$") && $0.contains("m^{(2)}_{W,i,j} &= \\beta_1") || $0.hasPrefix("$$m^{(2)}_{W,i,j} = ") })
        #expect(m.contains("m^{(2)\\,(t-1)}_{W,i,j}"))
        // The previous step's m, then this step's m, as bmatrix entries.
        #expect(m.contains("0.9 \\cdot \\begin{bmatrix}\(fmt.tex(try #require(csv["1,2,m_W,1,1"])))"), "\(m)")
        #expect(m.contains("\\begin{bmatrix}\(fmt.tex(try #require(csv["2,2,m_W,1,1"])))"), "\(m)")
        #expect(step2.contains("{0.9}^{2}"), "t = 2 in the bias correction")
    }

    @Test("the state's LaTeX symbols: one subscript with the parameter and the indices (no double subscript)")
    func stateSymbols() throws {
        let c = Catalogue(spec: try Self.spec(.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8)))
        let m = try #require(c.expression(of: QuantityRef(.mW, 2)))
        #expect(LaTeXPrinter().latex(m) == "\\beta_1 \\cdot m^{(2)\\,(t-1)}_{W,i,j} + \\left(1 - \\beta_1\\right) \\cdot \\nabla W^{(2)}_{i,j}")
        #expect(LaTeXPrinter.symbol(QuantityRef(.vHatB, 1)) == "\\hat{v}^{(1)}_{b}")
        #expect(LaTeXPrinter.element(QuantityRef(.velW, 1), "i,j") == "\\mathrm{vel}^{(1)}_{W,i,j}")
    }

    @Test("hyper-parameters print exactly: at the handout's decimals when exact, small ones in powers of ten")
    func hyperParameterNumbers() {
        let six = HandoutNumberFormat(decimals: 6)
        #expect(StepDerivation.exact(0.999, six.tex) == "0.999")
        #expect(StepDerivation.exact(1e-8, six.tex) == "10^{-8}")
        #expect(StepDerivation.exact(3.5e-7, HandoutNumberFormat(decimals: 9).tex) == "3.5 \\times 10^{-7}")
        #expect(StepDerivation.exact(0.12345678, six.tex) == "0.12345678")
        #expect(StepDerivation.exact(0, six.tex) == "0")
    }

    @Test("an SGD handout has no optimizer words")
    func sgdHasNoOptimizerText() throws {
        let (text, _) = try HandoutSupport.handout(preset: "mazur-2015")
        #expect(!text.contains("Optimizer") && !text.contains("optimizer's symbols") && !text.contains("(t-1)"))
    }
}
