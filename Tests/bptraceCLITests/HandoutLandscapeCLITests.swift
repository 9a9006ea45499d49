import Foundation
import Testing

/// `bptrace run --format md --landscape a,b` as a user runs it.
@Suite struct HandoutLandscapeCLITests {
    @Test func handoutFigureIsTheLandscapeCommandsPicture() throws {
        let dir = try CLI.scratch("hlandscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", "--format", "md", "--steps", "10", "--landscape", "w5,w6", "--landscape-grid", "21", "--landscape-span", "1.5", "--out", "h"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: dir + "/h/mazur-2015.md", encoding: .utf8)
        #expect(md.contains("## The loss landscape"))
        #expect(md.contains("on a 21×21 grid of values of w5 and w6"))
        let l = try CLI.run(["landscape", "--weights", "w5,w6", "--grid", "21", "--span", "1.5", "--steps", "10", "--format", "svg", "--out", "l"], in: dir)
        #expect(l.status == 0, "\(l.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/h/mazur-2015-figures/landscape.svg"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/l/mazur-2015-landscape.svg"))
        #expect(a == b)
    }

    static let refusals: [([String], Int32)] = [
        (["--landscape", "w5,w99"], 64),
        (["--landscape", "w5"], 64),
        (["--landscape", "w5,w5"], 64),
        (["--landscape", "w5,w6", "--landscape-grid", "1"], 64),
        (["--landscape", "w5,w6", "--landscape-span", "0"], 64),
        (["--landscape-span", "3"], 64),
        (["--landscape", "w5,w6", "--format", "csv"], 64),
        (["--landscape", "w5,w6", "--preset", "deep-sigmoid", "--landscape-grid", "401"], 65),
    ]

    @Test(arguments: refusals)
    func refusedBeforeAnythingIsWritten(extra: [String], code: Int32) throws {
        let dir = try CLI.scratch("hlandscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = ["run", "--steps", "2"] + (extra.contains("--format") ? [] : ["--format", "md"]) + extra + ["--out", "o"]
        let r = try CLI.run(args, in: dir)
        #expect(r.status == code, "\(args): \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "\(args) wrote files")
    }
}
