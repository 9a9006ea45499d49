import BPTrace

/// Writes the trace as the tidy CSV of CONTRACT.md §3: one row per scalar,
/// `step,layer,quantity,row,col,value` then `stage`, values as the shortest decimal that reads
/// back to the same Float64. Streams block by block; memory does not grow with the steps.
public final class CSVTraceWriter: TraceSink {
    public static let header = "step,layer,quantity,row,col,value,stage\n"
    private let file: OutputFile

    public init(file: OutputFile) { self.file = file }

    public func begin(_ run: TraceRun) throws { try file.write(CSVTraceWriter.header) }

    public func receive(_ block: TraceBlock) throws {
        let m = block.matrix
        // The key prefix "step,layer,quantity," and the suffix ",stage\n" are the same for
        // every cell of the block.
        let prefix = Array("\(block.step),\(block.layer),\(block.quantity.rawValue),".utf8)
        let suffix = Array(",\(block.stage.rawValue)\n".utf8)
        let comma = [UInt8(ascii: ",")]
        for r in 0..<m.rows {
            for c in 0..<m.cols {
                file.append(prefix)
                file.append(r + 1); file.append(comma)
                file.append(c + 1); file.append(comma)
                file.append(m[r, c])
                file.append(suffix)
            }
            try file.flushIfFull()
        }
    }

    public func finish(_ outcome: TraceOutcome) throws { try file.commit() }

    /// The shortest decimal that reads back to exactly `v` (Swift's description is shortest
    /// round-trip, like Python's repr: `0.3775`, `1e-05`).
    public static func format(_ v: Double) -> String { v.description }
}
