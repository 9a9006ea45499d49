#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The platform's `write(2)` (the name is shadowed by `write` methods elsewhere).
@inline(__always) func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
#if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
#elseif canImport(Darwin)
    return Darwin.write(fd, buffer, count)
#endif
}

/// Low-level file operations of the output code: no call here follows a symbolic link that
/// someone else could have planted.
public enum FileSystem {
    /// `strerror(errno)` as a String.
    static func reason(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// What is at `path` without following a final symbolic link.
    enum Kind { case none, file, directory, link, other }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .none }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .link
        default: return .other
        }
    }

    /// Writes all of `bytes` to `fd` at byte `position` (pwrite: the descriptor's own offset is
    /// not used), retrying on EINTR; returns errno on failure, 0 on success.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at position: Int) -> Int32 {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(position + done))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return 0
    }

    /// Writes all of `bytes` to `fd`, retrying on EINTR; returns errno on failure, 0 on success.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    // MARK: renameat2

    private typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// Linux's renameat2(2), looked up at run time (Glibc's Swift module does not export it).
    private static let renameat2: Renameat2? = {
#if os(Linux)
        guard let sym = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(sym, to: Renameat2.self)
#else
        return nil
#endif
    }()
    private static let noReplace: UInt32 = 1, exchange: UInt32 = 2

    /// Renames `from` to `to` only if nothing (not even a dangling link) is at `to`: returns 0 or
    /// errno (EEXIST when `to` exists). Uses renameat2(RENAME_NOREPLACE); where the file system
    /// does not support it, link()+unlink() for a file (atomic too), a check-then-rename for a
    /// folder (the one case with a window).
    static func renameNoReplace(_ from: String, _ to: String) -> Int32 {
        if let f = renameat2 {
            if f(AT_FDCWD, from, AT_FDCWD, to, noReplace) == 0 { return 0 }
            let e = errno
            if e != EINVAL && e != ENOSYS && e != ENOTSUP { return e }
        }
        if kind(from) == .directory {
            if kind(to) != .none { return EEXIST }
            return rename(from, to) == 0 ? 0 : errno
        }
        if link(from, to) != 0 { return errno }
        unlink(from)
        return 0
    }

    /// Swaps `a` and `b` atomically (renameat2 RENAME_EXCHANGE): 0, errno, or nil when the
    /// system or file system cannot exchange.
    static func exchange(_ a: String, _ b: String) -> Int32? {
        guard let f = renameat2 else { return nil }
        if f(AT_FDCWD, a, AT_FDCWD, b, exchange) == 0 { return 0 }
        let e = errno
        return (e == EINVAL || e == ENOSYS || e == ENOTSUP) ? nil : e
    }

    // MARK: Removing

    /// Removes `path`: a file or link is unlinked (a link's target is untouched), a folder is
    /// emptied and removed without following any link inside it. Best effort, silent.
    public static func removeTree(_ path: String) {
        switch kind(path) {
        case .none: return
        case .directory:
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 { removeContents(fd) }
            rmdir(path)
        default: unlink(path)
        }
    }

    /// Removes everything inside the open folder `fd` (and closes it).
    private static func removeContents(_ fd: Int32) {
        guard let dir = fdopendir(fd) else { close(fd); return }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names {
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub >= 0 { removeContents(sub) }
                unlinkat(fd, name, AT_REMOVEDIR)
            } else {
                unlinkat(fd, name, 0)
            }
        }
    }

    /// The names in a folder (not following a link at `path`), or nil.
    static func entries(_ path: String) -> [String]? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, let dir = fdopendir(fd) else { if fd >= 0 { close(fd) }; return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
