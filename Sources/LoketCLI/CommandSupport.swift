import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoketCore

/// Options shared by commands that load a conversation script.
public struct ScriptOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: "Conversation script (TOML) to use instead of the bundled PTSP script.")
    public var script: String?

    public func loadScript() throws -> Script {
        do {
            if let script { return try ScriptLoader.load(contentsOf: script) }
            return try ScriptLoader.loadDefault()
        } catch {
            throw CommandFailure(description: error.description)
        }
    }
}

/// Writes a line to standard output at once, so a program on the other end of a pipe is never kept waiting.
///
/// A reader that went away ends the program quietly; any other failure ends it with one line and status 74, never
/// with a trap (Foundation's `FileHandle.write` traps on a full disk or a closed descriptor).
public func writeLine(_ line: String) {
    guard let code = FileDescriptorOutput.writeAll(Array((line + "\n").utf8), to: 1) else { return }
    if code == EPIPE { exit(0) }
    writeError(Catalogue.Command.outputFailed(code))
    exit(ExitStatus.ioError)
}

/// Writes a line to standard error; if even that fails there is no one left to tell.
public func writeError(_ line: String) {
    _ = FileDescriptorOutput.writeAll(Array((line + "\n").utf8), to: 2)
}

/// A failure that is not about how the command was called (a bad script, theme or report file): the argument
/// parser prints it as it is, without the usage text that would bury the file and line, and exits with 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String

    /// Messages quote file names, keys and values from files: they are printed without control characters.
    public init(description: String) {
        self.description = Printable.sanitized(description)
    }
}

/// Exit statuses of the commands, as the README documents them.
public enum ExitStatus {
    /// Reading input or writing output failed (sysexits' EX_IOERR).
    public static let ioError: Int32 = 74
}
