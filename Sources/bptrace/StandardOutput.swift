#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// Everything the commands print as their result goes to standard output through here: written
/// with write(2) at once (no stdio buffer to lose at exit) and checked, so a full disk, a
/// closed pipe's error or `/dev/full` becomes exit 74 with a message instead of a silent
/// truncation.
enum StandardOutput {
    /// Writes `text` (a line break is added unless `terminator` says otherwise). Throws
    /// `Exit.io` after printing a message when the write fails.
    static func write(_ text: String, terminator: String = "\n") throws {
        var bytes = Array(text.utf8)
        bytes.append(contentsOf: terminator.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
#if canImport(Glibc)
                Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
#else
                Darwin.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
#endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                printError("cannot write to standard output: \(reason)")
                throw Exit.io
            }
            offset += n
        }
    }
}
