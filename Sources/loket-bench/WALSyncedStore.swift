import Foundation
import LoketHub
import LoketWire

#if canImport(Glibc)
import Glibc
#endif

/// The shipped SQLite store plus one `fdatasync` of its WAL file after every write, before the hub may ack:
/// what `PRAGMA synchronous = FULL` does at each commit in WAL mode.
///
/// Needed because the store's `synchronous = FULL` does not hold: GRDB's `DatabasePool` runs its WAL set-up
/// (`PRAGMA synchronous = NORMAL`) on the writer after `Configuration.prepareDatabase`, so as shipped a commit
/// reaches the disk only at checkpoints. The benchmark measures both; the sync runs on its own thread, as
/// SQLite's would on GRDB's writer queue, never on a cooperative one.
final class WALSyncedStore: HubStore {
    private let base: SQLiteHubStore
    private let wal: Int32
    private let syncQueue = DispatchQueue(label: "loket-bench.wal-sync")

    init(base: SQLiteHubStore, databasePath: String) throws {
        self.base = base
        wal = open(databasePath + "-wal", O_RDONLY)
        guard wal >= 0 else { throw BenchError("cannot open \(databasePath)-wal: errno \(errno)") }
    }

    deinit { close(wal) }

    private func sync() async {
        let wal = wal
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            syncQueue.async {
                _ = fdatasync(wal)
                done.resume()
            }
        }
    }

    /// Flushes the WAL after a write, so it is on disk when `write` returns.
    private func synced<T: Sendable>(_ write: () async throws -> T) async throws -> T {
        let result = try await write()
        await sync()
        return result
    }

    func addOfficer(_ officer: OfficerRecord) async throws { try await synced { try await base.addOfficer(officer) } }
    func officer(named username: String) async throws -> OfficerRecord? { try await base.officer(named: username) }
    func officers() async throws -> [OfficerRecord] { try await base.officers() }
    func removeOfficer(named username: String) async throws -> Bool {
        try await synced { try await base.removeOfficer(named: username) }
    }
    func setPasswordHash(_ hash: String, for username: String) async throws -> Bool {
        try await synced { try await base.setPasswordHash(hash, for: username) }
    }
    func createSession(tokenHash: String, username: String, expires: Date) async throws {
        try await synced { try await base.createSession(tokenHash: tokenHash, username: username, expires: expires) }
    }
    func officer(forSession tokenHash: String, at now: Date) async throws -> OfficerRecord? {
        try await base.officer(forSession: tokenHash, at: now)
    }
    func createConversation(id: String, tokenHash: String, name: String?, honorific: String?, at time: Date) async throws -> HubEvent {
        try await synced {
            try await base.createConversation(id: id, tokenHash: tokenHash, name: name, honorific: honorific, at: time)
        }
    }
    func conversation(id: String) async throws -> ConversationRecord? { try await base.conversation(id: id) }
    func conversation(tokenHash: String) async throws -> ConversationRecord? { try await base.conversation(tokenHash: tokenHash) }
    func openConversations() async throws -> [ConversationRecord] { try await base.openConversations() }
    func append(_ event: HubEvent, client: ClientKey?, change: ConversationChange) async throws -> AppendOutcome {
        try await synced { try await base.append(event, client: client, change: change) }
    }
    func take(conversation: String, officer: String, client: ClientKey?, at time: Date) async throws -> TakeOutcome {
        try await synced { try await base.take(conversation: conversation, officer: officer, client: client, at: time) }
    }
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent] { try await base.events(after: seq, limit: limit) }
    func events(conversation: String) async throws -> [HubEvent] { try await base.events(conversation: conversation) }
    func events(between start: Date, and end: Date) async throws -> [HubEvent] {
        try await base.events(between: start, and: end)
    }
    func lastSeq() async throws -> Int64 { try await base.lastSeq() }
    func allocateReceipt(day: String) async throws -> Int { try await synced { try await base.allocateReceipt(day: day) } }
}
