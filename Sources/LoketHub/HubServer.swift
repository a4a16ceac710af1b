import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdWebSocket
import Logging
import LoketCore
import LoketWire
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// How a hub serves: where it listens and how long officer sessions last.
public struct HubConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var sessionLifetime: TimeInterval
    /// bcrypt cost for new passwords (10 ≈ 60 ms here).
    public static let bcryptCost: UInt8 = 10

    public init(host: String = "127.0.0.1", port: Int = 8750, sessionLifetime: TimeInterval = 12 * 3600) {
        self.host = host
        self.port = port
        self.sessionLifetime = sessionLifetime
    }
}

/// Counts failed logins per username so guessing is slowed down: 5 failures within a minute, then 429.
final class LoginThrottle: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    static let limit = 5
    static let window: TimeInterval = 60

    func isBlocked(_ username: String, now: Date) -> Bool {
        failures.withLock { table in
            let recent = (table[username] ?? []).filter { now.timeIntervalSince($0) < Self.window }
            table[username] = recent.isEmpty ? nil : recent
            return recent.count >= Self.limit
        }
    }

    func recordFailure(_ username: String, now: Date) {
        failures.withLock { $0[username, default: []].append(now) }
    }

    func reset(_ username: String) {
        _ = failures.withLock { $0.removeValue(forKey: username) }
    }
}

/// Builds the hub's HTTP and WebSocket application around a `Hub`.
public enum HubServer {
    /// The application; `onRunning` gets the bound port (useful with port 0).
    public static func application(
        hub: Hub, configuration: HubConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicWebSocketRequestContext.self)
        let throttle = LoginThrottle()
        let store = hub.store

        router.get("/healthz") { _, _ in "ok" }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: hub.metrics.exposition())))
        }
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Loket hub · \(hub.engine.script.office.name)\n")))
        }
        router.post("/api/login") { request, context -> Response in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let text = String(buffer: body)
            guard let json = JSON.parse(text), let username = json["username"]?.stringValue,
                let password = json["password"]?.stringValue
            else {
                return jsonResponse(.badRequest, HubFrame.error(.invalidFrame, Catalogue.Hub.invalidFrame))
            }
            let now = Date()
            if throttle.isBlocked(username, now: now) {
                return jsonResponse(.tooManyRequests, HubFrame.error(.rateLimited, Catalogue.Hub.tooManyLogins))
            }
            let officer = try await store.officer(named: username)
            // Verify even for unknown names, so timing does not tell which usernames exist.
            let hash = officer?.passwordHash ?? Self.dummyHash
            let valid = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
            guard let officer, valid else {
                throttle.recordFailure(username, now: now)
                return jsonResponse(.unauthorized, HubFrame.error(.unauthorized, Catalogue.Hub.wrongCredentials))
            }
            throttle.reset(username)
            let token = Token.generate()
            try await store.createSession(
                tokenHash: Token.hash(token), username: officer.username,
                expires: now.addingTimeInterval(configuration.sessionLifetime))
            logger.info("officer logged in", metadata: ["officer": "\(officer.username)"])
            return jsonResponse(.ok, .object([
                ("token", .string(token)),
                ("officer", .object([("username", .string(officer.username)), ("name", .string(officer.name))])),
            ]))
        }

        router.ws("/officer/ws") { request, _ in
            guard let officer = try await authenticate(request, store: store) else {
                throw HTTPError(.unauthorized, message: Catalogue.Hub.unauthorized)
            }
            return .upgrade([HTTPField.Name("X-Loket-Officer")!: officer.username])
        } onUpgrade: { inbound, outbound, context in
            guard let officer = try await authenticate(context.request, store: store) else { return }
            try await serve(inbound: inbound, outbound: outbound, hub: hub, logger: logger) { outbox in
                await hub.connectOfficer(officer, outbox: outbox)
            } handle: { text, connection in
                await hub.officerFrame(text, connection: connection)
            }
        }

        router.ws("/citizen/ws") { inbound, outbound, _ in
            try await serve(inbound: inbound, outbound: outbound, hub: hub, logger: logger) { outbox in
                await hub.connectCitizen(outbox: outbox)
            } handle: { text, connection in
                await hub.citizenFrame(text, connection: connection)
            }
        }

        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router,
                configuration: .init(
                    ws: .init(maxFrameSize: Wire.maximumFrameSize, autoPing: .enabled(timePeriod: .seconds(20))))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "loket-hub"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// A valid bcrypt hash of a random string: unknown usernames cost a verification too.
    private static let dummyHash = Bcrypt.hash(Token.generate(), cost: HubConfiguration.bcryptCost)

    private static func authenticate(_ request: Request, store: any HubStore) async throws -> OfficerRecord? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return nil }
        return try await store.officer(forSession: Token.hash(token), at: Date())
    }

    /// Runs one WebSocket connection: a writer task drains the hub's outbox onto the socket while inbound text
    /// frames go to the hub one at a time, in order.
    private static func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, hub: Hub, logger: Logger,
        connect: (Hub.Outbox) async -> Int, handle: @escaping @Sendable (String, Int) async -> Void
    ) async throws {
        let (frames, outbox) = AsyncStream<String>.makeStream(bufferingPolicy: .unbounded)
        let connection = await connect(outbox)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in frames {
                    do { try await outbound.write(.text(frame)) } catch { break }
                }
                // The hub finished the outbox: shutting down, so tell the client to come back later.
                try? await outbound.close(.goingAway, reason: "shutting down")
            }
            do {
                for try await message in inbound.messages(maxSize: Wire.maximumFrameSize) {
                    switch message {
                    case .text(let text): await handle(text, connection)
                    case .binary: outbox.yield(HubFrame.error(.invalidFrame, Catalogue.Hub.invalidFrame).serialized)
                    }
                }
            } catch {
                logger.debug("connection ended", metadata: ["error": "\(error)"])
            }
            await hub.disconnect(connection)
            group.cancelAll()
        }
    }
}

private func jsonResponse(_ status: HTTPResponse.Status, _ body: JSON) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
}
