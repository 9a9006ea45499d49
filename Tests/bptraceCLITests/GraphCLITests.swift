import Foundation
import Testing

/// `bptrace graph` as a user runs it: the JSON's published values on the right nodes, the
/// files written together and only when complete, bad input refused with its position.
@Suite struct GraphCLITests {
    static let cs231n = ["graph", "--expr", "1/(1+exp(-(w0*x0+w1*x1+w2)))", "--at", "w0=2,x0=-1,w1=-3,x1=-2,w2=-3"]

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func nodes(_ j: [String: Any]) -> [[String: Any]] { j["nodes"] as? [[String: Any]] ?? [] }

    static func input(_ j: [String: Any], _ name: String) -> [String: Any]? {
        nodes(j).first { $0["op"] as? String == "input" && $0["label"] as? String == name }
    }

    static func close(_ a: Any?, _ b: Double) -> Bool { ((a as? Double).map { abs($0 - b) <= 0.005 }) ?? false }

    @Test func cs231nCircuitJSON() throws {
        let dir = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(Self.cs231n + ["--format", "json,svg,md"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "./expr-graph.json\n./expr-graph.svg\n./expr-graph.md\n")
        let j = try Self.json(dir + "/expr-graph.json")
        let nodes = Self.nodes(j)
        // The +1 gate: 1.37, gradient −0.53; it reads the exp gate.
        let plus = try #require(nodes.first { $0["op"] as? String == "add" && $0["constant"] as? Double == 1 })
        #expect(Self.close(plus["value"], 1.37) && Self.close(plus["grad"], -0.53))
        #expect(plus["label"] as? String == "+1")
        let inputs = try #require(plus["inputs"] as? [Int])
        #expect(nodes[inputs[0]]["op"] as? String == "exp")
        for (name, d) in [("w0", -0.20), ("w1", -0.39), ("w2", 0.20), ("x0", 0.39), ("x1", -0.59)] {
            #expect(Self.close(Self.input(j, name)?["grad"], d), "\(name)")
        }
        let out = try #require(j["output"] as? Int)
        #expect(Self.close(nodes[out]["value"], 0.73) && nodes[out]["grad"] as? Double == 1)
        // Forward mode: the output's tangent for each input is that input's gradient.
        let fm = try #require(j["forward_mode"] as? [String: [String: Double]])
        #expect(Set(fm.keys) == ["w0", "x0", "w1", "x1", "w2"])
        for (name, t) in fm {
            let g = try #require(Self.input(j, name)?["grad"] as? Double)
            #expect(abs((t[String(out)] ?? .nan) - g) < 1e-12)
        }
        // The Markdown shows cs231n's step at the 1/x gate; the SVG has the values in both colours.
        let md = try String(contentsOfFile: dir + "/expr-graph.md", encoding: .utf8)
        #expect(md.contains("−1/1.37² · 1.00 = **−0.53**"))
        #expect(md.contains("5 passes") && md.contains("12 multiply-adds"))
        let svg = try String(contentsOfFile: dir + "/expr-graph.svg", encoding: .utf8)
        #expect(svg.contains(">1.37</text>") && svg.contains(">∂ −0.53</text>") && svg.contains("font-style=\"italic\""))
        // Same input, same bytes.
        let again = try CLI.run(Self.cs231n + ["--format", "json,svg,md", "--out", "b"], in: dir)
        #expect(again.status == 0)
        for ext in ["json", "svg", "md"] {
            #expect(FileManager.default.contents(atPath: "\(dir)/expr-graph.\(ext)") == FileManager.default.contents(atPath: "\(dir)/b/expr-graph.\(ext)"))
        }
        // Existing files are kept without --force, replaced with it.
        let exists = try CLI.run(Self.cs231n, in: dir)
        #expect(exists.status == 73 && exists.stderr.contains("--force"))
        #expect(try CLI.run(Self.cs231n + ["--force"], in: dir).status == 0)
    }

    @Test func textbookExample() throws {
        let dir = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["graph", "--expr", "1/(exp(-(w*x+b))+1)", "--at", "x=1,w=0,b=0", "--format", "json", "--name", "nndl"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try Self.json(dir + "/nndl-graph.json")
        #expect(Self.input(j, "w")?["grad"] as? Double == 0.25 && Self.input(j, "b")?["grad"] as? Double == 0.25)
        let fm = try #require(j["forward_mode"] as? [String: [String: Double]])
        let out = String(try #require(j["output"] as? Int))
        #expect(fm["w"]?[out] == 0.25 && fm["b"]?[out] == 0.25 && fm["x"]?[out] == 0)
    }

    @Test func mazurCell() throws {
        let dir = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["graph", "--preset", "mazur-2015", "--cell", "out_o1", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let j = try Self.json(dir + "/mazur-2015-out_o1-graph.json")
        let nodes = Self.nodes(j)
        let out = try #require(j["output"] as? Int)
        // The post: out_o1 = 0.75136507; d out_o1/d w5 = out_o1(1 − out_o1)·out_h1 = 0.186815602 · 0.593269992.
        #expect(abs((nodes[out]["value"] as? Double ?? 0) - 0.75136507) < 5e-9)
        #expect(abs((Self.input(j, "w5")?["grad"] as? Double ?? 0) - 0.186815602 * 0.593269992) < 1e-9)
        let net = try #require(nodes.first { $0["name"] as? String == "net_h1" })
        #expect(abs((net["value"] as? Double ?? 0) - 0.3775) < 1e-12)
        // A name that is not a cell, a step out of range.
        let bad = try CLI.run(["graph", "--preset", "mazur-2015", "--cell", "out_o9"], in: dir)
        #expect(bad.status == 64 && bad.stderr.contains("--cell"))
    }

    @Test func badInputIsRefusedWithItsPositionAndNoFile() throws {
        let dir = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["graph", "--expr", "w*x + (b", "--at", "w=1,x=2,b=3"], in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.contains("column 9") && r.stderr.contains("missing ')'"))
        // The caret stands under the column: 2 spaces of indent + 8.
        #expect(r.stderr.contains("\n  w*x + (b\n          ^"), "\(r.stderr)")
        for args in [["--expr", "w*x", "--at", "w=1"], ["--expr", "w*x", "--at", "w=1,x=2,z=3"], ["--expr", "w*x", "--at", "w=1,x=nan"],
                     ["--expr", "w*x", "--at", "w=1,x=2,w=3"], ["--expr", "w*x", "--at", "w"], ["--expr", "2^0.5"],
                     ["--expr", "w", "--at", "w=1", "--format", "png"], ["--expr", "w", "--at", "w=1", "--name", "../x"], []] {
            let b = try CLI.run(["graph"] + args, in: dir)
            #expect(b.status == 64, "\(args): \(b.status) \(b.stderr)")
            #expect(!b.stderr.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// `run --format md --graph out_o1`: the handout gets the graph's figure and section, with
    /// ∂out_o1/∂w5 = slope_o1 · out_h1 = 0.186815602 · 0.593269992 = 0.110832.
    @Test func handoutEmbedsTheGraph() throws {
        let dir = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", "--format", "md", "--graph", "out_o1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: dir + "/mazur-2015.md", encoding: .utf8)
        #expect(md.contains("## The computational graph of out\\_o1"))
        #expect(md.contains("![The computational graph of out\\_o1](mazur-2015-figures/graph-out_o1.svg)"))
        #expect(md.contains("| w5 | 0.4 | 0.110832 |"), "\(md)")
        let svg = try String(contentsOfFile: dir + "/mazur-2015-figures/graph-out_o1.svg", encoding: .utf8)
        #expect(svg.contains(">0.7514</text>") && svg.contains(">out_o1</text>"))
        // Without md, or with a name that is not a cell: refused, nothing written.
        let other = try CLI.scratch("graph")
        defer { try? FileManager.default.removeItem(atPath: other) }
        #expect(try CLI.run(["run", "--format", "csv", "--graph", "out_o1"], in: other).status == 64)
        #expect(try CLI.run(["run", "--format", "md", "--graph", "E_o1"], in: other).status == 64)
        #expect(try FileManager.default.contentsOfDirectory(atPath: other).isEmpty)
    }
}
