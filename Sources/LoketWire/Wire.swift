import Foundation
import LoketCore

/// Version 1 of the hub's wire protocol: JSON text frames, one object each, `type` first (DESIGN.md, "Live mode").
public enum Wire {
    public static let version = 1
    /// Longest message text in characters.
    public static let maximumTextLength = 4_000
    /// Largest frame in bytes.
    public static let maximumFrameSize = 64 * 1024

    /// RFC 3339 in UTC with milliseconds, the form every `time` field takes on the wire.
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = milliseconds - seconds * 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(date)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(millis)Z"
    }
}

/// Who wrote a message.
public enum MessageAuthor: String, Sendable, Equatable {
    case citizen, officer, system
}

/// The kinds of stored event (and `typing`, which is never stored).
public enum EventKind: String, Sendable, Equatable, CaseIterable {
    case conversationCreated = "conversation.created"
    case message, note, assigned, closed, survey, typing
    /// What became of an officer message sent out over a channel (WhatsApp): officers only.
    case status
}

/// How far an officer message sent over WhatsApp got, as Meta reports it (`failed`: it never arrived).
public enum DeliveryStatus: String, Sendable, Equatable, CaseIterable {
    case sent, delivered, read, failed
}

/// The WhatsApp channel's part of the wire protocol.
public enum WhatsAppWire {
    /// The `channel` name in events of WhatsApp conversations.
    public static let channel = "whatsapp"
    /// Meta's customer-service window: free-form replies only this long after the citizen's last message.
    public static let replyWindow: TimeInterval = 24 * 3600
    /// Conversation ids of WhatsApp senders start with this, followed by the sender's `wa_id`.
    public static let conversationPrefix = "wa-"

    /// The conversation id of the WhatsApp sender `waID`.
    public static func conversationID(waID: String) -> String { conversationPrefix + waID }

    /// The `wa_id` of a WhatsApp conversation; nil for a web citizen's conversation.
    public static func waID(conversation: String) -> String? {
        conversation.hasPrefix(conversationPrefix) ? String(conversation.dropFirst(conversationPrefix.count)) : nil
    }
}

/// One event as officers receive it: `{"type":"event","seq":N,"event":KIND,"conversation":ID,…}`.
public struct HubEvent: Sendable, Equatable {
    /// Position in the hub's single, strictly increasing order; nil only for `typing`.
    public var seq: Int64?
    public var kind: EventKind
    public var conversation: String
    public var time: Date
    public var from: MessageAuthor?
    public var text: String?
    /// The officer who wrote a message or note, who was assigned (nil: back to the queue), or who closed.
    public var officer: String?
    /// For `conversation.created`: the citizen's name and honorific as given in `hello`.
    public var name: String?
    public var honorific: String?
    /// For officer messages: the reply kind the hub recorded.
    public var replyKind: String?
    /// For `survey`: the SKM score 1–4 and an optional comment in `text`.
    public var score: Int?
    /// For citizen messages: what `loket engine` prints for that line (officers only, never citizens), as the
    /// compact JSON text it is stored and sent as. The hub writes it once, straight to bytes; neither the store nor
    /// the officer's frame builds it as a value or serialises it again.
    public var encodedEngine: String?
    /// For `status`: the `seq` of the officer message it is about.
    public var refers: Int64?
    /// For `status`: how far that message got.
    public var status: DeliveryStatus?
    /// Channel data for events that came or went over WhatsApp: `{"channel":"whatsapp","wamid":…}` and, for
    /// files, `media` (`type`, `id`, `mime_type`, `filename`, `caption`) so a later version can fetch them.
    public var channel: JSON?

    public init(
        seq: Int64?, kind: EventKind, conversation: String, time: Date, from: MessageAuthor? = nil,
        text: String? = nil, officer: String? = nil, name: String? = nil, honorific: String? = nil,
        replyKind: String? = nil, score: Int? = nil, engine: JSON? = nil, refers: Int64? = nil,
        status: DeliveryStatus? = nil, channel: JSON? = nil
    ) {
        self.seq = seq
        self.kind = kind
        self.conversation = conversation
        self.time = time
        self.from = from
        self.text = text
        self.officer = officer
        self.name = name
        self.honorific = honorific
        self.replyKind = replyKind
        self.score = score
        self.encodedEngine = engine?.serialized
        self.refers = refers
        self.status = status
        self.channel = channel
    }

