#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A ready-to-send reply with its kind and a one-line reason for the officer.
public struct Suggestion: Sendable, Equatable {
    public var kind: ReplyKind
    public var text: String
    public var why: String

    public init(kind: ReplyKind, text: String, why: String) {
        self.kind = kind
        self.text = text
        self.why = why
    }
}

/// Hands out receipt numbers `PREFIX-YYYYMMDD-NNNN`, unique per office day.
public struct ReceiptBook: Sendable {
    private var lastIssued: [CivilDate: Int] = [:]

    public init() {}

    /// Continues after numbers already issued (the hub's store knows them), so a restart never reissues one.
    public init(lastIssued: [CivilDate: Int]) {
        self.lastIssued = lastIssued
    }

    public mutating func next(prefix: String, on date: CivilDate) -> String {
        let number = (lastIssued[date] ?? 0) + 1
        lastIssued[date] = number
        let digits = String(number)
        return "\(prefix)-\(date.compact)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }
}

/// The conversation engine: understands citizen messages and suggests replies, following the loaded script.
///
/// The engine itself is immutable (script and trained models); conversation state and receipt numbers are passed
/// in, so the screen, the JSON command and tests each own theirs and every result is reproducible.
public struct Engine: Sendable {
    public let script: Script
    public let normalizer: Normalizer
    let recognizer: IntentRecognizer
    let extractor: EntityExtractor
    let officerReader: OfficerReader
    let policy: DialoguePolicy
    /// The script's office calendar, built once (the hub asks it whether the office is open on every message).
    public let calendar: OfficeCalendar
    /// Scores officer replies for trainees and the `coach` field of `loket engine`.
    public let coach: Coach

    /// How many suggestions the officer is offered when the stage allows.
    public static let suggestionCount = 3

    /// Trains the classifiers on the script's examples.
    public init(script: Script) {
        self.script = script
        let normalizer = Normalizer(slang: script.slang)
        self.normalizer = normalizer
        var recognizer = IntentRecognizer(intents: script.intents, normalizer: normalizer, threshold: script.confidenceThreshold)
        extractor = EntityExtractor(
            services: script.services, normalizer: normalizer, receiptPrefix: script.office.receiptPrefix,
            knownWords: recognizer.takeExampleWords())
        self.recognizer = recognizer
        officerReader = OfficerReader(script: script, normalizer: normalizer)
        policy = DialoguePolicy(script: script)
        calendar = script.calendar
        coach = Coach(script: script)
    }

    /// What the trained classifiers hold in memory: features and bytes of the citizen-intent and officer-reply
    /// models (`loket-bench` reports where the memory goes).
    public var models: [(name: String, features: Int, labels: Int, bytes: Int)] {
        [
            ("citizen intents", recognizer.classifier.featureCount, recognizer.classifier.labels.count,
             recognizer.classifier.modelBytes),
            ("citizen intents, character n-grams", recognizer.charModel.featureCount, recognizer.charModel.labelCount,
             recognizer.charModel.modelBytes),
            ("officer replies", officerReader.classifier.featureCount, officerReader.classifier.labels.count,
             officerReader.classifier.modelBytes),
        ]
    }

    // MARK: Citizen messages

    /// Understands a citizen message in the light of the conversation so far, without changing it.
    public func understand(_ text: String, in conversation: Conversation) -> Understanding {
        let normalized = normalizer.normalize(text)
        let recognized = recognizer.recognize(normalized)
        let entities = extractor.extract(raw: text, normalized: normalized)
        var understanding = Understanding(
            intent: recognized.primary, confidence: recognized.confidence, intents: recognized.intents, entities: entities,
            words: normalized.tokens, asked: normalized.asked)
        if let resolved = resolveInContext(understanding, conversation, normalized) {
            let confidence = max(understanding.confidence, understanding.intents.first { $0.intent == resolved }?.confidence ?? 0)
            understanding.intent = resolved
            understanding.confidence = confidence
            understanding.intents.removeAll { $0.intent == resolved }
            understanding.intents.insert((resolved, confidence), at: 0)
        }
        return understanding
    }

