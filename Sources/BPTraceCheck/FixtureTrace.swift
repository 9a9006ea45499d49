import BPTrace
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fixture's `"trace": "student.csv"`: a student's trace kept with the fixture, so that an
/// instructor can keep a class's submissions as fixtures (docs/CHECKING.md, "The trace a
/// student submits"). The path is relative to the fixture's folder and, like a spec's data CSV,
/// must stay inside it unless `--allow-outside-data` is given. The trace's bad lines are kept
/// as its problems; only a file that cannot be read as a trace at all is a fixture error.
enum FixtureTrace {
    static let hint = "a trace must be inside the fixture's folder; pass --allow-outside-data to read it anyway"

    /// Reads the trace the node names, for `spec`. Throws `SpecError`s at `trace`.
    static func load(_ node: Node, baseDirectory: String, spec: NetworkSpec, dataAccess: DataAccess) throws -> StudentTrace {
        guard case .string(let rel) = node.value else {
            throw SpecError(node.path, "expected the trace's file name, e.g. \"student.csv\" (relative to the fixture), found \(node.value.kindDescription)")
        }
        let path = try resolve(rel, baseDirectory: baseDirectory, access: dataAccess)
        // Messages name the file as the user would find it: the fixture's folder joined with the name.
        let shown = rel.hasPrefix("/") || baseDirectory == "." ? rel : (baseDirectory as NSString).appendingPathComponent(rel)
        do {
            return try StudentTraceReader.read(file: path, shownAs: shown, spec: spec, regularOnly: true)
        } catch let e as StudentTraceError {
            throw SpecError(node.path, e.description, kind: e.kind == .missingFile ? .missingFile : .invalid)
        }
    }

    /// The path to open for `file` relative to `baseDirectory`, or a `SpecError` at `trace` when
    /// `access` forbids it (the rule of a spec's data CSV, docs/SPEC.md "Limits").
    static func resolve(_ file: String, baseDirectory: String, access: DataAccess) throws -> String {
        let shown = SafeText.truncated(file, limit: 200)
        guard !file.isEmpty else { throw SpecError("trace", "expected a file name, found an empty string") }
        guard !file.unicodeScalars.contains("\0") else { throw SpecError("trace", "the file name \(shown) contains a NUL character") }
        let full = file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
        guard access == .specFolderOnly else { return full }
        if file.hasPrefix("/") { throw SpecError("trace", "the trace \(shown) is an absolute path: \(hint)") }
        if file.split(separator: "/").contains("..") { throw SpecError("trace", "the trace \(shown) goes up a folder (..): \(hint)") }
        guard let folder = realPath(baseDirectory) else {
            throw SpecError("trace", "the fixture's folder \(SafeText.truncated(baseDirectory, limit: 200)) cannot be resolved", kind: .missingFile)
        }
        // A file that does not exist is reported as missing by the reader.
        guard let target = realPath(full) else { return full }
        // The folder itself is left to the reader, which says it is a folder.
        guard target == folder || target.hasPrefix(folder == "/" ? "/" : folder + "/") else {
            throw SpecError("trace", "the trace \(shown) leads outside the fixture's folder through a symbolic link: \(hint)")
        }
        return target
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
