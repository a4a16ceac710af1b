#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Training examples as sparse vectors in three flat arrays (no array per example): example `i` has the features
/// `features[starts[i] ..< starts[i + 1]]` with the values at the same positions, and the label `labels[i]`.
struct SparseExamples {
    var features: [Int32] = []
    var values: [Float] = []
    var starts: [Int] = [0]
    var labels: [Int] = []

    var count: Int { labels.count }

    init(expectedExamples: Int = 0, expectedFeatures: Int = 0) {
        features.reserveCapacity(expectedFeatures)
        values.reserveCapacity(expectedFeatures)
        starts.reserveCapacity(expectedExamples + 1)
        labels.reserveCapacity(expectedExamples)
    }

    /// Ends the example whose features were appended since the last call.
    mutating func close(label: Int) {
        starts.append(features.count)
        labels.append(label)
    }
}

/// Multinomial logistic regression trained by stochastic gradient descent, in a fixed order, so the same examples
/// always give the same model; shared by `TextClassifier` and `CharGramModel`, which differ only in their features.
enum SoftmaxTraining {
    /// Passes, step size and its decay, L2 decay, and the seed of the order of examples in each pass.
    struct Settings: Sendable {
        var epochs: Int
        var learningRate: Float
        /// The step in pass `e` is `learningRate / (1 + e × rateDecay)`.
        var rateDecay: Float
        var l2: Float
        var seed: UInt64
    }

    /// Weights (feature-major, `labelCount` per feature) and biases.
    static func train(
        _ examples: SparseExamples, featureCount: Int, labelCount: Int, settings: Settings
    ) -> (weights: [Float], bias: [Float]) {
        var weights = [Float](repeating: 0, count: featureCount * labelCount)
        var bias = [Float](repeating: 0, count: labelCount)
        var gradient = [Float](repeating: 0, count: labelCount)
        var order = Array(0..<examples.count)
        var generator = SeededGenerator(seed: settings.seed)
        weights.withUnsafeMutableBufferPointer { weightBuffer in
            gradient.withUnsafeMutableBufferPointer { gradientBuffer in
                bias.withUnsafeMutableBufferPointer { biasBuffer in
                    examples.features.withUnsafeBufferPointer { features in
                        examples.values.withUnsafeBufferPointer { values in
                            // Raw pointers keep the inner loops free of bounds checks, so they vectorise.
                            guard let weights = weightBuffer.baseAddress, let gradient = gradientBuffer.baseAddress,
                                let bias = biasBuffer.baseAddress
                            else { return }
                            for epoch in 0..<settings.epochs {
                                order.shuffle(using: &generator)
                                let rate = settings.learningRate / (1 + Float(epoch) * settings.rateDecay)
                                let decay = 1 - rate * settings.l2
                                for example in order {
                                    let range = examples.starts[example]..<examples.starts[example + 1]
                                    for label in 0..<labelCount { gradient[label] = bias[label] }
                                    for position in range {
                                        let row = weights + Int(features[position]) * labelCount
                                        let x = values[position]
                                        for label in 0..<labelCount { gradient[label] += row[label] * x }
                                    }
                                    softmax(gradient, count: labelCount)
                                    gradient[examples.labels[example]] -= 1
                                    for label in 0..<labelCount {
                                        bias[label] -= rate * gradient[label]
                                        gradient[label] *= rate
                                    }
                                    for position in range {
                                        let row = weights + Int(features[position]) * labelCount
                                        let x = values[position]
                                        for label in 0..<labelCount { row[label] = row[label] * decay - gradient[label] * x }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (weights, bias)
    }

    /// In place: the values become probabilities summing to 1.
    static func softmax(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for index in 0..<count { maximum = max(maximum, values[index]) }
        var sum: Float = 0
        for index in 0..<count {
            values[index] = expf(values[index] - maximum)
            sum += values[index]
        }
        for index in 0..<count { values[index] /= sum }
    }
}
