import Foundation
import LoketCore
import LoketLive
import LoketWire
import Testing

/// Real `loket-hub` processes sharing a throwaway PostgreSQL: schema made by whichever command comes first, a hub
/// killed under an officer's screen, the database restarted under citizens.
@Suite("Several hubs on PostgreSQL, end to end", .serialized, .enabled(if: PostgresCluster.available))
struct ClusterEndToEndTests {
    @Test func theFirstCommandCreatesTheSchemaAndATokenFromOneHubWorksOnTheOther() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = cluster.url(try await cluster.createDatabase("e2e"))
        let hubA = try HubProcess(database: database)
        let hubB = try HubProcess(database: database)
        // The database is empty: `officer add` comes first and creates the schema.
        try await hubA.addOfficerAni()
        try await hubA.start()
        try await hubB.start()
        await #expect(try hubB.command(["officer", "list"]).contains("ani\tAni Wijaya"))
        let session = try await OfficerLogin.login(hub: hubA.url, username: "ani", password: "rahasia-ani")
        let officer = try await WireSocket.connect(
            url: HubLink.webSocketURL(hub: hubB.url, path: "/officer/ws"), bearer: session.token)
        officer.send(OfficerCommand.hello(since: 0).frame.serialized)
        let welcome = try await frame(officer, "welcome")
        #expect(welcome["officer"]?["username"]?.stringValue == "ani")
        await officer.close()
        let report = try await hubB.command(["report"])
        #expect(report.hasPrefix("Laporan "))
    }

    @Test func aHubKilledUnderTheOfficersScreenIsReplacedByTheOtherWithNothingLostOrDoubled() async throws {
        let cluster = try await PostgresCluster.shared()
        let database = cluster.url(try await cluster.createDatabase("e2e"))
        let hubA = try HubProcess(database: database)
        let hubB = try HubProcess(database: database)
        try await hubA.addOfficerAni()
        try await hubA.start()
        try await hubB.start()
        let config = try await hubA.logInAniAtTheTerminal()

        // The citizen is on hub B, the officer on hub A.
        let budi = try await budiAsksToRenewHisPermit(on: hubB.url)
        var citizen = budi.socket
        let token = budi.token

        let tmux = try await TmuxSession(width: 120, height: 30, environment: ["XDG_CONFIG_HOME": config])
        try await tmux.start("live --also-hub \(hubB.url)")
        try await tmux.waitFor("Budi Santoso")
        try await tmux.waitFor("Saran")
        try await tmux.send(keys: "Tab")
        try await tmux.send(keys: "Enter")
        let reply = try await frame(citizen, "message", from: "officer")
        #expect(reply["text"]?.stringValue?.contains("Bapak") == true)

        // A draft is being typed when hub A dies.
        let draft = "Baik Bapak, berkasnya kami periksa"
        try await tmux.send(literal: draft)
        try await tmux.waitFor(draft)
        hubA.kill()
        // The citizen writes on hub B: the screen, now on hub B, shows it (nothing missed while switching).
        citizen.send(CitizenCommand.message(id: "c2", text: "Apakah perlu fotokopi KTP?").frame.serialized)
        _ = try await frame(citizen, "ack")
        try await tmux.waitFor("Apakah perlu fotokopi KTP?", timeout: 30)
        let screen = try await tmux.waitFor(timeout: 20, "reconnected") { !$0.contains("terputus") }
        #expect(screen.contains(draft), "the draft survives the switch")
        try await tmux.send(keys: "Enter")
        let sent = try await frame(citizen, "message", from: "officer")
        #expect(sent["text"]?.stringValue?.hasPrefix(draft) == true)

        // Coming back, the citizen's history has each message once, in order.
        await citizen.close()
        citizen = try await WireSocket.connect(url: HubLink.webSocketURL(hub: hubB.url, path: "/citizen/ws"))
        citizen.send(CitizenCommand.hello(name: nil, honorific: nil, resume: token).frame.serialized)
        let resumed = try await frame(citizen, "welcome")
        let history = (resumed["history"]?.arrayItems ?? []).filter { $0["from"]?.stringValue != "system" }
        let texts = history.compactMap { $0["text"]?.stringValue }
        #expect(texts.count == 4, "\(texts)")
        #expect(Set(texts).count == texts.count, "nothing doubled: \(texts)")
        #expect(texts.last?.hasPrefix(draft) == true)
        let seqs = (resumed["history"]?.arrayItems ?? []).compactMap { $0["seq"]?.wholeNumber }
        #expect(seqs == seqs.sorted())
        await citizen.close()
        try await tmux.send(keys: "F10")
        try await tmux.waitFor("EXIT=0")
        _ = await hubB.terminate()
    }

    @Test func postgresRestartedWhileCitizensSendLosesNothingAcknowledgedAndLeavesNoSenderWithoutAnswer() async throws {
        let cluster = try await PostgresCluster.startPrivate()
        do {
            try await restartUnderLoad(cluster)
            await cluster.stop()
        } catch {
            await cluster.stop()
            throw error
        }
    }

    private func restartUnderLoad(_ cluster: PostgresCluster.RestartableCluster) async throws {
        let database = cluster.url(try await cluster.createDatabase())
        let hub = try HubProcess(database: database)
        // A second hub with an officer on it: after the outage its feed must reconnect and catch up.
        let other = try HubProcess(database: database)
        try await hub.addOfficerAni()
        try await hub.start()
        try await other.start()
        let session = try await OfficerLogin.login(hub: other.url, username: "ani", password: "rahasia-ani")
        let officer = try await WireSocket.connect(
            url: HubLink.webSocketURL(hub: other.url, path: "/officer/ws"), bearer: session.token)
        officer.send(OfficerCommand.hello(since: 0).frame.serialized)
        _ = try await frame(officer, "welcome")
        let citizenURL = HubLink.webSocketURL(hub: hub.url, path: "/citizen/ws")
        let senders = 4
        let perSender = 25
        // Each sender writes a message every 200 ms (the hub's steady rate limit is 5 a second) and notes every answer: ack (with seq) or error.
        let results = try await withThrowingTaskGroup(of: (token: String, acked: [String], refused: [String]).self) { group in
            for sender in 0..<senders {
                group.addTask {
                    let socket = try await WireSocket.connect(url: citizenURL)
                    socket.send(CitizenCommand.hello(name: "Warga \(sender)", honorific: nil, resume: nil).frame.serialized)
                    let welcome = try await frame(socket, "welcome")
                    let token = welcome["token"]?.stringValue ?? ""
                    var acked: [String] = []
                    var refused: [String] = []
                    for index in 0..<perSender {
                        let id = "s\(sender)-\(index)"
                        socket.send(CitizenCommand.message(id: id, text: "pesan \(id)").frame.serialized)
                        let answer = try await answer(socket, id: id, within: 30)
                        if answer["type"]?.stringValue == "ack" {
                            acked.append(id)
                        } else {
                            #expect(answer["code"]?.stringValue == "unavailable", "\(answer)")
                            refused.append(id)
                        }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    // What was refused is sent again now, with the same id: acknowledged once the database is back.
                    for id in refused {
                        var settled = false
                        for _ in 0..<20 where !settled {
                            socket.send(CitizenCommand.message(id: id, text: "pesan \(id)").frame.serialized)
                            let answer = try await answer(socket, id: id, within: 30)
                            settled = answer["type"]?.stringValue == "ack"
                            if !settled { try await Task.sleep(for: .milliseconds(250)) }
                        }
                        #expect(settled, "\(id) acknowledged after the restart")
                        if settled { acked.append(id) }
                    }
                    await socket.close()
                    return (token, acked, refused)
                }
            }
            group.addTask {
                // Down longer than the hub waits for the database (5 s) while the senders are in the middle of
                // their messages: some are refused (and sent again), some wait and are acknowledged late.
                try await Task.sleep(for: .seconds(1))
                try await cluster.restart(downFor: .seconds(7))
                return ("", [], [])
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let citizens = results.filter { !$0.token.isEmpty }
        #expect(citizens.count == senders)
        #expect(citizens.reduce(0) { $0 + $1.refused.count } > 0, "the outage was noticed by someone")
        for citizen in citizens {
            #expect(citizen.acked.count == perSender)
            let socket = try await WireSocket.connect(url: citizenURL)
            socket.send(CitizenCommand.hello(name: nil, honorific: nil, resume: citizen.token).frame.serialized)
            let welcome = try await frame(socket, "welcome")
            let stored = (welcome["history"]?.arrayItems ?? []).compactMap { $0["text"]?.stringValue }
            let expected = citizen.acked.map { "pesan \($0)" }
            #expect(Set(stored).isSuperset(of: expected), "every acknowledged message is stored")
            #expect(stored.count == Set(stored).count, "none twice")
            await socket.close()
        }
        // The officer on the other hub got every acknowledged citizen message, once each, in increasing seq order.
        let expected = Set(citizens.flatMap { $0.acked.map { "pesan \($0)" } })
        var received: [String] = []
        var seqs: [Int] = []
        let deadline = Date().addingTimeInterval(30)
        while !expected.isSubset(of: Set(received)), Date() < deadline {
            guard let text = await officer.receive(within: max(0.05, deadline.timeIntervalSinceNow)),
                let json = JSON.parse(text), json["event"]?.stringValue == "message",
                json["from"]?.stringValue == "citizen"
            else { continue }
            received.append(json["text"]?.stringValue ?? "")
            seqs.append(Int(json["seq"]?.wholeNumber ?? -1))
        }
        #expect(expected.isSubset(of: Set(received)), "\(expected.subtracting(received).count) never reached the other hub")
        #expect(received.count == Set(received).count, "none twice")
        #expect(seqs == seqs.sorted())
        await officer.close()
        _ = await hub.terminate()
        _ = await other.terminate()
    }

    /// The ack or error answering `id`: silence past `within` seconds fails the test.
    private func answer(_ socket: WireSocket, id: String, within seconds: Double) async throws -> JSON {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let text = await socket.receive(within: max(0.05, deadline.timeIntervalSinceNow)) else { break }
            if let json = JSON.parse(text), ["ack", "error"].contains(json["type"]?.stringValue ?? ""),
                json["id"]?.stringValue == id
            {
                return json
            }
        }
        throw E2EError(message: "no answer to \(id) within \(seconds) s")
    }
}