    /// For a citizen's message that came over WhatsApp (text or a file): when Meta's window for free-form replies
    /// to it ends.
    public var replyUntil: Date? {
        guard kind == .message, channel?["channel"]?.stringValue == WhatsAppWire.channel,
            channel?["wamid"]?.stringValue != nil, from != .officer
        else { return nil }
        // Meta's own send time when known: a message Meta delivered late opened the window when it was written.
        let sent = channel?["sent"]?.stringValue.flatMap(RFC3339.parse)
        return min(time, sent ?? time).addingTimeInterval(WhatsAppWire.replyWindow)
    }

    /// The engine's view as a value (parsed from its text; the hub itself never needs it as one).
    public var engine: JSON? {
        get { encodedEngine.flatMap(JSON.parse) }
        set { encodedEngine = newValue?.serialized }
    }

    /// The frame officers receive.
    public var officerFrame: JSON {
        guard let engine else { return .object(officerMembers) }
        return .object(officerMembers + [("engine", engine)])
    }

    /// `officerFrame` as sent: the engine's view, already text, goes in as it is.
    public var officerFrameText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + (encodedEngine?.utf8.count ?? 0))
        JSON.object(officerMembers).write(into: &bytes)
        if let encodedEngine {
            bytes.removeLast()  // the closing brace
            bytes.append(contentsOf: #","engine":"#.utf8)
            bytes.append(contentsOf: encodedEngine.utf8)
            bytes.append(UInt8(ascii: "}"))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every member of the officer's frame but the engine's view, which comes last.
    private var officerMembers: [(String, JSON)] {
        var members: [(String, JSON)] = [("type", .string("event"))]
        if let seq { members.append(("seq", .integer(Int(seq)))) }
        members.append(("event", .string(kind.rawValue)))
        members.append(("conversation", .string(conversation)))
        members.append(("time", .string(Wire.timestamp(time))))
        if let from { members.append(("from", .string(from.rawValue))) }
        if let text { members.append(("text", .string(text))) }
        switch kind {
        case .assigned: members.append(("officer", officer.map(JSON.string) ?? .null))
        default: if let officer { members.append(("officer", .string(officer))) }
        }
        if let name { members.append(("name", .string(name))) }
        if let honorific { members.append(("honorific", .string(honorific))) }
        if let replyKind { members.append(("kind", .string(replyKind))) }
        if let score { members.append(("score", .integer(score))) }
        if let refers { members.append(("message", .integer(Int(refers)))) }
        if let status { members.append(("status", .string(status.rawValue))) }
        if let channel { members.append(("channel", channel)) }
        if let replyUntil { members.append(("reply_until", .string(Wire.timestamp(replyUntil)))) }
        return members
    }

    /// Reads an officer frame back (the officer's link does this); nil when it is not a well-formed event.
    public init?(officerFrame frame: JSON) {
        guard frame["type"]?.stringValue == "event", let kindText = frame["event"]?.stringValue,
            let kind = EventKind(rawValue: kindText), let conversation = frame["conversation"]?.stringValue
        else { return nil }
        let time = frame["time"]?.stringValue.flatMap(RFC3339.parse) ?? Date()
        let score = frame["score"]?.wholeNumber.map { Int($0) }
        self.init(
            seq: frame["seq"]?.wholeNumber, kind: kind, conversation: conversation, time: time,
            from: frame["from"]?.stringValue.flatMap(MessageAuthor.init(rawValue:)), text: frame["text"]?.stringValue,
            officer: frame["officer"]?.stringValue, name: frame["name"]?.stringValue,
            honorific: frame["honorific"]?.stringValue, replyKind: frame["kind"]?.stringValue, score: score,
            engine: frame["engine"], refers: frame["message"]?.wholeNumber,
            status: frame["status"]?.stringValue.flatMap(DeliveryStatus.init(rawValue:)), channel: frame["channel"])
    }

    /// The message as a citizen sees it: no engine view, no officer username.
    public var citizenFrame: JSON {
        var members: [(String, JSON)] = [("type", .string(kind == .message ? "message" : kind.rawValue))]
        if let seq { members.append(("seq", .integer(Int(seq)))) }
        if let from { members.append(("from", .string(from.rawValue))) }
        if let text { members.append(("text", .string(text))) }
        members.append(("time", .string(Wire.timestamp(time))))
        return .object(members)
    }
}

extension JSON {
    /// The elements of an array (empty for anything else).
    public var arrayItems: [JSON] {
        if case .array(let items) = self { return items }
        return []
    }

    /// An integer however the reader stored it (JSON has one number type); nil for fractions and non-numbers.
    public var wholeNumber: Int64? {
        switch self {
        case .integer(let value): return Int64(value)
        case .number(let value):
            guard value.rounded() == value, abs(value) < 9.0e15 else { return nil }
            return Int64(value)
        default: return nil
        }
    }
}

/// Frames the hub sends that are not events.
public enum HubFrame {
    public static func ack(id: String, seq: Int64) -> JSON {
        .object([("type", .string("ack")), ("id", .string(id)), ("seq", .integer(Int(seq)))])
    }

    public static func error(_ code: WireError.Code, _ message: String, id: String? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", .string("error")), ("code", .string(code.rawValue))]
        members.append(("message", .string(message)))
        if let id { members.append(("id", .string(id))) }
        return .object(members)
    }

    public static func error(_ error: WireError) -> JSON { self.error(error.code, error.message, id: error.id) }
}

/// Why the hub refused a frame; `message` is for people (Indonesian), `code` for programs.
public struct WireError: Error, Sendable, Equatable {
    public enum Code: String, Sendable {
        case invalidJSON = "invalid_json"
        case invalidFrame = "invalid_frame"
        case unknownType = "unknown_type"
        case textTooLong = "text_too_long"
        case frameTooLarge = "frame_too_large"
        case rateLimited = "rate_limited"
        case notFound = "not_found"
        case alreadyTaken = "already_taken"
        case notAllowed = "not_allowed"
        case closedConversation = "closed"
        case unavailable = "unavailable"
        case badHello = "bad_hello"
        case unauthorized = "unauthorized"
        /// A free-form WhatsApp reply after Meta's 24-hour window.
        case windowClosed = "window_closed"
    }

    public var code: Code
    public var message: String
    /// The client id of the command refused, when it had one.
    public var id: String?

    public init(_ code: Code, _ message: String, id: String? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }
}

/// What an officer's client sends.
public enum OfficerCommand: Sendable, Equatable {
    case hello(since: Int64)
    case take(id: String, conversation: String)
    case send(id: String, conversation: String, text: String, kind: String?)
    case note(id: String, conversation: String, text: String)
    case transfer(id: String, conversation: String, to: String?)
    case close(id: String, conversation: String)
    case typing(conversation: String)

    /// The client id, for commands that are acknowledged.
    public var id: String? {
        switch self {
        case .hello, .typing: nil
        case .take(let id, _), .send(let id, _, _, _), .note(let id, _, _), .transfer(let id, _, _), .close(let id, _): id
        }
    }

    public var frame: JSON {
        switch self {
        case .hello(let since):
            return .object([("type", .string("hello")), ("since", .integer(Int(since)))])
        case .take(let id, let conversation):
            return .object([("type", .string("take")), ("id", .string(id)), ("conversation", .string(conversation))])
        case .send(let id, let conversation, let text, let kind):
            var members: [(String, JSON)] = [
                ("type", .string("send")), ("id", .string(id)), ("conversation", .string(conversation)),
                ("text", .string(text)),
            ]
            if let kind { members.append(("kind", .string(kind))) }
            return .object(members)
        case .note(let id, let conversation, let text):
            return .object([
                ("type", .string("note")), ("id", .string(id)), ("conversation", .string(conversation)),
                ("text", .string(text)),
            ])
        case .transfer(let id, let conversation, let to):
            return .object([
                ("type", .string("transfer")), ("id", .string(id)), ("conversation", .string(conversation)),
                ("to", to.map(JSON.string) ?? .null),
            ])
        case .close(let id, let conversation):
            return .object([("type", .string("close")), ("id", .string(id)), ("conversation", .string(conversation))])
        case .typing(let conversation):
            return .object([("type", .string("typing")), ("conversation", .string(conversation))])
        }
    }

    /// Reads a frame; the error says what was wrong, in Indonesian.
    public static func parse(_ text: String) -> Result<OfficerCommand, WireError> {
        Result { () throws(WireError) in
            let reader = try FrameReader(text: text)
            switch try reader.string("type") {
            case "hello":
                return .hello(since: try reader.optionalInteger("since") ?? 0)
            case "take":
                return .take(id: try reader.id(), conversation: try reader.string("conversation"))
            case "send":
                return .send(
                    id: try reader.id(), conversation: try reader.string("conversation"), text: try reader.text(),
                    kind: try reader.optionalString("kind"))
            case "note":
                return .note(id: try reader.id(), conversation: try reader.string("conversation"), text: try reader.text())
            case "transfer":
                return .transfer(
                    id: try reader.id(), conversation: try reader.string("conversation"), to: try reader.optionalString("to"))
            case "close":
                return .close(id: try reader.id(), conversation: try reader.string("conversation"))
            case "typing":
                return .typing(conversation: try reader.string("conversation"))
            case let other:
                throw WireError(.unknownType, Catalogue.Hub.unknownType(other), id: reader.idIfAny)
            }
        }
    }
}

/// What a citizen's page sends.
public enum CitizenCommand: Sendable, Equatable {
    case hello(name: String?, honorific: String?, resume: String?)
    case message(id: String, text: String)
    case typing
    case survey(id: String, score: Int, comment: String?)

    public var frame: JSON {
        switch self {
        case .hello(let name, let honorific, let resume):
            var members: [(String, JSON)] = [("type", .string("hello"))]
            if let name { members.append(("name", .string(name))) }
            if let honorific { members.append(("honorific", .string(honorific))) }
            if let resume { members.append(("resume", .string(resume))) }
            return .object(members)
        case .message(let id, let text):
            return .object([("type", .string("message")), ("id", .string(id)), ("text", .string(text))])
        case .typing:
            return .object([("type", .string("typing"))])
        case .survey(let id, let score, let comment):
            var members: [(String, JSON)] = [("type", .string("survey")), ("id", .string(id)), ("score", .integer(score))]
            if let comment { members.append(("comment", .string(comment))) }
            return .object(members)
        }
    }

    public static func parse(_ text: String) -> Result<CitizenCommand, WireError> {
        Result { () throws(WireError) in
            let reader = try FrameReader(text: text)
            switch try reader.string("type") {
            case "hello":
                return .hello(
                    name: try reader.optionalString("name"), honorific: try reader.optionalString("honorific"),
                    resume: try reader.optionalString("resume"))
            case "message":
                return .message(id: try reader.id(), text: try reader.text())
            case "typing":
                return .typing
            case "survey":
                let id = try reader.id()
                guard let score = try reader.optionalInteger("score"), (1...4).contains(score) else {
                    throw WireError(.invalidFrame, Catalogue.Hub.surveyScore, id: id)
                }
                let comment = try reader.optionalString("comment")
                if let comment, comment.count > Wire.maximumTextLength {
                    throw WireError(.textTooLong, Catalogue.Hub.textTooLong, id: id)
                }
                return .survey(id: id, score: Int(score), comment: comment)
            case let other:
                throw WireError(.unknownType, Catalogue.Hub.unknownType(other), id: reader.idIfAny)
            }
        }
    }
}

/// Field access with the protocol's error messages.
struct FrameReader {
    let frame: JSON

    /// Reads a frame's text: a JSON object, or the error that says why not.
    init(text: String) throws(WireError) {
        guard let value = JSON.parse(text) else { throw WireError(.invalidJSON, Catalogue.Hub.invalidJSON) }
        guard case .object = value else { throw WireError(.invalidFrame, Catalogue.Hub.notAnObject) }
        frame = value
    }

    var idIfAny: String? { frame["id"]?.stringValue }

    func string(_ key: String) throws(WireError) -> String {
        guard let value = frame[key]?.stringValue, !value.isEmpty else {
            throw WireError(.invalidFrame, Catalogue.Hub.missingField(key), id: idIfAny)
        }
        return value
    }

    func optionalString(_ key: String) throws(WireError) -> String? {
        guard let value = frame[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw WireError(.invalidFrame, Catalogue.Hub.mustBeText(key), id: idIfAny) }
        return text
    }

    func optionalInteger(_ key: String) throws(WireError) -> Int64? {
        guard let value = frame[key], value != .null else { return nil }
        guard let number = value.wholeNumber else { throw WireError(.invalidFrame, Catalogue.Hub.mustBeNumber(key), id: idIfAny) }
        return number
    }

    /// Client ids: non-empty, at most 128 characters.
    func id() throws(WireError) -> String {
        let id = try string("id")
        guard id.utf8.count <= 128 else { throw WireError(.invalidFrame, Catalogue.Hub.idTooLong) }
        return id
    }

    /// Message text: not blank, at most `Wire.maximumTextLength` characters.
    func text() throws(WireError) -> String {
        guard let value = frame["text"]?.stringValue else {
            throw WireError(.invalidFrame, Catalogue.Hub.missingField("text"), id: idIfAny)
        }
        // Counting characters walks grapheme clusters; a text with no more bytes than the limit needs no count.
        guard value.utf8.count <= Wire.maximumTextLength || value.count <= Wire.maximumTextLength else {
            throw WireError(.textTooLong, Catalogue.Hub.textTooLong, id: idIfAny)
        }
        // Stops at the first visible character (trimming would copy the text through NSString on every message).
        guard value.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw WireError(.invalidFrame, Catalogue.Hub.emptyText, id: idIfAny)
        }
        return value
    }
}
