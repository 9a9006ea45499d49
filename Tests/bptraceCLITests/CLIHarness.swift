import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every program the CLI tests start (`bptrace` itself, python3, sha256sum, /bin/true) is
/// started here, and only here.
///
/// Standard output and standard error go to temporary files, not pipes, so a program that
/// writes much to both never blocks on a full pipe; standard input is /dev/null.
enum Subprocess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// True when the program was ended by a signal; `status` is then the signal's number.
        var signaled = false
        var pid: Int32 = 0
    }

    /// Where a program's standard output or standard error goes.
    enum Destination {
        /// Collected into the result.
        case capture
        /// /dev/null.
        case discard
        /// A file opened for writing, e.g. `/dev/full`.
        case file(String)
    }

    /// A started program.
    final class Running {
        let process: Process
        private let outFile: String?, errFile: String?
        private var handles: [FileHandle]

        fileprivate init(_ process: Process, outFile: String?, errFile: String?, handles: [FileHandle]) {
            self.process = process; self.outFile = outFile; self.errFile = errFile; self.handles = handles
        }

        var pid: Int32 { process.processIdentifier }

        /// Waits for the program to end and collects what it wrote.
        func wait() -> Result {
            process.waitUntilExit()
            for h in handles { try? h.close() }
            handles = []
            func collect(_ path: String?) -> String {
                guard let path else { return "" }
                defer { try? FileManager.default.removeItem(atPath: path) }
                return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            }
            return Result(status: process.terminationStatus, stdout: collect(outFile), stderr: collect(errFile),
                          signaled: process.terminationReason == .uncaughtSignal, pid: process.processIdentifier)
        }
    }

    /// The full path of `program`: itself when it contains a `/`, else the first match on PATH.
    static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(program)") {
            return "\(dir)/\(program)"
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: program, NSLocalizedDescriptionKey: "\(program) is not on PATH"])
    }

    /// Starts `program` without waiting. `defaultSignals`: SIGINT and the others at their
    /// default action (through `env --default-signal`), as from a terminal, even when the test
    /// runner itself was started with them ignored.
    static func start(_ program: String, _ arguments: [String], in dir: String? = nil,
                      stdout: Destination = .capture, stderr: Destination = .capture,
                      defaultSignals: Bool = false) throws -> Running {
        let p = Process()
        let exe = try resolve(program)
        if defaultSignals {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["--default-signal", exe] + arguments
        } else {
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = arguments
        }
        if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
        p.standardInput = FileHandle.nullDevice
        var handles: [FileHandle] = []
        func open(_ d: Destination, _ suffix: String) throws -> (FileHandle, String?) {
            switch d {
            case .discard: return (FileHandle.nullDevice, nil)
            case .file(let path):
                guard let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
                handles.append(h)
                return (h, nil)
            case .capture:
                let path = NSTemporaryDirectory() + "/bptrace-cli-\(UUID().uuidString).\(suffix)"
                guard FileManager.default.createFile(atPath: path, contents: nil),
                      let h = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
                handles.append(h)
                return (h, path)
            }
        }
        let (out, outFile) = try open(stdout, "out")
        let (err, errFile) = try open(stderr, "err")
        p.standardOutput = out
        p.standardError = err
        try p.run()
        return Running(p, outFile: outFile, errFile: errFile, handles: handles)
    }

    /// Runs `program` and waits for it.
    static func run(_ program: String, _ arguments: [String], in dir: String? = nil,
                    stdout: Destination = .capture, stderr: Destination = .capture) throws -> Result {
        try start(program, arguments, in: dir, stdout: stdout, stderr: stderr).wait()
    }
}

/// Runs the built `bptrace` executable as a user would, from a scratch folder.
enum CLI {
    typealias Result = Subprocess.Result

    /// The `bptrace` binary beside the test bundle (both live in the build products folder;
    /// this target depends on the executable, so it is built first). `BPTRACE_BIN` overrides.
    static let binary: String = {
        if let env = ProcessInfo.processInfo.environment["BPTRACE_BIN"] { return env }
        var dir = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("bptrace").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "bptrace-binary-not-found-beside-\(ProcessInfo.processInfo.arguments[0])"
    }()

    /// The repository's root folder (Fixtures/, scripts/, Tests/).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs `bptrace args` in `dir` (the repository's root by default) and waits.
    static func run(_ args: [String], in dir: String = repoRoot) throws -> Result {
        try Subprocess.run(binary, args, in: dir)
    }

    /// Starts `bptrace args` in `dir` without waiting, signals at their default action.
    static func start(_ args: [String], in dir: String) throws -> Subprocess.Running {
        try Subprocess.start(binary, args, in: dir, stdout: .discard, stderr: .discard, defaultSignals: true)
    }

    /// A fresh empty folder under the system's temporary folder.
    static func scratch(_ name: String = "cli") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bptrace-test-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every file below `dir`, hidden ones too, as relative paths.
    static func files(in dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    /// The shipped fixtures' file names (`Fixtures/*.json`), sorted.
    static var shippedFixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: repoRoot + "/Fixtures")) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// A shipped fixture's text.
    static func fixtureText(_ name: String) throws -> String {
        try String(contentsOfFile: repoRoot + "/Fixtures/" + name, encoding: .utf8)
    }
}
