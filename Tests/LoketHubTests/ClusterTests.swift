import Foundation
import LoketCore
@testable import LoketHub
import LoketLive
import LoketWire
import Testing

/// Two hubs in this process sharing one PostgreSQL database: events cross between them in one order for all.
@Suite("Several hubs on PostgreSQL", .enabled(if: PostgresCluster.available))
struct ClusterTests {
    /// Two running hubs on a new database, each with its own store (its own connections), as two machines would.
    private func withTwoHubs<T>(gapTimeout: Duration = .seconds(3), _ body: (RunningHub, RunningHub) async throws -> T) async throws -> T {
        let location = try await PostgresStores.freshDatabase()
        let storeA = try await PostgresStores.open(location)
        let storeB = try await PostgresStores.open(location)
        do {
            let result = try await withHub(store: storeA, gapTimeout: gapTimeout) { hubA in
                try await withHub(store: storeB, gapTimeout: gapTimeout) { hubB in try await body(hubA, hubB) }
            }
            await storeA.close()
            await storeB.close()
            return result
        } catch {
            await storeA.close()
            await storeB.close()
            throw error
        }
    }

    @Test func anOfficerOnOneHubAndACitizenOnTheOtherTalkBothWays() async throws {
        try await withTwoHubs { hubA, hubB in
            let (officer, _) = try await hubA.officer("ani")
            let (citizen, welcome) = try await hubB.citizen(name: "Sari")
            let conversation = try #require(welcome["conversation"]?.stringValue)
            let created = try await officer.expect("event", event: "conversation.created", within: 10)
            #expect(created["conversation"]?.stringValue == conversation)

            citizen.send(CitizenCommand.message(id: "m1", text: "Selamat pagi, saya mau perpanjang izin usaha").frame.serialized)
            let ack = try await citizen.expect("ack")
            let message = try await officer.expect("event", event: "message", within: 10)
            #expect(message["seq"]?.int == ack["seq"]?.int)
            #expect(message["engine"]?["intent"]?.stringValue == "request_service")

            officer.send(OfficerCommand.send(id: "r1", conversation: conversation, text: "Selamat pagi, Ibu Sari.", kind: "greeting").frame.serialized)
            let replyAck = try await officer.expect("ack", within: 10)
            let seen = try await citizen.expect("message", within: 10)
            #expect(seen["text"]?.stringValue == "Selamat pagi, Ibu Sari.")
            #expect(seen["seq"]?.int == replyAck["seq"]?.int)

            // The citizen writes again on hub B: hub B's cached engine state must know of the reply sent on hub A.
            citizen.send(CitizenCommand.message(id: "m2", text: "Terima kasih").frame.serialized)
            _ = try await citizen.expect("ack")
            let second = try await officer.expect("event", event: "message", within: 10)
            #expect(second["text"]?.stringValue == "Terima kasih")
            await citizen.close()
            await officer.close()
        }
    }

