import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// `StudentTraceReader`: a student's CSV trace becomes values kept as written plus line-numbered
/// problems; only a file that is not a trace at all (no header, binary, too large) is refused.
@Suite struct StudentTraceReaderTests {
    static let header = "step,layer,quantity,row,col,value\n"
    static let mazur = try! Presets.spec(named: "mazur-2015")

    static func read(_ text: String, spec: NetworkSpec = mazur) throws -> StudentTrace {
        try StudentTraceReader.read(text: text, file: "student.csv", spec: spec)
    }

    /// The one problem of `text` (header + one bad line at line 2).
    static func problem(_ line: String, spec: NetworkSpec = mazur) throws -> TraceProblem {
        let t = try read(header + line + "\n", spec: spec)
        #expect(t.values.isEmpty, "\(t.values)")
        return try #require(t.problems.count == 1 ? t.problems[0] : nil, "\(t.problems)")
    }

    static func headerError(_ text: String) -> StudentTraceError? {
        do { _ = try read(text); return nil } catch let e as StudentTraceError { return e } catch { return nil }
    }

    @Test func readsValuesAsWrittenWithTheirLines() throws {
        let t = try Self.read(Self.header + "1,1,z,1,1,0.3775\n1,2,a,1,2,0.772928465\n\n1,2,W_new,1,1,0.35891648\n")
        #expect(t.problems.isEmpty && t.unlistedProblems == 0 && t.file == "student.csv")
        #expect(t.values.map(\.line) == [2, 3, 5])
        #expect(t.values[0].key == CellKey(step: 1, QuantityRef(.z, 1), row: 1, col: 1))
        #expect(t.values[1].written.text == "0.772928465" && t.values[1].written.decimals == 9)
        #expect(t.values[0].written.halfUnit == 5e-5)
        #expect(t.values[2].key.ref == QuantityRef(.WNew, 2))
    }

    @Test func columnsInAnyOrderExtraColumnsIgnoredCRLFAndBOM() throws {
        let text = "\u{FEFF}value,quantity, col ,row,stage,layer,step,comment\r\n0.5,a,2,1,4,1,1,\"my note, with a comma\"\r\n\"-0.25\",slope,1,1,7,2,3,x\r\n"
        let t = try Self.read(text)
        #expect(t.problems.isEmpty, "\(t.problems)")
        #expect(t.values.count == 2)
        #expect(t.values[0].key == CellKey(step: 1, QuantityRef(.a, 1), row: 1, col: 2) && t.values[0].written.value == 0.5)
        #expect(t.values[1].key == CellKey(step: 3, QuantityRef(.slope, 2), row: 1, col: 1) && t.values[1].written.text == "-0.25")
        #expect(t.values[1].line == 3)
        // A lone CR ends a line too (old Mac spreadsheets).
        let cr = try Self.read("step,layer,quantity,row,col,value\r1,1,a,1,1,0.5\r1,1,a,1,2,0.25")
        #expect(cr.values.map(\.line) == [2, 3] && cr.problems.isEmpty)
    }

    /// pandas' `to_csv` with its index: an unnamed first column, ignored; `2.0` for a whole number.
    @Test func pandasIndexColumnAndFloatIntegers() throws {
        let t = try Self.read(",step,layer,quantity,row,col,value\n0,1,1,a,1,1,0.593269992\n1,2.0,1,a,1.0,2,0.596884378\n")
        #expect(t.problems.isEmpty, "\(t.problems)")
        #expect(t.values.map(\.key) == [CellKey(step: 1, QuantityRef(.a, 1), row: 1, col: 1), CellKey(step: 2, QuantityRef(.a, 1), row: 1, col: 2)])
        #expect(try Self.problem("1e0,1,a,1,1,0.5").message.contains("found \"1e0\""))
    }

    /// bptrace's own CSV is a valid student trace (the `stage` column is an extra column).
    @Test func bptracesOwnTraceIsATrace() throws {
        let spec = try Presets.spec(named: "xor-adam")
        var text = "step,layer,quantity,row,col,value,stage\n"
        var count = 0
        for ref in Catalogue(spec: spec).stepQuantities {
            let (rows, cols) = Catalogue(spec: spec).shape(of: ref, batchSize: 4)
            for r in 1...rows { for c in 1...cols { text += "2,\(ref.layer),\(ref.quantity.rawValue),\(r),\(c),0.125,1\n"; count += 1 } }
        }
        let t = try Self.read(text, spec: spec)
        #expect(t.problems.isEmpty, "\(t.problems.prefix(3))")
        #expect(t.values.count == count && t.values.contains { $0.key.ref.quantity == .mHatW })
    }

