import ArgumentParser
import Foundation
import LoketCLI
import LoketCore
import LoketLive
import LoketTerminal
import LoketUI
import Synchronization

/// `loket-live`: live mode (sign in, the counter screen fed by a hub, sign out). Its own executable so that the
/// network stack stays out of `loket`, whose trainee mode must start small; `loket live`, `loket login` and
/// `loket logout` hand over to it. Synchronous, like `loket`, so the screen loop owns the main thread.
@main
struct LoketLiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loket-live", abstract: "Live mode of Loket: answer real citizens through a hub.",
        subcommands: [Live.self, Login.self, Logout.self], defaultSubcommand: Live.self)
}

/// `loket login`: signs an officer in at a hub and keeps the session token for `loket live`.
struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in at a hub; the token is kept (mode 0600) for 'loket live'.")

    @Option(help: "The hub's address, e.g. http://127.0.0.1:8750.") var hub: String
    @Option(help: "Your username at the hub.") var user: String

    func run() throws {
        let password: String?
        if isatty(STDIN_FILENO) != 0 {
            password = askSilently(Catalogue.Live.passwordPrompt)
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else {
            writeError("loket: \(Catalogue.Live.emptyPassword)")
            throw ExitCode(1)
        }
        let path = SavedSession.path(environment: ProcessInfo.processInfo.environment)
        do {
            let session = try waitFor { [hub, user] in try await OfficerLogin.login(hub: hub, username: user, password: password) }
            try session.save(to: path)
            writeLine(Catalogue.Live.loggedIn(session.name, session.hub, path))
        } catch let error as LoginError {
            writeError("loket: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// Reads a line from the terminal with echo off, restoring the terminal whatever happens.
    private func askSilently(_ prompt: String) -> String? {
        _ = FileDescriptorOutput.writeAll(Array(prompt.utf8), to: 2)
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return readLine(strippingNewline: true) }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            writeError("")
        }
        return readLine(strippingNewline: true)
    }
}

/// `loket logout`: forgets the saved session.
struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the saved hub session.")

    func run() throws {
        let path = SavedSession.path(environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: path) else {
            writeLine(Catalogue.Live.noSession)
            return
        }
        try FileManager.default.removeItem(atPath: path)
        writeLine(Catalogue.Live.loggedOut)
    }
}

/// `loket live`: the counter screen fed by a hub instead of simulated citizens. Synchronous on purpose: the screen
/// loop blocks its thread, which must be the main thread, not one of the few that run the hub link's tasks.
struct Live: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "Answer real citizens through a hub (sign in first with 'loket login').")

    @Option(help: "The hub's address (default: the one you signed in at).") var hub: String?
    @Option(help: ArgumentHelp(
        "Another hub sharing the same database, used when the first is out of reach (repeatable).",
        valueName: "URL"))
    var alsoHub: [String] = []
    @OptionGroup var scriptOptions: ScriptOptions
    @Option(help: "Theme name (see 'loket themes').") var theme = "default"
    @Option(help: "Write a debug log to this file.") var log: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = SavedSession.path(environment: environment)
        let wanted = hub.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        guard let session = SavedSession.load(from: path), wanted == nil || wanted == session.hub else {
            writeError("loket: \(Catalogue.Live.notLoggedIn(wanted))")
            throw ExitCode(1)
        }
        let script = try scriptOptions.loadScript()
        let library = ThemeLibrary(environment: environment)
        let chosenTheme = (try? library.load(theme)) ?? (try? library.load("default")) ?? .builtIn
        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(
                term: environment["TERM"], theme: chosenTheme, noColor: !(environment["NO_COLOR"] ?? "").isEmpty)
        } catch {
            writeError(error.description)
            throw ExitCode(2)
        }
        let link = HubLink(hub: session.hub, alternates: alsoHub, token: session.token, username: session.username)
        link.start()
        let size = screen.size
        // Reply ids must never repeat across runs: the hub would take a repeat for a resend and store nothing.
        let state = AppState(
            now: Date(), width: size.width, height: size.height, live: true,
            idPrefix: "\(session.username)-\(Token.unique())")
        var counter = CounterSession(state: state, source: HubSource(link: link), engine: Engine(script: script))
        let stoppedBy = runCounter(
            screen: screen, session: &counter, renderer: Renderer(calendar: script.calendar), log: log.map(DebugLog.init(path:)))
        screen.close()
        let unsent = link.unacknowledged
        try waitFor { await link.stop() }
        if !unsent.isEmpty {
            writeError(Catalogue.Live.unsent(unsent.count))
            for text in unsent { writeError("  \(text)") }
        }
        if let stoppedBy { TerminalScreen.endProcess(bySignal: stoppedBy) }
        if !unsent.isEmpty { throw ExitCode(1) }
    }
}

/// Runs async work from a synchronous command and waits for it.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    guard let outcome = result.withLock({ $0 }) else { throw ExitCode(1) }
    return try outcome.get()
}

/// Random ids for this run.
enum Token {
    static func unique() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() & 0xFFFF_FFFF_FFFF, radix: 36)
    }
}
