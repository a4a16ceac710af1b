import Foundation
import Logging
import LoketCore
import LoketWire

/// The hub's heart: runs the engine on citizen messages, stores every event before acknowledging or delivering it,
/// and fans events out to the connections it owns.
///
/// All connections are owned by this actor. Messages are judged one at a time under a `SerialLane` and queued for
/// group commit: the writes that arrive while one transaction commits go together in the next, and their events are
/// delivered in batch order after the commit, so each connection sees events in `seq` order and nothing is seen
/// before it is durable. Engine state per conversation is a cache, advanced when a write is queued and dropped
/// when the write fails or turns out a duplicate, then rebuilt from stored events.
public actor Hub {
    /// Where a connection's outgoing frames go, in order: the server's socket writer, or a stream in tests.
    public struct Outbox: Sendable {
        private let send: @Sendable (String) -> Void
        private let end: @Sendable () -> Void

        public init(send: @escaping @Sendable (String) -> Void, finish: @escaping @Sendable () -> Void) {
            self.send = send
            self.end = finish
        }

        public init(_ stream: AsyncStream<String>.Continuation) {
            self.init(send: { stream.yield($0) }, finish: { stream.finish() })
        }

        func yield(_ frame: String) { send(frame) }

        /// No more frames: the connection is over (the server then closes the socket as "going away").
        func finish() { end() }
    }

    public let engine: Engine
    public let store: any HubStore
    let logger: Logger
    let lane = SerialLane()
    public let metrics: HubMetrics
    /// The clock, injectable so tests can place a message outside office hours.
    let clock: @Sendable () -> Date
    /// Sends officer replies of WhatsApp conversations to Meta; nil when the hub has no WhatsApp number.
    var whatsapp: WhatsAppSender?

    private struct OfficerConnection {
        var officer: OfficerRecord
        var outbox: Outbox
        var live = false
        /// The highest `seq` this connection has been sent (or said it saw): nothing at or below it goes again.
        var seen: Int64 = 0
        var limiter = RateLimiter(capacity: 20, rate: 5)
    }

    private struct CitizenConnection {
        var conversation: String?
        var outbox: Outbox
        var limiter = RateLimiter(capacity: 20, rate: 5)
        /// Typing signals are relayed at most every two seconds, so no page can flood the officers' screens.
        var lastTyping: ContinuousClock.Instant?
    }

    /// Engine state of a conversation, rebuilt from its events on first use after a start.
    struct ConversationState {
        var conversation: Conversation
        var name: String?
        var honorific: Honorific?
        var closed: Bool
        var assigned: String?
        /// The office-closed notice was sent and no officer has answered since.
        var toldClosed: Bool
        /// The citizen rated this conversation (once per conversation: the day report averages citizens).
        var surveyed = false
        var firstCitizenMessage: Date?
        var answered: Bool
        /// WhatsApp: free-form replies are allowed until then (24 hours after the citizen's last message).
        var replyUntil: Date?
    }

    /// A write waiting for the next group commit.
    private struct QueuedWrite: Sendable {
        var append: PendingAppend
        var ticket: WriteTicket
        /// Where the sender's ack goes the moment the event is stored, ahead of anything delivered after it.
        var ackTo: Outbox?
        var ackID: String?
        /// The wait before the first answer, recorded when this answer is stored.
        var firstResponse: TimeInterval?
        /// The citizen connection that sent it: its other connections (another tab, a second phone) get it.
        var sender: Int?
    }

    /// A deep queue goes out in few transactions, each one flush: at 256, with thousands of citizens waiting and a
    /// large file, the committer fell behind and the rest of the hub waited for it. Settling 1,024 acks and
    /// deliveries keeps the actor a few milliseconds.
    private static let maxBatch = 1024

    /// Receipt numbers reserved in the store and not handed out yet, by office day.
    private var reservedReceipts: [String: ClosedRange<Int>] = [:]
    private static let receiptBlock = 16

    private let commitQueue = HandOffQueue<QueuedWrite>()
    /// Citizens' messages and typing signals on their way to the actor (hellos and surveys come directly).
    private let citizenInbox: HandOffQueue<(CitizenCommand, Int)>
    /// Committed batches that reached the actor ahead of an earlier one, by batch number.
    private var committedAhead: [Int: CommittedBatch] = [:]
    private var nextBatchToSettle = 0
    private var queuedCount = 0
    private var settledCount = 0
    /// Events and transactions of every group commit so far, for the benchmark.
    public private(set) var commitFigures = (events: 0, transactions: 0, largest: 0)
    private var settledWaiters: [CheckedContinuation<Void, Never>] = []

    private var officers: [Int: OfficerConnection] = [:]
    private var citizens: [Int: CitizenConnection] = [:]
    /// Each conversation's citizen connections, so delivering to a conversation never scans every connection.
    private var readers: [String: Set<Int>] = [:]
    private var states: [String: ConversationState] = [:]
    /// Conversations waiting in the shared queue, for the queue-length metric.
    private var queued: Set<String> = []
    private var nextConnection = 0
    /// Set once this hub shares its store with other hubs: events are then delivered in `seq` order through it,
    /// other hubs' events read from the store.
    private var cursor: DeliveryCursor?
    /// This hub's own events held by the cursor (the engine state it caches already knows them), with the
    /// connection that sent each, which does not get it back.
    private var localHeld: [Int64: LocalEvent] = [:]

    private struct LocalEvent {
        var sender: Int?
    }

    /// `inboxCapacity`: citizen frames waiting for the actor before their connections must wait too.
    public init(engine: Engine, store: any HubStore, metrics: HubMetrics = HubMetrics(), logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }, inboxCapacity: Int = 4096) {
        citizenInbox = HandOffQueue(capacity: max(1, inboxCapacity))
        self.engine = engine
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
    }

    private var script: Script { engine.script }

    // MARK: Connections

    public func connectOfficer(_ officer: OfficerRecord, outbox: Outbox) -> Int {
        nextConnection += 1
        officers[nextConnection] = OfficerConnection(officer: officer, outbox: outbox)
        metrics.officersConnected.set(officers.count)
        logger.info("officer connected", metadata: ["officer": "\(officer.username)"])
        return nextConnection
    }

    public func connectCitizen(outbox: Outbox) -> Int {
        nextConnection += 1
        citizens[nextConnection] = CitizenConnection(outbox: outbox)
        metrics.citizensConnected.set(citizens.count)
        return nextConnection
    }

    public func disconnect(_ connection: Int) {
        if let officer = officers.removeValue(forKey: connection) {
            officer.outbox.finish()
            logger.info("officer disconnected", metadata: ["officer": "\(officer.officer.username)"])
        }
        if let citizen = citizens.removeValue(forKey: connection) {
            citizen.outbox.finish()
            if let conversation = citizen.conversation {
                readers[conversation]?.remove(connection)
                if readers[conversation]?.isEmpty == true { readers[conversation] = nil }
            }
        }
        metrics.officersConnected.set(officers.count)
        metrics.citizensConnected.set(citizens.count)
    }

    /// Ends every connection (graceful shutdown): the server closes each socket with "going away".
    public func disconnectAll() {
        for connection in Array(officers.keys) + Array(citizens.keys) { disconnect(connection) }
    }

    // MARK: Officer frames

    /// Handles one text frame from an officer's connection. Parsed before entering the actor: everything done on
    /// the actor is done one frame at a time.
    public nonisolated func officerFrame(_ text: String, connection: Int) async {
        switch OfficerCommand.parse(text) {
        case .success(let command): await officerCommand(command, connection: connection)
        case .failure(let error): await answer(connection, HubFrame.error(error).serialized)
        }
    }

    private func answer(_ connection: Int, _ frame: String) {
        (officers[connection]?.outbox ?? citizens[connection]?.outbox)?.yield(frame)
    }

    private func officerCommand(_ command: OfficerCommand, connection: Int) async {
        guard var officer = officers[connection] else { return }
        if case .typing(let conversation) = command {
            relayOfficerTyping(conversation)
            return
        }
        if case .hello(let since) = command {
            await welcome(connection, since: since)
            return
        }
        guard officer.live else {
            officer.outbox.yield(HubFrame.error(.badHello, Catalogue.Hub.helloFirst, id: command.id).serialized)
            return
        }
        guard officer.limiter.allow() else {
            officers[connection] = officer
            officer.outbox.yield(HubFrame.error(.rateLimited, Catalogue.Hub.rateLimited, id: command.id).serialized)
            return
        }
        officers[connection] = officer
        let reply: JSON
        do {
            switch try await perform(command, by: officer.officer.username) {
            case .reply(let frame): reply = frame
            case .queued(let ticket, let id): reply = ack(try await ticket.outcome, id: id)
            }
        } catch let error as WireError {
            reply = HubFrame.error(error)
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            reply = HubFrame.error(.unavailable, Catalogue.Hub.unavailable, id: command.id)
        }
        officers[connection]?.outbox.yield(reply.serialized)
    }

    /// `welcome`, then every stored event after `since` (for a fresh screen, `since` 0, the working set: see
    /// `replayWorkingSet`), then live events, none missed and none twice. The bulk of
    /// the replay runs outside the lane, so a login after a long day does not hold up everyone's messages; only the
    /// tail committed meanwhile is replayed under it, right before the connection goes live.
    private func welcome(_ connection: Int, since: Int64) async {
        guard let officer = officers[connection] else { return }
        do {
            // Every event up to `current` is delivered: SQLite has one writer and hands out `seq` in commit order;
            // in a cluster the hub's cursor says how far it has delivered, and anything above comes live.
            let current = if let cursor { cursor.watermark } else { try await store.lastSeq() }
            officer.outbox.yield(JSON.object([
                ("type", .string("welcome")),
                ("officer", .object([("username", .string(officer.officer.username)), ("name", .string(officer.officer.name))])),
                ("seq", .integer(Int(current))),
            ]).serialized)
            let replayed = since > 0
                ? try await replay(to: officer.outbox, after: since, through: current)
                : try await replayWorkingSet(to: officer.outbox, through: current)
            await lane.acquire()
            defer { lane.release() }
            await writesSettled()
            let tail = if let cursor { cursor.watermark } else { try await store.lastSeq() }
            _ = try await replay(to: officer.outbox, after: replayed, through: tail)
            officers[connection]?.seen = max(tail, since)
            officers[connection]?.live = true
        } catch {
            logger.error("replay failed", metadata: ["error": "\(error)"])
            officer.outbox.yield(HubFrame.error(.unavailable, Catalogue.Hub.unavailable).serialized)
        }
    }

    /// A fresh screen's history: every event of the conversations still open and of those with anything since the
    /// start of today in office time, in `seq` order, through `last`. Not everything ever stored: that grows with
    /// every day the hub runs, and yesterday's closed conversations are no officer's work any more. A citizen who
    /// writes again reopens theirs, which brings its whole history back.
    private func replayWorkingSet(to outbox: Outbox, through last: Int64) async throws -> Int64 {
        let calendar = engine.calendar
        let startOfToday = calendar.instant(calendar.localTime(clock()).date, minute: 0)
        for event in try await store.workingSet(activeSince: startOfToday, through: last) {
            outbox.yield(event.officerFrameText)
        }
        return last
    }

    /// Sends the stored events after `after` through `last`, a page at a time; the last `seq` sent.
    private func replay(to outbox: Outbox, after: Int64, through last: Int64) async throws -> Int64 {
        var after = after
        while after < last {
            let page = try await store.events(after: after, limit: 500)
            guard let pageLast = page.last?.seq else { break }
            for event in page where (event.seq ?? 0) <= last { outbox.yield(event.officerFrameText) }
            after = min(pageLast, last)
        }
        return after
    }

    /// What an officer command led to: an answer now, or a queued write whose commit decides the ack.
    private enum Handled {
        case reply(JSON)
        case queued(WriteTicket, id: String)
    }

    private func perform(_ command: OfficerCommand, by username: String) async throws -> Handled {
        await lane.acquire()
        defer { lane.release() }
        let now = clock()
        switch command {
        case .hello, .typing:
            return .reply(HubFrame.error(.invalidFrame, Catalogue.Hub.invalidFrame))
        case .take(let id, let conversation):
            let client = ClientKey(origin: "officer:\(username)", id: id)
            return .reply(try await take(conversation, by: username, client: client, at: now, id: id))
        case .send(let id, let conversationID, let text, let kind):
            let client = ClientKey(origin: "officer:\(username)", id: id)
            var state = try await state(of: conversationID, id: id)
            if let assigned = state.assigned, assigned != username {
                throw WireError(.notAllowed, Catalogue.Hub.notYours, id: id)
            }
            try checkReplyWindow(state, conversation: conversationID, at: now, id: id)
            if state.assigned == nil {
                // Answering an unassigned citizen takes the conversation first, decided by the store.
                let taken = try await take(conversationID, by: username, client: nil, at: now, id: id)
                if case .object = taken, taken["type"]?.stringValue == "error" { return .reply(taken) }
                state = try await self.state(of: conversationID, id: id)
            }
            var conversation = state.conversation
            let recorded = engine.recordOfficer(text, kind: kind.map { ReplyKind($0) }, in: &conversation)
            let view = try await engineView(for: &conversation, at: now)
            var event = HubEvent(
                seq: nil, kind: .message, conversation: conversationID, time: now, from: .officer, text: text,
                officer: username, replyKind: recorded.rawValue)
            event.encodedEngine = view.text
            let change = ConversationChange(status: state.closed ? .open : nil, receipt: view.receipt)
            let firstResponse = state.answered ? nil : state.firstCitizenMessage.map { now.timeIntervalSince($0) }
            state.conversation = conversation
            state.closed = false
            state.toldClosed = false
            state.answered = true
            keep(state, for: conversationID)
            return .queued(queue(PendingAppend(event, client: client, change: change), firstResponse: firstResponse), id: id)
        case .note(let id, let conversationID, let text):
            _ = try await state(of: conversationID, id: id)
            let event = HubEvent(seq: nil, kind: .note, conversation: conversationID, time: now, text: text, officer: username)
            return .queued(queue(PendingAppend(event, client: ClientKey(origin: "officer:\(username)", id: id))), id: id)
        case .transfer(let id, let conversationID, let target):
            var state = try await state(of: conversationID, id: id)
            if let assigned = state.assigned, assigned != username {
                throw WireError(.notAllowed, Catalogue.Hub.notYours, id: id)
            }
            if let target, try await store.officer(named: target) == nil {
                throw WireError(.notFound, Catalogue.Hub.officerNotFound, id: id)
            }
            let event = HubEvent(seq: nil, kind: .assigned, conversation: conversationID, time: now, officer: target)
            state.assigned = target
            keep(state, for: conversationID)
            let write = PendingAppend(
                event, client: ClientKey(origin: "officer:\(username)", id: id), change: ConversationChange(assigned: .some(target)))
            return .queued(queue(write), id: id)
        case .close(let id, let conversationID):
            var state = try await state(of: conversationID, id: id)
            if let assigned = state.assigned, assigned != username {
                throw WireError(.notAllowed, Catalogue.Hub.notYours, id: id)
            }
            let event = HubEvent(seq: nil, kind: .closed, conversation: conversationID, time: now, officer: username)
            state.closed = true
            keep(state, for: conversationID)
            let write = PendingAppend(
                event, client: ClientKey(origin: "officer:\(username)", id: id), change: ConversationChange(status: .closed))
            return .queued(queue(write), id: id)
        }
    }

    /// Decided by the store, not by the queue: rare enough to wait until every queued write is delivered, which keeps
    /// its event in `seq` order.
    private func take(_ conversation: String, by username: String, client: ClientKey?, at now: Date, id: String) async throws -> JSON {
        await writesSettled()
        switch try await store.take(conversation: conversation, officer: username, client: client, at: now) {
        case .notFound:
            throw WireError(.notFound, Catalogue.Hub.conversationNotFound, id: id)
        case .alreadyTaken:
            throw WireError(.alreadyTaken, Catalogue.Hub.alreadyTaken, id: id)
        case .duplicate(let seq):
            return HubFrame.ack(id: id, seq: seq)
        case .stored(let event):
            if var state = states[conversation] {
                state.assigned = username
                keep(state, for: conversation)
            }
            deliver(event)
            return HubFrame.ack(id: id, seq: event.seq ?? 0)
        }
    }

    private func ack(_ outcome: AppendOutcome, id: String) -> JSON {
        switch outcome {
        case .stored(let event): HubFrame.ack(id: id, seq: event.seq ?? 0)
        case .duplicate(let seq): HubFrame.ack(id: id, seq: seq)
        }
    }

    private func relayOfficerTyping(_ conversation: String) {
        let frame = JSON.object([("type", .string("typing"))]).serialized
        for connection in readers[conversation] ?? [] { citizens[connection]?.outbox.yield(frame) }
    }

    // MARK: Citizen frames

    /// Handles one text frame from a citizen's connection, parsed before entering the actor.
    public nonisolated func citizenFrame(_ text: String, connection: Int) async {
        switch CitizenCommand.parse(text) {
        case .success(let command):
            switch command {
            case .message, .typing:
                // Handed over, not awaited: the commit acks a message (or answers its failure), and the next frame
                // of this connection is read meanwhile; the inbox keeps their order.
                let (startConsumer, full) = citizenInbox.add((command, connection))
                if startConsumer { Task { await self.drainCitizenInbox() } }
                if full { await citizenInbox.waitForRoom() }
            case .hello, .survey:
                // Rare, and they wait for the store: on their own, so the inbox never waits behind them.
                await citizenCommand(command, connection: connection)
            }
        case .failure(let error): await answer(connection, HubFrame.error(error).serialized)
        }
    }

    private func drainCitizenInbox() async {
        while let (_, frames) = citizenInbox.take() {
            for (command, connection) in frames { await citizenCommand(command, connection: connection) }
        }
    }

    private func citizenCommand(_ command: CitizenCommand, connection: Int) async {
        guard var citizen = citizens[connection] else { return }
        if case .typing = command {
            let now = ContinuousClock.now
            if let last = citizen.lastTyping, now - last < .seconds(2) { return }
            citizens[connection]?.lastTyping = now
            if let conversation = citizen.conversation {
                let frame = HubEvent(seq: nil, kind: .typing, conversation: conversation, time: clock()).officerFrameText
                for officer in officers.values where officer.live { officer.outbox.yield(frame) }
            }
            return
        }
        if case .hello = command {} else if !citizen.limiter.allow() {
            citizens[connection] = citizen
            citizen.outbox.yield(HubFrame.error(.rateLimited, Catalogue.Hub.rateLimited, id: commandID(command)).serialized)
            return
        }
        citizens[connection] = citizen
        let reply: JSON?
        do {
            switch command {
            case .hello(let name, let honorific, let resume):
                reply = try await hello(connection, name: name, honorific: honorific, resume: resume)
            case .message(let id, let text):
                guard let conversation = citizen.conversation else {
                    throw WireError(.badHello, Catalogue.Hub.helloFirst, id: id)
                }
                // The commit acks it or answers its failure (`settle`).
                try await citizenMessage(text, id: id, conversation: conversation, from: connection)
                reply = nil
            case .survey(let id, let score, let comment):
                guard let conversation = citizen.conversation else {
                    throw WireError(.badHello, Catalogue.Hub.helloFirst, id: id)
                }
                reply = try await survey(score, comment: comment, id: id, conversation: conversation)
            case .typing:
                reply = nil
            }
        } catch let error as WireError {
            reply = HubFrame.error(error)
        } catch {
            logger.error("store failed", metadata: ["error": "\(error)"])
            reply = HubFrame.error(.unavailable, Catalogue.Hub.unavailable, id: commandID(command))
        }
        if let reply { citizens[connection]?.outbox.yield(reply.serialized) }
    }

    private func commandID(_ command: CitizenCommand) -> String? {
        switch command {
        case .message(let id, _), .survey(let id, _, _): id
        case .hello, .typing: nil
        }
    }

    private func hello(_ connection: Int, name: String?, honorific: String?, resume: String?) async throws -> JSON {
        guard citizens[connection]?.conversation == nil else { throw WireError(.badHello, Catalogue.Hub.helloTwice) }
        let cleanName = name.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(80)) }.flatMap { $0.isEmpty ? nil : $0 }
        let honorificValue = honorific.flatMap(Honorific.init(fieldValue:))
        var record: ConversationRecord?
        var token = resume
        if let resume { record = try await store.conversation(tokenHash: Token.hash(resume)) }
        var notice: String?
        if record == nil {
            if resume != nil { notice = Catalogue.Hub.unknownResume }
            await lane.acquire()
            defer { lane.release() }
            // Created directly, not queued: its event must not overtake queued ones in delivery.
            await writesSettled()
            let newToken = Token.generate()
            let id = "k-" + Token.generate().prefix(16)
            let created = try await store.createConversation(
                id: id, tokenHash: Token.hash(newToken), name: cleanName, honorific: honorificValue?.rawValue, at: clock())
            deliver(created)
            keep(ConversationState(
                conversation: Conversation(id: id), name: cleanName, honorific: honorificValue, closed: false, assigned: nil,
                toldClosed: false, firstCitizenMessage: nil, answered: false), for: id)
            token = newToken
            record = try await store.conversation(id: id)
        }
        guard let record, let token else { throw WireError(.unavailable, Catalogue.Hub.unavailable) }
        if citizens[connection] != nil {
            citizens[connection]?.conversation = record.id
            readers[record.id, default: []].insert(connection)
        }
        let history = try await store.events(conversation: record.id).filter { $0.kind == .message }.map { event in
            JSON.object([
                ("seq", .integer(Int(event.seq ?? 0))), ("from", .string(event.from?.rawValue ?? "system")),
                ("text", .string(event.text ?? "")), ("time", .string(Wire.timestamp(event.time))),
            ])
        }
        var members: [(String, JSON)] = [
            ("type", .string("welcome")), ("conversation", .string(record.id)), ("token", .string(token)),
            ("history", .array(history)),
            ("office", officeInfo()),
        ]
        if record.status == .closed { members.append(("closed", .bool(true))) }
        if let notice { members.append(("notice", .string(notice))) }
        return .object(members)
    }

    public nonisolated func officeOpen(at time: Date) -> Bool {
        engine.script.office.schedule.isOpen(at: time, calendar: engine.calendar)
    }

    /// The office's name, whether it is open now and its hours, as the citizen's `welcome` and `/api/office` give them.
    public nonisolated func officeInfo() -> JSON {
        .object([
            ("name", .string(engine.script.office.name)), ("open", .bool(officeOpen(at: clock()))),
            ("hours", .string(engine.script.office.hours)),
        ])
    }

    /// Judges a citizen's message and queues it; the commit acks it to the sender (the ack, or a duplicate's first
    /// ack, goes out from the commit, ahead of any notice that follows it) or answers its failure. The ticket is for
    /// a caller that must know it is stored before it answers (WhatsApp's webhook).
    /// `origin` and `channel` are for messages from another channel than the web page (WhatsApp).
    @discardableResult
    func citizenMessage(
        _ text: String, id: String, conversation conversationID: String, from connection: Int,
        origin: String? = nil, channel: JSON? = nil
    ) async throws -> WriteTicket {
        let ticket: WriteTicket
        do {
            await lane.acquire()
            defer { lane.release() }
            let now = clock()
            var state = try await state(of: conversationID, id: id)
            // Taken out of the cache and the state so the engine changes it in place, copying nothing (a failure
            // below leaves no cached state: the next message rebuilds it from the store).
            states[conversationID] = nil
            var conversation = state.conversation
            state.conversation = Conversation(id: conversationID)
            let understanding = engine.receiveCitizen(text, in: &conversation, at: now, name: state.name, honorific: state.honorific)
            let view = try await engineView(for: &conversation, at: now, understanding: understanding)
            var event = HubEvent(
                seq: nil, kind: .message, conversation: conversationID, time: now, from: .citizen, text: text,
                channel: channel)
            event.encodedEngine = view.text
            let change = ConversationChange(status: state.closed ? .open : nil, receipt: view.receipt)
            let tellClosed = !officeOpen(at: now) && !state.toldClosed
            state.conversation = conversation
            state.closed = false
            state.toldClosed = state.toldClosed || tellClosed
            if state.firstCitizenMessage == nil { state.firstCitizenMessage = now }
            if let until = event.replyUntil { state.replyUntil = until }
            keep(state, for: conversationID)
            ticket = queue(
                PendingAppend(event, client: ClientKey(origin: origin ?? "citizen:\(conversationID)", id: id), change: change),
                ackTo: citizens[connection]?.outbox, ackID: id, sender: connection)
            if tellClosed {
                // Stored before it is delivered, like every message; the citizen learns the hours at once.
                let notice = HubEvent(
                    seq: nil, kind: .message, conversation: conversationID, time: now, from: .system,
                    text: Catalogue.Hub.officeClosed(office: script.office.name, hours: script.office.hours),
                    replyKind: Self.officeClosedKind)
                _ = queue(PendingAppend(notice, client: nil))
            }
        }
        return ticket
    }

    /// Marks the office-closed notice among system messages, so a restarted hub does not repeat it.
    static let officeClosedKind = "office_closed"

    private func survey(_ score: Int, comment: String?, id: String, conversation conversationID: String) async throws -> JSON {
        await lane.acquire()
        defer { lane.release() }
        await writesSettled()
        let client = ClientKey(origin: "citizen:\(conversationID)", id: id)
        // The same survey sent again gets its first ack; a second, different one is refused.
        if let seq = try await store.seq(for: client) { return HubFrame.ack(id: id, seq: seq) }
        let state = try await state(of: conversationID, id: id)
        guard state.closed else { throw WireError(.notAllowed, Catalogue.Hub.surveyNotOpen, id: id) }
        guard !state.surveyed else { throw WireError(.notAllowed, Catalogue.Hub.surveyDone, id: id) }
        let event = HubEvent(
            seq: nil, kind: .survey, conversation: conversationID, time: clock(), text: comment, score: score)
        var rated = state
        rated.surveyed = true
        keep(rated, for: conversationID)
        return ack(try await queue(PendingAppend(event, client: client)).outcome, id: id)
    }

    // MARK: Group commit and delivery

    /// Queues a write for the next group commit. Called under the lane, so queue order (and so `seq` order) is the
    /// order in which the engine judged the messages.
    func queue(
        _ append: PendingAppend, ackTo: Outbox? = nil, ackID: String? = nil, firstResponse: TimeInterval? = nil,
        sender: Int? = nil
    ) -> WriteTicket {
        let ticket = WriteTicket()
        queuedCount += 1
        let write = QueuedWrite(
            append: append, ticket: ticket, ackTo: ackTo, ackID: ackID, firstResponse: firstResponse, sender: sender)
        if commitQueue.add(write).startConsumer {
            let queue = commitQueue, store = store
            Task.detached { await Self.commit(queue, to: store, settlingOn: self) }
        }
        return ticket
    }

    /// A batch the store answered, on its way back to the actor.
    private struct CommittedBatch: Sendable {
        var writes: [QueuedWrite]
        var results: Result<[Result<AppendOutcome, StoreError>], any Error>
    }

    /// Commits queued writes a batch at a time until none are left, off the actor: the next transaction starts the
    /// moment the last one is durable. On the actor, a transaction waited for the busy actor before the next could
    /// begin (at 3,000 citizens a batch of 256 took 16 ms in the store and 22 ms until the actor had it back, and
    /// that serial loop was the hub's ceiling). Each batch is acked and delivered on the actor, in batch order.
    private static func commit(_ queue: HandOffQueue<QueuedWrite>, to store: any HubStore, settlingOn hub: Hub) async {
        while let (number, writes) = queue.take(maximum: maxBatch) {
            let results: Result<[Result<AppendOutcome, StoreError>], any Error>
            do {
                results = .success(try await store.append(batch: writes.map(\.append)))
            } catch {
                results = .failure(error)
            }
            let batch = CommittedBatch(writes: writes, results: results)
            Task { await hub.settle(batch, number: number) }
        }
    }

    /// Acks and delivers committed batches in the order they were taken, however their settling tasks arrive.
    private func settle(_ batch: CommittedBatch, number: Int) {
        committedAhead[number] = batch
        while let next = committedAhead.removeValue(forKey: nextBatchToSettle) {
            nextBatchToSettle += 1
            let count = next.writes.count
            metrics.batchSize.record(Double(count))
            commitFigures.events += count
            commitFigures.transactions += 1
            commitFigures.largest = max(commitFigures.largest, count)
            switch next.results {
            case .success(let results):
                for (write, result) in zip(next.writes, results) { settle(write, result.mapError { $0 as any Error }) }
            case .failure(let error):
                logger.error("store failed", metadata: ["error": "\(error)", "batch": "\(count)"])
                for write in next.writes { settle(write, .failure(error)) }
            }
            settledCount += count
        }
        guard settledCount == queuedCount else { return }
        let waiters = settledWaiters
        settledWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func settle(_ write: QueuedWrite, _ result: Result<AppendOutcome, any Error>) {
        switch result {
        case .success(let outcome):
            if let outbox = write.ackTo, let id = write.ackID { outbox.yield(ack(outcome, id: id).serialized) }
            if case .stored(let event) = outcome {
                if event.kind == .message, event.from == .citizen { metrics.messagesIn.increment() }
                if event.kind == .message, event.from == .officer { metrics.messagesOut.increment() }
                if let waited = write.firstResponse { metrics.firstResponse.record(waited) }
                deliver(event, sender: write.sender)
            } else {
                // A duplicate: the cached engine state counted it once more; the store knows what really happened.
                states[write.append.event.conversation] = nil
            }
        case .failure:
            states[write.append.event.conversation] = nil
            if let outbox = write.ackTo, let id = write.ackID {
                outbox.yield(HubFrame.error(.unavailable, Catalogue.Hub.unavailable, id: id).serialized)
            }
        }
        write.ticket.settle(result)
    }

    /// Returns once every queued write is committed and delivered. Under the lane nothing new is queued meanwhile,
    /// so afterwards the store and the connections agree.
    func writesSettled() async {
        guard settledCount < queuedCount else { return }
        await withCheckedContinuation { settledWaiters.append($0) }
    }

    /// Delivers an event this hub stored: at once on its own, in `seq` order with the other hubs' in a cluster.
    func deliver(_ event: HubEvent, sender: Int? = nil) {
        guard var clustered = cursor else {
            send(event, sender: sender, local: true)
            return
        }
        if let seq = event.seq { localHeld[seq] = LocalEvent(sender: sender) }
        let ready = clustered.add([event])
        cursor = clustered
        for next in ready { deliverInOrder(next) }
    }

    /// Delivers one event the cursor released; another hub's event also drops the cached engine state of its
    /// conversation, which is rebuilt from the store on next use.
    private func deliverInOrder(_ event: HubEvent) {
        if let seq = event.seq, let local = localHeld.removeValue(forKey: seq) {
            send(event, sender: local.sender, local: true)
            return
        }
        keep(nil, for: event.conversation)
        send(event, sender: nil, local: false)
    }

    /// Sends a stored event to every live officer and, when it is for citizens, to that conversation's citizens
    /// (a citizen's own message only to their other connections: the sender has it already).
    private func send(_ event: HubEvent, sender: Int?, local: Bool) {
        let officerFrame = event.officerFrameText
        let seq = event.seq ?? 0
        for (connection, officer) in officers where officer.live && seq > officer.seen {
            officer.outbox.yield(officerFrame)
            officers[connection]?.seen = seq
        }
        // Only the hub that stored a reply sends it on to WhatsApp: the others only show it.
        if local, event.kind == .message, event.from != .citizen { sendOverWhatsApp(event) }
        guard event.kind == .message || event.kind == .closed else { return }
        guard let readers = readers[event.conversation], readers.contains(where: { $0 != sender }) else { return }
        let citizenFrame = event.citizenFrame.serialized
        for connection in readers where connection != sender { citizens[connection]?.outbox.yield(citizenFrame) }
    }

    /// Keeps a conversation's engine state and its place in the queue count (open, unassigned, a citizen wrote):
    /// one conversation at a time, never a scan of all of them. Closed conversations leave the cache; a citizen
    /// writing again rebuilds them from the store.
    func keep(_ state: ConversationState?, for id: String) {
        if let state, !state.closed { states[id] = state } else { states[id] = nil }
        if let state, !state.closed, state.assigned == nil, state.firstCitizenMessage != nil {
            queued.insert(id)
        } else {
            queued.remove(id)
        }
        metrics.queueLength.set(queued.count)
    }

    // MARK: Several hubs

    /// Joins a cluster of hubs sharing the store: from now on every event, this hub's and the others', is
    /// delivered in `seq` order, the others' read from the store by `catchUp`.
    public func joinCluster(gapTimeout: Duration = .seconds(3)) async throws {
        await lane.acquire()
        defer { lane.release() }
        guard cursor == nil else { return }
        // Other hubs' transactions in flight right now may still commit a `seq` below the last one: the cursor
        // starts a little lower, takes what is committed (no connection is served yet, so nothing is sent), and
        // waits for the gaps like for any other, so such a late event is still delivered.
        let start = max(0, try await store.lastSeq() - Self.joinWindow)
        var joined = DeliveryCursor(watermark: start, gapTimeout: gapTimeout)
        _ = joined.add(try await store.events(after: start, limit: Int(Self.joinWindow)))
        cursor = joined
    }

    /// How many of the latest `seq`s a joining hub checks for gaps.
    private static let joinWindow: Int64 = 256

    /// True when a notified `seq` is one this hub has neither delivered nor holds.
    public func isUndelivered(_ seq: Int64) -> Bool { cursor?.isNew(seq) ?? false }

    /// The `seq` up to which this hub has delivered everything (nil outside a cluster), for tests and metrics.
    public var deliveredThrough: Int64? { cursor?.watermark }

    /// Reads the stored events this hub has not delivered yet (whoever stored them) and delivers those now in
    /// order; gives up on gaps older than the timeout. Called on each notification and periodically, so a lost
    /// notification or a lost connection only delays delivery.
    public func catchUp() async throws {
        guard cursor != nil else { return }
        await lane.acquire()
        defer { lane.release() }
        guard var after = cursor?.watermark else { return }
        while true {
            let page = try await store.events(after: after, limit: 1000)
            if var clustered = cursor {
                let ready = clustered.add(page)
                cursor = clustered
                for event in ready { deliverInOrder(event) }
            }
            guard page.count == 1000, let last = page.last?.seq else { break }
            after = last
        }
        if var clustered = cursor {
            let ready = clustered.settle()
            cursor = clustered
            for event in ready { deliverInOrder(event) }
        }
    }

    // MARK: Engine state

    /// The engine's view after a message, as the JSON text `loket engine` prints (written straight to bytes: it is
    /// stored and sent as it is), and a receipt number newly reserved.
    private func engineView(
        for conversation: inout Conversation, at time: Date, understanding: Understanding? = nil
    ) async throws -> (text: String, receipt: String?) {
        let hadReceipt = conversation.receiptNumber
        var trial = conversation
        var scratch = ReceiptBook()
        var suggestions = engine.suggestions(for: &trial, receipts: &scratch, at: time)
        if hadReceipt == nil, let reserved = trial.receiptNumber, let date = Self.receiptDate(reserved) {
            // A receipt number was needed: the store hands it out, so no restart or second hub ever gives it
            // twice, and the suggestions are made again with it. Every other message is judged once.
            let number = try await nextReceipt(day: date.compact)
            var book = ReceiptBook(lastIssued: [date: number - 1])
            suggestions = engine.suggestions(for: &conversation, receipts: &book, at: time)
        } else {
            conversation = trial
        }
        let receipt = hadReceipt == nil ? conversation.receiptNumber : nil
        guard let understanding else {
            let view = JSON.object([
                ("conversation", .string(conversation.id)), ("stage", .string(conversation.stage.rawValue)),
                ("suggestions", EngineSession.suggestionsOutput(suggestions)),
            ])
            return (view.serialized, receipt)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        EngineSession.writeCitizenOutput(conversation.id, understanding, conversation, suggestions, into: &bytes)
        return (String(decoding: bytes, as: UTF8.self), receipt)
    }

    /// The next receipt number of a day from the block this hub reserved, reserving a new block when it runs out:
    /// one durable write per block instead of a flush under the lane for every receipt. A restart skips the rest of
    /// its block; no number is ever handed out twice.
    private func nextReceipt(day: String) async throws -> Int {
        if let block = reservedReceipts[day] {
            reservedReceipts[day] = block.lowerBound < block.upperBound ? (block.lowerBound + 1)...block.upperBound : nil
            return block.lowerBound
        }
        let block = try await store.allocateReceipts(day: day, count: Self.receiptBlock)
        // Only today's block is worth keeping.
        reservedReceipts = block.lowerBound < block.upperBound ? [day: (block.lowerBound + 1)...block.upperBound] : [:]
        return block.lowerBound
    }

    private static func receiptDate(_ receipt: String) -> CivilDate? {
        let parts = receipt.split(separator: "-")
        guard parts.count >= 3, parts[parts.count - 2].count == 8 else { return nil }
        let digits = parts[parts.count - 2]
        return CivilDate(parsing: "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))")
    }

    /// The conversation's engine state, rebuilt from its stored events when not cached.
    func state(of id: String, id clientID: String?) async throws -> ConversationState {
        if let cached = states[id] { return cached }
        // Queued writes of this conversation must be in the store before it is read back.
        await writesSettled()
        guard let record = try await store.conversation(id: id) else {
            throw WireError(.notFound, Catalogue.Hub.conversationNotFound, id: clientID)
        }
        var conversation = Conversation(id: id)
        let honorific = record.honorific.flatMap(Honorific.init(fieldValue:))
        var state = ConversationState(
            conversation: conversation, name: record.name, honorific: honorific, closed: record.status == .closed,
            assigned: record.assigned, toldClosed: false, firstCitizenMessage: nil, answered: false)
        for event in try await store.events(conversation: id) {
            if event.kind == .survey { state.surveyed = true }
            guard event.kind == .message else { continue }
            if let until = event.replyUntil { state.replyUntil = until }
            switch event.from {
            case .citizen:
                engine.receiveCitizen(event.text ?? "", in: &conversation, at: event.time, name: record.name, honorific: honorific)
                if state.firstCitizenMessage == nil { state.firstCitizenMessage = event.time }
            case .officer:
                engine.recordOfficer(event.text ?? "", kind: event.replyKind.map { ReplyKind($0) }, in: &conversation)
                state.answered = true
                state.toldClosed = false
            case .system:
                if event.replyKind == Self.officeClosedKind { state.toldClosed = true }
            case nil:
                break
            }
        }
        if let receipt = record.receipt { conversation.restore(receiptNumber: receipt) }
        state.conversation = conversation
        keep(state, for: id)
        return state
    }
}
