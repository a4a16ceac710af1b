import Foundation
import LoketCore
import LoketHub
import LoketWire
import Testing

/// Every `HubStore` implementation must pass these; a new one adds a case to `StoreKind`.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqliteMemory
    case sqliteFile
    /// A fresh database in the test process's throwaway PostgreSQL cluster.
    case postgres

    var testDescription: String { rawValue }

    /// The kinds this machine can run: PostgreSQL only where it is installed (else a loud warning says so).
    static var available: [StoreKind] { PostgresCluster.available ? allCases : allCases.filter { $0 != .postgres } }

    /// A fresh, empty store and a way to open it again (nil when it cannot outlive its handle).
    func make() async throws -> (store: any HubStore, reopen: (() async throws -> any HubStore)?) {
        switch self {
        case .sqliteMemory:
            return (try SQLiteHubStore(), nil)
        case .sqliteFile:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loket-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = SQLiteHubStore.file(in: folder.path)
            return (try SQLiteHubStore(path: path), { try SQLiteHubStore(path: path) })
        case .postgres:
            let location = try await PostgresStores.freshDatabase()
            return (try await PostgresStores.open(location), { try await PostgresStores.open(location) })
        }
    }
}

@Suite("HubStore conformance")
struct StoreConformanceTests {
    let time = Date(timeIntervalSince1970: 1_796_002_800)

    private func conversation(_ store: any HubStore, _ id: String = "k1") async throws -> HubEvent {
        try await store.createConversation(id: id, tokenHash: Token.hash("token-\(id)"), name: "Budi", honorific: "Bapak", at: time)
    }

    private func message(_ conversation: String, _ text: String, from: MessageAuthor = .citizen) -> HubEvent {
        HubEvent(seq: nil, kind: .message, conversation: conversation, time: time, from: from, text: text)
    }

