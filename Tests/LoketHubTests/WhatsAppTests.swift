import Foundation
import Logging
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import Synchronization
import Testing

/// Secrets of the tests' WhatsApp number: distinctive, so a test can look for them in the logs.
enum WhatsAppSecrets {
    static let verifyToken = "verify-Hq2x7"
    static let appSecret = "app-secret-Zk9w4"
    static let accessToken = "EAAB-access-Tq7m1"
    static let all = [verifyToken, appSecret, accessToken]

    /// A configuration sending to `graph`, retrying quickly (tests must not wait for real backoff).
    static func configuration(
        graph: String, attempts: Int = 4, initialDelay: Duration = .milliseconds(20)
    ) -> WhatsAppConfiguration {
        WhatsAppConfiguration(
            verifyToken: verifyToken, appSecret: appSecret, accessToken: accessToken,
            phoneNumberID: MetaPayload.phoneNumberID, graphURL: graph,
            retry: .init(
                attempts: attempts, initialDelay: initialDelay, maximumDelay: .milliseconds(200),
                requestTimeout: .seconds(5)))
    }
}

/// A clock tests move by hand (the 24-hour window).
final class ManualClock: Sendable {
    private let current = Mutex(officeOpenTime)
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var now: Date { current.withLock { $0 } }
    var read: @Sendable () -> Date { { [self] in now } }
}

/// Every log line and its metadata, to prove that no secret is ever written.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "whatsapp-test") { _ in CapturingHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let extra = (event.metadata ?? [:]).merging(metadata) { new, _ in new }
            log.lines.withLock { $0.append("\(event.level) \(event.message) \(extra)") }
        }
    }
}

/// An address where nothing listens: a loopback port bound, never listening, for the whole test run. Connecting is
/// refused at once, and no other test (or hub process of the end-to-end tests) can take the port meanwhile, as it
/// could one that a stopped server gave back.
func deadGraphURL() async throws -> String {
    guard let port = reservedPort else { throw HarnessError(description: "cannot reserve a loopback port") }
    return "http://127.0.0.1:\(port)/v21.0"
}

/// Kept bound (never listening) until the test process ends, so connecting to it is always refused.
private let reservedPort: Int? = boundLoopbackPort()?.port

extension RunningHub {
    var webhookURL: String { "\(baseURL)\(WhatsAppRoutes.path)" }

    /// Posts a webhook body signed like Meta does (`signature: nil` leaves the header out).
    func postWebhook(_ body: String, signature: String?? = .none) async throws -> GraphResponse {
        let header: String? =
            switch signature {
            case .none:
                "sha256=" + HMACSHA256.hexCode(key: Array(WhatsAppSecrets.appSecret.utf8), message: Array(body.utf8))
            case .some(let given): given
            }
        var headers = [("Content-Type", "application/json")]
        if let header { headers.append(("X-Hub-Signature-256", header)) }
        return try await GraphClient().request(
            .POST, url: webhookURL, headers: headers, body: body, timeout: .seconds(30))
    }

    func handshake(_ query: String) async throws -> GraphResponse {
        try await GraphClient().request(
            .GET, url: "\(webhookURL)?\(query)", headers: [], body: nil, timeout: .seconds(30))
    }

    /// The first citizen message of the test sender, seen by `officer`; returns the officer's event.
    func whatsAppCitizenWrites(
        _ text: String, wamid: String, officer: WireSocket, timestamp: Int = 1_796_002_790
    ) async throws -> JSON {
        let answer = try await postWebhook(MetaPayload.text(wamid: wamid, body: text, timestamp: timestamp))
        #expect(answer.status == 200)
        return try await officer.expect("event", event: "message")
    }
}

let whatsAppConversation = WhatsAppWire.conversationID(waID: MetaPayload.waID)

