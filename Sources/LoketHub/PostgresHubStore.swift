import Foundation
import Logging
import LoketCore
import LoketWire
import NIOSSL
import PostgresNIO
import Synchronization

/// The shared store for several hubs: PostgreSQL through postgres-nio, with `seq` from one sequence for the whole
/// cluster and every decision (take, receipt numbers, client ids) made inside a transaction.
public final class PostgresHubStore: HubStore {
    /// Where the database is: parsed from `postgres://USER@HOST:PORT/DB`; the password never comes from the URL.
    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var username: String
        public var database: String
        public var password: String?
        /// `?sslmode=` as libpq reads it: `disable`, `prefer`, `require` (encrypted, certificate not checked) or
        /// `verify-full`. Default: `disable` on loopback, `verify-full` elsewhere.
        public var sslMode: SSLMode

        /// How the connection to PostgreSQL is encrypted.
        public enum SSLMode: String, Sendable, Equatable {
            case disable, prefer, require
            case verifyFull = "verify-full"
        }

        /// Parses the URL; nil with a reason when it is not `postgres://USER@HOST[:PORT]/DB`.
        public static func parse(_ text: String) -> Result<Location, LocationError> {
            guard let components = URLComponents(string: text),
                components.scheme == "postgres" || components.scheme == "postgresql"
            else { return .failure(LocationError("expected postgres://USER@HOST:PORT/DB, got '\(text)'")) }
            if components.password != nil {
                return .failure(LocationError(
                    "put no password in the URL: use LOKET_DATABASE_PASSWORD or --database-password-file"))
            }
            guard let user = components.user, !user.isEmpty else {
                return .failure(LocationError("the URL needs a user: postgres://USER@HOST:PORT/DB"))
            }
            guard let host = components.host, !host.isEmpty else {
                return .failure(LocationError("the URL needs a host: postgres://USER@HOST:PORT/DB"))
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty, !database.contains("/") else {
                return .failure(LocationError("the URL needs a database name: postgres://USER@HOST:PORT/DB"))
            }
            let port = components.port ?? 5432
            guard (1...65535).contains(port) else { return .failure(LocationError("port \(port) is out of range")) }
            let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
            var sslMode: SSLMode = loopback ? .disable : .verifyFull
            for item in components.queryItems ?? [] {
                guard item.name == "sslmode", let value = item.value, let mode = SSLMode(rawValue: value) else {
                    return .failure(LocationError(
                        "unknown URL parameter '\(item.name)=\(item.value ?? "")' (only sslmode=disable|prefer|require|verify-full)"))
                }
                sslMode = mode
            }
            return .success(Location(
                host: host, port: port, username: user, database: database, password: nil, sslMode: sslMode))
        }

        /// TLS settings for postgres-nio; `require` encrypts without checking the certificate, as libpq does.
        func tlsConfiguration() -> TLSConfiguration? {
            guard sslMode != .disable else { return nil }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if sslMode != .verifyFull { configuration.certificateVerification = .none }
            return configuration
        }

        public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

        func connection() throws -> PostgresConnection.Configuration {
            let tls: PostgresConnection.Configuration.TLS
            switch (sslMode, tlsConfiguration()) {
            case (.prefer, let settings?): tls = .prefer(try NIOSSLContext(configuration: settings))
            case (_, let settings?): tls = .require(try NIOSSLContext(configuration: settings))
            case (_, nil): tls = .disable
            }
            return PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
    }

    /// Why a database URL was refused, in words for the command line.
    public struct LocationError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public let location: Location
    let client: PostgresClient
    private let running: Task<Void, Never>
    let logger: Logger
    /// Longest a store call may take before the hub answers `unavailable` instead of leaving the sender waiting.
    let deadline: Duration

    /// The notification channel: every stored event sends its `seq` on it when its transaction commits.
    public static let channel = "loket_event"

    /// Connects and applies pending migrations (under an advisory lock, so hubs starting together are safe).
    public static func open(
        _ location: Location, logger: Logger = Logger(label: "loket-hub.postgres"), deadline: Duration = .seconds(5)
    ) async throws -> PostgresHubStore {
        let store = PostgresHubStore(location: location, logger: logger, deadline: deadline)
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw StoreError.unavailable("cannot prepare \(location): \(Self.describe(error))")
        }
        return store
    }

