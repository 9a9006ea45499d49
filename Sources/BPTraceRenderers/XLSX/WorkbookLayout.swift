import BPTrace

/// Where one traced matrix sits on a step sheet: a title line (the tutorial's name and the
/// contract's), its formula, an optional note, a row of column headers, then the data with a
/// row header on the left.
///
/// ```
///  titleRow     hidden_layer_input — z(1)
///  formulaRow   z(1) = x·W(1) + b(1)
///  (noteRow)    tutorial: ...
///  headerRow    sample |  h1  |  h2
///  data         s1     | 0.38 | 0.39
/// ```
struct BlockLayout: Sendable {
    let ref: QuantityRef
    let rows: Int
    let cols: Int
    /// The row-header column; data starts one column to the right.
    let col: Int
    let titleRow: Int
    let formulaRow: Int
    let noteRow: Int?
    let headerRow: Int
    /// Columns the block occupies, text included (at least 1 + cols).
    let width: Int
    let title: String
    let formula: String
    let note: String?
    /// Row-major A1 addresses of the data cells (`B5`), made once.
    let addresses: [String]

    var firstDataRow: Int { headerRow + 1 }
    var firstDataCol: Int { col + 1 }
    var lastDataRow: Int { firstDataRow + rows - 1 }
    var lastDataCol: Int { firstDataCol + cols - 1 }

    func position(_ r: Int, _ c: Int) -> (row: Int, col: Int) { (firstDataRow + r, firstDataCol + c) }
    func address(_ r: Int, _ c: Int) -> String { addresses[r * cols + c] }
    /// The whole data range, `B5:D7` (a single cell when 1 x 1).
    var range: String { rows == 1 && cols == 1 ? address(0, 0) : address(0, 0) + ":" + address(rows - 1, cols - 1) }
    func rowRange(_ r: Int) -> String { cols == 1 ? address(r, 0) : address(r, 0) + ":" + address(r, cols - 1) }
    func columnRange(_ c: Int) -> String { rows == 1 ? address(0, c) : address(0, c) + ":" + address(rows - 1, c) }
    func contains(row: Int, col: Int) -> Bool {
        row >= firstDataRow && row <= lastDataRow && col >= firstDataCol && col <= lastDataCol
    }
}

/// Cells that are no traced quantity but a readable step towards one, where a formula would
/// otherwise need an array expression that not every spreadsheet evaluates: a wide softmax
/// (more than `StepSheetLayout.explicitTerms` outputs) gets each sample's max z, the
/// exponentials e = exp(z − max) and their sum Σe; a cross-entropy loss of more than
/// `explicitTerms` terms gets one term per cell, and so does a hinge loss. They sit just before the block they serve,
/// in the same band, titled and with headers like any block.
struct HelperBlock: Sendable {
    enum Kind: Sendable { case softmax, crossEntropyTerms, hingeTerms }
    let kind: Kind
    /// The traced block computed from these cells (a(L) or the loss).
    let owner: QuantityRef
    /// Its geometry; `ref` is the owner.
    let block: BlockLayout
    /// The block whose column labels the helper's data columns take (a(L) or y).
    let labelSource: QuantityRef

    /// The helpers a spec's step sheet needs, by owner.
    static func kinds(spec: NetworkSpec, batchSize B: Int) -> [QuantityRef: Kind] {
        let L = spec.depth, n = StepSheetLayout.explicitTerms
        var out: [QuantityRef: Kind] = [:]
        if spec.activations[L - 1] == .softmax && spec.layers[L] > n { out[QuantityRef(.a, L)] = .softmax }
        if spec.loss == .crossEntropy && B * spec.layers[L] > n { out[QuantityRef(.loss, L)] = .crossEntropyTerms }
        if spec.loss == .hinge && B * spec.layers[L] > n { out[QuantityRef(.loss, L)] = .hingeTerms }
        return out
    }

    static func shape(_ kind: Kind, spec: NetworkSpec, batchSize B: Int) -> (Int, Int) {
        switch kind {
        case .softmax: return (B, spec.layers[spec.depth] + 2)   // max, e_1 … e_n, Σe
        case .crossEntropyTerms, .hingeTerms: return (B, spec.layers[spec.depth])
        }
    }

    /// The title, and the formula line printed from the catalogue's named steps.
    static func text(_ kind: Kind, spec: NetworkSpec) -> (title: String, formula: String) {
        let L = spec.depth
        let catalogue = Catalogue(spec: spec)
        switch kind {
        case .softmax:
            return ("softmax helper for a(\(L)): max, e, Σe", catalogue.stepwiseFormula(of: QuantityRef(.a, L)) ?? "")
        case .crossEntropyTerms:
            return ("cross-entropy terms for the loss", catalogue.stepwiseFormula(of: QuantityRef(.loss, L)) ?? "")
        case .hingeTerms:
            return ("hinge terms for the loss", catalogue.stepwiseFormula(of: QuantityRef(.loss, L)) ?? "")
        }
    }
}

