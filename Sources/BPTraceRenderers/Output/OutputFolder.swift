#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The folder outputs go to (`--out`), created if missing one component at a time. It
/// remembers the folders it created, so a run that fails removes exactly those (if still
/// empty) and leaves no trace, not even a chain of empty folders.
public final class OutputFolder {
    public let path: String
    /// The folders this run created, outermost first.
    public private(set) var created: [String] = []

    /// Makes sure `path` is a folder, creating missing components (mode 0777 less the umask).
    /// Throws `.cannotCreate` naming the component that failed; nothing created stays.
    public init(_ path: String) throws {
        self.path = path
        guard !path.isEmpty else { throw OutputError(.cannotCreate, "the output folder is an empty path") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw OutputError(.cannotCreate, "\(path) is a file, not a folder")
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if component == "." || component == ".." { continue }
            if mkdir(prefix, 0o777) == 0 { created.append(prefix); continue }
            let e = errno
            if e == EEXIST, FileManager.default.fileExists(atPath: prefix, isDirectory: &isDir), isDir.boolValue { continue }
            removeCreated()
            switch e {
            case EEXIST where FileSystem.kind(prefix) == .link:
                throw OutputError(.cannotCreate, "cannot create the folder \(path): \(prefix) is a symbolic link to a folder that does not exist")
            case EEXIST, ENOTDIR: throw OutputError(.cannotCreate, "cannot create the folder \(path): \(prefix) is a file, not a folder")
            case ENAMETOOLONG: throw OutputError(.cannotCreate, "cannot create the folder \(path): the path is too long (\(FileSystem.reason(e)))")
            default: throw OutputError(.cannotCreate, "cannot create the folder \(path): \(prefix): \(FileSystem.reason(e))")
            }
        }
    }

    /// Removes the folders this run created, innermost first, if they are empty.
    public func removeCreated() {
        for dir in created.reversed() { rmdir(dir) }
        created = []
    }

    /// Keeps the created folders (the run succeeded).
    public func keep() { created = [] }
}
