import BPTrace
import BPTraceCheck
import Foundation

// TEMPORARY until h-input's StudentTraceReader lands: a minimal reader for this branch's tests.
enum TempTraceReader {
    struct Failure: Error { let message: String; let missing: Bool }
    static func read(file path: String, spec: NetworkSpec) throws -> StudentTrace {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw Failure(message: "\(path): cannot read the trace file", missing: true) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let head = lines.first?.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }),
              let iS = head.firstIndex(of: "step"), let iL = head.firstIndex(of: "layer"), let iQ = head.firstIndex(of: "quantity"),
              let iR = head.firstIndex(of: "row"), let iC = head.firstIndex(of: "col"), let iV = head.firstIndex(of: "value")
        else { throw Failure(message: "\(path) line 1: the header must name step,layer,quantity,row,col,value", missing: false) }
        var values: [StudentValue] = [], problems: [TraceProblem] = []
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= head.count, let s = Int(f[iS]), let l = Int(f[iL]), let q = Quantity(rawValue: f[iQ]),
                  let r = Int(f[iR]), let c = Int(f[iC]), let w = WrittenNumber(f[iV]) else {
                problems.append(TraceProblem(line: n + 1, message: "cannot read the line")); continue
            }
            values.append(StudentValue(key: CellKey(step: s, QuantityRef(q, l), row: r, col: c), written: w, line: n + 1))
        }
        guard !values.isEmpty else { throw Failure(message: "\(path): no usable row", missing: false) }
        return StudentTrace(file: path, values: values, problems: problems)
    }
}
