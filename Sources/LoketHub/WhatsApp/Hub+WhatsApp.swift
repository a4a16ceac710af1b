import Foundation
import Logging
import LoketCore
import LoketWire

/// The WhatsApp channel inside the hub: webhook content goes the citizen's way (engine, store before deliver,
/// office hours, reopening), replies of WhatsApp conversations go out through the `WhatsAppSender`, and what Meta
/// says about them is stored as `status` events for the officers.
extension Hub {
    /// Client-key origin of WhatsApp messages (keyed by `wamid`, so Meta's retries store nothing new).
    static let whatsAppOrigin = "whatsapp"
    /// Client-key origin of delivery statuses (`WAMID:STATUS`, or `seq-SEQ-PART:STATUS` when Meta gave no id).
    static let whatsAppStatusOrigin = "whatsapp-status"

    /// Starts sending replies of WhatsApp conversations, first those a previous run stored but did not finish.
    public func attachWhatsApp(_ configuration: WhatsAppConfiguration, client: GraphClient = GraphClient()) async {
        let sender = WhatsAppSender(configuration: configuration, client: client, logger: logger) {
            [weak self] outcome in
            await self?.record(outcome)
        }
        whatsapp = sender
        do {
            for reply in try await pendingWhatsAppReplies() { sender.enqueue(reply) }
        } catch {
            logger.error("cannot read unsent whatsapp replies", metadata: ["error": "\(error)"])
        }
    }

    /// Stops sending (shutdown and tests); unsent replies stay pending in the store.
    public func detachWhatsApp() async {
        let sender = whatsapp
        whatsapp = nil
        await sender?.stop()
    }

    /// Stores everything a webhook post holds; returns once it is stored, so a 200 to Meta means "kept".
    public func receive(_ webhook: WhatsAppWebhook) async throws {
        for message in webhook.messages { try await receive(message) }
        for status in webhook.statuses { try await receive(status) }
    }

    private func receive(_ message: WhatsAppWebhook.Inbound) async throws {
        let key = ClientKey(origin: Self.whatsAppOrigin, id: message.wamid)
        // Meta sends again until it gets a 200: a known wamid is answered without storing anything.
        if try await store.seq(for: key) != nil { return }
        let conversationID = WhatsAppWire.conversationID(waID: message.waID)
        try await openWhatsAppConversation(conversationID, waID: message.waID, name: message.name)
        var channel: [(String, JSON)] = [("channel", .string(WhatsAppWire.channel)), ("wamid", .string(message.wamid))]
        if let sent = message.sent { channel.append(("sent", .string(Wire.timestamp(sent)))) }
        switch message.content {
        case .text(let text):
            // No connection (-1): the webhook's answer is the acknowledgement, given once the message is stored.
            _ = try await citizenMessage(
                text, id: message.wamid, conversation: conversationID, from: -1, origin: Self.whatsAppOrigin,
                channel: .object(channel)).outcome
        case .other(let type, let details):
            channel.append(("media", details))
            try await storeArrival(
                Catalogue.Hub.whatsAppArrival(type: type, details: details), key: key, conversation: conversationID,
                channel: .object(channel))
        }
    }

