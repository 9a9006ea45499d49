import Foundation
import Testing
@testable import BPTrace

/// CI's replay of the fuzz corpus: every file of Fuzz/seeds/<target>/, Fuzz/corpus/<target>/ and
/// Fuzz/regressions/<target>/ goes through the same entry function as the libFuzzer target
/// (FuzzEntry, in Fuzz/Entry/FuzzEntries.swift, which Tests/BPTraceTests/FuzzEntries.swift links
/// to). A trap kills the test process, which is the failure; a slow input is one too.
/// Fuzz/regressions-pending/ (crashes found and not fixed yet) is not replayed: move a file to
/// Fuzz/regressions/ when its fix lands. See docs/FUZZING.md.
@Suite struct FuzzCorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folders = ["seeds", "corpus", "regressions"]
    /// One input may take this long (debug build, a shared 2-core machine); the fuzzer's own
    /// limit is 10 s per input on an optimized build.
    static let perInputLimit: Duration = .seconds(5)

    static func inputs(_ target: String, in folder: String) -> [String] {
        let dir = root.appendingPathComponent("Fuzz/\(folder)/\(target)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir + "/" + $0 }
    }

    @Test(arguments: FuzzEntry.targets)
    func replay(target: String) throws {
        let seeds = Self.inputs(target, in: "seeds")
        #expect(seeds.count >= 20, "the seed corpus Fuzz/seeds/\(target) is missing or small: \(seeds.count) files")
        let all = Self.folders.flatMap { Self.inputs(target, in: $0) }
        var slow: [String] = []
        let clock = ContinuousClock()
        for path in all {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let took = clock.measure { FuzzEntry.run(target, bytes) }
            if took > Self.perInputLimit { slow.append("\(path.dropFirst(Self.root.path.count + 1)): \(took)") }
        }
        #expect(slow.isEmpty, "inputs slower than \(Self.perInputLimit):\n\(slow.joined(separator: "\n"))")
    }

    /// The replay would pass vacuously if the entry ignored its input: the spec entry must accept
    /// a preset and the csv entry must read the sandbox's columns, through the same helpers.
    @Test func entriesReachTheParsers() throws {
        let preset = try #require(Presets.preset(named: "xor"))
        FuzzEntry.spec(Array(preset.json.utf8))
        #expect(!FuzzEntry.touchesDevices(preset.json))
        #expect(FuzzEntry.touchesDevices(#"{"data": {"csv": "/dev/zero"}}"#))
        #expect(FuzzEntry.touchesDevices(#"{"spec": "../../etc/passwd"}"#))
        #expect(throws: Never.self) { try SpecParser.parse(text: preset.json, baseDirectory: FuzzEntry.sandbox) }
        FuzzEntry.csv(Array("x1,x2,y1,y2\n1,2,0.5,0.5\n".utf8))
        let table = try CSVTable.load(path: FuzzEntry.sandbox + "/fuzz.csv", shownAs: "fuzz.csv", wanted: FuzzEntry.csvColumns, maximumRows: 10)
        #expect(table.header == ["x1", "x2", "y1", "y2"] && table.rowCount == 1 && table.values == [1, 2, 0.5, 0.5])
        let spec = try SpecParser.parse(text: FuzzEntry.csvSpecs[0], baseDirectory: FuzzEntry.sandbox)
        #expect(spec.data.inputs.values == [1, 2])
        #expect(FuzzEntry.nameSpecs.count == Presets.all.count)
    }
}
