import Foundation
import LoketCore
import LoketLive
import LoketWire
import Testing

/// The live path across real processes: a hub on a loopback port, a scripted citizen over WebSocket, and the real
/// `loket live` in tmux.
@Suite("Live mode end to end", .serialized)
struct LiveEndToEndTests {
    @Test func anOfficerAnswersACitizenAndAReplyTypedWhileTheHubIsDownArrivesOnce() async throws {
        let hub = try HubProcess()
        try hub.command(["officer", "add", "ani", "--name", "Ani Wijaya", "--password-stdin"], input: "rahasia-ani\n")
        try hub.start()
        let config = hub.data.appendingPathComponent("config").path
        let loket = try TmuxSession.loketBinary()
        try HubProcess.run(
            [loket, "login", "--hub", hub.url, "--user", "ani"], input: "rahasia-ani\n",
            environment: ["XDG_CONFIG_HOME": config])

        // The citizen writes first, so the officer's screen opens with one waiting conversation.
        let citizenURL = HubLink.webSocketURL(hub: hub.url, path: "/citizen/ws")
        var citizen = try await WireSocket.connect(url: citizenURL)
        citizen.send(CitizenCommand.hello(name: "Budi Santoso", honorific: "Bapak", resume: nil).frame.serialized)
        let welcome = try await frame(citizen, "welcome")
        let token = try #require(welcome["token"]?.stringValue)
        citizen.send(CitizenCommand.message(id: "c1", text: "Selamat pagi, saya mau perpanjang izin usaha").frame.serialized)
        _ = try await frame(citizen, "ack")

        let tmux = try TmuxSession(width: 120, height: 30, environment: ["XDG_CONFIG_HOME": config])
        try tmux.start("live")
        try tmux.waitFor("Budi Santoso")
        try tmux.waitFor("Saran")
        try tmux.send(keys: "Tab")
        try tmux.send(keys: "Enter")
        // Outside office hours a system notice comes first; the officer's reply is what matters here.
        let reply = try await frame(citizen, "message", from: "officer")
        #expect(reply["text"]?.stringValue?.contains("Bapak") == true)

        // The hub dies mid-conversation; the officer keeps typing.
        hub.kill()
        try tmux.waitFor("terputus")
        let offline = "Baik, Bapak, berkas segera kami periksa."
        try tmux.send(literal: offline)
        try tmux.send(keys: "Enter")
        try tmux.waitFor("Anda…")
        try hub.start()
        try tmux.waitFor(timeout: 20, "reconnected") { !$0.contains("terputus") }
        try tmux.waitFor(timeout: 30, "the queued reply settled") { !$0.contains("Anda…") }

        // The citizen comes back: the reply typed offline is there exactly once, after the first one.
        await citizen.close()
        citizen = try await WireSocket.connect(url: citizenURL)
        citizen.send(CitizenCommand.hello(name: nil, honorific: nil, resume: token).frame.serialized)
        let resumed = try await frame(citizen, "welcome")
        let history = (resumed["history"]?.arrayItems ?? []).filter { $0["from"]?.stringValue != "system" }
        let texts = history.compactMap { $0["text"]?.stringValue }
        #expect(texts.filter { $0 == offline }.count == 1)
        #expect(texts.count == 3)
        #expect(texts.last == offline)
        let seqs = (resumed["history"]?.arrayItems ?? []).compactMap { $0["seq"]?.wholeNumber }
        #expect(seqs == seqs.sorted())
        await citizen.close()
        try tmux.send(keys: "F10")
        try tmux.waitFor("EXIT=0")
    }

    /// The next frame of `type` (and author `from`), skipping others, within 20 seconds.
    private func frame(_ socket: WireSocket, _ type: String, from: String? = nil) async throws -> JSON {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard let text = await socket.receive(within: max(0.05, deadline.timeIntervalSinceNow)) else { break }
            if let json = JSON.parse(text), json["type"]?.stringValue == type,
                from == nil || json["from"]?.stringValue == from
            {
                return json
            }
        }
        throw E2EError(message: "no \(type) frame within 20 s")
    }
}
