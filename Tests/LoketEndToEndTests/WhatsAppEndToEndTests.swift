import Foundation
import LoketCore
import LoketLive
import LoketWire
import Testing

/// `loket-hub serve`'s WhatsApp options from a shell: what is missing or unsafe is refused with a clear message,
/// secrets come from the environment or files, and no secret is ever echoed.
@Suite("loket-hub WhatsApp options", .serialized)
struct WhatsAppEndToEndTests {
    static let secret = "rahasia-Qx81-jangan-tampil"

    @Test func incompleteOrUnsafeSettingsAreRefusedWithoutEchoingASecret() async throws {
        let hub = try HubProcess()
        let binary = try HubProcess.binary("loket-hub")
        let base = [binary, "serve", "--listen", "127.0.0.1:0", "--data", hub.data.path]
        // The variables of whoever runs the tests must not complete the settings.
        let clean = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LOKET_WHATSAPP_") }

        let partial = try await TmuxSession.spawn(base + ["--whatsapp-app-secret", Self.secret], environment: clean)
        #expect(partial.status != 0)
        #expect(partial.output.contains("--whatsapp-verify-token"))
        #expect(partial.output.contains("--whatsapp-phone-number-id"))
        #expect(!partial.output.contains(Self.secret))

        var complete = clean
        complete["LOKET_WHATSAPP_VERIFY_TOKEN"] = Self.secret
        complete["LOKET_WHATSAPP_APP_SECRET"] = Self.secret
        complete["LOKET_WHATSAPP_ACCESS_TOKEN"] = Self.secret
        let plainHTTP = try await TmuxSession.spawn(
            base + ["--whatsapp-phone-number-id", "1055", "--whatsapp-graph-url", "http://graph.example.com/v21.0"],
            environment: complete)
        #expect(plainHTTP.status != 0)
        #expect(plainHTTP.output.contains("https://"))
        #expect(!plainHTTP.output.contains(Self.secret))

        let secretFile = hub.data.appendingPathComponent("app-secret")
        try "\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let empty = try await TmuxSession.spawn(
            base + ["--whatsapp-phone-number-id", "1055", "--whatsapp-app-secret-file", secretFile.path],
            environment: complete.filter { $0.key != "LOKET_WHATSAPP_APP_SECRET" })
        #expect(empty.status != 0)
        #expect(empty.output.contains("is empty"))

