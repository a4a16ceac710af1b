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
import LoketCLI
import LoketCore

/// The `loket` command: trainee screen by default, the engine as a JSON Lines filter with `loket engine`.
/// Synchronous on purpose: an async entry point starts Dispatch's event machinery, whose descriptors would take
/// the place of a closed standard input or output (`loket engine <&-` must report the closed stream).
@main
struct Loket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loket",
        abstract: "Live-chat client for PTSP counter officers, with reply suggestions and a trainee mode.",
        subcommands: [Train.self, LiveHandOver.self, LoginHandOver.self, LogoutHandOver.self, EngineCommand.self, Themes.self, ReportCommand.self],
        defaultSubcommand: Train.self
    )
}


/// `loket live`, `loket login`, `loket logout`: handed over to `loket-live` beside this binary, so that trainee
/// mode never loads the network stack (it would cost about a third more memory at every start).
protocol LiveHandOverCommand: ParsableCommand {
    var arguments: [String] { get }
}

extension LiveHandOverCommand {
    func run() throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let live = here.appendingPathComponent("loket-live").path
        guard FileManager.default.isExecutableFile(atPath: live) else {
            writeError(Catalogue.Live.missingLiveBinary(live))
            throw ExitCode(1)
        }
        let argv = ([live, Self.configuration.commandName ?? "live"] + arguments).map { strdup($0) } + [nil]
        execv(live, argv)
        writeError(Catalogue.Live.missingLiveBinary(live))
        throw ExitCode(1)
    }
}

struct LiveHandOver: LiveHandOverCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "Answer real citizens through a hub (sign in first with 'loket login').")
    @Argument(parsing: .captureForPassthrough, help: "Options for loket-live live (see 'loket-live live --help').")
    var arguments: [String] = []
}

struct LoginHandOver: LiveHandOverCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in at a hub; the token is kept (mode 0600) for 'loket live'.")
    @Argument(parsing: .captureForPassthrough, help: "--hub URL --user NAME (see 'loket-live login --help').")
    var arguments: [String] = []
}

struct LogoutHandOver: LiveHandOverCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the saved hub session.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
}
