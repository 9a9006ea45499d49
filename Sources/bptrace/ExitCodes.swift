import ArgumentParser
import Foundation
import BPTrace
import BPTraceRenderers
#if canImport(Glibc)
import Glibc
#endif

/// The documented exit codes (see `bptrace --help`).
enum Exit {
    static let nonFinite = ExitCode(1)
    static let usage = ExitCode(64)
    static let invalidSpec = ExitCode(65)
    static let missingInput = ExitCode(66)
    static let cannotCreate = ExitCode(73)
    static let io = ExitCode(74)
}

/// Prints `bptrace: error: message` to stderr, control and invisible formatting characters
/// escaped (a message may quote a file's name or a column's name).
func printError(_ message: String) {
    var stderr = StandardError()
    print("bptrace: error: \(SafeText.escaped(message))", to: &stderr)
}

/// Prints a note to stderr.
func printNote(_ message: String) {
    var stderr = StandardError()
    print("bptrace: \(SafeText.escaped(message, keepNewlines: true))", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

/// Loads the spec named by `--spec` or `--preset`, turning spec errors into messages and exit codes.
func loadSpec(preset: String?, specPath: String?, dataAccess: DataAccess = .specFolderOnly) throws -> NetworkSpec {
    do {
        if let specPath { return try SpecParser.load(path: specPath, dataAccess: dataAccess) }
        return try Presets.spec(named: preset ?? Presets.defaultName)
    } catch let e as SpecError {
        let origin = specPath.map { "\($0): " } ?? ""
        printError(origin + e.description)
        throw e.kind == .missingFile ? Exit.missingInput : (e.path == "--preset" ? Exit.usage : Exit.invalidSpec)
    }
}