    /// Short answers mean different things at different moments ("sudah" to "have you brought the documents?").
    private func resolveInContext(_ understanding: Understanding, _ conversation: Conversation, _ text: NormalizedText)
        -> Intent?
    {
        let intent = understanding.intent
        let entities = understanding.entities
        let stage = conversation.stage
        if intent == .confirm, stage == .documentsRequested || stage == .documentsIncomplete,
            text.tokens.contains(where: Self.handOverWords.contains), !text.tokens.contains("nanti"), !text.tokens.contains("dulu")
        {
            return .provideDocuments
        }
        if intent == .greet, stage.isClosing || conversation.offeredFurtherHelp && stage != .greeting {
            return .goodbye
        }
        // "gak ada, makasih" to "anything else?" is first of all a no.
        if intent == .thanks, conversation.offeredFurtherHelp,
            understanding.intents.contains(where: { $0.intent == .deny && $0.confidence >= 0.25 })
        {
            return .deny
        }
        // Nobody thanks before being helped: a first "pagi kak 🙏" greets (🙏 reads as thanks), however little of
        // it is greeting.
        if intent == .thanks, conversation.lastUnderstanding == nil, conversation.officerReplies == 0,
            understanding.intents.contains(where: { $0.intent == .greet && $0.confidence >= 0.1 })
        {
            return .greet
        }
        // Nobody nudges before having said anything: a first "halo, Bapak/Ibu?" is a greeting.
        if intent == .nudge, conversation.lastUnderstanding == nil,
            understanding.intents.contains(where: { $0.intent == .greet && $0.confidence >= 0.5 })
        {
            return .greet
        }
        let asking = text.tokens.contains(where: Self.questionWords.contains) || understanding.asked
        // "perlu NPWP tidak?", "bayar ga sih": a closing "tidak" asks yes or no and refuses nothing; the question
        // it closes is what the citizen wants answered.
        if intent == .deny || intent == .unknown, Self.endsWithQuestionTag(text, belumAsks: !stage.awaitsDocuments),
            let question = understanding.intents.first(where: { Self.questionIntents.contains($0.intent) && $0.confidence >= 0.1 })
        {
            return question.intent
        }
        // "pdf atau foto?" asks to choose and hands nothing over; "mohon info perkembangan berkas atas nama Sari"
        // asks, whatever details it gives. The question the message holds is what it asks.
        if Self.answerIntents.contains(intent),
            understanding.asked && text.tokens.contains("atau")
                || conversation.awaiting != .question && Self.requestsInformation(text.tokens),
            let question = understanding.intents.first(where: {
                Self.questionIntents.contains($0.intent) && $0.confidence >= 0.1
            })
        {
            return question.intent
        }
        // The officer's question decides what an answer is: after "kapan kejadiannya?" a time, a place or a name
        // is information, not a question of its own.
        if conversation.awaiting == .question, !asking, !Self.keptAfterQuestion.contains(intent) {
            return .provideInfo
        }
        // "NPWP-nya belum punya" while documents are awaited: not (yet) complete, whatever else it sounds like.
        if stage.awaitsDocuments || stage == .documentsProvided || stage == .documentsChecking, !asking,
            intent != .provideDocuments, intent != .deny, Self.lacks(text.tokens)
        {
            return .deny
        }
        let answerable: Set<Intent> = [.unknown, .provideInfo, .confirm, .requestService, .askStatus]
        let askedForReceipt = conversation.awaiting == .receipt || conversation.awaiting == .complaintReference
        if entities.receiptNumber != nil, answerable.contains(intent) {
            return askedForReceipt || stage == .complaint ? .provideInfo : .askStatus
        }
        if entities.serviceID != nil, answerable.contains(intent) {
            // A short answer to "which service?" gives information; anything else asks for the service.
            if conversation.awaiting == .service, text.tokens.count <= 5 { return .provideInfo }
            if intent != .askStatus { return .requestService }
        }
        return nil
    }

