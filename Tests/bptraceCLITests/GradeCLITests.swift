import Foundation
import Testing

/// `bptrace check --spec S --trace T`: grading a student's trace, end to end through the binary.
/// The traces in Tests/StudentTraces were written by scripts/student_traces.py, a plain-Python
/// implementation apart from the engine (clean, with one bug, two bugs, a slip); manifest.csv
/// says what each must give.
@Suite struct GradeCLITests {
    static let dir = "Tests/StudentTraces"

    struct Case { let file, spec, kind, style, expectedQuantity: String; let decimals: Int }

    static func manifest() throws -> [Case] {
        let text = try String(contentsOfFile: CLI.repoRoot + "/\(dir)/manifest.csv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Case(file: f[0], spec: f[1], kind: f[2], style: f[4], expectedQuantity: f[5], decimals: Int(f[3]) ?? 0)
        }
    }

    static func json(_ r: CLI.Result) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        return try #require(obj as? [String: Any], "not a JSON object: \(r.stdout.prefix(300)) \(r.stderr)")
    }

    static func grade(_ spec: String, _ trace: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["check", "--spec", "\(dir)/\(spec).json", "--trace", "\(dir)/\(trace)", "--format", "json"] + extra)
    }

    @Test func cleanTracesPassInBothModes() throws {
        let clean = try Self.manifest().filter { $0.kind == "clean" }
        #expect(clean.count == 24)   // 4 networks (1 and 2 hidden layers, batch 1 and several) x D 4/6/9 x 2 rounding styles
        for c in clean {
            for mode in [[], ["--no-reanchor"]] {
                let r = try Self.grade(c.spec, c.file, mode)
                let d = try Self.json(r)
                #expect(r.status == 0, "\(c.file) \(mode): \(r.stdout.suffix(400)) \(r.stderr)")
                #expect(d["failed"] as? Int == 0 && (d["passed"] as? Int ?? 0) > 50, "\(c.file) \(mode)")
                #expect((d["root_causes"] as? [Any])?.isEmpty == true)
                #expect(d["anchor"] as? String == (mode.isEmpty ? "student" : "engine"))
            }
        }
    }

    @Test func everyBugIsFoundAtItsFirstCellAndNamed() throws {
        let bugs = try Self.manifest().filter { $0.kind != "clean" }
        #expect(Set(bugs.map(\.kind)).count == 11)
        for c in bugs {
            let r = try Self.grade(c.spec, c.file, ["--explain"])
            let d = try Self.json(r)
            #expect(r.status == 1, "\(c.file): exit \(r.status) \(r.stderr)")
            let roots = try #require(d["root_causes"] as? [[String: Any]], "\(c.file)")
            let first = try #require(roots.first, "\(c.file): no root cause")
            #expect(first["step"] as? Int == 1, "\(c.file)")
            #expect(first["quantity"] as? String == c.expectedQuantity, "\(c.file): first root cause \(first["cell"] ?? "")")
            let by = first["explained_by"] as? [String] ?? []
            #expect(by.contains(c.kind), "\(c.file): explained by \(by)")
            let explains = first["explains"] as? [String: Any]
            #expect((explains?[c.kind] as? Int ?? 0) >= 1, "\(c.file)")
        }
    }

    @Test func aSlipInStepOneLeavesStepTwoClean() throws {
        let r = try Self.grade("mazur-2015", "slip.csv")
        let d = try Self.json(r)
        #expect(r.status == 1)
        let values = try #require(d["values"] as? [[String: Any]])
        let failing = values.filter { $0["outcome"] as? String == "fail" }
        #expect(!failing.isEmpty && failing.allSatisfy { $0["step"] as? Int == 1 })
        #expect(values.filter { $0["step"] as? Int == 2 }.count > 50)
        let roots = try #require(d["root_causes"] as? [[String: Any]])
        #expect(roots.count == 1 && roots.first?["quantity"] as? String == "a" && roots.first?["name"] as? String == "out_h1")
        #expect((d["anchored_steps"] as? [[String: Any]])?.first?["step"] as? Int == 2)
        // Against bptrace's own run, every later step is off too.
        let own = try Self.json(try Self.grade("mazur-2015", "slip.csv", ["--no-reanchor"]))
        let ownFailing = (own["values"] as? [[String: Any]] ?? []).filter { $0["outcome"] as? String == "fail" }
        #expect(ownFailing.contains { $0["step"] as? Int == 3 })
    }

    @Test func twoBugsInDifferentLayersGiveBothRootCauses() throws {
        let d = try Self.json(try Self.grade("mazur-2015", "two-bugs.csv", ["--explain"]))
        let roots = try #require(d["root_causes"] as? [[String: Any]])
        let quantities = roots.map { "\($0["quantity"] ?? "")(\($0["layer"] ?? ""))" }
        #expect(quantities.contains("slope(1)") && quantities.contains("W_new(2)"), "\(quantities)")
        #expect(roots.first { $0["quantity"] as? String == "slope" }.map { ($0["explained_by"] as? [String] ?? []).contains("slope_from_net") } == true)
        #expect(roots.first { $0["quantity"] as? String == "W_new" }.map { ($0["explained_by"] as? [String] ?? []).contains("update_sign") } == true)
    }

    @Test func textReportNamesTheCellTheBugAndTheFollowers() throws {
        let r = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "\(Self.dir)/slope_missing-mazur-2015-6-complete.csv", "--explain"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("root cause 1: delta(2)@1, 2 cells, lines 35, 36\n    [1,1] dE_total/dnet_o1: yours 0.741365, correct 0.138499"), "\(r.stdout)")
        #expect(r.stdout.contains("explained by slope_missing: delta without the slope factor"))
        #expect(r.stdout.contains("of your") && r.stdout.contains("later values follow from it"))
        #expect(r.stdout.hasSuffix(" failed\n") && r.stdout.contains("re-anchored"))
    }

    /// A root cause alone keeps its own block; one of a wrong block shares the block's.
    @Test func aLoneRootCauseHasItsOwnBlock() throws {
        let r = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "\(Self.dir)/slip.csv", "--explain"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("  root cause 1: a(1)[1,1]@1 (out_h1), line 22\n    yours 0.603270, correct 0.593270"), "\(r.stdout)")
        #expect(!r.stdout.contains("root cause 2"), "\(r.stdout)")
    }

    /// The best explanation is the one that leaves the student's right values right: on a tanh
    /// layer with |z| > 1, slope_from_net flips a gradient's sign and reproduces an update_sign
    /// weight too, but it would also change the slopes the student wrote right.
    @Test(arguments: [("update_sign", "relu-tanh-softmax"), ("lr_twice", "sigmoid-3-layers")])
    func theBestExplanationContradictsFewestRightValues(_ bug: String, _ net: String) throws {
        let scratch = try CLI.scratch("grade-rank")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let spec = net == "relu-tanh-softmax"
            ? #"{"name": "n", "layers": [2, 3, 3, 3], "activations": ["relu", "tanh", "softmax"], "loss": "cross_entropy", "learning_rate": 0.2, "batch": "sample", "init": {"distribution": "uniform", "low": -0.8, "high": 0.8, "seed": 5}, "data": {"inputs": [[1, 0.5], [0.2, -0.7], [0.5, 0.9]], "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}"#
            : #"{"name": "n", "layers": [2, 2, 2, 1], "activations": ["sigmoid", "sigmoid", "sigmoid"], "learning_rate": 0.7, "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 11}, "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}"#
        try spec.write(toFile: scratch + "/n.json", atomically: true, encoding: .utf8)
        let g = try Subprocess.run("python3", [CLI.repoRoot + "/scripts/student_traces.py", scratch + "/n.json", "--steps", "2", "--decimals", "4",
                                               "--style", "carried", "--bug", bug, "--out", scratch + "/t.csv"], in: scratch)
        #expect(g.status == 0, "\(g.stderr)")
        let d = try Self.json(try CLI.run(["check", "--spec", "n.json", "--trace", "t.csv", "--explain", "--format", "json"], in: scratch))
        let first = try #require((d["root_causes"] as? [[String: Any]])?.first)
        #expect(first["quantity"] as? String == "W_new" && first["step"] as? Int == 1, "\(first)")
        #expect((first["explained_by"] as? [String])?.first == bug, "\(first["explained_by"] ?? "")")
    }

    @Test func classModeGivesOneLineOrRowPerFile() throws {
        let scratch = try CLI.scratch("grade")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for f in ["clean-mazur-2015-4-written.csv", "slope_missing-mazur-2015-6-complete.csv", "update_sign-mazur-2015-9-partial.csv"] {
            try FileManager.default.copyItem(atPath: CLI.repoRoot + "/\(Self.dir)/\(f)", toPath: scratch + "/\(f)")
        }
        let text = try CLI.run(["check", "--preset", "mazur-2015", "--trace", scratch, "--explain"])
        #expect(text.status == 1)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 4, "\(text.stdout)")
        #expect(lines[0].contains("clean-mazur-2015-4-written.csv: ") && lines[0].contains(" 0 failed"))
        #expect(lines[1].contains("(slope_missing)") && lines[2].contains("(update_sign)"))
        let csv = try CLI.run(["check", "--preset", "mazur-2015", "--trace", scratch + "/clean-mazur-2015-4-written.csv",
                               "--trace", scratch + "/slope_missing-mazur-2015-6-complete.csv", "--explain", "--format", "csv"])
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.count == 3 && rows[0].hasPrefix("file,passed,failed,root_causes,first_root_cause"))
        #expect(rows[2].contains(",\"delta(2)[1,1]@1\",dE_total/dnet_o1,") && rows[2].contains("slope_missing"))
        let json = try CLI.run(["check", "--preset", "mazur-2015", "--trace", scratch, "--format", "json"])
        let d = try Self.json(json)
        #expect((d["traces"] as? [Any])?.count == 3 && d["failed"] as? Int ?? 0 > 0)
    }

    @Test func malformedTracesGiveLineNumbersAndNoCrash() throws {
        let scratch = try CLI.scratch("grade-bad")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try "step,layer,quantity,row,col\n1,1,z,1,1\n".write(toFile: scratch + "/header.csv", atomically: true, encoding: .utf8)
        try "step,layer,quantity,row,col,value\n1,1,z,1,1,0.3775\n1,1,z,1,2,abc\n1,1,z,3,1,0.1\n1,9,a,1,1,0.5\n1,1,zz,1,1,0.5\n"
            .write(toFile: scratch + "/rows.csv", atomically: true, encoding: .utf8)
        try "step,layer,quantity,row,col,value\n1,1,z,1,2,abc\n".write(toFile: scratch + "/none.csv", atomically: true, encoding: .utf8)
        let header = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "header.csv"], in: scratch)
        #expect(header.status == 65 && header.stderr.contains("header.csv line 1"), "\(header.stderr)")
        let rows = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "rows.csv"], in: scratch)
        #expect(rows.status == 0, "\(rows.stdout) \(rows.stderr)")     // the one usable value holds
        for line in 3...6 { #expect(rows.stdout.contains("line \(line): "), "line \(line): \(rows.stdout)") }
        #expect(rows.stdout.hasSuffix("1 passed, 0 failed\n"))
        let none = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "none.csv"], in: scratch)
        #expect(none.status == 65 && none.stderr.contains("line 2"), "\(none.stderr)")
        let missing = try CLI.run(["check", "--preset", "mazur-2015", "--trace", "nope.csv"], in: scratch)
        #expect(missing.status == 66)
        let usage = try CLI.run(["check", "--trace", "rows.csv"], in: scratch)
        #expect(usage.status == 64 && usage.stderr.contains("--spec"))
        for r in [header, rows, none, missing, usage] { #expect(!r.signaled && !r.stderr.contains("Fatal error")) }
    }

    @Test func aFixtureThatNamesATraceIsDiagnosedToo() throws {
        let scratch = try CLI.scratch("grade-fixture")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.copyItem(atPath: CLI.repoRoot + "/\(Self.dir)/slope_missing-mazur-2015-6-complete.csv", toPath: scratch + "/student.csv")
        try "{\"preset\": \"mazur-2015\", \"trace\": \"student.csv\"}\n".write(toFile: scratch + "/hw.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "hw.json", "--explain"], in: scratch)
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("root cause 1: delta(2)@1, 2 cells, lines 35, 36\n    [1,1] dE_total/dnet_o1: yours 0.741365, correct 0.138499") && r.stdout.contains("explained by slope_missing"))
        #expect(r.stdout.hasSuffix("35 passed, 26 failed\n"), "\(r.stdout.suffix(200))")
        let j = try Self.json(try CLI.run(["check", "hw.json", "--format", "json"], in: scratch))
        let traces = try #require(j["traces"] as? [[String: Any]])
        #expect(traces.count == 1 && (traces[0]["root_causes"] as? [Any])?.count == 2 && j["failed"] as? Int == 26)
    }

    @Test func bptracesOwnRoundedExportIsAPassingTrace() throws {
        let scratch = try CLI.scratch("grade-export")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for d in ["4", "9"] {
            let run = try CLI.run(["run", "--preset", "xor-adam", "--steps", "3", "--format", "csv", "--decimals", d, "--out", "o", "--force"], in: scratch)
            #expect(run.status == 0, "\(run.stderr)")
            let r = try CLI.run(["check", "--preset", "xor-adam", "--trace", "o/xor-adam.csv"], in: scratch)
            #expect(r.status == 0 && r.stdout.hasSuffix(" 0 failed\n"), "D=\(d): \(r.stdout.suffix(300)) \(r.stderr)")
        }
    }
}
