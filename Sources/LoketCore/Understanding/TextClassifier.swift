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

/// A multinomial logistic-regression text classifier over word, word-pair and character n-gram features.
///
/// Trained at load time by a fixed number of passes of stochastic gradient descent over the script's examples,
/// in a fixed order, so the same script always gives the same model. Character n-grams carry it over typos and
/// affixes ("dokumennya", "dokumen2nya") that whole words would miss; the softmax gives confidences that can be
/// compared with a threshold, which naive Bayes's extreme posteriors could not.
public struct TextClassifier<Label: Hashable & Sendable>: Sendable {
    public let labels: [Label]
    private let featureIndex: FeatureTable
    /// Weights laid out feature-major, so one feature's weights for every label sit together.
    private let weights: [Float]
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
        var featureIndex = [UInt64: Int32]()
        var encoded: [(features: [Int32], label: Int)] = []
        encoded.reserveCapacity(examples.count)
        for example in examples {
            guard let label = labelIndex[example.label] else { continue }
            let features = FeatureExtractor.features(of: example.tokens).map { feature -> Int32 in
                if let existing = featureIndex[feature] { return existing }
                let index = Int32(featureIndex.count)
                featureIndex[feature] = index
                return index
            }
            encoded.append((features, label))
        }
        let labelCount = labels.count
        var weights = [Float](repeating: 0, count: featureIndex.count * labelCount)
        var bias = [Float](repeating: 0, count: labelCount)
        var order = Array(encoded.indices)
        var generator = SeededGenerator(seed: 7)
        var probabilities = [Float](repeating: 0, count: labelCount)
        weights.withUnsafeMutableBufferPointer { weightBuffer in
            probabilities.withUnsafeMutableBufferPointer { probabilities in
                // Raw pointers keep the inner loops free of bounds checks, so they vectorise.
                guard let weights = weightBuffer.baseAddress else { return }
                for epoch in 0..<training.epochs {
                    order.shuffle(using: &generator)
                    let rate = training.learningRate / (1 + Float(epoch) * 0.5)
                    let decay = 1 - rate * training.l2
                    for exampleIndex in order {
                        let example = encoded[exampleIndex]
                        let value = 1 / Float(example.features.count).squareRoot()
                        for label in 0..<labelCount { probabilities[label] = bias[label] }
                        for feature in example.features {
                            let row = weights + Int(feature) * labelCount
                            for label in 0..<labelCount { probabilities[label] += row[label] * value }
                        }
                        Self.softmax(probabilities)
                        probabilities[example.label] -= 1
                        for label in 0..<labelCount {
                            bias[label] -= rate * probabilities[label]
                            probabilities[label] *= rate * value
                        }
                        for feature in example.features {
                            let row = weights + Int(feature) * labelCount
                            for label in 0..<labelCount { row[label] = row[label] * decay - probabilities[label] }
                        }
                    }
                }
            }
        }
        self.labels = labels
        self.featureIndex = FeatureTable(featureIndex)
        self.weights = weights
        self.bias = bias
    }

    /// Bytes the trained model holds: weights, biases and the feature table (what `loket-bench` reports).
    public var modelBytes: Int { (weights.count + bias.count) * MemoryLayout<Float>.stride + featureIndex.bytes }

    /// Features the model knows.
    public var featureCount: Int { weights.count / max(labels.count, 1) }

    private static func softmax(_ values: UnsafeMutableBufferPointer<Float>) {
        var maximum = -Float.infinity
        for value in values { maximum = max(maximum, value) }
        var sum: Float = 0
        for index in values.indices {
            values[index] = expf(values[index] - maximum)
            sum += values[index]
        }
        for index in values.indices { values[index] /= sum }
    }

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
        let labelCount = labels.count
        var wordSums = [Float](repeating: 0, count: tokens.count * labelCount)
        var pairSums = [Float](repeating: 0, count: tokens.count * labelCount)
        var wordFeatureCounts = [Int](repeating: 0, count: tokens.count)
        var wordKnown = [Int](repeating: 0, count: tokens.count)
        var pairKnown = [Int](repeating: 0, count: tokens.count)
        var features: [UInt64] = []
        features.reserveCapacity(32)
        var previousWord: UInt64?
        weights.withUnsafeBufferPointer { weightBuffer in
            wordSums.withUnsafeMutableBufferPointer { wordSums in
                pairSums.withUnsafeMutableBufferPointer { pairSums in
                    guard let weights = weightBuffer.baseAddress, let words = wordSums.baseAddress,
                        let pairs = pairSums.baseAddress
                    else { return }
                    for (position, token) in tokens.enumerated() {
                        features.removeAll(keepingCapacity: true)
                        let word = FeatureExtractor.wordFeatures(of: token, into: &features)
                        wordFeatureCounts[position] = features.count
                        let sums = words + position * labelCount
                        var known = 0
                        for feature in features {
                            guard let index = featureIndex[feature] else { continue }
                            known += 1
                            let row = weights + Int(index) * labelCount
                            for label in 0..<labelCount { sums[label] += row[label] }
                        }
                        wordKnown[position] = known
                        if let previous = previousWord, let index = featureIndex[FeatureExtractor.pair(previous, word)] {
                            let row = weights + Int(index) * labelCount
                            let pairRow = pairs + position * labelCount
                            pairKnown[position] = 1
                            for label in 0..<labelCount { pairRow[label] = row[label] }
                        }
                        previousWord = word
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
        let labelCount = labels.count
        var logits = bias
        var featureCount = max(range.count - 1, 0)
        var known = 0
        for position in range {
            featureCount += evidence.wordFeatures[position]
            known += evidence.wordKnown[position]
            if position > range.lowerBound { known += evidence.pairKnown[position] }
        }
        // Scaled by all features, not only known ones: unseen words dilute the evidence, as they should.
        let value = featureCount == 0 ? 0 : 1 / Float(featureCount).squareRoot()
        logits.withUnsafeMutableBufferPointer { logits in
            for position in range {
                let offset = position * labelCount
                for label in 0..<labelCount { logits[label] += evidence.wordSums[offset + label] * value }
                guard position > range.lowerBound, evidence.pairKnown[position] > 0 else { continue }
                for label in 0..<labelCount { logits[label] += evidence.pairSums[offset + label] * value }
            }
            Self.softmax(logits)
        }
        let coverage = featureCount == 0 ? 0 : Double(known) / Double(featureCount)
        return Prediction(labels: labels, confidences: logits.map(Double.init), coverage: coverage)
    }
}

/// Hashed features of a token sequence: words, adjacent word pairs, and character 3- to 5-grams of each word.
enum FeatureExtractor {
    static func features(of tokens: some Collection<String>) -> [UInt64] {
        var features: [UInt64] = []
        features.reserveCapacity(tokens.count * 16)
        var previousWord: UInt64?
        for token in tokens {
            let word = wordFeatures(of: token, into: &features)
            if let previous = previousWord { features.append(pair(previous, word)) }
            previousWord = word
        }
        return features
    }

    /// Appends the word's own features (the word, its character n-grams) and returns the word's hash.
    @discardableResult
    static func wordFeatures(of token: String, into features: inout [UInt64]) -> UInt64 {
        let word = fnv(token.utf8, seed: 0x77)
        features.append(word)
        var padded: [UInt8] = [0x5E]
        padded.append(contentsOf: token.utf8)
        padded.append(0x24)
        guard padded.count > 4 else { return word }
        padded.withUnsafeBufferPointer { bytes in
            for length in 3...5 where bytes.count > length {
                for start in 0...(bytes.count - length) {
                    features.append(fnv(UnsafeBufferPointer(rebasing: bytes[start..<start + length]), seed: UInt64(length)))
                }
            }
        }
        return word
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

/// An open-addressing hash map from feature hashes to weight rows: the features are already well-mixed hashes, so
/// this skips the standard library's per-lookup SipHash, which dominated scoring time.
struct FeatureTable: Sendable {
    private let keys: [UInt64]
    private let values: [Int32]
    private let mask: Int

    init(_ dictionary: [UInt64: Int32]) {
        var capacity = 16
        while capacity < dictionary.count * 2 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (key, value) in dictionary {
            var slot = Int(truncatingIfNeeded: key) & mask
            while values[slot] >= 0 { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
        self.mask = mask
    }

    var bytes: Int { keys.count * MemoryLayout<UInt64>.stride + values.count * MemoryLayout<Int32>.stride }

    subscript(key: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let value = values[slot]
            if value < 0 { return nil }
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
    }
}
