import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Interrupted and concurrent runs (issue 8, items 7 and 9): a signal removes the run's
/// temporary files, a later run removes what a killed one left, and of runs racing for the
/// same file exactly one wins.
@Suite struct OutputInterruptTests {
    var fm: FileManager { FileManager.default }

    static func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    /// Starts bptrace without waiting (signals at their default action, as from a terminal,
    /// even when the test runner was started with SIGINT ignored).
    static func start(_ args: [String], in dir: String) throws -> Subprocess.Running { try CLI.start(args, in: dir) }

    static func waitFor(_ what: () -> Bool, seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if what() { return true }; usleep(20_000) }
        return what()
    }

    struct Interrupt: CustomTestStringConvertible, Sendable {
        let signal: Int32
        let format: String
        var testDescription: String { "signal \(signal), \(format)" }
    }

    static let interrupts = [Interrupt(signal: SIGINT, format: "csv"), Interrupt(signal: SIGTERM, format: "xlsx"),
                             Interrupt(signal: SIGHUP, format: "md"), Interrupt(signal: SIGINT, format: "md"),
                             Interrupt(signal: SIGTERM, format: "csv"), Interrupt(signal: SIGHUP, format: "xlsx")]

    @Test(arguments: interrupts)
    func signalRemovesTheRunsTemporaryFiles(_ c: Interrupt) throws {
        let dir = try CLI.scratch("signal")
        let p = try Self.start(["run", "--steps", "5000000", "--format", c.format, "--out", "o", "--sheets-limit", "10000",
                                "--handout-steps", "1-300"], in: dir)
        let started = Self.waitFor({ Self.listing(dir + "/o").contains { $0.hasPrefix(".mazur-2015") } }, seconds: 30)
        #expect(started, "no temporary file appeared")
        usleep(300_000)
        kill(p.pid, c.signal)
        let ended = p.wait()
        #expect(ended.signaled)
        #expect(ended.status == c.signal)
        #expect(Self.listing(dir + "/o") == [])
        // libxlsxwriter's private folder under $TMPDIR may keep a file libxlsxwriter had just
        // created (it unlinks them itself); the next workbook run removes the folder.
        if c.format == "xlsx" {
            let next = try CLI.run(["run", "--out", "next"], in: dir)
            #expect(next.status == 0, "\(next.stderr)")
        }
        let leftover = Self.listing(NSTemporaryDirectory()).filter { $0.hasPrefix("bptrace-xlsx-\(p.pid)-") }
        #expect(leftover.isEmpty)
    }

    /// The PID of a process that has exited.
    static func deadPID() throws -> Int32 { try Subprocess.run("/bin/true", []).pid }

    @Test func nextRunRemovesWhatAKilledRunLeft() throws {
        let dir = try CLI.scratch("stale")
        let o = dir + "/o", outside = dir + "/outside"
        try fm.createDirectory(atPath: o, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "keep".write(toFile: outside + "/keep.txt", atomically: false, encoding: .utf8)
        let dead = try Self.deadPID(), live = getpid()
        let big = Data(count: 1 << 20)
        fm.createFile(atPath: o + "/.mazur-2015.csv.partial-\(dead)-0123456789abcdef", contents: big)
        fm.createFile(atPath: o + "/.mazur-2015.md.partial-\(dead)", contents: big)   // an older bptrace's name
        let figures = o + "/.mazur-2015-figures.partial-\(dead)-fedcba9876543210"
        try fm.createDirectory(atPath: figures, withIntermediateDirectories: true)
        fm.createFile(atPath: figures + "/network.svg", contents: big)
        try fm.createSymbolicLink(atPath: figures + "/link-to-file", withDestinationPath: outside + "/keep.txt")
        try fm.createSymbolicLink(atPath: figures + "/link-to-folder", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: o + "/.mazur-2015.xlsx.partial-\(dead)-00000000000000aa", withDestinationPath: outside)
        // Not stale: a live process's, another output's, and a name outside the pattern.
        let keep = [".mazur-2015.csv.partial-\(live)-0123456789abcdef", ".other.csv.partial-\(dead)-0123456789abcdef",
                    ".mazur-2015.csv.partial-\(dead)-XYZ", "notes.txt"]
        for k in keep { fm.createFile(atPath: o + "/" + k, contents: Data("x".utf8)) }

        let r = try CLI.run(["run", "--format", "csv,md,xlsx", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.listing(o) == (keep + ["mazur-2015-figures", "mazur-2015.csv", "mazur-2015.md", "mazur-2015.xlsx"]).sorted())
        #expect(Self.listing(outside) == ["keep.txt"])
        #expect((try? String(contentsOfFile: outside + "/keep.txt", encoding: .utf8)) == "keep")
    }

    @Test func racingRunsHaveExactlyOneWinner() throws {
        for round in 0..<6 {
            let dir = try CLI.scratch("race")
            let force = round % 3 == 2
            let runs = try (0..<3).map { _ in
                try Self.start(["run", "--format", "csv,md", "--steps", "\(2000 + 2000 * (round % 3))", "--out", "o"] + (force ? ["--force"] : []), in: dir)
            }
            let statuses = runs.map { $0.wait().status }
            if force {
                #expect(statuses == [0, 0, 0], "round \(round)")
            } else {
                #expect(statuses.filter { $0 == 0 }.count == 1, "round \(round): \(statuses)")
                #expect(statuses.filter { $0 == 73 }.count == 2, "round \(round): \(statuses)")
            }
            #expect(Self.listing(dir + "/o") == ["mazur-2015-figures", "mazur-2015.csv", "mazur-2015.md"], "round \(round)")
            #expect(Self.listing(dir + "/o/mazur-2015-figures") == [".bptrace-manifest", "loss.svg", "network.svg"], "round \(round)")
        }
    }
}
