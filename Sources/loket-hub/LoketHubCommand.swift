import ArgumentParser
import Foundation
import Logging
import LoketCore
import LoketHub
import ServiceLifecycle

/// `loket-hub`: the live-mode server (citizens in, officers at their screens), and its officer and report tools.
@main
struct LoketHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loket-hub",
        abstract: "Live-mode hub: citizens' chats in, officers' replies out, everything stored first.",
        subcommands: [Serve.self, OfficerCommand.self, Report.self, Citizen.self],
        defaultSubcommand: Serve.self)
}

/// Writes a line to standard output at once (often a pipe a script waits on); a closed pipe ends quietly, any
/// other failure with one line and status 74, as `loket` does.
func say(_ line: String) {
    guard let code = FileDescriptorOutput.writeAll(Array((line + "\n").utf8), to: 1) else { return }
    if code == EPIPE { exit(0) }
    tell("loket-hub: \(String(cString: strerror(code)))")
    exit(74)
}

/// Writes to standard error; if even that fails there is no one left to tell.
func tell(_ text: String, newline: Bool = true) {
    _ = FileDescriptorOutput.writeAll(Array((newline ? text + "\n" : text).utf8), to: 2)
}

/// Where the hub keeps its data: `--data DIR` (default `$XDG_DATA_HOME/loket`), or a PostgreSQL database shared
/// by several hubs with `--database postgres://USER@HOST:PORT/DB`.
struct StoreOptions: ParsableArguments {
    @Option(help: "Folder for the hub's SQLite database (default: $XDG_DATA_HOME/loket, else ~/.local/share/loket).")
    var data: String?

    @Option(help: ArgumentHelp(
        "A PostgreSQL database shared by several hubs, postgres://USER@HOST:PORT/DB (the password comes from "
            + "$\(Self.passwordVariable) or --database-password-file, never from the URL).", valueName: "URL"))
    var database: String?

    @Option(help: "A file whose first line is the database password.")
    var databasePasswordFile: String?

    static let passwordVariable = "LOKET_DATABASE_PASSWORD"

    func validate() throws {
        if let database {
            if data != nil { throw ValidationError("--data and --database exclude each other") }
            if case .failure(let error) = PostgresHubStore.Location.parse(database) {
                throw ValidationError("--database: \(error)")
            }
        } else if databasePasswordFile != nil {
            throw ValidationError("--database-password-file needs --database")
        }
    }

    func directory() -> String {
        if let data { return data }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") { return "\(xdg)/loket" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return "\(home)/.local/share/loket"
    }

    /// The PostgreSQL location with its password, when `--database` was given.
    func location() throws -> PostgresHubStore.Location? {
        guard let database else { return nil }
        var location: PostgresHubStore.Location
        switch PostgresHubStore.Location.parse(database) {
        case .success(let parsed): location = parsed
        case .failure(let error): throw ValidationError("--database: \(error)")
        }
        if let file = databasePasswordFile {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the database password file \(file)")
            }
            location.password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
        } else if let password = ProcessInfo.processInfo.environment[Self.passwordVariable], !password.isEmpty {
            location.password = password
        }
        return location
    }

    /// Opens the store; on PostgreSQL this also creates or updates the schema, whichever command comes first.
    func open(logger: Logger = Logger(label: "loket-hub.store")) async throws -> any HubStore {
        if let location = try location() {
            do {
                return try await PostgresHubStore.open(location, logger: logger)
            } catch {
                throw ValidationError("cannot open the hub database \(location): \(error)")
            }
        }
        let folder = directory()
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return try SQLiteHubStore(path: SQLiteHubStore.file(in: folder))
        } catch {
            throw ValidationError("cannot open the hub database in \(folder): \(error)")
        }
    }
}