/// A horizontal band of blocks under a heading bar: the blocks of one or two consecutive
/// stages of the tutorial (3–4 and 9–10 per hidden layer, 7–8 together).
struct Band: Sendable {
    let heading: String
    let row: Int
    let firstCol: Int
    let width: Int
    let blocks: [QuantityRef]
}

/// The layout shared by every step sheet and walkthrough sheet of a run: blocks in the
/// tutorial's order, banded by stage, left to right within a band. It depends only on the spec
/// (shapes) and the display width, so it is made once per workbook.
struct StepSheetLayout: Sendable {
    /// Rows above the first band (title, navigation, explanation); frozen.
    static let headerRows = 3
    /// Sums with at most this many terms are written out (`=B3*G3+C3*G4+H3`), longer ones
    /// use SUMPRODUCT / MMULT / SUM / SUMXMY2 over plain ranges, or helper cells where the
    /// terms are not cells yet (softmax, cross-entropy; see `HelperBlock`).
    static let explicitTerms = 12
    /// Columns of width 1 that a character of a block's title, formula line and note takes
    /// (bold 10 pt, italic 10 pt, italic 9 pt Arial), to keep a block's text over its own columns.
    static let titleCharWidth = 0.85, formulaCharWidth = 0.75, noteCharWidth = 0.68

    let spec: NetworkSpec
    let batchSize: Int
    let columnWidth: Double
    let bands: [Band]
    let blocks: [QuantityRef: BlockLayout]
    /// Helper cells, by the block they serve (see `HelperBlock`).
    let helpers: [QuantityRef: HelperBlock]
    /// Every block in trace order (`Catalogue.stepQuantities`).
    let order: [QuantityRef]
    let lastRow: Int
    let lastCol: Int

    /// - Throws: `OutputError` when the network's step sheet would not fit Excel's grid.
    init(spec: NetworkSpec, decimals: Int) throws {
        self.spec = spec
        let catalogue = Catalogue(spec: spec)
        let L = spec.depth
        let B: Int
        switch spec.batch {
        case .full: B = spec.data.count
        case .sample: B = 1
        case .size(let k): B = k
        }
        batchSize = B
        columnWidth = decimals <= 3 ? 10 : Double(decimals + 7)
        order = catalogue.stepQuantities

        func shape(_ ref: QuantityRef) -> (Int, Int) { catalogue.shape(of: ref, batchSize: B) }

        // Group the trace order into bands.
        func bandKey(_ ref: QuantityRef) -> String {
            switch catalogue.stage(of: ref) {
            case .hiddenInput, .hiddenActivation: return "3-4/\(ref.layer)"
            case .slopes, .outputDelta: return "7-8"
            case .hiddenError, .hiddenDelta: return "9-10/\(ref.layer)"
            case let s: return "\(s.rawValue)"
            }
        }
        var groups: [[QuantityRef]] = []
        var lastKey: String? = nil
        for ref in order {
            let key = bandKey(ref)
            if key == lastKey { groups[groups.count - 1].append(ref) } else { groups.append([ref]); lastKey = key }
        }

        // First the positions, checked against Excel's grid; then the cell addresses.
        struct Placed { let ref: QuantityRef; let helper: HelperBlock.Kind?; let rows, cols, col, titleRow, headerRow, width: Int; let hasNote: Bool; let text: (String, String, String?) }
        let helperKinds = HelperBlock.kinds(spec: spec, batchSize: B)
        var placed: [Placed] = []
        var bands: [Band] = []
        var row = StepSheetLayout.headerRows + 1
        var maxCol = 1
        let width = columnWidth
        for group in groups {
            let stages = Array(Set(group.map { catalogue.stage(of: $0) })).sorted()
            let heading = StepSheetLayout.bandHeading(stages: stages, refs: group, depth: L)
            let texts = group.map { ref in (StepSheetLayout.title(ref, catalogue), catalogue.formula(of: ref), StepSheetLayout.note(ref, spec: spec, catalogue: catalogue)) }
            let hasNote = texts.contains { $0.2 != nil }
            let titleRow = row + 1
            let headerRow = titleRow + (hasNote ? 3 : 2)
            var col = 1
            var tallest = 0
            // A helper goes just before the block it serves.
            var items: [(ref: QuantityRef, helper: HelperBlock.Kind?, text: (String, String, String?))] = []
            for (ref, text) in zip(group, texts) {
                if let kind = helperKinds[ref] {
                    let t = HelperBlock.text(kind, spec: spec)
                    items.append((ref, kind, (t.title, t.formula, nil)))
                }
                items.append((ref, nil, text))
            }
            for (ref, helper, text) in items {
                let (r, c) = helper.map { HelperBlock.shape($0, spec: spec, batchSize: B) } ?? shape(ref)
                let textColumns = max(Double(text.0.count) * StepSheetLayout.titleCharWidth, Double(text.1.count) * StepSheetLayout.formulaCharWidth,
                                      Double(text.2?.count ?? 0) * StepSheetLayout.noteCharWidth) / width
                let w = max(1 + c, Int(textColumns.rounded(.up)))
                guard col + w < XLSXWorkbook.maxColumns else {
                    throw OutputError(.cannotCreate, "the network is too wide for a worksheet: the blocks of stage \(heading) need more than Excel's 16,384 columns; write it as CSV (--format csv)")
                }
                placed.append(Placed(ref: ref, helper: helper, rows: r, cols: c, col: col, titleRow: titleRow, headerRow: headerRow, width: w, hasNote: hasNote, text: text))
                tallest = max(tallest, r)
                col += w + 1
            }
            bands.append(Band(heading: heading, row: row, firstCol: 1, width: col - 2, blocks: group))
            maxCol = max(maxCol, col - 2)
            row = headerRow + 1 + tallest + 1
            guard row < XLSXWorkbook.maxRows else {
                throw OutputError(.cannotCreate, "the batch is too large for a worksheet: a step sheet would need more than Excel's 1,048,576 rows; use a smaller batch or write CSV (--format csv)")
            }
        }
        var blocks: [QuantityRef: BlockLayout] = [:]
        var helpers: [QuantityRef: HelperBlock] = [:]
        for p in placed {
            var addresses: [String] = []
            addresses.reserveCapacity(p.rows * p.cols)
            let columns = (0..<p.cols).map { A1.column(p.col + 1 + $0) }
            for i in 0..<p.rows {
                let number = String(p.headerRow + 2 + i)
                for j in 0..<p.cols { addresses.append(columns[j] + number) }
            }
            let block = BlockLayout(ref: p.ref, rows: p.rows, cols: p.cols, col: p.col, titleRow: p.titleRow, formulaRow: p.titleRow + 1,
                                    noteRow: p.hasNote ? p.titleRow + 2 : nil, headerRow: p.headerRow, width: p.width,
                                    title: p.text.0, formula: p.text.1, note: p.text.2, addresses: addresses)
            if let kind = p.helper {
                helpers[p.ref] = HelperBlock(kind: kind, owner: p.ref, block: block,
                                             labelSource: kind == .softmax ? p.ref : QuantityRef(.y, L))
            } else {
                blocks[p.ref] = block
            }
        }
        self.blocks = blocks
        self.helpers = helpers
        self.bands = bands
        lastRow = row - 2
        lastCol = maxCol
    }

