#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `loket engine` JSON Lines protocol: one input line in, exactly one output line out, state per conversation.
public struct EngineSession: Sendable {
    /// How long conversations are kept without a line and how many at most, so a long-running engine stays small.
    public struct Retention: Sendable, Equatable {
        /// Seconds without a line (by the wall clock) after which a conversation is forgotten.
        public var idleSeconds: Double
        /// The most conversations kept; past it the longest idle ones are forgotten first.
        public var maximumConversations: Int

        public init(idleSeconds: Double, maximumConversations: Int) {
            self.idleSeconds = idleSeconds
            self.maximumConversations = maximumConversations
        }

        /// A day of silence, the 1×24-hour digital-channel standard; about 100 MB at the cap.
        public static let standard = Retention(idleSeconds: 86_400, maximumConversations: 100_000)
        public static let idleSecondsRange: ClosedRange<Double> = 60...2_592_000
        public static let maximumConversationsRange: ClosedRange<Int> = 1...10_000_000
    }

    public let engine: Engine
    public let retention: Retention
    public private(set) var conversations: [String: Conversation] = [:]
    /// When each kept conversation last had a line (the `now` of that line).
    private var lastSeen: [String: Date] = [:]
    private var receipts = ReceiptBook()
    private var lineNumber = 0
    private var nextSweep: Date?

    public init(engine: Engine, retention: Retention = .standard) {
        self.engine = engine
        self.retention = retention
    }

    /// Why an input line was refused; becomes `{"error": "…"}` on its output line.
    struct LineError: Error {
        var message: String
    }

