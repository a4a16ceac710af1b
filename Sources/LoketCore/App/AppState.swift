#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One line of a transcript.
public struct ChatMessage: Sendable, Equatable {
    /// Who wrote it; `system` and `coach` lines are for the officer or trainee only, never sent to the citizen.
    public enum Author: Sendable, Equatable { case citizen, officer, system, coach }

    public var author: Author
    public var text: String
    public var time: Date
    /// A reply not yet stored by the hub (live mode): shown as pending until it is.
    public var pending: Bool
    /// This screen's id for a reply it sent, to match the hub's acknowledgement.
    public var localID: String?
    /// WhatsApp: how far this reply got (nil: not sent over WhatsApp, or no word yet).
    public var delivery: Delivery?

    /// How far a reply sent over WhatsApp got, as Meta reports it.
    public enum Delivery: String, Sendable, Equatable, CaseIterable { case sent, delivered, read, failed }

    public init(author: Author, text: String, time: Date, pending: Bool = false, localID: String? = nil) {
        self.author = author
        self.text = text
        self.time = time
        self.pending = pending
        self.localID = localID
    }
}

/// A citizen's chat as the counter sees it: transcript, engine state, waiting time, draft.
public struct CitizenChat: Sendable {
    /// Where the citizen is in the office's day.
    public enum Status: Sendable, Equatable { case active, finished, left }

    public let number: Int
    /// The source's name for this chat (the hub's conversation id; `warga-N` in training).
    public let key: String
    public var name: String?
    public var conversation: Conversation
    public var messages: [ChatMessage] = []
    public var unread = 0
    public var priority: Bool
    /// The first citizen message the officer has not answered yet; nobody waits in a closed chat.
    public var waitingSince: Date? { status == .active ? conversation.unansweredSince : nil }
    public let arrived: Date
    public var draft = InputLine()
    public var typingUntil: Date?
    public var status: Status = .active
    /// Lines scrolled back from the end of the transcript (0: following the newest).
    public var scrollBack = 0
    /// New messages came while scrolled back.
    public var newWhileScrolled = false
    /// Every reply the officer sent, with how long the citizen had waited and the coach's verdict.
    public var replies: [ReplyRecord] = []
    public var scenario: String?
    /// Lines sent to this citizen, oldest first, for ↑/↓: never another citizen's text.
    public var sentHistory: [String] = []
    /// Where ↑/↓ stands in `sentHistory` (nil: at the draft).
    var historyPosition: Int?
    /// The officer handling this chat in live mode (nil: in the shared queue).
    public var assignedTo: String?
    /// Suggestions the hub's engine made for this chat (live mode).
    public var remoteSuggestions: [Suggestion] = []
    /// WhatsApp: free-form replies are possible until then (nil: not a WhatsApp chat).
    public var replyUntil: Date?

    public var displayName: String { name ?? conversation.name ?? Catalogue.Screen.citizenLabel(number) }
}

/// One sent reply as the shift report sees it.
public struct ReplyRecord: Sendable, Equatable, Codable {
    public var kind: String
    /// Seconds the citizen had waited for this reply (0 when nothing was unanswered).
    public var waited: Double
    public var score: Int
    public var tips: [String]
}

/// Wait thresholds for the queue's colours.
public struct WaitThresholds: Sendable, Equatable {
    public var warning: TimeInterval
    public var breach: TimeInterval
    /// The reference's 1×24 hours for digital channels: never beyond this.
    public var hardLimit: TimeInterval

    public init(warning: TimeInterval, breach: TimeInterval, hardLimit: TimeInterval) {
        self.warning = warning
        self.breach = breach
        self.hardLimit = hardLimit
    }

    /// Live chat expects answers within minutes; the 24-hour standard is the outer limit.
    public static let liveChat = WaitThresholds(warning: 60, breach: 180, hardLimit: 24 * 3600)

    /// How urgent a wait of `seconds` is.
    public enum Level: Sendable, Equatable { case normal, warning, breach, overLimit }

