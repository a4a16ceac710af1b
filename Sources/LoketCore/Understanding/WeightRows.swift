/// A trained model's weights, one row of label weights per feature, stored as IEEE half-precision numbers: half the
/// memory of `Float`, and a rounding (relative error below 1/2048) far under what separates two intents.
///
/// Swift's `Float16` conversions are library calls on x86-64 without F16C, so the conversions here are done on the
/// bits: branch-free one way, so the scoring loops stay vectorised, and once per weight at load the other way.
struct WeightRows: Sendable {
    let labelCount: Int
    private let halves: [UInt16]

    /// Rows `order[0]`, `order[1]`, … of `weights` (feature-major, `stride` per row, the first `labelCount` of
    /// them used), converted.
    init(_ weights: [Float], labelCount: Int, stride: Int, order: [Int32]) {
        self.labelCount = labelCount
        var halves = [UInt16](repeating: 0, count: order.count * labelCount)
        halves.withUnsafeMutableBufferPointer { halves in
            weights.withUnsafeBufferPointer { weights in
                for (row, feature) in order.enumerated() {
                    let source = Int(feature) * stride
                    let target = row * labelCount
                    for label in 0..<labelCount { halves[target + label] = Self.half(weights[source + label]) }
                }
            }
        }
        self.halves = halves
    }

    var bytes: Int { halves.count * MemoryLayout<UInt16>.stride }

    var rowCount: Int { labelCount == 0 ? 0 : halves.count / labelCount }

    /// Calls `body` with a view of the rows for many additions in a row, without reference counting.
    @inline(__always)
    func withRows<Result>(_ body: (Rows) -> Result) -> Result {
        halves.withUnsafeBufferPointer { body(Rows(halves: $0, labelCount: labelCount)) }
    }

    struct Rows {
        fileprivate let halves: UnsafeBufferPointer<UInt16>
        let labelCount: Int

        /// Adds row `row` times `scale` to `sums` (`labelCount` values).
        @inline(__always)
        func add(row: Int, scaledBy scale: Float, to sums: UnsafeMutablePointer<Float>) {
            guard let base = halves.baseAddress else { return }
            let source = base + row * labelCount
            var label = 0
            // Eight at a time in explicit vectors (no aliasing checks), then one by one: the same arithmetic.
            while label + 8 <= labelCount {
                let sum = UnsafeRawPointer(sums + label).loadUnaligned(as: SIMD8<Float>.self)
                    + WeightRows.floats(UnsafeRawPointer(source + label).loadUnaligned(as: SIMD8<UInt16>.self)) * scale
                UnsafeMutableRawPointer(sums + label).storeBytes(of: sum, as: SIMD8<Float>.self)
                label += 8
            }
            while label < labelCount {
                sums[label] += WeightRows.float(source[label]) * scale
                label += 1
            }
        }

        /// Adds row `row` to `sums` (`labelCount` values).
        @inline(__always)
        func add(row: Int, to sums: UnsafeMutablePointer<Float>) {
            guard let base = halves.baseAddress else { return }
            let source = base + row * labelCount
            var label = 0
            while label + 8 <= labelCount {
                let sum = UnsafeRawPointer(sums + label).loadUnaligned(as: SIMD8<Float>.self)
                    + WeightRows.floats(UnsafeRawPointer(source + label).loadUnaligned(as: SIMD8<UInt16>.self))
                UnsafeMutableRawPointer(sums + label).storeBytes(of: sum, as: SIMD8<Float>.self)
                label += 8
            }
            while label < labelCount {
                sums[label] += WeightRows.float(source[label])
                label += 1
            }
        }
    }

    /// The weight at `row`, `label`, as a `Float` (for tests and inspection).
    func weight(row: Int, label: Int) -> Float { Self.float(halves[row * labelCount + label]) }

    /// Half to float for the finite values `half(_:)` produces, normal or subnormal: the magnitude's bits moved into
    /// place and rescaled by 2^112 (the difference of the exponent biases), then the sign.
    @inline(__always)
    static func float(_ half: UInt16) -> Float {
        let bits = UInt32(half)
        let magnitude = Float(bitPattern: (bits & 0x7FFF) << 13) * Float(bitPattern: 0x7780_0000)
        return Float(bitPattern: magnitude.bitPattern | (bits & 0x8000) << 16)
    }

    /// `float(_:)` on eight halves at once.
    @inline(__always)
    static func floats(_ halves: SIMD8<UInt16>) -> SIMD8<Float> {
        let bits = SIMD8<UInt32>(truncatingIfNeeded: halves)
        let magnitude = unsafeBitCast((bits & 0x7FFF) &<< 13, to: SIMD8<Float>.self) * Float(bitPattern: 0x7780_0000)
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | (bits & 0x8000) &<< 16, to: SIMD8<Float>.self)
    }

    /// Float to half, rounding to nearest even; beyond the half range (65504), which trained weights never reach,
    /// it saturates rather than giving infinity.
    static func half(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude >= 0x477F_E000 || value.isNaN { return sign | 0x7BFF }
        if magnitude < 0x3880_0000 {
            // Subnormal or zero: adding 0.5 aligns the mantissa so the hardware rounds it.
            let magic = Float(bitPattern: 0x3F00_0000)
            let rounded = Float(bitPattern: magnitude) + magic
            return sign | UInt16(truncatingIfNeeded: rounded.bitPattern &- magic.bitPattern)
        }
        let odd = (magnitude >> 13) & 1
        let rebiased = magnitude &+ 0xC800_0FFF &+ odd
        return sign | UInt16(truncatingIfNeeded: rebiased >> 13)
    }
}