    /// Words that make a message a question even without a question mark.
    private static let questionWords: Set<String> = [
        "apa", "apakah", "berapa", "kapan", "bagaimana", "mana", "kenapa", "mengapa", "gimana", "bisakah", "bolehkah",
        "siapa",
    ]

    /// Intents that ask the officer something.
    private static let questionIntents = Set(Intent.questions)

    /// Intents that answer or hand over rather than ask: a choice question or a request for information read as one
    /// of these is a question after all.
    private static let answerIntents: Set<Intent> = [.provideDocuments, .provideInfo, .confirm, .deny, .unknown]

    /// "mohon info …", "minta dicek …", "mau tanya …": the message asks for information, whatever it names.
    private static func requestsInformation(_ tokens: [String]) -> Bool {
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count {
            let next = tokens[index + 1]
            if pleaseWords.contains(token), informWords.contains(next) { return true }
            if wantWords.contains(token), askWords.contains(next) { return true }
        }
        return false
    }

    /// The words of `requestsInformation`: "mohon", "minta", "tolong" before "info", "dicek" …; "mau", "ingin" before
    /// "tanya" ….
    private static let pleaseWords: Set<String> = ["mohon", "minta", "tolong"]
    private static let informWords: Set<String> = [
        "info", "informasi", "infonya", "cek", "dicek", "dicekkan", "dibantu",
    ]
    private static let wantWords: Set<String> = ["mau", "ingin", "mo", "pengen"]
    private static let askWords: Set<String> = ["tanya", "bertanya", "menanyakan", "nanya"]

    /// Words that may follow a closing "tidak" in a yes-or-no question ("perlu tidak sih, Pak?").
    private static let tagParticles: Set<String> = [
        "sih", "ya", "iya", "kah", "nih", "dong", "bapak", "ibu", "kak", "min", "mas", "mbak", "bang", "admin",
    ]

    /// A clause of three or more words that ends in "tidak", give or take particles: "harus ada domisili tidak?";
    /// or in "belum" after "sudah" or "atau": "sudah diverifikasi atau belum ya" (unless `belumAsks` is false: while
    /// documents are awaited, "NPWP sudah, KTP belum" answers).
    private static func endsWithQuestionTag(_ text: NormalizedText, belumAsks: Bool) -> Bool {
        text.segments.contains { segment in
            var end = segment.upperBound
            while end > segment.lowerBound, tagParticles.contains(text.tokens[end - 1]) { end -= 1 }
            guard end - segment.lowerBound >= 3 else { return false }
            switch text.tokens[end - 1] {
            case "tidak": return true
            case "belum":
                return belumAsks && text.tokens[segment.lowerBound..<end - 1].contains { $0 == "sudah" || $0 == "atau" }
            default: return false
            }
        }
    }

    /// Intents that stand as they are after an officer's question: answers of their own kind.
    private static let keptAfterQuestion: Set<Intent> = [
        .confirm, .deny, .thanks, .goodbye, .provideDocuments, .provideInfo, .nudge, .complaint,
    ]

    /// "belum punya", "tidak ada", "masih kurang": something required is missing.
    private static func lacks(_ tokens: [String]) -> Bool {
        for (index, token) in tokens.enumerated() where index + 1 < tokens.count {
            if token == "belum" || token == "tidak", ["punya", "ada", "bawa", "lengkap", "siap"].contains(tokens[index + 1]) {
                return true
            }
            if token == "masih", tokens[index + 1] == "kurang" { return true }
        }
        return false
    }

    /// Words that turn a bare "yes" into "here are the documents" while documents are awaited.
    private static let handOverWords: Set<String> = ["sudah", "sampun", "ada", "lengkap", "siap", "ini", "terlampir"]

