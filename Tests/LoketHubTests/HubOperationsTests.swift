import Foundation
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import Testing


/// Sends one raw HTTP/1.1 request over a loopback socket and returns the status code and body. The socket is
/// read on a thread of its own: a blocked read must not hold a thread the in-process hub needs to answer it.
func rawHTTP(port: Int, _ request: String) async throws -> (status: Int, body: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try rawHTTPBlocking(port: port, request) }) }
    }
}

private func rawHTTPBlocking(port: Int, _ request: String) throws -> (status: Int, body: String) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw HarnessError(description: "socket failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HarnessError(description: "connect failed") }
    var timeout = timeval(tv_sec: 30, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count <= 0 { break }
        received += buffer[0..<count]
        if let text = String(bytes: received, encoding: .utf8), let headerEnd = text.range(of: "\r\n\r\n") {
            let head = text[..<headerEnd.lowerBound].lowercased()
            if let lengthLine = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                let length = Int(lengthLine.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)),
                text[headerEnd.upperBound...].utf8.count >= length
            {
                break
            }
        }
    }
    let text = String(decoding: received, as: UTF8.self)
    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (status, body)
}

func login(port: Int, _ username: String, _ password: String) async throws -> (status: Int, body: String) {
    let body = #"{"username":"\#(username)","password":"\#(password)"}"#
    return try await rawHTTP(port: port, "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
}

@Suite("Hub operations", .serialized)
struct HubOperationsTests {
    @Test func healthzAndMetricsAnswer() async throws {
        try await withHub { hub in
            let health = try await rawHTTP(port: hub.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(health.status == 200)
            #expect(health.body == "ok")
            let (citizen, _) = try await hub.citizen()
            citizen.send(CitizenCommand.message(id: "1", text: "Halo").frame.serialized)
            _ = try await citizen.expect("ack")
            let metrics = try await rawHTTP(port: hub.port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("loket_messages_in_total 1"))
            #expect(metrics.body.contains("loket_citizens_connected 1"))
            #expect(metrics.body.contains("loket_first_response_seconds_bucket"))
            await citizen.close()
        }
    }

    @Test func loginGivesALongTokenRefusesWrongPasswordsAndThrottlesAfterFive() async throws {
        try await withHub { hub in
            try await hub.store.addOfficer(OfficerRecord(
                username: "ani", name: "Ani", passwordHash: HubTestSupport.hash("benar-sekali")))
            let good = try await login(port: hub.port, "ani", "benar-sekali")
            #expect(good.status == 200)
            let token = try #require(JSON.parse(good.body)?["token"]?.stringValue)
            #expect(token.count >= 22)
            #expect(JSON.parse(good.body)?["officer"]?["name"]?.stringValue == "Ani")
            let socket = try await WireSocket.connect(url: hub.officerURL, bearer: token)
            socket.send(OfficerCommand.hello(since: 0).frame.serialized)
            #expect(try await socket.expect("welcome")["officer"]?["username"]?.stringValue == "ani")
            await socket.close()
            for _ in 0..<5 { #expect(try await login(port: hub.port, "ani", "salah").status == 401) }
            #expect(try await login(port: hub.port, "ani", "benar-sekali").status == 429)
            #expect(try await login(port: hub.port, "siapa", "apa").status == 401)
        }
    }

    @Test func anUpgradeWithoutAValidTokenIsRefusedWith401() async throws {
        try await withHub { hub in
            let upgrade = "GET /officer/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            let withoutToken = try await rawHTTP(port: hub.port, upgrade + "\r\n")
            #expect(withoutToken.status == 401)
            let unknownToken = try await rawHTTP(port: hub.port, upgrade + "Authorization: Bearer nope\r\n\r\n")
            #expect(unknownToken.status == 401)
            await #expect(throws: (any Error).self) { _ = try await WireSocket.connect(url: hub.officerURL, bearer: "nope") }
        }
    }

    @Test func outsideOfficeHoursTheCitizenIsToldTheHoursOnceAndTheMessageIsKept() async throws {
        // Sunday 29 November 2026, 19:00 WIB.
        let sunday = Date(timeIntervalSince1970: 1_796_040_000)
        try await withHub(clock: { sunday }) { hub in
            // The page asks before the citizen writes a word, so the hours show before the first message.
            let office = try await rawHTTP(port: hub.port, "GET /api/office HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(office.status == 200)
            let info = try #require(JSON.parse(office.body))
            #expect(info["open"]?.bool == false)
            #expect(info["hours"]?.stringValue?.contains("Senin") == true)
            #expect(info["name"]?.stringValue?.isEmpty == false)
            let (citizen, welcome) = try await hub.citizen()
            #expect(welcome["office"] == info)
            citizen.send(CitizenCommand.message(id: "1", text: "Permisi, mau tanya syarat NIB").frame.serialized)
            #expect(try await citizen.next()["id"]?.stringValue == "1")
            let notice = try await citizen.next()
            #expect(notice["from"]?.stringValue == "system")
            #expect(notice["text"]?.stringValue?.contains("Senin–Kamis") == true)
            citizen.send(CitizenCommand.message(id: "2", text: "Terima kasih").frame.serialized)
            #expect(try await citizen.next()["type"]?.stringValue == "ack")
            // Nothing else: no second notice, no stray frame.
            #expect(await citizen.drain(within: 0.3).isEmpty)
            // An officer logging in later sees both messages and the notice.
            let (officer, _) = try await hub.officer("ani")
            let events = await officer.drain()
            #expect(events.filter { $0["event"]?.stringValue == "message" }.count == 3)
            await citizen.close()
            await officer.close()
        }
    }

    @Test func notesTransfersClosingTheSurveyAndReopening() async throws {
        try await withHub { hub in
            let (citizen, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            let (ani, _) = try await hub.officer("ani")
            let (joko, _) = try await hub.officer("joko")
            citizen.send(CitizenCommand.message(id: "1", text: "Mau tanya status izin saya").frame.serialized)
            _ = try await citizen.expect("ack")
            ani.send(OfficerCommand.take(id: "t", conversation: conversation).frame.serialized)
            #expect(try await ani.expect("ack")["id"]?.stringValue == "t")
            #expect(try await joko.expect("event", event: "assigned")["officer"]?.stringValue == "ani")

            // Someone else's conversation: joko may not answer or close it.
            joko.send(OfficerCommand.send(id: "x", conversation: conversation, text: "Halo", kind: nil).frame.serialized)
            #expect(try await joko.expect("error")["code"]?.stringValue == "not_allowed")

            ani.send(OfficerCommand.note(id: "n", conversation: conversation, text: "Warga ini pernah mengeluh").frame.serialized)
            let note = try await joko.expect("event", event: "note")
            #expect(note["text"]?.stringValue == "Warga ini pernah mengeluh")
            #expect(note["conversation"]?.stringValue == conversation)

            ani.send(OfficerCommand.transfer(id: "bad", conversation: conversation, to: "siapa").frame.serialized)
            #expect(try await ani.expect("error")["code"]?.stringValue == "not_found")
            ani.send(OfficerCommand.transfer(id: "tr", conversation: conversation, to: "joko").frame.serialized)
            #expect(try await joko.expect("event", event: "assigned")["officer"]?.stringValue == "joko")
            joko.send(OfficerCommand.typing(conversation: conversation).frame.serialized)
            _ = try await citizen.expect("typing")
            citizen.send(CitizenCommand.typing.frame.serialized)
            #expect(try await joko.expect("event", event: "typing")["seq"] == nil)
            joko.send(OfficerCommand.send(id: "r", conversation: conversation, text: "Izin Bapak sedang diproses.", kind: nil).frame.serialized)
            _ = try await citizen.expect("message")
            joko.send(OfficerCommand.close(id: "c", conversation: conversation).frame.serialized)
            _ = try await citizen.expect("closed")
            #expect(try await hub.store.conversation(id: conversation)?.status == .closed)

            citizen.send(CitizenCommand.survey(id: "s", score: 4, comment: "Cepat").frame.serialized)
            #expect(try await citizen.expect("ack")["id"]?.stringValue == "s")
            let survey = try await ani.expect("event", event: "survey")
            #expect(survey["score"]?.int == 4)
            citizen.send(CitizenCommand.survey(id: "s", score: 4, comment: "Cepat").frame.serialized)
            #expect(try await citizen.expect("ack")["seq"] == survey["seq"], "the same survey again: the same ack")
            citizen.send(CitizenCommand.survey(id: "s2", score: 1, comment: nil).frame.serialized)
            #expect(try await citizen.expect("error")["code"]?.stringValue == "not_allowed", "one rating per conversation")

            citizen.send(CitizenCommand.message(id: "2", text: "Maaf, satu lagi").frame.serialized)
            _ = try await citizen.expect("ack")
            #expect(try await hub.store.conversation(id: conversation)?.status == .open)
            // The citizen never saw the note or the engine's view.
            let history = try await hub.citizen(resume: welcome["token"]?.stringValue).1["history"]?.arrayItems ?? []
            #expect(!history.contains { $0["text"]?.stringValue == "Warga ini pernah mengeluh" })
            #expect(!history.contains { $0["engine"] != nil })
            await citizen.close()
            await ani.close()
            await joko.close()
        }
    }

    @Test func aRestartedHubResumesFromTheLastSeqAndContinuesReceiptNumbers() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-restart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = SQLiteHubStore.file(in: folder.path)
        let steps = [
            "Selamat pagi, saya mau urus NIB", "sudah, ini dokumennya lengkap", "tidak, itu saja",
        ]
        let (token, lastSeen, firstReceipt): (String, Int64, String?) = try await withHub(store: try SQLiteHubStore(path: path)) { hub in
            let (officer, _) = try await hub.officer("ani")
            let (citizen, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            var receipt: String?
            var last: Int64 = 0
            for (index, text) in steps.enumerated() {
                citizen.send(CitizenCommand.message(id: "m\(index)", text: text).frame.serialized)
                _ = try await citizen.expect("ack")
                let event = try await officer.expect("event", event: "message")
                last = event["seq"]?.wholeNumber ?? 0
                let top = event["engine"]?["suggestions"]?.arrayItems.first
                receipt = receipt ?? top?["text"]?.stringValue?.firstMatch(of: /PTSP-\d{8}-\d{4}/).map { String($0.output) }
                officer.send(OfficerCommand.send(
                    id: "r\(index)", conversation: conversation, text: top?["text"]?.stringValue ?? "Baik",
                    kind: top?["kind"]?.stringValue).frame.serialized)
                last = try await officer.expect("ack")["seq"]?.wholeNumber ?? last
            }
            await citizen.close()
            await officer.close()
            return (try #require(welcome["token"]?.stringValue), last, receipt)
        }
        try await withHub(store: try SQLiteHubStore(path: path)) { hub in
            let (officer, welcome) = try await hub.officer("ani", since: lastSeen)
            #expect(welcome["seq"]?.wholeNumber == lastSeen)
            #expect(await officer.drain(within: 0.3).isEmpty, "nothing is delivered twice")
            let (citizen, resumed) = try await hub.citizen(resume: token)
            #expect(resumed["history"]?.arrayItems.count == 6)
            // A new citizen on the same day never gets the first one's receipt number.
            let (other, _) = try await hub.citizen(name: "Sari")
            for (index, text) in steps.prefix(2).enumerated() {
                other.send(CitizenCommand.message(id: "o\(index)", text: text).frame.serialized)
                _ = try await other.expect("ack")
            }
            let events = await officer.drain()
            let texts = events.compactMap { $0["engine"]?["suggestions"]?.arrayItems.compactMap { $0["text"]?.stringValue } }.flatMap { $0 }
            let receipts = Set(texts.compactMap { $0.firstMatch(of: /PTSP-\d{8}-\d{4}/).map { String($0.output) } })
            if let firstReceipt { #expect(!receipts.contains(firstReceipt)) }
            #expect(events.allSatisfy { ($0["seq"]?.wholeNumber ?? lastSeen + 1) > lastSeen })
            await citizen.close()
            await other.close()
            await officer.close()
        }
    }
}

/// Helpers that need the hub's password hashing.
enum HubTestSupport {
    static func hash(_ password: String) -> String { PasswordHashing.hash(password) }
}
