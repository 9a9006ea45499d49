import Foundation

/// Runs the built `bptrace` executable as a user would, from a scratch folder.
struct CLI {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// The `bptrace` binary beside the test bundle (both live in the build products folder).
    static let binary: String = {
        if let env = ProcessInfo.processInfo.environment["BPTRACE_BIN"] { return env }
        var dir = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("bptrace").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "bptrace-binary-not-found"
    }()

    static func run(_ args: [String], in dir: String) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
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
}
