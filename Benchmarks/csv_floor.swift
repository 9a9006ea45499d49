// The floor of the CSV benchmark (issue 15): formats the same doubles with Swift's own
// shortest round-trip formatter (what `Double.description` prints) into one buffer, one value
// a line, and writes the buffer to a file. No engine, no keys, no CSV structure.
//
// usage: csv_floor VALUES.f64 OUT.txt [REPEATS]
//   VALUES.f64: the doubles, little-endian raw Float64 (scripts/bench_csv.py extracts them from
//   bptrace's own CSV before timing). Prints the best in-process time of format+write in
//   seconds over REPEATS runs (default 5), then the byte count.
// Built by scripts/bench_csv.py with `swiftc -O -static-stdlib` (linked like bptrace's release
// build) into a temporary directory.
import Foundation

struct Bytes: TextOutputStream {
    var bytes: [UInt8] = []
    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}

let args = CommandLine.arguments
guard args.count >= 3, let data = FileManager.default.contents(atPath: args[1]) else {
    FileHandle.standardError.write("usage: csv_floor VALUES.f64 OUT.txt [REPEATS]\n".data(using: .utf8)!)
    exit(64)
}
let repeats = args.count > 3 ? Int(args[3]) ?? 5 : 5
let values = [Double](unsafeUninitializedCapacity: data.count / 8) { buffer, n in   // little-endian host
    n = data.count / 8
    _ = data.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress!, n * 8) }
}

var best = Double.infinity
var written = 0
for _ in 0..<repeats {
    unlink(args[2])                             // a new file each time, as bptrace's benchmark runs write
    let start = DispatchTime.now().uptimeNanoseconds
    var out = Bytes()
    out.bytes.reserveCapacity(values.count * 20)
    for v in values {
        v.write(to: &out)                       // the formatter behind `description`, no String
        out.bytes.append(UInt8(ascii: "\n"))
    }
    let fd = open(args[2], O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { FileHandle.standardError.write("csv_floor: cannot create \(args[2])\n".data(using: .utf8)!); exit(73) }
    out.bytes.withUnsafeBytes { buf in
        var off = 0
        while off < buf.count { let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off); if n <= 0 { exit(74) }; off += n }
    }
    close(fd)
    let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    best = min(best, t)
    written = out.bytes.count
}
print(String(format: "%.6f", best))
print(written)
