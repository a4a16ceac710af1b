import Foundation

/// The hub engine's view of a conversation after a message, as the live screen shows it.
public struct RemoteView: Sendable, Equatable {
    public var stage: Stage?
    public var intent: Intent?
    public var serviceID: String?
    public var suggestions: [Suggestion]

    public init(stage: Stage?, intent: Intent?, serviceID: String?, suggestions: [Suggestion]) {
        self.stage = stage
        self.intent = intent
        self.serviceID = serviceID
        self.suggestions = suggestions
    }

    /// Reads the `engine` object the hub attaches to message events (the `loket engine` output line).
    public init?(engine json: JSON?) {
        guard let json, case .object = json else { return nil }
        stage = json["stage"]?.stringValue.flatMap(Stage.init(rawValue:))
        intent = json["intent"]?.stringValue.map { Intent($0) }
        serviceID = json["entities"]?["service"]?.stringValue
        var suggestions: [Suggestion] = []
        if case .array(let items)? = json["suggestions"] {
            for item in items {
                guard let kind = item["kind"]?.stringValue, let text = item["text"]?.stringValue else { continue }
                suggestions.append(Suggestion(kind: ReplyKind(kind), text: text, why: item["why"]?.stringValue ?? ""))
            }
        }
        self.suggestions = suggestions
    }
}

/// Something that happened to a citizen's chat, from whichever source feeds the screen.
public enum CitizenEvent: Sendable, Equatable {
    /// A citizen came to the counter; `key` names the chat from now on (a conversation id).
    case arrived(key: String, name: String?, honorific: Honorific?, priority: Bool, scenario: String?)
    case typing(key: String, until: Date)
    /// The citizen wrote; `view` is the hub engine's reading (nil: understand it here).
    case citizenSaid(key: String, text: String, time: Date, view: RemoteView?)
    /// An officer wrote (a colleague, or this officer from another terminal).
    case officerSaid(key: String, text: String, time: Date, officer: String?, view: RemoteView?)
    /// A line only officers see: an internal note or a notice from the system.
    case notice(key: String, text: String, time: Date)
    /// The citizen sent what only a person can look at (a file over WhatsApp): `text` tells the officer what
    /// arrived, and the citizen now waits for an answer.
    case citizenSent(key: String, text: String, time: Date)
    /// A reply this screen sent has been stored by the hub.
    case delivered(localID: String, view: RemoteView?)
    /// A reply or command this screen sent was refused; the reason is for the officer.
    case refused(localID: String, reason: String)
    case assigned(key: String, officer: String?)
    case left(key: String)
    case finished(key: String)
    /// The live link went down (with what to show) or came back (nil).
    case connection(problem: String?)
    /// WhatsApp: free-form replies to this chat are possible until `until` (24 hours after the citizen wrote).
    case replyWindow(key: String, until: Date)
    /// WhatsApp: how far a reply got; `localID` when this screen sent it, `reason` when it failed.
    case delivery(key: String, localID: String?, status: ChatMessage.Delivery, reason: String?)
}

/// Where citizens come from: simulated citizens in training, a hub in live mode. The screen's state never
/// knows which; the loop polls the source and hands it the effects `update` returns.
public protocol CitizenSource {
    /// Events due by `now`.
    mutating func poll(now: Date) -> [CitizenEvent]
    /// Carries out what the officer did (a reply, a take, …); may answer with events at once.
    mutating func perform(_ effect: AppEffect, now: Date) -> [CitizenEvent]
    /// The session's engine, handed over when the session starts (a source that reads replies itself uses it).
    mutating func use(engine: Engine)
}

extension CitizenSource {
    public mutating func use(engine: Engine) {}
}

/// Trainee mode's source: the seeded `Simulator`, its chats keyed `warga-N`.
public struct SimulatedCitizens: CitizenSource {
    public private(set) var simulator: Simulator
    /// Reads each reply for everything it did (acts, rudeness, a wrong fact); without it citizens see only the
    /// reply's main kind. A `CounterSession` hands over its engine.
    public private(set) var engine: Engine?

