/// What the engine understood from one citizen message.
public struct Understanding: Sendable {
    /// The primary intent after context (e.g. "sudah" after a request for documents is `provide_documents`).
    public var intent: Intent
    public var confidence: Double
    /// Every intent the message carries with its confidence, best first.
    public var intents: [(intent: Intent, confidence: Double)]
    public var entities: Entities
    /// The message's words after normalisation.
    public var words: [String] = []
    /// The message carried a question mark.
    public var asked = false
}

/// Scores intents per clause with the trained classifier plus the script's keywords, and picks the primary one.
///
/// Intents are handled as indices into the classifier's labels while scoring: this runs for every message, and
/// hashing intent names was a measurable share of the time.
struct IntentRecognizer: Sendable {
    let classifier: TextClassifier<Intent>
    /// The character n-gram view of the same examples, mixed into every clause's scores (see `charWeight`).
    let charModel: CharGramModel
    /// Keyword phrases by first word, with the label index they support.
    private let keywords: [String: [(phrase: [String], label: Int)]]
    /// Keywords of three or more words, for word-order variants (see `keywordMatches`).
    private let shuffledKeywords: [String: [(sorted: [String], label: Int)]]
    /// Weight of each label (see `weights`).
    private let labelWeights: [Double]
    private let unknownLabel: Int?
    private let greetLabel: Int?
    private let thanksLabel: Int?
    private let complaintLabel: Int?
    /// Labels of the intents that ask the officer a question.
    private let questionLabels: Set<Int>
    /// Labels of intents that carry no request of their own (greetings, thanks, yes and no, goodbyes).
    private let socialLabels: Set<Int>
    let threshold: Double
    /// Every word of the training examples, after normalisation, until the engine takes them for its entity
    /// extractor (`takeExampleWords`), so they are not held twice.
    private(set) var exampleWords: Set<String>

    /// When a message carries several intents, the one that asks for action leads ("Selamat pagi, saya mau
    /// mengurus izin usaha" is a service request; "Tidak, itu saja. Terima kasih" is a no to "anything else?"):
    /// each clause's confidence is weighed by how much its intent asks of the officer.
    static let weights: [Intent: Double] = [
        .complaint: 1.1, .askStatus: 1.05, .askRequirements: 1.05, .askDuration: 1.05, .askCost: 1.05,
        .askHours: 1.05, .askLocation: 1.05, .requestService: 1, .provideDocuments: 1, .provideInfo: 0.95,
        .nudge: 0.9, .goodbye: 0.62, .deny: 0.6, .thanks: 0.52, .confirm: 0.5, .greet: 0.4, .unknown: 0,
    ]

    /// Share of the character n-gram model in each clause's scores: half cross-validated best (85.2 % against 84.7 %
    /// without the model, mean of four or five shuffles of the default script's examples).
    static let charWeight = 0.5

    /// How much a keyword found in a clause adds to its intent before renormalising.
    private static let keywordBoost = 0.6

    init(intents: [IntentDefinition], normalizer: Normalizer, threshold: Double) {
        var examples: [(tokens: [String], label: Intent)] = []
        for intent in intents {
            for example in intent.examples { examples.append((normalizer.normalize(example).tokens, intent.id)) }
        }
        exampleWords = Set(examples.flatMap(\.tokens))
        let classifier = TextClassifier(examples: examples)
        let labelIndex = Dictionary(uniqueKeysWithValues: classifier.labels.enumerated().map { ($0.element, $0.offset) })
        charModel = CharGramModel(
            examples: examples.compactMap { example in labelIndex[example.label].map { (example.tokens, $0) } },
            labelCount: classifier.labels.count)
        var keywords: [String: [(phrase: [String], label: Int)]] = [:]
        for intent in intents {
            guard let label = classifier.labels.firstIndex(of: intent.id) else { continue }
            for keyword in intent.keywords {
                let phrase = normalizer.normalize(keyword).tokens
                guard let first = phrase.first else { continue }
                keywords[first, default: []].append((phrase, label))
            }
        }
        self.classifier = classifier
        self.keywords = keywords
        // Phrases of three words or more, by each word that does not start them, words sorted; a phrase in its own
        // order is matched above, so only other orders (not starting with the first word) are looked up here.
        var shuffled: [String: [(sorted: [String], label: Int)]] = [:]
        for (_, list) in keywords {
            for keyword in list where keyword.phrase.count >= 3 {
                for word in Set(keyword.phrase.dropFirst()) {
                    shuffled[word, default: []].append((keyword.phrase.sorted(), keyword.label))
                }
            }
        }
        shuffledKeywords = shuffled
        // Script-defined intents weigh like questions: they were added to be answered.
        labelWeights = classifier.labels.map { Self.weights[$0] ?? 1.05 }
        unknownLabel = classifier.labels.firstIndex(of: .unknown)
        greetLabel = classifier.labels.firstIndex(of: .greet)
        thanksLabel = classifier.labels.firstIndex(of: .thanks)
        complaintLabel = classifier.labels.firstIndex(of: .complaint)
        questionLabels = Set(Intent.questions.compactMap { classifier.labels.firstIndex(of: $0) })
        socialLabels = Set([Intent.greet, .thanks, .confirm, .deny, .goodbye].compactMap { classifier.labels.firstIndex(of: $0) })
        self.threshold = threshold
    }

