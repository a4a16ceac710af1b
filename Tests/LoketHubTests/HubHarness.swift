import Foundation
import Logging
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import ServiceLifecycle
import Testing

/// One engine for every hub test: training it takes a while in debug builds.
let sharedEngine: Engine = {
    do { return Engine(script: try ScriptLoader.loadDefault()) } catch { fatalError("default script: \(error)") }
}()

/// A Monday 10:00 WIB: the office is open.
let officeOpenTime = Date(timeIntervalSince1970: 1_796_002_800)

/// A hub running in this process on a free loopback port, stopped by `withHub` whatever the test does.
struct RunningHub {
    let port: Int
    let hub: Hub
    let store: any HubStore

    var citizenURL: String { "ws://127.0.0.1:\(port)/citizen/ws" }
    var officerURL: String { "ws://127.0.0.1:\(port)/officer/ws" }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// An officer account with a live session; returns its bearer token.
    func officerToken(_ username: String, name: String? = nil) async throws -> String {
        if try await store.officer(named: username) == nil {
            try await store.addOfficer(OfficerRecord(username: username, name: name ?? username.capitalized, passwordHash: "x"))
        }
        let token = Token.generate()
        try await store.createSession(tokenHash: Token.hash(token), username: username, expires: Date().addingTimeInterval(3600))
        return token
    }

    /// A connected citizen after `hello` and its `welcome`.
    func citizen(name: String? = "Budi", resume: String? = nil) async throws -> (WireSocket, JSON) {
        let socket = try await WireSocket.connect(url: citizenURL)
        socket.send(CitizenCommand.hello(name: name, honorific: "Bapak", resume: resume).frame.serialized)
        let welcome = try await socket.expect("welcome")
        return (socket, welcome)
    }

    /// A connected officer after `hello` and its `welcome`.
    func officer(_ username: String, since: Int64 = 0) async throws -> (WireSocket, JSON) {
        let token = try await officerToken(username)
        let socket = try await WireSocket.connect(url: officerURL, bearer: token)
        socket.send(OfficerCommand.hello(since: since).frame.serialized)
        let welcome = try await socket.expect("welcome")
        return (socket, welcome)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

/// Starts a hub on 127.0.0.1 port 0, runs `body`, and always shuts the hub down.
/// `whatsapp` attaches a WhatsApp number (detached again at the end); `logger` replaces the quiet default.
func withHub<T>(
    store: (any HubStore)? = nil, clock: @escaping @Sendable () -> Date = { officeOpenTime },
    whatsapp: WhatsAppConfiguration? = nil, logger customLogger: Logger? = nil,
    gapTimeout: Duration = .seconds(3), inboxCapacity: Int = 4096,
    _ body: (RunningHub) async throws -> T
) async throws -> T {
    let hubStore = try store ?? SQLiteHubStore()
    var logger = Logger(label: "test-hub")
    logger.logLevel = .error
    if let customLogger { logger = customLogger }
    let hub = Hub(engine: sharedEngine, store: hubStore, logger: logger, clock: clock, inboxCapacity: inboxCapacity)
    if let whatsapp { await hub.attachWhatsApp(whatsapp) }
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let configuration = HubConfiguration(host: "127.0.0.1", port: 0, whatsapp: whatsapp)
    let app = HubServer.application(hub: hub, configuration: configuration, logger: logger) {
        portContinuation.yield($0)
    }
    var services: [any ServiceLifecycle.Service] = [app]
    if let shared = hubStore as? PostgresHubStore {
        // Several hubs may share this database: the feed brings the others' events, as `loket-hub serve` does.
        services.append(ClusterFeed(hub: hub, store: shared, logger: logger, pollInterval: .milliseconds(200), gapTimeout: gapTimeout))
    }
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
    let running = Task { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        await hub.detachWhatsApp()
        await group.triggerGracefulShutdown()
        throw HarnessError(description: "hub did not start")
    }
    if hubStore is PostgresHubStore {
        // Serving before the hub has joined the cluster would miss the other hubs' first events.
        let deadline = Date().addingTimeInterval(30)
        while await hub.deliveredThrough == nil, Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
    do {
        let result = try await body(RunningHub(port: port, hub: hub, store: hubStore))
        await hub.detachWhatsApp()
        await hub.disconnectAll()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        return result
    } catch {
        await hub.detachWhatsApp()
        await hub.disconnectAll()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        throw error
    }
}

extension WireSocket {
    /// The next frame as JSON, within `seconds`.
    func next(within seconds: Double = 30) async throws -> JSON {
        guard let text = await receive(within: seconds) else { throw HarnessError(description: "no frame within \(seconds) s") }
        guard let json = JSON.parse(text) else { throw HarnessError(description: "not JSON: \(text)") }
        return json
    }

    /// Skips frames until one of `type` (and, for events, `event`) arrives.
    func expect(_ type: String, event: String? = nil, within seconds: Double = 30) async throws -> JSON {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let frame = try await next(within: max(0.01, deadline.timeIntervalSinceNow))
            if frame["type"]?.stringValue == type, event == nil || frame["event"]?.stringValue == event { return frame }
        }
        throw HarnessError(description: "no \(type) \(event ?? "") within \(seconds) s")
    }

    /// Frames arriving within `seconds` (until quiet).
    func drain(within seconds: Double = 0.5) async -> [JSON] {
        var frames: [JSON] = []
        while let text = await receive(within: seconds) {
            if let json = JSON.parse(text) { frames.append(json) }
        }
        return frames
    }
}

extension JSON {
    var int: Int? { wholeNumber.map { Int($0) } }
    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    var items: [JSON] { if case .array(let values) = self { values } else { [] } }
}