    /// Understands a citizen message and records it in the conversation.
    @discardableResult
    public func receiveCitizen(
        _ text: String, in conversation: inout Conversation, at time: Date, name: String? = nil,
        honorific: Honorific? = nil
    ) -> Understanding {
        var understanding = understand(text, in: conversation)
        if let name, !name.isEmpty { understanding.entities.name = understanding.entities.name ?? name }
        if let honorific { understanding.entities.honorific = honorific }
        conversation.applyCitizen(understanding, at: time)
        return understanding
    }

    // MARK: Officer messages

    /// What free text an officer wrote does: every act per clause, the main one first, and the facts it states.
    public func readOfficer(_ text: String) -> OfficerReading {
        officerReader.read(normalizer.normalize(text))
    }

    /// The main reply kind of free text an officer wrote (`other` when it does nothing recognisable).
    public func recognizeReplyKind(_ text: String) -> ReplyKind {
        readOfficer(text).main
    }

    /// The reading of an officer message; a kind given by the caller (a suggestion sent as it was) leads.
    private func reading(_ normalized: NormalizedText, kind: ReplyKind?, in conversation: Conversation) -> OfficerReading {
        var reading = officerReader.read(normalized)
        // A bare salam opens a conversation that the officer has not greeted yet; later it closes one.
        if !conversation.officerGreeted, conversation.officerReplies == 0, let index = reading.kinds.firstIndex(of: .farewell) {
            reading.kinds.remove(at: index)
            if !reading.kinds.contains(.greeting) { reading.kinds.append(.greeting) }
            reading.kinds = OfficerReader.precedence.filter(reading.kinds.contains)
        }
        if let kind {
            reading.kinds.removeAll { $0 == kind }
            reading.kinds.insert(kind, at: 0)
        }
        return reading
    }

    /// Records what the officer sent; the kind is recognised from the text when not given.
    @discardableResult
    public func recordOfficer(_ text: String, kind: ReplyKind? = nil, in conversation: inout Conversation) -> ReplyKind {
        let normalized = normalizer.normalize(text)
        let reading = reading(normalized, kind: kind, in: conversation)
        apply(text, normalized, reading, to: &conversation)
        return reading.main
    }

    /// Judges what the officer sent at `time` (with `coach`, by default the engine's), then records it; the text
    /// is read once for both.
    public func recordOfficer(
        _ text: String, kind: ReplyKind? = nil, in conversation: inout Conversation, judgedAt time: Date,
        by coach: Coach? = nil
    ) -> (kind: ReplyKind, assessment: Assessment) {
        let normalized = normalizer.normalize(text)
        let reading = reading(normalized, kind: kind, in: conversation)
        // Judged before it is recorded: the coach sees what the citizen was waiting for.
        let assessment = (coach ?? self.coach).assess(text, reading: reading, in: conversation, at: time)
        apply(text, normalized, reading, to: &conversation)
        return (reading.main, assessment)
    }

    /// Like `recordOfficer(_:kind:in:judgedAt:by:)`, also returning what a simulated citizen reacts to: every act
    /// of the reply, and whether it was rude or stated a wrong fact.
    public func recordOfficerReply(
        _ text: String, kind: ReplyKind? = nil, in conversation: inout Conversation, judgedAt time: Date,
        by coach: Coach? = nil
    ) -> (kind: ReplyKind, assessment: Assessment, reply: OfficerReply) {
        let normalized = normalizer.normalize(text)
        let reading = reading(normalized, kind: kind, in: conversation)
        let assessment = (coach ?? self.coach).assess(text, reading: reading, in: conversation, at: time)
        apply(text, normalized, reading, to: &conversation)
        return (reading.main, assessment, OfficerReply(reading: reading, assessment: assessment))
    }

