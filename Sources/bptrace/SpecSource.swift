import ArgumentParser
import BPTrace

/// `--preset NAME | --spec FILE`: where a command's network comes from (run, fixture, gradcheck).
struct SpecSource: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A built-in network (see `bptrace presets`). Default: \(Presets.defaultName).", valueName: "name"))
    var preset: PresetName?

    @Option(name: .long, help: ArgumentHelp("A spec file (JSON; its format: docs/SPEC.md).", valueName: "file"))
    var spec: String?

    @Flag(name: .customLong("allow-outside-data"), help: "Let the spec's data CSV be outside the spec's folder (an absolute path, .., or a symbolic link leading out).")
    var allowOutsideData = false

    var dataAccess: DataAccess { allowOutsideData ? .anywhere : .specFolderOnly }

    func validate() throws {
        if preset != nil && spec != nil { throw ValidationError("give either --preset or --spec, not both") }
    }

    /// The validated spec; errors are printed with their key path and become exit codes.
    func load() throws -> NetworkSpec { try loadSpec(preset: preset?.name, specPath: spec, dataAccess: dataAccess) }
}
