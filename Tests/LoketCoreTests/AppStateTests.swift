import Foundation
import Testing

@testable import LoketCore

@Suite("Counter screen state")
struct AppStateTests {
    let engine: Engine
    let scenarios: [Scenario]
    static let start = Fixtures.mondayMorning

    init() throws {
        engine = try Fixtures.engine()
        scenarios = try Fixtures.scenarios()
    }

    typealias Session = CounterSession<SimulatedCitizens>

    /// A trainee's screen with seeded simulated citizens, driven as the real loop drives it.
    private func state(seed: UInt64 = 1, scenarios: [Scenario]? = nil, maximum: Int? = nil) -> Session {
        let simulator = Simulator(
            scenarios: scenarios ?? self.scenarios, seed: seed, start: Self.start, meanArrivalSeconds: 60,
            maximumCitizens: maximum)
        return Session(
            state: AppState(now: Self.start, width: 100, height: 30), source: SimulatedCitizens(simulator: simulator),
            engine: engine)
    }

    private func tick(_ state: inout Session, seconds: Int) {
        for _ in 0..<seconds { state.advance(to: state.now.addingTimeInterval(1)) }
    }

    /// Presses `keys`; `[.quit]` when one of them quits.
    private func press(_ state: inout Session, _ keys: Key...) -> [AppEffect] {
        keys.contains { state.handle(.key($0)) } ? [.quit] : []
    }

    /// Presses `keys` on a screen without a citizen source; the effects `update` returned.
    private func press(_ state: inout AppState, _ keys: Key...) -> [AppEffect] {
        keys.flatMap { state.update(.key($0), engine: engine) }
    }

    /// A diligent trainee: whenever a citizen waits, answer with the top suggestion after a few seconds.
    private func playShift(seed: UInt64, minutes: Int, maximum: Int) -> Session {
        var state = state(seed: seed, maximum: maximum)
        for _ in 0..<(minutes * 60) {
            tick(&state, seconds: 1)
            if let index = state.order.first(where: { state.chats[$0].waitingSince.map { state.now.timeIntervalSince($0) >= 5 } ?? false }) {
                while state.selected != index { _ = press(&state, .control("n")) }
                _ = press(&state, .tab, .enter)
            }
        }
        return state
    }

    @Test func scenariosCoverTheRequiredCitizens() {
        let ids = Set(scenarios.map(\.id))
        #expect(scenarios.count >= 9)
        for id in ["reference", "documents_incomplete", "complaint", "information", "status_check", "angry",
                   "formal_elderly", "young_slang", "investor"] {
            #expect(ids.contains(id), "missing scenario \(id)")
        }
    }

    @Test func aSeededShiftIsReproducibleAndADiligentTraineeFinishesIt() {
        let first = playShift(seed: 42, minutes: 20, maximum: 6)
        let again = playShift(seed: 42, minutes: 20, maximum: 6)
        #expect(first.chats.count == 6)
        #expect(first.chats.map { $0.messages.map(\.text) } == again.chats.map { $0.messages.map(\.text) })
        #expect(first.chats.map(\.status) == again.chats.map(\.status))
        // Answering every citizen with the engine's top suggestion carries every scenario through.
        #expect(first.chats.allSatisfy { $0.status == .finished }, "\(first.chats.map { ($0.displayName, $0.status, $0.messages.last?.text ?? "") })")
        #expect(first.doneCount == 6 && first.order.isEmpty)
        let other = playShift(seed: 7, minutes: 20, maximum: 6)
        #expect(other.chats.map { $0.messages.first?.text } != first.chats.map { $0.messages.first?.text })
    }

    @Test func theReferenceCitizenFollowsTheModelDialogue() throws {
        let reference = try #require(scenarios.first { $0.id == "reference" })
        var state = state(scenarios: [reference], maximum: 1)
        tick(&state, seconds: 10)
        #expect(state.chats.first?.messages.first?.text.hasPrefix("Selamat pagi") == true)
        #expect(state.chats.first?.displayName == "Budi Santoso")
        var sent: [ReplyKind] = []
        for _ in 0..<6 {
            guard let top = state.suggestions.first else { break }
            sent.append(top.kind)
            _ = press(&state, .tab, .enter)
            tick(&state, seconds: 30)
        }
        #expect(sent == [.greeting, .askDocuments, .checkDocuments, .documentsComplete, .receipt, .farewell])
        #expect(state.chats[0].status == .finished)
        #expect(state.chats[0].messages.last?.text == Catalogue.Screen.citizenFinished)
    }

