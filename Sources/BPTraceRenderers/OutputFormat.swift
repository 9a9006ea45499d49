import BPTrace

/// The file formats `bptrace run` writes, each with its extension.
public enum OutputFormat: String, CaseIterable, Sendable {
    case xlsx, csv, md, html

    public var fileExtension: String { rawValue }
}

/// Options that shape renderers' output (not the numbers).
public struct RenderOptions: Sendable {
    /// Decimals shown (workbook display format, handout numbers).
    public var decimals: Int = 3
    /// The step whose 12 walkthrough sheets the workbook gets.
    public var walkthroughStep: Int = 1
    /// At most this many step sheets in a workbook; later steps go to the Overview table only.
    public var sheetsLimit: Int = 200
    /// Handout (md): decimals of its numbers; nil = 9 (the post's) in full detail, 6 in matrix and
    /// summary detail (so a 5-column matrix fits a printed page).
    public var handoutDecimals: Int? = nil
    /// CSV: decimals each value is rounded to (`run --decimals`); nil = full precision, the
    /// shortest decimal that reads back to the same Float64.
    public var csvDecimals: Int? = nil
    /// Handout (md): how the derived steps are written; nil = `HandoutDetail.automatic(for:)`.
    public var detail: HandoutDetail? = nil
    /// Handout (md): the steps derived in full; the others appear in the loss table only.
    public var handoutSteps: [Int] = [1]
    /// Handout (md): the traced value whose computational graph the first derived step shows (--graph).
    public var handoutGraph: HandoutGraphCell? = nil
    /// Handout (md): the two parameters whose loss landscape, with the run's path, it shows (--landscape).
    public var handoutLandscape: HandoutLandscapeRequest? = nil
    /// Explorer (html): the steps that can be stepped through (1 to 1000); later steps are in its loss curve only.
    public var htmlSteps: Int = HTMLExplorerWriter.defaultSteps
    public init() {}
}

extension OutputFormat {
    /// A sink that writes this format to `destination` (through a temporary file). With a
    /// transaction, the finished output is staged there and goes into place when the caller
    /// commits it, together with the run's other outputs; without, when the sink finishes.
    public func makeSink(destination: String, overwrite: Bool, options: RenderOptions,
                         transaction: OutputTransaction? = nil) throws -> TraceSink {
        switch self {
        case .csv: return CSVTraceWriter(file: try OutputFile(destination: destination, overwrite: overwrite, transaction: transaction),
                                         decimals: options.csvDecimals)
        case .xlsx: return try WorkbookWriter(destination: destination, overwrite: overwrite, options: options, transaction: transaction)
        case .md: return try MarkdownHandoutWriter(destination: destination, overwrite: overwrite, options: options, transaction: transaction)
        case .html: return try HTMLExplorerWriter(destination: destination, overwrite: overwrite, options: options, transaction: transaction)
        }
    }

    /// The names this format writes beside `destination`'s folder for a spec named `name`
    /// (the file, and for the handout its figures folder): what stale-leftover cleanup and
    /// existence checks look at.
    public func outputNames(specName name: String) -> [String] {
        self == .md ? ["\(name).md", "\(name)-figures"] : ["\(name).\(fileExtension)"]
    }
}