    subscript(_ ref: QuantityRef) -> BlockLayout { blocks[ref]! }

    /// `hidden_layer_input — z(1)`: the tutorial's name, then the contract's.
    static func title(_ ref: QuantityRef, _ catalogue: Catalogue) -> String {
        "\(catalogue.tutorialName(of: ref)) — \(ref)"
    }

    static func bandHeading(stages: [Stage], refs: [QuantityRef], depth L: Int) -> String {
        let names = stages.map { "\($0.rawValue) \($0.title)" }.joined(separator: " · ")
        let layers = Set(refs.map(\.layer))
        if layers.count == 1, let l = layers.first, (stages.contains(.hiddenInput) || stages.contains(.hiddenError)), L > 2 {
            return names + " — layer \(l)"
        }
        return names
    }

    /// Where the tutorial's sign or naming differs from the contract's values shown, said
    /// next to the block. The tutorial's code uses half_sse with E = y - output and adds
    /// lr·(...) in its updates, so its d_output, error at hidden and d_hiddenlayer are the
    /// negatives of delta(L), err and delta; its updated weights are the same numbers.
    static func note(_ ref: QuantityRef, spec: NetworkSpec, catalogue: Catalogue) -> String? {
        let L = spec.depth
        let halfSSE = spec.loss == .halfSSE && spec.activations[L - 1] != .softmax
        var parts: [String] = []
        switch ref.quantity {
        case .delta where halfSSE:
            let name = catalogue.tutorialName(of: ref)
            parts.append(ref.layer == L ? "tutorial: \(name) = E·slope = −delta" : "tutorial: \(name) = −delta")
        case .err:
            if halfSSE { parts.append("tutorial: \(catalogue.tutorialName(of: ref)) = −err") }
            if spec.update == .immediate { parts.append("uses W_new (update: immediate)") }
        case .WNew where halfSSE && spec.optimizer.isSGD:   // the tutorial updates by plain SGD
            let l = ref.layer
            let prev = l == 1 ? "X" : catalogue.tutorialName(of: QuantityRef(.a, l - 1))
            parts.append("tutorial: \(catalogue.tutorialName(of: QuantityRef(.W, l))) += \(prev)ᵀ·\(catalogue.tutorialName(of: QuantityRef(.delta, l)))·lr (same values)")
        case .bNew where halfSSE && spec.updateBiases && spec.optimizer.isSGD:
            let l = ref.layer
            parts.append("tutorial: \(catalogue.tutorialName(of: QuantityRef(.b, l))) += Σ \(catalogue.tutorialName(of: QuantityRef(.delta, l)))·lr (same values)")
        case .loss where spec.loss == .crossEntropy:
            parts.append(spec.activations[L - 1] == .softmax
                         ? "terms with y = 0 count 0 (0·ln 0 = 0): that is what IF(y=0,0,…) does"
                         : "terms whose factor is 0 count 0 (0·ln 0 = 0): that is what IF(y=0,0,…) and IF(y=1,0,…) do")
        default: break
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
