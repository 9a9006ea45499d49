import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a spec's data CSV may be read from.
///
/// A spec is often someone else's file (a student's fixture checked by a grader), so by default
/// its data file must lie inside the spec's own folder: relative, without `..`, and — after
/// symbolic links are followed — still below that folder. `--allow-outside-data` lifts this.
public enum DataAccess: Sendable, Equatable {
    /// Only files inside the spec's folder (the default).
    case specFolderOnly
    /// Any path, absolute or relative to the spec's folder.
    case anywhere
}

enum DataPath {
    /// The path to open for `file` (as written in the spec) relative to `baseDirectory`, or a
    /// `SpecError` at `data.csv` when `access` forbids it.
    static func resolve(_ file: String, baseDirectory: String, access: DataAccess) throws -> String {
        let shown = SafeText.truncated(file, limit: 200)
        guard !file.isEmpty else { throw SpecError("data.csv", "expected a file name, found an empty string") }
        guard !file.unicodeScalars.contains("\0") else { throw SpecError("data.csv", "the file name \(shown) contains a NUL character") }
        let full = file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
        guard access == .specFolderOnly else { return full }
        let hint = "data files must be inside the spec's folder; pass --allow-outside-data to read it anyway"
        if file.hasPrefix("/") {
            throw SpecError("data.csv", "the data file \(shown) is an absolute path: \(hint)")
        }
        if file.split(separator: "/").contains("..") {
            throw SpecError("data.csv", "the data file \(shown) goes up a folder (..): \(hint)")
        }
        guard let folder = realPath(baseDirectory) else {
            throw SpecError("data.csv", "the spec's folder \(SafeText.truncated(baseDirectory, limit: 200)) cannot be resolved", kind: .missingFile)
        }
        // A file that does not exist is reported as missing by the reader.
        guard let target = realPath(full) else { return full }
        guard target.hasPrefix(folder == "/" ? "/" : folder + "/") else {
            throw SpecError("data.csv", "the data file \(shown) leads outside the spec's folder through a symbolic link: \(hint)")
        }
        return target
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
