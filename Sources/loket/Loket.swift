import ArgumentParser
import Foundation
import LoketCore

/// The `loket` command: trainee screen by default, the engine as a JSON Lines filter with `loket engine`.
@main
struct Loket: AsyncParsableCommand {
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
            throw ValidationError(error.description)
        }
    }
}

/// Writes a line to standard output at once, so a program on the other end of a pipe is never kept waiting.
func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func writeError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