    public func level(_ seconds: TimeInterval) -> Level {
        if seconds >= hardLimit { return .overLimit }
        if seconds >= breach { return .breach }
        if seconds >= warning { return .warning }
        return .normal
    }
}

/// What the app asks of the outside world.
public enum AppEffect: Sendable, Equatable {
    case quit
    /// Send a reply; `localID` comes back in `delivered` or `refused`.
    case reply(key: String, text: String, kind: ReplyKind?, localID: String)
    case take(key: String, localID: String)
    case note(key: String, text: String, localID: String)
    /// Hand the chat to a colleague (nil: back to the shared queue).
    case transfer(key: String, to: String?, localID: String)
    case close(key: String, localID: String)
    case typing(key: String)
}

/// The whole state of the counter screen; changed only by `update`.
public struct AppState: Sendable {
    public internal(set) var chats: [CitizenChat] = []
    /// Indices of active chats in queue order: priority first, then the longest wait. Kept by `update`, so
    /// drawing a frame never sorts the queue.
    public internal(set) var order: [Int] = []
    public internal(set) var selected: Int?
    /// The chats around the selected one before the officer's reply moved it down the queue, so that Ctrl-N goes
    /// on to the citizen who was next rather than round to the top (the priority citizen), and Ctrl-P back.
    private var neighboursBeforeReply: (chat: Int, next: Int?, previous: Int?)?
    public internal(set) var suggestions: [Suggestion] = []
    /// The suggestion Tab last put into the input line.
    public internal(set) var suggestionIndex: Int?
    public internal(set) var showWhy = false
    public internal(set) var showHelp = false
    public internal(set) var confirmingQuit = false
    public internal(set) var hideSuggestions: Bool
    public internal(set) var now: Date
    public internal(set) var width: Int
    public internal(set) var height: Int
    public let thresholds: WaitThresholds
    public internal(set) var receipts = ReceiptBook()
    /// Live mode: replies go to a hub, suggestions come from it, and no coach judges them.
    public let live: Bool
    /// Prefix of this screen's reply ids: unique per run, so a restarted screen never repeats an earlier id.
    private let idPrefix: String
    private var nextLocalID = 0
    private var keyIndex: [String: Int] = [:]
    /// What is wrong with the live connection (shown in the status bar); nil while connected.
    public internal(set) var connectionProblem: String?
    /// The coach's verdict on the last reply, shown until `until`.
    public internal(set) var coachFlash: (text: String, until: Date)?
    /// A message for the officer that takes the status bar until `until` (a theme that could not be used).
    public internal(set) var notice: (text: String, until: Date)?

    /// Shows `text` on the status bar for `seconds`, at once.
    public mutating func announce(_ text: String, for seconds: Double) {
        notice = (text, now.addingTimeInterval(seconds))
    }
    /// Trainee shift limits: the shift ends at this time, or once this many citizens have come and gone.
    public var shiftEnd: Date?
    public var citizenLimit: Int?
    public internal(set) var shiftOver = false

    public init(now: Date, width: Int, height: Int, thresholds: WaitThresholds = .liveChat,
                hideSuggestions: Bool = false, live: Bool = false, idPrefix: String = "r") {
        self.now = now
        self.width = width
        self.height = height
        self.thresholds = thresholds
        self.hideSuggestions = hideSuggestions
        self.live = live
        self.idPrefix = idPrefix
    }

    /// The chat a source's key names.
    public func chatIndex(key: String) -> Int? { keyIndex[key] }

    public var selectedChat: CitizenChat? { selected.map { chats[$0] } }

    /// The input line shown: the selected chat's draft.
    public var input: InputLine { selected.map { chats[$0].draft } ?? InputLine() }

    /// Chats in the queue whose citizen waits for an answer; kept with `order` so the status bar never counts.
    private var waiting = Set<Int>()

    public var waitingCount: Int { waiting.count }
    public var activeCount: Int { order.count - waiting.count }
    public var doneCount: Int { chats.count - order.count }

