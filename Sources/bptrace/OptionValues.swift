import ArgumentParser
import BPTrace
import BPTraceRenderers
import Foundation

// The typed values of the commands' options. argument-parser reads them and lists the values
// a closed set allows in `--help` ("(values: full, matrix, summary)"); a value outside it is a
// usage error (exit 64) whose message names the option and the values it takes.

/// One file format of `run --format`.
extension OutputFormat: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// `run --detail`: how a handout derives its steps.
extension HandoutDetail: ExpressibleByArgument {}

/// `run --format`: a comma-separated list of formats (`xlsx,csv,md`, case and spaces around a
/// name ignored, a repeat counted once). A list naming an unknown format is kept as read, so
/// that `validate()` can say which name is wrong (`unknown format "pdf"`) instead of
/// argument-parser's message about the whole list.
struct FormatList: ExpressibleByArgument, Equatable {
    /// The formats in the order given, without repeats.
    let formats: [OutputFormat]
    /// The first name that is no format, if any.
    let unknown: String?

    init(_ formats: [OutputFormat]) { self.formats = formats; self.unknown = nil }

    init?(argument: String) {
        var formats: [OutputFormat] = []
        var unknown: String? = nil
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let f = OutputFormat(argument: String(part)) else {
                unknown = unknown ?? part.trimmingCharacters(in: .whitespaces).lowercased()
                continue
            }
            if !formats.contains(f) { formats.append(f) }
        }
        self.formats = formats; self.unknown = unknown
    }

    var defaultValueDescription: String { formats.map(\.rawValue).joined(separator: ",") }

    /// The values listed in `--help`: each format (any comma-separated list of them is taken).
    static var allValueStrings: [String] { OutputFormat.allCases.map(\.rawValue) }

    /// Throws the usage error for a list that names an unknown format.
    func validate() throws {
        if let unknown {
            throw ValidationError("--format: unknown format \(SafeText.quoted(unknown)); expected a comma-separated list of \(Self.allValueStrings.joined(separator: ", "))")
        }
    }
}

/// `check --format`: how the report is written.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    /// One line per value, the summary last.
    case text
    /// One JSON document.
    case json
    /// A table, one row per student trace (`check --trace`, class mode).
    case csv
}

/// `--preset NAME` (and `presets --show NAME`): a built-in network. `--help` lists the
/// presets; an unknown name is kept as read, so that loading it gives bptrace's own message
/// with a "did you mean" hint (`--preset: unknown preset "mazur"`, exit 64).
struct PresetName: ExpressibleByArgument, Equatable {
    let name: String
    init(_ name: String) { self.name = name }
    init?(argument: String) { self.name = argument }
    var defaultValueDescription: String { name }
    static var allValueStrings: [String] { Presets.names }
}
