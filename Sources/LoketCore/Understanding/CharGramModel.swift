#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoketKernels

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
    /// Inverse document frequency by row.
    private let idf: [Float]
    /// One row of label weights per feature, in the table's order.
    private let weights: WeightRows
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
        var interner = FeatureInterner(expected: examples.count * 8)
        var documentFrequency: [Int32] = []
        /// The last example each feature was counted in, so a fragment counts once per example.
        var lastSeen: [Int32] = []
        var encoded = SparseExamples(expectedExamples: examples.count, expectedFeatures: examples.count * 48)
        var extracted = ExtractedFeatures()
        for (number, example) in examples.enumerated() {
            extracted.extract(example.tokens)
            for token in 0..<extracted.tokenCount {
                for index in extracted.charGrams(ofToken: token) {
                    let feature = interner.number(for: extracted.hashes[index])
                    if Int(feature) == documentFrequency.count {
                        documentFrequency.append(0)
                        lastSeen.append(-1)
                    }
                    if lastSeen[Int(feature)] != Int32(number) {
                        lastSeen[Int(feature)] = Int32(number)
                        documentFrequency[Int(feature)] += 1
                    }
                    encoded.features.append(feature)
                }
            }
            encoded.close(label: example.label)
        }
        // Smoothed IDF as in the usual TF-IDF: a fragment in every example still weighs 1, a rare one up to ln(N)+1.
        let documents = Float(examples.count)
        let idf = documentFrequency.map { logf((1 + documents) / (1 + Float($0))) + 1 }
        // Each example's values: idf of each occurrence, the whole vector scaled to unit length.
        encoded.values = encoded.features.map { idf[Int($0)] }
        for example in 0..<encoded.count {
            let range = encoded.starts[example]..<encoded.starts[example + 1]
            var square: Float = 0
            for position in range { square += encoded.values[position] * encoded.values[position] }
            let norm = square.squareRoot()
            guard norm != 0 else { continue }
            for position in range { encoded.values[position] /= norm }
        }
        var generator = SeededGenerator(seed: 11)
        let trained = SoftmaxTraining.train(
            encoded, featureCount: interner.count, labelCount: labelCount,
            settings: .init(
                epochs: training.epochs, learningRate: training.learningRate, rateDecay: 0.3, l2: training.l2),
            generator: &generator)
        let frozen = FeatureTable.freezing(interner.hashes)
        table = frozen.table
        self.idf = frozen.featureOfRow.map { idf[Int($0)] }
        self.weights = WeightRows(
            trained.weights, labelCount: labelCount, stride: trained.stride, order: frozen.featureOfRow)
        self.bias = Array(trained.bias.prefix(labelCount))
    }

    /// Bytes the trained model holds: weights, idf, biases and the feature table.
    var modelBytes: Int { weights.bytes + (idf.count + bias.count) * MemoryLayout<Float>.stride + table.bytes }

    /// Features the model knows.
    var featureCount: Int { table.count }

    /// Per-word sums of idf-weighted weights and of squared idf, so every clause and the whole message are scored
    /// from one pass over the words.
    struct Evidence: Sendable {
        fileprivate var sums: [Float]
        fileprivate var squares: [Float]
    }

    /// The evidence from features already extracted (shared with `TextClassifier`).
    func evidence(for extracted: ExtractedFeatures) -> Evidence {
        let tokenCount = extracted.tokenCount
        var sums = [Float](repeating: 0, count: tokenCount * labelCount)
        var squares = [Float](repeating: 0, count: tokenCount)
        table.withLookup { table in
            weights.withRows { weights in
                idf.withUnsafeBufferPointer { idf in
                    extracted.hashes.withUnsafeBufferPointer { hashes in
                        sums.withUnsafeMutableBufferPointer { sumBuffer in
                            guard let sums = sumBuffer.baseAddress else { return }
                            for position in 0..<tokenCount {
                                let row = sums + position * labelCount
                                var square: Float = 0
                                for index in extracted.charGrams(ofToken: position) {
                                    guard let feature = table[hashes[index]] else { continue }
                                    let weight = idf[feature]
                                    square += weight * weight
                                    weights.add(row: feature, scaledBy: weight, to: row)
                                }
                                squares[position] = square
                            }
                        }
                    }
                }
            }
        }
        return Evidence(sums: sums, squares: squares)
    }

    /// Confidence by label index for the words in `range`, written into `confidences` (one per label) without
    /// allocating; fragments never seen in training count for nothing.
    func score(_ evidence: Evidence, range: Range<Int>, into confidences: UnsafeMutableBufferPointer<Double>) {
        var square: Float = 0
        for position in range { square += evidence.squares[position] }
        let scale = square == 0 ? 0 : 1 / square.squareRoot()
        withUnsafeTemporaryAllocation(of: Float.self, capacity: labelCount) { logitBuffer in
            evidence.sums.withUnsafeBufferPointer { sumBuffer in
                guard let logits = logitBuffer.baseAddress, let sums = sumBuffer.baseAddress else { return }
                for label in 0..<labelCount { logits[label] = bias[label] }
                for position in range {
                    let word = sums + position * labelCount
                    for label in 0..<labelCount { logits[label] += word[label] * scale }
                }
                SoftmaxTraining.softmax(logits, count: labelCount)
                for label in 0..<labelCount { confidences[label] = Double(logits[label]) }
            }
        }
    }
}
