import Foundation
import Testing

@testable import LoketCore
import LoketKernels

/// How the trained models are stored and trained: 8-bit weight rows, a sorted feature table, one SGD
/// trainer for both citizen models. These guard the structure (bytes per feature, exact lanes), not timings.
@Suite("Model storage")
struct ModelStorageTests {
    /// Every model of the default script holds 1 byte per weight and at most 18 more per feature (the row's scale,
    /// 8 for its hash, the directory, the character model's idf): a return to `Float` or half weights, a dictionary
    /// or an open-addressing table at half load would break this.
    @Test func modelsHoldEightBitRowsAndEightByteHashes() throws {
        let engine = try Fixtures.engine()
        #expect(engine.models.count == 3)
        for model in engine.models {
            #expect(model.features > 1_000, "\(model.name)")
            let weights = model.features * model.labels
            let ceiling = weights + model.features * 18 + model.labels * MemoryLayout<Float>.stride + 64
            #expect(model.bytes >= weights, "\(model.name)")
            #expect(
                model.bytes <= ceiling, "\(model.name): \(model.bytes) bytes for \(model.features) × \(model.labels)")
        }
    }

    @Test func halvesRoundTripAndRoundToNearest() {
        // Exactly representable: back unchanged, signs and zeros included.
        for value: Float in [0, -0.0, 1, -1, 0.5, 2048, -65504, 65504, 0.000_061_035_156_25, 0.000_000_059_604_645] {
            let back = WeightRows.float(WeightRows.half(value))
            #expect(back == value && back.sign == value.sign, "\(value) → \(back)")
        }
        // Anything else: the nearest half, within half a unit in the last place (2^-11 relative for normal values).
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<20_000 {
            let value = Float(Double(generator.next() % 2_000_001) / 100_000 - 10)
            let back = WeightRows.float(WeightRows.half(value))
            #expect(abs(back - value) <= max(abs(value) / 2048, 0.000_000_03), "\(value) → \(back)")
        }
        // Beyond the range, saturated rather than infinite.
        #expect(WeightRows.float(WeightRows.half(1e9)) == 65504)
        #expect(WeightRows.float(WeightRows.half(-Float.infinity)) == -65504)
    }

    /// A row's weights come back within half a step (1/254 of the row's largest weight), and adding a row gives
    /// those same values, whatever the label count (eight at a time, then one by one).
    @Test(arguments: [3, 8, 17, 19, 30])
    func rowsKeepEveryWeightWithinHalfAStep(labelCount: Int) {
        var generator = SeededGenerator(seed: UInt64(labelCount))
        let rows = 50
        let weights = (0..<rows * labelCount).map { index in
            Float(Double(generator.next() % 2_000_001) / 1_000_000 - 1) * Float(index % 7 + 1)
        }
        let order = (0..<Int32(rows)).reversed().map { $0 }
        let stored = WeightRows(weights, labelCount: labelCount, stride: labelCount, order: order)
        #expect(stored.rowCount == rows)
        #expect(stored.bytes == rows * labelCount + rows * 2)
        for row in 0..<rows {
            let source = Int(order[row]) * labelCount
            let largest = weights[source..<source + labelCount].map { abs($0) }.max() ?? 0
            var sums = [Float](repeating: 0, count: labelCount)
            sums.withUnsafeMutableBufferPointer { sums in
                guard let base = sums.baseAddress else { return }
                stored.withRows { $0.add(row: row, to: base) }
            }
            for label in 0..<labelCount {
                let kept = stored.weight(row: row, label: label)
                #expect(abs(kept - weights[source + label]) <= largest / 254 * 1.001, "row \(row) label \(label)")
                #expect(sums[label] == kept)
            }
        }
    }

    @Test func featureTableFindsEveryFeatureAtItsRowAndNothingElse() {
        var generator = SeededGenerator(seed: 9)
        var interner = FeatureInterner(expected: 8)
        var hashes: [UInt64] = []
        for _ in 0..<5_000 {
            let hash = generator.next()
            hashes.append(hash)
            #expect(interner.number(for: hash) == Int32(hashes.count - 1))
        }
        // Numbering again gives the same numbers.
        #expect(interner.number(for: hashes[1234]) == 1234)
        #expect(interner.count == 5_000)
        let (table, featureOfRow) = FeatureTable.freezing(interner.hashes)
        #expect(table.count == 5_000)
        for (row, feature) in featureOfRow.enumerated() {
            #expect(table[hashes[Int(feature)]] == row)
        }
        var absent = 0
        for _ in 0..<5_000 where table[generator.next()] == nil { absent += 1 }
        #expect(absent == 5_000)
        #expect(table.bytes <= 5_000 * 8 + 4_096 * 4 + 8)
    }

    /// The vector lanes compute exactly what a plain loop over the labels does, for every lane width used.
    @Test(arguments: [2, 8, 13, 17, 19, 23, 30, 47, 70])
    func trainingLanesMatchAPlainLoop(labelCount: Int) {
        var generator = SeededGenerator(seed: UInt64(labelCount))
        var examples = SparseExamples()
        let featureCount = 60
        for example in 0..<120 {
            for _ in 0..<(3 + Int(generator.next() % 8)) {
                examples.features.append(Int32(generator.next() % UInt64(featureCount)))
                examples.values.append(Float(generator.next() % 1000) / 1000)
            }
            examples.close(label: example % labelCount)
        }
        let settings = SoftmaxTraining.Settings(epochs: 3, learningRate: 2, rateDecay: 0.3, l2: 0.001)
        var shuffler = SeededGenerator(seed: 5)
        let trained = SoftmaxTraining.train(
            examples, featureCount: featureCount, labelCount: labelCount, settings: settings, generator: &shuffler)
        let reference = Self.plainTraining(
            examples, featureCount: featureCount, labelCount: labelCount, settings: settings, seed: 5)
        var differences = 0
        for feature in 0..<featureCount {
            for label in 0..<trained.stride {
                let weight = trained.weights[feature * trained.stride + label]
                let expected = label < labelCount ? reference.weights[feature * labelCount + label] : 0
                if weight != expected { differences += 1 }
            }
        }
        #expect(differences == 0)
        #expect(Array(trained.bias.prefix(labelCount)) == reference.bias)
        #expect(trained.bias.dropFirst(labelCount).allSatisfy { $0 == 0 })
    }

    /// The training loop as written before the lanes: one label at a time.
    private static func plainTraining(
        _ examples: SparseExamples, featureCount: Int, labelCount: Int, settings: SoftmaxTraining.Settings,
        seed: UInt64
    ) -> (weights: [Float], bias: [Float]) {
        var weights = [Float](repeating: 0, count: featureCount * labelCount)
        var bias = [Float](repeating: 0, count: labelCount)
        var scores = [Float](repeating: 0, count: labelCount)
        var order = Array(0..<examples.count)
        var generator = SeededGenerator(seed: seed)
        for epoch in 0..<settings.epochs {
            order.shuffle(using: &generator)
            let rate = settings.learningRate / (1 + Float(epoch) * settings.rateDecay)
            let decay = 1 - rate * settings.l2
            for example in order {
                let range = examples.starts[example]..<examples.starts[example + 1]
                for label in 0..<labelCount { scores[label] = bias[label] }
                for position in range {
                    let row = Int(examples.features[position]) * labelCount
                    for label in 0..<labelCount { scores[label] += weights[row + label] * examples.values[position] }
                }
                scores.withUnsafeMutableBufferPointer { scores in
                    if let base = scores.baseAddress { SoftmaxTraining.softmax(base, count: labelCount) }
                }
                scores[examples.labels[example]] -= 1
                for label in 0..<labelCount {
                    bias[label] -= rate * scores[label]
                    scores[label] *= rate
                }
                for position in range {
                    let row = Int(examples.features[position]) * labelCount
                    for label in 0..<labelCount {
                        weights[row + label] = weights[row + label] * decay - scores[label] * examples.values[position]
                    }
                }
            }
        }
        return (weights, bias)
    }

    /// Both citizen models read one extraction: the classifier's n-grams start at three letters and never span the
    /// whole padded word; the character model takes 3- and 4-grams of every word.
    @Test func oneExtractionServesBothCitizenModels() {
        var extracted = ExtractedFeatures()
        extracted.extract(["a", "ke", "izin", "usaha"])
        #expect(extracted.tokenCount == 4)
        // "^a$": the word; one 3-gram for the character model.
        #expect(extracted.classifierFeatures(ofToken: 0).count == 1)
        #expect(extracted.charGrams(ofToken: 0).count == 1)
        // "^ke$": the word; two 3-grams and one 4-gram.
        #expect(extracted.classifierFeatures(ofToken: 1).count == 1)
        #expect(extracted.charGrams(ofToken: 1).count == 3)
        // "^izin$" (6 bytes): 4 3-grams, 3 4-grams, 2 5-grams, and the word.
        #expect(extracted.classifierFeatures(ofToken: 2).count == 1 + 4 + 3 + 2)
        #expect(extracted.charGrams(ofToken: 2).count == 4 + 3)
        #expect(extracted.charGrams(ofToken: 2).lowerBound == extracted.classifierFeatures(ofToken: 2).lowerBound + 1)
        var all: [UInt64] = []
        extracted.forEachClassifierFeature { all.append($0) }
        // Words with their n-grams, and a pair for each word after the first.
        #expect(all.count == 1 + 1 + 10 + (1 + 5 + 4 + 3) + 3)
    }
}
