/// What an officer message did, clause by clause: every act recognised, the one that moves the conversation,
/// and the office facts it states.
public struct OfficerReading: Sendable, Equatable {
    /// Every act the message performs, the one that moves the conversation first.
    public var kinds: [ReplyKind]
    /// Facts the message states (times, address, contact, fee, working days, receipt number, a deadline).
    public var facts: Set<OfficerFact>

    /// The act that moves the stage; `other` when the message does nothing recognisable ("ok").
    public var main: ReplyKind { kinds.first ?? .other }

    /// The message offers further help ("… Ada lagi yang bisa kami bantu?").
    public var offersHelp: Bool { kinds.contains(.anythingElse) }

    public init(kinds: [ReplyKind], facts: Set<OfficerFact> = []) {
        self.kinds = kinds
        self.facts = facts
    }
}

/// A kind of fact found in officer text; each is evidence for the reply kind that carries it.
public enum OfficerFact: String, Sendable, Hashable {
    /// A clock time or working days with open/closed: office hours.
    case hours
    case address
    /// A phone number, WhatsApp or email.
    case contact
    /// An amount of money, "gratis" or "biaya".
    case fee
    /// "N hari kerja".
    case workingDays = "working_days"
    case receipt
    /// A moment something will happen: "paling lambat", "besok", a time or a day.
    case deadline
}

/// Recognises officer text per clause with a classifier trained on the script's templates and officer examples
/// (including examples of replies that do nothing recognisable), using the facts in each clause as evidence.
struct OfficerReader: Sendable {
    let classifier: TextClassifier<ReplyKind>
    /// Distinctive words of the office address ("merdeka", "mal"), lowercased.
    private let addressWords: Set<String>
    private let receiptPrefix: String
    private let otherLabel: Int?

    /// A clause must reach this confidence for its act to count.
    static let threshold = 0.42
    /// How much a fact found in a clause adds to the kind it supports before renormalising.
    static let factBoost = 0.5

    /// Kinds by how far they move the conversation; the most advanced act of a message is its main act. Social
    /// and asking kinds come last: they lead only when the message does nothing else.
    static let precedence: [ReplyKind] = [
        .receipt, .documentsComplete, .documentsIncomplete, .complaintFollowup, .complaintAck, .statusInfo,
        .askDocuments, .checkDocuments, .requirementsInfo, .durationInfo, .costInfo, .hoursInfo, .locationInfo,
        .askInfo, .clarify, .greeting, .anythingElse, .farewell,
    ]

    init(script: Script, normalizer: Normalizer) {
        var examples: [(tokens: [String], label: ReplyKind)] = []
        for kind in ReplyKind.all + [.other] {
            for template in script.templates[kind] ?? [] {
                let literal = template.parts.map { if case .text(let text) = $0 { text } else { " " } }.joined()
                examples.append((normalizer.normalize(literal).tokens, kind))
            }
            for example in script.replyExamples[kind] ?? [] {
                examples.append((normalizer.normalize(example).tokens, kind))
            }
        }
        // Officer text is regular: 8 passes cross-validated within half a point of 20 at less than half the
        // training time, which the load budget needs.
        var training = TextClassifier<ReplyKind>.Training()
        training.epochs = 8
        classifier = TextClassifier(examples: examples, training: training)
        otherLabel = classifier.labels.firstIndex(of: .other)
        let common: Set<String> = ["kota", "no", "jl", "jalan", "lantai", "di", "dan", "kantor"]
        addressWords = Set(Normalizer.words(script.office.address).filter { $0.count >= 3 && !common.contains($0) })
        receiptPrefix = script.office.receiptPrefix.lowercased()
    }

