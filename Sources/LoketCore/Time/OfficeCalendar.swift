#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The office's local time: salam by time of day, working days (weekends and holidays skipped), Indonesian dates.
public struct OfficeCalendar: Sendable {
    public let timeZone: OfficeTimeZone
    public let holidays: Set<CivilDate>
    /// Opening hours by weekday (0 Sunday … 6 Saturday) as minute ranges after midnight; empty when unknown.
    public let openingHours: [Int: [Range<Int>]]

    public init(timeZone: OfficeTimeZone, holidays: Set<CivilDate>, openingHours: [Int: [Range<Int>]] = [:]) {
        self.timeZone = timeZone
        self.holidays = holidays
        self.openingHours = openingHours
    }

    /// The calendar of a Foundation time zone; UTC when the system has no zoneinfo file of that name.
    public init(timeZone: TimeZone, holidays: Set<CivilDate>, openingHours: [Int: [Range<Int>]] = [:]) {
        self.init(
            timeZone: OfficeTimeZone(timeZone) ?? .utc, holidays: holidays, openingHours: openingHours)
    }

    /// The four Indonesian greetings by time of day.
    public enum Salam: String, Sendable, CaseIterable {
        case pagi, siang, sore, malam
    }

    /// Local wall-clock reading of an instant in the office's zone.
    public struct LocalTime: Sendable, Equatable {
        public var date: CivilDate
        public var hour: Int
        public var minute: Int
    }

    public func localTime(_ instant: Date) -> LocalTime {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        return LocalTime(date: CivilDate(daysSinceEpoch: days), hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60)
    }

    /// Pagi until 10:59, siang 11:00–14:59, sore 15:00–17:59, malam from 18:00 (and before 04:00).
    public func salam(at instant: Date) -> Salam {
        switch localTime(instant).hour {
        case 4..<11: .pagi
        case 11..<15: .siang
        case 15..<18: .sore
        default: .malam
        }
    }

    public func isWorkingDay(_ date: CivilDate) -> Bool {
        !date.isWeekend && !holidays.contains(date)
    }

    /// The day a job of `count` working days started on `start` is done: the `count`-th working day after `start`.
    public func adding(workingDays count: Int, to start: CivilDate) -> CivilDate {
        var date = start
        var remaining = max(count, 0)
        if remaining == 0 {
            while !isWorkingDay(date) { date = date.adding(days: 1) }
            return date
        }
        while remaining > 0 {
            date = date.adding(days: 1)
            if isWorkingDay(date) { remaining -= 1 }
        }
        return date
    }

    /// The instant of `minute` after midnight on `date`, office time.
    public func instant(_ date: CivilDate, minute: Int) -> Date {
        let guess = Date(timeIntervalSince1970: Double(date.daysSinceEpoch * 86_400 + minute * 60))
        return guess.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
    }

    /// The office's open intervals on `date` (none on weekends and holidays).
    public func openIntervals(on date: CivilDate) -> [Range<Int>] {
        isWorkingDay(date) ? openingHours[date.weekday] ?? [] : []
    }

    /// The day documents handed in at `moment` count from: today on a working day before closing, otherwise the
    /// next working day.
    public func submissionDay(at moment: Date) -> CivilDate {
        let local = localTime(moment)
        let minute = local.hour * 60 + local.minute
        if isWorkingDay(local.date) {
            let closing = openIntervals(on: local.date).map(\.upperBound).max()
            if closing.map({ minute < $0 }) ?? true { return local.date }
        }
        var date = local.date.adding(days: 1)
        while !isWorkingDay(date) { date = date.adding(days: 1) }
        return date
    }

    /// A promise to report back within `hours` of `moment`, moved inside office hours on a working day: the latest
    /// open moment before the limit that is at least an hour away, else the next working day's closing time.
    public func followupDeadline(from moment: Date, within hours: Int) -> Date {
        let limit = moment.addingTimeInterval(Double(hours) * 3600)
        guard !openingHours.isEmpty else { return limit }
        let earliest = moment.addingTimeInterval(3600)
        var date = localTime(limit).date
        let first = localTime(moment).date
        while first <= date {
            for interval in openIntervals(on: date).reversed() {
                let start = instant(date, minute: interval.lowerBound)
                let end = instant(date, minute: interval.upperBound)
                let candidate = min(end, limit)
                if candidate >= start, candidate >= earliest { return candidate }
            }
            date = date.adding(days: -1)
        }
        var next = localTime(moment).date.adding(days: 1)
        for _ in 0..<30 where openIntervals(on: next).isEmpty { next = next.adding(days: 1) }
        let closing = openIntervals(on: next).map(\.upperBound).max() ?? 15 * 60
        return instant(next, minute: closing)
    }

    /// Indonesian zone abbreviation for the office's time zone: WIB, WITA or WIT (offset from UTC otherwise).
    public func zoneAbbreviation(at instant: Date) -> String {
        switch timeZone.secondsFromGMT(for: instant) {
        case 7 * 3600: "WIB"
        case 8 * 3600: "WITA"
        case 9 * 3600: "WIT"
        case let offset:
            "UTC\(offset >= 0 ? "+" : "-")\(abs(offset) / 3600)"
        }
    }
}
