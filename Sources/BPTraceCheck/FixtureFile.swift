import BPTrace
import Foundation

/// A fixture that cannot be read: the message names the file and the entry (`values[3].name`).
public struct FixtureError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The fixture breaks a rule (unknown name, malformed number, invalid spec, JSON syntax).
        case invalid
        /// The fixture, or a file it names, does not exist or cannot be read.
        case missingFile
    }
    public let file: String
    /// Where in the fixture (`values[3].value`, `spec.layers`), or "" for the whole file.
    public let path: String
    public let message: String
    public let kind: Kind

    public init(file: String, path: String, message: String, kind: Kind = .invalid) {
        self.file = file; self.path = path; self.message = message; self.kind = kind
    }

    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
}

/// Several errors of one fixture (every bad entry is reported, not only the first).
public struct FixtureErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [FixtureError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
    public var kind: FixtureError.Kind { errors.contains { $0.kind == .missingFile } ? .missingFile : .invalid }
}

extension FixtureParser {
    /// Loads and checks the fixture at `path`: every name is resolved against the network and
    /// every number read, before anything runs. Throws `FixtureErrors`.
    /// A data CSV the fixture's spec names is read only from inside the spec's folder unless
    /// `dataAccess` is `.anywhere` (`--allow-outside-data`).
    /// `regularOnly` refuses devices, pipes and sockets without blocking (files found in a folder).
    public static func load(path: String, dataAccess: DataAccess = .specFolderOnly, regularOnly: Bool = false) throws -> Fixture {
        let file = path
        let bytes: [UInt8]
        switch InputFile.read(path: path, regularOnly: regularOnly) {
        case .success(let b): bytes = b
        case .failure(let f):
            let message: String, kind: FixtureError.Kind
            switch f {
            case .missing: (message, kind) = ("the fixture file does not exist", .missingFile)
            case .unreadable(let why): (message, kind) = ("cannot read the fixture file: \(why)", .missingFile)
            case .isDirectory: (message, kind) = ("a folder, not a fixture file", .missingFile)
            case .notRegular: (message, kind) = ("not a regular file (a device, pipe or socket)", .invalid)
            case .tooLarge: (message, kind) = ("the fixture file is larger than \(InputFile.limitText), the limit for input files", .invalid)
            }
            throw FixtureErrors(errors: [FixtureError(file: file, path: "", message: message, kind: kind)])
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes[3...]) : bytes
        guard String(validating: body, as: UTF8.self) != nil else {
            throw FixtureErrors(errors: [FixtureError(file: file, path: "", message: "not UTF-8 text")])
        }
        let dir = (path as NSString).deletingLastPathComponent
        let json: JSONValue
        do { json = try JSONParser.parse(bytes: body) } catch let e as JSONSyntaxError {
            throw FixtureErrors(errors: [FixtureError(file: file, path: "", message: "not valid JSON at \(e)")])
        }
        return try parse(json: json, file: file, baseDirectory: dir.isEmpty ? "." : dir, dataAccess: dataAccess)
    }
}
