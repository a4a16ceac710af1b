import Foundation
import Testing

@testable import LoketCore

@Suite("Coach in the screen and the shift report")
struct ShiftReportTests {
    let engine: Engine
    let scenarios: [Scenario]
    static let start = Fixtures.mondayMorning

    init() throws {
        engine = try Fixtures.engine()
        scenarios = try Fixtures.scenarios()
    }

    private func press(_ state: inout AppState, _ keys: Key...) {
        for key in keys { _ = state.update(.key(key), engine: engine) }
    }

    /// A seeded shift limited to `citizens`, answered by a trainee who sends the top suggestion after `delay`
    /// seconds, except that every `sloppyEvery`-th reply is a curt "tunggu saja".
    private func playShift(citizens: Int, delay: Double, sloppyEvery: Int? = nil) -> (AppState, [AppEffect]) {
        let simulator = Simulator(
            scenarios: scenarios, seed: 3, start: Self.start, meanArrivalSeconds: 60, maximumCitizens: citizens)
        var state = AppState(now: Self.start, width: 100, height: 30)
        state.citizenLimit = citizens
        var session = CounterSession(state: state, source: SimulatedCitizens(simulator: simulator), engine: engine)
        var effects: [AppEffect] = []
        var sent = 0
        func press(_ keys: Key...) {
            for key in keys where session.handle(.key(key)) { effects.append(.quit) }
        }
        for _ in 0..<(40 * 60) where !session.state.shiftOver {
            if session.advance(to: session.state.now.addingTimeInterval(1)) { effects.append(.quit) }
            let state = session.state
            guard let index = state.order.first(where: { state.chats[$0].waitingSince.map { state.now.timeIntervalSince($0) >= delay } ?? false })
            else { continue }
            while session.state.selected != index { press(.control("n")) }
            sent += 1
            if let sloppyEvery, sent % sloppyEvery == 0 {
                for character in "tunggu saja" { press(.character(character)) }
                press(.enter)
            } else {
                press(.tab, .enter)
            }
        }
        return (session.state, effects)
    }

