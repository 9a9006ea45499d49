import BPTrace
import Foundation

/// `bptrace compare --format html`: `<name>-compare.html`, one self-contained page (the
/// explorer's Content-Security-Policy: nothing is loaded from anywhere): the runs' loss curves
/// on one chart, a run selector that brings one run's line forward and marks its row, and the
/// table of runs. Written when the last run finishes.
public final class CompareHTMLWriter: TraceSink {
    private let file: OutputFile
    private var table: CompareLossTable
    private let decimals: Int

    public init(file: OutputFile, plan: ComparePlan, decimals: Int) {
        self.file = file; self.decimals = decimals
        table = CompareLossTable(plan: plan)
    }

    public func begin(_ run: TraceRun) throws {}
    public func receive(_ block: TraceBlock) throws { table.receive(block) }
    public func wants(step: Int) -> Bool { true }

    public func finish(_ outcome: TraceOutcome) throws {
        guard table.finish(outcome) else { return }
        try file.write(Self.page(table.results, plan: table.plan, decimals: decimals))
        try file.commit()
    }

    static func page(_ results: [CompareRunResult], plan: ComparePlan, decimals: Int) -> String {
        let e = HTMLText.escape
        let fmt = HandoutNumberFormat(decimals: decimals)
        var chart = CompareLossChart(series: results.map { .init(label: $0.run.label, losses: Array($0.losses.prefix($0.stepsRun)), diverged: $0.diverged) },
                                     steps: plan.steps, title: "Loss per step, \(results.count) runs")
        chart.tagRuns = true
        var svg = chart.render()
        if let i = svg.range(of: "<svg") { svg = String(svg[i.lowerBound...]) }
        let title = "\(plan.base.name): \(results.count) runs compared"
        var h = """
        \(HTMLPage.head(title: title))
        body { font-family: DejaVu Sans, Verdana, Arial, sans-serif; margin: 1.5em; color: #222; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
        td.l, th.l { text-align: left; } tr.on { background: #fff3c4; }
        svg polyline.run { transition: opacity 0.15s; } svg polyline.off { opacity: 0.12; } svg polyline.sel { stroke-width: 3.5; }
        </style>
        </head>
        <body>
        <h1>\(e(title))</h1>
        <p>Every run: \(plan.steps) step\(plan.steps == 1 ? "" : "s"). The loss of a step is the trace's loss at that step (before its update); a diverged run's line ends with ×.</p>
        <p><label for="run">Run: </label><select id="run"><option value="0">all runs</option>
        """
        for r in results { h += "<option value=\"\(r.run.index)\">run \(r.run.index): \(e(r.run.label))</option>" }
        h += "</select></p>\n<div>\(svg)</div>\n<table id=\"runs\"><thead><tr><th>run</th>"
        for a in plan.axes { h += "<th class=\"l\">\(e(a.key))</th>" }
        h += "<th>final loss</th><th>steps run</th><th class=\"l\">diverged</th><th>first step below target</th></tr></thead><tbody>\n"
        for r in results {
            h += "<tr data-run=\"\(r.run.index)\"><td>\(r.run.index)</td>"
            for s in r.run.settings { h += "<td class=\"l\">\(e(s.value))</td>" }
            h += "<td>\(r.finalLoss.map { fmt.plain($0) } ?? "—")</td><td>\(r.stepsRun)</td>"
            h += "<td class=\"l\">\(r.diverged ? "yes, at step \(r.divergedAtStep ?? 0)" : "no")</td>"
            h += "<td>\(plan.target == nil ? "(no --target)" : r.firstStepBelow(plan.target).map(String.init) ?? "never")</td></tr>\n"
        }
        h += """
        </tbody></table>
        <script>
        (function () {
          var sel = document.getElementById('run');
          function show() {
            var n = sel.value;
            document.querySelectorAll('polyline.run').forEach(function (p) {
              var mine = p.getAttribute('data-run') === n;
              p.classList.toggle('off', n !== '0' && !mine);
              p.classList.toggle('sel', mine);
              if (mine) { p.parentNode.appendChild(p); }
            });
            document.querySelectorAll('#runs tbody tr').forEach(function (r) { r.classList.toggle('on', r.getAttribute('data-run') === n); });
          }
          sel.addEventListener('change', show);
        })();
        </script>
        </body>
        </html>

        """
        return h
    }
}
