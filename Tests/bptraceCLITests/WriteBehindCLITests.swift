import Foundation
import Testing

/// The CSV trace written behind (`OutputFile.writeBehind`), from the user's side: a trace of
/// many chunks has every row in order, and a write error in the I/O thread (a file-size limit,
/// EFBIG) ends the run with exit 74, a message naming the file, and no file left behind.
@Suite struct WriteBehindCLITests {
    @Test func aLongTraceHasEveryRowInOrder() throws {
        let dir = try CLI.scratch("writebehind-long")
        let r = try CLI.run(["run", "--preset", "mazur-2015", "--steps", "3000", "--format", "csv", "--out", dir, "--force"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: dir + "/mazur-2015.csv", encoding: .utf8)
        #expect(text.utf8.count > 4 << 20, "several 1 MB chunks")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "step,layer,quantity,row,col,value,stage")
        #expect(lines.last == "")
        let rows = lines.dropFirst().dropLast()
        #expect(rows.count == 3000 * 61)
        // Each step's 61 rows in trace order: step k's rows are rows 61(k-1)..<61k, and the
        // keys repeat exactly from step to step.
        let first = rows.prefix(61).map { $0.split(separator: ",").dropFirst().prefix(4).joined(separator: ",") }
        for (i, row) in rows.enumerated() {
            let f = row.split(separator: ",")
            guard f.count == 7, Int(f[0]) == i / 61 + 1, f.dropFirst().prefix(4).joined(separator: ",") == first[i % 61],
                  Double(f[5]) != nil else {
                Issue.record("row \(i + 2) is out of place: \(row)")
                break
            }
        }
        // Mazur's published step 1 and the loss after 10,000 steps' neighbourhood: step 1's
        // out_o1 = 0.75136507 (row of a(2)[1,1]).
        let o1 = rows.prefix(61).first { $0.hasPrefix("1,2,a,1,1,") }
        #expect(o1.map { abs(Double($0.split(separator: ",")[5])! - 0.75136507) < 5e-9 } == true)
    }

    @Test func aWriteErrorInTheIOThreadFailsCleanly() throws {
        let dir = try CLI.scratch("writebehind-efbig")
        // 2 MB file-size limit, SIGXFSZ ignored so the write fails with EFBIG instead.
        let script = "ulimit -f 2048; trap '' XFSZ; exec \"$0\" run --preset mazur-2015 --steps 20000 --format csv --out . --force"
        let r = try Subprocess.run("/bin/sh", ["-c", script, CLI.binary], in: dir)
        #expect(r.status == 74, "\(r.stderr)")
        #expect(r.stderr.contains("error writing") && r.stderr.contains("mazur-2015.csv") && r.stderr.contains("File too large"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "no partial file")
    }
}
