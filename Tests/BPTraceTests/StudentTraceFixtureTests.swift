import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// A fixture's `"trace": "student.csv"`: read relative to the fixture's folder, kept inside it
/// unless --allow-outside-data, its problems kept (not thrown), with or without `values`.
@Suite struct StudentTraceFixtureTests {
    static let trace = "step,layer,quantity,row,col,value\n1,2,a,1,1,0.7514\n1,2,a,1,3,0.5\n"

    /// A fresh folder holding `files`; removed by the caller.
    static func folder(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "trace-fixture-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    static func load(_ dir: String, _ name: String = "f.json", access: DataAccess = .specFolderOnly) -> Result<Fixture, FixtureErrors> {
        Result { try FixtureParser.load(path: dir + "/" + name, dataAccess: access) }.mapError { $0 as! FixtureErrors }
    }

    @Test func aFixtureMayHoldOnlyATrace() throws {
        let dir = try Self.folder(["f.json": #"{"preset": "mazur-2015", "trace": "student.csv"}"#, "student.csv": Self.trace])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let f = try Self.load(dir).get()
        let t = try #require(f.trace)
        #expect(f.entries.isEmpty)
        #expect(t.values.count == 1 && t.values[0].key == CellKey(step: 1, QuantityRef(.a, 2), row: 1, col: 1))
        #expect(t.values[0].written.text == "0.7514")
        // The bad line is kept as a problem, not thrown.
        #expect(t.problems.count == 1 && t.problems[0].line == 3 && t.problems[0].message.contains("col 3 is outside a(2)"))
        #expect(t.file == dir + "/student.csv")
        #expect(Checker.check(f).values.isEmpty)
    }

    @Test func valuesAndTraceTogetherAndWithoutEither() throws {
        let dir = try Self.folder([
            "both.json": #"{"preset": "mazur-2015", "values": [{"name": "out_o1", "value": "0.75136507"}], "trace": "sub/s.csv"}"#,
            "none.json": #"{"preset": "mazur-2015"}"#,
            "sub/s.csv": Self.trace,
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let both = try Self.load(dir, "both.json").get()
        #expect(both.entries.count == 1 && both.trace?.values.count == 1)
        let none = Self.load(dir, "none.json")
        guard case .failure(let e) = none else { Issue.record("a fixture without values or trace was accepted"); return }
        #expect(e.errors.first?.path == "values" && e.errors.first?.message.contains("or a \"trace\" file") == true)
        // Checking a fixture without values still works (the trace is judged by check --trace's diagnosis).
        #expect(Checker.check(try Self.load(dir, "both.json").get()).passed == 1)
    }

    @Test func theTraceStaysInsideTheFixturesFolder() throws {
        let outside = try Self.folder(["s.csv": Self.trace])
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let dir = try Self.folder([
            "abs.json": #"{"preset": "mazur-2015", "trace": "\#(outside)/s.csv"}"#,
            "up.json": #"{"preset": "mazur-2015", "trace": "../\#((outside as NSString).lastPathComponent)/s.csv"}"#,
            "link.json": #"{"preset": "mazur-2015", "trace": "link.csv"}"#,
            "missing.json": #"{"preset": "mazur-2015", "trace": "nope.csv"}"#,
            "number.json": #"{"preset": "mazur-2015", "trace": 3}"#,
            "dot.json": #"{"preset": "mazur-2015", "trace": "."}"#,
            "bad.json": #"{"preset": "mazur-2015", "trace": "bad.csv"}"#,
            "bad.csv": "a,b,c\n1,2,3\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: outside + "/s.csv")
        for (name, says) in [("abs.json", "is an absolute path"), ("up.json", "goes up a folder (..)"),
                             ("link.json", "leads outside the fixture's folder through a symbolic link")] {
            guard case .failure(let e) = Self.load(dir, name) else { Issue.record("\(name) was accepted"); continue }
            #expect(e.errors.count == 1 && e.errors[0].path == "trace" && e.errors[0].kind == .invalid)
            #expect(e.errors[0].message.contains(says) && e.errors[0].message.contains("--allow-outside-data"), "\(e)")
            // With --allow-outside-data the trace is read.
            #expect(try Self.load(dir, name, access: .anywhere).get().trace?.values.count == 1)
        }
        guard case .failure(let missing) = Self.load(dir, "missing.json") else { Issue.record("missing trace accepted"); return }
        #expect(missing.kind == .missingFile && missing.errors[0].message.contains("nope.csv: the trace file does not exist"), "\(missing)")
        guard case .failure(let dot) = Self.load(dir, "dot.json") else { Issue.record("trace . accepted"); return }
        #expect(dot.kind == .missingFile && dot.errors[0].message.contains("a folder, not a trace file"), "\(dot)")
        guard case .failure(let number) = Self.load(dir, "number.json") else { Issue.record("trace 3 accepted"); return }
        #expect(number.errors[0].path == "trace" && number.errors[0].message.contains("expected the trace's file name"))
        guard case .failure(let bad) = Self.load(dir, "bad.json") else { Issue.record("a non-trace accepted"); return }
        #expect(bad.kind == .invalid && bad.errors[0].path == "trace")
        #expect(bad.errors[0].message.contains("bad.csv line 1: not a trace CSV: the header has no column \"step\""), "\(bad)")
    }
}
