import Foundation
import Testing

@testable import LoketCore

@Suite("Office time")
struct TimeTests {
    let calendar = OfficeCalendar(
        timeZone: TimeZone(identifier: "Asia/Jakarta") ?? .current,
        holidays: [CivilDate(year: 2026, month: 12, day: 25), CivilDate(year: 2027, month: 1, day: 1)])

    private func wib(_ text: String) throws -> Date {
        try #require(RFC3339.parse("\(text)+07:00"))
    }

    @Test(arguments: [
        ("2026-11-30T04:00:00", OfficeCalendar.Salam.pagi), ("2026-11-30T10:59:59", .pagi),
        ("2026-11-30T11:00:00", .siang), ("2026-11-30T14:59:00", .siang), ("2026-11-30T15:00:00", .sore),
        ("2026-11-30T17:59:00", .sore), ("2026-11-30T18:00:00", .malam), ("2026-11-30T23:30:00", .malam),
        ("2026-11-30T02:00:00", .malam),
    ])
    func salamFollowsTheOfficeClock(time: String, expected: OfficeCalendar.Salam) throws {
        #expect(calendar.salam(at: try wib(time)) == expected)
    }

    @Test func salamUsesTheOfficeZoneNotTheMessageOffset() throws {
        // 02:30 UTC is 09:30 in Jakarta: pagi, although the message was stamped in UTC.
        let instant = try #require(RFC3339.parse("2026-11-30T02:30:00Z"))
        #expect(calendar.salam(at: instant) == .pagi)
        // 10:30 in Makassar (+08:00) is 09:30 in Jakarta.
        let makassar = try #require(RFC3339.parse("2026-11-30T10:30:00+08:00"))
        #expect(calendar.salam(at: makassar) == .pagi)
    }

    @Test func workingDaysSkipWeekendsAndHolidays() {
        let monday = CivilDate(year: 2026, month: 11, day: 30)
        #expect(calendar.adding(workingDays: 2, to: monday) == CivilDate(year: 2026, month: 12, day: 2))
        // Friday + 1 is Monday.
        #expect(calendar.adding(workingDays: 1, to: CivilDate(year: 2026, month: 12, day: 4)) == CivilDate(year: 2026, month: 12, day: 7))
        // Thursday 24 December + 1 skips Christmas and the weekend.
        #expect(calendar.adding(workingDays: 1, to: CivilDate(year: 2026, month: 12, day: 24)) == CivilDate(year: 2026, month: 12, day: 28))
        // Across the new year holiday.
        #expect(calendar.adding(workingDays: 3, to: CivilDate(year: 2026, month: 12, day: 30)) == CivilDate(year: 2027, month: 1, day: 5))
        // Submitted on a Saturday: two working days is Tuesday.
        #expect(calendar.adding(workingDays: 2, to: CivilDate(year: 2026, month: 12, day: 5)) == CivilDate(year: 2026, month: 12, day: 8))
    }

    @Test func indonesianLongDate() {
        #expect(Catalogue.longDate(CivilDate(year: 2026, month: 12, day: 1)) == "Selasa, 1 Desember 2026")
        #expect(Catalogue.longDate(CivilDate(year: 2027, month: 8, day: 17)) == "Selasa, 17 Agustus 2027")
        #expect(Catalogue.longDate(CivilDate(year: 2026, month: 11, day: 29)) == "Minggu, 29 November 2026")
    }

    @Test func civilDateRoundTrips() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilDate(year: 2026, month: 11, day: 30).weekday == 1)
        #expect(CivilDate(parsing: "20260230") == nil)
        #expect(CivilDate(parsing: "2028-02-29") == CivilDate(year: 2028, month: 2, day: 29))
    }

    @Test func rfc3339() throws {
        let date = try #require(RFC3339.parse("2026-11-30T08:05:00+07:00"))
        #expect(date.timeIntervalSince1970 == 1_796_000_700)
        #expect(RFC3339.parse("2026-11-30T01:05:00.500Z")?.timeIntervalSince1970 == 1_796_000_700.5)
        for bad in ["", "2026-11-30", "2026-13-01T00:00:00Z", "2026-11-30T08:05:00", "2026-11-30T25:00:00Z", "kemarin"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func zoneAbbreviations() throws {
        let instant = try wib("2026-11-30T08:00:00")
        #expect(calendar.zoneAbbreviation(at: instant) == "WIB")
        let makassar = OfficeCalendar(timeZone: TimeZone(identifier: "Asia/Makassar") ?? .current, holidays: [])
        #expect(makassar.zoneAbbreviation(at: instant) == "WITA")
        let jayapura = OfficeCalendar(timeZone: TimeZone(identifier: "Asia/Jayapura") ?? .current, holidays: [])
        #expect(jayapura.zoneAbbreviation(at: instant) == "WIT")
    }
}
