import Foundation
import LoketCore
import LoketWire
import Synchronization

/// The officer's connection to a hub, as a citizen source for the counter screen.
///
/// A background task keeps a WebSocket open (reconnecting with backoff), resumes from the last `seq` it saw so no
/// event is missed or shown twice, and turns hub events into `CitizenEvent`s for the screen. Commands wait in
/// order until the hub acknowledges them; after a reconnect every unacknowledged one is sent again with its
/// original id, which the hub answers with the same ack without storing it twice.
public final class HubLink: Sendable {
    /// The first hub's WebSocket URL.
    public var url: String { urls[0] }
    /// Every hub of the cluster this link may use, first the preferred one: after a failed or dropped connection
    /// it tries the next (a token works on every hub that shares the database).
    public let urls: [String]
    public let username: String
    private let token: String
    private let clock: @Sendable () -> Date

    private struct Pending {
        var localID: String
        var command: OfficerCommand
        /// For replies: the conversation and text, to recognise the hub's event for it.
        var reply: (conversation: String, text: String)?
        /// The hub's view that came with the reply's event, handed to the screen with the ack.
        var view: RemoteView?
        var matched = false
    }

    private struct State {
        var inbox: [CitizenEvent] = []
        var pending: [Pending] = []
        var lastSeq: Int64 = 0
        var names: [String: (name: String?, honorific: Honorific?)] = [:]
        var shown: Set<String> = []
        /// This screen's replies by the `seq` the hub stored them at, so WhatsApp statuses find their line.
        var sentSeqs: [Int64: String] = [:]
        var socket: WireSocket?
        var welcomed = false
        var stopped = false
        var everConnected = false
    }

    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// `hub` is the hub's base URL (`http://host:port`, or `https://` behind a proxy); `alternates` are other
    /// hubs of the same cluster to fail over to.
    public init(
        hub: String, alternates: [String] = [], token: String, username: String,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        urls = ([hub] + alternates).map { Self.webSocketURL(hub: $0, path: "/officer/ws") }
        self.token = token
        self.username = username
        self.clock = clock
    }

    /// `http://h:p` → `ws://h:p/PATH`, `https://` → `wss://`.
    public static func webSocketURL(hub: String, path: String) -> String {
        var base = hub.hasSuffix("/") ? String(hub.dropLast()) : hub
        if base.hasPrefix("https://") {
            base = "wss://" + base.dropFirst("https://".count)
        } else if base.hasPrefix("http://") {
            base = "ws://" + base.dropFirst("http://".count)
        } else if !base.hasPrefix("ws://") && !base.hasPrefix("wss://") {
            base = "ws://" + base
        }
        return base + path
    }

    /// Starts connecting in the background.
    public func start() {
        let running = Task { [self] in await self.run() }
        task.withLock { $0 = running }
    }

    /// Stops the link and closes the connection.
    public func stop() async {
        let socket = state.withLock { state -> WireSocket? in
            state.stopped = true
            return state.socket
        }
        await socket?.close()
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
    }

    /// Events that arrived since the last call, in order.
    public func drain() -> [CitizenEvent] {
        state.withLock { state in
            defer { state.inbox.removeAll() }
            return state.inbox
        }
    }

    /// Replies and commands the hub has not acknowledged yet, oldest first (text of replies).
    public var unacknowledged: [String] {
        state.withLock { $0.pending.compactMap { $0.reply?.text } }
    }