    /// The conversation of a WhatsApp sender, created on their first message. Its token hash is not a hash at
    /// all (`whatsapp:WA_ID`), so no resume token of the web page can ever open it.
    private func openWhatsAppConversation(_ id: String, waID: String, name: String?) async throws {
        if try await store.conversation(id: id) != nil { return }
        await lane.acquire()
        defer { lane.release() }
        // Created directly, not queued (as a web citizen's `hello` does): its event must not overtake queued ones.
        await writesSettled()
        if try await store.conversation(id: id) != nil { return }
        let cleanName = name.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(80)) }
            .flatMap { $0.isEmpty ? nil : $0 }
        do {
            let created = try await store.createConversation(
                id: id, tokenHash: "whatsapp:\(waID)", name: cleanName, honorific: nil, at: clock())
            deliver(created)
        } catch {
            // Another hub on the same database created it first.
            if try await store.conversation(id: id) == nil { throw error }
        }
    }

    /// A file, place or other content only a person can look at: a system line for the officers (never sent to
    /// the citizen), keeping Meta's media id in `channel` for a later version to fetch.
    private func storeArrival(_ text: String, key: ClientKey, conversation id: String, channel: JSON) async throws {
        let ticket: WriteTicket
        do {
            await lane.acquire()
            defer { lane.release() }
            var state = try await state(of: id, id: nil)
            let event = HubEvent(
                seq: nil, kind: .message, conversation: id, time: clock(), from: .system, text: text, channel: channel)
            let change = ConversationChange(status: state.closed ? .open : nil)
            state.closed = false
            if state.firstCitizenMessage == nil { state.firstCitizenMessage = event.time }
            if let until = event.replyUntil { state.replyUntil = until }
            keep(state, for: id)
            ticket = queue(PendingAppend(event, client: key, change: change))
        }
        _ = try await ticket.outcome
    }

    private func receive(_ status: WhatsAppWebhook.Status) async throws {
        // Meta repeats statuses, and its "sent" repeats the hub's own: known ones are dropped before they are queued.
        let key = ClientKey(origin: Self.whatsAppStatusOrigin, id: "\(status.wamid):\(status.status.rawValue)")
        if try await store.seq(for: key) != nil { return }
        let conversation = WhatsAppWire.conversationID(waID: status.recipient)
        guard let message = try await message(for: status.wamid, conversation: conversation) else {
            logger.debug("status for an unknown whatsapp message", metadata: ["status": "\(status.status.rawValue)"])
            return
        }
        let reason =
            status.status == .failed
            ? Catalogue.Hub.whatsAppRefused(code: status.errorCode ?? 0, title: status.errorTitle) : nil
        if status.status == .failed { metrics.whatsAppFailed.increment() }
        try await storeStatus(
            status.status, of: message, conversation: conversation, wamid: status.wamid, reason: reason,
            code: status.errorCode, part: nil)
    }

    /// The officer message a part's `wamid` belongs to: this run's memory, else the `sent` status stored for it.
    private func message(for wamid: String, conversation: String) async throws -> Int64? {
        if let known = whatsapp?.message(for: wamid), known.conversation == conversation { return known.message }
        guard try await store.conversation(id: conversation) != nil else { return nil }
        return try await store.events(conversation: conversation).first {
            $0.kind == .status && $0.channel?["wamid"]?.stringValue == wamid
        }?.refers
    }

    private func storeStatus(
        _ status: DeliveryStatus, of message: Int64, conversation: String, wamid: String?, reason: String?, code: Int?,
        part: (index: Int, count: Int)?
    ) async throws {
        var channel: [(String, JSON)] = [("channel", .string(WhatsAppWire.channel))]
        if let wamid, !wamid.isEmpty { channel.append(("wamid", .string(wamid))) }
        if let part {
            channel.append(("part", .integer(part.index)))
            channel.append(("parts", .integer(part.count)))
        }
        if let code { channel.append(("error", .integer(code))) }
        let key =
            wamid.flatMap { $0.isEmpty ? nil : $0 }.map { "\($0):\(status.rawValue)" }
            ?? "seq-\(message)-\(part?.index ?? 0):\(status.rawValue)"
        let ticket: WriteTicket
        do {
            await lane.acquire()
            defer { lane.release() }
            let event = HubEvent(
                seq: nil, kind: .status, conversation: conversation, time: clock(), text: reason, refers: message,
                status: status, channel: .object(channel))
            ticket = queue(PendingAppend(event, client: ClientKey(origin: Self.whatsAppStatusOrigin, id: key)))
        }
        _ = try await ticket.outcome
    }

    /// Stores what the sender reports; a store failure is logged (the reply stays pending and goes again after a
    /// restart, at worst twice, never lost).
    private func record(_ outcome: SendOutcome) async {
        do {
            switch outcome {
            case .sent(let reply, let wamid, let part, let parts):
                metrics.whatsAppSent.increment()
                try await storeStatus(
                    .sent, of: reply.message, conversation: reply.conversation, wamid: wamid, reason: nil, code: nil,
                    part: (part, parts))
            case .failed(let reply, let reason, let code):
                metrics.whatsAppFailed.increment()
                try await storeStatus(
                    .failed, of: reply.message, conversation: reply.conversation, wamid: nil, reason: reason,
                    code: code,
                    part: nil)
            }
        } catch {
            logger.error("cannot store a whatsapp status", metadata: ["error": "\(error)"])
        }
    }

    /// Refuses a free-form reply to a WhatsApp conversation after Meta's 24-hour window.
    func checkReplyWindow(_ state: ConversationState, conversation: String, at now: Date, id: String) throws {
        guard WhatsAppWire.waID(conversation: conversation) != nil else { return }
        guard let until = state.replyUntil, now < until else {
            throw WireError(.windowClosed, Catalogue.Hub.whatsAppWindowClosed, id: id)
        }
    }

    /// Hands a stored message for the citizen of a WhatsApp conversation (an officer's reply, the office-hours
    /// notice) to the sender. Called while delivering, so replies queue in `seq` order.
    func sendOverWhatsApp(_ event: HubEvent) {
        guard let waID = WhatsAppWire.waID(conversation: event.conversation), let seq = event.seq,
            event.replyUntil == nil, let text = event.text
        else { return }
        let reply = OutboundReply(conversation: event.conversation, waID: waID, message: seq, text: text)
        guard let whatsapp else {
            // Stored but impossible to send: the officer must see that, not a reply that looks delivered.
            Task { await self.record(.failed(reply, reason: Catalogue.Hub.whatsAppNotConfigured, code: nil)) }
            return
        }
        whatsapp.enqueue(reply)
    }

    /// Replies of the last day that were stored but neither fully sent nor marked failed: a hub stopped (or killed)
    /// while Meta was unreachable sends them after its next start.
    private func pendingWhatsAppReplies() async throws -> [OutboundReply] {
        let now = clock()
        let events = try await store.events(
            between: now.addingTimeInterval(-WhatsAppWire.replyWindow - 3600), and: now.addingTimeInterval(3600))
        var replies: [Int64: OutboundReply] = [:]
        var order: [Int64] = []
        var done: Set<Int64> = []
        for event in events {
            guard let waID = WhatsAppWire.waID(conversation: event.conversation) else { continue }
            if event.kind == .status, let refers = event.refers {
                if event.status == .failed { done.insert(refers) }
                if event.status == .sent, let part = event.channel?["part"]?.wholeNumber {
                    replies[refers]?.sentParts.insert(Int(part))
                }
                continue
            }
            guard event.kind == .message, event.from == .officer || event.from == .system, event.replyUntil == nil,
                let seq = event.seq, let text = event.text
            else { continue }
            replies[seq] = OutboundReply(conversation: event.conversation, waID: waID, message: seq, text: text)
            order.append(seq)
        }
        return order.compactMap { seq in
            guard !done.contains(seq), let reply = replies[seq],
                reply.sentParts.count < WhatsAppText.parts(reply.text).count
            else { return nil }
            return reply
        }
    }
}
