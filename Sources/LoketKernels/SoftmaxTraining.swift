#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Training examples as sparse vectors in three flat arrays (no array per example): example `i` has the features
/// `features[starts[i] ..< starts[i + 1]]` with the values at the same positions, and the label `labels[i]`.
public struct SparseExamples {
    public var features: [Int32] = []
    public var values: [Float] = []
    public var starts: [Int] = [0]
    public var labels: [Int] = []

    public var count: Int { labels.count }

    public init(expectedExamples: Int = 0, expectedFeatures: Int = 0) {
        features.reserveCapacity(expectedFeatures)
        values.reserveCapacity(expectedFeatures)
        starts.reserveCapacity(expectedExamples + 1)
        labels.reserveCapacity(expectedExamples)
    }

    /// Ends the example whose features were appended since the last call.
    public mutating func close(label: Int) {
        starts.append(features.count)
        labels.append(label)
    }
}

/// Multinomial logistic regression trained by stochastic gradient descent, in a fixed order, so the same examples
/// always give the same model; shared by `TextClassifier` and `CharGramModel`, which differ only in their features.
public enum SoftmaxTraining {
    /// Passes, step size and its decay, and L2 decay.
    public struct Settings: Sendable {
        public var epochs: Int
        public var learningRate: Float
        /// The step in pass `e` is `learningRate / (1 + e × rateDecay)`.
        public var rateDecay: Float
        public var l2: Float

        public init(epochs: Int, learningRate: Float, rateDecay: Float, l2: Float) {
            self.epochs = epochs
            self.learningRate = learningRate
            self.rateDecay = rateDecay
            self.l2 = l2
        }
    }

    /// Weights (feature-major, `stride` floats per feature, the first `labelCount` of them used) and biases.
    ///
    /// The loops run on a fixed number of vector lanes chosen by the label count (20 up to 20 labels, as in the
    /// default script's 17 intents and 19 reply kinds; then 32; then rows of 64-lane vectors), so a row and
    /// the gradient stay in registers; the unused lanes stay zero. Each lane computes exactly what a plain loop
    /// over the labels would.
    ///
    /// The generator shuffles the examples before each pass, so the same seed gives the same model.
    public static func train<Generator: RandomNumberGenerator>(
        _ examples: SparseExamples, featureCount: Int, labelCount: Int, settings: Settings,
        generator: inout Generator
    ) -> (weights: [Float], bias: [Float], stride: Int) {
        switch labelCount {
        case ...20:
            train(
                examples, featureCount: featureCount, labelCount: labelCount, settings: settings,
                lanes: Lanes20.self, generator: &generator)
        case ...32:
            train(
                examples, featureCount: featureCount, labelCount: labelCount, settings: settings,
                lanes: SIMD32<Float>.self, generator: &generator)
        default:
            train(
                examples, featureCount: featureCount, labelCount: labelCount, settings: settings,
                lanes: SIMD64<Float>.self, generator: &generator)
        }
    }

    private static func train<Lanes: LabelLanes, Generator: RandomNumberGenerator>(
        _ examples: SparseExamples, featureCount: Int, labelCount: Int, settings: Settings, lanes: Lanes.Type,
        generator: inout Generator
    ) -> (weights: [Float], bias: [Float], stride: Int) {
        // Beyond 64 labels the rows hold several vectors of 64.
        let stride = (labelCount + Lanes.width - 1) / Lanes.width * Lanes.width
        let vectors = stride / Lanes.width
        var weights = [Float](repeating: 0, count: featureCount * stride)
        var bias = [Float](repeating: 0, count: stride)
        var scores = [Float](repeating: 0, count: stride)
        var order = Array(0..<examples.count)
        weights.withUnsafeMutableBufferPointer { weightBuffer in
            scores.withUnsafeMutableBufferPointer { scoreBuffer in
                bias.withUnsafeMutableBufferPointer { biasBuffer in
                    examples.features.withUnsafeBufferPointer { features in
                        examples.values.withUnsafeBufferPointer { values in
                            examples.starts.withUnsafeBufferPointer { starts in
                                guard let weights = weightBuffer.baseAddress, let scores = scoreBuffer.baseAddress,
                                    let bias = biasBuffer.baseAddress
                                else { return }
                                for epoch in 0..<settings.epochs {
                                    order.shuffle(using: &generator)
                                    let rate = settings.learningRate / (1 + Float(epoch) * settings.rateDecay)
                                    let decay = 1 - rate * settings.l2
                                    for example in order {
                                        let range = starts[example]..<starts[example + 1]
                                        for vector in 0..<vectors {
                                            let lane = vector * Lanes.width
                                            var sum = Lanes(bias + lane)
                                            for position in range {
                                                sum +=
                                                    Lanes(weights + Int(features[position]) * stride + lane)
                                                    * values[position]
                                            }
                                            sum.store(to: scores + lane)
                                        }
                                        softmax(scores, count: labelCount)
                                        scores[examples.labels[example]] -= 1
                                        for label in 0..<labelCount {
                                            bias[label] -= rate * scores[label]
                                            scores[label] *= rate
                                        }
                                        for vector in 0..<vectors {
                                            let lane = vector * Lanes.width
                                            let gradient = Lanes(scores + lane)
                                            for position in range {
                                                let row = weights + Int(features[position]) * stride + lane
                                                (Lanes(row) * decay - gradient * values[position]).store(to: row)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (weights, bias, stride)
    }

    /// In place: the values become probabilities summing to 1.
    @inlinable
    public static func softmax(_ values: UnsafeMutablePointer<Float>, count: Int) {
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

/// A fixed number of `Float` lanes the training loops work on at once.
protocol LabelLanes {
    static var width: Int { get }
    init(_ pointer: UnsafePointer<Float>)
    func store(to pointer: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Float) -> Self
}

extension LabelLanes {
    @inline(__always)
    init(_ pointer: UnsafeMutablePointer<Float>) { self.init(UnsafePointer(pointer)) }
    @inline(__always)
    static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
}

extension SIMD32<Float>: LabelLanes {}
extension SIMD64<Float>: LabelLanes {}

extension SIMD where Self: LabelLanes, Scalar == Float {
    static var width: Int { scalarCount }
    @inline(__always)
    init(_ pointer: UnsafePointer<Float>) { self = UnsafeRawPointer(pointer).loadUnaligned(as: Self.self) }
    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
    }
}

/// 20 lanes (up to 20 labels: the default script's 17 intents, 19 officer reply kinds).
struct Lanes20: LabelLanes {
    var head: SIMD16<Float>
    var tail: SIMD4<Float>
    static var width: Int { 20 }
    @inline(__always)
    init(head: SIMD16<Float>, tail: SIMD4<Float>) {
        self.head = head
        self.tail = tail
    }
    @inline(__always)
    init(_ pointer: UnsafePointer<Float>) {
        head = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
        tail = UnsafeRawPointer(pointer + 16).loadUnaligned(as: SIMD4<Float>.self)
    }
    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: head, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(pointer + 16).storeBytes(of: tail, as: SIMD4<Float>.self)
    }
    @inline(__always)
    static func + (lhs: Self, rhs: Self) -> Self { Self(head: lhs.head + rhs.head, tail: lhs.tail + rhs.tail) }
    @inline(__always)
    static func - (lhs: Self, rhs: Self) -> Self { Self(head: lhs.head - rhs.head, tail: lhs.tail - rhs.tail) }
    @inline(__always)
    static func * (lhs: Self, rhs: Float) -> Self { Self(head: lhs.head * rhs, tail: lhs.tail * rhs) }
}
