import BPTrace

/// A block's key on the page and in its data: `quantity|layer` (`z|1`); a cell's adds the
/// 1-based row and column as in the CSV (`z|1|1|2`).
enum HTMLKey {
    static func block(_ ref: QuantityRef) -> String { "\(ref.quantity.rawValue)|\(ref.layer)" }
    static func cell(_ c: CellRead) -> String { "\(block(c.ref))|\(c.row + 1)|\(c.col + 1)" }
}

/// MathML strings used on the page, each stored once (the same symbols recur every step).
struct HTMLStringTable {
    private(set) var strings: [String] = []
    private var index: [String: Int] = [:]
    var converter = MathMLFromLaTeX()

    /// Bytes of the strings so far.
    private(set) var bytes = 0

    mutating func intern(_ s: String) -> Int {
        if let i = index[s] { return i }
        strings.append(s); index[s] = strings.count - 1
        bytes += s.utf8.count + 3
        return strings.count - 1
    }

    /// The index of the MathML of `latex`.
    mutating func math(_ latex: String) -> Int { intern(converter.mathML(latex)) }
}

/// The JSON of one step: every block's numbers as text at the page's decimals, and for each
/// computed cell its derivation lines (from `StepDerivation`, the handout's source) and the
/// cells they read.
struct HTMLStepData {
    /// A cell whose formula reads more numbers than this gets no written-out derivation (a
    /// neuron of a wide layer sums hundreds of products): its block's general formula and its
    /// value are shown instead, as the handout's matrix view does, and the page stays small.
    static let maxOperands = 40
    /// Nor does a block whose cells together read more than this many numbers (a large weight
    /// matrix's gradients over a batch).
    static let maxBlockOperands = 2000

    let spec: NetworkSpec
    let names: NetworkNames
    let fmt: HTMLNumberFormat

    /// `{"v":{block:[[text]]},"d":{cell:[[lhs,sym...,sub,value]]}}`; a cell's name and the
    /// cells it reads, the same every step, go into `cells` once (`[name,[cells]]`).
    func json(step: Int, blocks: [QuantityRef: Matrix], order: [QuantityRef], previous: [QuantityRef: Matrix],
              table: inout HTMLStringTable, cells: inout [(String, String)], known: inout Set<String>) -> String {
        let B = blocks[QuantityRef(.x, 0)]?.rows ?? 1
        let symbols = PostSymbols(names: names, depth: spec.depth, batchSize: B, ofCost: spec.l2 > 0)
        let f = fmt
        let d = StepDerivation(spec: spec, symbols: symbols, blocks: blocks, operand: { f.operand($0) }, number: { f.tex($0) },
                               namedSteps: true, step: step, previous: previous)
        var values: [(String, String)] = []
        var derivations: [(String, String)] = []
        for ref in order {
            guard let m = blocks[ref] else { continue }
            let wide = HTMLStepData.isWide(ref, d, cells: m.rows * m.cols)
            let rows = (0..<m.rows).map { r in HTMLText.jsonArray((0..<m.cols).map { HTMLText.json(fmt.plain(m[r, $0])) }) }
            values.append((HTMLKey.block(ref), HTMLText.jsonArray(rows)))
            for r in 0..<m.rows {
                for c in 0..<m.cols {
                    let lines = wide ? [] : HTMLStepData.lines(d, ref, r, c, depth: spec.depth)
                    let cell = CellRead(ref, r, c)
                    guard let main = lines.last else {
                        // An input of the step (x, y, W, b): its name only.
                        if known.insert(HTMLKey.cell(cell)).inserted {
                            cells.append((HTMLKey.cell(cell), "[" + HTMLText.json(MathMLFromLaTeX.plain(symbols.cell(ref, r, c))) + ",[]]"))
                        }
                        continue
                    }
                    var reads: [CellRead] = []
                    for l in lines { for x in l.reads where x != cell && !reads.contains(x) { reads.append(x) } }
                    let encoded = lines.map { line -> String in
                        var parts = [String(table.math(line.lhs))]
                        parts += line.symbolic.map { String(table.math($0)) }
                        parts.append(line.substituted.map { String(table.math($0)) } ?? "-1")
                        parts.append(HTMLText.json(line.value.map(fmt.plain) ?? ""))
                        return "[" + parts.joined(separator: ",") + "]"
                    }
                    let key = HTMLKey.cell(cell)
                    derivations.append((key, HTMLText.jsonArray(encoded)))
                    if known.insert(key).inserted {
                        cells.append((key, HTMLText.jsonArray([HTMLText.json(MathMLFromLaTeX.plain(main.lhs)),
                                                               HTMLText.jsonArray(reads.map { HTMLText.json(HTMLKey.cell($0)) })])))
                    }
                }
            }
        }
        return HTMLText.jsonObject([("v", HTMLText.jsonObject(values)), ("d", HTMLText.jsonObject(derivations))])
    }

    /// Whether the cells of `ref` read more than `maxOperands` numbers each, or all of them
    /// more than `maxBlockOperands`.
    static func isWide(_ ref: QuantityRef, _ d: StepDerivation, cells: Int) -> Bool {
        guard let e = d.catalogue.expression(of: ref) else { return false }
        let n = d.reads(e, IndexValues(row: 0, col: 0)).count
        return n > maxOperands || n * cells > maxBlockOperands
    }

    /// The derivation lines of one cell, the line computing it last (inputs have none).
    static func lines(_ d: StepDerivation, _ ref: QuantityRef, _ r: Int, _ c: Int, depth L: Int) -> [DerivationLine] {
        let l = ref.layer
        switch ref.quantity {
        case .x, .y, .W, .b: return []
        case .z: return [d.net(l, c, r)].compactMap { $0 }
        case .a:
            var done = Set<String>()
            return d.out(l, c, r, done: &done)
        case .slope: return [d.slope(l, c, r)].compactMap { $0 }
        case .E: return [d.line(ref, r, c)].compactMap { $0 }
        case .loss:
            // The post's way (each output's term, then their sum) while the terms are few.
            let n = d.spec.layers[L], B = d.symbols.batchSize
            if n * B <= 8 {
                let terms = (0..<B).flatMap { s in (0..<n).compactMap { d.errorTerm($0, s) } }
                if let t = d.total() { return terms + [t] }
            }
            return [d.line(ref, r, c)].compactMap { $0 }
        case .cost: return [d.cost()].compactMap { $0 }
        case .delta:
            if l == L { return [d.outputFactor(c, r), d.outputDelta(c, r)].compactMap { $0 } }
            return [d.hiddenDelta(l, c, r)].compactMap { $0 }
        case .err: return [d.hiddenError(l, c, r, perTerm: false)].compactMap { $0 }
        case .gradW: return [d.gradient(l, r, c)].compactMap { $0 }
        case .gradB: return [d.biasGradient(l, c)].compactMap { $0 }
        case .WNew: return [d.update(l, r, c)].compactMap { $0 }
        case .bNew: return [d.biasUpdate(l, c)].compactMap { $0 }
        case .velW, .velB, .sqW, .sqB, .mW, .mB, .vW, .vB, .mHatW, .mHatB, .vHatW, .vHatB:
            return [d.line(ref, r, c, shown: StepDerivation.squares)].compactMap { $0 }
        }
    }
}
