import Foundation

/// One line of a transcript.
public struct ChatMessage: Sendable, Equatable {
    /// Who wrote it; `system` and `coach` lines are for the officer or trainee only, never sent to the citizen.
    public enum Author: Sendable, Equatable { case citizen, officer, system, coach }

    public var author: Author
    public var text: String
    public var time: Date

    public init(author: Author, text: String, time: Date) {
        self.author = author
        self.text = text
        self.time = time
    }
}

/// A citizen's chat as the counter sees it: transcript, engine state, waiting time, draft.
public struct CitizenChat: Sendable {
    /// Where the citizen is in the office's day.
    public enum Status: Sendable, Equatable { case active, finished, left }

    public let number: Int
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
}

/// The whole state of the counter screen; changed only by `update`.
public struct AppState: Sendable {
    public internal(set) var chats: [CitizenChat] = []
    /// Indices of active chats in queue order: priority first, then the longest wait. Kept by `update`, so
    /// drawing a frame never sorts the queue.
    public internal(set) var order: [Int] = []
    public internal(set) var selected: Int?
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
    public internal(set) var history: [String] = []
    private var historyPosition: Int?
    public let thresholds: WaitThresholds
    public internal(set) var receipts = ReceiptBook()
    public internal(set) var simulator: Simulator?
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

    public init(now: Date, width: Int, height: Int, simulator: Simulator?, thresholds: WaitThresholds = .liveChat,
                hideSuggestions: Bool = false) {
        self.now = now
        self.width = width
        self.height = height
        self.simulator = simulator
        self.thresholds = thresholds
        self.hideSuggestions = hideSuggestions
    }

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
            if var simulator {
                // Once the shift's citizen limit is reached no one new comes.
                if let limit = citizenLimit { simulator.maximumCitizens = limit }
                let outputs = simulator.tick(now)
                self.simulator = simulator
                apply(outputs, engine: engine)
            }
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
        case .tab:
            cycleSuggestion(by: 1)
        case .backTab:
            cycleSuggestion(by: -1)
        case .enter:
            send(engine: engine)
        case .pageUp:
            scroll(by: max(height / 2, 1))
        case .pageDown:
            scroll(by: -max(height / 2, 1))
        case .up:
            recallHistory(older: true)
        case .down:
            recallHistory(older: false)
        default:
            editInput(key)
        }
        return []
    }

    private mutating func editInput(_ key: Key) {
        guard let index = selected else { return }
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
        default: return
        }
        historyPosition = nil
    }

    private mutating func cycleSuggestion(by delta: Int) {
        guard let index = selected, !suggestions.isEmpty, !hideSuggestions else { return }
        let count = suggestions.count
        let next = suggestionIndex.map { (($0 + delta) % count + count) % count } ?? (delta > 0 ? 0 : count - 1)
        suggestionIndex = next
        chats[index].draft = InputLine(suggestions[next].text)
    }

    private mutating func recallHistory(older: Bool) {
        guard let index = selected, !history.isEmpty else { return }
        var position = historyPosition ?? history.count
        position = older ? max(position - 1, 0) : position + 1
        if position >= history.count {
            historyPosition = nil
            chats[index].draft = InputLine()
        } else {
            historyPosition = position
            chats[index].draft = InputLine(history[position])
        }
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
        if let position {
            next = ((position + delta) % order.count + order.count) % order.count
        } else {
            next = delta > 0 ? 0 : order.count - 1
        }
        select(order[next], engine: engine)
    }

    private mutating func select(_ index: Int, engine: Engine) {
        selected = index
        chats[index].unread = 0
        refreshSuggestions(engine: engine)
    }

    private mutating func send(engine: Engine) {
        guard let index = selected else { return }
        let text = chats[index].draft.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, chats[index].status == .active else { return }
        // A suggestion sent as it was keeps its kind; edited or own words are recognised by the engine.
        let kind = suggestionIndex.flatMap { suggestions.indices.contains($0) && suggestions[$0].text == text ? suggestions[$0].kind : nil }
        var conversation = chats[index].conversation
        let waited = conversation.unansweredSince.map { now.timeIntervalSince($0) } ?? 0
        let (recorded, assessment) = engine.recordOfficer(
            text, kind: kind, in: &conversation, judgedAt: now, by: engine.coach.with(thresholds: thresholds))
        chats[index].conversation = conversation
        chats[index].messages.append(ChatMessage(author: .officer, text: text, time: now))
        chats[index].replies.append(
            ReplyRecord(kind: recorded.rawValue, waited: waited, score: assessment.score, tips: assessment.tips))
        let verdict = Catalogue.Screen.coachVerdict(score: assessment.score, tip: assessment.tips.first)
        chats[index].messages.append(ChatMessage(author: .coach, text: verdict, time: now))
        coachFlash = (verdict, now.addingTimeInterval(6))
        chats[index].draft = InputLine()
        chats[index].scrollBack = 0
        chats[index].newWhileScrolled = false
        history.append(text)
        historyPosition = nil
        reposition(index)
        if var simulator {
            let outputs = simulator.officerReplied(chat: chats[index].number - 1, kind: recorded, at: now)
            self.simulator = simulator
            apply(outputs, engine: engine)
        }
        refreshSuggestions(engine: engine)
    }

    // MARK: Citizens

    /// Adds a citizen chat (trainee arrivals now; the hub later) and selects it when nothing is selected.
    public mutating func addCitizen(name: String?, honorific: Honorific?, priority: Bool, engine: Engine) -> Int {
        let index = chats.count
        var conversation = Conversation(id: "warga-\(index + 1)")
        conversation.honorific = honorific
        chats.append(CitizenChat(number: index + 1, name: name, conversation: conversation, priority: priority, arrived: now))
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
    public mutating func receive(_ text: String, chat index: Int, engine: Engine) {
        guard chats.indices.contains(index) else { return }
        var conversation = chats[index].conversation
        engine.receiveCitizen(text, in: &conversation, at: now)
        chats[index].conversation = conversation
        chats[index].messages.append(ChatMessage(author: .citizen, text: text, time: now))
        chats[index].typingUntil = nil
        if index != selected { chats[index].unread += 1 }
        if chats[index].scrollBack > 0 { chats[index].newWhileScrolled = true }
        reposition(index)
        if index == selected { refreshSuggestions(engine: engine) }
    }

    private mutating func apply(_ outputs: [Simulator.Output], engine: Engine) {
        for output in outputs {
            switch output {
            case .arrive(let chat, let name, let honorific, let priority, let scenario):
                let index = addCitizen(name: name, honorific: honorific, priority: priority, engine: engine)
                assert(index == chat, "simulator and app number chats alike")
                chats[index].scenario = scenario
            case .typing(let chat, let until):
                setTyping(chat: chat, until: until)
            case .say(let chat, let text):
                receive(text, chat: chat, engine: engine)
            case .leave(let chat):
                close(chat, status: .left, note: Catalogue.Screen.citizenLeft)
            case .finish(let chat):
                close(chat, status: .finished, note: Catalogue.Screen.citizenFinished)
            }
        }
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

    private mutating func refreshSuggestions(engine: Engine) {
        suggestionIndex = nil
        guard let index = selected, chats[index].status == .active else {
            suggestions = []
            return
        }
        var conversation = chats[index].conversation
        suggestions = engine.suggestions(for: &conversation, receipts: &receipts, at: now)
        chats[index].conversation = conversation
    }
}
