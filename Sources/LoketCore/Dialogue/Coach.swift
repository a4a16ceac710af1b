#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The coach's verdict on one officer reply: a score out of 100 and at most three tips, worst first.
public struct Assessment: Sendable, Equatable {
    public var score: Int
    public var tips: [String]
    /// The grave findings, for whoever reacts to the reply (a simulated citizen takes offence, doubts a fact).
    public var flags: Set<Flag> = []

    /// A finding that matters beyond the score.
    public enum Flag: String, Sendable, Hashable {
        case disrespect
        case unofficialPayment = "unofficial_payment"
        case wrongFact = "wrong_fact"
        case irrelevant
    }
}

/// Scores officer replies on responsiveness, courtesy, clarity and doing the job, as the reference guide asks.
///
/// Each rule that a reply breaks costs points and gives a tip naming what to do instead; the word lists come from
/// the script's `[coach]` section. Judged before the reply is recorded, so it sees what the citizen was waiting for.
public struct Coach: Sendable {
    let rules: CoachRules
    let calendar: OfficeCalendar
    private(set) var thresholds: WaitThresholds
    let normalizer: Normalizer
    let policy: DialoguePolicy
    let facts: FactChecker
    private let insultWords: Set<String>
    private let receiptPrefix: String

    /// Highest score for a reply that insults, talks down to or brushes off the citizen.
    public static let disrespectCap = 30
    /// Highest score for a reply that asks for money outside the official channel.
    public static let paymentCap = 20
    /// Points a wrong fact costs at least.
    public static let wrongFactPenalty = 40
    /// Points a reply costs that answers something other than what the citizen waits for.
    public static let irrelevantPenalty = 30

    public init(script: Script, thresholds: WaitThresholds = .liveChat) {
        rules = script.coach
        calendar = script.calendar
        self.thresholds = thresholds
        normalizer = Normalizer(slang: [:])
        policy = DialoguePolicy(script: script)
        facts = FactChecker(script: script)
        receiptPrefix = script.office.receiptPrefix.lowercased()
        insultWords = Set(script.coach.insults.map { Self.plain($0.lowercased()) })
    }

    private struct Finding {
        var penalty: Int
        var tip: String
        /// The most the reply can score with this finding, whatever else is right.
        var cap = 100
    }

    /// Whole-word phrase search in normalised words.
    struct PhraseMatcher {
        let normalizer: Normalizer
        let text: String

        func contains(_ phrase: String) -> Bool {
            let words = normalizer.normalize(phrase).tokens
            return !words.isEmpty && text.contains(" " + words.joined(separator: " ") + " ")
        }

        func first(of phrases: [String]) -> String? { phrases.first(where: contains) }
        func containsAny(_ phrases: [String]) -> Bool { first(of: phrases) != nil }
    }

    func matcher(_ words: [String]) -> PhraseMatcher {
        PhraseMatcher(normalizer: normalizer, text: " " + words.joined(separator: " ") + " ")
    }

    /// The same coach judging waits against other thresholds (the screen's `--warn-after`, `--breach-after`).
    public func with(thresholds: WaitThresholds) -> Coach {
        var copy = self
        copy.thresholds = thresholds
        return copy
    }

    /// Judges `reply` of `kind`, sent at `time` into `conversation` (its state before the reply).
    public func assess(_ reply: String, kind: ReplyKind, in conversation: Conversation, at time: Date) -> Assessment {
        let words = normalizer.normalize(reply).tokens
        let stated = OfficerReader.facts(in: words[...], addressWords: [], receiptPrefix: receiptPrefix)
        return assess(reply, reading: OfficerReading(kinds: [kind], facts: stated), in: conversation, at: time)
    }