    /// Queues what the officer did; it is sent now when connected, else after the next reconnect.
    public func submit(_ effect: AppEffect) {
        let entry: Pending
        switch effect {
        case .quit:
            return
        case .typing(let key):
            state.withLock { state in
                if state.welcomed { state.socket?.send(OfficerCommand.typing(conversation: key).frame.serialized) }
            }
            return
        case .reply(let key, let text, let kind, let localID):
            entry = Pending(
                localID: localID, command: .send(id: localID, conversation: key, text: text, kind: kind?.rawValue),
                reply: (key, text))
        case .take(let key, let localID):
            entry = Pending(localID: localID, command: .take(id: localID, conversation: key))
        case .note(let key, let text, let localID):
            entry = Pending(localID: localID, command: .note(id: localID, conversation: key, text: text))
        case .transfer(let key, let to, let localID):
            entry = Pending(localID: localID, command: .transfer(id: localID, conversation: key, to: to))
        case .close(let key, let localID):
            entry = Pending(localID: localID, command: .close(id: localID, conversation: key))
        }
        state.withLock { state in
            state.pending.append(entry)
            if state.welcomed { state.socket?.send(entry.command.frame.serialized) }
        }
    }

    // MARK: Connection

    private func run() async {
        var backoff = 0.5
        var choice = 0
        while !state.withLock({ $0.stopped }), !Task.isCancelled {
            let socket: WireSocket
            do {
                socket = try await WireSocket.connect(url: urls[choice % urls.count], bearer: token)
            } catch {
                let unauthorized = "\(error)".contains("401")
                post(.connection(problem: unauthorized ? Catalogue.Hub.unauthorized : Catalogue.Screen.disconnected))
                choice += 1
                // A whole round of hubs failed before the pause grows: the next hub is tried at once.
                if choice % urls.count == 0 {
                    try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
                    backoff = min(backoff * 2, 4)
                }
                continue
            }
            let since = state.withLock { state -> Int64 in
                state.socket = socket
                return state.lastSeq
            }
            socket.send(OfficerCommand.hello(since: since).frame.serialized)
            while let text = await socket.receive() {
                guard let frame = JSON.parse(text) else { continue }
                if handle(frame, socket: socket) { backoff = 0.5 }
            }
            state.withLock { state in
                state.socket = nil
                state.welcomed = false
            }
            if state.withLock({ $0.stopped }) { return }
            post(.connection(problem: Catalogue.Screen.disconnected))
            if urls.count > 1 {
                // The hub went away: another one of the cluster most likely still serves.
                choice += 1
                continue
            }
            try? await Task.sleep(for: .milliseconds(Int(backoff * 1000)))
            backoff = min(backoff * 2, 4)
        }
    }

    /// Sends a still-pending command again after a pause (same id: the hub stores it at most once).
    private func retry(_ id: String) {
        Task { [self] in
            try? await Task.sleep(for: .seconds(1))
            state.withLock { state in
                guard state.welcomed, let entry = state.pending.first(where: { $0.localID == id }) else { return }
                state.socket?.send(entry.command.frame.serialized)
            }
        }
    }

    private func post(_ event: CitizenEvent) {
        state.withLock { $0.inbox.append(event) }
    }

    /// Handles one frame; true on `welcome`.
    private func handle(_ frame: JSON, socket: WireSocket) -> Bool {
        switch frame["type"]?.stringValue {
        case "welcome":
            state.withLock { state in
                state.welcomed = true
                state.everConnected = true
                state.inbox.append(.connection(problem: nil))
                // Everything not yet acknowledged goes again, in the original order and with the original ids.
                for entry in state.pending { socket.send(entry.command.frame.serialized) }
            }
            return true
        case "ack":
            guard let id = frame["id"]?.stringValue else { return false }
            state.withLock { state in
                guard let position = state.pending.firstIndex(where: { $0.localID == id }) else { return }
                let entry = state.pending.remove(at: position)
                if entry.reply != nil { state.inbox.append(.delivered(localID: id, view: entry.view)) }
            }
        case "error":
            let reason = frame["message"]?.stringValue ?? Catalogue.Hub.invalidFrame
            let id = frame["id"]?.stringValue
            // A hub whose store failed, or that asks to slow down, did not store the command: it stays queued and
            // goes again shortly with the same id, instead of being dropped.
            if let id, let code = frame["code"]?.stringValue,
                code == WireError.Code.unavailable.rawValue || code == WireError.Code.rateLimited.rawValue
            {
                retry(id)
                return false
            }
            state.withLock { state in
                if let id, let position = state.pending.firstIndex(where: { $0.localID == id }) {
                    state.pending.remove(at: position)
                }
                state.inbox.append(.refused(localID: id ?? "", reason: reason))
            }
        case "event":
            guard let event = HubEvent(officerFrame: frame) else { return false }
            state.withLock { state in apply(event, to: &state) }
        default:
            break
        }
        return false
    }

