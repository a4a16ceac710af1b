#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoketKernels

/// A multinomial logistic-regression text classifier over word, word-pair and character n-gram features.
///
/// Trained at load time by a fixed number of passes of stochastic gradient descent over the script's examples,
/// in a fixed order, so the same script always gives the same model. Character n-grams carry it over typos and
/// affixes ("dokumennya", "dokumen2nya") that whole words would miss; the softmax gives confidences that can be
/// compared with a threshold, which naive Bayes's extreme posteriors could not.
public struct TextClassifier<Label: Hashable & Sendable>: Sendable {
    public let labels: [Label]
    private let table: FeatureTable
    /// One row of label weights per feature, in the table's order.
    private let weights: WeightRows
    private let bias: [Float]

    /// Confidence per label (summing to 1, best first) and how much of the message the model has seen before.
    public struct Prediction: Sendable {
        public let labels: [Label]
        /// Confidence by label index (the order of `labels`).
        public var confidences: [Double]
        /// Share of the message's features present in the training data (0…1).
        public var coverage: Double

        /// Labels with their confidences, best first.
        public var scores: [(label: Label, confidence: Double)] {
            zip(labels, confidences).map { (label: $0, confidence: $1) }.sorted { $0.confidence > $1.confidence }
        }

        public var best: (label: Label, confidence: Double)? {
            confidences.indices.max { confidences[$0] < confidences[$1] }.map { (labels[$0], confidences[$0]) }
        }
    }

    /// Training settings; the defaults were chosen by cross-validation on the default script.
    public struct Training: Sendable {
        public var epochs = 20
        public var learningRate: Float = 3
        public var l2: Float = 0.0001
        public init() {}
    }

    public init(examples: [(tokens: [String], label: Label)], training: Training = Training()) {
        var labels: [Label] = []
        var labelIndex: [Label: Int] = [:]
        for example in examples where labelIndex[example.label] == nil {
            labelIndex[example.label] = labels.count
            labels.append(example.label)
        }
        var interner = FeatureInterner(expected: examples.count * 12)
        var encoded = SparseExamples(expectedExamples: examples.count, expectedFeatures: examples.count * 64)
        var extracted = ExtractedFeatures()
        for example in examples {
            guard let label = labelIndex[example.label] else { continue }
            extracted.extract(example.tokens)
            let first = encoded.features.count
            extracted.forEachClassifierFeature { encoded.features.append(interner.number(for: $0)) }
            // Every feature of an example weighs the same, the vector scaled to unit length.
            let value = 1 / Float(encoded.features.count - first).squareRoot()
            encoded.values.append(contentsOf: repeatElement(value, count: encoded.features.count - first))
            encoded.close(label: label)
        }
        var generator = SeededGenerator(seed: 7)
        let trained = SoftmaxTraining.train(
            encoded, featureCount: interner.count, labelCount: labels.count,
            settings: .init(
                epochs: training.epochs, learningRate: training.learningRate, rateDecay: 0.5, l2: training.l2),
            generator: &generator)
        let frozen = FeatureTable.freezing(interner.hashes)
        self.labels = labels
        self.table = frozen.table
        self.weights = WeightRows(
            trained.weights, labelCount: labels.count, stride: trained.stride, order: frozen.featureOfRow)
        self.bias = Array(trained.bias.prefix(labels.count))
    }

    /// Bytes the trained model holds: weights, biases and the feature table (what `loket-bench` reports).
    public var modelBytes: Int { weights.bytes + bias.count * MemoryLayout<Float>.stride + table.bytes }

    /// Features the model knows.
    public var featureCount: Int { table.count }

    public func predict(_ tokens: [String]) -> Prediction {
        predict(evidence(for: tokens), range: 0..<tokens.count)
    }

    /// Per-word sums of feature weights for one message, so that each clause and the whole message can be scored
    /// without extracting and looking up the same features again.
    public struct Evidence: Sendable {
        fileprivate var wordSums: [Float]
        fileprivate var wordFeatures: [Int]
        fileprivate var wordKnown: [Int]
        /// Entry `i` holds the pair (word `i - 1`, word `i`).
        fileprivate var pairSums: [Float]
        fileprivate var pairKnown: [Int]
    }

