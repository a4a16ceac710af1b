import ArgumentParser
import Foundation
import LoketCore

/// The `loket` command: trainee screen by default, the engine as a JSON Lines filter with `loket engine`.
/// Synchronous on purpose: an async entry point starts Dispatch's event machinery, whose descriptors would take
/// the place of a closed standard input or output (`loket engine <&-` must report the closed stream).
@main
struct Loket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loket",
        abstract: "Live-chat client for PTSP counter officers, with reply suggestions and a trainee mode.",
        subcommands: [Train.self, Live.self, Login.self, Logout.self, EngineCommand.self, Themes.self, ReportCommand.self],
        defaultSubcommand: Train.self
    )
}

/// Options shared by commands that load a conversation script.
struct ScriptOptions: ParsableArguments {
    @Option(name: .long, help: "Conversation script (TOML) to use instead of the bundled PTSP script.")
    var script: String?

    func loadScript() throws -> Script {
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
func writeLine(_ line: String) {
    guard let code = FileDescriptorOutput.writeAll(Array((line + "\n").utf8), to: 1) else { return }
    if code == EPIPE { exit(0) }
    writeError(Catalogue.Command.outputFailed(code))
    exit(ExitStatus.ioError)
}

/// Writes a line to standard error; if even that fails there is no one left to tell.
func writeError(_ line: String) {
    _ = FileDescriptorOutput.writeAll(Array((line + "\n").utf8), to: 2)
}

/// A failure that is not about how the command was called (a bad script, theme or report file): the argument
/// parser prints it as it is, without the usage text that would bury the file and line, and exits with 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    /// Messages quote file names, keys and values from files: they are printed without control characters.
    init(description: String) {
        self.description = Printable.sanitized(description)
    }
}

/// Exit statuses of the commands, as the README documents them.
enum ExitStatus {
    /// Reading input or writing output failed (sysexits' EX_IOERR).
    static let ioError: Int32 = 74
}
