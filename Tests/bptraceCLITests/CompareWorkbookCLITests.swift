import Foundation
import Testing

/// `bptrace compare --format xlsx`: the compare workbook through the command.
@Suite("bptrace compare --format xlsx")
struct CompareWorkbookCLITests {
    @Test("compare --format xlsx writes one workbook: Compare first, a series per run, each run's sheets; same bytes twice")
    func workbook() throws {
        let dir = try CLI.scratch("cmp-xlsx")
        let args = ["compare", "--preset", "xor", "--steps", "5", "--vary", "optimizer=sgd,momentum,adam", "--format", "xlsx", "--target", "0.3"]
        let r = try CLI.run(args, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("xor-compare.xlsx"))
        #expect(r.stderr.contains("each run has step sheets for steps 1–3 only"), "\(r.stderr)")
        let check = """
        import re, sys, zipfile
        z = zipfile.ZipFile('xor-compare.xlsx')
        book = z.read('xl/workbook.xml').decode()
        sheets = re.findall(r'<sheet name="([^"]+)"', book)
        assert sheets == ['Compare', 'Data'] + [f'R{i} {s}' for i in (1, 2, 3) for s in ('Overview', 'Step 1', 'Step 2', 'Step 3')], sheets
        chart = z.read('xl/charts/chart1.xml').decode()
        assert chart.count('<c:ser>') == 3, chart.count('<c:ser>')
        assert 'R3: optimizer=adam' in chart
        assert book.count('localSheetId') >= 4 * 3, book.count('localSheetId')
        print('ok')
        """
        let p = try Subprocess.run("python3", ["-c", check], in: dir)
        #expect(p.status == 0 && p.stdout.contains("ok"), "\(p.stdout)\(p.stderr)")
        let first = FileManager.default.contents(atPath: dir + "/xor-compare.xlsx")
        let again = try CLI.run(args + ["--force"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(first != nil && first == FileManager.default.contents(atPath: dir + "/xor-compare.xlsx"))
    }

    @Test("an existing workbook is kept without --force (exit 73), nothing else written")
    func existing() throws {
        let dir = try CLI.scratch("cmp-xlsx-exists")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/xor-compare.xlsx"))
        let r = try CLI.run(["compare", "--preset", "xor", "--steps", "2", "--vary", "learning_rate=0.1,0.5", "--format", "xlsx,csv"], in: dir)
        #expect(r.status == 73, "\(r.stderr)")
        #expect(String(decoding: FileManager.default.contents(atPath: dir + "/xor-compare.xlsx") ?? Data(), as: UTF8.self) == "keep")
        #expect(!FileManager.default.fileExists(atPath: dir + "/xor-compare.csv"))
    }

    @Test("more than 10000 step sheets in all is refused before anything is written (exit 73)")
    func tooManySheets() throws {
        let dir = try CLI.scratch("cmp-xlsx-sheets")
        let r = try CLI.run(["compare", "--preset", "xor", "--steps", "6000", "--sheets-limit", "6000", "--vary", "learning_rate=0.1,0.5", "--format", "xlsx"], in: dir)
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("2 runs × 6000 step sheets = 12000"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/xor-compare.xlsx"))
    }
}