    /// Seconds the chat has waited for an answer, 0 when answered.
    public func waited(_ chat: CitizenChat) -> TimeInterval {
        chat.waitingSince.map { max(0, now.timeIntervalSince($0)) } ?? 0
    }

    // MARK: Update

    /// Applies one event; the only way the state changes.
    public mutating func update(_ event: AppEvent, engine: Engine) -> [AppEffect] {
        switch event {
        case .tick(let time):
            now = max(now, time)
            return checkShiftOver()
        case .citizen(let citizenEvent):
            apply(citizenEvent, engine: engine)
            return checkShiftOver()
        case .resize(let width, let height):
            self.width = width
            self.height = height
            return []
        case .inputClosed:
            return [.quit]
        case .key(let key):
            return handle(key, engine: engine)
        }
    }

    /// The shift ends at its time limit, or when the citizen limit has come and every citizen has gone.
    private mutating func checkShiftOver() -> [AppEffect] {
        guard !shiftOver else { return [] }
        let timeUp = shiftEnd.map { now >= $0 } ?? false
        let everyoneServed = citizenLimit.map { chats.count >= $0 && order.isEmpty } ?? false
        guard timeUp || everyoneServed else { return [] }
        shiftOver = true
        return [.quit]
    }

    private mutating func handle(_ key: Key, engine: Engine) -> [AppEffect] {
        if confirmingQuit {
            switch key {
            case .character("y"), .character("Y"), .function(10): return [.quit]
            default:
                confirmingQuit = false
                return []
            }
        }
        if showHelp {
            if key == .escape || key == .function(1) || key == .enter { showHelp = false }
            return []
        }
        switch key {
        case .function(10), .control("c"):
            if chats.contains(where: { !$0.draft.isEmpty }) {
                confirmingQuit = true
                return []
            }
            return [.quit]
        case .function(1):
            showHelp = true
        case .function(2):
            showWhy.toggle()
        case .escape:
            showWhy = false
        case .control("n"):
            step(by: 1, engine: engine)
        case .control("p"):
            step(by: -1, engine: engine)
        case .function(3), .function(4), .function(5), .function(6):
            return liveCommand(key)
        case .function(7):
            jumpToLongestWaiting(engine: engine)
        case .function(8):
            browseFinished(engine: engine)
        case .tab:
            cycleSuggestion(by: 1)
        case .backTab:
            cycleSuggestion(by: -1)
        case .enter:
            return send(engine: engine)
        case .pageUp:
            scroll(by: max(height / 2, 1))
        case .pageDown:
            scroll(by: -max(height / 2, 1))
        case .up:
            recallHistory(older: true)
        case .down:
            recallHistory(older: false)
        default:
            return editInput(key)
        }
        return []
    }

    /// When this screen last told the hub the officer is typing, per chat (live mode).
    private var typingSent: [Int: Date] = [:]

    private mutating func editInput(_ key: Key) -> [AppEffect] {
        guard let index = selected else { return [] }
        // Edited where it lies: a copy taken out and put back would copy the whole draft on every key.
        switch key {
        case .character(let character): chats[index].draft.insert(String(character))
        case .backspace: chats[index].draft.deleteBackward()
        case .delete: chats[index].draft.deleteForward()
        case .left: chats[index].draft.moveLeft()
        case .right: chats[index].draft.moveRight()
        case .home, .control("a"): chats[index].draft.moveHome()
        case .end, .control("e"): chats[index].draft.moveEnd()
        case .control("u"): chats[index].draft.deleteToStart()
        case .control("w"): chats[index].draft.deleteWordBackward()
        default: return []
        }
        chats[index].historyPosition = nil
        // The citizen sees "typing…" while the officer writes; one signal every few seconds is enough.
        guard live, case .character = key, now.timeIntervalSince(typingSent[index] ?? .distantPast) >= 3 else { return [] }
        typingSent[index] = now
        return [.typing(key: chats[index].key)]
    }