    @Test func aReplyThatMissesMakesTheCitizenAskAgain() throws {
        let information = try #require(scenarios.first { $0.id == "information" })
        var state = state(scenarios: [information], maximum: 1)
        tick(&state, seconds: 15)
        let asked = state.chats[0].messages.count
        for character in "Silakan datang saja" { _ = press(&state, .character(character)) }
        _ = press(&state, .enter)
        tick(&state, seconds: 40)
        let messages = state.chats[0].messages
        #expect(messages.count == asked + 3, "the reply, the coach's note, the question again")
        #expect(messages.last?.author == .citizen)
        #expect(Catalogue.CitizenLines.retries.contains(messages.last?.text ?? ""))
        #expect(state.chats[0].waitingSince != nil)
    }

    @Test func silenceBringsNudgesThenTheCitizenLeaves() throws {
        let angry = try #require(scenarios.first { $0.id == "angry" })
        var state = state(scenarios: [angry], maximum: 1)
        tick(&state, seconds: 20)
        #expect(state.chats[0].priority)
        tick(&state, seconds: 70)
        #expect(state.chats[0].messages.last?.text == Catalogue.CitizenLines.nudges[0])
        tick(&state, seconds: 200)
        #expect(state.chats[0].status == .left)
        #expect(state.chats[0].messages.last?.text == Catalogue.Screen.citizenLeft)
        #expect(state.order.isEmpty)
    }

    @Test func typingShowsUntilTheMessageArrives() {
        var state = state(maximum: 1)
        tick(&state, seconds: 2)
        #expect(state.chats.count == 1)
        #expect(state.chats[0].typingUntil != nil)
        #expect(state.chats[0].messages.isEmpty)
        tick(&state, seconds: 20)
        #expect(state.chats[0].typingUntil == nil)
        #expect(state.chats[0].messages.count == 1)
    }