        try "\(Self.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let both = try await TmuxSession.spawn(
            base + [
                "--whatsapp-phone-number-id", "1055", "--whatsapp-app-secret", Self.secret, "--whatsapp-app-secret-file",
                secretFile.path,
            ],
            environment: complete)
        #expect(both.status != 0)
        #expect(both.output.contains("not both"))
        #expect(!both.output.contains(Self.secret))
    }

    @Test func theHubStartsWithSecretsFromTheEnvironmentAndAFile() async throws {
        let hub = try HubProcess()
        let secretFile = hub.data.appendingPathComponent("access-token")
        try "\(Self.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        var environment = ["LOKET_WHATSAPP_VERIFY_TOKEN": "verifikasi-e2e", "LOKET_WHATSAPP_APP_SECRET": "app-e2e"]
        environment["LOKET_WHATSAPP_PHONE_NUMBER_ID"] = "106540352242922"
        try await hub.start(
            arguments: ["--whatsapp-access-token-file", secretFile.path, "--whatsapp-graph-url", "http://127.0.0.1:9/v21.0"],
            environment: environment)
        #expect(await hub.terminate() == 0)
        let help = try await TmuxSession.spawn([try HubProcess.binary("loket-hub"), "serve", "--help"])
        for option in [
            "--whatsapp-verify-token", "--whatsapp-app-secret", "--whatsapp-access-token", "--whatsapp-phone-number-id",
            "--whatsapp-graph-url", "--whatsapp-app-secret-file",
        ] {
            #expect(help.output.contains(option))
        }
    }

    @Test func aReplyStoredBeforeTheHubWasKilledReachesMetaAfterTheRestart() async throws {
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WhatsApp")
        let hub = try HubProcess()
        try await hub.addOfficerAni()
        // Monday 10:00 WIB, office open (so no hours notice goes out as well); Meta's send time the same.
        let now = "2026-11-30T03:00:00Z"
        let sent = Int(try Date.ISO8601FormatStyle().parse(now).timeIntervalSince1970)
        let environment = [
            "LOKET_HUB_NOW": now, "LOKET_WHATSAPP_VERIFY_TOKEN": "verifikasi-e2e", "LOKET_WHATSAPP_APP_SECRET": "app-e2e",
            "LOKET_WHATSAPP_ACCESS_TOKEN": "akses-e2e", "LOKET_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        ]
        // First Meta is unreachable: nothing listens where the hub sends (a port bound, never listening, and held
        // until the end, so no other test can take it).
        let (unreachable, held) = try HubProcess.boundPort()
        defer { close(held) }
        try await hub.start(arguments: ["--whatsapp-graph-url", "http://127.0.0.1:\(unreachable)/v21.0"], environment: environment)

        let body = hub.data.appendingPathComponent("webhook.json")
        try #"""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp",\#
            "metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},\#
            "contacts":[{"profile":{"name":"Sari Dewi"},"wa_id":"6281234567890"}],"messages":[{"from":"6281234567890",\#
            "id":"wamid.E2E-IN","timestamp":"\#(sent)","text":{"body":"Selamat pagi, saya mau perpanjang izin usaha"},\#
            "type":"text"}]},"field":"messages"}]}]}
            """#.write(to: body, atomically: true, encoding: .utf8)
        let posted = try await HubProcess.run([
            "python3", scripts.appendingPathComponent("post_webhook.py").path, "\(hub.url)/webhooks/whatsapp", "app-e2e",
            body.path,
        ])
        #expect(posted.trimmingCharacters(in: .whitespacesAndNewlines) == "200")

        let session = try await OfficerLogin.login(hub: hub.url, username: "ani", password: "rahasia-ani")
        let officer = try await WireSocket.connect(
            url: HubLink.webSocketURL(hub: hub.url, path: "/officer/ws"), bearer: session.token)
        officer.send(OfficerCommand.hello(since: 0).frame.serialized)
        _ = try await next(officer) { $0["type"]?.stringValue == "event" && $0["from"]?.stringValue == "citizen" }
        let reply = "Selamat pagi, Ibu Sari. Mohon siapkan KTP dan NIB."
        officer.send(
            OfficerCommand.send(id: "e2e-1", conversation: "wa-6281234567890", text: reply, kind: nil).frame.serialized)
        _ = try await next(officer) { $0["type"]?.stringValue == "ack" }
        await officer.close()
        // Stored, not sent: the hub dies before Meta is reachable.
        hub.kill()

        let log = hub.data.appendingPathComponent("graph.log")
        let graphOutput = hub.data.appendingPathComponent("graph.out")
        let graph = try TmuxSession.launch(
            ["python3", scripts.appendingPathComponent("fake_graph.py").path, log.path],
            environment: ProcessInfo.processInfo.environment, output: graphOutput.path)
        defer {
            kill(graph, SIGKILL)
            var status: Int32 = 0
            waitpid(graph, &status, 0)
        }
        let port = try await poll("the fake Graph API's port") { () -> Int? in
            let text = (try? String(contentsOf: graphOutput, encoding: .utf8)) ?? ""
            return text.hasPrefix("listening on ") ? Int(text.dropFirst("listening on ".count).prefix { $0.isNumber }) : nil
        }
        try await hub.start(arguments: ["--whatsapp-graph-url", "http://127.0.0.1:\(port)/v21.0"], environment: environment)
        let request = try await poll("the reply at the fake Graph API") { () -> JSON? in
            let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
            return lines.first.flatMap { JSON.parse(String($0)) }
        }
        #expect(request["path"]?.stringValue == "/v21.0/106540352242922/messages")
        #expect(request["authorization"]?.stringValue == "Bearer akses-e2e")
        let sentBody = JSON.parse(request["body"]?.stringValue ?? "")
        #expect(sentBody?["to"]?.stringValue == "6281234567890")
        #expect(sentBody?["text"]?["body"]?.stringValue == reply)
        #expect(await hub.terminate() == 0)
        let requests = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(requests.count == 1, "sent once")
    }

    /// The next frame matching `wanted`, within 20 seconds.
    private func next(_ socket: WireSocket, _ wanted: (JSON) -> Bool) async throws -> JSON {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard let text = await socket.receive(within: max(0.01, deadline.timeIntervalSinceNow)) else { break }
            if let frame = JSON.parse(text), wanted(frame) { return frame }
        }
        throw E2EError(message: "no such frame within 20 s")
    }

    /// Polls `probe` every 50 ms until it gives a value, for at most 30 seconds.
    private func poll<T>(_ what: String, _ probe: () -> T?) async throws -> T {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let value = probe() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw E2EError(message: "no \(what) within 30 s")
    }
}
