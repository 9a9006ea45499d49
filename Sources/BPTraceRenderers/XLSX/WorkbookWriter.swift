import BPTrace

/// Placeholder until the workbook renderer lands: refuses to run.
public final class WorkbookWriter: TraceSink {
    public init(destination: String, overwrite: Bool, options: RenderOptions) throws {
        throw OutputError(.cannotCreate, "the xlsx workbook is not built yet; use --format csv")
    }
    public func begin(_ run: TraceRun) throws {}
    public func receive(_ block: TraceBlock) throws {}
    public func finish(_ outcome: TraceOutcome) throws {}
}
