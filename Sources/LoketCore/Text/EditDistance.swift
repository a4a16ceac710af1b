/// Optimal-string-alignment distance (Levenshtein plus adjacent swaps), stopping early past `limit`.
/// Rows live in one temporary stack allocation: this runs for many word pairs per message.
func editDistance(_ first: [UInt8], _ second: [UInt8], limit: Int) -> Int {
    if abs(first.count - second.count) > limit { return limit + 1 }
    if first.isEmpty || second.isEmpty { return max(first.count, second.count) }
    let width = second.count + 1
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: width * 3) { rows in
        var previousPrevious = 0
        var previous = width
        var current = width * 2
        for j in 0..<width { rows[previous + j] = j }
        for i in 1...first.count {
            rows[current] = i
            var rowMinimum = i
            for j in 1...second.count {
                let cost = first[i - 1] == second[j - 1] ? 0 : 1
                var value = min(rows[previous + j] + 1, rows[current + j - 1] + 1, rows[previous + j - 1] + cost)
                if i > 1, j > 1, first[i - 1] == second[j - 2], first[i - 2] == second[j - 1] {
                    value = min(value, rows[previousPrevious + j - 2] + 1)
                }
                rows[current + j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return limit + 1 }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return rows[previous + second.count]
    }
}
