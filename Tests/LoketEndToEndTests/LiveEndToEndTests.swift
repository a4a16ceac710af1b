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
        try await hub.addOfficerAni()
        try await hub.start()
        let config = try await hub.logInAniAtTheTerminal()

        // The citizen writes first, so the officer's screen opens with one waiting conversation.
        let budi = try await budiAsksToRenewHisPermit(on: hub.url)
        var citizen = budi.socket
        let token = budi.token

        let tmux = try await TmuxSession(width: 120, height: 30, environment: ["XDG_CONFIG_HOME": config])
        try await tmux.start("live")
        try await tmux.waitFor("Budi Santoso")
        try await tmux.waitFor("Saran")
        try await tmux.send(keys: "Tab")
        try await tmux.send(keys: "Enter")
        // Outside office hours a system notice comes first; the officer's reply is what matters here.
        let reply = try await frame(citizen, "message", from: "officer")
        #expect(reply["text"]?.stringValue?.contains("Bapak") == true)

        // The hub dies mid-conversation; the officer keeps typing.
        hub.kill()
        try await tmux.waitFor("terputus")
        let offline = "Baik, Bapak, berkas segera kami periksa."
        try await tmux.send(literal: offline)
        try await tmux.send(keys: "Enter")
        try await tmux.waitFor("Anda…")
        try await hub.start()
        try await tmux.waitFor(timeout: 20, "reconnected") { !$0.contains("terputus") }
        try await tmux.waitFor(timeout: 30, "the queued reply settled") { !$0.contains("Anda…") }

        // The citizen comes back: the reply typed offline is there exactly once, after the first one.
        await citizen.close()
        citizen = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hub.url, path: "/citizen/ws"))
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
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("EXIT=0")
    }
}

@Suite("loket-hub from a shell", .serialized)
struct HubCommandEndToEndTests {
    @Test func officersAreManagedWhileTheHubRunsAndANewOneCanLogInAtOnce() async throws {
        let hub = try HubProcess()
        try await hub.start()
        try await hub.command(["officer", "add", "sari", "--name", "Sari Dewi", "--password-stdin"], input: "kata-sandi-sari\n")
        await #expect(try hub.command(["officer", "list"]).contains("sari\tSari Dewi"))
        let config = hub.data.appendingPathComponent("config").path
        let loket = try TmuxSession.loketBinary()
        let output = try await HubProcess.run(
            [loket, "login", "--hub", hub.url, "--user", "sari"], input: "kata-sandi-sari\n",
            environment: ["XDG_CONFIG_HOME": config])
        #expect(output.contains("Sari Dewi"))
        let session = try #require(SavedSession.load(from: "\(config)/loket/session.json"))
        #expect(session.token.count >= 22)
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(config)/loket/session.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        await #expect(throws: (any Error).self) {
            try await HubProcess.run(
                [loket, "login", "--hub", hub.url, "--user", "sari"], input: "salah\n", environment: ["XDG_CONFIG_HOME": config])
        }
        try await hub.command(["officer", "passwd", "sari", "--password-stdin"], input: "sandi-baru-sari\n")
        try await hub.command(["officer", "remove", "sari"])
        await #expect(!(try hub.command(["officer", "list"]).contains("sari")))
    }

    @Test func theCitizenToolSendsEveryLineAndTheReportCountsTheDay() async throws {
        let hub = try HubProcess()
        try await hub.start()
        let binary = try HubProcess.binary("loket-hub")
        // Exit 0 means the hub acknowledged every line.
        try await HubProcess.run(
            [binary, "citizen", "--hub", hub.url, "--name", "Rina"], input: "Permisi\nSyarat NIB apa saja?\n")
        let report = try await hub.command(["report"])
        #expect(report.hasPrefix("Laporan "))
        #expect(report.contains("Jumlah"))
        let badDay = try await TmuxSession.spawn([binary, "report", "--day", "kemarin", "--data", hub.data.path])
        #expect(badDay.status != 0)
        #expect(badDay.output.contains("--day"))
    }

    @Test func badOptionsAndAddressesAreRefusedWithAClearMessage() async throws {
        let hub = try HubProcess()
        let binary = try HubProcess.binary("loket-hub")
        let refused = try await TmuxSession.spawn([binary, "--listen", "0.0.0.0:0", "--data", hub.data.path])
        #expect(refused.status != 0)
        #expect(refused.output.contains("--behind-proxy"))
        let badListen = try await TmuxSession.spawn([binary, "--listen", "nonsense", "--data", hub.data.path])
        #expect(badListen.status != 0)
        #expect(badListen.output.contains("HOST:PORT"))
        let shortPassword = try await TmuxSession.spawn([binary, "officer", "add", "x", "--name", "X", "--password-stdin", "--data", hub.data.path])
        #expect(shortPassword.status != 0)
        #expect(shortPassword.output.contains("at least 8"))
        let badName = try await TmuxSession.spawn([binary, "officer", "add", "a b", "--name", "X", "--password-stdin", "--data", hub.data.path])
        #expect(badName.status != 0)
    }

    @Test func sigtermClosesSocketsWithGoingAwayAndExitsCleanly() async throws {
        let hub = try HubProcess()
        try await hub.start()
        let citizen = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hub.url, path: "/citizen/ws"))
        citizen.send(CitizenCommand.hello(name: "Budi", honorific: nil, resume: nil).frame.serialized)
        _ = await citizen.receive(within: 10)
        let status = await hub.terminate()
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
