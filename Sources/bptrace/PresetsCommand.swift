import ArgumentParser
import BPTrace

struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "List the built-in networks, or print one as a spec file.",
        discussion: """
        A preset is a spec built into bptrace; `--show` prints it in the spec format (every key, its default and its rules: docs/SPEC.md), ready to edit.

        Examples:
          bptrace presets                                  # names and summaries
          bptrace presets --show mazur-2015 > my-net.json  # a spec to edit, then: bptrace run --spec my-net.json
          bptrace presets --show xor-adam                  # a spec with an optimizer and its hyper-parameters
        """
    )

    @Option(name: .long, help: ArgumentHelp("Print the spec JSON of this preset.", valueName: "name"))
    var show: PresetName?

    func run() throws {
        if let show {
            guard let p = Presets.preset(named: show.name) else {
                _ = try loadSpec(preset: show.name, specPath: nil)   // prints the "unknown preset" message
                return
            }
            try StandardOutput.write(p.json)
            return
        }
        let lines = Presets.all.map { p in
            "\(p.name)\(p.name == Presets.defaultName ? " (default)" : "")\n    \(p.summary)"
        }
        try StandardOutput.write(lines.joined(separator: "\n"))
    }
}
