import BPTrace

/// How one run of a compare workbook names its sheets: `R3 Overview`, `R3 Step 1`, … The prefix
/// is a task-local value, empty outside `CompareWorkbookSink` (so `run`'s workbook is unchanged),
/// and set to `R<index> ` while the sink forwards a run's begin / blocks / finish to that run's
/// `WorkbookWriter`. The Data sheet is shared (every run trains on the base spec's samples).
enum CompareSheetNaming {
    @TaskLocal static var prefix: String = ""

    static func prefix(run index: Int) -> String { "R\(index) " }
}

/// What a run's embedded `WorkbookWriter` shares with the compare workbook.
struct CompareEmbedding {
    let styles: WorkbookStyles
}