    private init(location: Location, logger: Logger, deadline: Duration) {
        self.location = location
        self.logger = logger
        self.deadline = deadline
        let tls: PostgresClient.Configuration.TLS
        switch (location.sslMode, location.tlsConfiguration()) {
        case (.prefer, let settings?): tls = .prefer(settings)
        case (_, let settings?): tls = .require(settings)
        case (_, nil): tls = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 10
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let client = client
        running = Task { await client.run() }
    }

    /// Closes every connection; the store cannot be used after.
    public func close() async {
        running.cancel()
        _ = await running.value
    }

    deinit { running.cancel() }

    /// The text of a postgres-nio error with the server's own message, which its `description` hides.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            let message = error.serverInfo?[.message] ?? ""
            return "\(error.code) \(message)".trimmingCharacters(in: .whitespaces)
        }
        return "\(error)"
    }

    // MARK: Schema

    /// Versioned schema changes, applied in order, each once, all inside one transaction under the lock.
    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            """
            CREATE TABLE officer (
                username TEXT PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL,
                created DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE session (
                token_hash TEXT PRIMARY KEY,
                username TEXT NOT NULL REFERENCES officer(username) ON DELETE CASCADE,
                expires DOUBLE PRECISION NOT NULL)
            """,
            """
            CREATE TABLE conversation (
                id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, name TEXT, honorific TEXT,
                created DOUBLE PRECISION NOT NULL, status TEXT NOT NULL DEFAULT 'open', assigned TEXT, receipt TEXT)
            """,
            // Times are epoch seconds as doubles, as in SQLite, so a `Date` comes back exactly as it went in.
            """
            CREATE TABLE event (
                seq BIGSERIAL PRIMARY KEY,
                conversation TEXT NOT NULL REFERENCES conversation(id),
                kind TEXT NOT NULL, time DOUBLE PRECISION NOT NULL, author TEXT, text TEXT, officer TEXT, name TEXT,
                honorific TEXT, reply_kind TEXT, score BIGINT, engine TEXT, origin TEXT, client_id TEXT)
            """,
            "CREATE UNIQUE INDEX event_client ON event(origin, client_id) WHERE client_id IS NOT NULL",
            "CREATE INDEX event_conversation ON event(conversation, seq)",
            "CREATE INDEX event_time ON event(time)",
            "CREATE TABLE receipt_counter (day TEXT PRIMARY KEY, last BIGINT NOT NULL)",
        ]),
        // Fan-out between hubs: the notification goes out when (and only if) the event's transaction commits.
        (2, [
            """
            CREATE FUNCTION loket_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(channel)', NEW.seq::text);
                RETURN NEW;
            END $$
            """,
            "CREATE TRIGGER event_notify AFTER INSERT ON event FOR EACH ROW EXECUTE FUNCTION loket_notify_event()",
        ]),
        // WhatsApp: delivery statuses of officer messages and each event's channel data (JSON text).
        (3, [
            "ALTER TABLE event ADD COLUMN refers BIGINT, ADD COLUMN status TEXT, ADD COLUMN channel TEXT",
        ]),
    ]

    /// An arbitrary constant naming Loket's migration lock among the cluster's advisory locks.
    static let migrationLock: Int64 = 0x4C_4F_4B_45_54

    private func migrate() async throws {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)",
                logger: self.logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM schema_version", logger: self.logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query(
                    "INSERT INTO schema_version (version, applied) VALUES (\(migration.version), \(Date().timeIntervalSince1970))",
                    logger: self.logger)
            }
        }
    }

    /// The schema versions applied, for tests.
    public func schemaVersions() async throws -> [Int] {
        try await bounded {
            try await self.collect(self.client.query("SELECT version FROM schema_version ORDER BY version"), Int.self)
        }
    }

    // MARK: Plumbing

    /// Runs `body` in one transaction on one pooled connection; errors come out as they were thrown.
    private func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await bounded {
            try await self.client.withConnection { connection in
                try await connection.query("BEGIN", logger: self.logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: self.logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: self.logger)
                    throw error
                }
            }
        }
    }

    /// Fails with `StoreError.unavailable` after `deadline`: a database that does not answer must not leave
    /// senders waiting without an answer. What was sent may still commit; a resend is then a duplicate. The work
    /// runs in a task of its own, not a child: a task group would wait for a query that ignores cancellation.
    private func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = deadline
        // Right after the database was found out of reach, calls fail at once instead of each waiting for the
        // deadline, so senders queued behind one another all hear `unavailable` quickly; one call a second probes.
        if let until = outage.withLock({ $0 }), ContinuousClock.now < until {
            throw StoreError.unavailable("the database was out of reach a moment ago")
        }
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let answered = Mutex(false)
                let claim: @Sendable () -> Bool = {
                    answered.withLock { done in
                        defer { done = true }
                        return !done
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    guard !Task.isCancelled, claim() else { return }
                    continuation.resume(throwing: StoreError.unavailable("no answer from the database within \(limit)"))
                }
                Task {
                    do {
                        let value = try await body()
                        if claim() { continuation.resume(returning: value) }
                    } catch {
                        if claim() { continuation.resume(throwing: error) }
                    }
                    timer.cancel()
                }
            }
        } catch let error as StoreError {
            if case .unavailable = error { outage.withLock { $0 = .now + .seconds(1) } }
            throw error
        } catch let error as PSQLError where error.serverInfo?[.sqlState] != nil {
            throw error
        } catch is CancellationError {
            throw StoreError.unavailable("cancelled")
        } catch {
            // Connection failures, pool errors: the database is out of reach, which the hub reports as such.
            outage.withLock { $0 = .now + .seconds(1) }
            throw StoreError.unavailable(Self.describe(error))
        }
    }

    /// Until when calls fail at once after the database was found out of reach.
    private let outage = Mutex<ContinuousClock.Instant?>(nil)

    private func collect<T: PostgresDecodable & Sendable>(_ rows: PostgresRowSequence, _ type: T.Type) async throws -> [T] {
        var values: [T] = []
        for try await value in rows.decode(T.self) { values.append(value) }
        return values
    }

    private func rows(_ sequence: PostgresRowSequence) async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in sequence { rows.append(row.makeRandomAccess()) }
        return rows
    }

    private static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// A deadlock or serialisation failure: the transaction was rolled back and may simply run again.
    private static func isConflict(_ error: any Error) -> Bool {
        ["40P01", "40001"].contains((error as? PSQLError)?.serverInfo?[.sqlState] ?? "")
    }

    // MARK: Officers and sessions

    public func addOfficer(_ officer: OfficerRecord) async throws {
        do {
            try await bounded {
                _ = try await self.client.query(
                    """
                    INSERT INTO officer (username, name, password_hash, created)
                    VALUES (\(officer.username), \(officer.name), \(officer.passwordHash), \(Date().timeIntervalSince1970))
                    """, logger: self.logger)
            }
        } catch where Self.isUniqueViolation(error) {
            throw StoreError.officerExists(officer.username)
        }
    }

    public func officer(named username: String) async throws -> OfficerRecord? {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT username, name, password_hash FROM officer WHERE username = \(username)", logger: self.logger)
            ).first.map(Self.officer)
        }
    }

    public func officers() async throws -> [OfficerRecord] {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT username, name, password_hash FROM officer ORDER BY username", logger: self.logger)
            ).map(Self.officer)
        }
    }

    public func removeOfficer(named username: String) async throws -> Bool {
        try await bounded {
            try await !self.rows(self.client.query(
                "DELETE FROM officer WHERE username = \(username) RETURNING username", logger: self.logger)
            ).isEmpty
        }
    }

    public func setPasswordHash(_ hash: String, for username: String) async throws -> Bool {
        try await transaction { connection in
            let changed = try await !self.rows(connection.query(
                "UPDATE officer SET password_hash = \(hash) WHERE username = \(username) RETURNING username",
                logger: self.logger)
            ).isEmpty
            guard changed else { return false }
            // A new password ends every session opened with the old one.
            try await connection.query("DELETE FROM session WHERE username = \(username)", logger: self.logger)
            return true
        }
    }

    public func createSession(tokenHash: String, username: String, expires: Date) async throws {
        try await transaction { connection in
            try await connection.query(
                "DELETE FROM session WHERE expires < \(Date().timeIntervalSince1970)", logger: self.logger)
            try await connection.query(
                """
                INSERT INTO session (token_hash, username, expires)
                VALUES (\(tokenHash), \(username), \(expires.timeIntervalSince1970))
                """, logger: self.logger)
        }
    }

    public func officer(forSession tokenHash: String, at now: Date) async throws -> OfficerRecord? {
        try await bounded {
            try await self.rows(self.client.query(
                """
                SELECT officer.username, officer.name, officer.password_hash
                FROM session JOIN officer ON officer.username = session.username
                WHERE session.token_hash = \(tokenHash) AND session.expires > \(now.timeIntervalSince1970)
                """, logger: self.logger)
            ).first.map(Self.officer)
        }
    }

    private static func officer(_ row: PostgresRandomAccessRow) throws -> OfficerRecord {
        OfficerRecord(
            username: try row["username"].decode(String.self), name: try row["name"].decode(String.self),
            passwordHash: try row["password_hash"].decode(String.self))
    }

    // MARK: Conversations

    public func createConversation(
        id: String, tokenHash: String, name: String?, honorific: String?, at time: Date
    ) async throws -> HubEvent {
        try await transaction { connection in
            try await connection.query(
                """
                INSERT INTO conversation (id, token_hash, name, honorific, created)
                VALUES (\(id), \(tokenHash), \(name), \(honorific), \(time.timeIntervalSince1970))
                """, logger: self.logger)
            let event = HubEvent(
                seq: nil, kind: .conversationCreated, conversation: id, time: time, name: name, honorific: honorific)
            return try await self.insert(event, client: nil, connection)
        }
    }

    public func conversation(id: String) async throws -> ConversationRecord? {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT \(unescaped: Self.conversationColumns) FROM conversation WHERE id = \(id)", logger: self.logger)
            ).first.map(Self.conversation)
        }
    }

    public func conversation(tokenHash: String) async throws -> ConversationRecord? {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT \(unescaped: Self.conversationColumns) FROM conversation WHERE token_hash = \(tokenHash)",
                logger: self.logger)
            ).first.map(Self.conversation)
        }
    }

    public func openConversations() async throws -> [ConversationRecord] {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT \(unescaped: Self.conversationColumns) FROM conversation WHERE status = 'open' ORDER BY created",
                logger: self.logger)
            ).map(Self.conversation)
        }
    }

    private static let conversationColumns = "id, name, honorific, created, status, assigned, receipt"

    private static func conversation(_ row: PostgresRandomAccessRow) throws -> ConversationRecord {
        ConversationRecord(
            id: try row["id"].decode(String.self), name: try row["name"].decode(String?.self),
            honorific: try row["honorific"].decode(String?.self),
            created: Date(timeIntervalSince1970: try row["created"].decode(Double.self)),
            status: ConversationRecord.Status(rawValue: try row["status"].decode(String.self)) ?? .open,
            assigned: try row["assigned"].decode(String?.self), receipt: try row["receipt"].decode(String?.self))
    }

    // MARK: Events

    public func append(batch: [PendingAppend]) async throws -> [Result<AppendOutcome, StoreError>] {
        guard !batch.isEmpty else { return [] }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await transaction { connection in
                    let existing = try await self.lockConversations(Set(batch.map(\.event.conversation)), connection)
                    var results: [Result<AppendOutcome, StoreError>] = []
                    for item in batch {
                        // A repeat earlier in the same batch is found too: this transaction sees its own rows.
                        if let client = item.client, let seq = try await self.acknowledged(client, connection) {
                            results.append(.success(.duplicate(seq: seq)))
                            continue
                        }
                        let conversation = item.event.conversation
                        guard existing.contains(conversation) else {
                            results.append(.failure(.conversationNotFound(conversation)))
                            continue
                        }
                        try await self.apply(item.change, to: conversation, connection)
                        results.append(.success(.stored(try await self.insert(item.event, client: item.client, connection))))
                    }
                    return results
                }
            } catch where (Self.isUniqueViolation(error) || Self.isConflict(error)) && attempt < 3 {
                // Another hub stored one of these client ids meanwhile and rolled this batch back: once more,
                // now that its row is visible, that item answers as a duplicate.
                continue
            }
        }
    }

    public func take(conversation: String, officer: String, client: ClientKey?, at time: Date) async throws -> TakeOutcome {
        do {
            return try await transaction { connection in
                if let client, let seq = try await self.acknowledged(client, connection) { return .duplicate(seq: seq) }
                // Conditional on nobody else having it: the row decides, not any hub's memory. A concurrent taker
                // waits for this row lock and then finds the condition false.
                let taken = try await self.rows(connection.query(
                    """
                    UPDATE conversation SET assigned = \(officer)
                    WHERE id = \(conversation) AND (assigned IS NULL OR assigned = \(officer)) RETURNING id
                    """, logger: self.logger))
                if taken.isEmpty {
                    let holder = try await self.rows(connection.query(
                        "SELECT assigned FROM conversation WHERE id = \(conversation)", logger: self.logger))
                    guard let row = holder.first else { return .notFound }
                    return .alreadyTaken(by: try row["assigned"].decode(String?.self) ?? "")
                }
                let event = HubEvent(seq: nil, kind: .assigned, conversation: conversation, time: time, officer: officer)
                return .stored(try await self.insert(event, client: client, connection))
            }
        } catch where client != nil && Self.isUniqueViolation(error) {
            guard let client, let seq = try await seq(for: client) else { throw error }
            return .duplicate(seq: seq)
        }
    }

    public func events(after seq: Int64, limit: Int) async throws -> [HubEvent] {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT \(unescaped: Self.eventColumns) FROM event WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)",
                logger: self.logger)
            ).map(Self.event)
        }
    }

    public func events(conversation: String) async throws -> [HubEvent] {
        try await bounded {
            try await self.rows(self.client.query(
                "SELECT \(unescaped: Self.eventColumns) FROM event WHERE conversation = \(conversation) ORDER BY seq",
                logger: self.logger)
            ).map(Self.event)
        }
    }

    public func events(between start: Date, and end: Date) async throws -> [HubEvent] {
        try await bounded {
            try await self.rows(self.client.query(
                """
                SELECT \(unescaped: Self.eventColumns) FROM event
                WHERE time >= \(start.timeIntervalSince1970) AND time < \(end.timeIntervalSince1970) ORDER BY seq
                """, logger: self.logger)
            ).map(Self.event)
        }
    }

    public func seq(for client: ClientKey) async throws -> Int64? {
        try await bounded {
            try await self.collect(self.client.query(
                "SELECT seq FROM event WHERE origin = \(client.origin) AND client_id = \(client.id)", logger: self.logger),
                Int64.self
            ).first
        }
    }

    public func workingSet(activeSince time: Date, through last: Int64) async throws -> [HubEvent] {
        try await bounded {
            try await self.rows(self.client.query(
                """
                SELECT \(unescaped: Self.eventColumns) FROM event WHERE seq <= \(last) AND conversation IN (
                    SELECT id FROM conversation WHERE status = 'open'
                    UNION SELECT conversation FROM event WHERE time >= \(time.timeIntervalSince1970))
                ORDER BY seq
                """,
                logger: self.logger)
            ).map(Self.event)
        }
    }

    public func lastSeq() async throws -> Int64 {
        try await bounded {
            try await self.collect(self.client.query("SELECT COALESCE(MAX(seq), 0) FROM event", logger: self.logger), Int64.self)
                .first ?? 0
        }
    }

    public func allocateReceipts(day: String, count: Int) async throws -> ClosedRange<Int> {
        let count = max(1, count)
        let last = try await bounded {
            // One statement: the row lock of the upsert serialises hubs asking for the same day.
            try await self.collect(self.client.query(
                """
                INSERT INTO receipt_counter (day, last) VALUES (\(day), \(count))
                ON CONFLICT (day) DO UPDATE SET last = receipt_counter.last + EXCLUDED.last RETURNING last
                """, logger: self.logger), Int.self
            ).first ?? count
        }
        return (last - count + 1)...last
    }

    // MARK: Rows

    private func acknowledged(_ client: ClientKey, _ connection: PostgresConnection) async throws -> Int64? {
        try await collect(connection.query(
            "SELECT seq FROM event WHERE origin = \(client.origin) AND client_id = \(client.id)", logger: logger),
            Int64.self
        ).first
    }

    /// Locks the conversations' rows until commit, so that one conversation's events commit in `seq` order on
    /// every hub: its next event draws a `seq` only after this transaction has committed. Always in id order, so
    /// two hubs' batches never wait for each other in a circle. Returns the ids that exist.
    private func lockConversations(_ ids: Set<String>, _ connection: PostgresConnection) async throws -> Set<String> {
        let sorted = ids.sorted()
        return Set(try await collect(
            connection.query(
                "SELECT id FROM conversation WHERE id = ANY(\(sorted)) ORDER BY id FOR UPDATE", logger: logger),
            String.self))
    }

    private func apply(_ change: ConversationChange, to id: String, _ connection: PostgresConnection) async throws {
        if let status = change.status {
            try await connection.query("UPDATE conversation SET status = \(status.rawValue) WHERE id = \(id)", logger: logger)
        }
        if let assigned = change.assigned {
            try await connection.query("UPDATE conversation SET assigned = \(assigned) WHERE id = \(id)", logger: logger)
        }
        if let receipt = change.receipt {
            try await connection.query("UPDATE conversation SET receipt = \(receipt) WHERE id = \(id)", logger: logger)
        }
    }

    private func insert(_ event: HubEvent, client: ClientKey?, _ connection: PostgresConnection) async throws -> HubEvent {
        let score = event.score.map { Int64($0) }
        let seqs = try await collect(connection.query(
            """
            INSERT INTO event (conversation, kind, time, author, text, officer, name, honorific, reply_kind, score,
                               engine, origin, client_id, refers, status, channel)
            VALUES (\(event.conversation), \(event.kind.rawValue), \(event.time.timeIntervalSince1970),
                    \(event.from?.rawValue), \(event.text), \(event.officer), \(event.name), \(event.honorific),
                    \(event.replyKind), \(score), \(event.encodedEngine), \(client?.origin), \(client?.id),
                    \(event.refers), \(event.status?.rawValue), \(event.channel?.serialized))
            RETURNING seq
            """, logger: logger), Int64.self)
        var stored = event
        stored.seq = seqs.first
        return stored
    }

    private static let eventColumns =
        "seq, conversation, kind, time, author, text, officer, name, honorific, reply_kind, score, engine, refers, "
        + "status, channel"

    private static func event(_ row: PostgresRandomAccessRow) throws -> HubEvent {
        var event = HubEvent(
            seq: try row["seq"].decode(Int64.self),
            kind: EventKind(rawValue: try row["kind"].decode(String.self)) ?? .message,
            conversation: try row["conversation"].decode(String.self),
            time: Date(timeIntervalSince1970: try row["time"].decode(Double.self)),
            from: try row["author"].decode(String?.self).flatMap(MessageAuthor.init(rawValue:)),
            text: try row["text"].decode(String?.self), officer: try row["officer"].decode(String?.self),
            name: try row["name"].decode(String?.self), honorific: try row["honorific"].decode(String?.self),
            replyKind: try row["reply_kind"].decode(String?.self), score: try row["score"].decode(Int64?.self).map { Int($0) },
            refers: try row["refers"].decode(Int64?.self),
            status: try row["status"].decode(String?.self).flatMap(DeliveryStatus.init(rawValue:)),
            channel: try row["channel"].decode(String?.self).flatMap(JSON.parse))
        // The hub wrote it: it goes to officers as it is, never parsed.
        event.encodedEngine = try row["engine"].decode(String?.self)
        return event
    }
}
