import Foundation
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import Testing

@Suite("Hub wire protocol", .serialized)
struct HubProtocolTests {
    @Test func citizenMessageReachesOfficerWithEngineAndReplyReachesCitizenWithTheAckedSeq() async throws {
        try await withHub { hub in
            let (officer, officerWelcome) = try await hub.officer("budi")
            #expect(officerWelcome["officer"]?["username"]?.stringValue == "budi")
            #expect(officerWelcome["seq"]?.int == 0)

            let (citizen, welcome) = try await hub.citizen(name: "Sari")
            let conversation = try #require(welcome["conversation"]?.stringValue)
            #expect(welcome["token"]?.stringValue?.count ?? 0 >= 22)
            #expect(welcome["history"]?.items.isEmpty == true)
            #expect(welcome["office"]?["name"]?.stringValue == "PTSP Kota Sukamaju")
            #expect(welcome["office"]?["open"]?.bool == true)

            let created = try await officer.expect("event", event: "conversation.created")
            #expect(created["conversation"]?.stringValue == conversation)
            #expect(created["name"]?.stringValue == "Sari")

            citizen.send(CitizenCommand.message(id: "m1", text: "Selamat pagi, saya mau perpanjang izin usaha").frame.serialized)
            let ack = try await citizen.expect("ack")
            #expect(ack["id"]?.stringValue == "m1")
            let message = try await officer.expect("event", event: "message")
            #expect(message["seq"]?.int == ack["seq"]?.int)
            #expect(message["from"]?.stringValue == "citizen")
            #expect(message["time"]?.stringValue != nil)
            #expect(message["engine"]?["intent"]?.stringValue == "request_service")
            #expect(message["engine"]?["suggestions"]?.items.isEmpty == false)

            officer.send(OfficerCommand.send(id: "r1", conversation: conversation, text: "Selamat pagi, Ibu Sari.", kind: "greeting").frame.serialized)
            let assigned = try await officer.expect("event", event: "assigned")
            #expect(assigned["officer"]?.stringValue == "budi")
            let reply = try await officer.expect("event", event: "message")
            #expect(reply["officer"]?.stringValue == "budi")
            let replyAck = try await officer.expect("ack")
            let seen = try await citizen.expect("message")
            #expect(seen["from"]?.stringValue == "officer")
            #expect(seen["text"]?.stringValue == "Selamat pagi, Ibu Sari.")
            #expect(seen["seq"]?.int == replyAck["seq"]?.int)
            #expect(seen["engine"] == nil)
            await citizen.close()
            await officer.close()
        }
    }

    /// A fresh screen (`since` 0) gets the working set, not every day the hub ever ran: open conversations and
    /// today's, each whole and in `seq` order; yesterday's closed ones stay out until their citizen writes again.
    @Test func aFreshScreenGetsOpenAndTodaysConversationsNotYesterdaysClosedOnes() async throws {
        let clock = ManualClock()
        try await withHub(clock: clock.read) { hub in
            let (officer, _) = try await hub.officer("budi")
            var conversations: [String: String] = [:]
            var sockets: [String: WireSocket] = [:]
            for name in ["Closed", "Open", "Back"] {
                let (citizen, welcome) = try await hub.citizen(name: name)
                let conversation = try #require(welcome["conversation"]?.stringValue)
                conversations[name] = conversation
                sockets[name] = citizen
                citizen.send(CitizenCommand.message(id: "m1", text: "Selamat pagi, saya mau urus NIB").frame.serialized)
                _ = try await citizen.expect("ack")
            }
            for name in ["Closed", "Back"] {
                officer.send(OfficerCommand.close(id: "c-\(name)", conversation: conversations[name] ?? "").frame.serialized)
                _ = try await officer.expect("ack")
            }
            clock.advance(by: 86_400)
            let (today, todayWelcome) = try await hub.citizen(name: "Today")
            today.send(CitizenCommand.message(id: "m1", text: "Permisi, kantor buka jam berapa?").frame.serialized)
            _ = try await today.expect("ack")
            let back = try #require(sockets["Back"])
            back.send(CitizenCommand.message(id: "m2", text: "Saya mau tanya lagi soal NIB").frame.serialized)
            _ = try await back.expect("ack")

            let (fresh, welcome) = try await hub.officer("sari")
            let replayed = await fresh.drain(within: 1)
            let seqs = replayed.compactMap { $0["seq"]?.int }
            #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "in seq order, each once")
            #expect(seqs.last == welcome["seq"]?.int)
            let shown = Set(replayed.compactMap { $0["conversation"]?.stringValue })
            let expected = Set([conversations["Open"], conversations["Back"], todayWelcome["conversation"]?.stringValue].compactMap { $0 })
            #expect(shown == expected)
            // The reopened conversation comes whole: created, its first message, the close, the new message.
            let backEvents = replayed.filter { $0["conversation"]?.stringValue == conversations["Back"] }
            #expect(backEvents.compactMap { $0["event"]?.stringValue } == ["conversation.created", "message", "closed", "message"])

            // Resuming is unchanged: everything after the `seq` given, yesterday's closed conversation included.
            let (resumed, _) = try await hub.officer("tono", since: 1)
            let resumedShown = Set(await resumed.drain(within: 1).compactMap { $0["conversation"]?.stringValue })
            #expect(resumedShown.contains(conversations["Closed"] ?? "-"))
            for socket in [officer, fresh, resumed, today] + Array(sockets.values) { await socket.close() }
        }
    }

