import ArgumentParser
import BPTrace
import BPTraceCheck
import Foundation

extension CheckCommand {
    /// `--trace` files: a folder becomes its *.csv files, sorted (`inFolder`: must be regular files).
    func traceFiles() -> [(path: String, inFolder: Bool)] {
        var out: [(path: String, inFolder: Bool)] = []
        for f in trace {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue {
                let items = (try? FileManager.default.contentsOfDirectory(atPath: f)) ?? []
                out += items.filter { $0.hasSuffix(".csv") }.sorted().map { ((f as NSString).appendingPathComponent($0), true) }
            } else {
                out.append((f, false))
            }
        }
        return out
    }

    /// Diagnoses each trace in turn and prints it before reading the next (memory stays flat in
    /// the number of files). One trace: the full report; several: one summary line (or CSV row) each.
    func runTraces() throws {
        let netSpec = try loadSpec(preset: preset?.name, specPath: spec, dataAccess: allowOutsideData ? .anywhere : .specFolderOnly)
        let paths = traceFiles()
        if paths.isEmpty { printError("no *.csv trace files in \(trace.joined(separator: ", "))"); throw Exit.missingInput }
        let single = paths.count == 1 && !paths[0].inFolder
        var passed = 0, failed = 0, missing = false, invalid = false, first = true
        // What depends only on the spec (names, alternatives, bptrace's own steps) is worked out once for the class.
        let grader = Grader(spec: netSpec)
        if format == .csv { try StandardOutput.write(DiagnosisReport.csvHeader) }
        if format == .json && !single { try StandardOutput.write("{\n  \"traces\": [", terminator: "") }
        for (path, inFolder) in paths {
            let studentTrace: StudentTrace
            do {
                studentTrace = try StudentTraceReader.read(file: path, spec: netSpec, regularOnly: inFolder)
            } catch let e as StudentTraceError {
                printError(e.description)
                if e.kind == .missingFile { missing = true } else { invalid = true }
                continue
            }
            guard !studentTrace.values.isEmpty else {
                printError("\(SafeText.truncated(path, limit: 200)): no usable row (the trace's problems follow)")
                for p in studentTrace.problems.prefix(20) { printError("  \(p)") }
                invalid = true
                continue
            }
            let d = grader.diagnose(trace: studentTrace, reanchor: !noReanchor, explain: explain)
            passed += d.passed; failed += d.failed
            let report = DiagnosisReport(d, specName: netSpec.name)
            switch format {
            case .csv: try StandardOutput.write(report.csvRow())
            case .json:
                if single { try StandardOutput.write(report.json(), terminator: "") }
                else {
                    try StandardOutput.write((first ? "\n" : ",\n") + JSONWriter.write(report.jsonValue(), pretty: false), terminator: "")
                }
            case .text: try StandardOutput.write(single ? report.text() : report.summaryLine(), terminator: single ? "" : "\n")
            }
            first = false
        }
        if format == .json && !single {
            try StandardOutput.write("\n  ],\n  \"passed\": \(passed),\n  \"failed\": \(failed),\n  \"summary\": \"\(passed) passed, \(failed) failed\"\n}")
        }
        if format == .text && !single { try StandardOutput.write("\(passed) passed, \(failed) failed") }
        if missing { throw Exit.missingInput }
        if invalid { throw Exit.invalidSpec }
        if failed > 0 { throw ExitCode(1) }
    }
}