    /// The example words, handed over: the recognizer keeps none.
    mutating func takeExampleWords() -> Set<String> {
        defer { exampleWords = [] }
        return exampleWords
    }

    /// Ranked intents and the primary one, before conversation context is applied.
    func recognize(_ text: NormalizedText) -> (primary: Intent, confidence: Double, intents: [(intent: Intent, confidence: Double)]) {
        guard !text.tokens.isEmpty else { return (.unknown, 1, [(.unknown, 1)]) }
        var parts = text.segments
        if parts.count > 1 { parts.append(0..<text.tokens.count) }

        let labelCount = classifier.labels.count
        var best = [Double](repeating: 0, count: labelCount)
        var leaders: [(label: Int, confidence: Double)] = []
        let isWhole = { (part: Range<Int>) in part.count == text.tokens.count }
        var extracted = ExtractedFeatures()
        extracted.extract(text.tokens)
        let evidence = classifier.evidence(for: extracted)
        let charEvidence = charModel.evidence(for: extracted)
        let keywords = keywordMatches(in: text.tokens)
        // Whether a complaint keyword was found anywhere (see the reaction rule below).
        var complaintKeyword = false
        // One set of buffers for every clause: this runs for every message.
        var scores = [Double](repeating: 0, count: labelCount)
        var fragments = [Double](repeating: 0, count: labelCount)
        for part in parts {
            let coverage = scores.withUnsafeMutableBufferPointer { classifier.score(evidence, range: part, into: $0) }
            fragments.withUnsafeMutableBufferPointer { charModel.score(charEvidence, range: part, into: $0) }
            mix(&scores, fragments: fragments, coverage: coverage, part: part, keywords: keywords,
                complaintKeyword: &complaintKeyword)
            var first = (label: 0, confidence: -1.0)
            var second = (label: 0, confidence: -1.0)
            for (label, confidence) in scores.enumerated() {
                best[label] = max(best[label], confidence)
                if confidence > first.confidence {
                    second = first
                    first = (label, confidence)
                } else if confidence > second.confidence {
                    second = (label, confidence)
                }
            }
            // One word beside other clauses says little about content: "sudah" before "ini dokumennya" must not
            // turn a hand-over into a status question. It can still greet, thank, agree or refuse.
            if part.count == 1, !isWhole(part), !socialLabels.contains(first.label) { continue }
            leaders.append(first)
            // A strong second intent in one clause ("tidak itu saja terima kasih") is also a leader.
            if second.confidence >= max(threshold, 0.3) { leaders.append(second) }
        }
        let ranked = best.enumerated().filter { $0.element >= 0.05 }
            .map { (intent: classifier.labels[$0.offset], confidence: $0.element) }
            .sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.intent < $1.intent }
        var confident = leaders.filter { $0.confidence >= threshold && $0.label != unknownLabel }
        // A greeting opens a message; it never outweighs a request or question that follows it.
        // (A bare "saya mau tanya" after a salam is still mostly a greeting.)
        if let greet = greetLabel,
            confident.contains(where: { !socialLabels.contains($0.label) && ($0.confidence >= 0.4 || text.asked) })
        {
            confident.removeAll { $0.label == greet }
        }
        // A reaction to an answer ("oh, gratis ya, oke makasih", "wah cepat sekali, makasih"): a message that opens
        // with an interjection, thanks, and neither asks nor requests anything is thanks. What it echoes from the
        // answer is no question of its own and, without a complaint word, no complaint.
        if let thanks = thanksLabel, confident.contains(where: { $0.label == thanks }), Self.reacts(text) {
            confident.removeAll { leader in
                questionLabels.contains(leader.label)
                    || leader.label == complaintLabel && !complaintKeyword
            }
        }
        let primary = confident.max { lhs, rhs in
            lhs.confidence * labelWeights[lhs.label] < rhs.confidence * labelWeights[rhs.label]
        }
        guard let primary else {
            // "None of the known intents": as sure as the best known one is unsure. The list carries the same
            // figure, so the top level and the list never disagree about `unknown`.
            let unknownConfidence = 1 - (ranked.first { $0.intent != .unknown }?.confidence ?? 0)
            let listed = (ranked.filter { $0.intent != .unknown } + [(intent: Intent.unknown, confidence: unknownConfidence)])
                .sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.intent < $1.intent }
            return (.unknown, unknownConfidence, listed)
        }
        return (classifier.labels[primary.label], best[primary.label], ranked)
    }

    /// Words a reaction to an answer opens with: "oh", "wah", "oke" …
    private static let reactionWords: Set<String> = [
        "oh", "o", "oo", "ooh", "owh", "ow", "wah", "wow", "waduh", "oke", "ok", "okay", "okey", "baik", "sip", "siap",
        "mantap", "alhamdulillah", "ternyata", "great", "nice", "cool", "alright",
    ]

    /// Words that ask or request something: a message holding one is no mere reaction.
    private static let askingWords: Set<String> = [
        "apa", "apakah", "berapa", "kapan", "bagaimana", "mana", "kenapa", "mengapa", "gimana", "bisakah", "bolehkah",
        "siapa", "mohon", "minta", "tolong", "tanya", "bertanya", "menanyakan", "what", "how", "when", "where", "why",
        "which", "please",
    ]

    /// The message opens with an interjection and neither asks nor requests anything.
    private static func reacts(_ text: NormalizedText) -> Bool {
        guard !text.asked, let first = text.tokens.first, reactionWords.contains(first) else { return false }
        return !text.tokens.contains(where: askingWords.contains)
    }

    /// Classifier confidences for one clause by label index (in `scores`, replaced), mixed with the character
    /// model's (`fragments`), with the clause's keywords added in and low coverage discounted; `complaintKeyword`
    /// is set when the clause holds a complaint keyword.
    private func mix(
        _ scores: inout [Double], fragments: [Double], coverage: Double, part: Range<Int>,
        keywords: [(words: Range<Int>, label: Int)],
        complaintKeyword: inout Bool
    ) {
        for label in scores.indices {
            scores[label] = scores[label] * (1 - Self.charWeight) + fragments[label] * Self.charWeight
        }
        var boosted = false
        for match in keywords where match.words.isInside(part) {
            scores[match.label] += Self.keywordBoost
            if match.label == complaintLabel { complaintKeyword = true }
            boosted = true
        }
        let total = scores.reduce(0, +)
        // Words the model has never seen (gibberish, another language) make every guess less certain.
        let familiarity = boosted ? 1 : min(1, 0.4 + coverage)
        for label in scores.indices { scores[label] = scores[label] / total * familiarity }
    }

    /// Where the script's keywords occur in a message, found once for all its clauses (a clause gets the boost of
    /// each occurrence that lies wholly inside it): in their own order, and for phrases of three words or more in
    /// any order ("bisa diambil kapan" for "kapan bisa diambil", see `shuffledKeywords`).
    func keywordMatches(in tokens: [String]) -> [(words: Range<Int>, label: Int)] {
        var matches: [(words: Range<Int>, label: Int)] = []
        for index in tokens.indices {
            for candidate in keywords[tokens[index]] ?? [] where index + candidate.phrase.count <= tokens.endIndex {
                let words = index..<index + candidate.phrase.count
                if tokens[words].elementsEqual(candidate.phrase) { matches.append((words, candidate.label)) }
            }
            for candidate in shuffledKeywords[tokens[index]] ?? [] where index + candidate.sorted.count <= tokens.endIndex {
                let words = index..<index + candidate.sorted.count
                if tokens[words].sorted().elementsEqual(candidate.sorted) { matches.append((words, candidate.label)) }
            }
        }
        return matches
    }
}

extension Range<Int> {
    /// Every position of this range lies in `other`.
    fileprivate func isInside(_ other: Range<Int>) -> Bool {
        lowerBound >= other.lowerBound && upperBound <= other.upperBound
    }
}