    /// Handles one input line; `now` is used when the line has no `time`, and for idle expiry.
    public mutating func handle(line: String, now: Date) -> String {
        var output: [UInt8] = []
        handle(line: line, now: now, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Handles one input line, appending its answer (without a newline) as UTF-8.
    public mutating func handle(line: String, now: Date, into output: inout [UInt8]) {
        lineNumber += 1
        defer { expireIdle(now: now) }
        do {
            try process(line, now: now, into: &output)
        } catch {
            Self.errorJSON(lineNumber, error.message).write(into: &output)
        }
    }

    /// Answers a line that could not even be read (too long) with its error, counting it like any other line.
    public mutating func refuse(_ message: String) -> String {
        lineNumber += 1
        return Self.errorLine(lineNumber, message)
    }

    private static func errorLine(_ number: Int, _ message: String) -> String {
        errorJSON(number, message).serialized
    }

    private static func errorJSON(_ number: Int, _ message: String) -> JSON {
        .object([("error", .string("line \(number): \(message)"))])
    }

    /// Forgets conversations idle longer than the retention allows, then the longest idle past the cap.
    ///
    /// A full sweep runs at most once per tenth of the idle time, or when the cap is passed, so the cost per line
    /// stays constant however many conversations are kept.
    private mutating func expireIdle(now: Date) {
        let overCap = conversations.count > retention.maximumConversations
        if !overCap, let nextSweep, now < nextSweep { return }
        nextSweep = now.addingTimeInterval(retention.idleSeconds / 10)
        let cutoff = now.addingTimeInterval(-retention.idleSeconds)
        for (id, seen) in lastSeen where seen < cutoff {
            lastSeen[id] = nil
            conversations[id] = nil
        }
        guard conversations.count > retention.maximumConversations else { return }
        // Evict down to nine tenths of the cap so the sort is not repeated on every following line.
        let keep = retention.maximumConversations - retention.maximumConversations / 10
        for (id, _) in lastSeen.sorted(by: { $0.value < $1.value }).prefix(conversations.count - keep) {
            lastSeen[id] = nil
            conversations[id] = nil
        }
    }

    /// Answers one line into `output`; nothing is written when it throws.
    private mutating func process(_ line: String, now: Date, into output: inout [UInt8]) throws(LineError) {
        let input: JSON
        do {
            input = try JSON.parseOrThrow(line)
        } catch {
            throw LineError(message: error.description)
        }
        guard case .object = input else { throw LineError(message: "expected a JSON object") }
        let conversationID = try requiredString(input, "conversation")
        let from = try requiredString(input, "from")
        let text = try requiredString(input, "text", allowEmpty: from != "officer")
        let time = try optionalString(input, "time").map { (value) throws(LineError) -> Date in
            guard let date = RFC3339.parse(value) else {
                throw LineError(message: "field \"time\" must be an RFC 3339 time like 2026-11-30T08:05:00+07:00")
            }
            return date
        } ?? now
        // Every field is checked before the conversation is touched: a refused line leaves no trace.
        switch from {
        case "citizen":
            let honorific = try optionalString(input, "honorific").map { (value) throws(LineError) -> Honorific in
                guard let honorific = Honorific(fieldValue: value) else {
                    throw LineError(message: "field \"honorific\" must be \"Bapak\" or \"Ibu\"")
                }
                return honorific
            }
            let name = try optionalString(input, "name")
            var conversation = take(conversationID, now: now)
            defer { conversations[conversationID] = conversation }
            let understanding = engine.receiveCitizen(text, in: &conversation, at: time, name: name, honorific: honorific)
            let suggestions = engine.suggestions(for: &conversation, receipts: &receipts, at: time)
            Self.writeCitizenOutput(conversationID, understanding, conversation, suggestions, into: &output)
        case "officer":
            let kind = try optionalString(input, "kind").map { (value) throws(LineError) -> ReplyKind in
                guard ReplyKind.all.contains(ReplyKind(value)) else {
                    throw LineError(message: "unknown reply kind \"\(value)\"")
                }
                return ReplyKind(value)
            }
            var conversation = take(conversationID, now: now)
            defer { conversations[conversationID] = conversation }
            // Without its own time an officer line is judged at the citizen's last message: no wait is invented.
            let sentAt = input["time"] == nil ? (conversation.lastCitizenTime ?? time) : time
            let (recorded, assessment) = engine.recordOfficer(text, kind: kind, in: &conversation, judgedAt: sentAt)
            JSON.object([
                ("conversation", .string(conversationID)), ("kind", .string(recorded.rawValue)),
                ("stage", .string(conversation.stage.rawValue)),
                ("coach", .object([
                    ("score", .integer(assessment.score)), ("tips", .array(assessment.tips.map(JSON.string))),
                ])),
            ]).write(into: &output)
        default:
            throw LineError(message: "field \"from\" must be \"citizen\" or \"officer\"")
        }
    }

    /// The conversation to update, taken out of the dictionary so changing it copies nothing.
    private mutating func take(_ id: String, now: Date) -> Conversation {
        lastSeen[id] = now
        return conversations.removeValue(forKey: id) ?? Conversation(id: id)
    }

    /// The `suggestions` array of the output (also what the hub sends with officer messages).
    public static func suggestionsOutput(_ suggestions: [Suggestion]) -> JSON {
        .array(suggestions.map {
            .object([("kind", .string($0.kind.rawValue)), ("text", .string($0.text)), ("why", .string($0.why))])
        })
    }

    /// The `loket engine` output object for a citizen line (the hub sends the same as the `engine` field).
    public static func citizenOutput(
        _ id: String, _ understanding: Understanding, _ conversation: Conversation, _ suggestions: [Suggestion]
    ) -> JSON {
        var entities: [(String, JSON)] = []
        if let service = conversation.serviceID { entities.append(("service", .string(service))) }
        if let receipt = understanding.entities.receiptNumber { entities.append(("receipt", .string(receipt))) }
        if let name = conversation.name { entities.append(("name", .string(name))) }
        if let honorific = conversation.honorific { entities.append(("honorific", .string(honorific.rawValue))) }
        return .object([
            ("conversation", .string(id)),
            ("intent", .string(understanding.intent.rawValue)),
            ("confidence", .number(rounded(understanding.confidence))),
            ("intents", .array(understanding.intents.prefix(5).map {
                .object([("intent", .string($0.intent.rawValue)), ("confidence", .number(rounded($0.confidence)))])
            })),
            ("entities", .object(entities)),
            ("stage", .string(conversation.stage.rawValue)),
            ("suggestions", suggestionsOutput(suggestions)),
        ])
    }

    /// Writes exactly what `citizenOutput(…).write(into:)` writes, without building the JSON value first: this is
    /// every answer of `loket engine`, and the value's boxes and arrays were a fifth of its time per line.
    public static func writeCitizenOutput(
        _ id: String, _ understanding: Understanding, _ conversation: Conversation, _ suggestions: [Suggestion],
        into output: inout [UInt8]
    ) {
        func key(_ name: StaticString, first: Bool = false) {
            if !first { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        output.append(UInt8(ascii: "{"))
        key("conversation", first: true)
        JSON.writeString(id, into: &output)
        key("intent")
        JSON.writeString(understanding.intent.rawValue, into: &output)
        key("confidence")
        JSON.writeNumber(rounded(understanding.confidence), into: &output)
        key("intents")
        output.append(UInt8(ascii: "["))
        for (index, item) in understanding.intents.prefix(5).enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "{"))
            key("intent", first: true)
            JSON.writeString(item.intent.rawValue, into: &output)
            key("confidence")
            JSON.writeNumber(rounded(item.confidence), into: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        key("entities")
        output.append(UInt8(ascii: "{"))
        var firstEntity = true
        func entity(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name, first: firstEntity)
            firstEntity = false
            JSON.writeString(value, into: &output)
        }
        entity("service", conversation.serviceID)
        entity("receipt", understanding.entities.receiptNumber)
        entity("name", conversation.name)
        entity("honorific", conversation.honorific?.rawValue)
        output.append(UInt8(ascii: "}"))
        key("stage")
        JSON.writeString(conversation.stage.rawValue, into: &output)
        key("suggestions")
        output.append(UInt8(ascii: "["))
        for (index, suggestion) in suggestions.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "{"))
            key("kind", first: true)
            JSON.writeString(suggestion.kind.rawValue, into: &output)
            key("text")
            JSON.writeString(suggestion.text, into: &output)
            key("why")
            JSON.writeString(suggestion.why, into: &output)
            output.append(UInt8(ascii: "}"))
        }
        output.append(contentsOf: [UInt8(ascii: "]"), UInt8(ascii: "}")])
    }

    private static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    private func requiredString(_ input: JSON, _ key: String, allowEmpty: Bool = false) throws(LineError) -> String {
        guard let value = input[key] else { throw LineError(message: "missing field \"\(key)\"") }
        guard let text = value.stringValue else { throw LineError(message: "field \"\(key)\" must be a string") }
        if !allowEmpty, text.isEmpty { throw LineError(message: "field \"\(key)\" must not be empty") }
        return text
    }

    private func optionalString(_ input: JSON, _ key: String) throws(LineError) -> String? {
        guard let value = input[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw LineError(message: "field \"\(key)\" must be a string") }
        return text
    }
}

/// RFC 3339 date-times (`2026-11-30T08:05:00+07:00`, `…Z`, optional fractional seconds).
public enum RFC3339 {
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, range.allSatisfy({ (0x30...0x39).contains(bytes[$0]) }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