    private mutating func cycleSuggestion(by delta: Int) {
        guard let index = selected, !suggestions.isEmpty, !hideSuggestions else { return }
        let count = suggestions.count
        let next = suggestionIndex.map { (($0 + delta) % count + count) % count } ?? (delta > 0 ? 0 : count - 1)
        suggestionIndex = next
        chats[index].draft = InputLine(suggestions[next].text)
    }

    private mutating func recallHistory(older: Bool) {
        guard let index = selected, !chats[index].sentHistory.isEmpty else { return }
        let history = chats[index].sentHistory
        var position = chats[index].historyPosition ?? history.count
        position = older ? max(position - 1, 0) : position + 1
        if position >= history.count {
            chats[index].historyPosition = nil
            chats[index].draft = InputLine()
        } else {
            chats[index].historyPosition = position
            chats[index].draft = InputLine(history[position])
        }
    }

    /// Opens the finished conversations for reading, the most recent first, one more on each press.
    private mutating func browseFinished(engine: Engine) {
        let finished = chats.indices.filter { chats[$0].status != .active }.reversed().map { $0 }
        guard !finished.isEmpty else {
            announce(Catalogue.Screen.noFinished, for: 4)
            return
        }
        let position = selected.flatMap { finished.firstIndex(of: $0) }
        select(finished[position.map { ($0 + 1) % finished.count } ?? 0], engine: engine)
    }

    /// Selects the active chat whose citizen has waited longest for an answer (priority or not).
    private mutating func jumpToLongestWaiting(engine: Engine) {
        let waitingChats = order.filter { chats[$0].waitingSince != nil }
        guard let longest = waitingChats.min(by: { (chats[$0].waitingSince ?? now) < (chats[$1].waitingSince ?? now) })
        else { return }
        select(longest, engine: engine)
    }

    private mutating func scroll(by lines: Int) {
        guard let index = selected else { return }
        chats[index].scrollBack = max(0, chats[index].scrollBack + lines)
        if chats[index].scrollBack == 0 { chats[index].newWhileScrolled = false }
    }

    /// Moves the selection along the queue order (wrapping), keeping every draft where it was.
    private mutating func step(by delta: Int, engine: Engine) {
        guard !order.isEmpty else { return }
        let position = selected.flatMap { order.firstIndex(of: $0) }
        let next: Int
        if let moved = neighboursBeforeReply, moved.chat == selected,
            let neighbour = (delta > 0 ? moved.next : moved.previous).flatMap({ order.firstIndex(of: $0) })
        {
            next = neighbour
        } else if let position {
            next = ((position + delta) % order.count + order.count) % order.count
        } else {
            next = delta > 0 ? 0 : order.count - 1
        }
        select(order[next], engine: engine)
    }

    private mutating func select(_ index: Int, engine: Engine) {
        selected = index
        neighboursBeforeReply = nil
        chats[index].unread = 0
        refreshSuggestions(engine: engine)
    }

