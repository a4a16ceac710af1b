#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The end-of-shift report for a trainee: per conversation and in total, written as Markdown and as JSON.
public struct ShiftReport: Codable, Sendable, Equatable {
    /// One citizen's conversation.
    public struct Conversation: Codable, Sendable, Equatable {
        public var citizen: String
        public var scenario: String?
        public var outcome: String
        public var replies: Int
        /// Seconds from the citizen's first message to the first reply.
        public var firstResponse: Double?
        public var medianResponse: Double?
        public var worstResponse: Double?
        /// Mean coach score of the replies.
        public var score: Int?
        public var stages: [String]
        public var complaintHandled: Bool?
        public var topTips: [String]
    }

    /// The whole shift.
    public struct Totals: Codable, Sendable, Equatable {
        public var conversations: Int
        public var replies: Int
        public var medianFirstResponse: Double?
        public var medianResponse: Double?
        public var worstResponse: Double?
        public var score: Int?
        public var topTips: [String]
    }

    public var started: String
    public var ended: String
    public var seed: UInt64?
    public var exam: Bool
    public var conversations: [Conversation]
    public var total: Totals

    /// Builds the report from the screen's state at the end of a shift.
    public static func make(from state: AppState, started: Date, seed: UInt64?, exam: Bool) -> ShiftReport {
        var allResponses: [Double] = []
        var firstResponses: [Double] = []
        var allScores: [Int] = []
        var allTips: [String] = []
        let conversations = state.chats.map { chat -> Conversation in
            let responses = chat.replies.map(\.waited)
            let firstCitizen = chat.messages.first { $0.author == .citizen }?.time
            let firstOfficer = chat.messages.first { $0.author == .officer }?.time
            var first: Double?
            if let firstCitizen, let firstOfficer { first = max(0, firstOfficer.timeIntervalSince(firstCitizen)) }
            allResponses += responses
            if let first { firstResponses.append(first) }
            allScores += chat.replies.map(\.score)
            let tips = chat.replies.flatMap(\.tips)
            allTips += tips
            let sent = chat.conversation.sentKinds
            var stages: [String] = []
            if sent[.greeting] != nil { stages.append(Catalogue.Report.stageGreeting) }
            if [ReplyKind.askDocuments, .checkDocuments, .documentsComplete, .documentsIncomplete].contains(where: { sent[$0] != nil }) {
                stages.append(Catalogue.Report.stageDocuments)
            }
            if sent[.receipt] != nil { stages.append(Catalogue.Report.stageReceipt) }
            if sent[.farewell] != nil { stages.append(Catalogue.Report.stageFarewell) }
            let hadComplaint = chat.replies.contains { $0.kind == ReplyKind.complaintAck.rawValue }
                || chat.conversation.stage == .complaint || chat.conversation.stage == .complaintFollowup
            let handled = sent[.complaintAck] != nil && sent[.complaintFollowup] != nil
            if handled { stages.append(Catalogue.Report.stageComplaint) }
            return Conversation(
                citizen: chat.displayName, scenario: chat.scenario, outcome: Catalogue.Report.outcome(chat.status),
                replies: chat.replies.count, firstResponse: first, medianResponse: median(responses),
                worstResponse: responses.max(), score: mean(chat.replies.map(\.score)), stages: stages,
                complaintHandled: hadComplaint ? handled : nil, topTips: mostFrequent(tips, limit: 3))
        }
        return ShiftReport(
            started: RFC3339.format(started), ended: RFC3339.format(state.now), seed: seed, exam: exam,
            conversations: conversations,
            total: Totals(
                conversations: conversations.count, replies: allScores.count, medianFirstResponse: median(firstResponses),
                medianResponse: median(allResponses), worstResponse: allResponses.max(), score: mean(allScores),
                topTips: mostFrequent(allTips, limit: 3)))
    }

    private static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private static func mean(_ values: [Int]) -> Int? {
        values.isEmpty ? nil : Int((Double(values.reduce(0, +)) / Double(values.count)).rounded())
    }

