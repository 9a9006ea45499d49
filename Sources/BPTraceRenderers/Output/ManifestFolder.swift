#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A folder of outputs (the handout's figures) that bptrace replaces as a whole, but where the
/// user may have put files of their own. `.bptrace-manifest` in the folder lists, one per line,
/// the names bptrace wrote; on `--force` everything else is carried over into the new folder
/// and named in a note. A folder without a manifest (written by an older bptrace) counts as
/// bptrace's the names it writes: `network.svg`, `network-step-N.svg`, `loss.svg`.
enum ManifestFolder {
    static let manifestName = ".bptrace-manifest"

    /// The manifest's text for the names written.
    static func manifest(_ names: Set<String>) -> String {
        "# Files written by bptrace; others in this folder are kept when it is rewritten.\n" + names.sorted().joined(separator: "\n") + "\n"
    }

    /// The names a manifest lists, or nil without a manifest. Read without following a link.
    static func readManifest(in folder: String) -> Set<String>? {
        let fd = open(folder + "/" + manifestName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 4096) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        return Set(lines.filter { !$0.hasPrefix("#") && !$0.isEmpty })
    }

    /// Whether an older bptrace (no manifest) would have written `name`.
    static func isFigureName(_ name: String) -> Bool {
        if name == "network.svg" || name == "loss.svg" { return true }
        guard name.hasPrefix("network-step-"), name.hasSuffix(".svg") else { return false }
        let digits = name.dropFirst("network-step-".count).dropLast(4)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Moves the entries of `old` that bptrace did not write into `new` (which holds what this
    /// run wrote, `written`). Throws, moving nothing, when such an entry has the name of a file
    /// this run wrote. Returns the names moved.
    static func carryForeign(from old: String, into new: String, written: Set<String>) throws -> [String] {
        guard let names = FileSystem.entries(old) else { return [] }
        let listed = readManifest(in: old)
        let foreign = names.filter { name in
            if name == manifestName { return false }
            if let listed { return !listed.contains(name) }
            return !isFigureName(name)
        }
        if let clash = foreign.first(where: { written.contains($0) }) {
            throw OutputError(.exists, "\(old)/\(clash) was not written by bptrace (it is not in \(old)/\(manifestName)); move it away, then run again")
        }
        var moved: [String] = []
        for name in foreign {
            let r = FileSystem.renameNoReplace(old + "/" + name, new + "/" + name)
            if r != 0 {
                carryBack(moved, from: new, into: old)
                throw OutputError(.io, "cannot keep \(old)/\(name) in the new figures folder: \(FileSystem.reason(r))")
            }
            moved.append(name)
        }
        return moved
    }

    /// Moves `names` back from `new` to `old` (undoing `carryForeign`).
    static func carryBack(_ names: [String], from new: String, into old: String) {
        for name in names { _ = FileSystem.renameNoReplace(new + "/" + name, old + "/" + name) }
    }
}
