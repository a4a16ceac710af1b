#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An IANA time zone read from the system's zoneinfo files (TZif, RFC 8536): offsets from UTC at any instant.
///
/// Foundation's named time zones come from ICU, whose code and data cost the trainee screen about 5 MB of resident
/// memory; the office only needs the offset at an instant, which the TZif file and its POSIX rule give exactly.
public struct OfficeTimeZone: Sendable, Equatable {
    public let identifier: String
    /// Transition instants (seconds since 1970) and the offset in force from each one on.
    private let transitions: [Int64]
    private let offsets: [Int32]
    /// Offset before the first transition (the file's first local time type).
    private let initialOffset: Int32
    /// The POSIX rule for instants after the last transition; nil when the last offset simply continues.
    private let rule: PosixRule?

    /// Where zoneinfo files are looked for: `$TZDIR`, then the usual system folders.
    static let directories: [String] = {
        var directories: [String] = []
        if let custom = ProcessInfo.processInfo.environment["TZDIR"], !custom.isEmpty { directories.append(custom) }
        directories += ["/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"]
        return directories
    }()

    /// The zone of that IANA name ("Asia/Jakarta"); nil when no such zone is installed. UTC, GMT and the Indonesian
    /// zones always exist.
    public init?(identifier: String) {
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        guard !identifier.isEmpty, identifier.utf8.count < 256,
            parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            identifier.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || "0123456789/_-+".unicodeScalars.contains($0)) })
        else { return nil }
        for directory in Self.directories {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(identifier)") else { continue }
            guard let parsed = Self.parse(Array(data)) else { return nil }
            self.init(identifier: identifier, parsed)
            return
        }
        // Without zoneinfo files (a minimal container) the Indonesian zones still work: their offsets have not
        // changed since 1988 (WIB +7, WITA +8, WIT +9), and an office's dates are later than that.
        let fixed: [String: Int32] = [
            "UTC": 0, "GMT": 0, "Asia/Jakarta": 25_200, "Asia/Pontianak": 25_200, "Asia/Makassar": 28_800,
            "Asia/Jayapura": 32_400,
        ]
        guard let offset = fixed[identifier] else { return nil }
        self.init(identifier: identifier, (transitions: [], offsets: [], initial: offset, rule: nil))
    }

    /// Coordinated Universal Time, whether or not the system has zoneinfo files.
    public static let utc = OfficeTimeZone(identifier: "UTC", (transitions: [], offsets: [], initial: 0, rule: nil))

    /// The same zone as a Foundation time zone (tests and callers that already hold one).
    public init?(_ zone: TimeZone) {
        self.init(identifier: zone.identifier)
    }

    private init(identifier: String, _ parsed: (transitions: [Int64], offsets: [Int32], initial: Int32, rule: PosixRule?)) {
        self.identifier = identifier
        transitions = parsed.transitions
        offsets = parsed.offsets
        initialOffset = parsed.initial
        rule = parsed.rule
    }

    public static func == (lhs: OfficeTimeZone, rhs: OfficeTimeZone) -> Bool { lhs.identifier == rhs.identifier }

    /// Seconds the zone's local time is ahead of UTC at `instant`.
    public func secondsFromGMT(for instant: Date) -> Int {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        guard let first = transitions.first, let last = transitions.last else {
            return rule?.offset(at: seconds) ?? Int(initialOffset)
        }
        if seconds >= last, let rule { return rule.offset(at: seconds) }
        if seconds < first { return Int(initialOffset) }
        // The last transition at or before the instant.
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= seconds { low = middle } else { high = middle - 1 }
        }
        return Int(offsets[low])
    }

    // MARK: TZif

    private static func parse(_ bytes: [UInt8]) -> (transitions: [Int64], offsets: [Int32], initial: Int32, rule: PosixRule?)? {
        var reader = ByteReader(bytes: bytes)
        guard let header = reader.header() else { return nil }
        var counts = header.counts
        var timeSize = 4
        if header.version >= 2 {
            // Skip the 32-bit block; the 64-bit one after the second header covers every instant.
            guard reader.skip(counts.blockSize(timeSize: 4)), let second = reader.header() else { return nil }
            counts = second.counts
            timeSize = 8
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(counts.times)
        for _ in 0..<counts.times {
            guard let time = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { return nil }
            transitions.append(time)
        }
        var typeIndices: [Int] = []
        for _ in 0..<counts.times {
            guard let index = reader.byte() else { return nil }
            typeIndices.append(Int(index))
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<counts.types {
            guard let offset = reader.int32(), reader.skip(2) else { return nil }
            typeOffsets.append(offset)
        }
        guard let initial = typeOffsets.first, typeIndices.allSatisfy({ $0 < typeOffsets.count }),
            reader.skip(counts.characters + counts.leaps * (timeSize + 4) + counts.standardFlags + counts.utcFlags)
        else { return nil }
        var rule: PosixRule?
        if header.version >= 2, let footer = reader.footer(), !footer.isEmpty {
            guard let parsed = PosixRule(footer) else { return nil }
            rule = parsed
        }
        return (transitions, typeIndices.map { typeOffsets[$0] }, initial, rule)
    }

    private struct Counts {
        var utcFlags = 0, standardFlags = 0, leaps = 0, times = 0, types = 0, characters = 0

        func blockSize(timeSize: Int) -> Int {
            times * timeSize + times + types * 6 + characters + leaps * (timeSize + 4) + standardFlags + utcFlags
        }
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var index = 0

        mutating func byte() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, index + count <= bytes.count else { return false }
            index += count
            return true
        }

        mutating func int32() -> Int32? {
            guard index + 4 <= bytes.count else { return nil }
            defer { index += 4 }
            return Int32(bitPattern: bytes[index..<index + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }

        mutating func int64() -> Int64? {
            guard index + 8 <= bytes.count else { return nil }
            defer { index += 8 }
            return Int64(bitPattern: bytes[index..<index + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }

        mutating func header() -> (version: Int, counts: Counts)? {
            guard index + 44 <= bytes.count, bytes[index..<index + 4].elementsEqual("TZif".utf8) else { return nil }
            let versionByte = bytes[index + 4]
            let version = versionByte == 0 ? 1 : Int(versionByte) - 0x30
            index += 20
            var values: [Int] = []
            for _ in 0..<6 {
                guard let value = int32(), value >= 0, value < 1 << 20 else { return nil }
                values.append(Int(value))
            }
            return (version, Counts(
                utcFlags: values[0], standardFlags: values[1], leaps: values[2], times: values[3], types: values[4],
                characters: values[5]))
        }

        /// The POSIX TZ string between the two newlines that end a version 2+ file.
        mutating func footer() -> String? {
            guard index < bytes.count, bytes[index] == 0x0A,
                let end = bytes[(index + 1)...].firstIndex(of: 0x0A)
            else { return nil }
            return String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        }
    }
}

/// A POSIX TZ rule such as `WIB-7` or `CET-1CEST,M3.5.0,M10.5.0/3`: what a TZif file says holds after its last
/// transition.
struct PosixRule: Sendable {
    /// Offsets east of UTC in seconds (POSIX writes them west, with the sign the other way round).
    let standard: Int
    let daylight: Int?
    let start: DayRule?
    let end: DayRule?

    /// A day of the year and a time of day (seconds, local time before the change).
    enum DayRule: Sendable {
        /// `Jn`: day 1…365, February 29 never counted.
        case julian(Int, time: Int)
        /// `n`: day 0…365, February 29 counted.
        case zeroBased(Int, time: Int)
        /// `Mm.w.d`: weekday d (0 Sunday) of week w (5 = last) of month m.
        case month(Int, week: Int, weekday: Int, time: Int)

        /// Seconds since 1970 of this moment in `year`, as a local time at `offset`.
        func instant(year: Int, offset: Int) -> Int64 {
            let day: Int
            let time: Int
            switch self {
            case .julian(let number, let at):
                let leap = CivilDate.daysIn(month: 2, year: year) == 29
                day = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch + number - 1 + (leap && number >= 60 ? 1 : 0)
                time = at
            case .zeroBased(let number, let at):
                day = CivilDate(year: year, month: 1, day: 1).daysSinceEpoch + number
                time = at
            case .month(let month, let week, let weekday, let at):
                let first = CivilDate(year: year, month: month, day: 1)
                var date = 1 + (weekday - first.weekday + 7) % 7 + (week - 1) * 7
                let length = CivilDate.daysIn(month: month, year: year)
                while date > length { date -= 7 }
                day = first.daysSinceEpoch + date - 1
                time = at
            }
            return Int64(day) * 86_400 + Int64(time) - Int64(offset)
        }
    }

    init?(_ text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard scanner.name(), let standardWest = scanner.offset() else { return nil }
        standard = -standardWest
        guard !scanner.atEnd else {
            daylight = nil
            start = nil
            end = nil
            return
        }
        guard scanner.name() else { return nil }
        var daylightWest = standardWest - 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            guard let explicit = scanner.offset() else { return nil }
            daylightWest = explicit
        }
        daylight = -daylightWest
        guard scanner.take(UInt8(ascii: ",")), let start = scanner.dayRule(), scanner.take(UInt8(ascii: ",")),
            let end = scanner.dayRule(), scanner.atEnd
        else { return nil }
        self.start = start
        self.end = end
    }

    func offset(at seconds: Int64) -> Int {
        guard let daylight, let start, let end else { return standard }
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let year = CivilDate(daysSinceEpoch: days).year
        // Every change in the years around the instant, in order; daylight starts by standard time and ends by
        // daylight time (both are local times). The last change before the instant decides.
        var changes: [(instant: Int64, offset: Int)] = []
        for candidate in (year - 1)...(year + 1) {
            changes.append((start.instant(year: candidate, offset: standard), daylight))
            changes.append((end.instant(year: candidate, offset: daylight), standard))
        }
        changes.sort { $0.instant < $1.instant }
        guard let first = changes.first, seconds >= first.instant else { return standard }
        return changes.last { $0.instant <= seconds }?.offset ?? standard
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        /// `WIB` or `<+07>`.
        mutating func name() -> Bool {
            if take(UInt8(ascii: "<")) {
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")), close > index else { return false }
                index = close + 1
                return true
            }
            let start = index
            while let byte = peek, (byte | 0x20) >= 0x61, (byte | 0x20) <= 0x7A { index += 1 }
            return index - start >= 3
        }

        mutating func number() -> Int? {
            var value = 0
            let start = index
            while let byte = peek, byte >= 0x30, byte <= 0x39, index - start < 6 {
                value = value * 10 + Int(byte - 0x30)
                index += 1
            }
            return index > start ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds.
        mutating func offset() -> Int? {
            var sign = 1
            if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
            guard let hours = number() else { return nil }
            var seconds = hours * 3600
            if take(UInt8(ascii: ":")) {
                guard let minutes = number() else { return nil }
                seconds += minutes * 60
                if take(UInt8(ascii: ":")) {
                    guard let extra = number() else { return nil }
                    seconds += extra
                }
            }
            return sign * seconds
        }

        mutating func dayRule() -> DayRule? {
            func time(_ scanner: inout Scanner) -> Int? {
                scanner.take(UInt8(ascii: "/")) ? scanner.offset() : 7200
            }
            if take(UInt8(ascii: "M")) {
                guard let month = number(), (1...12).contains(month), take(UInt8(ascii: ".")), let week = number(),
                    (1...5).contains(week), take(UInt8(ascii: ".")), let weekday = number(), weekday <= 6,
                    let at = time(&self)
                else { return nil }
                return .month(month, week: week, weekday: weekday, time: at)
            }
            if take(UInt8(ascii: "J")) {
                guard let day = number(), (1...365).contains(day), let at = time(&self) else { return nil }
                return .julian(day, time: at)
            }
            guard let day = number(), day <= 365, let at = time(&self) else { return nil }
            return .zeroBased(day, time: at)
        }
    }
}
