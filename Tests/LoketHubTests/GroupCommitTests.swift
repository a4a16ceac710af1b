import Foundation
import LoketHub
import LoketLive
import LoketWire
import Synchronization
import Testing

/// A SQLite store whose group commits fail while they carry a chosen message, a given number of times, as a disk or
/// database that errs for a moment would. Chosen by content, not by batch number: how many batches a burst takes
/// depends on the machine's load.
final class FlakyStore: HubStore {
    private let inner: SQLiteHubStore
    private let failing: String
    private let state = Mutex<(batches: Int, failuresLeft: Int)>((0, 0))

    init(failingWhileCarrying text: String, times: Int) throws {
        inner = try SQLiteHubStore()
        failing = text
        state.withLock { $0.failuresLeft = times }
    }

    /// How many batches were attempted, and how many injected failures are still to come.
    var batches: Int { state.withLock { $0.batches } }
    var failuresLeft: Int { state.withLock { $0.failuresLeft } }

    func append(batch: [PendingAppend]) async throws -> [Result<AppendOutcome, StoreError>] {
        let carries = batch.contains { $0.event.text == failing }
        let fail = state.withLock { state -> Bool in
            state.batches += 1
            guard carries, state.failuresLeft > 0 else { return false }
            state.failuresLeft -= 1
            return true
        }
        if fail { throw StoreError.unavailable("disk I/O error (injected)") }
        return try await inner.append(batch: batch)
    }

    func addOfficer(_ officer: OfficerRecord) async throws { try await inner.addOfficer(officer) }
    func officer(named username: String) async throws -> OfficerRecord? { try await inner.officer(named: username) }
    func officers() async throws -> [OfficerRecord] { try await inner.officers() }
    func removeOfficer(named username: String) async throws -> Bool { try await inner.removeOfficer(named: username) }
    func setPasswordHash(_ hash: String, for username: String) async throws -> Bool {
        try await inner.setPasswordHash(hash, for: username)
    }
    func createSession(tokenHash: String, username: String, expires: Date) async throws {
        try await inner.createSession(tokenHash: tokenHash, username: username, expires: expires)
    }
    func officer(forSession tokenHash: String, at now: Date) async throws -> OfficerRecord? {
        try await inner.officer(forSession: tokenHash, at: now)
    }
    func createConversation(id: String, tokenHash: String, name: String?, honorific: String?, at time: Date) async throws -> HubEvent {
        try await inner.createConversation(id: id, tokenHash: tokenHash, name: name, honorific: honorific, at: time)
    }
    func conversation(id: String) async throws -> ConversationRecord? { try await inner.conversation(id: id) }
    func conversation(tokenHash: String) async throws -> ConversationRecord? { try await inner.conversation(tokenHash: tokenHash) }
    func openConversations() async throws -> [ConversationRecord] { try await inner.openConversations() }
    func take(conversation: String, officer: String, client: ClientKey?, at time: Date) async throws -> TakeOutcome {
        try await inner.take(conversation: conversation, officer: officer, client: client, at: time)
    }
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent] { try await inner.events(after: seq, limit: limit) }
    func events(conversation: String) async throws -> [HubEvent] { try await inner.events(conversation: conversation) }
    func events(between start: Date, and end: Date) async throws -> [HubEvent] { try await inner.events(between: start, and: end) }
    func workingSet(activeSince time: Date, through last: Int64) async throws -> [HubEvent] {
        try await inner.workingSet(activeSince: time, through: last)
    }
    func seq(for client: ClientKey) async throws -> Int64? { try await inner.seq(for: client) }
    func lastSeq() async throws -> Int64 { try await inner.lastSeq() }
    func allocateReceipts(day: String, count: Int) async throws -> ClosedRange<Int> {
        try await inner.allocateReceipts(day: day, count: count)
    }
}

