#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Finished temporary files and folders that go into place together: all of them or none.
///
/// Writers stage their finished temporaries here; `commit()` moves them into place with
/// SIGINT/SIGTERM/SIGHUP held back, so a run is never interrupted half-committed:
/// - without `overwrite`, each move is renameat2(RENAME_NOREPLACE): when a destination
///   appeared meanwhile (another run), the move fails, everything already moved is taken back
///   and the commit throws `.exists`;
/// - with `overwrite`, an existing destination is swapped with the new one
///   (RENAME_EXCHANGE) and the old one deleted only when every move succeeded; a failure
///   swaps the old ones back. A destination that is a symbolic link is replaced as a link:
///   nothing is ever written through it. A folder is never replaced by a file.
/// - A figures folder keeps what bptrace did not write in it (see `ManifestFolder`).
public final class OutputTransaction {
    public let overwrite: Bool
    private var staged: [Entry] = []
    private var done = false
    /// Messages for the user from the last commit (files kept in a figures folder).
    public private(set) var notes: [String] = []

    struct Entry {
        let temporary: String
        let destination: String
        let isFolder: Bool
        /// A private folder holding `temporary`, removed when the transaction ends.
        var container: String? = nil
        /// For a folder: the names bptrace wrote (its manifest).
        var written: Set<String> = []
    }

    public init(overwrite: Bool) { self.overwrite = overwrite }

    deinit { abort() }

    /// Stages a finished file (closed) to become `destination`.
    func stageFile(_ temporary: String, as destination: String, container: String? = nil) {
        staged.append(Entry(temporary: temporary, destination: destination, isFolder: false, container: container))
    }

    /// Stages a finished folder whose files bptrace wrote are `written`.
    func stageFolder(_ temporary: String, as destination: String, written: Set<String>) {
        staged.append(Entry(temporary: temporary, destination: destination, isFolder: true, written: written))
    }

    /// Deletes every staged temporary; destinations are untouched.
    public func abort() {
        guard !done else { return }
        done = true
        for e in staged { remove(e) }
        staged = []
    }

    private func remove(_ e: Entry) {
        FileSystem.removeTree(e.temporary)
        forget(e)
    }

    /// Takes an entry's temporary paths off the signal-cleanup list.
    private func forget(_ e: Entry) {
        for name in e.written { CleanupRegistry.unregister(e.temporary + "/" + name) }
        CleanupRegistry.unregister(e.temporary)
        if let c = e.container { rmdir(c); CleanupRegistry.unregister(c) }
    }

    /// A move done, with how to take it back.
    private struct Done {
        let entry: Entry
        /// Where the replaced destination now is (swapped or moved aside), if there was one.
        let old: String?
        let carried: [String]
    }

    /// Moves every staged temporary into place, or none. Throws `.exists` when a destination
    /// exists (or appeared) and may not be replaced, `.io` when a move fails.
    public func commit() throws {
        guard !done else { throw OutputError(.io, "internal error: output committed twice") }
        done = true
        try CleanupRegistry.withSignalsBlocked {
            var completed: [Done] = []
            do {
                for e in staged { completed.append(try install(e)) }
            } catch {
                for d in completed.reversed() { rollBack(d) }
                for e in staged { remove(e) }
                staged = []
                throw error
            }
            for d in completed {
                if let old = d.old { FileSystem.removeTree(old) }
                forget(d.entry)
                if !d.carried.isEmpty {
                    let shown = d.carried.prefix(5).joined(separator: ", ") + (d.carried.count > 5 ? ", …" : "")
                    notes.append("kept \(d.carried.count) file\(d.carried.count == 1 ? "" : "s") in \(d.entry.destination) that bptrace did not write: \(shown)")
                }
            }
            staged = []
        }
    }

    private func install(_ e: Entry) throws -> Done {
        let dest = e.destination
        for _ in 0..<3 {
            let existing = FileSystem.kind(dest)
            if existing == .none {
                let r = FileSystem.renameNoReplace(e.temporary, dest)
                if r == 0 { return Done(entry: e, old: nil, carried: []) }
                if r != EEXIST { throw OutputError(.io, "cannot move the finished file into place at \(dest): \(FileSystem.reason(r))") }
                // It appeared meanwhile: another process is writing the same output.
                if !overwrite { throw appeared(dest) }
                continue
            }
            // Writers refuse an existing destination before they start, so it appeared meanwhile.
            guard overwrite else { throw appeared(dest) }
            if existing == .directory && !e.isFolder { throw OutputError(.exists, "\(dest) is a folder; cannot write a file there") }
            if existing == .file && e.isFolder { throw OutputError(.exists, "\(dest) is a file; the handout's figures folder goes there") }
            var carried: [String] = []
            if e.isFolder && existing == .directory {
                carried = try ManifestFolder.carryForeign(from: dest, into: e.temporary, written: e.written)
            }
            if let r = FileSystem.exchange(e.temporary, dest) {
                if r == 0 { return Done(entry: e, old: e.temporary, carried: carried) }
                ManifestFolder.carryBack(carried, from: e.temporary, into: dest)
                if r == ENOENT { continue }
                throw OutputError(.io, "cannot replace \(dest): \(FileSystem.reason(r))")
            }
            // No exchange on this file system: move the old one aside, then the new one in.
            let aside = TemporaryName.make(beside: dest, tag: "old")
            if rename(dest, aside) != 0 {
                let r = errno
                ManifestFolder.carryBack(carried, from: e.temporary, into: dest)
                if r == ENOENT { continue }
                throw OutputError(.io, "cannot replace \(dest): \(FileSystem.reason(r))")
            }
            let r = FileSystem.renameNoReplace(e.temporary, dest)
            if r != 0 {
                _ = rename(aside, dest)
                ManifestFolder.carryBack(carried, from: e.temporary, into: dest)
                throw OutputError(.io, "cannot replace \(dest): \(FileSystem.reason(r))")
            }
            return Done(entry: e, old: aside, carried: carried)
        }
        throw OutputError(.io, "cannot move the finished file into place at \(dest): it keeps changing")
    }

    private func appeared(_ dest: String) -> OutputError {
        OutputError(.exists, "\(dest) appeared while bptrace was writing it (another run writing the same output?); nothing was written; add --force to overwrite it")
    }

    /// Takes a move back: the destination as it was before, the new output at its temporary name.
    private func rollBack(_ d: Done) {
        let dest = d.entry.destination
        if let old = d.old {
            if old == d.entry.temporary {
                _ = FileSystem.exchange(old, dest)
            } else {
                _ = FileSystem.renameNoReplace(dest, d.entry.temporary)
                _ = rename(old, dest)
            }
            ManifestFolder.carryBack(d.carried, from: d.entry.temporary, into: dest)
        } else {
            _ = FileSystem.renameNoReplace(dest, d.entry.temporary)
        }
    }
}