    func read(_ text: NormalizedText) -> OfficerReading {
        guard !text.tokens.isEmpty else { return OfficerReading(kinds: []) }
        let evidence = classifier.evidence(for: text.tokens)
        var acts = Set<ReplyKind>()
        var facts = Set<OfficerFact>()
        var parts = text.segments
        if parts.count > 1 { parts.append(0..<text.tokens.count) }
        for part in parts {
            let clauseFacts = Self.facts(in: text.tokens[part], addressWords: addressWords, receiptPrefix: receiptPrefix)
            facts.formUnion(clauseFacts)
            let prediction = classifier.predict(evidence, range: part)
            var scores = prediction.confidences
            for fact in clauseFacts {
                guard let kind = Self.kind(for: fact, in: text.tokens[part]),
                    let label = classifier.labels.firstIndex(of: kind)
                else { continue }
                scores[label] += Self.factBoost
            }
            // Saying nothing takes few words: a longer clause is read as the act it most resembles.
            if part.count > 3, let other = otherLabel { scores[other] = 0 }
            let total = scores.reduce(0, +)
            guard total > 0, let best = scores.indices.max(by: { scores[$0] < scores[$1] }) else { continue }
            let confidence = scores[best] / total
            // The whole message only adds an act its clauses missed when it is sure of it.
            let needed = part.count == text.tokens.count && parts.count > 1 ? 0.6 : Self.threshold
            if confidence >= needed, classifier.labels[best] != .other { acts.insert(classifier.labels[best]) }
        }
        let kinds = Self.precedence.filter(acts.contains)
        return OfficerReading(kinds: kinds, facts: facts)
    }

    /// The reply kind a fact is evidence for, given the words around it.
    private static func kind(for fact: OfficerFact, in clause: ArraySlice<String>) -> ReplyKind? {
        switch fact {
        case .hours: return .hoursInfo
        case .address, .contact: return .locationInfo
        case .fee: return .costInfo
        case .workingDays: return clause.contains("lengkap") ? .documentsComplete : .durationInfo
        case .receipt: return .receipt
        case .deadline: return nil
        }
    }

    private static let days: Set<String> = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"]
    private static let openWords: Set<String> = [
        "buka", "tutup", "libur", "layanan", "operasional", "istirahat",
    ]
    private static let contactWords: Set<String> = ["whatsapp", "wa", "email", "telepon", "telp", "hp", "instagram"]
    private static let feeWords: Set<String> = ["rp", "gratis", "biaya", "biayanya", "dipungut", "retribusi", "tarif", "rupiah", "ribu"]
    private static let deadlineWords: Set<String> = ["besok", "lusa", "pukul", "sore", "siang"]

    /// Facts stated in one clause, from its words alone.
    static func facts(in clause: ArraySlice<String>, addressWords: Set<String>, receiptPrefix: String) -> Set<OfficerFact> {
        var facts = Set<OfficerFact>()
        var times = 0
        var hasDay = false
        var index = clause.startIndex
        while index < clause.endIndex {
            let word = clause[index]
            let next = index + 1 < clause.endIndex ? clause[index + 1] : nil
            let isNumber = !word.isEmpty && word.allSatisfy(\.isNumber)
            if isNumber, word.count <= 2, let next, next == "00" || next == "30" || next == "15" || next == "45" {
                times += 1
            }
            if word == "jam" || word == "pukul", let next, next.allSatisfy(\.isNumber), next.count <= 2 { times += 1 }
            if days.contains(word) { hasDay = true }
            if isNumber, word.count >= 9 || (word.hasPrefix("08") && word.count >= 4) { facts.insert(.contact) }
            if contactWords.contains(word) { facts.insert(.contact) }
            if word == "jl" || word == "jalan" || word == "lantai" || word == "beralamat" || addressWords.contains(word) {
                facts.insert(.address)
            }
            if feeWords.contains(word) { facts.insert(.fee) }
            if isNumber, next == "hari" { facts.insert(.workingDays) }
            if word == receiptPrefix, let next, next.count == 8, next.allSatisfy(\.isNumber) { facts.insert(.receipt) }
            if word == "lambat" || deadlineWords.contains(word) { facts.insert(.deadline) }
            index += 1
        }
        if times > 0 || hasDay { facts.insert(.deadline) }
        // Opening hours: a time or a day with "buka"/"tutup", or a range of times; a promise ("paling lambat Senin
        // pukul 10.00") is a deadline, not the office's hours.
        let promise = clause.contains("lambat") || clause.contains("kabari") || clause.contains("kabarkan")
        if !promise, (times > 0 || hasDay) && clause.contains(where: openWords.contains) || times >= 2 {
            facts.insert(.hours)
        }
        // An office address names at least two of its words, or a street.
        if facts.contains(.address), clause.filter(addressWords.contains).count < 2,
            !clause.contains("jl"), !clause.contains("jalan"), !clause.contains("beralamat")
        {
            facts.remove(.address)
        }
        return facts
    }
}