@Suite("WhatsApp Cloud API", .serialized)
struct WhatsAppTests {
    @Test func theHandshakeAnswersTheChallengeOnlyToTheRightToken() async throws {
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: try await deadGraphURL())) { hub in
            let right = try await hub.handshake(
                "hub.mode=subscribe&hub.verify_token=\(WhatsAppSecrets.verifyToken)&hub.challenge=1158201444")
            #expect(right.status == 200)
            #expect(right.body == "1158201444")
            let wrong = try await hub.handshake("hub.mode=subscribe&hub.verify_token=tebakan&hub.challenge=1158201444")
            #expect(wrong.status == 403)
            #expect(!wrong.body.contains("1158201444"))
            #expect(
                try await hub.handshake("hub.verify_token=\(WhatsAppSecrets.verifyToken)&hub.challenge=1").status == 403
            )
            #expect(try await hub.handshake("hub.mode=subscribe&hub.challenge=1").status == 403)
        }
        // A hub without a WhatsApp number has no webhook at all.
        try await withHub { hub in
            let answer = try await hub.handshake("hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")
            #expect(answer.status == 404)
        }
    }

    @Test func aTextReachesTheOfficerAndTheReplyReachesGraphWithItsStatuses() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                let answer = try await hub.postWebhook(
                    MetaPayload.text(wamid: "wamid.IN1", body: "Selamat pagi, saya mau perpanjang izin usaha"))
                #expect(answer.status == 200)
                let created = try await officer.expect("event", event: "conversation.created")
                #expect(created["conversation"]?.stringValue == whatsAppConversation)
                #expect(created["name"]?.stringValue == "Sari Dewi")
                let message = try await officer.expect("event", event: "message")
                #expect(message["from"]?.stringValue == "citizen")
                #expect(message["text"]?.stringValue == "Selamat pagi, saya mau perpanjang izin usaha")
                #expect(message["engine"]?["intent"]?.stringValue == "request_service")
                #expect(message["channel"]?["channel"]?.stringValue == "whatsapp")
                #expect(message["channel"]?["wamid"]?.stringValue == "wamid.IN1")
                // The window runs from Meta's send time (10 s before the hub saw it).
                #expect(
                    message["reply_until"]?.stringValue
                        == Wire.timestamp(Date(timeIntervalSince1970: 1_796_002_790 + 86_400)))

                let reply = "Selamat pagi, Ibu Sari. Untuk perpanjangan izin usaha, mohon siapkan KTP dan NIB."
                officer.send(
                    OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: reply, kind: nil).frame
                        .serialized)
                let stored = try await officer.expect("event", event: "message")
                #expect(stored["from"]?.stringValue == "officer")
                let ack = try await officer.expect("ack")
                #expect(ack["seq"]?.int == stored["seq"]?.int)

                let request = try #require(try await graph.waitForRequests(1).first)
                #expect(request.path == "/v21.0/\(MetaPayload.phoneNumberID)/messages")
                #expect(request.authorization == "Bearer \(WhatsAppSecrets.accessToken)")
                #expect(request.contentType?.hasPrefix("application/json") == true)
                #expect(request.json?["messaging_product"]?.stringValue == "whatsapp")
                #expect(request.json?["to"]?.stringValue == MetaPayload.waID)
                #expect(request.json?["type"]?.stringValue == "text")
                #expect(request.json?["text"]?["body"]?.stringValue == reply)

                let sent = try await officer.expect("event", event: "status")
                #expect(sent["message"]?.int == stored["seq"]?.int)
                #expect(sent["status"]?.stringValue == "sent")
                #expect(sent["channel"]?["wamid"]?.stringValue == "wamid.OUT1")

                // Meta's statuses: its own "sent" repeats what the hub stored; "delivered" and "read" move on.
                for status in [DeliveryStatus.sent, .delivered, .read] {
                    #expect(try await hub.postWebhook(MetaPayload.status("wamid.OUT1", status)).status == 200)
                }
                let delivered = try await officer.expect("event", event: "status")
                #expect(delivered["status"]?.stringValue == "delivered")
                #expect(delivered["message"]?.int == stored["seq"]?.int)
                let read = try await officer.expect("event", event: "status")
                #expect(read["status"]?.stringValue == "read")
                // A status for a message the hub never sent is nobody's.
                #expect(try await hub.postWebhook(MetaPayload.status("wamid.UNKNOWN", .read)).status == 200)

                let events = try await hub.store.events(conversation: whatsAppConversation)
                #expect(
                    events.filter { $0.kind == .message && $0.from == .citizen }.count == 1,
                    "statuses never become citizen messages")
                #expect(
                    events.filter { $0.kind == .status }.map { $0.status?.rawValue ?? "" } == [
                        "sent", "delivered", "read",
                    ])
                #expect(graph.requests.count == 1)
                await officer.close()
            }
        }
    }

    @Test func metaRetryingTheSameWamidIsAnswered200AndStoredOnce() async throws {
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: try await deadGraphURL())) { hub in
            let (officer, _) = try await hub.officer("ani")
            let body = MetaPayload.text(wamid: "wamid.RETRY", body: "Jam buka kantor kapan ya?")
            #expect(try await hub.postWebhook(body).status == 200)
            _ = try await officer.expect("event", event: "message")
            #expect(try await hub.postWebhook(body).status == 200)
            #expect(try await hub.postWebhook(body).status == 200)
            let later = await officer.drain(within: 0.5)
            let repeated = later.filter { frame in frame["event"]?.stringValue == "message" }
            #expect(repeated.isEmpty)
            let messages = try await hub.store.events(conversation: whatsAppConversation).filter { $0.kind == .message }
            #expect(messages.count == 1)
            await officer.close()
        }
    }

    @Test func aBadMissingOrReencodedSignatureIsRefusedAndNothingIsStored() async throws {
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: try await deadGraphURL())) { hub in
            let body = MetaPayload.image(wamid: "wamid.SIG")
            let reencoded = try #require(JSON.parse(body)).serialized
            #expect(reencoded != body, "the recorded body has bytes a re-encoding changes")
            let forged = "sha256=" + HMACSHA256.hexCode(key: Array("bukan-rahasianya".utf8), message: Array(body.utf8))
            #expect(try await hub.postWebhook(body, signature: .some(forged)).status == 401)
            #expect(try await hub.postWebhook(body, signature: .some(nil)).status == 401)
            #expect(try await hub.postWebhook(body, signature: .some("sha256=")).status == 401)
            let overReencoded =
                "sha256="
                + HMACSHA256.hexCode(key: Array(WhatsAppSecrets.appSecret.utf8), message: Array(reencoded.utf8))
            #expect(try await hub.postWebhook(body, signature: .some(overReencoded)).status == 401)
            #expect(try await hub.store.lastSeq() == 0, "nothing stored")
            let figures = await hub.hub.metrics.exposition()
            #expect(figures.contains("loket_whatsapp_webhook_refused_total 4"))
            #expect(try await hub.store.conversation(id: whatsAppConversation) == nil)
            // The same bytes signed properly are taken.
            #expect(try await hub.postWebhook(body).status == 200)
            #expect(try await hub.store.conversation(id: whatsAppConversation) != nil)
        }
    }

    @Test func anImageBecomesASystemLineKeepingItsMediaIdAndGoesNowhere() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                #expect(try await hub.postWebhook(MetaPayload.image(wamid: "wamid.IMG")).status == 200)
                let line = try await officer.expect("event", event: "message")
                #expect(line["from"]?.stringValue == "system")
                let text = line["text"]?.stringValue ?? ""
                #expect(text.contains("gambar") && text.contains("KTP saya") && text.contains("halaman web"))
                #expect(line["channel"]?["media"]?["id"]?.stringValue == "1234567890")
                #expect(line["reply_until"]?.stringValue != nil, "a file opens the 24-hour window too")
                let stored = try #require(try await hub.store.events(conversation: whatsAppConversation).last)
                #expect(stored.channel?["media"]?["id"]?.stringValue == "1234567890")
                #expect(stored.channel?["media"]?["mime_type"]?.stringValue == "image/jpeg")
                // Meta retries it: still one line.
                #expect(try await hub.postWebhook(MetaPayload.image(wamid: "wamid.IMG")).status == 200)
                #expect(
                    try await hub.store.events(conversation: whatsAppConversation).filter { $0.kind == .message }.count
                        == 1)
                _ = await officer.drain(within: 0.3)
                #expect(graph.requests.isEmpty, "the line is for officers, never sent to the citizen")
                await officer.close()
            }
        }
    }

    @Test func serverErrorsAreRetriedUntilMetaTakesTheReply() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites("Halo, permisi", wamid: "wamid.A", officer: officer)
                graph.answer([(503, FakeGraph.serverError), (500, FakeGraph.serverError), (429, FakeGraph.serverError)])
                officer.send(
                    OfficerCommand.send(
                        id: "r1", conversation: whatsAppConversation, text: "Halo, ada yang bisa dibantu?", kind: nil
                    ).frame.serialized)
                let status = try await officer.expect("event", event: "status")
                #expect(status["status"]?.stringValue == "sent")
                let requests = graph.requests
                #expect(requests.count == 4)
                #expect(Set(requests.map(\.body)).count == 1, "the same message each time")
                await officer.close()
            }
        }
    }

    @Test func aReplyMetaRefusesShowsAsFailedOnTheOfficersScreen() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
                await officer.close()
                graph.answer([(400, FakeGraph.metaError)])
                // The officer's own screen, through the same link `loket live` uses.
                let token = try await hub.officerToken("ani")
                let link = HubLink(hub: hub.baseURL, token: token, username: "ani")
                link.start()
                link.submit(
                    .reply(key: whatsAppConversation, text: "Selamat siang, Ibu.", kind: nil, localID: "ani-run-1"))
                let events = try await collect(from: link) { event in
                    if case .delivery(_, _, .failed, _) = event { true } else { false }
                }
                await link.stop()
                #expect(
                    events.contains(.delivered(localID: "ani-run-1", view: nil))
                        || events.contains { event in
                            if case .delivered(let id, _) = event { id == "ani-run-1" } else { false }
                        })
                let failure = try #require(events.last)
                guard case .delivery(let key, let localID, .failed, let reason) = failure else {
                    Issue.record("no failed delivery")
                    return
                }
                #expect(key == whatsAppConversation)
                #expect(localID == "ani-run-1")
                #expect(reason?.contains("131026") == true)
                #expect(graph.requests.count == 1, "a refusal is final: no retry")
                let status = try #require(try await hub.store.events(conversation: whatsAppConversation).last)
                #expect(status.kind == .status && status.status == .failed)
            }
        }
    }

    @Test func aReplyLongerThanWhatsAppAllowsGoesInPartsCutBetweenWords() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites("Mohon penjelasan lengkap", wamid: "wamid.A", officer: officer)
                let reply = String(repeating: "🙏🙏 terima kasih ", count: 230).trimmingCharacters(in: .whitespaces)
                #expect(reply.count <= Wire.maximumTextLength && reply.utf16.count > WhatsAppText.maximumBody)
                officer.send(
                    OfficerCommand.send(id: "long", conversation: whatsAppConversation, text: reply, kind: nil).frame
                        .serialized)
                let requests = try await graph.waitForRequests(2)
                let bodies = requests.compactMap { $0.json?["text"]?["body"]?.stringValue }
                #expect(bodies.count == 2)
                #expect(bodies.allSatisfy { $0.utf16.count <= WhatsAppText.maximumBody })
                #expect(bodies.joined(separator: " ") == reply)
                let first = try await officer.expect("event", event: "status")
                let second = try await officer.expect("event", event: "status")
                #expect(first["channel"]?["part"]?.int == 0 && second["channel"]?["part"]?.int == 1)
                #expect(second["channel"]?["parts"]?.int == 2)
                await officer.close()
            }
        }
    }

    @Test func aReplyAfterTheTwentyFourHourWindowIsRefusedInIndonesian() async throws {
        let clock = ManualClock()
        try await withFakeGraph { graph in
            try await withHub(clock: clock.read, whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                let sentAt = Int(clock.now.timeIntervalSince1970)
                _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer, timestamp: sentAt)
                clock.advance(by: 24 * 3600 + 1)
                officer.send(
                    OfficerCommand.send(
                        id: "late", conversation: whatsAppConversation, text: "Maaf terlambat", kind: nil
                    ).frame.serialized)
                let error = try await officer.expect("error")
                #expect(error["code"]?.stringValue == "window_closed")
                #expect(error["id"]?.stringValue == "late")
                #expect(error["message"]?.stringValue == Catalogue.Hub.whatsAppWindowClosed)
                #expect(
                    try await hub.store.events(conversation: whatsAppConversation).filter { $0.from == .officer }
                        .isEmpty)
                // The citizen writing again opens a new window.
                _ = try await hub.whatsAppCitizenWrites(
                    "Halo lagi", wamid: "wamid.B", officer: officer, timestamp: Int(clock.now.timeIntervalSince1970))
                officer.send(
                    OfficerCommand.send(id: "now", conversation: whatsAppConversation, text: "Selamat pagi", kind: nil)
                        .frame.serialized)
                _ = try await officer.expect("ack")
                let requests = try await graph.waitForRequests(1)
                #expect(requests.count == 1)
                #expect(requests.first?.json?["text"]?["body"]?.stringValue == "Selamat pagi")
                await officer.close()
            }
        }
    }

    @Test func graphBeingDownEndsInAVisibleFailureNotASilentLoss() async throws {
        let dead = try await deadGraphURL()
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: dead, attempts: 3)) { hub in
            let (officer, _) = try await hub.officer("ani")
            _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
            officer.send(
                OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: "Selamat pagi", kind: nil).frame
                    .serialized)
            let stored = try await officer.expect("event", event: "message")
            let status = try await officer.expect("event", event: "status")
            #expect(status["status"]?.stringValue == "failed")
            #expect(status["message"]?.int == stored["seq"]?.int)
            #expect(status["text"]?.stringValue == Catalogue.Hub.whatsAppUnreachable(3))
            await officer.close()
        }
    }

    @Test func aReplyStoredWhileGraphWasDownIsSentAfterTheHubRestarts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-wa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = SQLiteHubStore.file(in: folder.path)
        let dead = try await deadGraphURL()
        // The first hub cannot reach Meta and is patient: it stops (as if killed) with the reply still pending.
        try await withHub(
            store: try SQLiteHubStore(path: path),
            whatsapp: WhatsAppSecrets.configuration(graph: dead, attempts: 1_000, initialDelay: .seconds(60))
        ) { hub in
            let (officer, _) = try await hub.officer("ani")
            _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
            officer.send(
                OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: "Selamat pagi, Ibu", kind: nil)
                    .frame.serialized)
            _ = try await officer.expect("ack")
            await officer.close()
        }
        try await withFakeGraph { graph in
            try await withHub(
                store: try SQLiteHubStore(path: path), whatsapp: WhatsAppSecrets.configuration(graph: graph.url)
            ) { hub in
                let requests = try await graph.waitForRequests(1)
                #expect(requests.first?.json?["text"]?["body"]?.stringValue == "Selamat pagi, Ibu")
                let deadline = Date().addingTimeInterval(30)
                var statuses: [HubEvent] = []
                while Date() < deadline {
                    statuses = try await hub.store.events(conversation: whatsAppConversation).filter {
                        $0.kind == .status
                    }
                    if !statuses.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(statuses.map(\.status) == [.sent])
            }
        }
        // Sent once: a third start finds nothing left to send.
        try await withFakeGraph { graph in
            try await withHub(
                store: try SQLiteHubStore(path: path), whatsapp: WhatsAppSecrets.configuration(graph: graph.url)
            ) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = await officer.drain(within: 0.3)
                #expect(graph.requests.isEmpty)
                await officer.close()
            }
        }
    }

    @Test func noSecretEverReachesTheLogs() async throws {
        let log = CapturedLog()
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url), logger: log.logger) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.handshake("hub.mode=subscribe&hub.verify_token=salah&hub.challenge=1")
                _ = try await hub.handshake(
                    "hub.mode=subscribe&hub.verify_token=\(WhatsAppSecrets.verifyToken)&hub.challenge=1")
                _ = try await hub.postWebhook(
                    MetaPayload.text(wamid: "wamid.L", body: "Halo"), signature: .some("sha256=00"))
                _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
                graph.answer([(500, FakeGraph.serverError), (400, FakeGraph.metaError)])
                officer.send(
                    OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: "Selamat pagi", kind: nil)
                        .frame.serialized)
                let status = try await officer.expect("event", event: "status")
                #expect(status["status"]?.stringValue == "failed")
                await officer.close()
            }
        }
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("whatsapp") }, "the test did log something")
        for secret in WhatsAppSecrets.all {
            #expect(!lines.contains { $0.contains(secret) }, "\(secret) leaked into the logs")
        }
    }

    @Test func outsideOfficeHoursTheCitizenGetsTheHoursOnWhatsApp() async throws {
        // Monday 22:00 WIB: the office is closed.
        let closed = officeOpenTime.addingTimeInterval(12 * 3600)
        try await withFakeGraph { graph in
            try await withHub(clock: { closed }, whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites(
                    "Halo, masih buka?", wamid: "wamid.NIGHT", officer: officer,
                    timestamp: Int(closed.timeIntervalSince1970))
                let notice = try await officer.expect("event", event: "message")
                #expect(notice["from"]?.stringValue == "system")
                let request = try #require(try await graph.waitForRequests(1).first)
                #expect(request.json?["text"]?["body"]?.stringValue == notice["text"]?.stringValue)
                #expect(notice["text"]?.stringValue?.contains("di luar jam layanan") == true)
                let status = try await officer.expect("event", event: "status")
                #expect(status["message"]?.int == notice["seq"]?.int)
                await officer.close()
            }
        }
    }

    @Test func metaReportingAFailureLaterTurnsASentReplyIntoAFailedOne() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
                officer.send(
                    OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: "Selamat pagi", kind: nil)
                        .frame.serialized)
                let reply = try await officer.expect("event", event: "message")
                let sent = try await officer.expect("event", event: "status")
                #expect(sent["status"]?.stringValue == "sent")
                let failed = MetaPayload.status("wamid.OUT1", .failed, code: 131047)
                #expect(try await hub.postWebhook(failed).status == 200)
                #expect(try await hub.postWebhook(failed).status == 200, "Meta's retry of it stores nothing new")
                let status = try await officer.expect("event", event: "status")
                #expect(status["status"]?.stringValue == "failed")
                #expect(status["message"]?.int == reply["seq"]?.int)
                #expect(status["text"]?.stringValue?.contains("131047") == true)
                let statuses = try await hub.store.events(conversation: whatsAppConversation).filter { $0.kind == .status }
                #expect(statuses.map(\.status) == [.sent, .failed])
                await officer.close()
            }
        }
    }

    @Test func aSlowMetaNeverHoldsUpOtherMessages() async throws {
        try await withFakeGraph { graph in
            try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: graph.url)) { hub in
                let (officer, _) = try await hub.officer("ani")
                _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
                graph.hold()
                officer.send(
                    OfficerCommand.send(id: "r1", conversation: whatsAppConversation, text: "Selamat pagi", kind: nil)
                        .frame.serialized)
                _ = try await officer.expect("ack")
                let deadline = Date().addingTimeInterval(30)
                while graph.waiting == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(graph.waiting == 1, "the reply is at Meta, unanswered")
                // Meanwhile the hub goes on: a web citizen and another WhatsApp sender are stored and delivered.
                let (citizen, _) = try await hub.citizen(name: "Budi")
                citizen.send(CitizenCommand.message(id: "w1", text: "Permisi, jam buka?").frame.serialized)
                _ = try await citizen.expect("ack", within: 10)
                let other = MetaPayload.text(wamid: "wamid.OTHER", body: "Halo juga", from: "6289999999999", name: "Rudi")
                #expect(try await hub.postWebhook(other).status == 200)
                graph.release()
                let status = try await officer.expect("event", event: "status")
                #expect(status["status"]?.stringValue == "sent")
                await citizen.close()
                await officer.close()
            }
        }
    }

    @Test func writingAgainAfterACloseReopensTheSameConversation() async throws {
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: try await deadGraphURL(), attempts: 1)) { hub in
            let (officer, _) = try await hub.officer("ani")
            _ = try await hub.whatsAppCitizenWrites("Halo", wamid: "wamid.A", officer: officer)
            officer.send(OfficerCommand.close(id: "c1", conversation: whatsAppConversation).frame.serialized)
            _ = try await officer.expect("ack")
            #expect(try await hub.store.conversation(id: whatsAppConversation)?.status == .closed)
            let again = try await hub.whatsAppCitizenWrites("Maaf, satu pertanyaan lagi", wamid: "wamid.B", officer: officer)
            #expect(again["conversation"]?.stringValue == whatsAppConversation)
            #expect(try await hub.store.conversation(id: whatsAppConversation)?.status == .open)
            await officer.close()
        }
    }

    @Test func aWebCitizenCanNeverResumeAWhatsAppConversation() async throws {
        try await withHub(whatsapp: WhatsAppSecrets.configuration(graph: try await deadGraphURL())) { hub in
            #expect(try await hub.postWebhook(MetaPayload.text(wamid: "wamid.A", body: "Halo")).status == 200)
            for guess in ["whatsapp:\(MetaPayload.waID)", MetaPayload.waID, whatsAppConversation] {
                let (citizen, welcome) = try await hub.citizen(resume: guess)
                #expect(welcome["conversation"]?.stringValue != whatsAppConversation)
                #expect(welcome["history"]?.items.isEmpty == true)
                await citizen.close()
            }
        }
    }

    /// Link events until `done` matches one (within 30 s).
    private func collect(from link: HubLink, until done: (CitizenEvent) -> Bool) async throws -> [CitizenEvent] {
        var seen: [CitizenEvent] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            for event in link.drain() {
                seen.append(event)
                if done(event) { return seen }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError(description: "the link never showed the awaited event; saw \(seen)")
    }
}