    private mutating func send(engine: Engine) -> [AppEffect] {
        guard let index = selected else { return [] }
        let text = chats[index].draft.text.trimmingWhitespaceAndNewlines()
        guard !text.isEmpty, chats[index].status == .active || live else { return [] }
        // A suggestion sent as it was keeps its kind; edited or own words are recognised by the engine.
        let kind = suggestionIndex.flatMap { suggestions.indices.contains($0) && suggestions[$0].text == text ? suggestions[$0].kind : nil }
        if live { return sendLive(text, kind: kind, chat: index) }
        var conversation = chats[index].conversation
        let waited = conversation.unansweredSince.map { now.timeIntervalSince($0) } ?? 0
        let (recorded, assessment) = engine.recordOfficer(
            text, kind: kind, in: &conversation, judgedAt: now, by: engine.coach.with(thresholds: thresholds))
        chats[index].conversation = conversation
        chats[index].messages.append(ChatMessage(author: .officer, text: text, time: now))
        chats[index].replies.append(
            ReplyRecord(kind: recorded.rawValue, waited: waited, score: assessment.score, tips: assessment.tips))
        // The status bar has room for the most serious tip; the transcript keeps them all.
        let verdict = Catalogue.Screen.coachVerdict(score: assessment.score, tip: assessment.tips.first)
        chats[index].messages.append(
            ChatMessage(author: .coach, text: Catalogue.Screen.coachVerdict(score: assessment.score, tips: assessment.tips), time: now))
        coachFlash = (verdict, now.addingTimeInterval(6))
        chats[index].draft = InputLine()
        chats[index].scrollBack = 0
        chats[index].newWhileScrolled = false
        chats[index].sentHistory.append(text)
        chats[index].historyPosition = nil
        let position = order.firstIndex(of: index)
        let neighbours = position.map { position in
            (chat: index, next: position + 1 < order.count ? order[position + 1] : nil,
             previous: position > 0 ? order[position - 1] : nil)
        }
        reposition(index)
        if order.firstIndex(of: index) != position { neighboursBeforeReply = neighbours }
        refreshSuggestions(engine: engine)
        return [.reply(key: chats[index].key, text: text, kind: recorded, localID: makeLocalID())]
    }

    /// Live mode: the reply shows at once as pending; the hub judges and stores it, and its acknowledgement
    /// (`delivered`) settles it. Nothing is lost while disconnected: the link queues it.
    private mutating func sendLive(_ text: String, kind: ReplyKind?, chat index: Int) -> [AppEffect] {
        let localID = makeLocalID()
        chats[index].messages.append(ChatMessage(author: .officer, text: text, time: now, pending: true, localID: localID))
        chats[index].draft = InputLine()
        chats[index].scrollBack = 0
        chats[index].newWhileScrolled = false
        chats[index].sentHistory.append(text)
        chats[index].historyPosition = nil
        return [.reply(key: chats[index].key, text: text, kind: kind, localID: localID)]
    }

    private mutating func makeLocalID() -> String {
        nextLocalID += 1
        return "\(idPrefix)-\(nextLocalID)"
    }

    /// F3 take, F4 note (the input line), F5 transfer (the input line names a colleague; empty: back to the
    /// queue), F6 close: live mode only.
    private mutating func liveCommand(_ key: Key) -> [AppEffect] {
        guard live else {
            announce(Catalogue.Screen.liveOnly, for: 4)
            return []
        }
        guard let index = selected else { return [] }
        let chatKey = chats[index].key
        let text = chats[index].draft.text.trimmingWhitespaceAndNewlines()
        switch key {
        case .function(3):
            return [.take(key: chatKey, localID: makeLocalID())]
        case .function(4):
            guard !text.isEmpty else {
                announce(Catalogue.Screen.noteNeedsText, for: 4)
                return []
            }
            // The note shows when the hub has stored it, like every other officer's note.
            chats[index].draft = InputLine()
            return [.note(key: chatKey, text: text, localID: makeLocalID())]
        case .function(5):
            chats[index].draft = InputLine()
            return [.transfer(key: chatKey, to: text.isEmpty ? nil : text, localID: makeLocalID())]
        default:
            return [.close(key: chatKey, localID: makeLocalID())]
        }
    }

    // MARK: Citizens

    /// Adds a citizen chat (trainee arrivals now; the hub later) and selects it when nothing is selected.
    public mutating func addCitizen(
        name: String?, honorific: Honorific?, priority: Bool, engine: Engine, key: String? = nil
    ) -> Int {
        let index = chats.count
        let key = key ?? SimulatedCitizens.key(index)
        var conversation = Conversation(id: key)
        conversation.honorific = honorific
        chats.append(CitizenChat(
            number: index + 1, key: key, name: name, conversation: conversation, priority: priority, arrived: now))
        keyIndex[key] = index
        reposition(index)
        if selected == nil { select(index, engine: engine) }
        return index
    }