    @Test func blankValuesAreNotGiven() throws {
        let t = try Self.read(Self.header + "1,1,z,1,1,\n1,1,z,1,2,  \n1,1,z,1,1,0.5\n")
        #expect(t.problems.isEmpty && t.values.count == 1 && t.values[0].line == 4)
    }

    @Test("a bad line is a problem naming its line; the rest is kept", arguments: [
        ("1,1,a,1,1,abc", "the value \"abc\" is not a number"),
        ("1,1,a,1,1,\"0,5\"", "a decimal comma?"),
        ("1,1,a,1,1,nan", "\"nan\" is not a number"),
        ("1,1,a,1,1,0x1p3", "is not a number"),
        ("1,3,a,1,1,0.5", "a(3) is not in this network: layer 3 does not exist: this network's layers are 0 (the inputs) to 2"),
        ("1,-1,a,1,1,0.5", "layer -1 does not exist"),
        ("1,1,a,1,3,0.5", "col 3 is outside a(1), which has 2 columns"),
        ("1,1,W,3,1,0.5", "row 3 is outside W(1), which has 2 rows"),
        ("1,1,a,2,1,0.5", "row 2 is outside a(1), which has 1 row (one per sample of the step's batch of 1)"),
        ("1,1,a,0,1,0.5", "row 0 is outside a(1)"),
        ("1,1,foo,1,1,0.5", "unknown quantity \"foo\""),
        ("1,1,w,1,1,0.5", "(did you mean \"W\"?)"),
        ("1,1,delta_h,1,1,0.5", "this network's quantities are x, y, W, b, z, a, E, loss, slope, delta, err, grad_W, W_new, grad_b, b_new"),
        ("1,2,err,1,1,0.5", "err(2) is not in this network: err is the error sent back to a hidden layer (1 to 1)"),
        ("1,0,a,1,1,0.5", "a(0) is the input: write it as quantity x, layer 0"),
        ("1,1,y,1,1,0.5", "y belongs to the output layer, layer 2"),
        ("1,2,cost,1,1,0.5", "cost is traced only when the spec's l2 is above 0"),
        ("1,1,vel_W,1,1,0.5", "vel_W is optimizer state of momentum and nesterov; this spec's optimizer is sgd"),
        ("1,1,m_hat_b,1,1,0.5", "m_hat_b is optimizer state of adam and adamw; this spec's optimizer is sgd"),
        ("0,1,a,1,1,0.5", "the step must be a whole number from 1 to 1,000,000 (the most a check trains), found \"0\""),
        ("99999999999999999999999,1,a,1,1,0.5", "the step must be a whole number from 1 to 1,000,000"),
        ("1000001,1,a,1,1,0.5", "found \"1000001\""),
        ("1.5,1,a,1,1,0.5", "found \"1.5\""),
        ("one,1,a,1,1,0.5", "found \"one\""),
        ("1,x,a,1,1,0.5", "the layer must be a whole number (0 for the inputs, 1 to 2), found \"x\""),
        ("1,1,a,r,1,0.5", "the row must be a whole number from 1, found \"r\""),
        ("1,1,a,1,1", "expected 6 fields like the header, found 5"),
        ("1,1,a,1,1,0.5,extra", "expected 6 fields like the header, found 7"),
        ("1,1,a,1,1,\"0.5", "a quoted field is not closed on this line"),
        ("1,1,a,1,1,0.5\u{0}junk", "a NUL character"),
        ("1,1,a,1,1,0.\u{1B}[31m5", "\"0.\\u{001B}[31m5\" is not a number"),
        ("1,1,a,1,1,\u{202E}5.0", "\"\\u{202E}5.0\" is not a number"),
    ])
    func badLine(line: String, says: String) throws {
        let p = try Self.problem(line)
        #expect(p.line == 2)
        #expect(p.message.contains(says), "\(p.message)")
        #expect(!p.message.contains("\u{1B}") && !p.message.contains("\u{202E}"))
        // The same line among good ones: the good ones are kept, the problem keeps its line.
        let t = try Self.read(Self.header + "1,1,z,1,1,0.3775\n" + line + "\n1,2,a,1,1,0.75136507\n")
        #expect(t.values.map(\.line) == [2, 4] && t.problems.map(\.line) == [3], "\(t.problems)")
    }

