import Foundation
import Logging
import LoketCore
import LoketWire
import Synchronization

/// An officer reply (or a hub notice) of a WhatsApp conversation, stored and waiting to go out.
public struct OutboundReply: Sendable, Equatable {
    public var conversation: String
    public var waID: String
    /// The stored message's `seq`: statuses refer to it.
    public var message: Int64
    public var text: String
    /// Parts already accepted by Meta (after a restart, only the rest goes again).
    public var sentParts: Set<Int> = []
}

/// What became of one part of a reply, for the hub to store as a `status` event.
public enum SendOutcome: Sendable, Equatable {
    /// Meta accepted part `part` (0-based) of `parts` and named it `wamid`.
    case sent(OutboundReply, wamid: String, part: Int, parts: Int)
    /// The reply will not arrive; `reason` is for the officer (Indonesian).
    case failed(OutboundReply, reason: String, code: Int?)
}

/// Splits replies for WhatsApp's 4,096-character text limit.
public enum WhatsAppText {
    /// Meta's limit for a text message body. Counted in UTF-16 units, the stricter reading, so an emoji-rich reply
    /// the hub accepted is never refused by Meta.
    public static let maximumBody = 4_096

    /// `text` in parts of at most `limit` UTF-16 units, cut after the last space or line break that fits (inside a
    /// word only when a single word is longer than a part), never inside a character.
    public static func parts(_ text: String, limit: Int = maximumBody) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while rest.utf16.count > limit {
            var end = rest.startIndex
            var lastBreak: String.Index?
            var used = 0
            for index in rest.indices {
                let width = rest[index].utf16.count
                if used + width > limit { break }
                used += width
                end = rest.index(after: index)
                if rest[index].isWhitespace { lastBreak = end }
            }
            if end == rest.startIndex { end = rest.index(after: rest.startIndex) }
            let cut = lastBreak ?? end
            let part = rest[..<cut].trimmingCharacters(in: .whitespacesAndNewlines)
            if !part.isEmpty { parts.append(part) }
            rest = rest[cut...].drop { $0.isWhitespace }
        }
        let last = rest.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty || parts.isEmpty { parts.append(last) }
        return parts
    }
}

/// Sends stored replies to the Graph API, one conversation's replies in order, conversations side by side, never
/// under the hub's lane: a slow or unreachable Meta delays only WhatsApp replies, never message handling.
/// Transient failures (no connection, 5xx, 429, Meta's throttling codes) are retried with backoff; what still
/// fails, or what Meta refuses, comes back as `failed`, so the officer sees it.
public final class WhatsAppSender: Sendable {
    public let configuration: WhatsAppConfiguration
    private let client: GraphClient
    private let logger: Logger
    private let record: @Sendable (SendOutcome) async -> Void

    private struct State {
        var queues: [String: [OutboundReply]] = [:]
        var workers: [String: Task<Void, Never>] = [:]
        /// Meta's message ids of parts sent by this run, to match statuses without reading the store.
        var known: [String: (conversation: String, message: Int64)] = [:]
        var stopped = false
    }

    private let state = Mutex(State())

    /// How many sent parts are remembered for matching Meta's statuses without a store read.
    static let rememberedSends = 10_000

    /// Meta error codes that mean "slow down" or "try later" even when the HTTP status is 400.
    static let throttlingCodes: Set<Int> = [1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131048, 131056]

