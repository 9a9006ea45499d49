import Foundation
import Testing

/// Issue 8's CLI-wide sweep: the built `bptrace` runs every bad case of the fuzz seed corpus
/// (Fuzz/seeds/, which holds every case of BadInputTests and of the Check tests plus the issue's
/// hostile inputs) and every crash input (Fuzz/regressions/, Fuzz/regressions-pending/) under a
/// 2 GiB address-space limit and a 10 s time limit. Each run must end by itself with an exit code
/// below 128 (no trap, no signal, no out-of-memory kill) and not by the time limit (124).
///
/// - each spec: `run --spec` (CSV, 2 steps) and `gradcheck --spec` (1 step);
/// - each fixture: `check`;
/// - each data CSV: `run` of a 2-2-2 spec that reads it as `data.csv`.
///
/// Each run's folder holds `spec.json` (the mazur-2015 preset) and `data.csv` (columns x1, x2, y1,
/// y2), which the seeds refer to, like the fuzz targets' sandbox.
@Suite(.serialized) struct BadCaseSweepTests {
    /// Runs known to fail today (defects reported by the fuzzing work and being fixed in the
    /// parsers and the CLI). Delete an entry when its fix lands; the sweep then holds it.
    /// Key: "<command> <folder>/<target>/<file>", value: what happens today.
    /// Cases known to fail, with the defect; empty since the hardening fixes landed (issue 8).
    static let pendingFixes: [String: String] = [:]
    /// A pending case gets this shorter time limit: it is expected to fail, and once fixed it
    /// ends at once with a message.
    static let pendingTimeLimit = 3

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let memoryLimit = "2147483648"
    static let timeLimit = 10

    struct Run: Sendable {
        let key: String
        let file: String
        let args: [String]
        /// The bytes written to data.csv instead of the default one (csv cases).
        let data: Data?
    }

    static let defaultData = Data("x1,x2,y1,y2\n0.05,0.1,0.01,0.99\n".utf8)
    static let csvSpec = #"{"name": "csvnet", "layers": [2, 2, 2], "learning_rate": 0.5, "data": {"csv": "data.csv", "inputs": ["x1", "x2"], "targets": ["y1", "y2"]}}"#

    static func files(_ folder: String, _ target: String) -> [String] {
        let dir = root.appendingPathComponent("Fuzz/\(folder)/\(target)").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            .map { "\(folder)/\(target)/\($0)" }
    }

    static var runs: [Run] {
        let folders = ["seeds", "regressions", "regressions-pending"]
        var runs: [Run] = []
        for f in folders.flatMap({ files($0, "spec") }) {
            runs.append(Run(key: "run \(f)", file: f, args: ["run", "--spec", "case.json", "--format", "csv", "--steps", "2", "--out", "out"], data: nil))
            runs.append(Run(key: "gradcheck \(f)", file: f, args: ["gradcheck", "--spec", "case.json", "--steps", "1"], data: nil))
        }
        for f in folders.flatMap({ files($0, "fixture") }) {
            runs.append(Run(key: "check \(f)", file: f, args: ["check", "case.json"], data: nil))
        }
        for f in folders.flatMap({ files($0, "csv") }) {
            runs.append(Run(key: "run \(f)", file: f, args: ["run", "--spec", "csvspec.json", "--format", "csv", "--out", "out"],
                            data: try? Data(contentsOf: root.appendingPathComponent("Fuzz/" + f))))
        }
        return runs
    }

    /// The mazur-2015 preset as `bptrace presets --show` prints it (the fixtures' "spec.json").
    static let mazurSpec: String = (try? CLI.run(["presets", "--show", "mazur-2015"], in: "/")).map(\.stdout) ?? ""

    /// `command` under the sweep's limits: prlimit (address space) around timeout (TERM at the
    /// limit, KILL 5 s later), so a run stopped by the time limit exits 124. `env
    /// --default-signal=TERM`: children of the test process inherit an ignored SIGTERM.
    static func limited(_ command: [String], seconds: Int = timeLimit) -> [String] {
        ["/usr/bin/prlimit", "--as=\(memoryLimit)", "--", "/usr/bin/timeout", "-k", "5", "\(seconds)",
         "/usr/bin/env", "--default-signal=TERM"] + command
    }

