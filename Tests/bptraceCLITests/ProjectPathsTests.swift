import Foundation
import Testing

/// The project is self-contained: no file refers to a document outside it (a contract kept
/// elsewhere) or to a path of the machine it was written on. docs/SPEC.md and docs/FORMULAS.md
/// are the references.
@Suite struct ProjectPathsTests {
    /// Text files of the project's own folders, relative to the repository's root.
    static func projectFiles() -> [String] {
        var out = ["README.md", "Package.swift"]
        for folder in ["Sources", "Tests", "scripts", "docs", "Fixtures", ".ci"] {
            for f in CLI.files(in: CLI.repoRoot + "/" + folder)
            where [".swift", ".md", ".py", ".sh", ".json", ".txt", ".h", ".modulemap"].contains(where: f.hasSuffix) || !f.contains(".") {
                var isDir: ObjCBool = false
                let path = folder + "/" + f
                if FileManager.default.fileExists(atPath: CLI.repoRoot + "/" + path, isDirectory: &isDir), !isDir.boolValue { out.append(path) }
            }
        }
        return out
    }

    @Test func noFileRefersToASharedFolderOrAMachinePath() throws {
        // Written in pieces, so that this file does not match itself.
        let banned = ["CONTRACT" + ".md", "/work" + "/", "../" + "shared", "shared" + " folder", "/home" + "/", "/Users" + "/"]
        let files = Self.projectFiles()
        #expect(files.count > 50 && files.contains("docs/SPEC.md") && files.contains("Fixtures/mazur-2015.json"), "\(files.count) files")
        for f in files {
            let text = (try? String(contentsOfFile: CLI.repoRoot + "/" + f, encoding: .utf8)) ?? ""
            for b in banned { #expect(!text.contains(b), "\(f) mentions \(b)") }
        }
    }
}