    /// The most frequent items, ties broken by first appearance.
    private static func mostFrequent(_ items: [String], limit: Int) -> [String] {
        var counts: [String: Int] = [:]
        var firstSeen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            counts[item, default: 0] += 1
            if firstSeen[item] == nil { firstSeen[item] = index }
        }
        return counts.keys.sorted { counts[$0] != counts[$1] ? counts[$0, default: 0] > counts[$1, default: 0] : firstSeen[$0, default: 0] < firstSeen[$1, default: 0] }
            .prefix(limit).map { $0 }
    }

    /// A shift length written "15m", "90s", "1h" or "1h30m", in seconds; nil when it is not one.
    public static func seconds(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { return nil }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && total > 0 ? total : nil
    }

    // MARK: Formats

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func decode(json text: String) -> ShiftReport? {
        try? JSONDecoder().decode(ShiftReport.self, from: Data(text.utf8))
    }

    /// The report as Markdown, in Indonesian: a summary, a table per conversation, the most frequent tips.
    public var markdown: String {
        typealias R = Catalogue.Report
        func time(_ seconds: Double?) -> String { seconds.map(Catalogue.duration) ?? "–" }
        // Everything below may come from a report file (`loket report`): no control characters, nothing that
        // breaks a table row or the emphasis around a name.
        func text(_ value: String) -> String { Self.markdownText(value) }
        var lines = ["# \(R.title)", "", "\(R.period): \(text(started)) – \(text(ended))" + (seed.map { " · seed \($0)" } ?? "")
            + (exam ? " · \(R.exam)" : ""), ""]
        lines += [
            "## \(R.totals)", "",
            "| \(R.measure) | \(R.value) |", "| --- | --- |",
            "| \(R.conversations) | \(total.conversations) |",
            "| \(R.replies) | \(total.replies) |",
            "| \(R.firstResponseMedian) | \(time(total.medianFirstResponse)) |",
            "| \(R.responseMedian) | \(time(total.medianResponse)) |",
            "| \(R.responseWorst) | \(time(total.worstResponse)) |",
            "| \(R.score) | \(total.score.map(String.init) ?? "–") |", "",
            "## \(R.perConversation)", "",
            "| \(R.citizen) | \(R.outcome) | \(R.replies) | \(R.firstResponse) | \(R.responseMedian) | \(R.responseWorst) | \(R.score) | \(R.stages) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for conversation in conversations {
            var stages = conversation.stages.map(text).joined(separator: ", ")
            if conversation.complaintHandled == false { stages += (stages.isEmpty ? "" : ", ") + R.complaintNotHandled }
            let cells = [
                text(conversation.citizen), text(conversation.outcome), String(conversation.replies),
                time(conversation.firstResponse), time(conversation.medianResponse), time(conversation.worstResponse),
                conversation.score.map(String.init) ?? "–", stages.isEmpty ? "–" : stages,
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines += ["", "## \(R.tips)", ""]
        lines += total.topTips.isEmpty ? [R.noTips] : total.topTips.enumerated().map { "\($0.offset + 1). \(text($0.element))" }
        let withTips = conversations.filter { !$0.topTips.isEmpty }
        if !withTips.isEmpty {
            lines += ["", "## \(R.tipsPerConversation)", ""]
            for conversation in withTips {
                lines.append("- **\(text(conversation.citizen))**: " + conversation.topTips.map(text).joined(separator: " · "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ShiftReport {
    /// The report as the screen shows it: aligned columns, times in the office's zone (the files keep UTC).
    public func screenLines(calendar: OfficeCalendar) -> [String] {
        typealias R = Catalogue.Report
        func time(_ seconds: Double?) -> String { seconds.map(Catalogue.duration) ?? "–" }
        func local(_ stamp: String) -> String {
            guard let date = RFC3339.parse(stamp) else { return Printable.sanitized(stamp) }
            return Catalogue.dateTime(calendar.localTime(date), zone: calendar.zoneAbbreviation(at: date))
        }
        var lines = [R.title, "\(R.period): \(local(started)) – \(local(ended))" + (exam ? " · \(R.exam)" : ""), ""]
        let header = [R.citizen, R.outcome, R.replies, R.firstResponse, R.responseMedian, R.responseWorst, R.score]
        var rows = conversations.map { conversation in
            [
                Printable.sanitized(conversation.citizen), Printable.sanitized(conversation.outcome), String(conversation.replies),
                time(conversation.firstResponse), time(conversation.medianResponse), time(conversation.worstResponse),
                conversation.score.map(String.init) ?? "–",
            ]
        }
        rows.append([
            R.totals, "\(total.conversations)", String(total.replies), time(total.medianFirstResponse),
            time(total.medianResponse), time(total.worstResponse), total.score.map(String.init) ?? "–",
        ])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padded(toLength: widths[$0]) }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        lines += rows.dropLast().map(line)
        lines.append(line(rows[rows.count - 1]))
        lines += ["", R.tips]
        lines += total.topTips.isEmpty ? [R.noTips] : total.topTips.enumerated().map { "\($0.offset + 1). \(Printable.sanitized($0.element))" }
        for conversation in conversations where !conversation.topTips.isEmpty {
            lines.append("· \(Printable.sanitized(conversation.citizen)): " + conversation.topTips.map(Printable.sanitized).joined(separator: " · "))
        }
        return lines
    }

    /// Plain text for one Markdown cell or list item: printable, on one line, its Markdown characters escaped.
    static func markdownText(_ value: String) -> String {
        var result = ""
        for character in Printable.sanitized(value) {
            if "\\|*_`[]<>#".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

extension RFC3339 {
    /// `2026-11-30T01:05:00Z`.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate(daysSinceEpoch: days))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}
