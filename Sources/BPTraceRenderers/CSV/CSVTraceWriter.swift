import BPTrace
import Foundation

/// Writes the trace as the tidy CSV of docs/SPEC.md, "The trace": one row per scalar,
/// `step,layer,quantity,row,col,value` then `stage`, values as the shortest decimal that reads
/// back to the same Float64, or with `decimals` rounded to that many decimals (`run --decimals`).
/// Streams block by block (rows by `TraceRowEncoder`); memory does not grow with the steps.
public final class CSVTraceWriter: TraceSink {
    public static let header = "step,layer,quantity,row,col,value,stage\n"
    private let file: OutputFile
    /// Nil: full precision (shortest round-trip). Else fixed decimals (`rounded(_:decimals:)`).
    public let decimals: Int?

    public init(file: OutputFile, decimals: Int? = nil) {
        self.file = file; self.decimals = decimals
        rows = TraceRowEncoder(decimals: decimals)
    }

    public func begin(_ run: TraceRun) throws { try file.write(CSVTraceWriter.header) }

    public func receive(_ block: TraceBlock) throws {
        rows.append(block, to: out)
        if out.count >= CSVTraceWriter.flushSize { try file.writeBehind(out) }
    }

    /// A whole step, read in place from the trainer's store (the trace runner's usual call).
    public func receive(step result: StepResult, run: RunID) throws {
        for p in result.plan {
            rows.append(p, of: result, to: out)
            if out.count >= CSVTraceWriter.flushSize { try file.writeBehind(out) }
        }
    }

    /// The rows go to the file in chunks of about this many bytes, each written by the C
    /// library's I/O thread while the next is built (`OutputFile.writeBehind`).
    static let flushSize = 1 << 20
    private let rows: TraceRowEncoder
    private let out = CSVBytes(capacity: CSVTraceWriter.flushSize * 2)

    public func finish(_ outcome: TraceOutcome) throws {
        try file.write(out.bytes)
        out.removeAll()
        try file.commit()
    }

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
