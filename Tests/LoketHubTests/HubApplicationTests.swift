import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import Testing

/// The hub's HTTP surface through HummingbirdTesting: routes in-process (`.router`), and the whole server with its
/// WebSocket upgrade on a live loopback port (`.live`).
@Suite("Hub application")
struct HubApplicationTests {
    private static func application(store: SQLiteHubStore) -> some ApplicationProtocol {
        var logger = Logger(label: "test-hub")
        logger.logLevel = .error
        let hub = Hub(engine: sharedEngine, store: store, logger: logger, clock: { officeOpenTime })
        return HubServer.application(hub: hub, configuration: HubConfiguration(host: "127.0.0.1", port: 0), logger: logger)
    }

    @Test func routesAnswerWithTheSecurityHeadersEverywhere() async throws {
        let app = Self.application(store: try SQLiteHubStore())
        try await app.test(.router) { client in
            for path in ["/", "/app.js", "/healthz", "/api/office", "/metrics", "/no-such-page"] {
                try await client.execute(uri: path, method: .get) { response in
                    let policy = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
                    #expect(policy.contains("default-src 'none'"), "\(path)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(path)")
                }
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
            try await client.execute(uri: "/api/office", method: .get) { response in
                let office = try #require(JSON.parse(String(buffer: response.body)))
                #expect(office["open"] == .bool(true), "Monday 10:00 WIB")
                #expect(office["name"]?.stringValue?.isEmpty == false)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                for metric in ["loket_messages_in_total", "loket_queue_length", "loket_commit_batch_events"] {
                    #expect(text.contains(metric), "\(metric)")
                }
            }
            try await client.execute(uri: "/no-such-page", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func loginRefusesBadBodiesAndWrongPasswordsAndGivesATokenForTheRightOne() async throws {
        let store = try SQLiteHubStore()
        try await store.addOfficer(
            OfficerRecord(username: "ani", name: "Ani", passwordHash: PasswordHashing.hash("rahasia-panjang")))
        let app = Self.application(store: store)
        try await app.test(.router) { client in
            func login(_ body: String) async throws -> (HTTPResponse.Status, JSON?) {
                try await client.execute(uri: "/api/login", method: .post, body: ByteBuffer(string: body)) { response in
                    (response.status, JSON.parse(String(buffer: response.body)))
                }
            }
            #expect(try await login("bukan json").0 == .badRequest)
            #expect(try await login(#"{"username":"ani"}"#).0 == .badRequest)
            let wrong = try await login(#"{"username":"ani","password":"salah"}"#)
            #expect(wrong.0 == .unauthorized)
            #expect(wrong.1?["type"]?.stringValue == "error")
            let right = try await login(#"{"username":"ani","password":"rahasia-panjang"}"#)
            #expect(right.0 == .ok)
            let token = try #require(right.1?["token"]?.stringValue)
            #expect(token.count >= 22)
            #expect(try await store.officer(forSession: Token.hash(token), at: Date())?.username == "ani")
        }
    }

    @Test func theLiveServerCarriesACitizenToAnOfficerOverWebSockets() async throws {
        let store = try SQLiteHubStore()
        let app = Self.application(store: store)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await store.addOfficer(OfficerRecord(username: "ani", name: "Ani", passwordHash: "x"))
            let token = Token.generate()
            try await store.createSession(tokenHash: Token.hash(token), username: "ani", expires: Date().addingTimeInterval(600))
            let officer = try await WireSocket.connect(url: "ws://127.0.0.1:\(port)/officer/ws", bearer: token)
            officer.send(OfficerCommand.hello(since: 0).frame.serialized)
            _ = try await officer.expect("welcome")
            let citizen = try await WireSocket.connect(url: "ws://127.0.0.1:\(port)/citizen/ws")
            citizen.send(CitizenCommand.hello(name: "Budi", honorific: "Bapak", resume: nil).frame.serialized)
            _ = try await citizen.expect("welcome")
            citizen.send(CitizenCommand.message(id: "1", text: "Syarat NIB apa saja?").frame.serialized)
            let ack = try await citizen.expect("ack")
            let event = try await officer.expect("event", event: "message")
            #expect(event["seq"] == ack["seq"])
            #expect(event["engine"]?["suggestions"]?.items.isEmpty == false)
            await citizen.close()
            await officer.close()
        }
    }
}
