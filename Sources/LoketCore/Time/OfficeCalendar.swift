import Foundation

/// The office's local time: salam by time of day, working days (weekends and holidays skipped), Indonesian dates.
public struct OfficeCalendar: Sendable {
    public let timeZone: TimeZone
    public let holidays: Set<CivilDate>

    public init(timeZone: TimeZone, holidays: Set<CivilDate>) {
        self.timeZone = timeZone
        self.holidays = holidays
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
