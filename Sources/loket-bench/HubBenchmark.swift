import Foundation
import Hummingbird
import Logging
import LoketCore
import LoketHub
import LoketWire
import ServiceLifecycle

/// `loket-bench hub`: the live hub under citizen load against a storage-free relay, in one process on loopback
/// (issue 9, "Tests and benchmarks"). Both servers run in turn, never at once, so neither steals the other's CPU.
enum HubBenchmark {
    struct Options {
        var seconds = 20.0
        var citizens = 200
        var rate = 1.0
        /// Enough that the hub's limit of 5 messages a second per connection does not cap the load below what the
        /// hub can take (1,000 offer about 8,000 a second: the relay's paced figure, not the hub's ceiling).
        var saturationCitizens = 3000
        var saturationSeconds = 5.0
        /// Saturation rounds per server, the hub's and the relay's taking turns, so a machine that speeds up or slows
        /// down during the run weighs on both alike; the ratio compares their medians.
        var rounds = 3
        /// `postgres://…`: measure hubs sharing this database instead of the SQLite hub and the relay.
        var database: String?
        var hubs = 1

        static let usage = """
            usage: loket-bench hub [--seconds S] [--citizens N] [--rate R] [--saturation-citizens N] [--saturation-seconds S]
                                   [--rounds N] [--database postgres://USER@HOST:PORT/DB [--hubs N]]
              --seconds S               length of the steady run (default 20)
              --citizens N              citizens in the steady run (default 200)
              --rate R                  messages per second per citizen in the steady run (default 1)
              --saturation-citizens N   citizens in the saturation runs (default 3000; the hub allows 5/s each)
              --saturation-seconds S    length of each saturation run (default 5)
              --rounds N                saturation runs per server, taking turns with the relay (default 3)
              --database URL            hubs on this PostgreSQL database (password: $LOKET_DATABASE_PASSWORD)
              --hubs N                  that many hubs in this process, citizens spread over them, the officer on
                                        the first (default 1)
            """

        init(arguments: [String]) throws {
            var rest = arguments[...]
            while let flag = rest.popFirst() {
                if flag == "--database" {
                    guard let value = rest.popFirst(), value.hasPrefix("postgres") else {
                        throw BenchError("--database needs postgres://USER@HOST:PORT/DB\n\(Self.usage)")
                    }
                    database = value
                    continue
                }
                guard let value = rest.popFirst(), let number = Double(value), number > 0 else {
                    throw BenchError("\(flag) needs a positive number\n\(Self.usage)")
                }
                switch flag {
                case "--seconds": seconds = min(number, 600)
                case "--citizens": citizens = min(Int(number), 5_000)
                case "--rate": rate = min(number, 5)
                case "--saturation-citizens": saturationCitizens = min(Int(number), 5_000)
                case "--saturation-seconds": saturationSeconds = min(number, 120)
                case "--hubs": hubs = max(1, min(Int(number), 8))
                case "--rounds": rounds = max(1, min(Int(number), 9))
                default: throw BenchError("unknown option \(flag)\n\(Self.usage)")
                }
            }
        }
    }

    /// A server running in this process on 127.0.0.1, with what its clients need to reach it.
    struct Server: Sendable {
        /// Where citizens connect: one URL per hub, citizens spread over them in turn.
        var citizenURLs: [String] { [citizenURL] + otherCitizenURLs }
        var otherCitizenURLs: [String] = []
        let citizenURL: String
        let officerURL: String
        let officerToken: String?
        let stop: @Sendable () async -> Void
        /// How the server stored what it was sent (a hub's group commits); empty for the relay.
        var storage: @Sendable () async -> String = { "" }
    }

    /// One measured run of one server.
    struct Run: Sendable {
        let server: String
        let offered: String
        let seconds: Double
        let delivered: Int
        let latencies: [Double]
        let tally: SendTally
        let undelivered: Int
        let unexpected: Int
        let cores: Double

        var perSecond: Double { Double(delivered) / seconds }
        var sentPerSecond: Double { Double(tally.sent) / seconds }
        var p50: Double { percentile(latencies, 0.50) }
        var p99: Double { percentile(latencies, 0.99) }
    }

    /// Everything measured on one server.
    struct Figures: Sendable {
        var steady: Run
        /// One per round, paced as the hub's limit requires.
        var saturation: [Run]
        /// The same crowd without pacing, once: shows whether pacing capped the server (measured for the relay).
        var unpaced: Run?
        var bytesPerConversation: Double
        var bytesPerConversationAtSaturation: Double

        var medianSaturation: Double { median(saturation.map(\.perSecond)) }
    }

