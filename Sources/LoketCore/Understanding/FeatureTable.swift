/// Numbers features (64-bit hashes) in the order training first meets them: an open-addressing table that grows,
/// used only while a model is trained. The hashes are already well mixed, so this skips the standard library's
/// per-lookup SipHash, which was a tenth of the training time.
struct FeatureInterner {
    private var slots: [UInt64]
    /// Feature number in each slot, -1 when empty.
    private var numbers: [Int32]
    private var mask: Int
    /// Every feature's hash, by feature number.
    private(set) var hashes: [UInt64] = []

    init(expected: Int = 1024) {
        var capacity = 64
        while capacity < expected * 2 { capacity *= 2 }
        slots = [UInt64](repeating: 0, count: capacity)
        numbers = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
    }

    var count: Int { hashes.count }

    /// The feature's number, given a new one when it was not seen before.
    mutating func number(for hash: UInt64) -> Int32 {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let number = numbers[slot]
            if number < 0 { break }
            if slots[slot] == hash { return number }
            slot = (slot + 1) & mask
        }
        let number = Int32(hashes.count)
        slots[slot] = hash
        numbers[slot] = number
        hashes.append(hash)
        if hashes.count * 2 > slots.count { grow() }
        return number
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [UInt64](repeating: 0, count: capacity)
        numbers = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while numbers[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = hash
            numbers[slot] = Int32(number)
        }
    }
}

/// A trained model's features, frozen: their hashes sorted by bucket, with a directory of the buckets, so a
/// feature's row is its position and nothing but the hashes is stored (8 bytes and a little per feature, where an
/// open-addressing table held 24 at half load).
struct FeatureTable: Sendable {
    /// Hashes in ascending order; a feature's row in the model's weights is its position here.
    private let keys: [UInt64]
    /// `directory[b] ..< directory[b + 1]` are the positions of the hashes in bucket `b` (see `bucket`).
    private let directory: [UInt32]
    private let shift: UInt64

    /// The table for `hashes` (feature number → hash, all different) and, for each row of the table, the feature
    /// number it holds, so the caller can lay its weights out in row order.
    static func freezing(_ hashes: [UInt64]) -> (table: FeatureTable, featureOfRow: [Int32]) {
        // About two features per bucket: a lookup compares one or two hashes, as linear probing at half load did.
        var bits: UInt64 = 1
        while (1 << bits) * 2 < hashes.count { bits += 1 }
        let shift = 64 - bits
        let bucketCount = 1 << Int(bits)
        var directory = [UInt32](repeating: 0, count: bucketCount + 1)
        for hash in hashes { directory[Self.bucket(hash, shift: shift) + 1] += 1 }
        for bucket in 0..<bucketCount { directory[bucket + 1] += directory[bucket] }
        var next = directory
        var keys = [UInt64](repeating: 0, count: hashes.count)
        var featureOfRow = [Int32](repeating: 0, count: hashes.count)
        for (feature, hash) in hashes.enumerated() {
            let home = Self.bucket(hash, shift: shift)
            // Insertion sort within the bucket (a handful of hashes), so each bucket is in ascending order.
            var position = Int(next[home])
            next[home] += 1
            let start = Int(directory[home])
            while position > start, keys[position - 1] > hash {
                keys[position] = keys[position - 1]
                featureOfRow[position] = featureOfRow[position - 1]
                position -= 1
            }
            keys[position] = hash
            featureOfRow[position] = Int32(feature)
        }
        return (FeatureTable(keys: keys, directory: directory, shift: shift), featureOfRow)
    }

    /// The bucket of a hash: its top bits after a multiplication that mixes every bit into them (FNV-1a's top
    /// bits hardly depend on the last bytes of a short n-gram, which crowded a few buckets).
    @inline(__always)
    fileprivate static func bucket(_ hash: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    private init(keys: [UInt64], directory: [UInt32], shift: UInt64) {
        self.keys = keys
        self.directory = directory
        self.shift = shift
    }

    var count: Int { keys.count }

    var bytes: Int { keys.count * MemoryLayout<UInt64>.stride + directory.count * MemoryLayout<UInt32>.stride }

    /// The feature's row, or nil for a feature the model never saw.
    subscript(key: UInt64) -> Int? { withLookup { $0[key] } }

    /// Calls `body` with a view of the table for many lookups in a row, without bounds checks or reference counting.
    @inline(__always)
    func withLookup<Result>(_ body: (Lookup) -> Result) -> Result {
        keys.withUnsafeBufferPointer { keys in
            directory.withUnsafeBufferPointer { directory in
                body(Lookup(keys: keys, directory: directory, shift: shift))
            }
        }
    }

    struct Lookup {
        fileprivate let keys: UnsafeBufferPointer<UInt64>
        fileprivate let directory: UnsafeBufferPointer<UInt32>
        fileprivate let shift: UInt64

        /// The feature's row, or nil for a feature the model never saw.
        @inline(__always)
        subscript(key: UInt64) -> Int? {
            let bucket = FeatureTable.bucket(key, shift: shift)
            var position = Int(directory[bucket])
            let end = Int(directory[bucket + 1])
            while position < end {
                let stored = keys[position]
                if stored == key { return position }
                if stored > key { return nil }
                position += 1
            }
            return nil
        }
    }
}
