import BPTrace
import Foundation

/// Writes the trace as the tidy CSV of docs/SPEC.md, "The trace": one row per scalar,
/// `step,layer,quantity,row,col,value` then `stage`, values as the shortest decimal that reads
/// back to the same Float64, or with `decimals` rounded to that many decimals (`run --decimals`).
/// Streams block by block; memory does not grow with the steps.
public final class CSVTraceWriter: TraceSink {
    public static let header = "step,layer,quantity,row,col,value,stage\n"
    private let file: OutputFile
    /// Nil: full precision (shortest round-trip). Else fixed decimals (`rounded(_:decimals:)`).
    public let decimals: Int?

    public init(file: OutputFile, decimals: Int? = nil) { self.file = file; self.decimals = decimals }

    public func begin(_ run: TraceRun) throws { try file.write(CSVTraceWriter.header) }

    public func receive(_ block: TraceBlock) throws {
        // The block's rows are built in a byte buffer and written in one call; values go in
        // without a String each. The buffers are kept between blocks so their capacity is reused.
        var out = scratch, key = keyScratch
        scratch = RowBuffer(); keyScratch = RowBuffer()
        defer { scratch = out; keyScratch = key }
        out.bytes.removeAll(keepingCapacity: true)
        // "step,layer,quantity," is the same for every cell of the block.
        key.bytes.removeAll(keepingCapacity: true)
        key.append(block.step); key.append(","); key.append(block.layer); key.append(",")
        key.write(block.quantity.rawValue); key.append(",")
        // ",stage\n" ends every row of the block too.
        var tail = RowBuffer()
        tail.append(","); tail.append(block.stage.rawValue); tail.append("\n")
        let m = block.matrix, cols = m.cols, decimals = self.decimals
        // Unsafe views of the key, tail and values: no retain/release of the arrays per cell.
        m.values.withUnsafeBufferPointer { values in
            key.bytes.withUnsafeBufferPointer { keyBytes in
                tail.bytes.withUnsafeBufferPointer { tailBytes in
                    for r in 0..<m.rows {
                        for c in 0..<cols {
                            out.bytes.append(contentsOf: keyBytes)
                            out.append(r + 1); out.append(",")
                            out.append(c + 1); out.append(",")
                            let v = values[r * cols + c]
                            if let decimals {
                                out.write(CSVTraceWriter.rounded(v, decimals: decimals))
                            } else {
                                v.write(to: &out)      // Swift's shortest round-trip form, as `description`
                            }
                            out.bytes.append(contentsOf: tailBytes)
                        }
                    }
                }
            }
        }
        try file.write(out.bytes)
    }

    private var scratch = RowBuffer(), keyScratch = RowBuffer()

    public func finish(_ outcome: TraceOutcome) throws { try file.commit() }

    /// The shortest decimal that reads back to exactly `v` (Swift's description is shortest
    /// round-trip, like Python's repr: `0.3775`, `1e-05`).
    public static func format(_ v: Double) -> String { v.description }

    /// `v` rounded to `decimals` decimals, always written with exactly that many (`%.Nf`:
    /// 0.75136507 → `0.7514` at 4, 1e-05 → `0.0000`, 2 → `2.0000`), so every cell of a template
    /// shows the same precision. The binary value is rounded correctly (ties to even, as C's
    /// printf and Python's round do). A value that rounds to zero is written `0.0000`, never
    /// `-0.0000`.
    public static func rounded(_ v: Double, decimals: Int) -> String {
        let s = String(format: "%.\(decimals)f", v)
        guard s.hasPrefix("-"), s.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) else { return s }
        return String(s.dropFirst())
    }
}

/// Bytes of CSV rows. As a `TextOutputStream` it takes a Double's text straight from the
/// standard library's formatter (`_writeASCII`), without making a String.
struct RowBuffer: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

    mutating func append(_ ascii: Unicode.Scalar) { bytes.append(UInt8(ascii.value)) }

    /// A non-negative integer in decimal.
    mutating func append(_ n: Int) {
        if n < 10 { bytes.append(UInt8(ascii: "0") &+ UInt8(n)); return }
        var power = 10
        while power <= n / 10 { power *= 10 }          // the largest power of ten <= n
        var v = n
        while power > 0 { bytes.append(UInt8(ascii: "0") &+ UInt8(v / power)); v %= power; power /= 10 }
    }
}