    @Test func stepsAreBoundedByTheNetworksWork() throws {
        // 2-2000-2000-2 traces ~12 million values per step: a check trains 8 of its steps.
        let wide = try SpecParser.parse(text: #"{"layers": [2, 2000, 2000, 2], "learning_rate": 0.1, "data": {"inputs": [[0.05, 0.1]], "targets": [[0.01, 0.99]]}}"#)
        let p = try Self.problem("9,1,a,1,1,0.5", spec: wide)
        #expect(p.message.contains("from 1 to 8 (the most a check trains for this network"), "\(p.message)")
        let ok = try Self.read(Self.header + "8,1,a,1,1,0.5\n", spec: wide)
        #expect(ok.problems.isEmpty && ok.values.count == 1)
    }

    @Test func stateQuantitiesWithTheirOptimizerOnly() throws {
        let adam = try Presets.spec(named: "xor-adam")
        let t = try Self.read(Self.header + "1,1,m_W,2,2,0.001\n1,2,v_hat_b,1,1,1e-06\n1,1,vel_W,1,1,0.5\n1,2,a,4,1,0.5\n1,2,a,5,1,0.5\n", spec: adam)
        #expect(t.values.map(\.key.ref) == [QuantityRef(.mW, 1), QuantityRef(.vHatB, 2), QuantityRef(.a, 2)])
        #expect(t.problems.map(\.line) == [4, 6])
        #expect(t.problems[0].message.contains("this spec's optimizer is adam"))
        #expect(t.problems[1].message.contains("batch of 4"))
        // Biases not trained: no bias state.
        let frozen = try SpecParser.parse(text: #"{"layers": [2, 2, 1], "update_biases": false, "learning_rate": 0.1, "optimizer": "adam", "data": {"inputs": [[0, 1]], "targets": [[1]]}}"#)
        let p = try Self.problem("1,1,m_b,1,1,0.5", spec: frozen)
        #expect(p.message.contains("the biases are not trained"), "\(p.message)")
        // No biases at all.
        let none = try Presets.spec(named: "nndl-nonconvex")
        #expect(try Self.problem("1,1,b,1,1,0.5", spec: none).message.contains("no biases"))
        // softmax: no slope of the output layer.
        let iris = try SpecParser.parse(text: #"{"layers": [2, 2, 3], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy", "learning_rate": 0.1, "data": {"inputs": [[0, 1]], "targets": [[1, 0, 0]]}}"#)
        #expect(try Self.problem("1,2,slope,1,1,0.5", spec: iris).message.contains("softmax"))
    }

    @Test func duplicateNamesBothLinesAndKeepsTheFirst() throws {
        let t = try Self.read(Self.header + "1,1,a,1,2,0.5\n1,1,z,1,1,0.1\n1,1,a,1,2,0.6\n2,1,a,1,2,0.7\n")
        #expect(t.values.map(\.line) == [2, 3, 5])
        #expect(t.problems.count == 1 && t.problems[0].line == 4)
        #expect(t.problems[0].message == "step 1, a(1)[1,2] is given twice: first on line 2, whose value is used")
    }

    @Test func tooManyProblemsAreCounted() throws {
        let text = Self.header + String(repeating: "1,1,a,1,1,x\n", count: 250) + "1,1,a,1,1,0.5\n"
        let t = try Self.read(text)
        #expect(t.problems.count == StudentTraceReader.maximumProblemsListed && t.unlistedProblems == 150)
        #expect(t.problems.last?.line == 101 && t.values.count == 1 && t.values[0].line == 252)
        #expect(t.problemLines.last == "and 150 more problems (only the first 100 are listed)")
    }

    @Test func aVeryLongLineIsAProblemAndNotEchoed() throws {
        let long = "1,1,a,1,1," + String(repeating: "9", count: 40_000)
        let t = try Self.read(Self.header + long + "\n1,1,a,1,2,0.5\n")
        #expect(t.problems.count == 1 && t.problems[0].line == 2 && t.values.count == 1)
        #expect(t.problems[0].message == "the line is 40,010 bytes long, more than the limit of 16,384 for one line")
        // Long but within the line limit: the value is quoted short.
        let p = try Self.problem("1,1,a,1,1," + String(repeating: "7", count: 5000))
        #expect(p.message.contains("more than the 60 a number may have") && p.message.count < 300, "\(p.message)")
    }

    @Test("a file that is not a trace is refused at line 1", arguments: [
        ("", nil, "the file is empty"),
        ("\n\n", nil, "the file is empty"),
        ("step,layer,quantity,row,col\n1,1,a,1,1\n", 1, "the header has no column \"value\""),
        ("Step,Layer,Quantity,Row,Col,Value\n", 1, "(\"Step\" is not \"step\": column names are exact and lowercase)"),
        ("step;layer;quantity;row;col;value\n1;1;a;1;1;0.5\n", 1, "separated by semicolons"),
        ("{\"values\": []}\n", 1, "not a trace CSV"),
        ("PK\u{3}\u{4}\u{14}\u{0}\u{6}\u{0}", 1, "a NUL character: the file is binary"),
        ("step,layer,quantity,row,col,value,value\n", 1, "the column \"value\" appears twice (columns 6 and 7)"),
        ("\"step,layer,quantity,row,col,value\n", 1, "a quoted field is not closed"),
    ] as [(String, Int?, String)])
    func notATrace(text: String, line: Int?, says: String) throws {
        let e = try #require(Self.headerError(text))
        #expect(e.line == line && e.kind == .invalid)
        #expect(e.message.contains(says), "\(e.message)")
        #expect(e.description.hasPrefix("student.csv" + (line.map { " line \($0): " } ?? ": ")))
    }

    @Test func notUTF8() throws {
        let e = try #require({ () -> StudentTraceError? in
            do { _ = try StudentTraceReader.read(bytes: [0x73, 0xFF, 0xFE, 0x0A], file: "s.csv", spec: Self.mazur); return nil } catch let e as StudentTraceError { return e } catch { return nil }
        }())
        #expect(e.line == 1 && e.message.contains("not UTF-8"))
        let utf16 = Array("step,layer,quantity,row,col,value\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        do { _ = try StudentTraceReader.read(bytes: [0xFF, 0xFE] + utf16, file: "s.csv", spec: Self.mazur); Issue.record("UTF-16 accepted") } catch let e as StudentTraceError {
            #expect(e.line == 1 && e.message.contains("UTF-16") && e.message.contains("save it as CSV UTF-8"))
        }
        let t = try StudentTraceReader.read(bytes: Array(Self.header.utf8) + [0x31, 0x2C, 0x31, 0x2C, 0x61, 0x2C, 0x31, 0x2C, 0x31, 0x2C, 0xFF, 0x0A], file: "s.csv", spec: Self.mazur)
        #expect(t.problems.count == 1 && t.problems[0].message == "the line is not UTF-8 text")
    }

    @Test func filesOnDisk() throws {
        let dir = NSTemporaryDirectory() + "trace-reader-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try (Self.header + "1,2,a,1,1,0.75136507\n").write(toFile: dir + "/s.csv", atomically: true, encoding: .utf8)
        let t = try StudentTraceReader.read(file: dir + "/s.csv", shownAs: "s.csv", spec: Self.mazur)
        #expect(t.values.count == 1 && t.file == "s.csv")
        func error(_ path: String, regularOnly: Bool = false) -> StudentTraceError? {
            do { _ = try StudentTraceReader.read(file: path, spec: Self.mazur, regularOnly: regularOnly); return nil } catch let e as StudentTraceError { return e } catch { return nil }
        }
        #expect(error(dir + "/missing.csv")?.kind == .missingFile)
        #expect(error(dir + "/missing.csv")?.message == "the trace file does not exist")
        #expect(error(dir)?.kind == .missingFile)
        #expect(error("/dev/null", regularOnly: true)?.message.contains("not a regular file") == true)
        // /dev/zero: read up to the size limit, then refused, not hung.
        #expect(error("/dev/zero")?.message.contains("larger than 64 MiB") == true)
    }

    /// The fuzz target's entry reaches the reader: byte 0 picks the preset, and the seed made
    /// from bptrace's own CSV reads without a problem.
    @Test func fuzzEntryReachesTheReader() throws {
        #expect(FuzzEntry.targets.contains("trace") && FuzzEntry.traceSpecs.count == Presets.all.count)
        let seed = [UInt8](try Data(contentsOf: FuzzCorpusReplayTests.root.appendingPathComponent("Fuzz/seeds/trace/mazur-2015-full.csv")))
        let spec = FuzzEntry.traceSpecs[Int(seed[0]) % FuzzEntry.traceSpecs.count]
        #expect(spec.name == "mazur-2015")
        let t = try StudentTraceReader.read(bytes: Array(seed.dropFirst()), file: "seed", spec: spec)
        #expect(t.problems.isEmpty && t.values.count == 59, "\(t.problems.prefix(2)) \(t.values.count)")
        FuzzEntry.trace(seed)
    }
}
