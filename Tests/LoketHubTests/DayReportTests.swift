import Foundation
import LoketCore
import LoketHub
import LoketWire
import Testing

@Suite("Day report")
struct DayReportTests {
    /// Monday 30 November 2026, 08:00 WIB.
    let morning = Date(timeIntervalSince1970: 1_796_000_400)

    private func at(_ seconds: Double) -> Date { morning.addingTimeInterval(seconds) }

    @Test func firstResponsesThresholdsAndSurveysPerOfficerAndInTotal() throws {
        var seq: Int64 = 0
        func event(_ kind: EventKind, _ conversation: String, _ time: Double, from: MessageAuthor? = nil,
                   officer: String? = nil, score: Int? = nil) -> HubEvent {
            seq += 1
            return HubEvent(seq: seq, kind: kind, conversation: conversation, time: at(time), from: from, text: "x",
                            officer: officer, score: score)
        }
        let events = [
            event(.message, "a", 0, from: .citizen),
            event(.message, "a", 30, from: .officer, officer: "ani"),  // first response 30 s
            event(.message, "a", 40, from: .citizen),
            event(.message, "a", 140, from: .officer, officer: "ani"),  // 100 s: a warning
            event(.closed, "a", 150, officer: "ani"),
            event(.survey, "a", 160, score: 4),
            event(.message, "b", 0, from: .citizen),
            event(.message, "b", 200, from: .citizen),
            event(.message, "b", 300, from: .officer, officer: "joko"),  // 300 s from the first: a breach
            event(.closed, "b", 310, officer: "joko"),
            event(.survey, "b", 320, score: 2),
            // Another day is not counted.
            event(.message, "c", 86_400, from: .citizen),
            event(.message, "c", 86_410, from: .officer, officer: "ani"),
        ]
        let script = try ScriptLoader.loadDefault()
        let report = DayReport.make(
            events: events, day: CivilDate(year: 2026, month: 11, day: 30), calendar: script.calendar,
            thresholds: .liveChat)
        let ani = try #require(report.officers["ani"])
        #expect(ani.conversations == 1)
        #expect(ani.firstResponses == [30])
        #expect(ani.warnings == 1)
        #expect(ani.breaches == 0)
        #expect(ani.surveyAverage == 4)
        let joko = try #require(report.officers["joko"])
        #expect(joko.firstResponses == [300])
        #expect(joko.breaches == 1)
        #expect(report.total.conversations == 2)
        #expect(report.total.medianFirstResponse == 165)
        #expect(report.total.worstFirstResponse == 300)
        #expect(report.total.surveyAverage == 3)
        let lines = report.text.split(separator: "\n")
        #expect(lines.first == "Laporan Senin, 30 November 2026")
        #expect(lines.last?.hasPrefix("Jumlah") == true)
        #expect(lines.last?.contains("2 mnt 45 dtk") == true)
    }
}
