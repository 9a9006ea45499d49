import BPTrace
import Foundation

/// The rows of trace blocks in the CSV schema, `step,layer,quantity,row,col,value,stage`: the
/// one place that writes them, for the trace CSV and the compare CSV (which puts a `run`
/// column first). Values are the shortest decimal that reads back to the same Float64, or with
/// `decimals` that many decimals (`CSVTraceWriter.rounded`).
///
/// The text before a cell's row number is the same for every cell of a block and is built once
/// per block from pieces cached per step, per layer and quantity, and per stage, so a row costs
/// a few copies and one number format.
final class TraceRowEncoder {
    let decimals: Int?
    /// "layer,quantity," for every layer seen and every quantity, one after the other; the
    /// piece of layer l and quantity q is bytes `start[i]..<start[i + 1]` of `pieces`, with
    /// i = l * Quantity.count + q (raw storage: reading it costs no reference counting).
    private let pieces = CSVBytes(capacity: 1024)
    private var start = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    private var starts = 1
    /// The block's key: leading + step + layer and quantity.
    private let key = CSVBytes(capacity: 256)

    init(decimals: Int?) {
        self.decimals = decimals
        start[0] = 0
    }

    deinit { start.deallocate() }

    /// Appends the rows of `block` to `out`, each starting with `leading` (e.g. "3," for run 3).
    func append(_ block: TraceBlock, leading: [UInt8] = [], to out: CSVBytes) {
        block.matrix.values.withUnsafeBufferPointer { values in
            append(Cell(step: block.step, layer: block.layer, quantity: block.quantity, stage: block.stage),
                   rows: block.matrix.rows, cols: block.matrix.cols, values: values, leading: leading, to: out)
        }
    }

    /// Appends the rows of block `p` of step `result`, if the step holds it (what
    /// `CSVTraceWriter.receive(step:run:)` writes: the store's values read in place).
    func append(_ p: StepPlanEntry, of result: StepResult, leading: [UInt8] = [], to out: CSVBytes) {
        _ = result.withValues(p.ref) { rows, cols, values in
            append(Cell(step: result.step, layer: p.ref.layer, quantity: p.ref.quantity, stage: p.stage),
                   rows: rows, cols: cols, values: values, leading: leading, to: out)
        }
    }

    /// What a block's rows share: the key columns and the stage.
    private struct Cell { let step: Int, layer: Int, quantity: Quantity, stage: Stage }

    private func append(_ cell: Cell, rows: Int, cols: Int, values: UnsafeBufferPointer<Double>, leading: [UInt8], to out: CSVBytes) {
        guard rows > 0, cols > 0 else { return }
        buildKey(cell, leading: leading)
        let stage = cell.stage.rawValue
        let key = UnsafeBufferPointer(start: self.key.base, count: self.key.count)
        if let decimals {
            var i = 0
            for r in 1...rows {
                for c in 1...cols {
                    out.append(key)
                    out.append(r); out.append(byte: UInt8(ascii: ","))
                    out.append(c); out.append(byte: UInt8(ascii: ","))
                    out.write(CSVTraceWriter.rounded(values[i], decimals: decimals))
                    out.append(byte: UInt8(ascii: ",")); out.append(stage); out.append(byte: UInt8(ascii: "\n"))
                    i += 1
                }
            }
            return
        }
        // Room for the block's rows, reserved once; then the bytes go in through a plain pointer.
        let perRow = key.count + 2 * (CSVBytes.digits(max(rows, cols)) + 1) + ShortestDouble.maxBytes + CSVBytes.digits(stage) + 2
        out.reserve(rows * cols * perRow)
        var p = out.base + out.count
        let start = p
        var i = 0
        for r in 1...rows {
            for c in 1...cols {
                p.update(from: key.baseAddress!, count: key.count); p += key.count
                p = CSVBytes.write(r, at: p); p.pointee = UInt8(ascii: ","); p += 1
                p = CSVBytes.write(c, at: p); p.pointee = UInt8(ascii: ","); p += 1
                p += ShortestDouble.write(values[i], to: p)
                p.pointee = UInt8(ascii: ","); p += 1
                p = CSVBytes.write(stage, at: p); p.pointee = UInt8(ascii: "\n"); p += 1
                i += 1
            }
        }
        out.didWrite(p - start)
    }

    /// `leading` + "step," + "layer,quantity," into `key`.
    private func buildKey(_ block: Cell, leading: [UInt8]) {
        let l = block.layer
        if starts < (l + 1) * Quantity.count + 1 { addPieces(throughLayer: l) }
        let i = l * Quantity.count + block.quantity.ordinal
        key.removeAll()
        leading.withUnsafeBufferPointer { key.append($0) }
        key.append(block.step); key.append(byte: UInt8(ascii: ","))
        key.append(UnsafeBufferPointer(start: pieces.base + start[i], count: start[i + 1] - start[i]))
    }

    private func addPieces(throughLayer l: Int) {
        let needed = (l + 1) * Quantity.count + 1
        let grown = UnsafeMutablePointer<Int>.allocate(capacity: needed)
        grown.update(from: start, count: starts)
        start.deallocate()
        start = grown
        while starts < needed {
            let layer = (starts - 1) / Quantity.count
            for q in Quantity.allCases {
                pieces.write("\(layer),\(q.rawValue),")
                start[starts] = pieces.count
                starts += 1
            }
        }
    }
}
