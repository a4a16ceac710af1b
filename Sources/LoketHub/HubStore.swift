import Foundation
import LoketWire

/// An officer account as stored: the password only as a bcrypt hash.
public struct OfficerRecord: Sendable, Equatable {
    public var username: String
    public var name: String
    public var passwordHash: String

    public init(username: String, name: String, passwordHash: String) {
        self.username = username
        self.name = name
        self.passwordHash = passwordHash
    }
}

/// A citizen conversation's row: who, whether open, who handles it, its receipt number.
public struct ConversationRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case open, closed }

    public var id: String
    public var name: String?
    public var honorific: String?
    public var created: Date
    public var status: Status
    public var assigned: String?
    public var receipt: String?

    public init(
        id: String, name: String?, honorific: String?, created: Date, status: Status, assigned: String?, receipt: String?
    ) {
        self.id = id
        self.name = name
        self.honorific = honorific
        self.created = created
        self.status = status
        self.assigned = assigned
        self.receipt = receipt
    }
}

/// Identifies a client-originated message for idempotent acks: who sent it (`citizen:ID`, `officer:USER`) and
/// the client's own id.
public struct ClientKey: Sendable, Hashable {
    public var origin: String
    public var id: String

    public init(origin: String, id: String) {
        self.origin = origin
        self.id = id
    }
}

/// How an event changes its conversation's row, in the same transaction.
public struct ConversationChange: Sendable, Equatable {
    public var status: ConversationRecord.Status?
    /// `.some(nil)`: back to the queue.
    public var assigned: String??
    public var receipt: String?

    public init(status: ConversationRecord.Status? = nil, assigned: String?? = nil, receipt: String? = nil) {
        self.status = status
        self.assigned = assigned
        self.receipt = receipt
    }

    public static let none = ConversationChange()
}

/// One event waiting to be appended, with the change it makes to its conversation and the client key that makes it
/// idempotent.
public struct PendingAppend: Sendable {
    public var event: HubEvent
    public var client: ClientKey?
    public var change: ConversationChange

    public init(_ event: HubEvent, client: ClientKey?, change: ConversationChange = .none) {
        self.event = event
        self.client = client
        self.change = change
    }
}

/// What appending an event did.
public enum AppendOutcome: Sendable, Equatable {
    case stored(HubEvent)
    /// The client id was seen before: nothing new stored; the original event's `seq`.
    case duplicate(seq: Int64)
}

/// What a `take` did: decided inside the store, so two officers (on two hubs) never both win.
public enum TakeOutcome: Sendable, Equatable {
    case stored(HubEvent)
    case duplicate(seq: Int64)
    case alreadyTaken(by: String)
    case notFound
}

/// Storage errors the hub turns into protocol errors or command-line messages.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case officerExists(String)
    case conversationNotFound(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .officerExists(let name): "officer '\(name)' already exists"
        case .conversationNotFound(let id): "conversation '\(id)' not found"
        case .unavailable(let reason): "store unavailable: \(reason)"
        }
    }
}

/// Everything the hub keeps. Every method commits before it returns, so what the hub acknowledges is durable.
/// Implementations: `SQLiteHubStore` (embedded, GRDB); PostgreSQL follows. `HubStoreConformance` tests both alike.
public protocol HubStore: Sendable {
    func addOfficer(_ officer: OfficerRecord) async throws
    func officer(named username: String) async throws -> OfficerRecord?
    func officers() async throws -> [OfficerRecord]
    /// Removes the officer and their sessions; false when there was no such officer.
    func removeOfficer(named username: String) async throws -> Bool
    func setPasswordHash(_ hash: String, for username: String) async throws -> Bool

    func createSession(tokenHash: String, username: String, expires: Date) async throws
    /// The officer a live session belongs to; nil when unknown or expired at `now`.
    func officer(forSession tokenHash: String, at now: Date) async throws -> OfficerRecord?

    /// Creates a conversation and its `conversation.created` event in one transaction.
    func createConversation(id: String, tokenHash: String, name: String?, honorific: String?, at time: Date) async throws -> HubEvent
    func conversation(id: String) async throws -> ConversationRecord?
    func conversation(tokenHash: String) async throws -> ConversationRecord?
    func openConversations() async throws -> [ConversationRecord]

    /// Stores a batch of events (group commit: one transaction, one flush), in order, each with the change to its
    /// conversation; `seq`s are assigned here, increasing in batch order. A known client key (also one earlier in
    /// the same batch) stores nothing and answers the first event's `seq`; an unknown conversation fails only its
    /// own item. A storage failure throws and stores none of the batch.
    func append(batch: [PendingAppend]) async throws -> [Result<AppendOutcome, StoreError>]
    /// Assigns a conversation to `officer` when nobody (or the same officer) has it, with its `assigned` event.
    func take(conversation: String, officer: String, client: ClientKey?, at time: Date) async throws -> TakeOutcome

    /// Events after `seq` in order, at most `limit`.
    func events(after seq: Int64, limit: Int) async throws -> [HubEvent]
    /// One conversation's events in order.
    func events(conversation: String) async throws -> [HubEvent]
    /// Events whose time lies in `range` (for reports).
    func events(between start: Date, and end: Date) async throws -> [HubEvent]
    /// A fresh officer screen's history in one query: every event through `last` of the conversations still open
    /// or with an event at or after `time`, in `seq` order.
    func workingSet(activeSince time: Date, through last: Int64) async throws -> [HubEvent]
    /// The `seq` of the event a client id became, when it was stored.
    func seq(for client: ClientKey) async throws -> Int64?
    /// The highest `seq` stored (0 when none).
    func lastSeq() async throws -> Int64

    /// Reserves the next `count` receipt numbers of an office day (`YYYYMMDD`) in one durable write, never handed out
    /// twice (a restart or a second hub continues after them).
    func allocateReceipts(day: String, count: Int) async throws -> ClosedRange<Int>
}

extension HubStore {
    /// Stores one event (its `seq` assigned here) and the change to its conversation in one transaction; a known
    /// client key stores nothing and returns the first event's `seq`.
    public func append(_ event: HubEvent, client: ClientKey?, change: ConversationChange) async throws -> AppendOutcome {
        guard let result = try await append(batch: [PendingAppend(event, client: client, change: change)]).first else {
            throw StoreError.unavailable("empty batch result")
        }
        return try result.get()
    }
}

extension HubStore {
    /// The next receipt number of an office day, reserved on its own.
    public func allocateReceipt(day: String) async throws -> Int {
        try await allocateReceipts(day: day, count: 1).lowerBound
    }
}