    /// A server being measured and its officer's socket, which every event reaches.
    struct Session {
        let server: Server
        let name: String
        let unpacedRun: Bool
        let log: DeliveryLog
        let officer: OfficerListener
    }

    /// Monday 30 November 2026, 10:00 WIB: inside office hours, so no citizen gets the office-closed notice.
    static let officeOpen = Date(timeIntervalSince1970: 1_796_007_600)

    static func main(arguments: [String]) async -> Int32 {
        let options: Options
        do {
            options = try Options(arguments: arguments)
        } catch {
            print(error)
            return 2
        }
        do {
            try await run(options)
            return 0
        } catch {
            print("hub benchmark failed: \(error)")
            return 1
        }
    }

    static func run(_ options: Options) async throws {
        var logger = Logger(label: "loket-bench")
        logger.logLevel = .error
        let engine = Engine(script: try ScriptLoader.loadDefault())
        let loadBefore = loadAverage()
        print("hub benchmark: \(options.citizens) citizens × \(format(options.rate))/s for \(format(options.seconds)) s, then "
            + "\(options.saturationCitizens) citizens closed-loop for \(format(options.saturationSeconds)) s; "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadBefore)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loket-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        try await warmUp(citizens: options.citizens, logger: logger)
        if let database = options.database {
            let server = try await startClusteredHubs(
                engine: engine, database: database, count: options.hubs, logger: logger)
            let label = "\(options.hubs) pg hub" + (options.hubs == 1 ? "" : "s")
            let figures = try await measuring([(server, label, false)], options: options)
            report(hubs: [(label, figures[0])], relay: nil, options: options, loadBefore: loadBefore)
            return
        }
        let hub = try await startHub(engine: engine, directory: directory.path, logger: logger)
        let relay: Server
        do {
            relay = try await startRelay(logger: logger)
        } catch {
            await hub.stop()
            throw error
        }
        let figures = try await measuring([(hub, "hub", false), (relay, "relay", true)], options: options)
        report(hubs: [("hub", figures[0])], relay: figures[1], options: options, loadBefore: loadBefore)
        print("hub storage: \(await hub.storage())")
    }

