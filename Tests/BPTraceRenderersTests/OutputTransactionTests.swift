import BPTrace
@testable import BPTraceRenderers
import Foundation
import Testing

/// Output files in-process: temporary names, exclusive creation, the race rule and the
/// both-or-neither commit of a run's outputs (issue 8, items 2, 8, 9).
@Suite struct OutputTransactionTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "bptrace-output-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func listing(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func temporaryNamesAreUnpredictableAndOwnedByThisProcess() throws {
        let dir = try Self.folder()
        let a = try OutputFile(destination: dir + "/net.csv", overwrite: false)
        let b = try OutputFile(destination: dir + "/net.csv", overwrite: false)
        defer { a.abort(); b.abort() }
        let pattern = try Regex("^\\.net\\.csv\\.partial-\(getpid())-[0-9a-f]{16}$")
        for f in [a, b] {
            let name = (f.temporaryPath as NSString).lastPathComponent
            #expect(name.wholeMatch(of: pattern) != nil, "\(name)")
            #expect(TemporaryName.ownerPID(name, base: "net.csv") == getpid())
            #expect(CleanupRegistry.livePaths.contains(f.temporaryPath))
        }
        #expect(a.temporaryPath != b.temporaryPath)
        a.abort()
        #expect(!CleanupRegistry.livePaths.contains(a.temporaryPath))
        #expect(!FileManager.default.fileExists(atPath: a.temporaryPath))
    }

    @Test func temporaryFilesAreNeverOpenedThroughALink() throws {
        let dir = try Self.folder()
        let victim = dir + "/victim.txt"
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        // A link planted at a name bptrace picks is refused (EEXIST), not followed: writeNewFile
        // is how figures are created inside bptrace's temporary folder.
        let planted = dir + "/loss.svg"
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
        #expect(throws: OutputError.self) { try TemporaryName.writeNewFile(planted, Array("<svg/>".utf8), shownAs: "loss.svg") }
        #expect(Self.read(victim) == "precious")
    }

    @Test func destinationThatAppearsMeanwhileIsNotReplaced() throws {
        let dir = try Self.folder()
        let dest = dir + "/net.csv"
        let first = try OutputFile(destination: dest, overwrite: false)
        let second = try OutputFile(destination: dest, overwrite: false)   // both passed the check
        try first.write("first\n")
        try second.write("second\n")
        try first.commit()
        do {
            try second.commit()
            Issue.record("the second commit replaced the first file")
        } catch let e as OutputError {
            #expect(e.kind == .exists)
            #expect(e.message.contains("appeared while bptrace was writing it"), "\(e.message)")
        }
        #expect(Self.read(dest) == "first\n")
        #expect(Self.listing(dir) == ["net.csv"])
    }

    @Test func aRunsFilesGoInTogetherOrNotAtAll() throws {
        let dir = try Self.folder()
        let t = OutputTransaction(overwrite: false)
        let a = try OutputFile(destination: dir + "/net.csv", overwrite: false, transaction: t)
        let b = try OutputFile(destination: dir + "/net.xlsx", overwrite: false, transaction: t)
        try a.write("a"); try b.write("b")
        try a.commit(); try b.commit()
        try "someone else's".write(toFile: dir + "/net.xlsx", atomically: false, encoding: .utf8)
        #expect(throws: OutputError.self) { try t.commit() }
        #expect(Self.listing(dir) == ["net.xlsx"])   // net.csv was taken back
        #expect(Self.read(dir + "/net.xlsx") == "someone else's")
    }

    @Test func forceRestoresTheOldFilesWhenOneMoveFails() throws {
        let dir = try Self.folder()
        try "old a".write(toFile: dir + "/net.csv", atomically: false, encoding: .utf8)
        let t = OutputTransaction(overwrite: true)
        let a = try OutputFile(destination: dir + "/net.csv", overwrite: true, transaction: t)
        let b = try OutputFile(destination: dir + "/net.md", overwrite: true, transaction: t)
        try a.write("new a"); try b.write("new b")
        try a.commit(); try b.commit()
        try FileManager.default.createDirectory(atPath: dir + "/net.md/inside", withIntermediateDirectories: true)
        #expect(throws: OutputError.self) { try t.commit() }
        #expect(Self.read(dir + "/net.csv") == "old a")
        #expect(FileManager.default.fileExists(atPath: dir + "/net.md/inside"))
        #expect(Self.listing(dir) == ["net.csv", "net.md"])
    }

    @Test func forceReplacesALinkInsteadOfWritingThroughIt() throws {
        let dir = try Self.folder()
        let victim = dir + "/victim.txt"
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/net.csv", withDestinationPath: victim)
        let f = try OutputFile(destination: dir + "/net.csv", overwrite: true)
        try f.write("new")
        try f.commit()
        #expect(Self.read(victim) == "precious")
        #expect(FileSystem.kind(dir + "/net.csv") == .file)
        #expect(Self.read(dir + "/net.csv") == "new")
    }

    // MARK: The handout: Markdown and figures both or neither

    static func handout(into dir: String, overwrite: Bool, before finish: () throws -> Void) throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let sink = try MarkdownHandoutWriter(destination: dir + "/mazur-2015.md", overwrite: overwrite, options: RenderOptions())
        try finish()
        try TraceRunner.run(spec: spec, steps: 1, sinks: [sink])
    }

    @Test func handoutWhoseMarkdownCannotGoInLeavesNoFigures() throws {
        let dir = try Self.folder()
        #expect(throws: OutputError.self) {
            try Self.handout(into: dir, overwrite: false) {
                try "another run's".write(toFile: dir + "/mazur-2015.md", atomically: false, encoding: .utf8)
            }
        }
        #expect(Self.listing(dir) == ["mazur-2015.md"])
        #expect(Self.read(dir + "/mazur-2015.md") == "another run's")
    }

    @Test func replacedHandoutComesBackWhole() throws {
        let dir = try Self.folder()
        try Self.handout(into: dir, overwrite: false) {}
        let figures = dir + "/mazur-2015-figures"
        try "OLD".write(toFile: figures + "/network.svg", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/mazur-2015.md")
        #expect(throws: OutputError.self) {
            try Self.handout(into: dir, overwrite: true) {
                // The Markdown's place is taken by a folder: its move fails after the figures'.
                try FileManager.default.createDirectory(atPath: dir + "/mazur-2015.md/x", withIntermediateDirectories: true)
            }
        }
        #expect(Self.read(figures + "/network.svg") == "OLD")
        #expect(Self.listing(dir) == ["mazur-2015-figures", "mazur-2015.md"])
        #expect(Self.listing(figures).contains(ManifestFolder.manifestName))
    }

    @Test func staleLeftoverPatternIsBptracesOwnOnly() {
        #expect(TemporaryName.ownerPID(".net.csv.partial-123-0123456789abcdef", base: "net.csv") == 123)
        #expect(TemporaryName.ownerPID(".net.csv.old-123-0123456789abcdef", base: "net.csv") == 123)
        #expect(TemporaryName.ownerPID(".net.csv.partial-123", base: "net.csv") == 123)
        #expect(TemporaryName.ownerPID(".net.json.tmp-77", base: "net.json") == 77)
        #expect(TemporaryName.ownerPID(".net.csv.partial-123-0123", base: "net.csv") == nil)
        #expect(TemporaryName.ownerPID(".net.csv.partial-abc-0123456789abcdef", base: "net.csv") == nil)
        #expect(TemporaryName.ownerPID(".net.csv.backup-123-0123456789abcdef", base: "net.csv") == nil)
        #expect(TemporaryName.ownerPID(".other.csv.partial-123-0123456789abcdef", base: "net.csv") == nil)
        #expect(TemporaryName.ownerPID("net.csv", base: "net.csv") == nil)
    }
}
