#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files and folders this process has alive, so that SIGINT, SIGTERM and
/// SIGHUP remove them before the process dies.
///
/// The list is a chain of C-allocated nodes, only ever prepended to (under blocked signals)
/// and marked dead, never freed while the process runs, so the signal handler can walk it with
/// nothing but loads and async-signal-safe calls (`unlink`, `rmdir`, `signal`, `raise`).
/// After removing the files, the handler restores the default action and re-raises the
/// signal, so the process ends "killed by signal N" (a shell shows 130 for SIGINT, 143 for
/// SIGTERM, 129 for SIGHUP).
public enum CleanupRegistry {
    struct Node {
        var next: UnsafeMutablePointer<Node>?
        var live: Int32
        var directory: Int32
        var path: UnsafeMutablePointer<CChar>
    }

    nonisolated(unsafe) private static var head: UnsafeMutablePointer<Node>? = nil
    nonisolated(unsafe) private static var installed = false
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP blocked in this thread (delivered after).
    public static func withSignalsBlocked<T>(_ body: () throws -> T) rethrows -> T {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        return try body()
    }

    /// Records a temporary path. Call with signals blocked (`withSignalsBlocked`).
    static func register(_ path: String, directory: Bool) {
        let node = UnsafeMutablePointer<Node>.allocate(capacity: 1)
        node.initialize(to: Node(next: head, live: 1, directory: directory ? 1 : 0, path: strdup(path)!))
        head = node
    }

    /// Forgets a path (it was renamed into place or removed). The node stays, marked dead.
    static func unregister(_ path: String) {
        withSignalsBlocked {
            var n = head
            while let node = n {
                if node.pointee.live != 0 && strcmp(node.pointee.path, path) == 0 { node.pointee.live = 0; return }
                n = node.pointee.next
            }
        }
    }

    /// The live paths, newest first (for tests).
    static var livePaths: [String] {
        var out: [String] = []
        var n = head
        while let node = n {
            if node.pointee.live != 0 { out.append(String(cString: node.pointee.path)) }
            n = node.pointee.next
        }
        return out
    }

    /// Removes every live path: files first, then folders, newest first. Async-signal-safe.
    static func removeAllLive() {
        for pass: Int32 in 0...1 {
            var n = head
            while let node = n {
                if node.pointee.live != 0 && node.pointee.directory == pass {
                    if pass == 0 { unlink(node.pointee.path) } else { rmdir(node.pointee.path) }
                }
                n = node.pointee.next
            }
        }
    }

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP (once; a signal the process was
    /// started with ignored, as under `nohup`, stays ignored).
    public static func installSignalHandlers() {
        guard !installed else { return }
        installed = true
        let handler: @convention(c) (Int32) -> Void = { sig in
            CleanupRegistry.removeAllLive()
            signal(sig, SIG_DFL)
            raise(sig)
        }
        for s in signals {
            let old = signal(s, handler)
            if let old, unsafeBitCast(old, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(s, SIG_IGN) }
        }
    }
}
