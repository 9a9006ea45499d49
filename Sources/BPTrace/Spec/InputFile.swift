import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the files bptrace is given (spec, fixture, data CSV) with a size limit, so that a huge
/// or endless file (`/dev/zero`) is refused after at most `maximumBytes` bytes instead of
/// filling memory.
public enum InputFile {
    /// 64 MiB: far above any spec, fixture or data set a teaching network needs.
    public static let maximumBytes = 64 << 20
    public static let limitText = "64 MiB"

    public enum Failure: Error, Equatable {
        case missing
        case unreadable(String)
        case isDirectory
        /// Not a regular file (a device, FIFO or socket) where one is required.
        case notRegular
        case tooLarge
    }

    /// The file's bytes, or why not. With `regularOnly`, devices, FIFOs and sockets are refused
    /// before anything is read (a FIFO is opened without blocking).
    public static func read(path: String, limit: Int = maximumBytes, regularOnly: Bool = false) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        guard fd >= 0 else {
            let e = errno
            return .failure(e == ENOENT || e == ENOTDIR ? .missing : e == EISDIR ? .isDirectory : .unreadable(String(cString: strerror(e))))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        let type = st.st_mode & S_IFMT
        if type == S_IFDIR { return .failure(.isDirectory) }
        if regularOnly && type != S_IFREG { return .failure(.notRegular) }
        if type == S_IFREG && Int(st.st_size) > limit { return .failure(.tooLarge) }
        var out: [UInt8] = []
        if type == S_IFREG { out.reserveCapacity(Int(st.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            if out.count + n > limit { return .failure(.tooLarge) }
            out.append(contentsOf: chunk[0..<n])
        }
        return .success(out)
    }

    /// The bytes of a file, failures turned into `SpecError`s at `keyPath` that name the file
    /// as `shownAs` (escaped) and say what kind of file (`what`: "spec file", "data file").
    public static func bytes(path: String, shownAs: String, what: String, keyPath: String, regularOnly: Bool = false) throws -> [UInt8] {
        let name = SafeText.truncated(shownAs, limit: 200)
        switch read(path: path, regularOnly: regularOnly) {
        case .success(let b): return b
        case .failure(.missing): throw SpecError(keyPath, "the \(what) \(name) does not exist", kind: .missingFile)
        case .failure(.unreadable(let why)): throw SpecError(keyPath, "cannot read the \(what) \(name): \(why)", kind: .missingFile)
        case .failure(.isDirectory): throw SpecError(keyPath, "the \(what) \(name) is a folder, not a file", kind: .missingFile)
        case .failure(.notRegular): throw SpecError(keyPath, "the \(what) \(name) is not a regular file (a device, pipe or socket)")
        case .failure(.tooLarge): throw SpecError(keyPath, "the \(what) \(name) is larger than \(limitText), the limit for input files")
        }
    }

    /// UTF-8 text of `bytes` (a leading byte-order mark dropped), or a `SpecError`.
    public static func text(_ bytes: [UInt8], shownAs: String, what: String, keyPath: String) throws -> String {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        guard let s = String(validating: body, as: UTF8.self) else {
            throw SpecError(keyPath, "the \(what) \(SafeText.truncated(shownAs, limit: 200)) is not UTF-8 text")
        }
        return s
    }
}
