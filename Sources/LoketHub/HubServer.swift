import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import LoketCore
import LoketWire
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// How a hub serves: where it listens, how long officer sessions last and which sites may embed the citizen page.
public struct HubConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var sessionLifetime: TimeInterval
    public var origins: OriginPolicy
    /// The WhatsApp Cloud API webhook and sender; nil: no WhatsApp number (the routes answer 404).
    public var whatsapp: WhatsAppConfiguration?

    public init(
        host: String = "127.0.0.1", port: Int = 8750, sessionLifetime: TimeInterval = 12 * 3600,
        origins: OriginPolicy = OriginPolicy(), whatsapp: WhatsAppConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.sessionLifetime = sessionLifetime
        self.origins = origins
        self.whatsapp = whatsapp
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
        failures.withLock { table in
            table[username, default: []].append(now)
            // Guesses at many made-up names must not grow the table without end.
            if table.count > 10_000 {
                table = table.filter { $0.value.contains { now.timeIntervalSince($0) < Self.window } }
            }
        }
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
        let router = Router()
        // First, so that every route added after it (all of them) carries the headers.
        router.add(middleware: SecurityHeadersMiddleware(policy: configuration.origins))
        let throttle = LoginThrottle()
        let store = hub.store

        router.get("/healthz") { _, _ in "ok" }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: hub.metrics.exposition())))
        }
        if let whatsapp = configuration.whatsapp {
            WhatsAppRoutes.add(to: router, hub: hub, configuration: whatsapp, logger: logger)
        }
        let web = WebAssets.load()
        for entry in WebAssets.files {
            router.get(RouterPath(entry.path)) { _, _ in try web.response(for: entry.path) }
        }
        router.get("/api/office") { _, _ in jsonResponse(.ok, hub.officeInfo()) }
        router.post("/api/login") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 * 1024)
            let text = String(buffer: body)
            guard let json = JSON.parse(text), let username = json["username"]?.stringValue,
                let password = json["password"]?.stringValue, username.utf8.count <= 64, password.utf8.count <= 128
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
            let valid = try await NIOThreadPool.singleton.runIfActive { PasswordHashing.verify(password, hash: hash) }
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

        // Upgrades are decided at the channel, before the router: that is where a refused officer can still get a
        // real 401 (the router's upgrade path can only answer 400).
        let server = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(ws: .init(maxFrameSize: Wire.maximumFrameSize, autoPing: .enabled(timePeriod: .seconds(20))))
        ) { head, channel, _ -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> in
            let path = head.path.map { String($0.prefix { $0 != "?" }) } ?? ""
            switch path {
            case "/officer/ws":
                guard let officer = try await authenticate(head.headerFields[.authorization], store: store) else {
                    await refuse(channel, status: .unauthorized)
                    return .dontUpgrade
                }
                return .upgrade([:]) { inbound, outbound, _ in
                    await serve(inbound: inbound, outbound: outbound, channel: channel, hub: hub, logger: logger) { outbox in
                        await hub.connectOfficer(officer, outbox: outbox)
                    } handle: { text, connection in
                        await hub.officerFrame(text, connection: connection)
                    }
                }
            case "/citizen/ws":
                // Another site's page must not chat through a citizen's browser; non-browsers send no Origin.
                let host = head.authority
                guard configuration.origins.allows(origin: head.headerFields[.origin], host: host) else {
                    await refuse(channel, status: .forbidden)
                    return .dontUpgrade
                }
                return .upgrade([:]) { inbound, outbound, _ in
                    await serve(inbound: inbound, outbound: outbound, channel: channel, hub: hub, logger: logger) { outbox in
                        await hub.connectCitizen(outbox: outbox)
                    } handle: { text, connection in
                        await hub.citizenFrame(text, connection: connection)
                    }
                }
            default:
                return .dontUpgrade
            }
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "loket-hub"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// A valid bcrypt hash of a random string: unknown usernames cost a verification too.
    private static let dummyHash = PasswordHashing.hash(Token.generate())

    private static func authenticate(_ header: String?, store: any HubStore) async throws -> OfficerRecord? {
        guard let header, header.hasPrefix("Bearer ") else { return nil }
        let token = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return nil }
        return try await store.officer(forSession: Token.hash(token), at: Date())
    }

    /// Answers a refused upgrade with `status` and closes the connection. The upgrade handler still has the HTTP/1
    /// encoder in place, so a plain response goes out before the library's own refusal could.
    private static func refuse(_ channel: any Channel, status: HTTPResponseStatus) async {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        try? await channel.writeAndFlush(HTTPServerResponsePart.head(head))
        try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        try? await channel.close()
    }

    /// Runs one WebSocket connection: the hub's frames go out through a `FrameWriter` on the channel while inbound
    /// text frames go to the hub one at a time, in order.
    private static func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, hub: Hub,
        logger: Logger, connect: (Hub.Outbox) async -> Int, handle: @escaping @Sendable (String, Int) async -> Void
    ) async {
        let writer = FrameWriter(channel: channel)
        let connection = await connect(Hub.Outbox(send: writer.write, finish: writer.finish))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await writer.waitUntilFinished()
                // The hub finished the outbox: shutting down, so tell the client to come back later (after the
                // writer's last frames: the close goes through the same event loop after them).
                try? await outbound.close(.goingAway, reason: "shutting down")
            }
            do {
                for try await message in inbound.messages(maxSize: Wire.maximumFrameSize) {
                    switch message {
                    case .text(let text): await handle(text, connection)
                    case .binary: writer.write(HubFrame.error(.invalidFrame, Catalogue.Hub.invalidFrame).serialized)
                    }
                }
            } catch {
                logger.debug("connection ended", metadata: ["error": "\(error)"])
            }
            // Finishes the writer too, which ends the task above.
            await hub.disconnect(connection)
        }
    }
}

private func jsonResponse(_ status: HTTPResponse.Status, _ body: JSON) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: body.serialized)))
}
