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
/// large chunks; a stream of large chunks (the CSV trace) can be written behind
/// (`writeBehind`): the C library's I/O thread writes one chunk while the next is being built.
public final class OutputFile {
    public let destination: String
    public let temporaryPath: String
    private let overwrite: Bool
    private let transaction: OutputTransaction?
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let chunk = 1 << 16
    private var closed = false
    /// Bytes written or on their way: where the next bytes go (every write is positioned).
    private var position = 0
    /// The request of the chunk the I/O thread is writing (`flying`), if any.
    private var inFlight: UnsafeMutablePointer<aiocb>?

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
        if buffer.isEmpty && bytes.count >= chunk { return try writeNow(bytes) }
        buffer.append(contentsOf: bytes)
        if buffer.count >= chunk { try flush() }
    }

    /// Hands the bytes of `bytes` to the C library's I/O thread (POSIX AIO), to be written after
    /// everything before them, and leaves `bytes` empty to fill meanwhile (with the room of the
    /// chunk handed over last time, once that is written). At most one chunk is in flight; any
    /// error surfaces here or at the next write, flush or commit. Each chunk goes to its own
    /// position in the file, so the file's bytes do not depend on timing.
    func writeBehind(_ bytes: CSVBytes) throws {
        try flush()                                     // earlier bytes first; waits for the chunk in flight
        guard bytes.count > 0 else { return }
        flying.swapStorage(with: bytes)
        bytes.removeAll()
        let request = UnsafeMutablePointer<aiocb>.allocate(capacity: 1)
        request.initialize(to: aiocb())
        request.pointee.aio_fildes = fd
        request.pointee.aio_buf = UnsafeMutableRawPointer(flying.base)
        request.pointee.aio_nbytes = flying.count
        request.pointee.aio_offset = off_t(position)
        if aio_write(request) != 0 {                    // not queued: written here instead
            request.deallocate()
            return try writeNow(flying.bytes)
        }
        inFlight = request
        position += flying.count
    }

    /// The bytes of the chunk in flight (their room is reused for the chunk after next).
    private let flying = CSVBytes(capacity: 64)

    /// Waits until the chunk in flight is written; finishes a short write here.
    private func waitForInFlight() throws {
        guard let done = collectInFlight() else { return }
        var e = done.error
        if e == 0 && done.written < flying.count {
            e = FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: flying.bytes[done.written...]), at: done.start + done.written)
        }
        if e != 0 {
            abort()
            throw OutputError(.io, "error writing \(destination): \(FileSystem.reason(e))")
        }
    }

    /// Waits for the I/O thread to finish the chunk in flight, if any, and frees its request:
    /// its error (0 if none), the bytes it wrote and where the chunk starts.
    private func collectInFlight() -> (error: Int32, written: Int, start: Int)? {
        guard let request = inFlight else { return nil }
        inFlight = nil
        var list: [UnsafePointer<aiocb>?] = [UnsafePointer(request)]
        while aio_error(request) == EINPROGRESS { _ = aio_suspend(&list, 1, nil) }
        let e = aio_error(request), written = aio_return(request), start = Int(request.pointee.aio_offset)
        request.deinitialize(count: 1)
        request.deallocate()
        return (e, max(written, 0), start)
    }

    /// Writes `bytes` at the current position, after the chunk in flight.
    private func writeNow(_ bytes: UnsafeRawBufferPointer) throws {
        guard !closed else { throw OutputError(.io, "internal error: \(destination) written after it was closed") }
        try waitForInFlight()
        let e = FileSystem.writeAll(fd, bytes, at: position)
        if e != 0 {
            abort()
            throw OutputError(.io, "error writing \(destination): \(FileSystem.reason(e))")
        }
        position += bytes.count
    }

    public func write(_ string: String) throws {
        var s = string
        s.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= chunk { try flush() }
    }

    public func flush() throws {
        try buffer.withUnsafeBytes { try writeNow($0) }
        buffer.removeAll(keepingCapacity: true)
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
        _ = collectInFlight()                           // the I/O thread must be done with the bytes
        close(fd)
        removeTemporary()
    }

    private func removeTemporary() {
        unlink(temporaryPath)
        CleanupRegistry.unregister(temporaryPath)
    }
}