    @Test(arguments: StoreKind.available)
    func officersAreAddedListedRepassworedAndRemovedWithTheirSessions(kind: StoreKind) async throws {
        let store = try await kind.make().store
        try await store.addOfficer(OfficerRecord(username: "ani", name: "Ani", passwordHash: "h1"))
        try await store.addOfficer(OfficerRecord(username: "budi", name: "Budi", passwordHash: "h2"))
        await #expect(throws: StoreError.officerExists("ani")) {
            try await store.addOfficer(OfficerRecord(username: "ani", name: "Lain", passwordHash: "h3"))
        }
        #expect(try await store.officers().map(\.username) == ["ani", "budi"])
        try await store.createSession(tokenHash: "t-ani", username: "ani", expires: time.addingTimeInterval(3600))
        #expect(try await store.officer(forSession: "t-ani", at: time)?.name == "Ani")
        #expect(try await store.officer(forSession: "t-ani", at: time.addingTimeInterval(3601)) == nil, "expired")
        #expect(try await store.officer(forSession: "unknown", at: time) == nil)
        #expect(try await store.setPasswordHash("h9", for: "ani"))
        #expect(try await store.officer(named: "ani")?.passwordHash == "h9")
        #expect(try await store.officer(forSession: "t-ani", at: time) == nil, "a new password ends old sessions")
        #expect(try await store.setPasswordHash("h9", for: "nobody") == false)
        try await store.createSession(tokenHash: "t-budi", username: "budi", expires: time.addingTimeInterval(3600))
        #expect(try await store.removeOfficer(named: "budi"))
        #expect(try await store.officer(forSession: "t-budi", at: time) == nil)
        #expect(try await store.removeOfficer(named: "budi") == false)
    }

    @Test(arguments: StoreKind.available)
    func conversationsAreFoundByIdAndTokenHashAndCreatedOnce(kind: StoreKind) async throws {
        let store = try await kind.make().store
        let created = try await conversation(store)
        #expect(created.kind == .conversationCreated)
        #expect(created.seq == 1)
        #expect(try await store.conversation(id: "k1")?.name == "Budi")
        #expect(try await store.conversation(tokenHash: Token.hash("token-k1"))?.id == "k1")
        #expect(try await store.conversation(tokenHash: Token.hash("other")) == nil)
        await #expect(throws: (any Error).self) { _ = try await conversation(store) }
        #expect(try await store.events(after: 0, limit: 10).filter { $0.kind == .conversationCreated }.count == 1)
    }

    @Test(arguments: StoreKind.available)
    func seqIsStrictlyIncreasingAndAKnownClientIdStoresNothing(kind: StoreKind) async throws {
        let store = try await kind.make().store
        _ = try await conversation(store)
        let client = ClientKey(origin: "citizen:k1", id: "m1")
        guard case .stored(let first) = try await store.append(message("k1", "Halo"), client: client, change: .none) else {
            Issue.record("first append not stored")
            return
        }
        #expect(try await store.append(message("k1", "Halo"), client: client, change: .none) == .duplicate(seq: first.seq ?? -1))
        #expect(try await store.seq(for: client) == first.seq)
        #expect(try await store.seq(for: ClientKey(origin: "citizen:k1", id: "never")) == nil)
        // The same id from someone else is another message.
        let other = try await store.append(message("k1", "Halo"), client: ClientKey(origin: "officer:ani", id: "m1"), change: .none)
        guard case .stored(let second) = other else {
            Issue.record("another origin's id was taken for a duplicate")
            return
        }
        #expect((second.seq ?? 0) > (first.seq ?? 0))
        for index in 0..<20 { _ = try await store.append(message("k1", "pesan \(index)"), client: nil, change: .none) }
        let all = try await store.events(after: 0, limit: 1000)
        #expect(all.count == 23)
        let seqs = all.compactMap(\.seq)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        #expect(try await store.lastSeq() == seqs.last)
        let page = try await store.events(after: seqs[4], limit: 5)
        #expect(page.compactMap(\.seq) == Array(seqs[5..<10]))
        await #expect(throws: StoreError.conversationNotFound("nope")) {
            _ = try await store.append(message("nope", "x"), client: nil, change: .none)
        }
    }

    @Test(arguments: StoreKind.available)
    func aBatchIsStoredInOrderWithDuplicatesAndUnknownConversationsAnsweredPerItem(kind: StoreKind) async throws {
        let store = try await kind.make().store
        _ = try await conversation(store)
        _ = try await conversation(store, "k2")
        let repeated = ClientKey(origin: "citizen:k1", id: "m1")
        let results = try await store.append(batch: [
            PendingAppend(message("k1", "satu"), client: repeated, change: ConversationChange(receipt: "PTSP-20261130-0001")),
            PendingAppend(message("k2", "dua"), client: ClientKey(origin: "citizen:k2", id: "m1")),
            PendingAppend(message("nope", "hilang"), client: nil),
            PendingAppend(message("k1", "satu lagi"), client: repeated),
            PendingAppend(message("k1", "tiga"), client: nil, change: ConversationChange(status: .closed)),
        ])
        #expect(results.count == 5)
        let outcomes = results.map { try? $0.get() }
        guard case .stored(let first)? = outcomes[0], case .stored(let second)? = outcomes[1],
              case .stored(let third)? = outcomes[4]
        else {
            Issue.record("batch items not stored: \(results)")
            return
        }
        if case .failure(let error) = results[2] {
            #expect(error == .conversationNotFound("nope"), "only its own item fails")
        } else {
            Issue.record("an unknown conversation was stored")
        }
        #expect(outcomes[3] == .duplicate(seq: first.seq ?? -1), "a repeat later in the same batch is a duplicate")
        let seqs = [first, second, third].compactMap(\.seq)
        #expect(seqs.count == 3 && seqs == seqs.sorted() && Set(seqs).count == 3)
        #expect(try await store.events(conversation: "k1").filter { $0.kind == .message }.map(\.text) == ["satu", "tiga"])
        #expect(try await store.conversation(id: "k1")?.receipt == "PTSP-20261130-0001")
        #expect(try await store.conversation(id: "k1")?.status == .closed)
        #expect(try await store.append(batch: []).isEmpty)
    }

    @Test(arguments: StoreKind.available)
    func eventsKeepEveryFieldAndChangesApplyInTheSameTransaction(kind: StoreKind) async throws {
        let store = try await kind.make().store
        _ = try await conversation(store)
        let engine = JSON.object([("intent", .string("greet")), ("suggestions", .array([.string("x")]))])
        var event = message("k1", "Selamat pagi 🙏", from: .officer)
        event.officer = "ani"
        event.replyKind = "greeting"
        event.engine = engine
        _ = try await store.append(
            event, client: nil, change: ConversationChange(status: .closed, assigned: .some("ani"), receipt: "PTSP-20261130-0001"))
        let stored = try #require(try await store.events(conversation: "k1").last)
        #expect(stored.text == "Selamat pagi 🙏")
        #expect(stored.officer == "ani")
        #expect(stored.replyKind == "greeting")
        #expect(stored.engine == engine)
        #expect(stored.time == time)
        let record = try #require(try await store.conversation(id: "k1"))
        #expect(record.status == .closed)
        #expect(record.assigned == "ani")
        #expect(record.receipt == "PTSP-20261130-0001")
        #expect(try await store.openConversations().isEmpty)
        _ = try await store.append(message("k1", "lagi"), client: nil, change: ConversationChange(assigned: .some(nil)))
        #expect(try await store.conversation(id: "k1")?.assigned == nil)
        #expect(try await store.events(between: time, and: time.addingTimeInterval(1)).count == 3)
        #expect(try await store.events(between: time.addingTimeInterval(1), and: time.addingTimeInterval(2)).isEmpty)
    }

    /// The engine's view is stored as text and goes into the officer's frame as it is: the frame sent is the frame
    /// as a value, written out, and what an officer's screen reads back is the event stored.
    @Test(arguments: StoreKind.available)
    func theOfficersFrameCarriesTheStoredEngineViewAsItIs(kind: StoreKind) async throws {
        let store = try await kind.make().store
        _ = try await conversation(store)
        let engine = JSON.object([("intent", .string("ask_hours")), ("confidence", .number(0.875)), ("note", .string("\"é\"\n"))])
        var event = message("k1", "Buka jam berapa?")
        event.engine = engine
        _ = try await store.append(event, client: nil, change: ConversationChange())
        let stored = try #require(try await store.events(conversation: "k1").last)
        #expect(stored.encodedEngine == engine.serialized)
        for sent in [stored, try #require(try await store.events(conversation: "k1").first)] {
            let frame = try #require(JSON.parse(sent.officerFrameText))
            #expect(frame == sent.officerFrame)
            #expect(HubEvent(officerFrame: frame) == sent)
        }
        #expect(JSON.parse(stored.officerFrameText)?["engine"] == engine)
    }

    /// What a fresh officer screen is shown: every event through a given `seq` of the conversations still open or
    /// active since a moment, in `seq` order; a closed conversation quiet since then is left out.
    @Test(arguments: StoreKind.available)
    func theWorkingSetIsTheOpenAndRecentlyActiveConversationsInSeqOrder(kind: StoreKind) async throws {
        let store = try await kind.make().store
        for id in ["k1", "k2", "k3"] { _ = try await conversation(store, id) }
        // k1 stays open; k2 and k3 are closed, and a day later k2 gets another event (k3 none).
        _ = try await store.append(message("k1", "halo"), client: nil, change: ConversationChange())
        _ = try await store.append(message("k2", "selesai"), client: nil, change: ConversationChange(status: .closed))
        _ = try await store.append(message("k3", "selesai"), client: nil, change: ConversationChange(status: .closed))
        var late = message("k2", "besok lagi")
        late.time = time.addingTimeInterval(86_400)
        _ = try await store.append(late, client: nil, change: ConversationChange())
        let through = try await store.lastSeq()
        var beyond = message("k1", "sesudahnya")
        beyond.time = time.addingTimeInterval(86_400)
        _ = try await store.append(beyond, client: nil, change: ConversationChange())

        let nextDay = try await store.workingSet(activeSince: time.addingTimeInterval(3_600), through: through)
        let seqs = nextDay.compactMap(\.seq)
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count && seqs.allSatisfy { $0 <= through })
        #expect(Set(nextDay.map(\.conversation)) == ["k1", "k2"])
        #expect(nextDay.filter { $0.conversation == "k2" }.compactMap(\.text) == ["selesai", "besok lagi"], "its whole history")
        #expect(!nextDay.contains { $0.text == "sesudahnya" }, "nothing after `through`")
        let everything = try await store.workingSet(activeSince: time, through: through)
        let stored = try await store.events(after: 0, limit: 100).compactMap(\.seq).filter { $0 <= through }
        #expect(everything.compactMap(\.seq) == stored, "since the start: every event through `through`")
        #expect(try await store.workingSet(activeSince: time.addingTimeInterval(86_401), through: through).allSatisfy { $0.conversation == "k1" })
    }

    /// Migration v2: WhatsApp statuses point at the message they are about, and channel data (the `wamid`, a
    /// file's media id) comes back as it went in.
    @Test(arguments: StoreKind.available)
    func statusEventsAndChannelDataKeepEveryField(kind: StoreKind) async throws {
        let store = try await kind.make().store
        // A WhatsApp sender's conversation: its token hash is no hash (`whatsapp:WA_ID`), so no token finds it.
        _ = try await store.createConversation(
            id: "wa-6281234567890", tokenHash: "whatsapp:6281234567890", name: "Sari", honorific: nil, at: time)
        #expect(try await store.conversation(tokenHash: Token.hash("whatsapp:6281234567890")) == nil)
        #expect(try await store.conversation(tokenHash: Token.hash("6281234567890")) == nil)
        let media = JSON.object([
            ("channel", .string("whatsapp")), ("wamid", .string("wamid.IN")),
            ("media", .object([("type", .string("document")), ("id", .string("987")), ("filename", .string("NIB.pdf"))])),
        ])
        var arrival = message("wa-6281234567890", "Warga mengirim dokumen", from: .system)
        arrival.channel = media
        _ = try await store.append(arrival, client: ClientKey(origin: "whatsapp", id: "wamid.IN"), change: .none)
        guard case .stored(let reply) = try await store.append(
            message("wa-6281234567890", "Baik, Ibu", from: .officer), client: nil, change: .none)
        else {
            Issue.record("reply not stored")
            return
        }
        let status = HubEvent(
            seq: nil, kind: .status, conversation: "wa-6281234567890", time: time, text: "ditolak", refers: reply.seq,
            status: .failed, channel: .object([("channel", .string("whatsapp")), ("error", .integer(131026))]))
        let key = ClientKey(origin: "whatsapp-status", id: "wamid.OUT:failed")
        guard case .stored(let first) = try await store.append(status, client: key, change: .none) else {
            Issue.record("status not stored")
            return
        }
        #expect(try await store.append(status, client: key, change: .none) == .duplicate(seq: first.seq ?? -1))
        let events = try await store.events(conversation: "wa-6281234567890")
        #expect(events.count == 4, "created, arrival, reply, one status (the same key again stored nothing)")
        #expect(events[1].channel == media)
        #expect(events[1].refers == nil && events[1].status == nil)
        let stored = events[3]
        #expect(stored.kind == .status)
        #expect(stored.refers == reply.seq)
        #expect(stored.status == .failed)
        #expect(stored.text == "ditolak")
        #expect(stored.channel?["error"]?.wholeNumber == 131026)
        #expect(try await store.events(after: reply.seq ?? 0, limit: 10).first?.status == .failed)
        // The group commit's path keeps them too.
        var read = status
        read.status = .read
        read.text = nil
        let batch = try await store.append(batch: [PendingAppend(read, client: ClientKey(origin: "whatsapp-status", id: "wamid.OUT:read"))])
        guard case .success(.stored(let batched))? = batch.first else {
            Issue.record("batched status not stored")
            return
        }
        let again = try #require(try await store.events(after: (batched.seq ?? 1) - 1, limit: 1).first)
        #expect(again.kind == .status && again.status == .read && again.refers == reply.seq)
        #expect(again.channel?["channel"]?.stringValue == "whatsapp")
    }

    @Test(arguments: StoreKind.available)
    func officersRacingToTakeAConversationHaveExactlyOneWinner(kind: StoreKind) async throws {
        let store = try await kind.make().store
        _ = try await conversation(store)
        let outcomes = try await withThrowingTaskGroup(of: TakeOutcome.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await store.take(
                        conversation: "k1", officer: "petugas\(index)", client: ClientKey(origin: "officer:petugas\(index)", id: "t"),
                        at: time)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.filter { if case .stored = $0 { true } else { false } }
        #expect(winners.count == 1)
        #expect(outcomes.filter { if case .alreadyTaken = $0 { true } else { false } }.count == 19)
        #expect(try await store.take(conversation: "nope", officer: "x", client: nil, at: time) == .notFound)
    }

    @Test(arguments: StoreKind.available)
    func receiptNumbersAreNeverHandedOutTwice(kind: StoreKind) async throws {
        let store = try await kind.make().store
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 { group.addTask { try await store.allocateReceipt(day: "20261130") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...40))
        #expect(try await store.allocateReceipt(day: "20261201") == 1)
        // Blocks (what a hub reserves at a time) racing with single numbers: still none twice, none skipped.
        let ranges = try await withThrowingTaskGroup(of: ClosedRange<Int>.self) { group in
            for index in 0..<12 {
                group.addTask { try await store.allocateReceipts(day: "20261130", count: index.isMultiple(of: 2) ? 16 : 1) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let sizes: [Int] = ranges.map(\.count).sorted()
        #expect(sizes == [1, 1, 1, 1, 1, 1, 16, 16, 16, 16, 16, 16])
        let handedOut: [Int] = ranges.flatMap { Array($0) }.sorted()
        #expect(handedOut == Array(41...142))
    }

    @Test func theFileStoreIsWALAndFlushesEveryCommit() async throws {
        let store = try #require(try await StoreKind.sqliteFile.make().store as? SQLiteHubStore)
        #expect(try await store.journalMode() == "wal")
        #expect(try await store.synchronousLevel() == 2, "FULL: an acknowledged message survives a power cut")
    }

    @Test(arguments: StoreKind.available.filter { $0 != .sqliteMemory })
    func aReopenedStoreHasEverythingAndContinuesItsNumbers(kind: StoreKind) async throws {
        let (store, reopen) = try await kind.make()
        _ = try await conversation(store)
        _ = try await store.append(message("k1", "Halo"), client: ClientKey(origin: "citizen:k1", id: "a"), change: .none)
        _ = try await store.allocateReceipt(day: "20261130")
        let again = try #require(try await reopen?())
        #expect(try await again.events(conversation: "k1").count == 2)
        #expect(try await again.append(message("k1", "Halo"), client: ClientKey(origin: "citizen:k1", id: "a"), change: .none) == .duplicate(seq: 2))
        #expect(try await again.allocateReceipt(day: "20261130") == 2)
        guard case .stored(let next) = try await again.append(message("k1", "baru"), client: nil, change: .none) else {
            Issue.record("not stored")
            return
        }
        #expect(next.seq == 3)
    }
}
