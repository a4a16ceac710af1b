import Foundation
import Testing

@testable import LoketCore

/// Simulated citizens behave like one shift of real people: their own names and numbers, their own language, the
/// office clock, and reactions to everything a reply did.
@Suite("Simulated citizens")
struct SimulatedCitizenTests {
    let engine: Engine
    let scenarios: [Scenario]

    init() throws {
        engine = try Fixtures.engine()
        scenarios = try Fixtures.scenarios()
    }

    private func scenario(_ id: String) throws -> Scenario { try #require(scenarios.first { $0.id == id }) }

    /// Runs `simulator` for `seconds`, collecting what it says per chat.
    private func run(_ simulator: inout Simulator, from start: Date, seconds: Int) -> (names: [Int: String], lines: [Int: [String]]) {
        var names: [Int: String] = [:]
        var lines: [Int: [String]] = [:]
        for second in 0...seconds {
            for output in simulator.tick(start.addingTimeInterval(Double(second))) {
                switch output {
                case .arrive(let chat, let name, _, _, _): names[chat] = name
                case .say(let chat, let text): lines[chat, default: []].append(text)
                default: break
                }
            }
        }
        return (names, lines)
    }

    @Test func namesAndReceiptNumbersAreUniqueWithinAShift() throws {
        let complaint = try scenario("complaint")
        let status = try scenario("status_check")
        var simulator = Simulator(
            scenarios: [complaint, status], seed: 11, start: Fixtures.mondayMorning, meanArrivalSeconds: 5,
            maximumCitizens: 12, script: engine.script)
        let (names, lines) = run(&simulator, from: Fixtures.mondayMorning, seconds: 200)
        #expect(names.count == 12)
        #expect(Set(names.values).count == names.count, "\(names.values.sorted())")
        // Each status citizen quotes a number in the first line; complaint citizens quote theirs when asked.
        for chat in names.keys { _ = simulator.officerReplied(chat: chat, kind: .complaintAck, at: Fixtures.mondayMorning.addingTimeInterval(201)) }
        let later = run(&simulator, from: Fixtures.mondayMorning.addingTimeInterval(202), seconds: 60).lines
        let quoted = (lines.values.flatMap { $0 } + later.values.flatMap { $0 }).compactMap { engine.extractor.receiptNumber(in: $0) }
        var perChat: [Int: Set<String>] = [:]
        for (chat, texts) in lines.merging(later, uniquingKeysWith: +) {
            perChat[chat] = Set(texts.compactMap { engine.extractor.receiptNumber(in: $0) })
        }
        #expect(quoted.count >= 8)
        let all = perChat.values.flatMap { $0 }
        #expect(Set(all).count == all.count, "\(perChat)")
    }

    @Test func citizensGreetByTheOfficeClock() throws {
        let reference = try scenario("reference")
        let late = Fixtures.mondayMorning.addingTimeInterval(8 * 3600 + 51 * 60)  // 16:51
        var simulator = Simulator(scenarios: [reference], seed: 1, start: late, maximumCitizens: 1, script: engine.script)
        let first = run(&simulator, from: late, seconds: 20).lines[0]?.first
        #expect(first?.hasPrefix("Selamat sore") == true, "\(first ?? "")")
    }

    @Test func anEnglishWritingCitizenStaysInEnglish() throws {
        let investor = try scenario("investor")
        var simulator = Simulator(scenarios: [investor], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script)
        _ = run(&simulator, from: Fixtures.mondayMorning, seconds: 20)
        // A reply that misses, then silence: the retry and the nudge are in English too.
        _ = simulator.officerReplied(chat: 0, kind: .hoursInfo, at: Fixtures.mondayMorning.addingTimeInterval(21))
        let lines = run(&simulator, from: Fixtures.mondayMorning.addingTimeInterval(22), seconds: 400).lines[0] ?? []
        #expect(lines.count >= 2)
        for line in lines {
            #expect(!line.contains("saya") && !line.contains("Maaf") && !line.contains("Halo"), "\(line)")
        }
    }

    @Test func anythingElseIsAnsweredBeforeTheConversationEnds() throws {
        let information = try scenario("status_check")
        var simulator = Simulator(scenarios: [information], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script)
        var now = Fixtures.mondayMorning
        _ = run(&simulator, from: now, seconds: 20)
        now = now.addingTimeInterval(21)
        _ = simulator.officerReplied(chat: 0, reply: OfficerReply(kinds: [.statusInfo, .anythingElse]), at: now)
        _ = run(&simulator, from: now, seconds: 30)
        now = now.addingTimeInterval(31)
        // The last step expects "anything else?": the citizen answers it instead of leaving at once.
        let asked = simulator.officerReplied(chat: 0, kind: .anythingElse, at: now)
        #expect(!asked.contains(.finish(chat: 0)))
        let answer = run(&simulator, from: now, seconds: 30).lines[0] ?? []
        #expect(answer.last?.contains("itu saja") == true || answer.last?.contains("cukup") == true, "\(answer)")
        now = now.addingTimeInterval(31)
        #expect(simulator.officerReplied(chat: 0, kind: .farewell, at: now).contains(.finish(chat: 0)))
    }

    @Test func aReplyThatDoesSeveralThingsCountsForEach() throws {
        let information = try scenario("information")
        var simulator = Simulator(scenarios: [information], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script)
        _ = run(&simulator, from: Fixtures.mondayMorning, seconds: 20)
        let now = Fixtures.mondayMorning.addingTimeInterval(21)
        let outputs = simulator.officerReplied(chat: 0, reply: OfficerReply(kinds: [.anythingElse, .hoursInfo, .greeting]), at: now)
        let next = run(&simulator, from: now, seconds: 30).lines[0] ?? []
        #expect(outputs.contains { if case .typing = $0 { true } else { false } })
        #expect(next.last.map { $0.contains("Alamat") || $0.contains("di mana") } == true, "\(next)")
    }

    @Test func rudenessOffendsAndTwiceMakesTheCitizenLeave() throws {
        let reference = try scenario("reference")
        var simulator = Simulator(scenarios: [reference], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script)
        var now = Fixtures.mondayMorning
        _ = run(&simulator, from: now, seconds: 20)
        now = now.addingTimeInterval(21)
        _ = simulator.officerReplied(chat: 0, reply: OfficerReply(kinds: [.greeting], rude: true), at: now)
        let complaint = run(&simulator, from: now, seconds: 30).lines[0]?.last ?? ""
        var dialogue = Dialogue(engine: engine)
        #expect(dialogue.citizen(complaint).understanding.intent == .complaint, "\(complaint)")
        now = now.addingTimeInterval(31)
        let second = simulator.officerReplied(chat: 0, reply: OfficerReply(kinds: [.greeting], rude: true), at: now)
        #expect(second.contains(.leave(chat: 0)))
    }

    @Test func aWrongFactIsQuestioned() throws {
        let information = try scenario("information")
        var simulator = Simulator(scenarios: [information], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script)
        _ = run(&simulator, from: Fixtures.mondayMorning, seconds: 20)
        var conversation = Conversation(id: "fact")
        engine.receiveCitizen("Halo, kantor PTSP buka jam berapa ya?", in: &conversation, at: Fixtures.mondayMorning)
        let record = engine.recordOfficerReply(
            "Kami buka jam 9 sampai jam 5 sore, Bapak/Ibu. Terima kasih.", in: &conversation,
            judgedAt: Fixtures.mondayMorning.addingTimeInterval(21))
        #expect(record.reply.wrongFact)
        let now = Fixtures.mondayMorning.addingTimeInterval(21)
        _ = simulator.officerReplied(chat: 0, reply: record.reply, at: now)
        let doubt = run(&simulator, from: now, seconds: 30).lines[0]?.last ?? ""
        #expect(Catalogue.CitizenLines.doubtFact(english: false).contains(doubt), "\(doubt)")
    }

    @Test func followUpDeadlinesFallInsideOfficeHoursOnWorkingDays() {
        let calendar = engine.script.calendar
        // Every quarter of an hour over a week that ends with a weekend.
        for step in 0..<(7 * 96) {
            let moment = Fixtures.mondayMorning.addingTimeInterval(Double(step) * 900)
            let deadline = calendar.followupDeadline(from: moment, within: 24)
            let local = calendar.localTime(deadline)
            let minute = local.hour * 60 + local.minute
            let open = calendar.openIntervals(on: local.date).contains { $0.contains(minute) || $0.upperBound == minute }
            #expect(open, "\(moment) → \(local)")
            #expect(deadline > moment)
        }
    }

    @Test func aComplaintFollowUpPromisedAfterClosingNamesAnOpenHour() {
        var dialogue = Dialogue(engine: engine, at: "2026-11-30T16:50:00+07:00")
        dialogue.citizen("Izin saya sudah 3 minggu belum jadi, saya kecewa. Nomornya PTSP-20261110-0003")
        let followup = engine.suggestions(for: &dialogue.conversation, receipts: &dialogue.receipts, at: dialogue.time)
            .first { $0.kind == .complaintFollowup || $0.text.contains("paling lambat") }
        #expect(followup?.text.contains("pukul 15.00") == true, "\(followup?.text ?? "")")
        #expect(followup?.text.contains("16.51") == false)
    }

    @Test func nothingSaysTodayOnAClosedDay() {
        var sunday = Dialogue(engine: engine, at: "2026-12-06T10:00:00+07:00")
        let closed = sunday.citizen("berapa lama proses izin usaha?").suggestions.first { $0.kind == .durationInfo }
        #expect(closed?.text.contains("hari ini") == false, "\(closed?.text ?? "")")
        #expect(closed?.text.contains("Senin, 7 Desember 2026") == true, "\(closed?.text ?? "")")
        #expect(closed?.text.contains("Rabu, 9 Desember 2026") == true, "two working days after Monday")
        var monday = Dialogue(engine: engine, at: "2026-11-30T09:00:00+07:00")
        let open = monday.citizen("berapa lama proses izin usaha?").suggestions.first { $0.kind == .durationInfo }
        #expect(open?.text.contains("hari ini") == true, "\(open?.text ?? "")")
    }

    @Test func aFarewellAfterAnEarlierOfferOfHelpIsNotMarkedDown() {
        var dialogue = Dialogue(engine: engine)
        dialogue.citizen("jam buka kantor kapan?")
        dialogue.officer("Jam layanan Senin–Kamis pukul 08.00–15.00 WIB, Bapak. Ada lagi yang bisa kami bantu?")
        dialogue.citizen("alamatnya di mana?")
        dialogue.officer("Kantor kami di Jl. Merdeka No. 10 lantai 2, Bapak. Silakan datang.")
        dialogue.citizen("oke terima kasih")
        let verdict = engine.recordOfficer(
            "Sama-sama, Bapak. Selamat pagi.", kind: .farewell, in: &dialogue.conversation,
            judgedAt: dialogue.time.addingTimeInterval(20)).assessment
        #expect(!verdict.tips.contains(Catalogue.CoachTips.offerHelpFirst), "\(verdict.tips)")
    }

    @Test func theTrainingSourceHandsCitizensEverythingAReplyDid() throws {
        let reference = try scenario("reference")
        var source = SimulatedCitizens(
            simulator: Simulator(scenarios: [reference], seed: 1, start: Fixtures.mondayMorning, maximumCitizens: 1, script: engine.script),
            engine: engine)
        var now = Fixtures.mondayMorning
        for _ in 0..<20 {
            now = now.addingTimeInterval(1)
            _ = source.poll(now: now)
        }
        _ = source.perform(.reply(key: "warga-1", text: "Bodoh banget sih, Bapak. Terima kasih.", kind: .greeting, localID: "r1"), now: now)
        var said: [String] = []
        for _ in 0..<40 {
            now = now.addingTimeInterval(1)
            for event in source.poll(now: now) { if case .citizenSaid(_, let text, _, _) = event { said.append(text) } }
        }
        #expect(said.contains { Catalogue.CitizenLines.offended(english: false).contains($0) }, "\(said)")
        // A training session hands its engine to the source, so the screen needs no extra wiring.
        let session = CounterSession(
            state: AppState(now: Fixtures.mondayMorning, width: 100, height: 30),
            source: SimulatedCitizens(simulator: Simulator(scenarios: [reference], seed: 1, start: Fixtures.mondayMorning)),
            engine: engine)
        #expect(session.source.engine != nil)
    }
}
