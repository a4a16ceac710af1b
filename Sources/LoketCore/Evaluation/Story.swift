#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A conversation test written as data: citizen lines with what the engine should understand and suggest,
/// officer lines that move the conversation on (like Rasa's end-to-end stories).
public struct Story: Sendable {
    /// One line of a story.
    public enum Turn: Sendable {
        case citizen(CitizenTurn)
        case officer(text: String, kind: ReplyKind?)
    }

    /// A citizen line and its expectations; absent expectations are not checked.
    public struct CitizenTurn: Sendable {
        public var text: String
        public var time: Date
        public var line: Int
        public var intent: Intent?
        /// Expected topic service; the empty string means "no service".
        public var service: String?
        /// The reply the top suggestion must have.
        public var top: ReplyKind?
        /// Replies acceptable among the top three suggestions.
        public var acceptable: [ReplyKind]
    }

    public var name: String
    public var line: Int
    public var turns: [Turn]
}

/// Reads story files (`[[story]]` with `[[story.turn]]` entries) with file, line and key in every error.
public enum StoryLoader {
    public static let defaultStoriesName = "stories.toml"

    public static func loadDefault() throws(DataFileError) -> [Story] {
        try parse(BundledFiles.stories, source: defaultStoriesName)
    }

    public static func load(contentsOf path: String) throws(DataFileError) -> [Story] {
        try parse(try DataFile.read(path), source: path)
    }

    public static func parse(_ text: String, source: String) throws(DataFileError) -> [Story] {
        func fail(_ key: String, _ line: Int?, _ message: String) -> DataFileError {
            DataFileError(file: source, line: line, key: key, message: message)
        }
        let root = try DataFile.parseTOML(text, source: source)
        guard let items = root["story"]?.array, !items.isEmpty else {
            throw fail("story", root["story"]?.line, "expected [[story]] entries")
        }
        var stories: [Story] = []
        for item in items {
            guard let entry = item.table, let name = entry["name"]?.string else {
                throw fail("story.name", item.line, "every story needs a name")
            }
            let key = "story \"\(name)\""
            var time = Date(timeIntervalSince1970: 1_796_000_400)  // 2026-11-30 08:00 WIB, a Monday
            if let start = entry["time"] {
                guard let text = start.string, let parsed = RFC3339.parse(text) else {
                    throw fail("\(key).time", start.line, "expected an RFC 3339 time like 2026-11-30T08:00:00+07:00")
                }
                time = parsed
            }
            guard let turnValues = entry["turn"]?.array, !turnValues.isEmpty else {
                throw fail("\(key).turn", item.line, "expected [[story.turn]] entries")
            }
            var turns: [Story.Turn] = []
            for turnValue in turnValues {
                guard let turn = turnValue.table else { throw fail("\(key).turn", turnValue.line, "expected a table") }
                func kind(_ field: String) throws(DataFileError) -> ReplyKind? {
                    guard let value = turn[field] else { return nil }
                    guard let name = value.string, ReplyKind.all.contains(ReplyKind(name)) else {
                        throw fail("\(key).turn.\(field)", value.line, "unknown reply kind")
                    }
                    return ReplyKind(name)
                }
                if let officer = turn["officer"]?.string {
                    turns.append(.officer(text: officer, kind: try kind("kind")))
                    time = time.addingTimeInterval(60)
                    continue
                }
                guard let citizen = turn["citizen"]?.string else {
                    throw fail("\(key).turn", turnValue.line, "a turn needs 'citizen' or 'officer' text")
                }
                var acceptable: [ReplyKind] = []
                for value in turn["replies"]?.array ?? [] {
                    guard let name = value.string, ReplyKind.all.contains(ReplyKind(name)) else {
                        throw fail("\(key).turn.replies", value.line, "unknown reply kind")
                    }
                    acceptable.append(ReplyKind(name))
                }
                if let at = turn["time"] {
                    guard let text = at.string, let parsed = RFC3339.parse(text) else {
                        throw fail("\(key).turn.time", at.line, "expected an RFC 3339 time")
                    }
                    time = parsed
                }
                turns.append(.citizen(Story.CitizenTurn(
                    text: citizen, time: time, line: turnValue.line, intent: turn["intent"]?.string.map { Intent($0) },
                    service: turn["service"]?.string, top: try kind("reply"), acceptable: acceptable)))
                time = time.addingTimeInterval(60)
            }
            stories.append(Story(name: name, line: item.line, turns: turns))
        }
        return stories
    }
}