    /// Judges `reply`, read as `reading` (every act it performs), sent at `time` into `conversation`.
    public func assess(_ reply: String, reading: OfficerReading, in conversation: Conversation, at time: Date) -> Assessment {
        typealias Tip = Catalogue.CoachTips
        var findings: [Finding] = []
        var flags = Set<Assessment.Flag>()
        func add(_ penalty: Int, _ tip: String, cap: Int = 100) { findings.append(Finding(penalty: penalty, tip: tip, cap: cap)) }

        let kind = reading.main
        let kinds = Set(reading.kinds)
        let words = normalizer.normalize(reply).tokens
        let match = matcher(words)
        let contains = match.contains
        let isFirstReply = conversation.officerReplies == 0
        let citizenIntent = conversation.lastUnderstanding?.intent

        // Responsiveness: the wait since the citizen's first unanswered message, dearer on the first reply.
        if let since = conversation.unansweredSince {
            let waited = time.timeIntervalSince(since)
            switch thresholds.level(waited) {
            case .normal: break
            case .warning: add(isFirstReply ? 20 : 15, Tip.slow(minutes: Int(waited / 60), target: Int(thresholds.warning)))
            case .breach: add(isFirstReply ? 60 : 50, Tip.slow(minutes: Int(waited / 60), target: Int(thresholds.warning)))
            case .overLimit: add(80, Tip.overLimit)
            }
        }

        // Respect first: these cap the score whatever else is right.
        if let insult = words.first(where: isInsult) {
            add(40, Tip.insult(insult), cap: Self.disrespectCap)
            flags.insert(.disrespect)
        }
        if let phrase = match.first(of: rules.condescension) {
            add(40, Tip.condescension(phrase), cap: Self.disrespectCap)
            flags.insert(.disrespect)
        }
        if let phrase = match.first(of: rules.buckPassing), !reading.facts.contains(.contact),
            !match.containsAny(rules.referral)
        {
            add(40, Tip.buckPassing(phrase), cap: Self.disrespectCap)
            flags.insert(.disrespect)
        }
        let mentionsMoney = match.containsAny(rules.moneyWords) || !FactChecker.amounts(in: words).isEmpty
        if match.containsAny(rules.unofficialPayment) || (mentionsMoney && match.containsAny(rules.speedMoney)) {
            add(50, Tip.unofficialPayment, cap: Self.paymentCap)
            flags.insert(.unofficialPayment)
        }

        // Facts: what the script says is the only truth the officer may give.
        for mistake in facts.check(reply, words: words, reading: reading, in: conversation) {
            add(Self.wrongFactPenalty + 5, mistake.tip)
            flags.insert(.wrongFact)
        }

        // Relevance: the reply must take up what the citizen is waiting for.
        let expected = policy.expected(for: conversation)
        if !expected.isEmpty, kinds.isDisjoint(with: expected), kind != .farewell || !conversation.stage.isClosing {
            flags.insert(.irrelevant)
            let waitingFor = conversation.lastUnderstanding?.intent == .nudge ? conversation.pending?.intent : citizenIntent
            if waitingFor == .complaint {
                add(Self.irrelevantPenalty, Tip.acknowledgeComplaint)
            } else {
                add(Self.irrelevantPenalty, Tip.answerFirst(Catalogue.topic(of: waitingFor ?? .unknown)))
            }
        }

        // Courtesy.
        let salam = Catalogue.salam(calendar.salam(at: time))
        let salams = OfficeCalendar.Salam.allCases.map { Catalogue.salam($0) }
        let usedSalam = salams.first(where: contains)
        let answeredSalam = contains("waalaikumsalam")
        // A citizen who greets is greeted back on the first reply ("Waalaikumsalam" counts); one who opens with a
        // question is answered first. A salam of the wrong time of day is always a slip.
        let citizenGreeted = conversation.lastUnderstanding.map { last in
            last.intent != .nudge && last.intents.contains { $0.intent == .greet }
        } == true || conversation.citizenWords.contains("assalamualaikum")
        if let usedSalam, usedSalam != salam {
            add(10, Tip.wrongSalam(salam))
        } else if usedSalam == nil, !answeredSalam {
            if kind == .greeting || kind == .farewell {
                add(10, Tip.salam(salam))
            } else if isFirstReply, citizenGreeted {
                add(5, Tip.answerSalam(salam))
            }
        }
        if !addresses(words, conversation) { add(10, Tip.honorific) }
        if !rules.courtesy.contains(where: contains) { add(5, Tip.courtesy) }
        let longWait = conversation.unansweredSince.map { time.timeIntervalSince($0) >= thresholds.breach } == true
        let owesApology = (citizenIntent == .complaint || citizenIntent == .nudge || conversation.stage == .complaint)
            && !conversation.apologised
        if owesApology || longWait, !rules.apology.contains(where: contains) { add(20, Tip.apology) }

        // Clarity.
        let letters = reply.unicodeScalars.filter { $0.properties.isAlphabetic }
        let upper = letters.filter { $0.properties.isUppercase }.count
        if letters.count >= 8, Double(upper) / Double(letters.count) > 0.8 { add(25, Tip.allCaps) }
        if words.count <= 3 { add(words.count <= 1 ? 35 : 20, Tip.tooShort) }
        let givesNextStep = rules.nextStep.contains(where: contains)
        if let vague = rules.vague.first(where: contains), !givesNextStep { add(35, Tip.vague(vague)) }
        if let rude = rules.rude.first(where: contains) { add(40, Tip.rude(rude)) }
        var unexplained = 0
        let lowerReply = reply.lowercased()
        for jargon in rules.jargon where contains(jargon.term) && unexplained < 3 {
            // A term the citizen used first is their own word.
            let theirs = normalizer.normalize(jargon.term).tokens.allSatisfy(conversation.citizenWords.contains)
            let glossed = theirs || jargon.explanations.contains(where: contains)
                || lowerReply.contains(jargon.term.lowercased() + " (") || lowerReply.contains(jargon.term.lowercased() + "(")
            if !glossed {
                unexplained += 1
                add(15, Tip.jargon(jargon.term))
            }
        }
        let longest = reply.split(whereSeparator: { ".!?".contains($0) }).map { $0.split(separator: " ").count }.max() ?? 0
        if longest > 35 { add(5, Tip.longSentence) }

        // Doing the job.
        switch kind {
        case .documentsComplete where !contains("hari kerja") && !contains("hari"):
            add(10, Tip.giveDuration)
        case .receipt where !reply.contains("\(conversation.receiptNumber ?? "PTSP-")") && !contains("tanda terima"):
            add(10, Tip.giveReceipt)
        case .farewell where !conversation.everOfferedHelp && !reading.offersHelp && conversation.stage != .receiptGiven
            && !match.containsAny(rules.offerHelp):
            add(10, Tip.offerHelpFirst)
        case .complaintFollowup where !givesNextStep:
            add(15, Tip.followupTime)
        default:
            break
        }

        let cap = findings.map(\.cap).min() ?? 100
        let score = min(cap, max(0, 100 - findings.reduce(0) { $0 + $1.penalty }))
        // What caps the score comes first, then the dearest findings.
        let tips = findings.sorted { ($0.cap, -$0.penalty) < ($1.cap, -$1.penalty) }.prefix(3).map(\.tip)
        return Assessment(score: score, tips: Array(tips), flags: flags)
    }

