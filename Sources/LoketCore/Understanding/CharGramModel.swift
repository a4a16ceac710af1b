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

/// A second view of a message for intent recognition: TF-IDF over character 3- and 4-grams of each word and a
/// softmax regression on top, trained at load on the same examples as `TextClassifier`.
///
/// `TextClassifier` leans on whole words and word pairs, which fit the script's examples closely; this model sees
/// only spelling fragments, weighed by how rare they are across the examples (inverse document frequency), so a
/// citizen's own wording ("ngurusin", "kelarnya", "perpanjangin") still lands near the examples that share its
/// stems and affixes, while words every intent uses ("saya", "pak", "ya") count for little. On cross-validation and
/// on held-out chats the two together beat either alone (see README, "Understanding citizens").
struct CharGramModel: Sendable {
    let labelCount: Int
    private let table: FeatureTable
    /// Inverse document frequency by feature index.
    private let idf: [Float]
    /// Weights laid out feature-major, like `TextClassifier`'s.
    private let weights: [Float]
    private let bias: [Float]

    /// Training settings, chosen by cross-validation on the default script: 3- and 4-grams with 6 passes were as
    /// good as 2- to 5-grams with 12 (within 0.2 points) at a quarter of the training time and half the weights.
    struct Training: Sendable {
        var epochs = 6
        var learningRate: Float = 2
        var l2: Float = 0.00005
    }

    init(examples: [(tokens: [String], label: Int)], labelCount: Int, training: Training = Training()) {
        self.labelCount = labelCount
        var index = [UInt64: Int32]()
        var documentFrequency: [Int] = []
        var encoded: [(features: [Int32], label: Int)] = []
        encoded.reserveCapacity(examples.count)
        var grams: [UInt64] = []
        for example in examples {
            grams.removeAll(keepingCapacity: true)
            for token in example.tokens { Self.grams(of: token, into: &grams) }
            var features: [Int32] = []
            features.reserveCapacity(grams.count)
            var seen = Set<Int32>()
            for gram in grams {
                let feature: Int32
                if let existing = index[gram] {
                    feature = existing
                } else {
                    feature = Int32(index.count)
                    index[gram] = feature
                    documentFrequency.append(0)
                }
                if seen.insert(feature).inserted { documentFrequency[Int(feature)] += 1 }
                features.append(feature)
            }
            encoded.append((features, example.label))
        }
        // Smoothed IDF as in the usual TF-IDF: a fragment in every example still weighs 1, a rare one up to ln(N)+1.
        let documents = Float(examples.count)
        let idf = documentFrequency.map { logf((1 + documents) / (1 + Float($0))) + 1 }
        var weights = [Float](repeating: 0, count: index.count * labelCount)
        var bias = [Float](repeating: 0, count: labelCount)
        var probabilities = [Float](repeating: 0, count: labelCount)
        var order = Array(encoded.indices)
        var generator = SeededGenerator(seed: 11)
        // Each example's values: idf of each occurrence, the whole vector scaled to unit length.
        let values: [[Float]] = encoded.map { example in
            let raw = example.features.map { idf[Int($0)] }
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm == 0 ? raw : raw.map { $0 / norm }
        }
        weights.withUnsafeMutableBufferPointer { weightBuffer in
            probabilities.withUnsafeMutableBufferPointer { probabilities in
                guard let weights = weightBuffer.baseAddress else { return }
                for epoch in 0..<training.epochs {
                    order.shuffle(using: &generator)
                    let rate = training.learningRate / (1 + Float(epoch) * 0.3)
                    let decay = 1 - rate * training.l2
                    for exampleIndex in order {
                        let example = encoded[exampleIndex]
                        let value = values[exampleIndex]
                        for label in 0..<labelCount { probabilities[label] = bias[label] }
                        for (position, feature) in example.features.enumerated() {
                            let row = weights + Int(feature) * labelCount
                            let x = value[position]
                            for label in 0..<labelCount { probabilities[label] += row[label] * x }
                        }
                        Self.softmax(probabilities)
                        probabilities[example.label] -= 1
                        for label in 0..<labelCount {
                            bias[label] -= rate * probabilities[label]
                            probabilities[label] *= rate
                        }
                        for (position, feature) in example.features.enumerated() {
                            let row = weights + Int(feature) * labelCount
                            let x = value[position]
                            for label in 0..<labelCount { row[label] = row[label] * decay - probabilities[label] * x }
                        }
                    }
                }
            }
        }
        table = FeatureTable(index)
        self.idf = idf
        self.weights = weights
        self.bias = bias
    }

    /// Per-word sums of idf-weighted weights and of squared idf, so every clause and the whole message are scored
    /// from one pass over the words.
    struct Evidence: Sendable {
        fileprivate var sums: [Float]
        fileprivate var squares: [Float]
    }

    func evidence(for tokens: [String]) -> Evidence {
        var sums = [Float](repeating: 0, count: tokens.count * labelCount)
        var squares = [Float](repeating: 0, count: tokens.count)
        var grams: [UInt64] = []
        grams.reserveCapacity(48)
        weights.withUnsafeBufferPointer { weightBuffer in
            sums.withUnsafeMutableBufferPointer { sumBuffer in
                guard let weights = weightBuffer.baseAddress, let sums = sumBuffer.baseAddress else { return }
                for (position, token) in tokens.enumerated() {
                    grams.removeAll(keepingCapacity: true)
                    Self.grams(of: token, into: &grams)
                    let row = sums + position * labelCount
                    var square: Float = 0
                    for gram in grams {
                        guard let feature = table[gram] else { continue }
                        let weight = idf[Int(feature)]
                        square += weight * weight
                        let source = weights + Int(feature) * labelCount
                        for label in 0..<labelCount { row[label] += source[label] * weight }
                    }
                    squares[position] = square
                }
            }
        }
        return Evidence(sums: sums, squares: squares)
    }

    /// Confidence by label index for the words in `range`; fragments never seen in training count for nothing.
    func predict(_ evidence: Evidence, range: Range<Int>) -> [Double] {
        var logits = bias
        var square: Float = 0
        for position in range { square += evidence.squares[position] }
        let scale = square == 0 ? 0 : 1 / square.squareRoot()
        for position in range {
            let offset = position * labelCount
            for label in 0..<labelCount { logits[label] += evidence.sums[offset + label] * scale }
        }
        logits.withUnsafeMutableBufferPointer { Self.softmax($0) }
        return logits.map(Double.init)
    }

    /// Character 3- and 4-grams of the word padded with a space on each side.
    static func grams(of token: String, into grams: inout [UInt64]) {
        var padded: [UInt8] = [0x20]
        padded.append(contentsOf: token.utf8)
        padded.append(0x20)
        padded.withUnsafeBufferPointer { bytes in
            for length in 3...4 where bytes.count >= length {
                for start in 0...(bytes.count - length) {
                    var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (UInt64(length) &* 0x9E37_79B9_7F4A_7C15)
                    for byte in bytes[start..<start + length] {
                        hash ^= UInt64(byte)
                        hash = hash &* 0x100_0000_01b3
                    }
                    grams.append(hash)
                }
            }
        }
    }

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
}
