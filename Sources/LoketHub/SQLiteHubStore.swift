import Foundation
import GRDB
import LoketCore
import LoketWire

/// The embedded store: one SQLite file in WAL mode through GRDB, `synchronous = FULL` so that a committed event
/// survives a power cut, and a busy timeout so that `loket-hub officer add` can write while the hub runs.
public final class SQLiteHubStore: HubStore {
    private let writer: any DatabaseWriter

    /// Opens (creating when needed) the database file at `path` and applies pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Every event lands on a random leaf of the two indexes keyed by conversation, so the writer touches
            // all their pages; SQLite's default 2 MB cache holds less than that once some 100,000 events are in,
            // and the writer then reads pages back from the file for every insert (in an A/B run of `loket-bench
            // hub`, 64 MiB raised the hub's median under saturation by 5 %). 64 MiB keeps about a million events'
            // index pages; readers keep the default, as they read little.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set after opening: the pool switches its writer to WAL with synchronous = NORMAL while it opens, which
        // would let a power cut take back commits already acknowledged.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        writer = pool
        try Self.migrator.migrate(writer)
    }

    /// SQLite's `synchronous` setting on the writing connection (2 = FULL), for tests.
    public func synchronousLevel() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The journal mode (`wal` on disk), for tests.
    public func journalMode() async throws -> String {
        try await writer.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// An in-memory database, for tests.
    public init() throws {
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    /// The database file under `directory` (created when missing).
    public static func file(in directory: String) -> String { "\(directory)/hub.sqlite" }

    /// Versioned schema changes; each runs once, in order, inside a transaction.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE officer (
                    username TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL, created REAL NOT NULL);
                CREATE TABLE session (
                    token_hash TEXT PRIMARY KEY,
                    username TEXT NOT NULL REFERENCES officer(username) ON DELETE CASCADE,
                    expires REAL NOT NULL);
                CREATE TABLE conversation (
                    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT, honorific TEXT,
                    created REAL NOT NULL, status TEXT NOT NULL DEFAULT 'open', assigned TEXT, receipt TEXT);
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    conversation TEXT NOT NULL REFERENCES conversation(id),
                    kind TEXT NOT NULL, time REAL NOT NULL, author TEXT, text TEXT, officer TEXT, name TEXT,
                    honorific TEXT, reply_kind TEXT, score INTEGER, engine TEXT, origin TEXT, client_id TEXT);
                CREATE UNIQUE INDEX event_client ON event(origin, client_id) WHERE client_id IS NOT NULL;
                CREATE INDEX event_conversation ON event(conversation, seq);
                CREATE INDEX event_time ON event(time);
                CREATE TABLE receipt_counter (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
                """)
        }
        // WhatsApp: delivery statuses of officer messages and each event's channel data (JSON text).
        migrator.registerMigration("v2") { db in
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN refers INTEGER;
                ALTER TABLE event ADD COLUMN status TEXT;
                ALTER TABLE event ADD COLUMN channel TEXT;
                """)
        }
        return migrator
    }

    // MARK: Officers and sessions

    public func addOfficer(_ officer: OfficerRecord) async throws {
        try await writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM officer WHERE username = ?", arguments: [officer.username]) != nil {
                throw StoreError.officerExists(officer.username)
            }
            try db.execute(
                sql: "INSERT INTO officer (username, name, password_hash, created) VALUES (?, ?, ?, ?)",
                arguments: [officer.username, officer.name, officer.passwordHash, Date().timeIntervalSince1970])
        }
    }

    public func officer(named username: String) async throws -> OfficerRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM officer WHERE username = ?", arguments: [username]).map(Self.officer)
        }
    }

    public func officers() async throws -> [OfficerRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM officer ORDER BY username").map(Self.officer)
        }
    }

    public func removeOfficer(named username: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM officer WHERE username = ?", arguments: [username])
            return db.changesCount > 0
        }
    }

    public func setPasswordHash(_ hash: String, for username: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "UPDATE officer SET password_hash = ? WHERE username = ?", arguments: [hash, username])
            guard db.changesCount > 0 else { return false }
            // A new password ends every session opened with the old one.
            try db.execute(sql: "DELETE FROM session WHERE username = ?", arguments: [username])
            return true
        }
    }

    public func createSession(tokenHash: String, username: String, expires: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO session (token_hash, username, expires) VALUES (?, ?, ?)",
                arguments: [tokenHash, username, expires.timeIntervalSince1970])
        }
    }

    public func officer(forSession tokenHash: String, at now: Date) async throws -> OfficerRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT officer.* FROM session JOIN officer ON officer.username = session.username
                    WHERE session.token_hash = ? AND session.expires > ?
                    """,
                arguments: [tokenHash, now.timeIntervalSince1970]
            ).map(Self.officer)
        }
    }

    private static func officer(_ row: Row) -> OfficerRecord {
        OfficerRecord(username: row["username"], name: row["name"], passwordHash: row["password_hash"])
    }

    // MARK: Conversations

    public func createConversation(
        id: String, tokenHash: String, name: String?, honorific: String?, at time: Date
    ) async throws -> HubEvent {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO conversation (id, token_hash, name, honorific, created) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, tokenHash, name, honorific, time.timeIntervalSince1970])
            let event = HubEvent(
                seq: nil, kind: .conversationCreated, conversation: id, time: time, name: name, honorific: honorific)
            return try Self.insert(event, client: nil, db)
        }
    }

    public func conversation(id: String) async throws -> ConversationRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conversation WHERE id = ?", arguments: [id]).map(Self.conversation)
        }
    }

    public func conversation(tokenHash: String) async throws -> ConversationRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM conversation WHERE token_hash = ?", arguments: [tokenHash])
                .map(Self.conversation)
        }
    }

    public func openConversations() async throws -> [ConversationRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conversation WHERE status = 'open' ORDER BY created")
                .map(Self.conversation)
        }
    }

    private static func conversation(_ row: Row) -> ConversationRecord {
        ConversationRecord(
            id: row["id"], name: row["name"], honorific: row["honorific"],
            created: Date(timeIntervalSince1970: row["created"]),
            status: ConversationRecord.Status(rawValue: row["status"]) ?? .open, assigned: row["assigned"],
            receipt: row["receipt"])
    }

    // MARK: Events

    public func append(batch: [PendingAppend]) async throws -> [Result<AppendOutcome, StoreError>] {
        try await writer.write { db in
            try batch.map { item -> Result<AppendOutcome, StoreError> in
                // Inserted without looking first: the unique client index finds a resend and the foreign key an
                // unknown conversation, so the common case is one statement (the two look-ups before it cost about
                // a tenth of the hub's own CPU per message, `loket-bench hub-core`). A failed statement is undone
                // alone; the rest of the batch goes on.
                let stored: HubEvent
                do {
                    stored = try Self.insert(item.event, client: item.client, db)
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                    return .failure(.conversationNotFound(item.event.conversation))
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                    guard let client = item.client, let seq = try Self.acknowledged(client, db) else { throw error }
                    return .success(.duplicate(seq: seq))
                }
                try Self.apply(item.change, to: item.event.conversation, db)
                return .success(.stored(stored))
            }
        }
    }

    public func take(conversation: String, officer: String, client: ClientKey?, at time: Date) async throws -> TakeOutcome {
        try await writer.write { db in
            if let client, let seq = try Self.acknowledged(client, db) { return .duplicate(seq: seq) }
            guard let row = try Row.fetchOne(db, sql: "SELECT assigned FROM conversation WHERE id = ?", arguments: [conversation])
            else { return .notFound }
            let assigned: String? = row["assigned"]
            if let assigned, assigned != officer { return .alreadyTaken(by: assigned) }
            // Conditional on nobody else having it: the row decides, not the hub's memory.
            try db.execute(
                sql: "UPDATE conversation SET assigned = ? WHERE id = ? AND (assigned IS NULL OR assigned = ?)",
                arguments: [officer, conversation, officer])
            guard db.changesCount == 1 else { return .alreadyTaken(by: assigned ?? "") }
            let event = HubEvent(seq: nil, kind: .assigned, conversation: conversation, time: time, officer: officer)
            return .stored(try Self.insert(event, client: client, db))
        }
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit])
                .map(Self.event)
        }
    }

    public func events(conversation: String) async throws -> [HubEvent] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event WHERE conversation = ? ORDER BY seq", arguments: [conversation])
                .map(Self.event)
        }
    }

    public func workingSet(activeSince time: Date, through last: Int64) async throws -> [HubEvent] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: Self.workingSetQuery, arguments: [last, time.timeIntervalSince1970]).map(Self.event)
        }
    }

    /// Each conversation's events found through `event_conversation`; the open ones and those active since a moment
    /// found through the (small) conversation table and `event_time`.
    private static let workingSetQuery = """
        SELECT * FROM event WHERE seq <= ? AND conversation IN (
            SELECT id FROM conversation WHERE status = 'open' UNION SELECT conversation FROM event WHERE time >= ?)
        ORDER BY seq
        """

    public func events(between start: Date, and end: Date) async throws -> [HubEvent] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM event WHERE time >= ? AND time < ? ORDER BY seq",
                arguments: [start.timeIntervalSince1970, end.timeIntervalSince1970]
            ).map(Self.event)
        }
    }

    public func seq(for client: ClientKey) async throws -> Int64? {
        try await writer.read { db in try Self.acknowledged(client, db) }
    }

    public func lastSeq() async throws -> Int64 {
        try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM event") ?? 0 }
    }

    public func allocateReceipts(day: String, count: Int) async throws -> ClosedRange<Int> {
        let count = max(1, count)
        return try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO receipt_counter (day, last) VALUES (?, ?)
                    ON CONFLICT(day) DO UPDATE SET last = last + excluded.last
                    """,
                arguments: [day, count])
            let last = try Int.fetchOne(db, sql: "SELECT last FROM receipt_counter WHERE day = ?", arguments: [day]) ?? count
            return (last - count + 1)...last
        }
    }

    // MARK: Rows

    private static func acknowledged(_ client: ClientKey, _ db: Database) throws -> Int64? {
        // Cached statements: a group commit runs these once per event, and compiling the SQL each time cost more
        // than running it.
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT seq FROM event WHERE origin = ? AND client_id = ?"), arguments: [client.origin, client.id])
    }

    private static func apply(_ change: ConversationChange, to id: String, _ db: Database) throws {
        if let status = change.status {
            try db.cachedStatement(sql: "UPDATE conversation SET status = ? WHERE id = ?").execute(arguments: [status.rawValue, id])
        }
        if let assigned = change.assigned {
            try db.cachedStatement(sql: "UPDATE conversation SET assigned = ? WHERE id = ?").execute(arguments: [assigned, id])
        }
        if let receipt = change.receipt {
            try db.cachedStatement(sql: "UPDATE conversation SET receipt = ? WHERE id = ?").execute(arguments: [receipt, id])
        }
    }

    private static func insert(_ event: HubEvent, client: ClientKey?, _ db: Database) throws -> HubEvent {
        try db.cachedStatement(
            sql: """
                INSERT INTO event (conversation, kind, time, author, text, officer, name, honorific, reply_kind, score,
                                   engine, origin, client_id, refers, status, channel)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                event.conversation, event.kind.rawValue, event.time.timeIntervalSince1970, event.from?.rawValue,
                event.text, event.officer, event.name, event.honorific, event.replyKind, event.score,
                event.encodedEngine, client?.origin, client?.id, event.refers, event.status?.rawValue,
                event.channel?.serialized,
            ])
        var stored = event
        stored.seq = db.lastInsertedRowID
        return stored
    }

    private static func event(_ row: Row) -> HubEvent {
        let channelText: String? = row["channel"]
        let statusText: String? = row["status"]
        var event = HubEvent(
            seq: row["seq"], kind: EventKind(rawValue: row["kind"]) ?? .message, conversation: row["conversation"],
            time: Date(timeIntervalSince1970: row["time"]),
            from: (row["author"] as String?).flatMap(MessageAuthor.init(rawValue:)), text: row["text"],
            officer: row["officer"], name: row["name"], honorific: row["honorific"], replyKind: row["reply_kind"],
            score: row["score"], refers: row["refers"],
            status: statusText.flatMap(DeliveryStatus.init(rawValue:)), channel: channelText.flatMap(JSON.parse))
        // The hub wrote it: it goes to officers as it is, never parsed.
        event.encodedEngine = row["engine"]
        return event
    }
}
