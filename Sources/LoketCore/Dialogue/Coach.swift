import Foundation

/// The coach's verdict on one officer reply: a score out of 100 and at most three tips, worst first.
public struct Assessment: Sendable, Equatable {
    public var score: Int
    public var tips: [String]
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

    public init(script: Script, thresholds: WaitThresholds = .liveChat) {
        rules = script.coach
        calendar = script.calendar
        self.thresholds = thresholds
        normalizer = Normalizer(slang: [:])
    }

    private struct Finding {
        var penalty: Int
        var tip: String
    }

    /// The same coach judging waits against other thresholds (the screen's `--warn-after`, `--breach-after`).
    public func with(thresholds: WaitThresholds) -> Coach {
        var copy = self
        copy.thresholds = thresholds
        return copy
    }

    /// Judges `reply` of `kind`, sent at `time` into `conversation` (its state before the reply).
    public func assess(_ reply: String, kind: ReplyKind, in conversation: Conversation, at time: Date) -> Assessment {
        typealias Tip = Catalogue.CoachTips
        var findings: [Finding] = []
        func add(_ penalty: Int, _ tip: String) { findings.append(Finding(penalty: penalty, tip: tip)) }

        let words = normalizer.normalize(reply).tokens
        let text = " " + words.joined(separator: " ") + " "
        func contains(_ phrase: String) -> Bool {
            let phraseWords = normalizer.normalize(phrase).tokens
            return !phraseWords.isEmpty && text.contains(" " + phraseWords.joined(separator: " ") + " ")
        }
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

        // Courtesy.
        let salam = Catalogue.salam(calendar.salam(at: time))
        let salams = OfficeCalendar.Salam.allCases.map { Catalogue.salam($0) }
        let usedSalam = salams.first(where: contains)
        if isFirstReply || kind == .farewell {
            if usedSalam == nil {
                add(10, Tip.salam(salam))
            } else if usedSalam != salam {
                add(5, Tip.wrongSalam(salam))
            }
        }
        let addressed = contains("bapak") || contains("ibu") || contains("pak") || contains("bu")
            || conversation.name.map(contains) == true
        if !addressed { add(10, Tip.honorific) }
        if !rules.courtesy.contains(where: contains) { add(5, Tip.courtesy) }
        let complaintContext = citizenIntent == .complaint || conversation.stage == .complaint
            || conversation.unansweredSince.map { time.timeIntervalSince($0) >= thresholds.breach } == true
        if complaintContext, !rules.apology.contains(where: contains) { add(20, Tip.apology) }

        // Clarity.
        let letters = reply.unicodeScalars.filter { $0.properties.isAlphabetic }
        let upper = letters.filter { $0.properties.isUppercase }.count
        if letters.count >= 8, Double(upper) / Double(letters.count) > 0.8 { add(25, Tip.allCaps) }
        if words.count <= 3 { add(words.count <= 1 ? 35 : 20, Tip.tooShort) }
        let givesNextStep = rules.nextStep.contains(where: contains)
        if let vague = rules.vague.first(where: contains), !givesNextStep { add(35, Tip.vague(vague)) }
        if let rude = rules.rude.first(where: contains) { add(40, Tip.rude(rude)) }
        var unexplained = 0
        for jargon in rules.jargon where contains(jargon.term) && unexplained < 3 {
            let glossed = jargon.explanations.contains(where: contains)
                || reply.range(of: "\(jargon.term) (", options: .caseInsensitive) != nil
                || reply.range(of: "\(jargon.term)(", options: .caseInsensitive) != nil
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
        case .farewell where !conversation.offeredFurtherHelp && conversation.stage != .receiptGiven:
            add(10, Tip.offerHelpFirst)
        case .complaintFollowup where !givesNextStep:
            add(15, Tip.followupTime)
        default:
            break
        }
        if citizenIntent == .complaint, kind != .complaintAck, kind != .complaintFollowup, kind != .clarify,
            kind != .askInfo
        {
            add(15, Tip.acknowledgeComplaint)
        }

        let score = max(0, 100 - findings.reduce(0) { $0 + $1.penalty })
        let tips = findings.sorted { $0.penalty > $1.penalty }.prefix(3).map(\.tip)
        return Assessment(score: score, tips: Array(tips))
    }
}