    @Test func tabCyclesSuggestionsAndEnterSends() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let index = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        state.receive("mau urus nib", chat: index, engine: engine)
        _ = press(&state, .tab)
        #expect(state.input.text == state.suggestions[0].text)
        _ = press(&state, .tab)
        #expect(state.input.text == state.suggestions[1].text)
        _ = press(&state, .backTab)
        #expect(state.input.text == state.suggestions[0].text)
        let sent = state.input.text
        _ = press(&state, .enter)
        #expect(state.chats[index].messages.last { $0.author == .officer }?.text == sent)
        #expect(state.chats[index].messages.last?.author == .coach)
        #expect(state.chats[index].conversation.stage == .documentsRequested)
        #expect(state.chats[index].waitingSince == nil)
        #expect(state.input.isEmpty)
        _ = press(&state, .up)
        #expect(state.input.text == sent, "history recalls the sent line")
    }

    @Test func draftsSurviveSwitchingConversations() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let first = state.addCitizen(name: "Ani", honorific: nil, priority: false, engine: engine)
        let second = state.addCitizen(name: "Budi", honorific: nil, priority: false, engine: engine)
        state.receive("halo", chat: first, engine: engine)
        state.receive("halo", chat: second, engine: engine)
        for character in "Draf untuk Ani 🙏" { _ = press(&state, .character(character)) }
        _ = press(&state, .control("n"))
        #expect(state.selected == second)
        #expect(state.input.isEmpty)
        for character in "untuk Budi" { _ = press(&state, .character(character)) }
        _ = press(&state, .control("p"))
        #expect(state.input.text == "Draf untuk Ani 🙏")
        _ = press(&state, .control("p"))
        #expect(state.input.text == "untuk Budi")
    }

    @Test func upRecallsOnlyWhatWasSentToThisCitizen() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let ani = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        let budi = state.addCitizen(name: "Budi", honorific: .bapak, priority: false, engine: engine)
        state.receive("halo", chat: ani, engine: engine)
        state.receive("halo", chat: budi, engine: engine)
        for character in "Untuk Ibu Ani" { _ = press(&state, .character(character)) }
        _ = press(&state, .enter)
        _ = press(&state, .control("n"))
        #expect(state.selected == budi)
        _ = press(&state, .up)
        #expect(state.input.isEmpty, "Budi was sent nothing: ↑ must not bring back Ani's line")
        for character in "Untuk Bapak Budi" { _ = press(&state, .character(character)) }
        _ = press(&state, .enter)
        _ = press(&state, .up)
        #expect(state.input.text == "Untuk Bapak Budi")
        _ = press(&state, .up)
        #expect(state.input.text == "Untuk Bapak Budi", "the oldest line stays; nothing of Ani's")
        _ = press(&state, .control("p"))
        _ = press(&state, .up)
        #expect(state.input.text == "Untuk Ibu Ani")
    }

    @Test func f7JumpsToTheCitizenWhoHasWaitedLongest() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let first = state.addCitizen(name: "Ani", honorific: nil, priority: false, engine: engine)
        state.receive("halo", chat: first, engine: engine)
        _ = state.update(.tick(Self.start.addingTimeInterval(30)), engine: engine)
        let priority = state.addCitizen(name: "Pak Joko", honorific: nil, priority: true, engine: engine)
        state.receive("halo", chat: priority, engine: engine)
        let answered = state.addCitizen(name: "Budi", honorific: nil, priority: false, engine: engine)
        _ = answered
        _ = press(&state, .control("n"))
        #expect(state.selected != first)
        _ = press(&state, .function(7))
        #expect(state.selected == first, "Ani has waited 30 s longer than the priority citizen")
    }

    @Test func theSelectionStaysOnTheSameCitizenWhenTheQueueResorts() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let ani = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        let budi = state.addCitizen(name: "Budi", honorific: .bapak, priority: false, engine: engine)
        state.receive("halo", chat: ani, engine: engine)
        _ = state.update(.tick(Self.start.addingTimeInterval(20)), engine: engine)
        state.receive("mau urus nib", chat: budi, engine: engine)
        _ = press(&state, .control("n"))
        #expect(state.selected == budi)
        for character in "Untuk Pak Budi" { _ = press(&state, .character(character)) }
        // A priority citizen arrives and writes, and Ani writes again: the rows above Budi move, he stays selected.
        let joko = state.addCitizen(name: "Pak Joko", honorific: .bapak, priority: true, engine: engine)
        state.receive("permisi", chat: joko, engine: engine)
        state.receive("halo? masih ada petugas?", chat: ani, engine: engine)
        #expect(state.order.first == joko, "the queue did re-sort: \(state.order)")
        #expect(state.selected == budi)
        #expect(state.selectedChat?.name == "Budi")
        #expect(state.input.text == "Untuk Pak Budi")
        // Sending goes to Budi, the citizen the officer was looking at.
        _ = press(&state, .enter)
        #expect(state.chats[budi].messages.last { $0.author == .officer }?.text == "Untuk Pak Budi")
        #expect(!state.chats[ani].messages.contains { $0.author == .officer })
        #expect(!state.chats[joko].messages.contains { $0.author == .officer })
        #expect(state.selected == budi, "the reply re-sorted the queue under the cursor")
    }

    @Test func afterAReplyCtrlNGoesOnDownTheQueueAndF7ToTheLongestWaiting() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let joko = state.addCitizen(name: "Pak Joko", honorific: .bapak, priority: true, engine: engine)
        let ani = state.addCitizen(name: "Ani", honorific: .ibu, priority: false, engine: engine)
        let budi = state.addCitizen(name: "Budi", honorific: .bapak, priority: false, engine: engine)
        let citra = state.addCitizen(name: "Citra", honorific: .ibu, priority: false, engine: engine)
        for (offset, chat) in [ani, budi, citra, joko].enumerated() {
            _ = state.update(.tick(Self.start.addingTimeInterval(Double(offset * 10))), engine: engine)
            state.receive("halo", chat: chat, engine: engine)
        }
        #expect(state.order == [joko, ani, budi, citra])
        _ = press(&state, .control("n"))
        #expect(state.selected == ani)
        for character in "Selamat pagi, Ibu" { _ = press(&state, .character(character)) }
        _ = press(&state, .enter)
        #expect(state.order == [joko, budi, citra, ani], "answered, Ani goes to the end of the queue")
        // Ctrl-N goes on to the citizen who was after Ani, not round to the priority citizen at the top.
        _ = press(&state, .control("n"))
        #expect(state.selected == budi)
        _ = press(&state, .control("n"))
        #expect(state.selected == citra)
        _ = press(&state, .control("p"))
        #expect(state.selected == budi)
        // F7 goes to the longest unanswered wait: after Budi's reply that is Citra's (10 s before Pak Joko's).
        for character in "Selamat pagi, Pak" { _ = press(&state, .character(character)) }
        _ = press(&state, .enter)
        _ = press(&state, .function(7))
        #expect(state.selected == citra, "after Budi's reply the longest wait is Citra's")
        _ = press(&state, .control("p"))
        _ = press(&state, .control("p"))
        _ = press(&state, .function(7))
        #expect(state.selected == citra)
    }

    @Test func f8OpensFinishedConversationsForReading() {
        var session = state(seed: 2)
        while session.state.chats.filter({ $0.status != .active }).count < 2, session.now < Self.start.addingTimeInterval(3600) {
            session.advance(to: session.now.addingTimeInterval(5))
        }
        let finished = session.chats.indices.filter { session.chats[$0].status != .active }
        #expect(finished.count >= 2, "citizens left unanswered")
        _ = press(&session, .function(8))
        let first = session.selected
        #expect(first.map { session.chats[$0].status != .active } == true)
        #expect(first.map { !session.chats[$0].messages.isEmpty } == true, "its transcript can be read")
        #expect(session.suggestions.isEmpty)
        _ = press(&session, .function(8))
        #expect(session.selected != first)
        #expect(session.selected.map { finished.contains($0) } == true)
    }

    @Test func quitAsksFirstWhenDraftsAreUnsent() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        #expect(press(&state, .function(10)) == [.quit])
        let index = state.addCitizen(name: "Ani", honorific: nil, priority: false, engine: engine)
        state.receive("halo", chat: index, engine: engine)
        _ = press(&state, .character("1"))
        #expect(press(&state, .function(10)).isEmpty)
        #expect(state.confirmingQuit)
        #expect(press(&state, .character("n")).isEmpty)
        #expect(!state.confirmingQuit)
        #expect(state.input.text == "1", "digits are text and the draft is intact")
        #expect(press(&state, .control("c")).isEmpty)
        #expect(press(&state, .character("y")) == [.quit])
        #expect(state.update(.inputClosed, engine: engine) == [.quit])
    }

    @Test func inputLineEditsByGrapheme() {
        var line = InputLine("kopi ☕ susu")
        line.moveLeft(); line.moveLeft(); line.moveLeft(); line.moveLeft(); line.moveLeft()
        line.deleteBackward()
        #expect(line.text == "kopi  susu")
        line.insert("🇮🇩")
        #expect(line.text == "kopi 🇮🇩 susu")
        line.moveEnd()
        line.deleteWordBackward()
        #expect(line.text == "kopi 🇮🇩 ")
        line.moveHome()
        line.deleteForward()
        #expect(line.text == "opi 🇮🇩 ")
        line.moveEnd()
        line.insert("e")
        line.insert("\u{301}")
        #expect(line.characters.last == "é")
        #expect(line.cursor == line.characters.count)
        line.moveLeft()
        line.deleteToStart()
        #expect(line.text == "é")
    }

    @Test func lettersAndDigitsAlwaysGoToTheInputLine() {
        var state = AppState(now: Self.start, width: 100, height: 30)
        let index = state.addCitizen(name: "Ani", honorific: nil, priority: false, engine: engine)
        state.receive("halo", chat: index, engine: engine)
        for character in "q1 23 nNpP" { _ = press(&state, .character(character)) }
        #expect(state.input.text == "q1 23 nNpP")
        #expect(state.selected == index)
    }

    @Test func badScenarioFilesNameLineAndKey() {
        do {
            _ = try ScenarioLoader.parse("[[scenario]]\nid = \"x\"\n[[scenario.step]]\nsay = \"halo\"\nexpect = [\"dance\"]\n", source: "s.toml")
            Issue.record("accepted an unknown reply kind")
        } catch {
            #expect(error.file == "s.toml")
            #expect(error.line == 5)
            #expect(error.key == "scenario.x.step.expect")
        }
        #expect(throws: DataFileError.self) { try ScenarioLoader.parse("[[scenario]]\nid = \"x\"\n", source: "s.toml") }
        #expect(throws: DataFileError.self) { try ScenarioLoader.parse("scenario = 1", source: "s.toml") }
    }
}