    private func apply(
        _ text: String, _ normalized: NormalizedText, _ reading: OfficerReading, to conversation: inout Conversation
    ) {
        // A question is asked with a question mark or a question word; "Mohon maaf, Bu." alone asks nothing.
        let questioning = normalized.asked || normalized.tokens.contains(where: Self.questionWords.contains)
        let asks = reading.main == .askInfo || reading.main == .clarify
            || questioning && (reading.kinds.contains(.askInfo) || reading.kinds.contains(.clarify))
        let topic = asks ? Self.topic(asked: Set(normalized.tokens)) : nil
        let expected = policy.expected(for: conversation)
        let answered = reading.kinds.contains { expected.contains($0) && $0 != .askInfo && $0 != .clarify }
        let apologising = coach.matcher(normalized.tokens).containsAny(script.coach.apology)
        conversation.applyOfficer(reading, awaiting: topic, answered: answered, apologising: apologising)
        // The service the officer names ("Untuk bengkel perlu NIB dulu") is the conversation's while the citizen has
        // named none, so what follows ("belum punya") is answered for it.
        if conversation.serviceID == nil, let service = extractor.service(in: normalized.tokens) {
            conversation.serviceID = service
        }
        if reading.kinds.contains(.receipt), conversation.receiptNumber == nil {
            conversation.receiptNumber = extractor.receiptNumber(in: text)
        }
    }

    /// What an officer's question asks for, so the citizen's short answer can be read right.
    private static func topic(asked tokens: Set<String>) -> InfoTopic {
        if tokens.contains("nomor") || tokens.contains("resi") || tokens.contains("tanda") { return .receipt }
        // Not "izin": "mohon izin" opens half of all polite questions.
        if tokens.contains("layanan") || tokens.contains("urus") || tokens.contains("diurus") { return .service }
        return .question
    }

    // MARK: Suggestions

    /// Ranked, filled-in replies for where the conversation stands; may reserve this citizen's receipt number.
    public func suggestions(
        for conversation: inout Conversation, receipts: inout ReceiptBook, at time: Date,
        limit: Int = Engine.suggestionCount
    ) -> [Suggestion] {
        let moment = conversation.lastCitizenTime ?? time
        var result: [Suggestion] = []
        var seen = Set<ReplyKind>()
        var queue = policy.candidates(for: conversation)
        var index = 0
        while index < queue.count, result.count < limit {
            let candidate = queue[index]
            index += 1
            // Each kind once: the first candidate of a kind carries the best reason. What the officer already sent
            // since the citizen last wrote is not offered again.
            guard !seen.contains(candidate.kind), !conversation.kindsSinceCitizen.contains(candidate.kind) else { continue }
            if let text = render(candidate, conversation: &conversation, receipts: &receipts, at: moment) {
                seen.insert(candidate.kind)
                result.append(Suggestion(kind: candidate.kind, text: opening(for: candidate.kind, conversation, at: moment) + text,
                                         why: candidate.why))
            } else if let fallback = fallback(for: candidate, conversation) {
                // A reply that needs a service or receipt number we lack becomes a question for it.
                queue.insert(fallback, at: index)
            }
        }
        return result
    }

    /// What goes before a suggested reply: "Waalaikumsalam" on the first reply to "Assalamualaikum", and after a
    /// nudge an apology for the wait.
    private func opening(for kind: ReplyKind, _ conversation: Conversation, at moment: Date) -> String {
        var parts: [String] = []
        let greets = script.templates[kind]?.allSatisfy { $0.slots.contains(.salam) } == true
        if conversation.officerReplies == 0, !greets, conversation.citizenWords.contains("assalamualaikum") {
            parts.append(Catalogue.Replies.answeredSalam(Catalogue.salam(calendar.salam(at: moment))) + ", "
                + conversation.honorificText + ".")
        }
        if conversation.lastUnderstanding?.intent == .nudge, !conversation.apologised, kind != .complaintAck,
            kind != .clarify
        {
            parts.append(Catalogue.Replies.waitApology(honorific: conversation.honorificText))
        }
        return parts.map { $0 + " " }.joined()
    }

