#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a script, story or theme file could not be loaded: the file, the line when known, the key, and what was expected.
public struct DataFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String
    public var message: String

    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
    }
}


/// Reading the TOML data files Loket is configured with (scripts, stories, scenarios, themes).
public enum DataFile {
    /// The file's text; unreadable files and invalid UTF-8 are errors that name the file.
    public static func read(_ path: String, displayName: String? = nil) throws(DataFileError) -> String {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataFileError(file: name, line: nil, key: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataFileError(file: name, line: nil, key: "", message: "the file is not valid UTF-8")
        }
        return text
    }

    /// The text parsed as TOML; a syntax error names the file and line.
    public static func parseTOML(_ text: String, source: String) throws(DataFileError) -> TOMLTable {
        do {
            return try TOMLParser.parse(text)
        } catch {
            throw DataFileError(file: source, line: error.line, key: "", message: "TOML syntax error: \(error.message)")
        }
    }
}
