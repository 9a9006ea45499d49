import BPTrace
import Foundation

/// The explorer page's skeleton: head (Content-Security-Policy, styles), the controls, the
/// diagram and loss curve, the derivation panel, the step's tables (built by the script from
/// the data), the settings and conventions, then the data as JSON and the script.
struct HTMLPage {
    let spec: NetworkSpec
    let names: NetworkNames
    let fmt: HTMLNumberFormat
    let limit: Int
    /// Whether the size budget, not --html-steps, ended the explorable steps.
    let budgetStop: Bool
    let completed: Int
    let stoppedBy: NonFiniteValue?
    let order: [QuantityRef]
    let stages: [QuantityRef: Stage]
    let explorable: [Int]
    /// Each block's general formula (an index of the page's MathML strings).
    let general: [QuantityRef: Int]

    /// No remote loads of any kind: only the page's own inline style and script, pictures only
    /// as data: URLs (there are none), no forms, no base URL, no connections.
    /// A page's opening up to its `<style>` tag: doctype, charset, the content security policy,
    /// viewport, no referrer and the escaped title (the explorer's and compare's pages).
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(HTMLText.escape(title))</title>
        <style>
        """
    }

    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

    var L: Int { spec.depth }

    func write(to file: OutputFile, diagram: String, curve: (svg: String, marks: [String: (Double, Double)]),
               steps: [(step: Int, json: String)], strings: [String], cells: [(String, String)]) throws {
        let title = "\(spec.name) — bptrace explorer"
        let last = explorable.last ?? 0
        try file.write("""
        \(HTMLPage.head(title: title))
        \(HTMLStyle.css)
        </style>
        </head>
        <body>
        <header>
        <h1><span class="specname">\(HTMLText.escape(spec.name))</span> <small>backpropagation, step by step</small></h1>
        <nav id="controls" aria-label="Step and stage">
        <div class="ctl"><button type="button" id="prev" aria-label="Previous step (left arrow)">◀</button>
        <label for="step">Step</label> <input type="range" id="step" min="1" max="\(max(1, explorable.count))" value="1" aria-describedby="steplabel">
        <output id="steplabel" for="step"><b id="stepno">\(explorable.first ?? 0)</b> of \(last)</output>
        <button type="button" id="next" aria-label="Next step (right arrow)">▶</button></div>
        <div class="ctl"><button type="button" id="stageprev" aria-label="Previous stage ([)">◀</button>
        <label for="stage">Stage</label> <select id="stage">
        <option value="0">all 12 stages</option>
        \(Stage.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue). \($0.title)</option>" }.joined(separator: "\n"))
        </select>
        <button type="button" id="stagenext" aria-label="Next stage (])">▶</button></div>
        \(sampleControl)
        <p id="status" aria-live="polite">\(HTMLText.escape(statusLine))</p>
        </nav>
        </header>
        <main>
        <div class="leftcol">
        <section id="picture" aria-labelledby="pictureh">
        <h2 id="pictureh">The network at the start of step <span class="stepno">\(explorable.first ?? 0)</span></h2>
        <div class="scroll">
        \(diagram)
        </div>
        <p class="note">\(HTMLText.escape(diagramNote))</p>
        <p class="legend"><span class="key computed">computed in this stage</span> <span class="key input">its inputs</span> <span class="key selected">clicked number</span> <span class="key operand">the numbers it is computed from</span></p>
        </section>
        <section id="blocks" aria-labelledby="blocksh">
        <h2 id="blocksh">Every number of step <span class="stepno">\(explorable.first ?? 0)</span>, stage by stage</h2>
        <div id="tables"><noscript><p>The tables, the step control and the derivations need JavaScript (inline, nothing is loaded); the picture shows step \(explorable.first ?? 0). The CSV trace (--format csv) has every number.</p></noscript></div>
        </section>
        </div>
        <aside class="rightcol">
        <section id="derivation" tabindex="-1" aria-live="polite" aria-labelledby="derivationh">
        <h2 id="derivationh">How a number was computed</h2>
        <p class="hint">Click any number (or Tab to it and press Enter) to see its name, its formula, the formula with the numbers put in, and the result.</p>
        </section>
        <section id="loss" aria-labelledby="lossh">
        <h2 id="lossh">The \(spec.l2 > 0 ? "cost" : "loss") of each step</h2>
        \(curve.svg)
        <p class="note">\(HTMLText.escape(lossNote))</p>
        </section>
        <section id="settings" aria-labelledby="settingsh">
        <h2 id="settingsh">Settings</h2>
        <dl class="settings">
        \(settings.map { "<dt>\(HTMLText.escape($0.0))</dt><dd>\(HTMLText.escape($0.1))</dd>" }.joined(separator: "\n"))
        </dl>
        <h3>Conventions</h3>
        <ul>
        \(conventions.map { "<li>\(HTMLText.escape($0))</li>" }.joined(separator: "\n"))
        </ul>
        <h3>Keys</h3>
        <p>← and → step back and forth; [ and ] walk the stages; Tab moves between numbers, Enter shows how one was computed.</p>
        </section>
        </aside>
        </main>
        <footer><p>Written by bptrace. Every number is the trace's value at \(fmt.decimals) decimal\(fmt.decimals == 1 ? "" : "s"); the page computes nothing.</p></footer>
        <script type="application/json" id="data">
        """)
        try file.write(dataHead(marks: curve.marks))
        try file.write(",\"m\":" + HTMLText.jsonArray(strings.map(HTMLText.json)))
        try file.write(",\"c\":" + HTMLText.jsonObject(cells))
        try file.write(",\"s\":[")
        for (i, s) in steps.enumerated() {
            try file.write((i == 0 ? "" : ",\n") + s.json)
        }
        try file.write("]}\n</script>\n<script>\n" + HTMLScript.js + "\n</script>\n</body>\n</html>\n")
    }

    /// A sample control for the diagram when a step trains on several samples.
    var sampleControl: String {
        let B = spec.batch.indices(step: 1, count: spec.data.count).count
        guard B > 1, NetworkDiagram.labelsEdges(spec) else { return "" }
        return "<div class=\"ctl\"><label for=\"sample\">Sample</label> <select id=\"sample\">"
            + (1...B).map { "<option value=\"\($0)\">\($0) of \(B)</option>" }.joined() + "</select></div>"
    }

    var statusLine: String { "Step \(explorable.first ?? 0) of \(completed)" }

    var diagramNote: String {
        guard NetworkDiagram.labelsEdges(spec) else {
            return "This network is too big to label: its numbers are in the tables below."
        }
        let batch = spec.batch.indices(step: 1, count: spec.data.count).count > 1 ? " Inputs, targets, net, out and δ are those of the sample chosen above (its place in the step's batch)." : ""
        return "Weights and biases at the start of the step; net = net input z, out = activation a, δ = delta (∂E/∂net); in stages 11 and 12 each weight and bias shows → its value after the update.\(batch)"
    }

    var lossNote: String {
        var s = "The \(spec.l2 > 0 ? "cost" : "loss") of each step's batch, before its update; the marker is the current step."
        if completed > limit {
            let why = budgetStop ? "the page's data reached about \(HTMLExplorerWriter.byteBudget / 1_000_000) MB there" : "--html-steps \(limit)"
            s += " Steps 1–\(limit) can be explored (\(why)); steps \(limit + 1)–\(completed) are in this curve only (every step is in the CSV trace)."
        }
        if let bad = stoppedBy {
            s += " Training stopped at step \(bad.step): \(bad.quantity.rawValue) of layer \(bad.layer) (row \(bad.row), column \(bad.col)) is not a finite number."
        }
        return s
    }

    var settings: [(String, String)] {
        var out: [(String, String)] = [
            ("layers", spec.layers.map(String.init).joined(separator: "-")),
            ("activations", spec.activations.map(\.rawValue).joined(separator: ", ")),
            ("loss", spec.loss.rawValue),
            ("learning rate η", "\(spec.learningRate)"),
            ("batch", "\(spec.batch)"),
            ("biases", spec.bias ? (spec.updateBiases ? "trained" : "fixed") : "none"),
            ("update order", spec.update.rawValue),
            ("optimizer", spec.optimizer.isSGD ? "sgd" : optimizerText),
        ]
        if spec.l2 > 0 { out.append(("L2 λ", "\(spec.l2)")) }
        out.append(("samples", "\(spec.data.count)"))
        out.append(("steps", completed > limit ? "\(completed) (the first \(limit) explorable)" : "\(completed)"))
        if !spec.data.inputNames.isEmpty { out.append(("input columns", spec.data.inputNames.joined(separator: ", "))) }
        if !spec.data.targetNames.isEmpty { out.append(("target columns", spec.data.targetNames.joined(separator: ", "))) }
        return out
    }

    var optimizerText: String {
        switch spec.optimizer {
        case .sgd: return "sgd"
        case .momentum(let mu): return "momentum (μ = \(mu))"
        case .nesterov(let mu): return "nesterov (μ = \(mu))"
        case .rmsprop(let rho, let eps): return "rmsprop (ρ = \(rho), ε = \(eps))"
        case .adam(let b1, let b2, let eps): return "adam (β1 = \(b1), β2 = \(b2), ε = \(eps))"
        case .adamw(let b1, let b2, let eps, let wd, let db): return "adamw (β1 = \(b1), β2 = \(b2), ε = \(eps), weight decay = \(wd)\(db ? ", biases decayed" : ""))"
        }
    }

    var conventions: [String] {
        var out = [
            "Values follow bptrace's contract: E = y − a, delta = dL/dz, grad_W = dL/dW, " + (spec.optimizer.isSGD ? "W_new = W − η·grad_W." : "W_new by the optimizer (its state blocks are in stages 11 and 12)."),
            "W has a row per source neuron and a column per target neuron; batch quantities have a row per sample of the step's batch. Rows and columns count from 1, as in the CSV trace.",
            "Numbers show \(fmt.decimals) decimal\(fmt.decimals == 1 ? "" : "s") (--decimals); the trace keeps full precision and the page computes nothing: every number and every formula was written by bptrace from the same trace and formula catalogue as the CSV, the workbook and the handout.",
        ]
        if !spec.optimizer.isSGD {
            out.append("Optimizer \(spec.optimizer.name): a state's previous value (t−1) is the state traced by the step before; before step 1 every state is 0. t is the step number.")
        }
        return out
    }

    /// The data's head: steps, blocks (key, stage, inputs, headers), names, loss marks.
    func dataHead(marks: [String: (Double, Double)]) -> String {
        let catalogue = Catalogue(spec: spec)
        let B = spec.batch.indices(step: 1, count: spec.data.count).count
        let blocks = order.map { ref -> String in
            let inputs = catalogue.operands(of: ref).filter { stages[$0] != nil }.map { HTMLText.json(HTMLKey.block($0)) }
            let (rh, ch) = headers(ref, batch: B)
            return HTMLText.jsonObject([
                ("k", HTMLText.json(HTMLKey.block(ref))),
                ("q", HTMLText.json(ref.quantity.rawValue)),
                ("l", String(ref.layer)),
                ("st", String(stages[ref]?.rawValue ?? 0)),
                ("t", HTMLText.json(catalogue.tutorialName(of: ref))),
                ("in", HTMLText.jsonArray(inputs)),
                ("f", general[ref].map(String.init) ?? "-1"),
                ("rh", HTMLText.jsonArray(rh.map(HTMLText.json))),
                ("ch", HTMLText.jsonArray(ch.map(HTMLText.json))),
            ])
        }
        let stageTitles = Stage.allCases.map { HTMLText.json($0.title) }
        let markList = explorable.map { s -> String in
            guard let m = marks[String(s)] else { return "null" }
            return "[\(SVGDocument.n(m.0)),\(SVGDocument.n(m.1))]"
        }
        return "{" + [
            "\"steps\":" + HTMLText.jsonArray(explorable.map(String.init)),
            "\"blocks\":" + HTMLText.jsonArray(blocks),
            "\"stages\":" + HTMLText.jsonArray(stageTitles),
            "\"marks\":" + HTMLText.jsonArray(markList),
            "\"completed\":\(completed)",
        ].joined(separator: ",")
    }

    /// Row and column headers of a block: neuron names, samples, or source → target for W.
    func headers(_ ref: QuantityRef, batch B: Int) -> ([String], [String]) {
        let l = ref.layer
        func neurons(_ layer: Int) -> [String] { (0..<spec.layers[layer]).map { names.neuron(layer: layer, $0).plain } }
        switch ref.quantity {
        case .W, .gradW, .WNew: return (neurons(l - 1), neurons(l))
        case .loss, .cost: return ([""], [ref.quantity.rawValue])
        case .b, .gradB, .bNew: return ([""], neurons(l))
        default:
            if let w = ref.quantity.optimizerStateOfWeights { return w ? (neurons(l - 1), neurons(l)) : ([""], neurons(l)) }
            return ((0..<B).map { "sample \($0 + 1)" }, neurons(l))
        }
    }
}
