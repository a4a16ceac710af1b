import Foundation
import LoketCore
import LoketWire

/// A day's figures per officer and in total, from the stored events: conversations answered, first response
/// times, replies past the wait thresholds, and the survey average.
public struct DayReport: Sendable, Equatable {
    /// One officer's (or everyone's) figures.
    public struct Figures: Sendable, Equatable {
        public var conversations = 0
        public var firstResponses: [Double] = []
        public var warnings = 0
        public var breaches = 0
        public var surveys: [Int] = []

        public var medianFirstResponse: Double? {
            guard !firstResponses.isEmpty else { return nil }
            let sorted = firstResponses.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }

        public var worstFirstResponse: Double? { firstResponses.max() }
        public var surveyAverage: Double? { surveys.isEmpty ? nil : Double(surveys.reduce(0, +)) / Double(surveys.count) }
    }

    public var day: CivilDate
    public var officers: [String: Figures]
    public var total: Figures

    /// Computes the report from every event of `day` (office time), judging waits by `thresholds`.
    public static func make(events: [HubEvent], day: CivilDate, calendar: OfficeCalendar, thresholds: WaitThresholds) -> DayReport {
        var officers: [String: Figures] = [:]
        var total = Figures()
        var waitingSince: [String: Date] = [:]
        var answered: Set<String> = []
        var handledBy: [String: Set<String>] = [:]
        var closedBy: [String: String] = [:]
        for event in events.sorted(by: { ($0.seq ?? 0) < ($1.seq ?? 0) }) where calendar.localTime(event.time).date == day {
            let id = event.conversation
            switch (event.kind, event.from) {
            case (.message, .citizen?):
                if waitingSince[id] == nil { waitingSince[id] = event.time }
            case (.message, .officer?):
                guard let officer = event.officer else { continue }
                handledBy[officer, default: []].insert(id)
                if let since = waitingSince.removeValue(forKey: id) {
                    let waited = event.time.timeIntervalSince(since)
                    var figures = officers[officer] ?? Figures()
                    if !answered.contains(id) {
                        answered.insert(id)
                        figures.firstResponses.append(waited)
                        total.firstResponses.append(waited)
                    }
                    switch thresholds.level(waited) {
                    case .normal: break
                    case .warning:
                        figures.warnings += 1
                        total.warnings += 1
                    case .breach, .overLimit:
                        figures.breaches += 1
                        total.breaches += 1
                    }
                    officers[officer] = figures
                }
            case (.closed, _):
                if let officer = event.officer { closedBy[id] = officer }
            case (.survey, _):
                guard let score = event.score else { continue }
                total.surveys.append(score)
                if let officer = closedBy[id] { officers[officer, default: Figures()].surveys.append(score) }
            default:
                break
            }
        }
        for (officer, conversations) in handledBy { officers[officer, default: Figures()].conversations = conversations.count }
        total.conversations = Set(handledBy.values.flatMap { $0 }).count
        return DayReport(day: day, officers: officers, total: total)
    }

    /// A plain table for the terminal, Indonesian labels.
    public var text: String {
        func seconds(_ value: Double?) -> String {
            guard let value else { return "-" }
            let total = Int(value.rounded())
            return total < 60 ? "\(total) dtk" : "\(total / 60) mnt \(total % 60) dtk"
        }
        func average(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        let header = ["Petugas", "Percakapan", "Respons pertama (median)", "Terlama", "Peringatan", "Lewat batas", "Survei"]
        var rows: [[String]] = []
        for officer in officers.keys.sorted() {
            let figures = officers[officer] ?? Figures()
            rows.append([
                officer, "\(figures.conversations)", seconds(figures.medianFirstResponse), seconds(figures.worstFirstResponse),
                "\(figures.warnings)", "\(figures.breaches)", average(figures.surveyAverage),
            ])
        }
        rows.append([
            "Jumlah", "\(total.conversations)", seconds(total.medianFirstResponse), seconds(total.worstFirstResponse),
            "\(total.warnings)", "\(total.breaches)", average(total.surveyAverage),
        ])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return (["Laporan \(Catalogue.longDate(day))", line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
