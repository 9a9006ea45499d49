import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// docs/CHECKING.md, "The trace a student submits": its example trace reads as it says, its
/// numpy snippet writes a trace the reader accepts, and its awk line makes a blank template.
@Suite struct StudentTraceDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The section's fenced blocks, in order, with their language tag.
    static func blocks() throws -> [(lang: String, body: String)] {
        let doc = try String(contentsOfFile: root + "/docs/CHECKING.md", encoding: .utf8)
        let start = try #require(doc.range(of: "## The trace a student submits"))
        let rest = doc[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        var out: [(String, String)] = [], lang: String? = nil, body = ""
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let l = lang { out.append((l, body)); lang = nil; body = "" } else { lang = String(line.dropFirst(3)) }
            } else if lang != nil { body += line + "\n" }
        }
        return out
    }

    static func shell(_ args: [String], in dir: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        try p.run(); p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func theSectionsExamplesWork() throws {
        let blocks = try Self.blocks()
        let mazur = try Presets.spec(named: "mazur-2015")
        let dir = NSTemporaryDirectory() + "trace-docs-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // The example trace: four values of Mazur's network, no problem.
        let example = try #require(blocks.first { $0.lang == "" })
        let t = try StudentTraceReader.read(text: example.body, file: "example.csv", spec: mazur)
        #expect(t.problems.isEmpty && t.values.count == 4, "\(t.problems)")

        // The numpy snippet and its example, run as written.
        let python = blocks.filter { $0.lang == "python" }.map(\.body).joined(separator: "\n")
        #expect(python.contains("def write_trace"))
        try python.write(toFile: dir + "/snippet.py", atomically: true, encoding: .utf8)
        #expect(try Self.shell(["python3", "snippet.py"], in: dir) == 0)
        let student = try StudentTraceReader.read(file: dir + "/student.csv", spec: mazur)
        #expect(student.problems.isEmpty && student.values.count == 8, "\(student.problems)")
        let z = try #require(student.values.first { $0.key == CellKey(step: 1, QuantityRef(.z, 1), row: 1, col: 1) })
        #expect(z.written.text == "0.377500000" && z.written.decimals == 9)
        let a = try #require(student.values.first { $0.key == CellKey(step: 1, QuantityRef(.a, 1), row: 1, col: 1) })
        #expect(abs(a.written.value - 0.593269992) <= a.written.halfUnit + 1e-9)

        // The awk line blanks every value: a template with nothing given and no problem.
        let awk = try #require(blocks.first { $0.lang == "sh" && $0.body.contains("awk") })
        try example.body.write(toFile: dir + "/S.csv", atomically: true, encoding: .utf8)
        #expect(try Self.shell(["sh", "-c", awk.body], in: dir) == 0)
        let template = try StudentTraceReader.read(file: dir + "/template.csv", spec: mazur)
        #expect(template.values.isEmpty && template.problems.isEmpty)
        #expect(try String(contentsOfFile: dir + "/template.csv", encoding: .utf8).contains("1,1,z,1,1,\n"))
    }
}
