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
        // The key prefix "step,layer,quantity," is the same for every cell of the block.
        let prefix = Array("\(block.step),\(block.layer),\(block.quantity.rawValue),".utf8)
        let suffix = Array(",\(block.stage.rawValue)\n".utf8)
        var line: [UInt8] = []
        line.reserveCapacity(64)
        for r in 0..<m.rows {
            for c in 0..<m.cols {
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: prefix)
                appendInt(r + 1, to: &line); line.append(UInt8(ascii: ","))
                appendInt(c + 1, to: &line); line.append(UInt8(ascii: ","))
                var v = CSVTraceWriter.format(m[r, c])
                v.withUTF8 { line.append(contentsOf: $0) }
                line.append(contentsOf: suffix)
                try file.write(line)
            }
        }
    }

    public func finish(_ outcome: TraceOutcome) throws { try file.commit() }

    /// The shortest decimal that reads back to exactly `v` (Swift's description is shortest
    /// round-trip, like Python's repr: `0.3775`, `1e-05`).
    public static func format(_ v: Double) -> String { v.description }

    private func appendInt(_ n: Int, to line: inout [UInt8]) {
        if n < 10 { line.append(UInt8(ascii: "0") + UInt8(n)); return }
        line.append(contentsOf: Array(String(n).utf8))
    }
}