    public func evidence(for tokens: [String]) -> Evidence {
        var extracted = ExtractedFeatures()
        extracted.extract(tokens)
        return evidence(for: extracted)
    }

    /// The evidence from features already extracted (the citizen models share one extraction).
    func evidence(for extracted: ExtractedFeatures) -> Evidence {
        let labelCount = labels.count
        let tokenCount = extracted.tokenCount
        var wordSums = [Float](repeating: 0, count: tokenCount * labelCount)
        var pairSums = [Float](repeating: 0, count: tokenCount * labelCount)
        var wordFeatureCounts = [Int](repeating: 0, count: tokenCount)
        var wordKnown = [Int](repeating: 0, count: tokenCount)
        var pairKnown = [Int](repeating: 0, count: tokenCount)
        table.withLookup { table in
            weights.withRows { weights in
                wordSums.withUnsafeMutableBufferPointer { wordSums in
                    pairSums.withUnsafeMutableBufferPointer { pairSums in
                        extracted.hashes.withUnsafeBufferPointer { hashes in
                            guard let words = wordSums.baseAddress, let pairs = pairSums.baseAddress else { return }
                            for position in 0..<tokenCount {
                                let features = extracted.classifierFeatures(ofToken: position)
                                wordFeatureCounts[position] = features.count
                                let sums = words + position * labelCount
                                var known = 0
                                for index in features {
                                    guard let row = table[hashes[index]] else { continue }
                                    known += 1
                                    weights.add(row: row, to: sums)
                                }
                                wordKnown[position] = known
                                if position > 0, let row = table[extracted.pair(endingAt: position)] {
                                    pairKnown[position] = 1
                                    weights.add(row: row, to: pairs + position * labelCount)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Evidence(
            wordSums: wordSums, wordFeatures: wordFeatureCounts, wordKnown: wordKnown, pairSums: pairSums,
            pairKnown: pairKnown)
    }

    /// Scores the words in `range` as if they were the whole message.
    public func predict(_ evidence: Evidence, range: Range<Int>) -> Prediction {
        var confidences = [Double](repeating: 0, count: labels.count)
        let coverage = confidences.withUnsafeMutableBufferPointer { score(evidence, range: range, into: $0) }
        return Prediction(labels: labels, confidences: confidences, coverage: coverage)
    }

    /// Confidence by label index for the words in `range`, written into `confidences` (one per label) without
    /// allocating; returns the coverage (see `Prediction`).
    func score(
        _ evidence: Evidence, range: Range<Int>, into confidences: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let labelCount = labels.count
        var featureCount = max(range.count - 1, 0)
        var known = 0
        for position in range {
            featureCount += evidence.wordFeatures[position]
            known += evidence.wordKnown[position]
            if position > range.lowerBound { known += evidence.pairKnown[position] }
        }
        // Scaled by all features, not only known ones: unseen words dilute the evidence, as they should.
        let value = featureCount == 0 ? 0 : 1 / Float(featureCount).squareRoot()
        withUnsafeTemporaryAllocation(of: Float.self, capacity: labelCount) { logitBuffer in
            evidence.wordSums.withUnsafeBufferPointer { wordSums in
                evidence.pairSums.withUnsafeBufferPointer { pairSums in
                    guard let logits = logitBuffer.baseAddress, let words = wordSums.baseAddress,
                        let pairs = pairSums.baseAddress
                    else { return }
                    for label in 0..<labelCount { logits[label] = bias[label] }
                    for position in range {
                        let word = words + position * labelCount
                        for label in 0..<labelCount { logits[label] += word[label] * value }
                        guard position > range.lowerBound, evidence.pairKnown[position] > 0 else { continue }
                        let pair = pairs + position * labelCount
                        for label in 0..<labelCount { logits[label] += pair[label] * value }
                    }
                    SoftmaxTraining.softmax(logits, count: labelCount)
                    for label in 0..<labelCount { confidences[label] = Double(logits[label]) }
                }
            }
        }
        return featureCount == 0 ? 0 : Double(known) / Double(featureCount)
    }
}

/// The hashed features of a message, extracted once for both citizen models: per word, the word itself and its
/// character 3- to 5-grams (`TextClassifier`, words of three letters or more) or 3- and 4-grams (`CharGramModel`,
/// every word), and the pairs of adjacent words. The word is padded with `^` and `$`, so a fragment at the start or
/// end of a word differs from the same letters inside one.
struct ExtractedFeatures {
    /// Every token's features: the word, then its 3-grams, 4-grams and (for `TextClassifier`) 5-grams.
    private(set) var hashes: [UInt64] = []
    /// Per token: where its features start, where its 4-grams end (the character model's share), and where
    /// `TextClassifier`'s share ends (words shorter than three letters: the word only).
    private var spans: [Span] = []

    private struct Span {
        var start: Int
        var gramsEnd: Int
        var classifierEnd: Int
    }

    var tokenCount: Int { spans.count }

    init() {
        hashes.reserveCapacity(128)
        spans.reserveCapacity(16)
    }

    mutating func extract(_ tokens: some Collection<String>) {
        hashes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        for token in tokens {
            var token = token
            let start = hashes.count
            hashes.append(Self.fnv(token.utf8, seed: 0x77))
            token.withUTF8 { bytes in
                let padded = bytes.count + 2
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: padded) { buffer in
                    buffer[0] = 0x5E
                    for index in 0..<bytes.count { buffer[index + 1] = bytes[index] }
                    buffer[padded - 1] = 0x24
                    let grams = UnsafeBufferPointer(buffer)
                    for length in 3...4 where padded >= length {
                        for first in 0...(padded - length) {
                            hashes.append(
                                Self.fnv(
                                    UnsafeBufferPointer(rebasing: grams[first..<first + length]), seed: UInt64(length)))
                        }
                    }
                    let gramsEnd = hashes.count
                    // The classifier's n-grams start at three letters, and never span the whole padded word: shorter
                    // words are known by the word alone.
                    if padded > 4 {
                        if padded > 5 {
                            for first in 0...(padded - 5) {
                                hashes.append(
                                    Self.fnv(UnsafeBufferPointer(rebasing: grams[first..<first + 5]), seed: 5))
                            }
                        }
                        spans.append(
                            Span(start: start, gramsEnd: gramsEnd, classifierEnd: hashes.count))
                    } else {
                        spans.append(
                            Span(start: start, gramsEnd: gramsEnd, classifierEnd: start + 1))
                    }
                }
            }
        }
    }

    /// Positions in `hashes` of the classifier's features of one token (the word and its n-grams).
    func classifierFeatures(ofToken token: Int) -> Range<Int> { spans[token].start..<spans[token].classifierEnd }

    /// Positions in `hashes` of the character model's 3- and 4-grams of one token.
    func charGrams(ofToken token: Int) -> Range<Int> { spans[token].start + 1..<spans[token].gramsEnd }

    /// The feature of the pair (token `position - 1`, token `position`).
    func pair(endingAt position: Int) -> UInt64 {
        Self.pair(hashes[spans[position - 1].start], hashes[spans[position].start])
    }

    /// Calls `body` with the classifier's features of the whole message in order: each word's features, then the
    /// pair it ends.
    func forEachClassifierFeature(_ body: (UInt64) -> Void) {
        for token in spans.indices {
            for index in classifierFeatures(ofToken: token) { body(hashes[index]) }
            if token > 0 { body(pair(endingAt: token)) }
        }
    }

    static func pair(_ first: UInt64, _ second: UInt64) -> UInt64 {
        (first &* 0x9E37_79B9_7F4A_7C15) ^ (second &+ 0x632B_E59B_D9B4_E019)
    }

    private static func fnv(_ bytes: some Sequence<UInt8>, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x100_0000_01b3)
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
