import Foundation
import Testing
@testable import BPTraceRenderers

/// `OutputFile.writeBehind`: large chunks written by the C library's I/O thread while the next
/// is built. The file must hold exactly the bytes handed over, in order, whatever mix of
/// small buffered writes and chunks; a buffer handed back is empty and reusable.
@Suite struct WriteBehindTests {
    /// A deterministic byte pattern (splitmix64), so a misplaced or lost chunk shows.
    static func bytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var s = seed, out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for k in 0..<8 where out.count < n { out.append(UInt8(truncatingIfNeeded: z >> (8 * UInt64(k)))) }
        }
        return out
    }

    @Test func chunksAndSmallWritesLandInOrder() throws {
        let dir = NSTemporaryDirectory() + "bptrace-writebehind-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/out.csv"
        let file = try OutputFile(destination: path, overwrite: true)
        var expected: [UInt8] = []
        let buffer = CSVBytes(capacity: 1 << 10)
        try file.write("header\n")
        expected += Array("header\n".utf8)
        for i in 0..<40 {
            // Chunks of varied sizes (some larger than the buffer's first capacity), a small
            // buffered write now and then, an empty chunk once.
            let chunk = Self.bytes(i == 7 ? 0 : 1 + (i * 37_117) % 300_000, seed: UInt64(i))
            chunk.withUnsafeBufferPointer { buffer.append($0) }
            expected += chunk
            let handedOver = buffer.base
            try file.writeBehind(buffer)
            #expect(buffer.count == 0)
            #expect(i == 7 || buffer.base != handedOver, "the bytes in flight are never handed back while they are written")
            if i % 5 == 0 {
                try file.write("-- \(i) --\n")
                expected += Array("-- \(i) --\n".utf8)
            }
        }
        let tail = Self.bytes(1234, seed: 99)
        try tail.withUnsafeBytes { try file.write($0) }
        expected += tail
        try file.commit()
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written.count == expected.count)
        #expect(written == expected)
    }

    @Test func anAbortedFileWaitsForItsChunkAndLeavesNothing() throws {
        let dir = NSTemporaryDirectory() + "bptrace-writebehind-abort-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try OutputFile(destination: dir + "/out.csv", overwrite: true)
        let buffer = CSVBytes(capacity: 1 << 20)
        Self.bytes(1 << 20, seed: 5).withUnsafeBufferPointer { buffer.append($0) }
        try file.writeBehind(buffer)
        file.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
