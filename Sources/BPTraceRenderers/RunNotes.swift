/// A sink that has something to tell the user after a run (e.g. "steps after 200 are in the
/// Overview table only").
public protocol RunNotes {
    var notes: [String] { get }
}
