import ArgumentParser
import BPTrace
import BPTraceCheck
import BPTraceRenderers
import Foundation

struct FixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixture",
        abstract: "Freeze a run's numbers into a fixture file for `bptrace check`.",
        discussion: """
        Runs the spec for --steps steps and writes a fixture: the spec (inline; as a
        path when its data is a CSV file) and the picked values written to
        --decimals decimals, so that `bptrace check` holds each to half a unit in
        its last decimal.

        --pick takes a comma-separated list; each item is
          - a trace quantity (docs/SPEC.md), all its cells: a, z, delta,
            W_new, or with a layer: a(2), grad_W(1)
          - a post-style name or a glob over them: out_o1, E_total, out_*, w*+,
            dE_total/dw*, out_o*[2] (sample 2), each optionally for one step
            only: E_total@3
        Without --pick: every post-style name of every step (net_, out_, E_,
        E_total, the derivatives dE_total/dout_, dout_/dnet_, dE_total/dnet_,
        dE_total/dw, w+, b+, and the optimizer's state when the spec has one:
        vel_w1, sq_w1, m_w1, v_w1, m_hat_w1, v_hat_w1, m_b1, ...). --list-names
        prints these names of one step and stops.

        Examples:
          bptrace fixture --preset mazur-2015 --pick 'out_*,E_total,w*+' \\
              --out mazur.json
          bptrace fixture --spec net.json --steps 3 --pick a,loss,W_new \\
              --decimals 12 --out net-fixture.json
          bptrace fixture --preset xor --steps 2 --title "XOR by hand" \\
              --author "A. Student" > xor.json
        """
    )

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: "Training steps to freeze.")
    var steps: Int = 1

    @Option(name: .long, help: ArgumentHelp("Comma-separated names, name patterns or quantities to freeze (default: every post-style name).", valueName: "list"))
    var pick: String?

    @Flag(name: .long, help: "Print the post-style names of one step (what --pick and fixtures name, the optimizer's state included), one a line, and write no fixture.")
    var listNames = false

    @Option(name: .long, help: "Decimals written for each value.")
    var decimals: Int = 9

    @Option(name: .long, help: ArgumentHelp("Write the fixture to this file, or to DIR/<spec name>.json when it is an existing folder or ends in / (default: standard output).", valueName: "path"))
    var out: String?

    @Flag(name: .long, help: "Overwrite an existing --out file.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("The fixture's title.", valueName: "text"))
    var title: String?

    @Option(name: .long, help: ArgumentHelp("source.title: the publication the numbers come from.", valueName: "text"))
    var sourceTitle: String?

    @Option(name: .long, help: ArgumentHelp("source.author.", valueName: "text"))
    var author: String?

    @Option(name: .long, help: ArgumentHelp("source.year.", valueName: "year"))
    var year: String?

    @Option(name: .long, help: ArgumentHelp("source.url: where the source can be read.", valueName: "url"))
    var url: String?

    func validate() throws {
        guard steps >= 1, steps <= 1_000_000 else { throw ValidationError("--steps must be from 1 to 1000000, found \(steps)") }
        guard (0...17).contains(decimals) else { throw ValidationError("--decimals must be from 0 to 17, found \(decimals)") }
        if let out, out.isEmpty { throw ValidationError("--out: expected a file or folder path, found an empty string") }
    }

    /// Where --out writes: DIR/<spec name>.json when it names an existing folder or ends in
    /// `/` (the folder is then created if missing), else the file itself.
    func destination(_ out: String, specName: String) -> (file: String, folder: String?) {
        var isDir: ObjCBool = false
        if out.hasSuffix("/") || (FileManager.default.fileExists(atPath: out, isDirectory: &isDir) && isDir.boolValue) {
            return ((out as NSString).appendingPathComponent("\(specName).json"), out)
        }
        return (out, nil)
    }

    func run() throws {
        let netSpec = try source.load()
        if listNames {
            try StandardOutput.write(ValueNames(spec: netSpec).canonicalNames().joined(separator: "\n"))
            return
        }
        let target = out.map { destination($0, specName: netSpec.name) }
        let outDir = target.map { ($0.file as NSString).deletingLastPathComponent }.map { $0.isEmpty ? "." : $0 } ?? "."
        let reference: FixtureSnapshot.SpecReference
        if let spec = source.spec {
            let text = (try? String(contentsOfFile: spec, encoding: .utf8)) ?? ""
            let json = try JSONParser.parse(text)
            if netSpec.data.csvPath != nil {
                reference = .path(relativePath(from: outDir, to: spec))
            } else {
                reference = .inline(json)
            }
        } else {
            reference = .inline(try JSONParser.parse(Presets.preset(named: source.preset?.name ?? Presets.defaultName)!.json))
        }
        var options = FixtureSnapshot.Options(steps: steps, decimals: decimals, title: title)
        options.pick = pick.map { splitPick($0) } ?? []
        if sourceTitle != nil || author != nil || year != nil || url != nil {
            options.source = Fixture.Source(title: sourceTitle, author: author, year: year, url: url)
        }
        let text: String
        do { text = try FixtureSnapshot.make(spec: netSpec, reference: reference, options: options) } catch let e as NameError {
            printError(e.message)
            throw Exit.usage
        }
        // The snapshot must check: read it back as `bptrace check` will.
        do {
            let fixture = try FixtureParser.parse(text: text, file: target?.file ?? "<stdout>", baseDirectory: outDir, dataAccess: source.dataAccess)
            let result = Checker.check(fixture)
            guard result.failed == 0 else {
                printError("internal error: the snapshot does not pass its own check (\(result.failed) values)")
                throw ExitCode(70)
            }
        } catch let e as FixtureErrors {
            printError("internal error: the snapshot cannot be read back: \(e.description)")
            throw ExitCode(70)
        }
        guard let target else { try StandardOutput.write(text, terminator: ""); return }
        try write(text, to: target.file, creating: target.folder)
        try StandardOutput.write(target.file)
    }

    /// Writes the fixture through a temporary file moved into place when complete (as `run`
    /// does): never through a link, never over a folder, an existing file only with --force.
    func write(_ text: String, to file: String, creating folder: String?) throws {
        CleanupRegistry.installSignalHandlers()
        var created: OutputFolder? = nil
        do {
            if let folder { created = try OutputFolder(folder) }
            TemporaryName.removeStale(in: (file as NSString).deletingLastPathComponent, bases: [(file as NSString).lastPathComponent])
            let output = try OutputFile(destination: file, overwrite: force)
            try output.write(text)
            try output.commit()
            created?.keep()
        } catch let e as OutputError {
            created?.removeCreated()
            printError(folder != nil && created == nil ? "--out: \(e.message)" : e.message)
            throw e.kind == .io ? Exit.io : Exit.cannotCreate
        }
    }

    /// Splits on commas that are not inside [...] (a sample or matrix index).
    func splitPick(_ s: String) -> [String] {
        var parts: [String] = [], cur = "", depth = 0
        for ch in s {
            if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 }
            if ch == ",", depth == 0 { parts.append(cur); cur = "" } else { cur.append(ch) }
        }
        parts.append(cur)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `to` relative to the folder `from` (both made absolute first).
    func relativePath(from: String, to: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ p: String) -> [String] {
            let abs = p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p)
            return (abs as NSString).standardizingPath.split(separator: "/").map(String.init)
        }
        let a = parts(from), b = parts(to)
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        let rel = Array(repeating: "..", count: a.count - i) + b[i...]
        return rel.joined(separator: "/")
    }
}
