import Foundation
import Testing

/// Output files from the user's side (issue 8): `fixture --out`, links at destinations, the
/// `--out` folder, the handout's figures manifest and write errors on standard output.
@Suite struct OutputSafetyTests {
    var fm: FileManager { FileManager.default }

    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: false, encoding: .utf8) }
    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
    static func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    /// Runs bptrace with standard output going to `/dev/full`.
    static func runToFullDisk(_ args: [String], in dir: String) throws -> (status: Int32, stderr: String) {
        let r = try Subprocess.run(CLI.binary, args, in: dir, stdout: .file("/dev/full"))
        return (r.status, r.stderr)
    }

    // MARK: fixture --out (item 1)

    @Test func fixtureIntoAFolderWritesBesideItsFilesAndDeletesNothing() throws {
        let dir = try CLI.scratch("fixture-dir")
        try fm.createDirectory(atPath: dir + "/d/sub", withIntermediateDirectories: true)
        try Self.write("mine", dir + "/d/a.txt")
        try Self.write("mine too", dir + "/d/sub/b.txt")
        let r = try CLI.run(["fixture", "--pick", "out_o1", "--out", "d", "--force"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "d/mazur-2015.json\n")
        #expect(Self.listing(dir + "/d") == ["a.txt", "mazur-2015.json", "sub"])
        #expect(Self.read(dir + "/d/sub/b.txt") == "mine too")
        let check = try CLI.run(["check", "d/mazur-2015.json"], in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func fixtureIntoDotAndDotDotNeitherEmptiesNorCrashes() throws {
        let dir = try CLI.scratch("fixture-dots")
        try fm.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try Self.write("keep", dir + "/sibling.txt")
        let up = try CLI.run(["fixture", "--pick", "out_o1", "--out", "..", "--force"], in: dir + "/sub")
        #expect(up.status == 0, "\(up.stderr)")
        #expect(Self.listing(dir) == ["mazur-2015.json", "sibling.txt", "sub"])
        let here = try CLI.run(["fixture", "--pick", "out_o1", "--out", "."], in: dir + "/sub")
        #expect(here.status == 0, "\(here.stderr)")
        #expect(Self.listing(dir + "/sub") == ["mazur-2015.json"])
        let again = try CLI.run(["fixture", "--pick", "out_o1", "--out", "."], in: dir + "/sub")
        #expect(again.status == 73)
        #expect(again.stderr.contains("./mazur-2015.json exists; add --force to overwrite it"), "\(again.stderr)")
    }

    @Test func fixtureFolderEndingInSlashIsCreated() throws {
        let dir = try CLI.scratch("fixture-slash")
        let r = try CLI.run(["fixture", "--pick", "out_o1", "--out", "new/"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.listing(dir + "/new") == ["mazur-2015.json"])
    }

    @Test func fixtureFileIsReplacedOnlyWithForceAndNeverThroughALink() throws {
        let dir = try CLI.scratch("fixture-file")
        try Self.write("old", dir + "/f.json")
        let refused = try CLI.run(["fixture", "--pick", "out_o1", "--out", "f.json"], in: dir)
        #expect(refused.status == 73)
        #expect(Self.read(dir + "/f.json") == "old")
        let forced = try CLI.run(["fixture", "--pick", "out_o1", "--out", "f.json", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(Self.read(dir + "/f.json")?.hasPrefix("{") == true)

        try Self.write("precious", dir + "/victim.txt")
        try fm.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "victim.txt")
        let linked = try CLI.run(["fixture", "--pick", "out_o1", "--out", "link.json", "--force"], in: dir)
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(Self.read(dir + "/victim.txt") == "precious")
        #expect((try? fm.destinationOfSymbolicLink(atPath: dir + "/link.json")) == nil)   // a plain file now
        #expect(Self.listing(dir) == ["f.json", "link.json", "victim.txt"])
    }

    @Test(arguments: [["run", "--out", ""], ["fixture", "--out", ""]])
    func emptyOutIsAUsageError(_ args: [String]) throws {
        let dir = try CLI.scratch("empty-out")
        let r = try CLI.run(args, in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--out: expected a"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        #expect(CLI.files(in: dir).isEmpty)
    }

    // MARK: run: links, the --out folder (items 2, 13)

    @Test func runReplacesALinkedDestinationOnlyWithForce() throws {
        let dir = try CLI.scratch("run-link")
        try Self.write("precious", dir + "/victim.txt")
        try fm.createDirectory(atPath: dir + "/o", withIntermediateDirectories: true)
        for ext in ["csv", "xlsx"] { try fm.createSymbolicLink(atPath: dir + "/o/mazur-2015.\(ext)", withDestinationPath: "../victim.txt") }
        try fm.createSymbolicLink(atPath: dir + "/o/mazur-2015-figures", withDestinationPath: "..")
        let refused = try CLI.run(["run", "--format", "csv", "--out", "o"], in: dir)
        #expect(refused.status == 73)
        let r = try CLI.run(["run", "--format", "csv,xlsx,md", "--out", "o", "--force"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.read(dir + "/victim.txt") == "precious")
        #expect(Self.listing(dir) == ["o", "victim.txt"])
        #expect(Self.listing(dir + "/o") == ["mazur-2015-figures", "mazur-2015.csv", "mazur-2015.md", "mazur-2015.xlsx"])
        for name in Self.listing(dir + "/o") { #expect((try? fm.destinationOfSymbolicLink(atPath: dir + "/o/" + name)) == nil, "\(name)") }
    }

    @Test func tooLongOutPathLeavesNoFolders() throws {
        let dir = try CLI.scratch("long-out")
        let long = Array(repeating: String(repeating: "a", count: 200), count: 30).joined(separator: "/")
        let r = try CLI.run(["run", "--format", "csv", "--out", long], in: dir)
        #expect(r.status == 73)
        #expect(r.stderr.contains("the path is too long"), "\(r.stderr)")
        #expect(CLI.files(in: dir).isEmpty)
    }

    @Test func outUnderAFileIsAPlainMessage() throws {
        let dir = try CLI.scratch("out-file")
        try Self.write("x", dir + "/f")
        for out in ["f/deeper", "f"] {
            let r = try CLI.run(["run", "--format", "csv", "--out", out], in: dir)
            #expect(r.status == 73)
            #expect(r.stderr.contains("f is a file, not a folder"), "\(r.stderr)")
            #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("same name already exists"))
        }
        #expect(CLI.files(in: dir) == ["f"])
    }

    @Test func runRefusedAtRenderTimeLeavesNoOutFolder() throws {
        let dir = try CLI.scratch("render-refused")
        // Within the parameter limit, too wide for a worksheet's 16,384 columns.
        try Self.write("""
            {"name": "wide", "layers": [2, 4096, 2, 4096, 1], "activations": ["sigmoid", "sigmoid", "sigmoid", "sigmoid"],
             "loss": "half_sse", "learning_rate": 0.5, "init": {"seed": 1}, "data": {"inputs": [[0.05, 0.1]], "targets": [[0.5]]}}
            """, dir + "/wide.json")
        let r = try CLI.run(["run", "--spec", "wide.json", "--out", "new/sub"], in: dir)
        #expect(r.status == 73)
        #expect(r.stderr.contains("too wide for a worksheet"), "\(r.stderr)")
        #expect(CLI.files(in: dir) == ["wide.json"])
    }

    @Test func specNamesOfDotsStayInsideOut() throws {
        let dir = try CLI.scratch("dot-names")
        for name in ["..", "."] {
            let spec = (try CLI.run(["presets", "--show", "xor"], in: dir)).stdout
                .replacingOccurrences(of: "\"name\": \"xor\"", with: "\"name\": \"\(name)\"")
            try Self.write(spec, dir + "/spec.json")
            let r = try CLI.run(["run", "--spec", "spec.json", "--format", "csv,md", "--out", "o"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(Self.listing(dir) == ["o", "spec.json"])
        #expect(Self.listing(dir + "/o") == [".-figures", "..-figures", "...csv", "...md", "..csv", "..md"])
    }

    // MARK: The figures folder keeps the user's files (item 8)

    @Test func forceKeepsFilesBptraceDidNotWriteInTheFiguresFolder() throws {
        let dir = try CLI.scratch("manifest")
        let first = try CLI.run(["run", "--format", "md"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let figures = dir + "/mazur-2015-figures"
        #expect(Self.read(figures + "/.bptrace-manifest")?.contains("network.svg") == true)
        let original = Self.read(figures + "/network.svg")
        try Self.write("my notes", figures + "/notes.txt")
        try Self.write("edited", figures + "/network.svg")
        let again = try CLI.run(["run", "--format", "md", "--force"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("kept 1 file in ./mazur-2015-figures that bptrace did not write: notes.txt"), "\(again.stderr)")
        #expect(Self.read(figures + "/notes.txt") == "my notes")
        #expect(Self.read(figures + "/network.svg") == original)
        #expect(Self.listing(dir) == ["mazur-2015-figures", "mazur-2015.md"])
    }

    @Test func aFileOfTheUsersWithAFiguresNameIsNotOverwritten() throws {
        let dir = try CLI.scratch("manifest-clash")
        let figures = dir + "/mazur-2015-figures"
        try fm.createDirectory(atPath: figures, withIntermediateDirectories: true)
        try Self.write("# Files written by bptrace\nnetwork.svg\n", figures + "/.bptrace-manifest")
        try Self.write("my own curve", figures + "/loss.svg")
        let r = try CLI.run(["run", "--format", "md", "--force"], in: dir)
        #expect(r.status == 73)
        #expect(r.stderr.contains("loss.svg was not written by bptrace"), "\(r.stderr)")
        #expect(Self.read(figures + "/loss.svg") == "my own curve")
        #expect(Self.listing(dir) == ["mazur-2015-figures"])
    }

    // MARK: Standard output (item 10)

    @Test(arguments: [["presets"], ["presets", "--show", "xor"], ["fixture", "--pick", "out_o1"], ["check", "f.json"]])
    func writeErrorOnStandardOutputIsExit74(_ args: [String]) throws {
        let dir = try CLI.scratch("dev-full")
        let fixture = try CLI.run(["fixture", "--pick", "out_o1", "--out", "f.json"], in: dir)
        #expect(fixture.status == 0)
        let r = try Self.runToFullDisk(args, in: dir)
        #expect(r.status == 74, "\(args): \(r.stderr)")
        #expect(r.stderr.contains("cannot write to standard output: No space left on device"), "\(r.stderr)")
    }
}