    @Test func eachSentReplyGetsAScoreInTheTranscriptAndTheStatusBar() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let index = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        state.receive("Selamat pagi, mau urus nib", chat: index, engine: engine)
        press(&state, .tab, .enter)
        let good = state.chats[index].messages.last
        #expect(good?.author == .coach)
        #expect(good?.text.hasPrefix("Skor ") == true)
        #expect((state.chats[index].replies.last?.score ?? 0) >= 85)
        #expect(state.coachFlash?.text == good?.text)
        state.receive("jadi bagaimana?", chat: index, engine: engine)
        for character in "tunggu saja" { press(&state, .character(character)) }
        press(&state, .enter)
        #expect((state.chats[index].replies.last?.score ?? 100) <= 40)
        #expect(state.chats[index].messages.last?.text.contains("Hindari \"tunggu saja\"") == true)
        // The coach's lines are never what the citizen was sent: they are not officer messages.
        #expect(state.chats[index].messages.filter { $0.author == .officer }.allSatisfy { !$0.text.hasPrefix("Skor") })
    }

    @Test func examHidesTheSuggestions() {
        var state = AppState(now: Self.start, width: 100, height: 30, hideSuggestions: true)
        let index = state.addCitizen(name: "Ani", honorific: nil, priority: false, engine: engine)
        state.receive("mau urus nib", chat: index, engine: engine)
        press(&state, .tab)
        #expect(state.input.isEmpty)
    }

    @Test func aSeededShiftEndsAtItsCitizenLimitWithTheRightFigures() throws {
        let (state, effects) = playShift(citizens: 4, delay: 10)
        #expect(state.shiftOver)
        #expect(effects.contains(.quit))
        let report = ShiftReport.make(from: state, started: Self.start, seed: 42, exam: false)
        #expect(report.total.conversations == 4)
        #expect(report.conversations.allSatisfy { $0.outcome == "selesai" })
        let replies = state.chats.flatMap(\.replies)
        #expect(report.total.replies == replies.count)
        // Every reply came 10 seconds after the citizen's message (the shift ticks once a second).
        #expect(report.total.medianResponse == 10)
        #expect(report.total.worstResponse == replies.map(\.waited).max())
        #expect((report.total.score ?? 0) >= 85)
        let reference = try #require(report.conversations.first { $0.scenario == "reference" }, "\(report.conversations.map(\.scenario))")
        #expect(reference.stages == ["salam", "dokumen", "tanda terima", "penutup"])
        #expect(reference.firstResponse == 10)
    }

    @Test func sloppyRepliesShowInTheScoreAndTheTips() {
        let (state, _) = playShift(citizens: 3, delay: 10, sloppyEvery: 3)
        let report = ShiftReport.make(from: state, started: Self.start, seed: 42, exam: true)
        #expect((report.total.score ?? 100) < 85)
        #expect(report.total.topTips.contains { $0.contains("tunggu saja") })
        #expect(report.total.topTips.count <= 3)
        #expect(report.markdown.contains("## Saran per percakapan"))
        #expect(report.conversations.contains { $0.topTips.contains { $0.contains("tunggu saja") } })
    }

    @Test func reportIsValidJSONAndMarkdownAndReadsBack() throws {
        let (state, _) = playShift(citizens: 2, delay: 5)
        let report = ShiftReport.make(from: state, started: Self.start, seed: 42, exam: false)
        let decoded = try #require(ShiftReport.decode(json: report.json))
        #expect(decoded == report)
        #expect(JSON.parse(report.json) != nil, "our strict reader accepts it too")
        let markdown = report.markdown
        #expect(markdown.hasPrefix("# Laporan Sesi Latihan Loket\n"))
        #expect(markdown.contains("| Warga | Hasil | Balasan | Balasan pertama |"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| ---") }
        // Header and six totals, then a header and a row per conversation; every row has its cells.
        #expect(rows.count == 7 + 1 + report.conversations.count)
        for row in rows.suffix(report.conversations.count) { #expect(row.split(separator: "|").count == 8) }
        #expect(ShiftReport.decode(json: "{\"not\": \"a report\"}") == nil)
    }

    @Test(arguments: [("15m", 900.0), ("90s", 90), ("1h", 3600), ("1h30m", 5400)] as [(String, Double)])
    func shiftLengths(text: String, seconds: Double) {
        #expect(ShiftReport.seconds(text) == seconds)
    }

    @Test(arguments: ["", "15", "m", "15x", "-5m", "0m"])
    func badShiftLengths(text: String) {
        #expect(ShiftReport.seconds(text) == nil)
    }

    @Test func theReportScreenIsATableInOfficeTime() throws {
        let (state, _) = playShift(citizens: 3, delay: 10)
        let report = ShiftReport.make(from: state, started: Self.start, seed: 3, exam: false)
        let script = try ScriptLoader.loadDefault()
        let lines = report.screenLines(calendar: script.calendar)
        #expect(lines[0] == Catalogue.Report.title)
        #expect(lines[1].contains("pukul 08.00 WIB"), "office time, not UTC: \(lines[1])")
        #expect(!lines[1].contains("Z"))
        #expect(!lines.joined().contains("|"), "a table for the screen, not Markdown")
        let header = try #require(lines.firstIndex { $0.hasPrefix(Catalogue.Report.citizen) })
        #expect(lines[header + 1].hasPrefix("─"))
        let totalRow = try #require(lines.firstIndex { $0.hasPrefix(Catalogue.Report.totals) })
        #expect(totalRow == header + 2 + report.conversations.count)
        // Columns line up: every row starts its outcome where the header does.
        let outcomeColumn = try #require(lines[header].range(of: Catalogue.Report.outcome)).lowerBound.utf16Offset(in: lines[header])
        for row in lines[(header + 2)...totalRow] {
            let prefix = String(row.prefix(outcomeColumn))
            #expect(prefix.hasSuffix("  "), "\(row)")
        }
    }

    @Test func everyTipOfAReplyStaysInTheTranscript() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let index = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        state.receive("Selamat pagi, mau urus nib", chat: index, engine: engine)
        _ = state.update(.tick(Self.start.addingTimeInterval(400)), engine: engine)
        for character in "TUNGGU SAJA" { press(&state, .character(character)) }
        press(&state, .enter)
        let tips = state.chats[index].replies.last?.tips ?? []
        #expect(tips.count >= 2, "a late, curt, shouted reply earns several tips")
        let line = state.chats[index].messages.last { $0.author == .coach }?.text ?? ""
        for tip in tips { #expect(line.contains(tip)) }
        #expect(state.coachFlash?.text.contains(tips[0]) == true)
    }
}