    /// The time-of-day salam, answering "Assalamualaikum" in kind on the first reply.
    private func salamText(_ conversation: Conversation, at moment: Date) -> String {
        let salam = Catalogue.salam(calendar.salam(at: moment))
        guard conversation.officerReplies == 0, conversation.citizenWords.contains("assalamualaikum") else { return salam }
        return Catalogue.Replies.answeredSalam(salam)
    }

    private func fallback(for candidate: Candidate, _ conversation: Conversation) -> Candidate? {
        guard let templates = script.templates[candidate.kind] else { return nil }
        let needed = Set(templates.flatMap(\.slots))
        if conversation.serviceID == nil,
            !needed.isDisjoint(with: [.service, .requirements, .duration, .completionDate, .fee])
        {
            return Candidate(kind: .askInfo, why: Catalogue.Why.unknownService, topic: .service)
        }
        if conversation.quotedReceipt == nil, !needed.isDisjoint(with: [.receiptRef, .receivedDate]) {
            return Candidate(kind: .askInfo, why: Catalogue.Why.askStatusNoReceipt, topic: .receipt)
        }
        return nil
    }

    private func render(
        _ candidate: Candidate, conversation: inout Conversation, receipts: inout ReceiptBook, at moment: Date
    ) -> String? {
        guard let templates = script.templates[candidate.kind], !templates.isEmpty else { return nil }
        let start = (conversation.sentKinds[candidate.kind] ?? 0) % templates.count
        for offset in 0..<templates.count {
            let template = templates[(start + offset) % templates.count]
            if template.slots.contains(.receipt), conversation.receiptNumber == nil {
                conversation.receiptNumber = receipts.next(
                    prefix: script.office.receiptPrefix, on: calendar.localTime(moment).date)
            }
            let filled = template.render { slot in
                slotValue(slot, conversation: conversation, topic: candidate.topic, at: moment)
            }
            if let filled { return filled }
        }
        return nil
    }

    private func slotValue(_ slot: Slot, conversation: Conversation, topic: InfoTopic?, at moment: Date) -> String? {
        // Looked up only by the slots that need it: most slots do not, and this runs for every slot of every
        // suggestion.
        var service: Service? { conversation.serviceID.flatMap { script.service(id: $0) } }
        switch slot {
        case .salam: return salamText(conversation, at: moment)
        case .honorific: return conversation.honorificText
        case .addressee:
            guard let name = conversation.name else { return conversation.honorificText }
            return conversation.honorific.map { "\($0.rawValue) \(name)" } ?? "Bapak/Ibu \(name)"
        case .service: return service?.name
        case .requirements: return service.map { Catalogue.list($0.requirements) }
        case .duration: return service.map { Catalogue.workingDays($0.durationDays) }
        case .completionDate:
            guard let service else { return nil }
            return Catalogue.longDate(calendar.adding(workingDays: service.durationDays, to: calendar.submissionDay(at: moment)))
        case .submitted:
            let day = calendar.submissionDay(at: moment)
            return day == calendar.localTime(moment).date ? Catalogue.today : Catalogue.nextWorkingDay(day)
        case .fee: return service?.fee
        case .receipt: return conversation.receiptNumber
        case .receiptRef: return conversation.quotedReceipt
        case .receivedDate:
            guard let quoted = conversation.quotedReceipt else { return nil }
            let parts = quoted.split(separator: "-")
            guard parts.count == 3, let date = CivilDate(parsing: parts[1]) else { return nil }
            return Catalogue.longDate(date)
        case .office: return script.office.name
        case .hours: return script.office.hours
        case .address: return script.office.address
        case .contact: return script.office.contact
        case .followupDeadline:
            let deadline = calendar.followupDeadline(from: moment, within: script.office.complaintFollowupHours)
            return Catalogue.dateTime(calendar.localTime(deadline), zone: calendar.zoneAbbreviation(at: deadline))
        case .neededInfo:
            return script.infoRequests[(topic ?? .question).rawValue]
        }
    }
}