    @Test func officersOnBothHubsSeeEveryEventOnceInTheSameOrder() async throws {
        try await withTwoHubs { hubA, hubB in
            let (officerA, _) = try await hubA.officer("ani")
            let (officerB, _) = try await hubB.officer("budi")
            var citizens: [WireSocket] = []
            for index in 0..<6 {
                let hub = index.isMultiple(of: 2) ? hubA : hubB
                citizens.append(try await hub.citizen(name: "Warga \(index)").0)
            }
            // Both hubs store at once: their seqs interleave and may commit out of order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, citizen) in citizens.enumerated() {
                    group.addTask {
                        for message in 0..<5 {
                            citizen.send(CitizenCommand.message(id: "m\(message)", text: "pesan \(index)-\(message)").frame.serialized)
                            _ = try await citizen.expect("ack")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = 6 + 6 * 5
            let seenA = try await eventSeqs(officerA, count: expected)
            let seenB = try await eventSeqs(officerB, count: expected)
            #expect(seenA == seenB, "both officers see the same events in the same order")
            #expect(seenA == seenA.sorted() && Set(seenA).count == expected, "increasing, each once")
            for citizen in citizens { await citizen.close() }
            await officerA.close()
            await officerB.close()
        }
    }

    @Test func aResumingOfficerGetsEverythingAfterItsSeqFromEitherHub() async throws {
        try await withTwoHubs { hubA, hubB in
            let (citizen, _) = try await hubA.citizen(name: "Sari")
            for message in 0..<3 {
                citizen.send(CitizenCommand.message(id: "m\(message)", text: "pesan \(message)").frame.serialized)
                _ = try await citizen.expect("ack")
            }
            let (first, _) = try await hubA.officer("ani")
            let seqs = try await eventSeqs(first, count: 4)
            await first.close()
            citizen.send(CitizenCommand.message(id: "m9", text: "lagi").frame.serialized)
            let ack = try await citizen.expect("ack")
            // The officer comes back on the other hub, from the last seq it saw.
            let (again, _) = try await hubB.officer("ani", since: seqs[1])
            let rest = try await eventSeqs(again, count: 3)
            #expect(rest == Array(seqs[2...]) + [Int64(ack["seq"]?.int ?? -1)])
            await again.close()
            await citizen.close()
        }
    }

    @Test func officersOnTwoHubsTakingTheSameConversationAHundredTimesHaveOneWinnerEachTime() async throws {
        try await withTwoHubs { hubA, hubB in
            var conversations: [String] = []
            for _ in 0..<100 {
                let (citizen, welcome) = try await hubA.citizen(name: nil)
                conversations.append(try #require(welcome["conversation"]?.stringValue))
                await citizen.close()
            }
            var ani = try await hubA.officer("ani").0
            var budi = try await hubB.officer("budi").0
            for (round, conversation) in conversations.enumerated() {
                if round > 0, round.isMultiple(of: 15) {
                    // Fresh connections now and then: each allows a burst of 20 commands, then 5 a second.
                    await ani.close()
                    await budi.close()
                    ani = try await hubA.officer("ani").0
                    budi = try await hubB.officer("budi").0
                }
                ani.send(OfficerCommand.take(id: "t\(round)", conversation: conversation).frame.serialized)
                budi.send(OfficerCommand.take(id: "t\(round)", conversation: conversation).frame.serialized)
                let answers = [try await answer(ani, id: "t\(round)"), try await answer(budi, id: "t\(round)")]
                let acks = answers.filter { $0["type"]?.stringValue == "ack" }
                let refusals = answers.filter { $0["code"]?.stringValue == "already_taken" }
                #expect(acks.count == 1 && refusals.count == 1, "round \(round): \(answers)")
            }
            await ani.close()
            await budi.close()
        }
    }

    /// The `seq`s of the next `count` stored events (typing skipped), within 20 s.
    private func eventSeqs(_ socket: WireSocket, count: Int) async throws -> [Int64] {
        var seqs: [Int64] = []
        while seqs.count < count {
            let frame = try await socket.expect("event", within: 20)
            if let seq = frame["seq"]?.int { seqs.append(Int64(seq)) }
        }
        return seqs
    }

    /// The ack or error answering command `id`, skipping events.
    private func answer(_ socket: WireSocket, id: String) async throws -> JSON {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let frame = try await socket.next(within: max(0.01, deadline.timeIntervalSinceNow))
            let type = frame["type"]?.stringValue
            if (type == "ack" || type == "error"), frame["id"]?.stringValue == id { return frame }
        }
        throw HarnessError(description: "no answer to \(id)")
    }
}

@Suite("Delivery cursor")
struct DeliveryCursorTests {
    private func event(_ seq: Int64) -> HubEvent {
        HubEvent(seq: seq, kind: .message, conversation: "k", time: Date(timeIntervalSince1970: 0), from: .citizen, text: "\(seq)")
    }

    @Test func eventsAreReleasedInSeqOrderOnceTheGapBelowThemFills() {
        var cursor = DeliveryCursor(watermark: 8)
        let start = ContinuousClock.now
        #expect(cursor.add([event(10), event(11)], now: start).isEmpty, "9 is not committed yet")
        #expect(cursor.isNew(9) && !cursor.isNew(10) && !cursor.isNew(8))
        #expect(cursor.add([event(9), event(10)], now: start).compactMap(\.seq) == [9, 10, 11])
        #expect(cursor.watermark == 11 && cursor.held.isEmpty)
        #expect(cursor.add([event(11), event(5)], now: start).isEmpty, "delivered ones never again")
    }

    @Test func aGapOpenLongerThanTheTimeoutIsTakenForARollback() {
        var cursor = DeliveryCursor(watermark: 0, gapTimeout: .seconds(3))
        let start = ContinuousClock.now
        #expect(cursor.add([event(1), event(3)], now: start).compactMap(\.seq) == [1])
        #expect(cursor.settle(now: start + .seconds(2)).isEmpty)
        #expect(cursor.settle(now: start + .seconds(3)).compactMap(\.seq) == [3])
        #expect(cursor.watermark == 3)
        #expect(cursor.add([event(2)], now: start + .seconds(4)).isEmpty, "too late: skipped for good")
    }
}
