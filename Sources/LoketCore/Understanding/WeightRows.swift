/// A trained model's weights, one row of label weights per feature, each row stored as 8-bit codes and one scale
/// (a half-precision number): a quarter of the memory of `Float` and a rounding of at most 1/254 of the row's
/// largest weight, under what separates two intents on every figure we keep (README, "Footprint").
///
/// (Half precision for every weight, 2 bytes, changed none of the figures either; 8 bits took the trainee screen
/// under its 12 MB.) Swift's `Float16` conversions are library calls on x86-64 without F16C, so the conversions
/// of the scales are done on the bits.
struct WeightRows: Sendable {
    let labelCount: Int
    private let codes: [Int8]
    /// Per row: the weight of code 1, as a half.
    private let scales: [UInt16]

    /// Rows `order[0]`, `order[1]`, … of `weights` (feature-major, `stride` per row, the first `labelCount` of
    /// them used), converted.
    init(_ weights: [Float], labelCount: Int, stride: Int, order: [Int32]) {
        self.labelCount = labelCount
        var codes = [Int8](repeating: 0, count: order.count * labelCount)
        var scales = [UInt16](repeating: 0, count: order.count)
        codes.withUnsafeMutableBufferPointer { codes in
            weights.withUnsafeBufferPointer { weights in
                for (row, feature) in order.enumerated() {
                    let source = Int(feature) * stride
                    let target = row * labelCount
                    var largest: Float = 0
                    for label in 0..<labelCount { largest = max(largest, abs(weights[source + label])) }
                    let scale = Self.half(largest / 127)
                    scales[row] = scale
                    let step = Self.float(scale)
                    guard step > 0 else { continue }
                    let inverse = 1 / step
                    for label in 0..<labelCount {
                        // Rounded to nearest by adding and taking away 1.5 × 2^23 (no rounding instruction in the
                        // x86-64 baseline, and `rounded()` is a library call there).
                        let scaled = max(-127, min(127, weights[source + label] * inverse))
                        codes[target + label] = Int8((scaled + 12_582_912) - 12_582_912)
                    }
                }
            }
        }
        self.codes = codes
        self.scales = scales
    }

    var bytes: Int { codes.count * MemoryLayout<Int8>.stride + scales.count * MemoryLayout<UInt16>.stride }

    var rowCount: Int { scales.count }

    /// Calls `body` with a view of the rows for many additions in a row, without reference counting.
    @inline(__always)
    func withRows<Result>(_ body: (Rows) -> Result) -> Result {
        codes.withUnsafeBufferPointer { codes in
            scales.withUnsafeBufferPointer { scales in
                body(Rows(codes: codes, scales: scales, labelCount: labelCount))
            }
        }
    }

    struct Rows {
        fileprivate let codes: UnsafeBufferPointer<Int8>
        fileprivate let scales: UnsafeBufferPointer<UInt16>
        let labelCount: Int

        /// Adds row `row` times `scale` to `sums` (`labelCount` values).
        @inline(__always)
        func add(row: Int, scaledBy scale: Float, to sums: UnsafeMutablePointer<Float>) {
            guard let base = codes.baseAddress else { return }
            let source = base + row * labelCount
            let step = WeightRows.float(scales[row]) * scale
            var label = 0
            // Eight at a time in explicit vectors (no aliasing checks), then one by one: the same arithmetic.
            while label + 8 <= labelCount {
                let sum =
                    UnsafeRawPointer(sums + label).loadUnaligned(as: SIMD8<Float>.self)
                    + SIMD8<Float>(
                        SIMD8<Int32>(
                            truncatingIfNeeded: UnsafeRawPointer(source + label).loadUnaligned(as: SIMD8<Int8>.self)))
                    * step
                UnsafeMutableRawPointer(sums + label).storeBytes(of: sum, as: SIMD8<Float>.self)
                label += 8
            }
            while label < labelCount {
                sums[label] += Float(source[label]) * step
                label += 1
            }
        }

        /// Adds row `row` to `sums` (`labelCount` values).
        @inline(__always)
        func add(row: Int, to sums: UnsafeMutablePointer<Float>) { add(row: row, scaledBy: 1, to: sums) }
    }

    /// The weight at `row`, `label`, as a `Float` (for tests and inspection).
    func weight(row: Int, label: Int) -> Float { Float(codes[row * labelCount + label]) * Self.float(scales[row]) }

    /// Half to float for the finite values `half(_:)` produces, normal or subnormal: the magnitude's bits moved into
    /// place and rescaled by 2^112 (the difference of the exponent biases), then the sign.
    @inline(__always)
    static func float(_ half: UInt16) -> Float {
        let bits = UInt32(half)
        let magnitude = Float(bitPattern: (bits & 0x7FFF) << 13) * Float(bitPattern: 0x7780_0000)
        return Float(bitPattern: magnitude.bitPattern | (bits & 0x8000) << 16)
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
