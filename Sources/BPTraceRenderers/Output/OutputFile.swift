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

/// An output file written to a fresh temporary name beside its destination
/// (`.NAME.partial-PID-RANDOM`, created O_EXCL|O_NOFOLLOW, see `TemporaryName`) and moved into
/// place only by `commit()`, so a failed or interrupted run never leaves a half-written file.
/// With a transaction, `commit()` only finishes the file and stages it; the transaction moves
/// it into place together with the run's other outputs. Bytes are buffered and written in
/// large chunks.
public final class OutputFile {
    public let destination: String
    public let temporaryPath: String
    private let overwrite: Bool
    private let transaction: OutputTransaction?
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let chunk = 1 << 16
    private var closed = false

    /// Opens a temporary file beside `destination`. Fails if `destination` exists and
    /// `overwrite` is false (or is a folder), or if the folder is missing or not writable.
    public init(destination: String, overwrite: Bool, transaction: OutputTransaction? = nil) throws {
        self.destination = destination
        self.overwrite = overwrite
        self.transaction = transaction
        try OutputFile.checkDestination(destination, overwrite: overwrite)
        (temporaryPath, fd) = try TemporaryName.createFile(beside: destination)
        buffer.reserveCapacity(chunk * 2)
    }

    /// Throws when `destination` exists and may not be overwritten, or is a folder. A symbolic
    /// link counts as existing (even a dangling one); it is replaced, never written through.
    public static func checkDestination(_ destination: String, overwrite: Bool) throws {
        switch FileSystem.kind(destination) {
        case .none: return
        case .directory: throw OutputError(.exists, "\(destination) is a folder; cannot write a file there")
        default:
            if !overwrite { throw OutputError(.exists, "\(destination) exists; add --force to overwrite it") }
        }
    }

    deinit { abort() }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { try flush() }
    }

    /// Bytes the caller owns: copied into the buffer, or written straight through when the
    /// buffer is empty and they fill a chunk (no copy of large blocks).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.isEmpty && bytes.count >= chunk {
            guard !closed else { throw OutputError(.io, "internal error: \(destination) written after it was closed") }
            let e = FileSystem.writeAll(fd, bytes)
            if e != 0 {
                abort()
                throw OutputError(.io, "error writing \(destination): \(FileSystem.reason(e))")
            }
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { try flush() }
    }

    public func write(_ string: String) throws {
        var s = string
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= chunk { try flush() }
    }

    public func flush() throws {
        guard !closed else { throw OutputError(.io, "internal error: \(destination) written after it was closed") }
        let e = buffer.withUnsafeBytes { FileSystem.writeAll(fd, $0) }
        buffer.removeAll(keepingCapacity: true)
        if e != 0 {
            abort()
            throw OutputError(.io, "error writing \(destination): \(FileSystem.reason(e))")
        }
    }

    /// Flushes and closes the file, then moves it into place (or stages it in the transaction).
    public func commit() throws {
        if let transaction { return try commit(into: transaction) }
        let t = OutputTransaction(overwrite: overwrite)
        try commit(into: t)
        try t.commit()
    }

    /// Flushes and closes the file and stages it in `transaction`.
    func commit(into transaction: OutputTransaction) throws {
        try flush()
        closed = true
        if close(fd) != 0 {
            let reason = FileSystem.reason()
            removeTemporary()
            throw OutputError(.io, "error writing \(destination): \(reason)")
        }
        transaction.stageFile(temporaryPath, as: destination)
    }

    /// Closes and deletes the temporary file; the destination is untouched.
    public func abort() {
        guard !closed else { return }
        closed = true
        close(fd)
        removeTemporary()
    }

    private func removeTemporary() {
        unlink(temporaryPath)
        CleanupRegistry.unregister(temporaryPath)
    }
}
