import Foundation
import Testing

/// `bptrace compare`: the grid, the CSVs (read by pandas), a diverging run, refusals before
/// anything is written, an independent implementation's traces, the handout and determinism.
@Suite("bptrace compare")
struct CompareCLITests {
    func python(_ code: String, _ args: [String], in dir: String) throws -> CLI.Result {
        try Subprocess.run("python3", ["-c", code] + args, in: dir)
    }

    @Test("a grid of two keys gives the product of runs with the right settings, one pandas frame with a run column")
    func grid() throws {
        let dir = try CLI.scratch("cmp-grid")
        let r = try CLI.run(["compare", "--steps", "3", "--vary", "optimizer=sgd,adam", "--vary", "learning_rate=0.1,0.5,0.9", "--format", "csv", "--target", "0.25"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let check = """
        import pandas as pd, sys
        runs = pd.read_csv('mazur-2015-compare-runs.csv')
        trace = pd.read_csv('mazur-2015-compare.csv')
        assert list(runs.columns) == ['run','optimizer','learning_rate','final_loss','steps_run','diverged','diverged_at_step','first_step_below_target'], list(runs.columns)
        assert list(runs['optimizer']) == ['sgd']*3 + ['adam']*3
        assert list(runs['learning_rate']) == [0.1,0.5,0.9]*2
        assert list(trace.columns[:2]) == ['run','step']
        assert sorted(trace['run'].unique()) == [1,2,3,4,5,6]
        for i in range(1, 7):
            loss = trace[(trace.run == i) & (trace.quantity == 'loss')].sort_values('step')['value'].tolist()
            assert len(loss) == 3 and loss[-1] == runs.loc[i-1, 'final_loss'], (i, loss)
        # sgd runs differ only by the rate: same loss at step 1, different at step 2
        l1 = trace[(trace.quantity == 'loss') & (trace.step == 1)]['value'].tolist()
        assert len(set(l1)) == 1
        print('ok')
        """
        let p = try python(check, [], in: dir)
        #expect(p.status == 0 && p.stdout.contains("ok"), "\(p.stdout)\(p.stderr)")
    }

    @Test("a sweep whose largest rate diverges keeps the other runs and marks that one")
    func divergence() throws {
        let dir = try CLI.scratch("cmp-div")
        let r = try CLI.run(["compare", "--preset", "tanh-relu-softmax", "--steps", "6", "--vary", "learning_rate=0.1,0.5,1e300", "--format", "csv,md"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("run 3 (learning_rate=1e300) diverged"))
        let runs = try String(contentsOfFile: dir + "/tanh-relu-softmax-compare-runs.csv", encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 4)
        #expect(runs[1].hasSuffix(",6,false,,"))
        #expect(runs[2].hasSuffix(",6,false,,"))
        #expect(runs[3].hasPrefix("3,1e300,") && runs[3].hasSuffix(",1,true,2,"), "\(runs[3])")
        let md = try String(contentsOfFile: dir + "/tanh-relu-softmax-compare.md", encoding: .utf8)
        #expect(md.contains("yes, at step 2"))
        let svg = try String(contentsOfFile: dir + "/tanh-relu-softmax-compare-figures/compare-loss.svg", encoding: .utf8)
        #expect(svg.contains("run 3: learning_rate=1e300 (diverged ×)"))
    }

    @Test("invalid --vary options are refused before anything is written", arguments: [
        (["--vary", "learning_rate=0.1,-1"], 65, "--vary learning_rate=-1: learning_rate: expected a number > 0"),
        (["--vary", "learning_rat=0.1"], 64, "did you mean \"learning_rate\""),
        (["--vary", "learning_rate=0.1", "--vary", "learning_rate=0.2"], 64, "given twice"),
        (["--vary", "learning_rate="], 64, "empty"),
        (["--vary", "optimizer=sgd,adma"], 65, "--vary optimizer=adma"),
        (["--vary", "optimizer.beta1=0.8"], 65, "has no hyper-parameter \"beta1\""),
        (["--vary", "init.seed=1,2"], 65, "changes nothing"),
        (["--vary", "learning_rate=1,2,3,4,5,6,7,8,9", "--vary", "l2=1,2,3,4,5,6,7,8"], 64, "asks for 72 runs"),
        (["--vary", "batch=full,0"], 65, "--vary batch=0"),
    ] as [([String], Int32, String)])
    func refused(args: [String], status: Int32, message: String) throws {
        let dir = try CLI.scratch("cmp-bad")
        let r = try CLI.run(["compare", "--steps", "2", "--format", "csv,md", "--out", "out"] + args, in: dir)
        #expect(r.status == status, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test("--vary optimizer=sgd,momentum,adam: each run's trace equals the independent implementation's to 1e-9")
    func independent() throws {
        let dir = try CLI.scratch("cmp-indep")
        let spec = """
        {"name": "hidden", "layers": [3, 4, 2], "activations": ["tanh", "sigmoid"], "learning_rate": 0.3, "batch": 2,
         "weights": [[[0.2, -0.5, 0.1, 0.7], [-0.3, 0.4, 0.6, -0.1], [0.5, 0.05, -0.45, 0.3]], [[0.3, -0.2], [-0.6, 0.5], [0.25, 0.1], [-0.15, 0.4]]],
         "biases": [[0.1, -0.2, 0.05, 0.3], [-0.1, 0.2]],
         "data": {"inputs": [[0.1, -0.4, 0.9], [0.7, 0.2, -0.3], [-0.5, 0.8, 0.05]], "targets": [[1, 0], [0, 1], [0.3, 0.6]]}}
        """
        try spec.write(toFile: dir + "/hidden.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["compare", "--spec", "hidden.json", "--steps", "5", "--vary", "optimizer=sgd,momentum,adam", "--format", "csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let check = """
        import csv, json, sys
        sys.path.insert(0, sys.argv[1] + '/scripts')
        from independent_mlp import run
        base = json.load(open('hidden.json'))
        got = {}
        for row in csv.DictReader(open('hidden-compare.csv')):
            got[(int(row['run']), int(row['step']), int(row['layer']), row['quantity'], int(row['row']), int(row['col']))] = float(row['value'])
        n = 0
        for i, opt in enumerate(['sgd', 'momentum', 'adam'], start=1):
            spec = dict(base, optimizer=opt)
            for s, blocks in enumerate(run(spec, 5), start=1):
                for (l, q), m in blocks.items():
                    for r, vals in enumerate(m, start=1):
                        for c, v in enumerate(vals, start=1):
                            g = got[(i, s, l, q, r, c)]
                            assert abs(g - v) <= 1e-9 * max(1, abs(v)), (i, s, l, q, r, c, g, v)
                            n += 1
        print('ok', n)
        """
        let p = try python(check, [CLI.repoRoot], in: dir)
        #expect(p.status == 0 && p.stdout.hasPrefix("ok"), "\(p.stdout)\(p.stderr)")
    }

    @Test("the handout renders with pandoc; the same command twice writes the same bytes")
    func handoutAndDeterminism() throws {
        let dir = try CLI.scratch("cmp-md")
        let args = ["compare", "--steps", "20", "--vary", "optimizer=sgd,momentum,adam", "--format", "csv,md"]
        #expect(try CLI.run(args + ["--out", "a"], in: dir).status == 0)
        #expect(try CLI.run(args + ["--out", "b"], in: dir).status == 0)
        for f in ["mazur-2015-compare.csv", "mazur-2015-compare-runs.csv", "mazur-2015-compare.md", "mazur-2015-compare-figures/compare-loss.svg"] {
            let a = FileManager.default.contents(atPath: "\(dir)/a/\(f)"), b = FileManager.default.contents(atPath: "\(dir)/b/\(f)")
            #expect(a != nil && a == b, "\(f) differs")
        }
        let md = try String(contentsOfFile: dir + "/a/mazur-2015-compare.md", encoding: .utf8)
        #expect(md.contains("Every run's gradient of this weight is the same"))
        #expect(md.contains("## Step 1: one weight, every setting"))
        // The side-by-side table's gradient and new weights are the trace's (6 decimals).
        let csv = try String(contentsOfFile: dir + "/a/mazur-2015-compare.csv", encoding: .utf8).split(separator: "\n")
        func traced(_ run: Int, _ q: String) -> String {
            let row = csv.first { $0.hasPrefix("\(run),1,2,\(q),1,1,") }!.split(separator: ",")
            var t = String(format: "%.6f", Double(row[6])!)
            while t.hasSuffix("0") { t.removeLast() }
            return t.hasSuffix(".") ? String(t.dropLast()) : t
        }
        for (run, name) in [(1, "sgd"), (2, "momentum"), (3, "adam")] {
            #expect(md.contains("| \(run) | optimizer=\(name) | 0.4 | \(traced(run, "grad_W")) | \(traced(run, "W_new")) |"), "run \(run)")
        }
        let p = try Subprocess.run("/usr/bin/pandoc", ["mazur-2015-compare.md", "--mathml", "-o", "x.html"], in: dir + "/a")
        #expect(p.status == 0 && p.stderr.isEmpty, "\(p.stderr)")
    }

    @Test("an existing output is kept without --force (exit 73, nothing else written) and replaced with it")
    func existing() throws {
        let dir = try CLI.scratch("cmp-exists")
        try "mine\n".write(toFile: dir + "/mazur-2015-compare-runs.csv", atomically: true, encoding: .utf8)
        let args = ["compare", "--steps", "2", "--vary", "learning_rate=0.1,0.2", "--format", "csv,md"]
        let r = try CLI.run(args, in: dir)
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("mazur-2015-compare-runs.csv exists; add --force"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["mazur-2015-compare-runs.csv"])
        #expect(try CLI.run(args + ["--force"], in: dir).status == 0)
        #expect(try String(contentsOfFile: dir + "/mazur-2015-compare-runs.csv", encoding: .utf8).hasPrefix("run,learning_rate,final_loss"))
    }

    @Test("--format html: one self-contained page with the loss curves, a run selector and the table")
    func html() throws {
        let dir = try CLI.scratch("cmp-html")
        let r = try CLI.run(["compare", "--steps", "10", "--vary", "learning_rate=0.1,0.5,2", "--format", "html"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOfFile: dir + "/mazur-2015-compare.html", encoding: .utf8)
        #expect(page.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(page.components(separatedBy: "<polyline class=\"run\" data-run=").count - 1 == 3)
        #expect(page.contains("<option value=\"3\">run 3: learning_rate=2</option>"))
        #expect(page.components(separatedBy: "<tr data-run=").count - 1 == 3)
        #expect(!page.contains("src=") && !page.contains("href="))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["mazur-2015-compare.html"])
    }
}
