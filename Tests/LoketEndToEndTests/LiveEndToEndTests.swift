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

@Suite("loket-hub from a shell", .serialized)
struct HubCommandEndToEndTests {
    @Test func officersAreManagedWhileTheHubRunsAndANewOneCanLogInAtOnce() async throws {
        let hub = try HubProcess()
        try hub.start()
        try hub.command(["officer", "add", "sari", "--name", "Sari Dewi", "--password-stdin"], input: "kata-sandi-sari\n")
        #expect(try hub.command(["officer", "list"]).contains("sari\tSari Dewi"))
        let config = hub.data.appendingPathComponent("config").path
        let loket = try TmuxSession.loketBinary()
        let output = try HubProcess.run(
            [loket, "login", "--hub", hub.url, "--user", "sari"], input: "kata-sandi-sari\n",
            environment: ["XDG_CONFIG_HOME": config])
        #expect(output.contains("Sari Dewi"))
        let session = try #require(SavedSession.load(from: "\(config)/loket/session.json"))
        #expect(session.token.count >= 22)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(config)/loket/session.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(throws: (any Error).self) {
            try HubProcess.run(
                [loket, "login", "--hub", hub.url, "--user", "sari"], input: "salah\n", environment: ["XDG_CONFIG_HOME": config])
        }
        try hub.command(["officer", "passwd", "sari", "--password-stdin"], input: "sandi-baru-sari\n")
        try hub.command(["officer", "remove", "sari"])
        #expect(!(try hub.command(["officer", "list"]).contains("sari")))
    }

    @Test func theCitizenToolSendsEveryLineAndTheReportCountsTheDay() throws {
        let hub = try HubProcess()
        try hub.start()
        let binary = try HubProcess.binary("loket-hub")
        // Exit 0 means the hub acknowledged every line.
        try HubProcess.run(
            [binary, "citizen", "--hub", hub.url, "--name", "Rina"], input: "Permisi\nSyarat NIB apa saja?\n")
        let report = try hub.command(["report"])
        #expect(report.hasPrefix("Laporan "))
        #expect(report.contains("Jumlah"))
        let badDay = try TmuxSession.spawn([binary, "report", "--day", "kemarin", "--data", hub.data.path])
        #expect(badDay.status != 0)
        #expect(badDay.output.contains("--day"))
    }

    @Test func badOptionsAndAddressesAreRefusedWithAClearMessage() throws {
        let hub = try HubProcess()
        let binary = try HubProcess.binary("loket-hub")
        let refused = try TmuxSession.spawn([binary, "--listen", "0.0.0.0:0", "--data", hub.data.path])
        #expect(refused.status != 0)
        #expect(refused.output.contains("--behind-proxy"))
        let badListen = try TmuxSession.spawn([binary, "--listen", "nonsense", "--data", hub.data.path])
        #expect(badListen.status != 0)
        #expect(badListen.output.contains("HOST:PORT"))
        let shortPassword = try TmuxSession.spawn([binary, "officer", "add", "x", "--name", "X", "--password-stdin", "--data", hub.data.path])
        #expect(shortPassword.status != 0)
        #expect(shortPassword.output.contains("at least 8"))
        let badName = try TmuxSession.spawn([binary, "officer", "add", "a b", "--name", "X", "--password-stdin", "--data", hub.data.path])
        #expect(badName.status != 0)
    }

    @Test func sigtermClosesSocketsWithGoingAwayAndExitsCleanly() async throws {
        let hub = try HubProcess()
        try hub.start()
        let citizen = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hub.url, path: "/citizen/ws"))
        citizen.send(CitizenCommand.hello(name: "Budi", honorific: nil, resume: nil).frame.serialized)
        _ = await citizen.receive(within: 10)
        let status = hub.terminate()
        #expect(status == 0)
        // The connection ends rather than hanging.
        var ended = false
        for _ in 0..<200 {
            if await citizen.receive(within: 0.05) == nil, citizen.isClosed {
                ended = true
                break
            }
        }
        #expect(ended)
    }
}
