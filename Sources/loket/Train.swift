import ArgumentParser
import Foundation
import LoketCore
import LoketTerminal

/// `loket` / `loket train`: trainee mode against simulated citizens (the default command).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Trainee mode: practise with simulated citizens (default).")

    @OptionGroup var scriptOptions: ScriptOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        if let refusal = TerminalCheck.check(
            term: environment["TERM"], stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1)
        {
            writeError(refusal.description)
            throw ExitCode(2)
        }
        _ = try scriptOptions.loadScript()
        writeError("loket: layar latihan belum tersedia pada versi ini; gunakan 'loket engine' (lihat README).")
        throw ExitCode(1)
    }
}