    private func apply(_ event: HubEvent, to state: inout State) {
        if let seq = event.seq {
            // A resumed connection may repeat what was already shown: seq decides.
            guard seq > state.lastSeq else { return }
            state.lastSeq = seq
        }
        let key = event.conversation
        switch event.kind {
        case .conversationCreated:
            state.names[key] = (event.name, event.honorific.flatMap(Honorific.init(fieldValue:)))
        case .message:
            let view = RemoteView(engine: event.engine)
            if event.from == .officer, event.officer == username,
                let position = state.pending.firstIndex(where: { !$0.matched && $0.reply?.conversation == key && $0.reply?.text == event.text })
            {
                state.pending[position].view = view
                state.pending[position].matched = true
                if let seq = event.seq { state.sentSeqs[seq] = state.pending[position].localID }
                return
            }
            show(key, in: &state)
            if let until = event.replyUntil { state.inbox.append(.replyWindow(key: key, until: until)) }
            switch event.from {
            case .citizen:
                state.inbox.append(.citizenSaid(key: key, text: event.text ?? "", time: event.time, view: view))
            case .officer:
                state.inbox.append(.officerSaid(
                    key: key, text: event.text ?? "", time: event.time, officer: event.officer, view: view))
            case .system where event.replyUntil != nil:
                // A file or place the citizen sent over WhatsApp: the citizen waits for an answer to it.
                state.inbox.append(.citizenSent(key: key, text: event.text ?? "", time: event.time))
            case .system, nil:
                state.inbox.append(.notice(key: key, text: event.text ?? "", time: event.time))
            }
        case .note:
            show(key, in: &state)
            state.inbox.append(.notice(
                key: key, text: Catalogue.Screen.noteBy(event.officer ?? "", event.text ?? ""), time: event.time))
        case .assigned:
            state.inbox.append(.assigned(key: key, officer: event.officer))
        case .closed:
            state.inbox.append(.finished(key: key))
        case .survey:
            state.inbox.append(.notice(
                key: key, text: Catalogue.Screen.surveyResult(event.score ?? 0, event.text), time: event.time))
        case .typing:
            state.inbox.append(.typing(key: key, until: clock().addingTimeInterval(5)))
        case .status:
            guard let status = event.status.flatMap({ ChatMessage.Delivery(rawValue: $0.rawValue) }) else { return }
            let localID = event.refers.flatMap { state.sentSeqs[$0] }
            state.inbox.append(.delivery(key: key, localID: localID, status: status, reason: event.text))
        }
    }

    /// A conversation appears on the screen with its first message, not when a page merely opened.
    private func show(_ key: String, in state: inout State) {
        guard !state.shown.contains(key) else { return }
        state.shown.insert(key)
        let known = state.names[key]
        state.inbox.append(.arrived(
            key: key, name: known?.name ?? nil, honorific: known?.honorific ?? nil, priority: false, scenario: nil))
    }
}

/// Live mode's citizen source: the hub, through a `HubLink`.
public struct HubSource: CitizenSource {
    public let link: HubLink

    public init(link: HubLink) {
        self.link = link
    }

    public mutating func poll(now: Date) -> [CitizenEvent] { link.drain() }

    public mutating func perform(_ effect: AppEffect, now: Date) -> [CitizenEvent] {
        link.submit(effect)
        return []
    }
}