    /// One untimed round on a relay, so one-time costs of the process (event loops, buffer pools, the first
    /// connections) do not land in the memory figure of whichever server is measured first.
    static func warmUp(citizens count: Int, logger: Logger) async throws {
        let server = try await startRelay(logger: logger)
        do {
            let log = DeliveryLog()
            let officer = try await OfficerListener(url: server.officerURL, bearer: nil, log: log)
            let (citizens, _) = try await openConversations(count, first: 0, server: server, log: log)
            await closeAll(citizens)
            await officer.close()
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Measures `servers` side by side and stops them, whatever happens: each one's steady run in turn, then
    /// `rounds` saturation runs of each, taking turns (the first server first in even rounds, last in odd ones),
    /// with every server's crowd connected throughout.
    static func measuring(
        _ servers: [(server: Server, name: String, unpacedRun: Bool)], options: Options
    ) async throws -> [Figures] {
        var sessions: [Session] = []
        var crowds: [[Citizen]] = []
        do {
            for entry in servers {
                let log = DeliveryLog()
                let officer = try await OfficerListener(url: entry.server.officerURL, bearer: entry.server.officerToken, log: log)
                sessions.append(Session(server: entry.server, name: entry.name, unpacedRun: entry.unpacedRun, log: log, officer: officer))
            }
            var steady: [(run: Run, bytes: Double)] = []
            for session in sessions {
                let (citizens, perConversation) = try await openConversations(
                    options.citizens, first: 0, server: session.server, log: session.log)
                let run = await measureRun(
                    citizens, server: session.name, load: .steady(rate: options.rate), seconds: options.seconds,
                    log: session.log, offered: "\(options.citizens) × \(format(options.rate))/s open loop")
                await closeAll(citizens)
                steady.append((run, perConversation))
            }
            try? await Task.sleep(for: .seconds(1))
            var perConversationAtSaturation: [Double] = []
            for session in sessions {
                let (crowd, bytes) = try await openConversations(
                    options.saturationCitizens, first: options.citizens, server: session.server, log: session.log)
                crowds.append(crowd)
                perConversationAtSaturation.append(bytes)
            }
            var saturated = Array(repeating: [Run](), count: sessions.count)
            for round in 0..<options.rounds {
                let order = round % 2 == 0 ? Array(sessions.indices) : Array(sessions.indices.reversed())
                for index in order {
                    try? await Task.sleep(for: .seconds(1))
                    saturated[index].append(await measureRun(
                        crowds[index], server: sessions[index].name, load: .saturation(protocolPacing: true),
                        seconds: options.saturationSeconds, log: sessions[index].log,
                        offered: "\(crowds[index].count) closed loop ≤\(format(Pacer.rate))/s each"))
                }
            }
            var figures: [Figures] = []
            for (index, session) in sessions.enumerated() {
                var unpaced: Run?
                if session.unpacedRun {
                    try? await Task.sleep(for: .seconds(1))
                    unpaced = await measureRun(
                        crowds[index], server: session.name, load: .saturation(protocolPacing: false),
                        seconds: options.saturationSeconds, log: session.log,
                        offered: "\(crowds[index].count) closed loop, unpaced")
                }
                figures.append(Figures(
                    steady: steady[index].run, saturation: saturated[index], unpaced: unpaced,
                    bytesPerConversation: steady[index].bytes, bytesPerConversationAtSaturation: perConversationAtSaturation[index]))
            }
            await stopAll(sessions, crowds: crowds, servers: servers.map(\.server))
            return figures
        } catch {
            await stopAll(sessions, crowds: crowds, servers: servers.map(\.server))
            throw error
        }
    }

    private static func stopAll(_ sessions: [Session], crowds: [[Citizen]], servers: [Server]) async {
        for crowd in crowds { await closeAll(crowd) }
        for session in sessions { await session.officer.close() }
        for server in servers { await server.stop() }
    }

    // MARK: Servers

    /// The real hub: its SQLite store as shipped (WAL, every commit flushed) in a temporary folder on disk, the
    /// default script's engine, and an officer with a session made in the store, as `loket login` would leave it.
    static func startHub(engine: Engine, directory: String, logger: Logger) async throws -> Server {
        let store: any HubStore = try SQLiteHubStore(path: SQLiteHubStore.file(in: directory))
        try await store.addOfficer(OfficerRecord(username: "bench", name: "Petugas Bench", passwordHash: "!"))
        let token = Token.generate()
        try await store.createSession(tokenHash: Token.hash(token), username: "bench", expires: Date().addingTimeInterval(3600))
        let started = Date()
        // The office clock starts at an open hour and then runs in real time.
        let hub = Hub(engine: engine, store: store, logger: logger, clock: { officeOpen.addingTimeInterval(Date().timeIntervalSince(started)) })
        guard hub.officeOpen(at: officeOpen) else { throw BenchError("the default script's office is closed at the bench time") }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = HubServer.application(hub: hub, configuration: HubConfiguration(host: "127.0.0.1", port: 0), logger: logger) {
            portContinuation.yield($0)
        }
        let port = try await start(app, ports: ports, logger: logger) { await hub.disconnectAll() }
        return Server(
            citizenURL: "ws://127.0.0.1:\(port.number)/citizen/ws", officerURL: "ws://127.0.0.1:\(port.number)/officer/ws",
            officerToken: token, stop: port.stop,
            storage: {
                let commits = await hub.commitFigures
                return "\(commits.events) events in \(commits.transactions) group commits ("
                    + String(format: "%.1f", Double(commits.events) / Double(max(commits.transactions, 1))) + " per commit, "
                    + "\(commits.largest) at most)"
            })
    }

    /// `count` hubs in this process on one PostgreSQL database, each with its own store (its own connections) and
    /// cluster feed, as separate machines would run; the officer's session is made in the database.
    static func startClusteredHubs(engine: Engine, database: String, count: Int, logger: Logger) async throws -> Server {
        var location: PostgresHubStore.Location
        switch PostgresHubStore.Location.parse(database) {
        case .success(let parsed): location = parsed
        case .failure(let error): throw BenchError("--database: \(error)")
        }
        location.password = ProcessInfo.processInfo.environment["LOKET_DATABASE_PASSWORD"]
        var stores: [PostgresHubStore] = []
        var ports: [(number: Int, stop: @Sendable () async -> Void)] = []
        let token = Token.generate()
        do {
            for _ in 0..<count { stores.append(try await PostgresHubStore.open(location, logger: logger)) }
            if try await stores[0].officer(named: "bench") == nil {
                try await stores[0].addOfficer(OfficerRecord(username: "bench", name: "Petugas Bench", passwordHash: "!"))
            }
            try await stores[0].createSession(
                tokenHash: Token.hash(token), username: "bench", expires: Date().addingTimeInterval(3600))
            let started = Date()
            for store in stores {
                let hub = Hub(
                    engine: engine, store: store, logger: logger,
                    clock: { officeOpen.addingTimeInterval(Date().timeIntervalSince(started)) })
                let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
                let app = HubServer.application(
                    hub: hub, configuration: HubConfiguration(host: "127.0.0.1", port: 0), logger: logger
                ) { portContinuation.yield($0) }
                let feed = ClusterFeed(hub: hub, store: store, logger: logger)
                ports.append(try await start(app, also: [feed], ports: portStream, logger: logger) { await hub.disconnectAll() })
                // Serving before the hub has joined the cluster would miss the other hubs' events.
                while await hub.deliveredThrough == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
        } catch {
            for port in ports { await port.stop() }
            for store in stores { await store.close() }
            throw error
        }
        let urls = ports.map { "ws://127.0.0.1:\($0.number)/citizen/ws" }
        let stops = ports.map(\.stop)
        let openStores = stores
        var server = Server(
            citizenURL: urls[0], officerURL: "ws://127.0.0.1:\(ports[0].number)/officer/ws", officerToken: token,
            stop: {
                for stop in stops { await stop() }
                for store in openStores { await store.close() }
            })
        server.otherCitizenURLs = Array(urls.dropFirst())
        return server
    }

    static func startRelay(logger: Logger) async throws -> Server {
        let relay = Relay()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = relay.application(logger: logger) { portContinuation.yield($0) }
        let port = try await start(app, ports: ports, logger: logger) {}
        return Server(
            citizenURL: "ws://127.0.0.1:\(port.number)/citizen/ws", officerURL: "ws://127.0.0.1:\(port.number)/officer/ws",
            officerToken: nil, stop: port.stop)
    }

    /// Runs `app` in a service group until `stop`; graceful shutdown rather than cancellation, which would log
    /// spurious errors.
    static func start(
        _ app: some ApplicationProtocol, also services: [any ServiceLifecycle.Service] = [], ports: AsyncStream<Int>, logger: Logger,
        beforeStop: @escaping @Sendable () async -> Void
    ) async throws -> (number: Int, stop: @Sendable () async -> Void) {
        let group = ServiceGroup(
            configuration: .init(services: [app] + services, gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        let stop: @Sendable () async -> Void = {
            await beforeStop()
            await group.triggerGracefulShutdown()
            _ = try? await running.value
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await stop()
            throw BenchError("server did not start")
        }
        return (port, stop)
    }

    // MARK: Measuring

    /// Opens `count` conversations, each with one message answered, so the server holds what an open conversation
    /// costs (socket, conversation, engine state); returns them and resident bytes per conversation.
    static func openConversations(
        _ count: Int, first: Int, server: Server, log: DeliveryLog
    ) async throws -> ([Citizen], Double) {
        let before = residentBytes()
        var citizens: [Citizen] = []
        let urls = server.citizenURLs
        for (index, url) in urls.enumerated() {
            // An even share for each hub, the remainder to the first ones.
            let share = count / urls.count + (index < count % urls.count ? 1 : 0)
            citizens += try await openCitizens(count: share, url: url, startingAt: first + citizens.count)
        }
        let refused = await withTaskGroup(of: Int.self) { group in
            for citizen in citizens {
                group.addTask { await citizen.sendAndWait(log: log) == .acknowledged ? 0 : 1 }
            }
            return await group.reduce(0, +)
        }
        if refused > 0 { throw BenchError("\(refused) of \(count) first messages were not acknowledged") }
        let settle = ContinuousClock.now + .seconds(5)
        while log.outstanding > 0, ContinuousClock.now < settle { try? await Task.sleep(for: .milliseconds(20)) }
        let after = residentBytes()
        return (citizens, Double(after - before) / Double(max(count, 1)))
    }

    static func measureRun(
        _ citizens: [Citizen], server: String, load: Load, seconds: Double, log: DeliveryLog, offered: String
    ) async -> Run {
        let cpuBefore = processCPUSeconds()
        let wallBefore = ContinuousClock.now
        let (tally, window) = await drive(citizens, load: load, seconds: seconds, log: log)
        let wall = milliseconds(ContinuousClock.now - wallBefore) / 1000
        let cores = (processCPUSeconds() - cpuBefore) / max(wall, 0.001)
        let results = log.results()
        return Run(
            server: server, offered: offered, seconds: milliseconds(window.upperBound - window.lowerBound) / 1000,
            delivered: results.delivered, latencies: results.latencies.sorted(), tally: tally,
            undelivered: results.undelivered, unexpected: results.unexpected, cores: cores)
    }

    // MARK: Report

    static func report(hubs: [(label: String, figures: Figures)], relay: Figures?, options: Options, loadBefore: String) {
        let header = [
            pad("run", 21), pad("offered", 34), pad("sent/s", 8, right: true), pad("delivered/s", 12, right: true),
            pad("p50", 10, right: true),
            pad("p99", 10, right: true), pad("cpu", 6, right: true), "  refused/lost",
        ].joined()
        print("")
        print(header)
        print(String(repeating: "-", count: header.count))
        func line(_ label: String, _ run: Run) {
            let refused = run.tally.refused.values.reduce(0, +) + run.tally.closed
            var problems = "\(refused)/\(run.undelivered)"
            if run.unexpected > 0 { problems += " unexpected \(run.unexpected)" }
            if run.tally.late > 0 { problems += " late sends \(run.tally.late)" }
            for (code, count) in run.tally.refused.sorted(by: { $0.key < $1.key }) { problems += " \(code)×\(count)" }
            print([
                pad(label, 21), pad(run.offered, 34), pad(String(format: "%.0f", run.sentPerSecond), 8, right: true),
                pad(String(format: "%.0f", run.perSecond), 12, right: true),
                pad(ms(run.p50), 10, right: true), pad(ms(run.p99), 10, right: true),
                pad(String(format: "%.2f", run.cores), 6, right: true), "  " + problems,
            ].joined())
        }
        for hub in hubs { line("steady \(hub.label)", hub.figures.steady) }
        if let relay { line("steady relay", relay.steady) }
        for round in 0..<options.rounds {
            for hub in hubs where round < hub.figures.saturation.count {
                line("saturation \(hub.label) #\(round + 1)", hub.figures.saturation[round])
            }
            if let relay, round < relay.saturation.count { line("saturation relay #\(round + 1)", relay.saturation[round]) }
        }
        if let unpaced = relay?.unpaced { line("saturation relay", unpaced) }
        print("")
        guard let relay else {
            for hub in hubs {
                print("\(hub.label): median of \(hub.figures.saturation.count) saturation runs "
                    + String(format: "%.0f/s", hub.figures.medianSaturation))
            }
            print("hubs on PostgreSQL (\(options.database ?? "")): citizens spread over the hubs, the officer on the first")
            print("load average before \(loadBefore), after \(loadAverage()); cpu = cores this process used during the run")
            return
        }

        let relayMedian = relay.medianSaturation
        for hub in hubs {
            let steadyRatio = hub.figures.steady.perSecond / max(relay.steady.perSecond, 1)
            let hubMedian = hub.figures.medianSaturation
            let ratio = hubMedian / max(relayMedian, 1)
            let p99 = hub.figures.steady.p99
            print("\(hub.label)/relay delivered: "
                + String(format: "steady %.2f, saturation %.2f (medians of %d rounds taking turns: %.0f/s against %.0f/s)",
                    steadyRatio, ratio, options.rounds, hubMedian, relayMedian))
            print("  budget p99 ≤ 20 ms at \(options.citizens) citizens × \(format(options.rate))/s: \(ms(p99)) — "
                + (p99 <= 20 ? "within" : "OVER")
                + String(format: "; budget ≥ 50 %% of the relay's throughput: %.0f %% — ", ratio * 100)
                + (ratio >= 0.5 ? "within" : "SHORT"))
            if let unpaced = relay.unpaced {
                print(String(format: "  against the relay's unpaced run (%.0f/s, the relay not held to the hub's limit): %.0f %%",
                    unpaced.perSecond, hubMedian / max(unpaced.perSecond, 1) * 100))
            }
        }
        print("resident memory per open conversation (KiB), at \(options.citizens) then \(options.saturationCitizens) more: "
            + (hubs.map { "\($0.label) \(kib($0.figures.bytesPerConversation)), \(kib($0.figures.bytesPerConversationAtSaturation))" }
                + ["relay \(kib(relay.bytesPerConversation)), \(kib(relay.bytesPerConversationAtSaturation))"]).joined(separator: "; "))
        print("  (the whole process: client sockets are in every figure; hub minus relay is the hub's own share)")
        print("hub = the store as shipped: WAL, synchronous = FULL (every acknowledged message flushed to disk)")
        print("load average before \(loadBefore), after \(loadAverage()); cpu = cores this process used during the run")
    }

    static func kib(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1024) }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let count = text.count
        guard count < width else { return right ? " " + text : text + " " }
        let fill = String(repeating: " ", count: width - count)
        return right ? fill + text : text + fill
    }

    static func ms(_ value: Double) -> String { value.isNaN ? "–" : String(format: "%.2f ms", value) }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}
