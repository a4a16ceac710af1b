#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A simulated citizen's script: who they are and what they say at each step until the officer does what
/// the step expects.
public struct Scenario: Sendable {
    /// One step: the message(s) the citizen sends and the reply kinds that let them move on.
    public struct Step: Sendable {
        /// Alternative wordings; one is chosen by the seeded random source.
        public var say: [String]
        /// Reply kinds (judged by the engine) that satisfy this step; empty means any reply does.
        public var expect: [ReplyKind]
        /// What the citizen writes when the reply missed the point.
        public var retry: [String]
    }

    public var id: String
    public var title: String
    /// The citizen's name (the first of `citizenNames`).
    public var citizen: String? { citizenNames.first }
    /// Names this citizen may go by; each simulated citizen of a shift gets one no other has had.
    public var citizenNames: [String]
    /// "id" or "en": the language the citizen writes in, also for nudges and retries.
    public var language: String
    public var honorific: Honorific?
    public var priority: Bool
    /// Seconds of silence before the citizen nudges; twice this and they leave.
    public var patience: Double
    public var steps: [Step]
}

/// Reads scenario files (`[[scenario]]` with `[[scenario.step]]`), reporting file, line and key on error.
public enum ScenarioLoader {
    public static let defaultName = "scenarios.toml"

    public static func loadDefault() throws(DataFileError) -> [Scenario] {
        try parse(BundledFiles.scenarios, source: defaultName)
    }

    public static func load(contentsOf path: String, displayName: String? = nil) throws(DataFileError) -> [Scenario] {
        try parse(try DataFile.read(path, displayName: displayName), source: displayName ?? path)
    }

    public static func parse(_ text: String, source: String) throws(DataFileError) -> [Scenario] {
        func fail(_ key: String, _ line: Int?, _ message: String) -> DataFileError {
            DataFileError(file: source, line: line, key: key, message: message)
        }
        let root = try DataFile.parseTOML(text, source: source)
        guard let items = root["scenario"]?.array, !items.isEmpty else {
            throw fail("scenario", root["scenario"]?.line, "expected [[scenario]] entries")
        }
        func strings(_ value: TOMLValue?, _ key: String, _ line: Int) throws(DataFileError) -> [String] {
            guard let value else { return [] }
            if let single = value.string { return [single] }
            guard let list = value.array else { throw fail(key, value.line, "expected a string or a list of strings") }
            var result: [String] = []
            for item in list {
                guard let text = item.string, !text.isEmpty else { throw fail(key, item.line, "expected a non-empty string") }
                result.append(text)
            }
            return result
        }
        var scenarios: [Scenario] = []
        for item in items {
            guard let entry = item.table, let id = entry["id"]?.string, !id.isEmpty else {
                throw fail("scenario.id", item.line, "every scenario needs an id")
            }
            let key = "scenario.\(id)"
            var honorific: Honorific?
            if let value = entry["honorific"] {
                guard let word = value.string, let parsed = Honorific(fieldValue: word) else {
                    throw fail("\(key).honorific", value.line, "expected \"Bapak\" or \"Ibu\"")
                }
                honorific = parsed
            }
            guard let stepValues = entry["step"]?.array, !stepValues.isEmpty else {
                throw fail("\(key).step", item.line, "expected [[scenario.step]] entries")
            }
            var steps: [Scenario.Step] = []
            for stepValue in stepValues {
                guard let step = stepValue.table else { throw fail("\(key).step", stepValue.line, "expected a table") }
                let say = try strings(step["say"], "\(key).step.say", stepValue.line)
                if say.isEmpty { throw fail("\(key).step.say", stepValue.line, "a step needs something to say") }
                var expect: [ReplyKind] = []
                for name in try strings(step["expect"], "\(key).step.expect", stepValue.line) {
                    guard ReplyKind.all.contains(ReplyKind(name)) else {
                        throw fail("\(key).step.expect", step["expect"]?.line ?? stepValue.line, "unknown reply kind '\(name)'")
                    }
                    expect.append(ReplyKind(name))
                }
                steps.append(Scenario.Step(
                    say: say, expect: expect, retry: try strings(step["retry"], "\(key).step.retry", stepValue.line)))
            }
            let patience = entry["patience_seconds"]?.double ?? 150
            guard patience > 0 else { throw fail("\(key).patience_seconds", entry["patience_seconds"]?.line, "must be positive") }
            let language = entry["language"]?.string ?? "id"
            guard language == "id" || language == "en" else {
                throw fail("\(key).language", entry["language"]?.line, "expected \"id\" or \"en\"")
            }
            scenarios.append(Scenario(
                id: id, title: entry["title"]?.string ?? id,
                citizenNames: try strings(entry["citizen"], "\(key).citizen", item.line), language: language,
                honorific: honorific, priority: entry["priority"]?.boolean ?? false, patience: patience, steps: steps))
        }
        return scenarios
    }
}

/// What a simulated citizen notices in an officer's reply: every act it performed, rudeness, a wrong fact.
public struct OfficerReply: Sendable, Equatable {
    public var kinds: [ReplyKind]
    /// Insulting, condescending, brushing off, or asking for money outside the official channel.
    public var rude: Bool
    /// States a fee, duration, hours, address, contact or receipt number that contradicts the script.
    public var wrongFact: Bool

    public init(kinds: [ReplyKind], rude: Bool = false, wrongFact: Bool = false) {
        self.kinds = kinds
        self.rude = rude
        self.wrongFact = wrongFact
    }

    /// The reply as the engine read it and the coach judged it.
    public init(reading: OfficerReading, assessment: Assessment) {
        self.init(
            kinds: reading.kinds.isEmpty ? [.other] : reading.kinds,
            rude: assessment.flags.contains(.disrespect) || assessment.flags.contains(.unofficialPayment),
            wrongFact: assessment.flags.contains(.wrongFact))
    }
}