    /// The citizen in chat `index` is writing (the typing indicator shows until `until`).
    public mutating func setTyping(chat index: Int, until: Date) {
        guard chats.indices.contains(index) else { return }
        chats[index].typingUntil = until
    }

    /// Restores earlier messages of a chat (from storage) without analysing them again.
    public mutating func appendHistory(_ messages: [ChatMessage], chat index: Int) {
        guard chats.indices.contains(index) else { return }
        chats[index].messages.append(contentsOf: messages)
    }

    /// A citizen message arrives in chat `index`.
    public mutating func receive(
        _ text: String, chat index: Int, engine: Engine, view: RemoteView? = nil, at time: Date? = nil
    ) {
        guard chats.indices.contains(index) else { return }
        let time = time ?? now
        var conversation = chats[index].conversation
        if live {
            conversation.mirror(stage: view?.stage, serviceID: view?.serviceID, intent: view?.intent, citizenWroteAt: time)
            chats[index].remoteSuggestions = view?.suggestions ?? []
            if chats[index].status != .active {
                // Writing again after a close reopens the conversation with its history.
                chats[index].status = .active
            }
        } else {
            engine.receiveCitizen(text, in: &conversation, at: now)
        }
        chats[index].conversation = conversation
        chats[index].messages.append(ChatMessage(author: .citizen, text: text, time: time))
        chats[index].typingUntil = nil
        if index != selected { chats[index].unread += 1 }
        if chats[index].scrollBack > 0 { chats[index].newWhileScrolled = true }
        reposition(index)
        if index == selected { refreshSuggestions(engine: engine) }
    }

    private mutating func apply(_ event: CitizenEvent, engine: Engine) {
        switch event {
        case .arrived(let key, let name, let honorific, let priority, let scenario):
            if let existing = keyIndex[key] {
                if name != nil { chats[existing].name = name }
                return
            }
            let index = addCitizen(name: name, honorific: honorific, priority: priority, engine: engine, key: key)
            chats[index].scenario = scenario
        case .typing(let key, let until):
            keyIndex[key].map { setTyping(chat: $0, until: until) }
        case .citizenSaid(let key, let text, let time, let view):
            guard let index = keyIndex[key] else { return }
            receive(text, chat: index, engine: engine, view: view, at: time)
        case .officerSaid(let key, let text, let time, let officer, let view):
            guard let index = keyIndex[key] else { return }
            let line = officer.map { Catalogue.Screen.colleagueLine($0, text) } ?? text
            chats[index].messages.append(ChatMessage(author: .officer, text: line, time: time))
            settle(index, view: view)
        case .notice(let key, let text, let time):
            guard let index = keyIndex[key] else { return }
            chats[index].messages.append(ChatMessage(author: .system, text: text, time: time))
        case .citizenSent(let key, let text, let time):
            guard let index = keyIndex[key] else { return }
            var conversation = chats[index].conversation
            conversation.mirror(stage: nil, serviceID: nil, intent: nil, citizenWroteAt: time)
            chats[index].conversation = conversation
            if chats[index].status != .active { chats[index].status = .active }
            chats[index].messages.append(ChatMessage(author: .system, text: text, time: time))
            if index != selected { chats[index].unread += 1 }
            if chats[index].scrollBack > 0 { chats[index].newWhileScrolled = true }
            reposition(index)
        case .delivered(let localID, let view):
            guard let (index, position) = pendingMessage(localID) else { return }
            chats[index].messages[position].pending = false
            if live { settle(index, view: view) }
        case .refused(let localID, let reason):
            announce(reason, for: 8)
            if let (index, position) = pendingMessage(localID) {
                chats[index].messages[position].pending = false
                chats[index].messages.append(ChatMessage(author: .system, text: Catalogue.Screen.notSent(reason), time: now))
            }
        case .assigned(let key, let officer):
            guard let index = keyIndex[key] else { return }
            chats[index].assignedTo = officer
        case .left(let key):
            keyIndex[key].map { close($0, status: .left, note: Catalogue.Screen.citizenLeft) }
        case .finished(let key):
            keyIndex[key].map { close($0, status: .finished, note: Catalogue.Screen.citizenFinished) }
        case .connection(let problem):
            connectionProblem = problem
        case .replyWindow(let key, let until):
            guard let index = keyIndex[key] else { return }
            chats[index].replyUntil = max(until, chats[index].replyUntil ?? until)
        case .delivery(let key, let localID, let status, let reason):
            guard let index = keyIndex[key] else { return }
            if let localID, let position = chats[index].messages.lastIndex(where: { $0.localID == localID }) {
                // Meta's statuses may arrive out of order: "read" is never taken back by a late "delivered".
                let current = chats[index].messages[position].delivery
                if current != .failed, status == .failed || (current.map { $0.rank < status.rank } ?? true) {
                    chats[index].messages[position].delivery = status
                }
            }
            if status == .failed {
                let text = Catalogue.Screen.whatsAppFailed(reason ?? "")
                chats[index].messages.append(ChatMessage(author: .system, text: text, time: now))
                announce(text, for: 8)
            }
        }
    }