    /// Whether the reply addresses the citizen: an honorific or title (a name may follow), or their name.
    private func addresses(_ words: [String], _ conversation: Conversation) -> Bool {
        if words.contains(where: rules.address.contains) { return true }
        guard let name = conversation.name else { return false }
        let nameWords = normalizer.normalize(name).tokens
        return nameWords.contains { $0.count >= 3 && words.contains($0) }
    }

    /// An insult in any spelling: digits for letters ("b0d0h"), stretched or one letter off ("goblog").
    private func isInsult(_ word: String) -> Bool {
        let plain = Self.plain(word)
        if insultWords.contains(plain) { return true }
        // Only long words are matched loosely: "tolol" is one letter from "tolong".
        guard plain.count >= 6 else { return false }
        let bytes = Array(plain.utf8)
        return insultWords.contains { $0.count >= 6 && editDistance(Array($0.utf8), bytes, limit: 1) <= 1 }
    }

    /// Digits read as the letters they stand for, doubled letters made single.
    private static func plain(_ word: String) -> String {
        var result = ""
        for character in word {
            let letter: Character = switch character {
            case "0": "o"
            case "1": "i"
            case "3": "e"
            case "4": "a"
            case "5": "s"
            case "7": "t"
            default: character
            }
            if result.last != letter { result.append(letter) }
        }
        return result
    }
}
