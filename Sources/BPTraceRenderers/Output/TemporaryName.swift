#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Temporary names beside a destination: `.NAME.partial-PID-RANDOM` (RANDOM: 16 hex digits
/// from the system's random source), created exclusively, never through a link, and recorded
/// in `CleanupRegistry` so a signal removes them. The PID lets a later run recognise the
/// leftovers of a process that no longer exists (`removeStale`).
public enum TemporaryName {
    /// The tags bptrace uses: `partial` (being written), `old` (a replaced output, kept until
    /// the new one is in place).
    static let tags = ["partial", "old"]

    /// A fresh name `.BASE.TAG-PID-RANDOM` in the destination's folder.
    static func make(beside destination: String, tag: String = "partial", hidden: Bool = true) -> String {
        let dir = (destination as NSString).deletingLastPathComponent
        let base = (destination as NSString).lastPathComponent
        var g = SystemRandomNumberGenerator()
        let random = String(UInt64.random(in: 0...UInt64.max, using: &g), radix: 16)
        let padded = String(repeating: "0", count: 16 - random.count) + random
        if !hidden { return (dir.isEmpty ? "" : dir + "/") + "\(base)-\(getpid())-\(padded)" }
        return (dir.isEmpty ? "" : dir + "/") + ".\(base).\(tag)-\(getpid())-\(padded)"
    }

    private static func folderText(_ destination: String) -> String {
        let dir = (destination as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// Creates and opens a new temporary file beside `destination`
    /// (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0644 less the umask), retrying on a name clash.
    static func createFile(beside destination: String) throws -> (path: String, fd: Int32) {
        for _ in 0..<100 {
            let path = make(beside: destination)
            var fd: Int32 = -1
            CleanupRegistry.withSignalsBlocked {
                fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if fd >= 0 { CleanupRegistry.register(path, directory: false) }
            }
            if fd >= 0 { return (path, fd) }
            if errno == EEXIST { continue }
            throw OutputError(.cannotCreate, "cannot write to the folder \(folderText(destination)): \(FileSystem.reason())")
        }
        throw OutputError(.cannotCreate, "cannot find a free temporary name in the folder \(folderText(destination))")
    }

    /// Creates a new temporary folder beside `destination` with `mode` (0700 for private ones).
    static func createDirectory(beside destination: String, mode: mode_t, hidden: Bool = true) throws -> String {
        for _ in 0..<100 {
            let path = make(beside: destination, hidden: hidden)
            var ok = false
            CleanupRegistry.withSignalsBlocked {
                ok = mkdir(path, mode) == 0
                if ok { CleanupRegistry.register(path, directory: true) }
            }
            if ok { return path }
            if errno == EEXIST { continue }
            throw OutputError(.cannotCreate, "cannot write to the folder \(folderText(destination)): \(FileSystem.reason())")
        }
        throw OutputError(.cannotCreate, "cannot find a free temporary name in the folder \(folderText(destination))")
    }

    /// Creates a new file named `name` inside a temporary folder of ours (O_EXCL|O_NOFOLLOW),
    /// writes `bytes`, closes it. The file is recorded for removal on a signal.
    static func writeNewFile(_ path: String, _ bytes: [UInt8], shownAs: String) throws {
        var fd: Int32 = -1
        CleanupRegistry.withSignalsBlocked {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { CleanupRegistry.register(path, directory: false) }
        }
        guard fd >= 0 else { throw OutputError(.io, "error writing \(shownAs): \(FileSystem.reason())") }
        let e = bytes.withUnsafeBytes { FileSystem.writeAll(fd, $0) }
        let c = close(fd) == 0 ? 0 : errno
        if e != 0 || c != 0 { throw OutputError(.io, "error writing \(shownAs): \(FileSystem.reason(e != 0 ? e : c))") }
    }

    // MARK: Private folders under $TMPDIR

    /// The prefix of bptrace's private folders under $TMPDIR (libxlsxwriter's sheet files).
    static let privatePrefix = "bptrace-xlsx-"

    /// $TMPDIR without a trailing slash.
    static var temporaryRoot: String {
        var tmp = NSTemporaryDirectory()
        while tmp.count > 1 && tmp.hasSuffix("/") { tmp.removeLast() }
        return tmp
    }

    /// Creates `$TMPDIR/bptrace-xlsx-PID-RANDOM` with mode 0700, after removing such folders
    /// left by processes that no longer exist (a signal can strike while libxlsxwriter has a
    /// file in it: the handler removes only empty folders).
    static func createPrivateFolder() throws -> String {
        let root = temporaryRoot
        if let names = FileSystem.entries(root) {
            for name in names where name.hasPrefix(privatePrefix) {
                let parts = name.dropFirst(privatePrefix.count).split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2, parts[1].count == 16, parts[1].allSatisfy(\.isHexDigit),
                      let pid = pid_t(parts[0]), pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
                FileSystem.removeTree(root + "/" + name)
            }
        }
        return try createDirectory(beside: root + "/" + privatePrefix.dropLast(), mode: 0o700, hidden: false)
    }

    // MARK: Stale leftovers

    /// The PID in a name of bptrace's pattern for `base` (`.BASE.partial-PID-RANDOM`,
    /// `.BASE.old-PID-RANDOM`, or the older `.BASE.partial-PID` and `.BASE.tmp-PID`), else nil.
    static func ownerPID(_ name: String, base: String) -> pid_t? {
        let prefix = ".\(base)."
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        let tag = rest[..<dash]
        let parts = rest[rest.index(after: dash)...].split(separator: "-", omittingEmptySubsequences: false)
        let isDigits = { (s: Substring) in !s.isEmpty && s.count <= 10 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        let isRandom = { (s: Substring) in s.count == 16 && s.allSatisfy { $0.isHexDigit && !$0.isUppercase } }
        switch parts.count {
        case 2 where tags.contains(String(tag)) && isDigits(parts[0]) && isRandom(parts[1]): break
        case 1 where (tag == "partial" || tag == "tmp") && isDigits(parts[0]): break
        default: return nil
        }
        guard let pid = pid_t(parts[0]), pid > 0 else { return nil }
        return pid
    }

    /// Removes, in `folder`, the leftovers of bptrace runs that no longer exist (killed with
    /// SIGKILL, or a crash) for the destinations named `bases`: entries of bptrace's own
    /// pattern whose PID is not a live process (`kill(pid, 0)` fails with ESRCH). A link is
    /// unlinked, never followed. Returns the names removed.
    @discardableResult
    public static func removeStale(in folder: String, bases: [String]) -> [String] {
        guard let names = FileSystem.entries(folder.isEmpty ? "." : folder) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let pid = bases.lazy.compactMap({ ownerPID(name, base: $0) }).first, pid != getpid() else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }
            FileSystem.removeTree((folder as NSString).appendingPathComponent(name))
            removed.append(name)
        }
        return removed
    }
}