    public init(simulator: Simulator, engine: Engine? = nil) {
        self.simulator = simulator
        self.engine = engine
        if let engine { self.simulator.use(script: engine.script) }
    }

    /// Citizens read replies with `engine` and keep the office clock and receipt numbers of its script.
    public mutating func use(engine: Engine) {
        self.engine = engine
        simulator.use(script: engine.script)
    }

    public static func key(_ chat: Int) -> String { "warga-\(chat + 1)" }

    public mutating func poll(now: Date) -> [CitizenEvent] {
        simulator.tick(now).map { Self.event($0, at: now) }
    }

    public mutating func perform(_ effect: AppEffect, now: Date) -> [CitizenEvent] {
        guard case .reply(let key, let text, let kind, let localID) = effect, let kind,
            let chat = Int(key.dropFirst("warga-".count)).map({ $0 - 1 })
        else { return [] }
        return [.delivered(localID: localID, view: nil)]
            + simulator.officerReplied(chat: chat, reply: reply(text, kind: kind, at: now), at: now)
                .map { Self.event($0, at: now) }
    }

    /// What the citizen notices in `text`: every act (the kind the screen recorded first), and whether it was
    /// rude or stated a wrong fact. Judged without the conversation: those findings do not depend on it.
    private func reply(_ text: String, kind: ReplyKind, at now: Date) -> OfficerReply {
        guard let engine else { return OfficerReply(kinds: [kind]) }
        var reading = engine.readOfficer(text)
        reading.kinds.removeAll { $0 == kind }
        reading.kinds.insert(kind, at: 0)
        let assessment = engine.coach.assess(text, reading: reading, in: Conversation(id: "citizen-view"), at: now)
        return OfficerReply(reading: reading, assessment: assessment)
    }

    private static func event(_ output: Simulator.Output, at now: Date) -> CitizenEvent {
        switch output {
        case .arrive(let chat, let name, let honorific, let priority, let scenario):
            .arrived(key: key(chat), name: name, honorific: honorific, priority: priority, scenario: scenario)
        case .typing(let chat, let until): .typing(key: key(chat), until: until)
        case .say(let chat, let text): .citizenSaid(key: key(chat), text: text, time: now, view: nil)
        case .leave(let chat): .left(key: key(chat))
        case .finish(let chat): .finished(key: key(chat))
        }
    }
}

/// The screen's state together with its citizen source: events go through `update`, the effects they return go
/// to the source, and what the source answers goes back through `update`, until nothing is left. Training and
/// live mode run the same loop over it; tests drive it without a terminal.
@dynamicMemberLookup
public struct CounterSession<Source: CitizenSource> {
    public var state: AppState
    public var source: Source
    public let engine: Engine

    public init(state: AppState, source: Source, engine: Engine) {
        self.state = state
        self.source = source
        self.engine = engine
        self.source.use(engine: engine)
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<AppState, Value>) -> Value { state[keyPath: keyPath] }

    /// Applies `event` and everything it sets off; true when an effect asks to quit.
    @discardableResult
    public mutating func handle(_ event: AppEvent) -> Bool {
        route(state.update(event, engine: engine))
    }

    /// Moves the clock to `now` and applies the source's due events; true when an effect asks to quit.
    @discardableResult
    public mutating func advance(to now: Date) -> Bool {
        var quit = handle(.tick(now))
        for event in source.poll(now: now) where handle(.citizen(event)) { quit = true }
        return quit
    }

    private mutating func route(_ effects: [AppEffect]) -> Bool {
        var pending = effects
        var quit = false
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            if effect == .quit {
                quit = true
                continue
            }
            for event in source.perform(effect, now: state.now) {
                pending += state.update(.citizen(event), engine: engine)
            }
        }
        return quit
    }
}
