import Foundation
import LoketHub
import LoketWire
import Testing

/// What only the PostgreSQL store has to show: its URL, migrations racing, and two stores (two hubs) on one
/// database deciding takes, receipts and sessions together.
@Suite("PostgreSQL store", .enabled(if: PostgresCluster.available))
struct PostgresStoreTests {
    let time = Date(timeIntervalSince1970: 1_796_002_800)

    @Test func theURLNamesUserHostPortAndDatabaseButNeverAPassword() throws {
        let location = try PostgresHubStore.Location.parse("postgres://loket@127.0.0.1:5433/loket").get()
        #expect(location.username == "loket")
        #expect(location.host == "127.0.0.1")
        #expect(location.port == 5433)
        #expect(location.database == "loket")
        #expect(location.sslMode == .disable, "loopback: no TLS unless asked for")
        let remote = try PostgresHubStore.Location.parse("postgresql://a@db.example/hub").get()
        #expect(remote.port == 5432)
        #expect(remote.sslMode == .verifyFull, "elsewhere: TLS with the certificate checked unless told otherwise")
        #expect(try PostgresHubStore.Location.parse("postgres://a@db.example/hub?sslmode=require").get().sslMode == .require)
        for bad in ["postgres://loket:secret@127.0.0.1/loket", "postgres://127.0.0.1/loket", "postgres://loket@127.0.0.1/",
                    "mysql://loket@127.0.0.1/loket", "loket",
                    "postgres://a@db.example/hub?sslmode=sometimes", "postgres://a@db.example/hub?password=x"] {
            guard case .failure = PostgresHubStore.Location.parse(bad) else {
                Issue.record("accepted \(bad)")
                continue
            }
        }
    }

    @Test func sslmodePreferFallsBackAndRequireRefusesAServerWithoutTLS() async throws {
        var location = try await PostgresStores.freshDatabase()
        location.sslMode = .prefer
        let store = try await PostgresStores.open(location)
        #expect(try await store.lastSeq() == 0)
        await store.close()
        location.sslMode = .require
        await #expect(throws: StoreError.self) { _ = try await PostgresStores.open(location, deadline: .seconds(5)) }
    }

    @Test func hubsStartingTogetherApplyEachMigrationOnce() async throws {
        let location = try await PostgresStores.freshDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresHubStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStores.open(location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores {
            #expect(try await store.schemaVersions() == [1, 2, 3])
        }
        for store in stores { await store.close() }
    }

    @Test func twoHubsTakingTheSameConversationAHundredTimesAlwaysHaveOneWinner() async throws {
        let location = try await PostgresStores.freshDatabase()
        let hubA = try await PostgresStores.open(location)
        let hubB = try await PostgresStores.open(location)
        for round in 0..<100 {
            let id = "k\(round)"
            _ = try await hubA.createConversation(id: id, tokenHash: "t\(round)", name: nil, honorific: nil, at: time)
            async let first = hubA.take(conversation: id, officer: "ani", client: ClientKey(origin: "officer:ani", id: "t\(round)"), at: time)
            async let second = hubB.take(conversation: id, officer: "budi", client: ClientKey(origin: "officer:budi", id: "t\(round)"), at: time)
            let outcomes = try await [first, second]
            let winners = outcomes.filter { if case .stored = $0 { true } else { false } }
            let losers = outcomes.filter { if case .alreadyTaken = $0 { true } else { false } }
            #expect(winners.count == 1 && losers.count == 1, "round \(round): \(outcomes)")
            let assigned = try await hubB.conversation(id: id)?.assigned
            guard case .stored(let event) = winners.first else { continue }
            #expect(assigned == event.officer)
        }
        await hubA.close()
        await hubB.close()
    }

    @Test func receiptNumbersAndSeqsAreUniqueAcrossHubsAndSessionsWorkOnBoth() async throws {
        let location = try await PostgresStores.freshDatabase()
        let hubA = try await PostgresStores.open(location)
        let hubB = try await PostgresStores.open(location)
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                let store = index.isMultiple(of: 2) ? hubA : hubB
                group.addTask { try await store.allocateReceipt(day: "20261130") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...40))
        try await hubA.addOfficer(OfficerRecord(username: "ani", name: "Ani", passwordHash: "h"))
        try await hubA.createSession(tokenHash: "tok", username: "ani", expires: time.addingTimeInterval(60))
        #expect(try await hubB.officer(forSession: "tok", at: time)?.username == "ani")
        _ = try await hubA.createConversation(id: "k1", tokenHash: "c1", name: nil, honorific: nil, at: time)
        let seqs = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for index in 0..<30 {
                let store = index.isMultiple(of: 2) ? hubA : hubB
                group.addTask {
                    let event = HubEvent(seq: nil, kind: .message, conversation: "k1", time: time, from: .citizen, text: "\(index)")
                    guard case .stored(let stored) = try await store.append(event, client: nil, change: .none) else { return nil }
                    return stored.seq
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(seqs.compactMap { $0 }).count == 30)
        // One conversation's events are stored in seq order: the row lock orders their commits.
        let texts = try await hubB.events(conversation: "k1").compactMap(\.seq)
        #expect(texts == texts.sorted())
        await hubA.close()
        await hubB.close()
    }

    @Test func theSameClientIdRacingOnTwoHubsIsStoredOnce() async throws {
        let location = try await PostgresStores.freshDatabase()
        let hubA = try await PostgresStores.open(location)
        let hubB = try await PostgresStores.open(location)
        _ = try await hubA.createConversation(id: "k1", tokenHash: "c1", name: nil, honorific: nil, at: time)
        for round in 0..<20 {
            let client = ClientKey(origin: "citizen:k1", id: "m\(round)")
            let event = HubEvent(seq: nil, kind: .message, conversation: "k1", time: time, from: .citizen, text: "halo")
            async let first = hubA.append(event, client: client, change: .none)
            async let second = hubB.append(event, client: client, change: .none)
            let outcomes = try await [first, second]
            let seqs = outcomes.map { outcome -> Int64 in
                switch outcome {
                case .stored(let stored): stored.seq ?? -1
                case .duplicate(let seq): seq
                }
            }
            #expect(seqs[0] == seqs[1], "round \(round): \(outcomes)")
        }
        #expect(try await hubA.events(conversation: "k1").count == 21)
        await hubA.close()
        await hubB.close()
    }
}
