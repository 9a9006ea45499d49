import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on stderr, shown only when stderr is a terminal and the run has already
/// taken more than a second; redrawn at most ten times a second.
final class ProgressBar {
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let enabled = isatty(STDERR_FILENO) == 1

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var e = StandardError(); e.write("\r[\(bar)] \(done)/\(total) steps")
        drawn = true
    }

    func clear() {
        if drawn { var e = StandardError(); e.write("\r\u{1B}[K"); drawn = false }
    }
}
