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

/// A trained model's features, frozen: their hashes sorted, with a directory by the top bits of the hash, so a
/// feature's row is its position and nothing but the hashes is stored (8 bytes and a little per feature, where an
/// open-addressing table held 24 at half load).
struct FeatureTable: Sendable {
    /// Hashes in ascending order; a feature's row in the model's weights is its position here.
    private let keys: [UInt64]
    /// `directory[b] ..< directory[b + 1]` are the positions of the hashes whose top bits are `b`.
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
        for hash in hashes { directory[Int(hash >> shift) + 1] += 1 }
        for bucket in 0..<bucketCount { directory[bucket + 1] += directory[bucket] }
        var next = directory
        var keys = [UInt64](repeating: 0, count: hashes.count)
        var featureOfRow = [Int32](repeating: 0, count: hashes.count)
        for (feature, hash) in hashes.enumerated() {
            let bucket = Int(hash >> shift)
            // Insertion sort within the bucket (a handful of hashes), so each bucket is in ascending order.
            var position = Int(next[bucket])
            next[bucket] += 1
            let start = Int(directory[bucket])
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

    private init(keys: [UInt64], directory: [UInt32], shift: UInt64) {
        self.keys = keys
        self.directory = directory
        self.shift = shift
    }

    var count: Int { keys.count }

    var bytes: Int { keys.count * MemoryLayout<UInt64>.stride + directory.count * MemoryLayout<UInt32>.stride }

    /// The feature's row, or nil for a feature the model never saw.
    subscript(key: UInt64) -> Int? {
        let bucket = Int(key >> shift)
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