    /// Runs `command` under the limits in `dir`; the exit status is 128 + n for signal n.
    static func launch(_ command: [String], in dir: String, seconds: Int = timeLimit) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        let full = limited(command, seconds: seconds)
        // No crash backtrace: symbolicating one can outlast the time limit.
        p.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        p.executableURL = URL(fileURLWithPath: full[0])
        p.arguments = Array(full.dropFirst())
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return (status, String(decoding: o.prefix(2000), as: UTF8.self), String(decoding: e.prefix(2000), as: UTF8.self))
    }

    /// Runs one case in a fresh folder.
    static func sweep(_ r: Run) throws -> (status: Int32, stderr: String) {
        let dir = try CLI.scratch("sweep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if r.data == nil { try FileManager.default.copyItem(atPath: root.appendingPathComponent("Fuzz/" + r.file).path, toPath: dir + "/case.json") }
        try Data(csvSpec.utf8).write(to: URL(fileURLWithPath: dir + "/csvspec.json"))
        try (r.data ?? defaultData).write(to: URL(fileURLWithPath: dir + "/data.csv"))
        try mazurSpec.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let result = try launch([CLI.binary] + r.args, in: dir, seconds: pendingFixes[r.key] == nil ? timeLimit : pendingTimeLimit)
        return (result.status, result.stderr)
    }

    final class Findings: @unchecked Sendable {
        let lock = NSLock()
        var offenders: [String] = [], stillPending: [String] = [], fixed: [String] = []
        func add(_ body: (Findings) -> Void) { lock.lock(); body(self); lock.unlock() }
    }

    @Test func everyBadCaseEndsCleanly() throws {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.binary), "bptrace binary not found: \(CLI.binary)")
        #expect(Self.mazurSpec.contains("\"mazur-2015\""))
        let runs = Self.runs
        #expect(runs.count >= 150, "the sweep found only \(runs.count) runs: is Fuzz/seeds/ there?")
        let findings = Findings()
        // Three runs at a time: most are short, the machine has 2 cores.
        let stripes = 3
        DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
            for r in runs.enumerated().filter({ $0.offset % stripes == stripe }).map(\.element) {
                let result: (status: Int32, stderr: String)
                do { result = try Self.sweep(r) } catch {
                    findings.add { $0.offenders.append("\(r.key): could not run: \(error)") }
                    continue
                }
                let bad = result.status >= 128 || result.status == 124
                let what = result.status == 124 ? "timed out after \(Self.timeLimit) s" : "exit \(result.status)"
                findings.add { f in
                    if Self.pendingFixes[r.key] != nil {
                        if bad { f.stillPending.append(r.key) } else { f.fixed.append(r.key) }
                    } else if bad {
                        f.offenders.append("\(r.key): \(what): \(result.stderr.split(separator: "\n").last ?? "")")
                    }
                }
            }
        }
        let offenders = findings.offenders.sorted()
        #expect(offenders.isEmpty, "\(offenders.count) runs crashed, were killed or hung (exit >= 128 or 124):\n\(offenders.joined(separator: "\n"))")
        // A pending case that passes now: its fix landed; delete it from pendingFixes.
        if !findings.fixed.isEmpty { print("BadCaseSweepTests: fixed now, delete from pendingFixes: \(findings.fixed.sorted())") }
        #expect(Set(Self.pendingFixes.keys).isSubset(of: Set(runs.map(\.key))), "pendingFixes names a case that is not in the sweep")
    }

    /// The limits are applied: the shell under the same wrapper sees the 2 GiB address space, a
    /// process that allocates past it fails by itself, and one that sleeps past the time limit
    /// is stopped with 124.
    @Test func limitsAreEnforced() throws {
        let dir = try CLI.scratch("limits")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ulimit = try Self.launch(["/bin/sh", "-c", "ulimit -v"], in: dir)
        #expect(ulimit.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2097152")
        let hog = try Self.launch(["/usr/bin/python3", "-c", "bytearray(3 * 2**30)"], in: dir)
        #expect(hog.status == 1 && hog.stderr.contains("MemoryError"), "\(hog)")
        let sleeper = try Self.launch(["/bin/sleep", "30"], in: dir, seconds: 1)
        #expect(sleeper.status == 124)
    }
}
