import Foundation
import Testing

/// Hostile input through the binary: the exit code, a message naming the key path, no file
/// content and no control character on the terminal, no output file, and bounded work.
@Suite struct HostileCLITests {
    static let net = "\"layers\": [2, 2, 2], \"learning_rate\": 0.5"

    static func csvSpec(_ csv: String, inputs: String = "[\"a\", \"b\"]") -> String {
        "{\(net), \"data\": {\"csv\": \"\(csv)\", \"inputs\": \(inputs), \"targets\": [\"c\", \"d\"]}}"
    }

    static func hasControl(_ s: String) -> Bool { s.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E || $0.value == 0x07 } }

    /// argument-parser's own messages quote what the user typed: escaped too, exit 64.
    @Test func usageErrorsQuoteArgumentsEscaped() throws {
        let dir = try CLI.scratch("usage-escape")
        for args in [["run", "--format", "\u{1B}[31mred\u{202E}"], ["run", "--detail", "\u{07}x"], ["check", "x.json", "--format", "\u{1B}]0;t\u{07}"]] {
            let r = try CLI.run(args, in: dir)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(!Self.hasControl(r.stderr) && r.stderr.contains("\\u{"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("Usage:"), "\(r.stderr)")
        }
        #expect(CLI.files(in: dir).isEmpty)
    }

    @Test func dataOutsideTheSpecFolderIsRefusedUnlessAllowed() throws {
        let dir = try CLI.scratch("outside")
        let other = try CLI.scratch("outside-data")
        try "a,b,c,d\n0.05,0.1,0.01,0.99\n".write(toFile: other + "/d.csv", atomically: true, encoding: .utf8)
        for file in ["/etc/passwd", "/proc/self/environ", other + "/d.csv"] {
            try Self.csvSpec(file).write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", "--spec", "spec.json", "--format", "csv", "--out", "out"], in: dir)
            #expect(r.status == 65 && r.stderr.contains("data.csv: the data file") && r.stderr.contains("--allow-outside-data"), "\(r.stderr)")
            #expect(!r.stderr.contains("root:") && !r.stderr.contains("PATH="), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
        let ok = try CLI.run(["run", "--spec", "spec.json", "--format", "csv", "--out", "out", "--allow-outside-data"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        let grad = try CLI.run(["gradcheck", "--spec", "spec.json", "--allow-outside-data"], in: dir)
        #expect(grad.status == 0, "\(grad.stderr)")
        // fixture freezes it and reads its snapshot back under the same permission.
        let fx = try CLI.run(["fixture", "--spec", "spec.json", "--allow-outside-data", "--pick", "E_total", "--out", "fx.json"], in: dir)
        #expect(fx.status == 0, "\(fx.stderr)")
        let refused = try CLI.run(["check", "fx.json"], in: dir)
        #expect(refused.status == 65 && refused.stderr.contains("--allow-outside-data"), "\(refused.stderr)")
        let checked = try CLI.run(["check", "fx.json", "--allow-outside-data"], in: dir)
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")
    }

    @Test func aGradersCheckNeverEchoesAFile() throws {
        let dir = try CLI.scratch("grader")
        let fixture = "{\"spec\": {\(Self.net), \"data\": {\"csv\": \"/etc/passwd\", \"inputs\": [\"a\", \"b\"], \"targets\": [\"c\", \"d\"]}}, \"values\": [{\"name\": \"E_total\", \"value\": \"0.3\"}]}"
        try fixture.write(toFile: dir + "/student.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "student.json"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("student.json: spec.data.csv:") && !r.stderr.contains("root:"), "\(r.stderr)")
    }

    @Test func controlCharactersInAHeaderDoNotReachTheTerminal() throws {
        let dir = try CLI.scratch("escape")
        try "a,b,\u{1B}]0;owned\u{07}\u{1B}[2J\u{202E}c,d\n1,1,1,1\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        try Self.csvSpec("d.csv", inputs: "[\"a\", \"x\"]").write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "spec.json", "--format", "csv"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("data.inputs[1]: column \"x\" is not in d.csv's header"), "\(r.stderr)")
        #expect(!Self.hasControl(r.stderr) && r.stderr.contains("\\u{001B}[2J\\u{202E}c"), "\(r.stderr)")
        // A fixture's title and notes on stdout too.
        let fx = "{\"title\": \"\\u001b[31mred\", \"preset\": \"mazur-2015\", \"values\": [{\"name\": \"E_total\", \"value\": \"9\", \"note\": \"\\u202eevil\"}]}"
        try fx.write(toFile: dir + "/f.json", atomically: true, encoding: .utf8)
        let c = try CLI.run(["check", "f.json"], in: dir)
        #expect(c.status == 1 && !Self.hasControl(c.stdout) && c.stdout.contains("\\u{001B}[31mred"), "\(c.stdout)")
    }

    @Test func aLongColumnNameIsAnInvalidSpecNotAnIOError() throws {
        let dir = try CLI.scratch("longname")
        let long = String(repeating: "x", count: 40_000)
        try "a,\(long),c,d\n1,1,1,1\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        try Self.csvSpec("d.csv", inputs: "[\"a\", \"\(long)\"]").write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "spec.json", "--format", "xlsx,csv,md", "--out", "out"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("data.inputs[1]: expected a column name of 1 to 100 characters"), "\(r.stderr)")
        #expect(r.stderr.count < 400)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func sizesThatUsedToCrashAreInvalidSpecs() throws {
        let dir = try CLI.scratch("sizes")
        let data = "\"data\": {\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01, 0.99]]}"
        for (spec, says) in [("{\(Self.net), \"batch\": 9223372036854775807, \(data)}", "batch: expected a batch size from 1 to the number of samples (1)"),
                             ("{\"layers\": [2, 4096, 4096, 4096, 4096, 2], \"learning_rate\": 0.5, \(data)}", "layers: the network has"),
                             ("{\(Self.net), \"init\": {\"low\": -1e308, \"high\": 1e308}, \(data)}", "init.high: high - low overflows")] {
            try spec.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", "--spec", "spec.json", "--format", "csv", "--out", "out"], in: dir)
            #expect(r.status == 65 && r.stderr.contains(says), "\(r.status) \(r.stderr)")
        }
    }

    @Test func checkStaysBounded() throws {
        let dir = try CLI.scratch("checkbound")
        try "{\"preset\": \"mazur-2015\", \"values\": [{\"name\": \"E_total@9223372036854775807\", \"value\": \"0.1\"}]}".write(toFile: dir + "/f.json", atomically: true, encoding: .utf8)
        let start = Date()
        let r = try CLI.run(["check", "f.json", "--explain"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("values[0].name") && r.stderr.contains("a check trains at most 1000000 steps"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func fixtureWritesOnlyWhatCheckCanRead() throws {
        let dir = try CLI.scratch("fixturebound")
        let r = try CLI.run(["fixture", "--steps", "1000000", "--pick", "E_total", "--out", "f.json"], in: dir)
        #expect(r.status == 64 && r.stderr.contains("more than 100,000 values"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/f.json"))
        let ok = try CLI.run(["fixture", "--steps", "2000", "--pick", "E_total@2000", "--out", "f.json"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func gradcheckRefusesLargeNetworks() throws {
        let dir = try CLI.scratch("gradbig")
        try "{\"layers\": [2, 400, 400, 1], \"learning_rate\": 0.5, \"data\": {\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01]]}}".write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let start = Date()
        let r = try CLI.run(["gradcheck", "--spec", "spec.json"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("layers: the network has 162,001 weights and biases; gradcheck takes at most 100,000"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func handoutStepsAreClippedAndCapped() throws {
        let dir = try CLI.scratch("handoutsteps")
        let ranges = (0..<100).map { "\($0 * 1_000_000 + 1)-\(($0 + 1) * 1_000_000)" }.joined(separator: ",")
        let start = Date()
        let r = try CLI.run(["run", "--steps", "2", "--format", "md", "--handout-steps", ranges], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(r.stderr.contains("beyond --steps 2 not derived"), "\(r.stderr)")
        let capped = try CLI.run(["run", "--steps", "5000", "--format", "md", "--handout-steps", "1-2000", "--out", "o2"], in: dir)
        #expect(capped.status == 64 && capped.stderr.contains("more than 1000 steps to derive"), "\(capped.stderr)")
    }

    @Test func aPipeInAFixtureFolderDoesNotBlockTheCheck() throws {
        let dir = try CLI.scratch("fifo")
        try FileManager.default.createDirectory(atPath: dir + "/fx", withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/fx/a.json", 0o644) == 0)
        try "{\"preset\": \"mazur-2015\", \"values\": [{\"name\": \"E_total\", \"value\": \"0.298371109\"}]}".write(toFile: dir + "/fx/b.json", atomically: true, encoding: .utf8)
        let start = Date()
        let r = try CLI.run(["check", "fx"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("a.json: not a regular file") && r.stdout.contains("1 passed, 0 failed"), "\(r.stdout)\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func aHugeSpecFileIsRefusedQuickly() throws {
        let dir = try CLI.scratch("hugespec")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/spec.json", contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/spec.json"))
        try h.truncate(atOffset: 177 << 20)
        try h.close()
        let r = try CLI.run(["run", "--spec", "spec.json"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("larger than 64 MiB"), "\(r.stderr)")
        let f = try CLI.run(["check", "spec.json"], in: dir)
        #expect(f.status == 65 && f.stderr.contains("larger than 64 MiB"), "\(f.stderr)")
    }
}