    public init(
        configuration: WhatsAppConfiguration, client: GraphClient = GraphClient(), logger: Logger,
        record: @escaping @Sendable (SendOutcome) async -> Void
    ) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.record = record
    }

    /// Queues a reply behind the conversation's earlier ones and starts its worker when idle.
    public func enqueue(_ reply: OutboundReply) {
        state.withLock { state in
            guard !state.stopped else { return }
            state.queues[reply.conversation, default: []].append(reply)
            guard state.workers[reply.conversation] == nil else { return }
            state.workers[reply.conversation] = Task { [self] in await drain(reply.conversation) }
        }
    }

    /// The conversation and message a part's `wamid` belongs to, when this run sent it.
    public func message(for wamid: String) -> (conversation: String, message: Int64)? {
        state.withLock { $0.known[wamid] }
    }

    /// Stops sending (shutdown): what was not sent stays pending in the store and goes after the next start.
    public func stop() async {
        let workers = state.withLock { state -> [Task<Void, Never>] in
            state.stopped = true
            state.queues = [:]
            return Array(state.workers.values)
        }
        for worker in workers { worker.cancel() }
        for worker in workers { await worker.value }
    }

    /// Replies queued or being sent, for tests and metrics.
    public var backlog: Int { state.withLock { $0.queues.values.reduce(0) { $0 + $1.count } } }

    private func drain(_ conversation: String) async {
        while let reply = state.withLock({ state -> OutboundReply? in
            guard !state.stopped, let next = state.queues[conversation]?.first else {
                state.workers[conversation] = nil
                state.queues[conversation] = nil
                return nil
            }
            return next
        }) {
            await send(reply)
            state.withLock { state in
                if state.queues[conversation]?.isEmpty == false { state.queues[conversation]?.removeFirst() }
            }
            if Task.isCancelled { return }
        }
    }

    private func send(_ reply: OutboundReply) async {
        let parts = WhatsAppText.parts(reply.text)
        for (index, part) in parts.enumerated() where !reply.sentParts.contains(index) {
            switch await sendPart(part, to: reply.waID) {
            case .sent(let wamid):
                state.withLock { state in
                    // A memory of recent sends only: older statuses find their message in the store.
                    if state.known.count >= Self.rememberedSends { state.known.removeAll(keepingCapacity: true) }
                    if !wamid.isEmpty { state.known[wamid] = (reply.conversation, reply.message) }
                }
                await record(.sent(reply, wamid: wamid, part: index, parts: parts.count))
            case .failed(let reason, let code):
                logger.warning(
                    "whatsapp reply failed",
                    metadata: [
                        "conversation": "\(reply.conversation)", "seq": "\(reply.message)", "code": "\(code ?? 0)",
                    ])
                await record(.failed(reply, reason: reason, code: code))
                return
            case .cancelled:
                return
            }
        }
    }

    private enum PartResult {
        case sent(String)
        case failed(String, Int?)
        case cancelled
    }

    private func sendPart(_ text: String, to waID: String) async -> PartResult {
        let body = JSON.object([
            ("messaging_product", .string("whatsapp")), ("recipient_type", .string("individual")),
            ("to", .string(waID)),
            ("type", .string("text")), ("text", .object([("preview_url", .bool(false)), ("body", .string(text))])),
        ]).serialized
        let policy = configuration.retry
        var lastReason = Catalogue.Hub.whatsAppUnreachable(policy.attempts)
        var lastCode: Int?
        for attempt in 1...policy.attempts {
            if Task.isCancelled { return .cancelled }
            var retryAfter: Duration?
            do {
                let response = try await client.post(
                    url: configuration.messagesURL, bearer: configuration.accessToken, body: body,
                    timeout: policy.requestTimeout)
                let answer = JSON.parse(response.body)
                if (200..<300).contains(response.status) {
                    // Without an id statuses cannot be matched, but Meta took the message: it counts as sent.
                    let wamid = answer?["messages"]?.arrayItems.first?["id"]?.stringValue ?? ""
                    return .sent(wamid)
                }
                let code = answer?["error"]?["code"]?.wholeNumber.map { Int($0) }
                let title = answer?["error"]?["message"]?.stringValue
                lastCode = code
                let transient =
                    response.status >= 500 || response.status == 429
                    || code.map(Self.throttlingCodes.contains) == true
                logger.info(
                    "whatsapp send refused",
                    metadata: ["status": "\(response.status)", "code": "\(code ?? 0)", "attempt": "\(attempt)"])
                guard transient else {
                    return .failed(Catalogue.Hub.whatsAppRefused(code: code ?? response.status, title: title), code)
                }
                lastReason = Catalogue.Hub.whatsAppRefused(code: code ?? response.status, title: title)
                retryAfter = response.retryAfter.map { .seconds($0) }
            } catch {
                logger.info("whatsapp unreachable", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                lastReason = Catalogue.Hub.whatsAppUnreachable(policy.attempts)
            }
            guard attempt < policy.attempts else { break }
            do {
                try await Task.sleep(for: policy.delay(after: attempt, retryAfter: retryAfter))
            } catch {
                return .cancelled
            }
        }
        return .failed(lastReason, lastCode)
    }
}
