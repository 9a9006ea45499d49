// Benchmark of ShortestDouble (issue 15, CSV bullet): Swift's own shortest round-trip formatter
// (`v.write(to:)`, what `Double.description` prints) against ShortestDouble.write, in one
// process, each writing every value and a newline into one preallocated buffer; the two take
// turns, best of 5 runs each (thread CPU time, so waiting for a busy core does not count).
//
// Values: (1) the `value` column of a bptrace CSV (e.g. `bptrace run --preset mazur-2015 --steps
// 10000 --format csv`: 610,000 typical trace values), (2) 1,000,000 random finite bit patterns
// (splitmix64, fixed seed). Both outputs are compared byte for byte before timing is reported.
//
// build: swiftc -O -wmo -parse-as-library Benchmarks/format_bench.swift \
//          Sources/BPTraceRenderers/CSV/ShortestDouble*.swift -o /tmp/format_bench
// usage: /tmp/format_bench TRACE.csv [REPEATS]
import Foundation

/// A TextOutputStream that only holds a pointer: the standard library's formatter copies its
/// text here through `_writeASCII`, with no reference counting and no String.
struct PointerStream: TextOutputStream {
    var p: UnsafeMutablePointer<UInt8>
    mutating func write(_ string: String) {
        for byte in string.utf8 { p.pointee = byte; p += 1 }
    }
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        UnsafeMutableRawPointer(p).copyMemory(from: buffer.baseAddress!, byteCount: buffer.count)
        p += buffer.count
    }
}

@inline(never)
func formatStdlib(_ values: UnsafeBufferPointer<Double>, into out: UnsafeMutablePointer<UInt8>) -> Int {
    var stream = PointerStream(p: out)
    for v in values {
        v.write(to: &stream)
        stream.p.pointee = UInt8(ascii: "\n"); stream.p += 1
    }
    return stream.p - out
}

@inline(never)
func formatShortest(_ values: UnsafeBufferPointer<Double>, into out: UnsafeMutablePointer<UInt8>) -> Int {
    var p = out
    for v in values {
        p += ShortestDouble.write(v, to: p)
        p.pointee = UInt8(ascii: "\n"); p += 1
    }
    return p - out
}

/// CPU time of this thread in nanoseconds: on a shared machine, time spent waiting for a core
/// does not count (wall time would).
func threadNanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

/// CPU time of one run of `body` in nanoseconds, and its result.
func timed(_ body: () -> Int) -> (ns: Double, bytes: Int) {
    let start = threadNanoseconds()
    let bytes = body()
    return (threadNanoseconds() - start, bytes)
}

/// The `value` column (the sixth) of a bptrace CSV.
func traceValues(_ path: String) -> [Double]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    var values: [Double] = []
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count > 5, let v = Double(fields[5]) else { return nil }
        values.append(v)
    }
    return values
}

func randomValues(_ count: Int) -> [Double] {
    var state: UInt64 = 0x5EED_0015
    var values: [Double] = []
    values.reserveCapacity(count)
    while values.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15                 // splitmix64
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        let v = Double(bitPattern: z ^ (z >> 31))
        if v.isFinite { values.append(v) }
    }
    return values
}

func compare(_ name: String, _ values: [Double], repeats: Int) -> Bool {
    let room = values.count * 41
    let a = UnsafeMutablePointer<UInt8>.allocate(capacity: room + 64)
    let b = UnsafeMutablePointer<UInt8>.allocate(capacity: room + 64)
    defer { a.deallocate(); b.deallocate() }
    // The two formatters take turns, so a busy machine slows both alike; the best run of each counts.
    var stdNs = Double.infinity, newNs = Double.infinity, stdBytes = 0, newBytes = 0
    values.withUnsafeBufferPointer { vs in
        for _ in 0..<repeats {
            let s = timed { formatStdlib(vs, into: a) }
            let n = timed { formatShortest(vs, into: b) }
            stdNs = min(stdNs, s.ns); newNs = min(newNs, n.ns); stdBytes = s.bytes; newBytes = n.bytes
        }
    }
    let identical = stdBytes == newBytes && memcmp(a, b, stdBytes) == 0
    let count = Double(values.count)
    print("\(name): \(values.count) values, \(stdBytes) bytes, output identical: \(identical)")
    print(String(format: "  (a) stdlib v.write(to:)     %7.2f ns/value", stdNs / count))
    print(String(format: "  (b) ShortestDouble.write    %7.2f ns/value", newNs / count))
    print(String(format: "  speed-up (a)/(b)            %7.2fx", stdNs / newNs))
    return identical
}

@main
struct FormatBench {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2, let trace = traceValues(args[1]) else {
            FileHandle.standardError.write("usage: format_bench TRACE.csv [REPEATS]  (a bptrace CSV)\n".data(using: .utf8)!)
            exit(64)
        }
        let repeats = args.count > 2 ? max(1, Int(args[2]) ?? 5) : 5
        print("best of \(repeats) runs each")
        let ok1 = compare("trace values (\(args[1]))", trace, repeats: repeats)
        let ok2 = compare("random doubles", randomValues(1_000_000), repeats: repeats)
        exit(ok1 && ok2 ? 0 : 1)
    }
}
