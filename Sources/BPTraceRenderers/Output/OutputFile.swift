#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A write to an output file that fails: the message names the file and the reason.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case exists, cannotCreate, io }
    public let kind: Kind
    public let message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

/// An output file written to a temporary name beside its destination and renamed into place
/// only by `commit()`, so a failed or interrupted run never leaves a half-written file.
/// Bytes are buffered and written in large chunks.
public final class OutputFile {
    public let destination: String
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let chunk = 1 << 16
    private var closed = false

    /// Opens a temporary file beside `destination`. Fails if `destination` exists and
    /// `overwrite` is false, or if the folder is missing or not writable.
    public init(destination: String, overwrite: Bool) throws {
        self.destination = destination
        let dir = (destination as NSString).deletingLastPathComponent
        let base = (destination as NSString).lastPathComponent
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\(base).partial-\(getpid())"
        try OutputFile.checkDestination(destination, overwrite: overwrite)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw OutputError(.cannotCreate, "cannot write to the folder \(dir.isEmpty ? "." : dir): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(chunk * 2)
    }

    /// Throws when `destination` exists and may not be overwritten, or is a folder.
    public static func checkDestination(_ destination: String, overwrite: Bool) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDir) {
            if isDir.boolValue { throw OutputError(.exists, "\(destination) is a folder; cannot write a file there") }
            if !overwrite { throw OutputError(.exists, "\(destination) exists; add --force to overwrite it") }
        }
    }

    deinit { if !closed { abort() } }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { try flush() }
    }

    public func write(_ string: String) throws {
        var s = string
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= chunk { try flush() }
    }

    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, buffer.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(.io, "error writing \(destination): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        try flush()
        closed = true
        if close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(.io, "error writing \(destination): \(reason)")
        }
        try OutputFile.moveIntoPlace(temporaryPath, destination)
    }

    /// Renames a finished temporary file onto its destination, removing it on failure.
    public static func moveIntoPlace(_ temporary: String, _ destination: String) throws {
        if rename(temporary, destination) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw OutputError(.io, "cannot move the finished file into place at \(destination): \(reason)")
        }
    }

    /// Closes and deletes the temporary file; the destination is untouched.
    public func abort() {
        guard !closed else { return }
        closed = true
        close(fd)
        unlink(temporaryPath)
    }
}