    @Test func resendingAnIdStoresNothingNewAndAnswersTheSameAck() async throws {
        try await withHub { hub in
            let (citizen, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            let frame = CitizenCommand.message(id: "same", text: "Halo").frame.serialized
            citizen.send(frame)
            let first = try await citizen.expect("ack")
            citizen.send(frame)
            let second = try await citizen.expect("ack")
            #expect(first == second)
            await citizen.close()
            // Another connection of the same conversation resending it gets the same ack too.
            let (again, _) = try await hub.citizen(resume: welcome["token"]?.stringValue)
            again.send(frame)
            #expect(try await again.expect("ack") == first)
            let messages = try await hub.store.events(conversation: conversation).filter { $0.kind == .message }
            #expect(messages.count == 1)
            await again.close()
        }
    }

    @Test func resumeGivesTheSameConversationAndAWrongTokenNeverAnotherCitizens() async throws {
        try await withHub { hub in
            let (citizen, welcome) = try await hub.citizen(name: "Rina")
            citizen.send(CitizenCommand.message(id: "a", text: "Permisi, jam buka kantor?").frame.serialized)
            _ = try await citizen.expect("ack")
            await citizen.close()

            let (resumed, again) = try await hub.citizen(resume: welcome["token"]?.stringValue)
            #expect(again["conversation"] == welcome["conversation"])
            let history = again["history"]?.items ?? []
            #expect(history.map { $0["text"]?.stringValue } == ["Permisi, jam buka kantor?"])
            #expect(history.first?["engine"] == nil)
            await resumed.close()

            let (stranger, other) = try await hub.citizen(resume: "bukan-token-yang-benar")
            #expect(other["conversation"] != welcome["conversation"])
            #expect(other["history"]?.items.isEmpty == true)
            await stranger.close()
        }
    }

    @Test func aCitizensMessageReachesTheirOtherConnectionsButNotTheSenderAgain() async throws {
        try await withHub { hub in
            let (phone, welcome) = try await hub.citizen(name: "Rina")
            let (laptop, again) = try await hub.citizen(resume: welcome["token"]?.stringValue)
            #expect(again["conversation"] == welcome["conversation"])
            phone.send(CitizenCommand.message(id: "a", text: "Saya tulis dari HP").frame.serialized)
            let ack = try await phone.expect("ack")
            let echoed = try await laptop.expect("message")
            #expect(echoed["from"]?.stringValue == "citizen")
            #expect(echoed["text"]?.stringValue == "Saya tulis dari HP")
            #expect(echoed["seq"] == ack["seq"])
            #expect(echoed["engine"] == nil, "citizens never see the engine's view")
            #expect(await phone.drain(within: 0.3).isEmpty, "the sender gets its ack, not its own message back")
            await phone.close()
            await laptop.close()
        }
    }

    @Test func badFramesGetErrorsAndTheConnectionGoesOn() async throws {
        try await withHub { hub in
            let (citizen, _) = try await hub.citizen()
            citizen.send("{not json")
            #expect(try await citizen.expect("error")["code"]?.stringValue == "invalid_json")
            citizen.send("[1,2]")
            #expect(try await citizen.expect("error")["code"]?.stringValue == "invalid_frame")
            citizen.send(#"{"type":"message","id":"x"}"#)
            #expect(try await citizen.expect("error")["code"]?.stringValue == "invalid_frame")
            citizen.send(#"{"type":"dance"}"#)
            #expect(try await citizen.expect("error")["code"]?.stringValue == "unknown_type")
            citizen.send(CitizenCommand.message(id: "long", text: String(repeating: "a", count: 4_001)).frame.serialized)
            let tooLong = try await citizen.expect("error")
            #expect(tooLong["code"]?.stringValue == "text_too_long")
            #expect(tooLong["id"]?.stringValue == "long")
            // Characters count, not bytes: 4,001 emoji are too long, 4,000 are not.
            citizen.send(CitizenCommand.message(id: "emoji", text: String(repeating: "🙏", count: 4_001)).frame.serialized)
            #expect(try await citizen.expect("error")["code"]?.stringValue == "text_too_long")
            citizen.send(CitizenCommand.message(id: "blank", text: " \n\t\u{3000}\u{A0}").frame.serialized)
            let blank = try await citizen.expect("error")
            #expect(blank["code"]?.stringValue == "invalid_frame")
            #expect(blank["id"]?.stringValue == "blank")
            citizen.send(CitizenCommand.survey(id: "s", score: 4, comment: nil).frame.serialized)
            #expect(try await citizen.expect("error")["code"]?.stringValue == "not_allowed")
            citizen.send(CitizenCommand.message(id: "ok", text: String(repeating: "b", count: 4_000)).frame.serialized)
            #expect(try await citizen.expect("ack")["id"]?.stringValue == "ok")
            citizen.send(CitizenCommand.message(id: "ok2", text: String(repeating: "🙏", count: 4_000)).frame.serialized)
            #expect(try await citizen.expect("ack")["id"]?.stringValue == "ok2")
            await citizen.close()
        }
    }

    @Test func aFrameOverSixtyFourKibibytesNeverKillsTheHub() async throws {
        try await withHub { hub in
            let (citizen, _) = try await hub.citizen()
            citizen.send(CitizenCommand.message(id: "big", text: String(repeating: "x", count: 70_000)).frame.serialized)
            // Either an error or a closed connection; the hub keeps serving others.
            let answer = await citizen.receive(within: 5)
            if let answer { #expect(JSON.parse(answer)?["type"]?.stringValue == "error") }
            let (other, welcome) = try await hub.citizen()
            #expect(welcome["conversation"] != nil)
            await other.close()
            citizen.abort()
        }
    }

    @Test func aBurstOfTwoHundredGetsRateErrorsAndExactlyTheAckedMessagesAreStored() async throws {
        try await withHub { hub in
            let (officer, _) = try await hub.officer("budi")
            let (citizen, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            for index in 0..<200 { citizen.send(CitizenCommand.message(id: "b\(index)", text: "pesan \(index)").frame.serialized) }
            var acked = Set<String>()
            var rateErrors = 0
            while acked.count + rateErrors < 200 {
                let frame = try await citizen.next()
                switch frame["type"]?.stringValue {
                case "ack": acked.insert(frame["id"]?.stringValue ?? "")
                case "error" where frame["code"]?.stringValue == "rate_limited": rateErrors += 1
                default: break
                }
            }
            #expect(rateErrors > 0)
            #expect(acked.count >= 20)
            let stored = try await hub.store.events(conversation: conversation).filter { $0.kind == .message }
            #expect(stored.count == acked.count)
            let delivered = await officer.drain().filter { $0["event"]?.stringValue == "message" }
            #expect(delivered.count == acked.count)
            await citizen.close()
            await officer.close()
        }
    }

    /// Many more frames than the hub's inbox holds (a small one here), sent without reading: the flooding connection
    /// is made to wait, every frame still gets its answer, exactly the acked ones are stored, and another citizen is
    /// served meanwhile.
    @Test func aFloodBeyondTheInboxIsAnsweredFrameByFrameWhileOthersAreServed() async throws {
        try await withHub(inboxCapacity: 8) { hub in
            let (flooder, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            let count = 2_000
            for index in 0..<count { flooder.send(CitizenCommand.message(id: "f\(index)", text: "banjir \(index)").frame.serialized) }
            let (other, _) = try await hub.citizen(name: "Sari")
            other.send(CitizenCommand.message(id: "s1", text: "Selamat pagi").frame.serialized)
            let ack = try await other.expect("ack")
            #expect(ack["id"]?.stringValue == "s1")
            var acked = Set<String>()
            var rateErrors = 0
            while acked.count + rateErrors < count {
                let frame = try await flooder.next()
                switch frame["type"]?.stringValue {
                case "ack": acked.insert(frame["id"]?.stringValue ?? "")
                case "error" where frame["code"]?.stringValue == "rate_limited": rateErrors += 1
                default: break
                }
            }
            #expect(acked.count >= 20 && rateErrors > count / 2)
            let stored = try await hub.store.events(conversation: conversation).filter { $0.kind == .message }
            #expect(Set(stored.compactMap(\.text)) == Set(acked.map { "banjir \($0.dropFirst())" }))
            await flooder.close()
            await other.close()
        }
    }

    @Test func twoOfficersTakingTheSameConversationExactlyOneWins() async throws {
        try await withHub { hub in
            let (citizen, welcome) = try await hub.citizen()
            let conversation = try #require(welcome["conversation"]?.stringValue)
            let (first, _) = try await hub.officer("ani")
            let (second, _) = try await hub.officer("joko")
            first.send(OfficerCommand.take(id: "t1", conversation: conversation).frame.serialized)
            second.send(OfficerCommand.take(id: "t2", conversation: conversation).frame.serialized)
            let answers = [try await first.firstOf(["ack", "error"]), try await second.firstOf(["ack", "error"])]
            #expect(answers.sorted() == ["ack", "error"])
            let assigned = try await hub.store.events(conversation: conversation).filter { $0.kind == .assigned }
            #expect(assigned.count == 1)
            await citizen.close()
            await first.close()
            await second.close()
        }
    }
}

extension WireSocket {
    /// The first frame whose type is one of `types`.
    func firstOf(_ types: [String], within seconds: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let frame = try await next(within: max(0.01, deadline.timeIntervalSinceNow))
            if let type = frame["type"]?.stringValue, types.contains(type) { return type }
        }
        throw HarnessError(description: "none of \(types) within \(seconds) s")
    }
}
