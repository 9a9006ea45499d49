#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable buffer of CSV bytes, appended through a raw pointer: no bounds, uniqueness or
/// reference-count checks per byte, which is what a trace of millions of rows spends its time
/// on otherwise (docs/BENCHMARKS.md, "CSV against the floor").
final class CSVBytes: TextOutputStream {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 17) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far (valid until the next append or `removeAll`).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    /// Exchanges the bytes (and room) of two buffers: how a full buffer is handed to the
    /// writer's I/O thread while its holder goes on with an empty one.
    func swapStorage(with other: CSVBytes) {
        // Plain assignments, not `swap(&…)`: an inout access to these properties would make
        // the compiler check exclusivity at run time on every append.
        let (b, n, c) = (base, count, capacity)
        base = other.base; count = other.count; capacity = other.capacity
        other.base = b; other.count = n; other.capacity = c
    }

    /// Counts `n` bytes the caller wrote at `base + count` (after `reserve`).
    @inline(__always) func didWrite(_ n: Int) { count += n }

    /// Makes room for `n` more bytes.
    @inline(__always) func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private func grow(to needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh; capacity = c
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let p = bytes.baseAddress else { return }
        reserve(bytes.count)
        memcpy(base + count, p, bytes.count)
        count += bytes.count
    }

    @inline(__always) func append(byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// A non-negative integer in decimal (a negative one is written as 0: rows, columns, steps
    /// and layers are never negative).
    func append(_ n: Int) {
        reserve(20)
        count = CSVBytes.write(max(n, 0), at: base + count) - base
    }

    /// A non-negative integer in decimal at `p` (room for 20 bytes); returns the byte after it.
    @inline(__always) static func write(_ n: Int, at p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        if n < 10 { p.pointee = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n); return p + 1 }
        let digits = CSVBytes.digits(n)
        var v = n, i = digits - 1
        while i >= 0 { p[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10); v /= 10; i -= 1 }
        return p + digits
    }

    /// The number of decimal digits of a non-negative integer.
    static func digits(_ n: Int) -> Int {
        var d = 1, t = n
        while t >= 10 { t /= 10; d += 1 }
        return d
    }

    /// `v` as the shortest decimal that reads back to exactly `v`: the same text as
    /// `v.description` (`ShortestDouble`).
    @inline(__always) func append(_ v: Double) {
        reserve(ShortestDouble.maxBytes)
        count += ShortestDouble.write(v, to: base + count)
    }

    func write(_ string: String) {
        var s = string
        s.withUTF8 { append($0) }
    }

    func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { append(buffer) }
}