/// Closes a PostgreSQL store's connections once a command is done with it (SQLite needs nothing).
func finish(_ store: any HubStore) async {
    if let postgres = store as? PostgresHubStore { await postgres.close() }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the hub (the default).")

    @Option(help: "Address to listen on, HOST:PORT; port 0 picks a free one.")
    var listen = "127.0.0.1:8750"

    @OptionGroup var store: StoreOptions

    @Option(help: "Conversation script (TOML) instead of the bundled PTSP script.")
    var script: String?

    @Flag(help: "Allow a non-loopback address: TLS is terminated by a reverse proxy in front of the hub.")
    var behindProxy = false

    @Option(help: "Hours an officer's login stays valid (1-72).")
    var sessionHours: Double = 12

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: ArgumentHelp(
        "A site allowed to embed the citizen page in an iframe and chat from it, e.g. https://ptsp.example.go.id "
            + "(repeatable).", valueName: "ORIGIN"))
    var embedOrigin: [String] = []

    @OptionGroup(title: "WhatsApp Cloud API") var whatsapp: WhatsAppOptions

    func validate() throws {
        guard let (host, port) = HostPort.parse(listen) else {
            throw ValidationError("--listen takes HOST:PORT, e.g. 127.0.0.1:8750 (port 0-65535)")
        }
        if !HostPort.isLoopback(host), !behindProxy {
            throw ValidationError(
                "refusing to listen on \(host):\(port) without TLS; put the hub behind a TLS reverse proxy and pass "
                    + "--behind-proxy (see the README)")
        }
        guard (1...72).contains(sessionHours) else { throw ValidationError("--session-hours must be between 1 and 72") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        for origin in embedOrigin where OriginPolicy.normalised(origin) == nil {
            throw ValidationError("--embed-origin takes an origin like https://ptsp.example.go.id (no path), not '\(origin)'")
        }
        _ = try whatsapp.configuration()
        if let now = ProcessInfo.processInfo.environment[Self.clockVariable], Self.parseInstant(now) == nil {
            throw ValidationError("\(Self.clockVariable) must be an RFC 3339 time like 2026-11-30T03:00:00Z")
        }
    }

    /// For tests only: the hub's clock starts at this RFC 3339 instant (and runs on), so a test can place the
    /// office open or closed whatever the real time. Unset in production; nothing else reads it.
    static let clockVariable = "LOKET_HUB_NOW"

    static func parseInstant(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// The real clock, or with `LOKET_HUB_NOW` set the real clock shifted so that it started at that instant.
    static func clock() -> @Sendable () -> Date {
        guard let text = ProcessInfo.processInfo.environment[clockVariable], let start = parseInstant(text) else {
            return { Date() }
        }
        let offset = start.timeIntervalSince(Date())
        return { Date().addingTimeInterval(offset) }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        var logger = Logger(label: "loket-hub")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let loadedScript: Script
        do {
            loadedScript = try script.map { try ScriptLoader.load(contentsOf: $0) } ?? ScriptLoader.loadDefault()
        } catch {
            throw ValidationError("\(error)")
        }
        let hubStore = try await store.open(logger: logger)
        guard let (host, port) = HostPort.parse(listen) else { throw ExitCode(2) }
        let hub = Hub(engine: Engine(script: loadedScript), store: hubStore, logger: logger, clock: Self.clock())
        let whatsAppConfiguration = try whatsapp.configuration()
        if let whatsAppConfiguration {
            // The description leaves the secrets out.
            logger.info("whatsapp enabled", metadata: ["whatsapp": "\(whatsAppConfiguration)"])
            await hub.attachWhatsApp(whatsAppConfiguration)
        }
        let app = HubServer.application(
            hub: hub,
            configuration: HubConfiguration(
                host: host, port: port, sessionLifetime: sessionHours * 3600,
                origins: OriginPolicy(embedOrigins: embedOrigin), whatsapp: whatsAppConfiguration),
            logger: logger
        ) { boundPort in
            // The first line on stdout, flushed: scripts and tests wait for it.
            say("listening on http://\(host):\(boundPort)")
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: app), .init(service: ConnectionCloser(hub: hub)),
        ]
        if let shared = hubStore as? PostgresHubStore {
            // Other hubs may share this database: their events reach this hub's connections through the feed,
            // joined before the first connection so that none of them is missed.
            try await hub.joinCluster()
            services.append(.init(service: ClusterFeed(hub: hub, store: shared, logger: logger)))
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await serviceGroup.run()
    }
}

/// On graceful shutdown, closes every WebSocket with "going away" so clients reconnect elsewhere or later.
struct ConnectionCloser: ServiceLifecycle.Service {
    let hub: Hub

    func run() async throws {
        try? await gracefulShutdown()
        await hub.disconnectAll()
        await hub.detachWhatsApp()
    }
}

enum HostPort {
    static func parse(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "officer", abstract: "Manage officer accounts (works while the hub runs).",
        subcommands: [Add.self, List.self, Remove.self, Passwd.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an officer.")
        @Argument(help: "Login name: letters, digits, '.', '_' or '-'.") var username: String
        @Option(help: "The officer's name as citizens and colleagues see it.") var name: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @OptionGroup var store: StoreOptions

        func validate() throws {
            guard Self.validUsername(username) else {
                throw ValidationError("username must be 1-64 letters, digits, '.', '_' or '-'")
            }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 80 else {
                throw ValidationError("--name must be 1-80 characters")
            }
        }

        static func validUsername(_ name: String) -> Bool {
            !name.isEmpty && name.count <= 64
                && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        }

        func run() async throws {
            let password = try readPassword(fromStdin: passwordStdin)
            let hubStore = try await store.open()
            do {
                try await hubStore.addOfficer(OfficerRecord(
                    username: username, name: name, passwordHash: PasswordHashing.hash(password)))
                await finish(hubStore)
            } catch let error as StoreError {
                await finish(hubStore)
                throw ValidationError(error.description)
            }
            say("added officer \(username) (\(name))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List officers.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let hubStore = try await store.open()
            let officers = try await hubStore.officers()
            await finish(hubStore)
            for officer in officers { say("\(officer.username)\t\(officer.name)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an officer and end their sessions.")
        @Argument var username: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let hubStore = try await store.open()
            let removed = try await hubStore.removeOfficer(named: username)
            await finish(hubStore)
            guard removed else {
                throw ValidationError("no officer named '\(username)'")
            }
            say("removed officer \(username)")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an officer's password (ends their sessions).")
        @Argument var username: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let password = try readPassword(fromStdin: passwordStdin)
            let hash = PasswordHashing.hash(password)
            let hubStore = try await store.open()
            let changed = try await hubStore.setPasswordHash(hash, for: username)
            await finish(hubStore)
            guard changed else {
                throw ValidationError("no officer named '\(username)'")
            }
            say("password changed for \(username)")
        }
    }
}

/// Reads a password: one line from stdin with `--password-stdin`, else asked for without echo on the terminal.
func readPassword(fromStdin: Bool) throws -> String {
    let line: String?
    if fromStdin || isatty(STDIN_FILENO) == 0 {
        line = readLine(strippingNewline: true)
    } else {
        line = PasswordPrompt.ask("Kata sandi: ")
    }
    guard let password = line, password.count >= 8 else {
        throw ValidationError("the password must be at least 8 characters")
    }
    guard password.utf8.count <= 72 else { throw ValidationError("the password must be at most 72 bytes (bcrypt)") }
    return password
}

/// Asks for a secret on the terminal without echoing it.
enum PasswordPrompt {
    static func ask(_ prompt: String) -> String? {
        tell(prompt, newline: false)
        var saved = termios()
        let hasTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if hasTerminal {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if hasTerminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                tell("")
            }
        }
        return readLine(strippingNewline: true)
    }
}

/// `loket-hub report --day YYYY-MM-DD`: the day's figures per officer and in total.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a day's figures per officer and in total.")

    @Option(help: "The office day, YYYY-MM-DD (default: today in the office's time zone).") var day: String?
    @Option(help: "Seconds of waiting that count as a warning.") var warnAfter: Double = WaitThresholds.liveChat.warning
    @Option(help: "Seconds of waiting that count as a breach.") var breachAfter: Double = WaitThresholds.liveChat.breach
    @Option(help: "Conversation script (TOML), for the office's time zone.") var script: String?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let day, CivilDate(parsing: day) == nil { throw ValidationError("--day takes a date like 2026-11-30") }
        guard warnAfter > 0, breachAfter > warnAfter else {
            throw ValidationError("--breach-after must be greater than --warn-after, both positive")
        }
    }

    func run() async throws {
        let loaded: Script
        do {
            loaded = try script.map { try ScriptLoader.load(contentsOf: $0) } ?? ScriptLoader.loadDefault()
        } catch {
            throw ValidationError("\(error)")
        }
        let calendar = loaded.calendar
        let date = day.flatMap { CivilDate(parsing: $0) } ?? calendar.localTime(Date()).date
        // A day in office time lies within the UTC day before, of and after it.
        let start = Date(timeIntervalSince1970: Double(date.daysSinceEpoch - 1) * 86_400)
        let hubStore = try await store.open()
        let events = try await hubStore.events(between: start, and: start.addingTimeInterval(3 * 86_400))
        await finish(hubStore)
        let report = DayReport.make(
            events: events, day: date, calendar: calendar,
            thresholds: WaitThresholds(warning: warnAfter, breach: breachAfter, hardLimit: WaitThresholds.liveChat.hardLimit))
        say(report.text)
    }
}