    /// An officer's reply reached the hub: the citizen no longer waits, and the hub's new view takes over.
    private mutating func settle(_ index: Int, view: RemoteView?) {
        var conversation = chats[index].conversation
        conversation.mirror(stage: view?.stage, serviceID: view?.serviceID, intent: nil, citizenWroteAt: nil)
        chats[index].conversation = conversation
        if let view { chats[index].remoteSuggestions = view.suggestions }
        reposition(index)
        if index == selected { refreshSuggestions(engine: nil) }
    }

    private func pendingMessage(_ localID: String) -> (Int, Int)? {
        for index in chats.indices.reversed() {
            if let position = chats[index].messages.lastIndex(where: { $0.localID == localID }) { return (index, position) }
        }
        return nil
    }

    private mutating func close(_ index: Int, status: CitizenChat.Status, note: String) {
        guard chats.indices.contains(index) else { return }
        chats[index].status = status
        chats[index].typingUntil = nil
        chats[index].messages.append(ChatMessage(author: .system, text: note, time: now))
        reposition(index)
    }

    /// Moves one chat to its place in the queue order after its wait, priority or status changed: a binary
    /// search and one insertion, so a busy day with thousands of citizens never re-sorts the whole queue.
    private mutating func reposition(_ index: Int) {
        if let current = order.firstIndex(of: index) { order.remove(at: current) }
        waiting.remove(index)
        guard chats[index].status == .active else { return }
        if chats[index].waitingSince != nil { waiting.insert(index) }
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            if comesBefore(order[middle], index) { low = middle + 1 } else { high = middle }
        }
        order.insert(index, at: low)
    }

    /// Queue order: priority first, then the longest unanswered wait, then answered chats by arrival.
    private func comesBefore(_ lhs: Int, _ rhs: Int) -> Bool {
        let left = chats[lhs]
        let right = chats[rhs]
        if left.priority != right.priority { return left.priority }
        switch (left.waitingSince, right.waitingSince) {
        case let (l?, r?): return l != r ? l < r : lhs < rhs
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return left.arrived != right.arrived ? left.arrived < right.arrived : lhs < rhs
        }
    }

    private mutating func refreshSuggestions(engine: Engine?) {
        suggestionIndex = nil
        guard let index = selected, chats[index].status == .active else {
            suggestions = []
            return
        }
        if live {
            suggestions = chats[index].remoteSuggestions
            return
        }
        guard let engine else { return }
        var conversation = chats[index].conversation
        suggestions = engine.suggestions(for: &conversation, receipts: &receipts, at: now)
        chats[index].conversation = conversation
    }
}

extension ChatMessage.Delivery {
    /// Order of progress: a status only ever moves a reply forward.
    var rank: Int {
        switch self {
        case .sent: 1
        case .delivered: 2
        case .read: 3
        case .failed: 4
        }
    }
}
