#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When the office answers: opening periods per weekday (local time); weekends without periods and the
/// calendar's holidays are closed.
public struct OfficeSchedule: Sendable, Equatable {
    /// One opening period, minutes after local midnight, `start` inclusive, `end` exclusive.
    public struct Period: Sendable, Equatable {
        public var start: Int
        public var end: Int
    }

    /// Periods by weekday, 0 = Sunday … 6 = Saturday (as `CivilDate.weekday`).
    public var periods: [[Period]]

    /// Indonesian day names as the script writes them, in `CivilDate.weekday` order.
    public static let dayNames = ["minggu", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu"]

    public init(periods: [[Period]]) {
        self.periods = periods.count == 7 ? periods : Array(repeating: [], count: 7)
    }

    /// Always open: scripts without an `[office.opening]` table.
    public static let always = OfficeSchedule(periods: Array(repeating: [Period(start: 0, end: 24 * 60)], count: 7))

    /// Parses "08:00-15:00" or "08:00-11:30, 13:00-15:00" (also with "." and "–"); nil when malformed.
    public static func parsePeriods(_ text: String) -> [Period]? {
        var result: [Period] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(whereSeparator: { $0 == "-" || $0 == "–" })
            guard bounds.count == 2, let start = minutes(bounds[0]), let end = minutes(bounds[1]), start < end else {
                return nil
            }
            result.append(Period(start: start, end: end))
        }
        return result.isEmpty ? nil : result
    }

    private static func minutes(_ text: Substring) -> Int? {
        let pieces = text.trimmingWhitespace().split(whereSeparator: { $0 == ":" || $0 == "." })
        guard pieces.count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]),
            (0...24).contains(hour), (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
        else { return nil }
        return hour * 60 + minute
    }

    /// Whether the office is open at `instant` by `calendar` (its zone and holidays).
    public func isOpen(at instant: Date, calendar: OfficeCalendar) -> Bool {
        let local = calendar.localTime(instant)
        guard !calendar.holidays.contains(local.date) else { return false }
        let minute = local.hour * 60 + local.minute
        return periods[local.date.weekday].contains { $0.start <= minute && minute < $0.end }
    }
}