@Suite("Group commit")
struct GroupCommitTests {
    /// Citizens write at once while two group commits fail: what was acked is stored, what failed was answered with
    /// an error and stored once when resent with its id, and the officer sees every stored message once, in `seq` order.
    @Test func failedCommitsLoseNothingAckedAndResendsAreStoredOnceInOrder() async throws {
        // Every citizen sends "pesan 3", and its resend fails once more: two failed commits, whatever the batching.
        let store = try FlakyStore(failingWhileCarrying: "pesan 3", times: 2)
        try await withHub(store: store) { hub in
            let (officer, _) = try await hub.officer("budi")
            var citizens: [(socket: WireSocket, conversation: String)] = []
            for index in 0..<12 {
                let (socket, welcome) = try await hub.citizen(name: "Warga \(index)")
                citizens.append((socket, try #require(welcome["conversation"]?.stringValue)))
            }
            let perCitizen = 8
            for (socket, _) in citizens {
                for message in 0..<perCitizen {
                    socket.send(CitizenCommand.message(id: "m\(message)", text: "pesan \(message)").frame.serialized)
                }
            }
            var failures = 0
            try await withThrowingTaskGroup(of: Int.self) { group in
                for (socket, _) in citizens {
                    group.addTask { try await Self.settle(socket, messages: perCitizen) }
                }
                for try await failed in group { failures += failed }
            }
            #expect(failures > 0, "the injected failures reached some senders as errors")
            #expect(store.failuresLeft == 0 && store.batches > 2)
            var storedCount = 0
            for (_, conversation) in citizens {
                let texts = try await hub.store.events(conversation: conversation).filter { $0.kind == .message }.compactMap(\.text)
                #expect(Set(texts) == Set((0..<perCitizen).map { "pesan \($0)" }), "every message stored")
                #expect(texts.count == perCitizen, "none twice")
                storedCount += texts.count
            }
            var seen: [Int] = []
            let deadline = Date().addingTimeInterval(30)
            while seen.count < storedCount, Date() < deadline {
                let frame = try await officer.next()
                if frame["event"]?.stringValue == "message", let seq = frame["seq"]?.int { seen.append(seq) }
            }
            #expect(seen.count == storedCount, "each stored message delivered")
            #expect(seen == seen.sorted() && Set(seen).count == seen.count, "in seq order, once")
            for (socket, _) in citizens { await socket.close() }
            await officer.close()
        }
    }

    /// An officer logging in while citizens write gets the replay and then the live events: every event once, in
    /// `seq` order, none lost in the hand-over between the two.
    @Test func anOfficerLoggingInMidStreamMissesNothingAndSeesNothingTwice() async throws {
        try await withHub { hub in
            var connected: [WireSocket] = []
            for index in 0..<6 { connected.append(try await hub.citizen(name: "Warga \(index)").0) }
            let citizens = connected
            let perCitizen = 10
            let writers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for socket in citizens {
                        group.addTask {
                            for message in 0..<perCitizen {
                                socket.send(CitizenCommand.message(id: "m\(message)", text: "pesan \(message)").frame.serialized)
                                _ = try await socket.expect("ack")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let (officer, welcome) = try await hub.officer("budi")
            #expect(welcome["seq"]?.int != nil)
            try await writers.value
            let total = try await hub.store.lastSeq()
            var seen: [Int] = []
            while (seen.last ?? 0) < total {
                if let seq = try await officer.next()["seq"]?.int { seen.append(seq) }
            }
            #expect(seen == Array(1...Int(total)), "every event once and in order, replayed then live")
            for socket in citizens { await socket.close() }
            await officer.close()
        }
    }

    /// Reads acks and errors until every message id is acked, resending (same id) each one that failed; the number
    /// of failures seen.
    private static func settle(_ socket: WireSocket, messages: Int) async throws -> Int {
        var acked = Set<String>()
        var failures = 0
        while acked.count < messages {
            let frame = try await socket.next()
            guard let id = frame["id"]?.stringValue else { continue }
            switch frame["type"]?.stringValue {
            case "ack":
                acked.insert(id)
            case "error":
                #expect(frame["code"]?.stringValue == "unavailable")
                failures += 1
                let number = id.dropFirst()
                socket.send(CitizenCommand.message(id: id, text: "pesan \(number)").frame.serialized)
            default:
                break
            }
        }
        return failures
    }
}
