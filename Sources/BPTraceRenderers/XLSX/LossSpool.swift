#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The loss (and cost) of every step, kept in an anonymous temporary file rather than in
/// memory, so the Overview table can list any number of steps while the writer's memory stays
/// flat: 8 or 16 bytes per step go to disk, a 4,096-record buffer stays in memory.
final class LossSpool {
    /// Doubles per record: loss, and cost when the run has an L2 term.
    let stride: Int
    private let fd: Int32
    private var buffer: [Double] = []
    private var written = 0   // records on disk
    private let chunk = 4_096

    /// The number of records appended.
    var count: Int { written + buffer.count / stride }

    convenience init(hasCost: Bool) throws { try self.init(stride: hasCost ? 2 : 1) }

    /// A spool of `stride` doubles per record (the Overview's mean |delta(l)| table uses one per layer).
    init(stride: Int) throws {
        self.stride = stride
        var template = Array((NSTemporaryDirectory() + "/bptrace-loss-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(.io, "cannot create a temporary file in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }   // anonymous from now on
        self.fd = fd
        buffer.reserveCapacity(chunk * stride)
    }

    deinit { close(fd) }

    func append(loss: Double, cost: Double?) throws {
        buffer.append(loss)
        if stride == 2 { buffer.append(cost ?? .nan) }
        if buffer.count >= chunk * stride { try flush() }
    }

    /// Appends one record of `stride` doubles.
    func append(_ values: [Double]) throws {
        precondition(values.count == stride)
        buffer.append(contentsOf: values)
        if buffer.count >= chunk * stride { try flush() }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        let bytes = buffer.count * MemoryLayout<Double>.size
        var offset = 0
        while offset < bytes {
            let n = buffer.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, bytes - offset, off_t(written * stride * 8 + offset)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(.io, "cannot write the temporary loss table: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        written += buffer.count / stride
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads records `start ..< start + count` (0-based) into `out` (cleared first), `stride`
    /// doubles per record.
    func read(_ start: Int, _ count: Int, into out: inout [Double]) throws {
        try flush()
        out.removeAll(keepingCapacity: true)
        guard count > 0 else { return }
        out = [Double](repeating: 0, count: count * stride)
        let bytes = count * stride * 8
        var offset = 0
        while offset < bytes {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, bytes - offset, off_t(start * stride * 8 + offset)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw OutputError(.io, "cannot read the temporary loss table: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// A reader for ascending record numbers, refilling its buffer 4,096 records at a time.
    struct Cursor {
        let spool: LossSpool
        private var buffer: [Double] = []
        private var bufferStart = 0
        private var bufferCount = 0
        init(_ spool: LossSpool) { self.spool = spool }

        /// The `stride` doubles of record `i` (0-based).
        mutating func record(_ i: Int) throws -> ArraySlice<Double> {
            _ = try read(i)
            let j = (i - bufferStart) * spool.stride
            return buffer[j ..< j + spool.stride]
        }

        /// (loss, cost) of record `i` (0-based).
        mutating func read(_ i: Int) throws -> (Double, Double?) {
            if i < bufferStart || i >= bufferStart + bufferCount {
                bufferStart = i
                bufferCount = min(4_096, spool.count - i)
                try spool.read(i, bufferCount, into: &buffer)
            }
            let j = (i - bufferStart) * spool.stride
            return (buffer[j], spool.stride == 2 ? buffer[j + 1] : nil)
        }
    }
}
