import Foundation
import LoketCore
import Testing

@testable import LoketUI

/// A screen with an engine and a fixed clock, driven through the same `update` as the real app.
struct ScreenFixture {
    let engine: Engine
    let renderer: Renderer
    var state: AppState

    /// Monday 30 November 2026, 08:00 WIB.
    static let start = Date(timeIntervalSince1970: 1_796_000_400)

    init(width: Int = 60, height: Int = 16) throws {
        let script = try ScriptLoader.loadDefault()
        engine = Engine(script: script)
        renderer = Renderer(calendar: script.calendar)
        state = AppState(now: Self.start, width: width, height: height)
    }

    mutating func advance(_ seconds: TimeInterval) {
        _ = state.update(.tick(state.now.addingTimeInterval(seconds)), engine: engine)
    }

    @discardableResult
    mutating func arrive(_ name: String?, honorific: Honorific? = nil, priority: Bool = false) -> Int {
        state.addCitizen(name: name, honorific: honorific, priority: priority, engine: engine)
    }

    mutating func citizen(_ index: Int, says text: String) {
        state.receive(text, chat: index, engine: engine)
    }

    mutating func press(_ keys: Key...) {
        for key in keys { _ = state.update(.key(key), engine: engine) }
    }

    mutating func type(_ text: String) {
        for character in text { press(.character(character)) }
    }

    var lines: [String] { renderer.render(state).buffer.lines }
    var frame: Frame { renderer.render(state) }
}

@Suite("Counter screen rendering")
struct RendererTests {
    @Test func wholeScreenWithOneConversation() throws {
        var screen = try ScreenFixture()
        screen.arrive("Budi Santoso", honorific: .bapak)
        screen.citizen(0, says: "Selamat pagi, saya ingin mengurus perpanjangan izin usaha")
        screen.advance(75)
        #expect(screen.lines == [
            "┌ Antrian (1) ───────┐┌ Budi Santoso · izin usaha · perm…──┐",
            "│▶ Budi Santoso 01:15││08:00 Budi Sa… Selamat pagi, saya   │",
            "│  izin usaha · per… ││               ingin mengurus       │",
            "│                    ││               perpanjangan izin    │",
            "│                    ││               usaha                │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "│                    ││                                    │",
            "└────────────────────┘└────────────────────────────────────┘",
            " Saran · permohonan layanan ▸ 1 Tentu,… 2 Persya… 3 Proses… ",
            ">                                                           ",
            " F1 Bantuan  Tab Saran  Enter Kirim… 1 menunggu · 08:01 WIB ",
        ])
        #expect(screen.frame.cursor?.x == 2 && screen.frame.cursor?.y == 14)
    }

    @Test func transcriptNamesTheCitizenInFullUpToTheColumn() throws {
        var screen = try ScreenFixture(width: 60, height: 16)
        let index = screen.arrive("drg. Sari", honorific: .ibu)
        screen.citizen(index, says: "Selamat pagi")
        #expect(screen.lines[1].contains("08:00 drg. Sa… Selamat pagi"), "not just \"drg.\"")
        var other = try ScreenFixture(width: 60, height: 16)
        let short = other.arrive("H. Ali")
        other.citizen(short, says: "Permisi")
        #expect(other.lines[1].contains("08:00 H. Ali   Permisi"))
    }

    @Test func emptyScreenWaitsForCitizens() throws {
        let screen = try ScreenFixture()
        #expect(screen.lines[0] == "┌ Antrian (0) ───────┐┌ Antrian ───────────────────────────┐")
        #expect(screen.lines[1] == "│                    ││ Belum ada percakapan. Warga akan … │")
    }

    @Test func wideCharactersAndEmojiAtPaneEdgesKeepTheBorders() throws {
        var screen = try ScreenFixture()
        screen.arrive("Sari 🌸", honorific: .ibu)
        // 21 columns of text fit the chat pane; the emoji lands on the edge and must move to the next line.
        screen.citizen(0, says: "Terima kasih banyak 🙏 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字")
        let lines = screen.lines
        for (row, line) in lines.enumerated() {
            #expect(DisplayWidth.of(line) == 60, "row \(row) is \(DisplayWidth.of(line)) columns: \(line)")
        }
        #expect(lines[1] == "│▶ Sari 🌸      00:00││08:00 Sari 🌸  Terima kasih banyak  │")
        #expect(lines[2] == "│  salam             ││               🙏                   │")
        #expect(lines[3] == "│                    ││               漢字漢字漢字漢字漢字 │")
        #expect(lines[4] == "│                    ││               漢字漢字漢字漢字漢字 │")
        #expect(lines[5] == "│                    ││               漢字漢字             │")
    }

    @Test func queueSortsPriorityFirstThenLongestWaitAndMarksUnread() throws {
        var screen = try ScreenFixture()
        screen.arrive("Ani")
        screen.citizen(0, says: "halo")
        screen.advance(30)
        screen.arrive("Joko")
        screen.citizen(1, says: "halo")
        screen.advance(30)
        screen.arrive("Rina", priority: true)
        screen.citizen(2, says: "halo")
        screen.citizen(1, says: "ada orang?")
        screen.advance(5)
        let queue = screen.lines[1...6].map { String($0.prefix(22)) }
        #expect(queue == [
            "│  Rina     !•1 00:05│",
            "│  salam             │",
            "│▶ Ani          01:05│",
            "│  salam             │",
            "│  Joko      •2 00:35│",
            "│  salam             │",
        ])
        // Ctrl-N follows the queue order; reading a chat clears its unread count.
        screen.press(.control("n"))
        #expect(screen.state.selected == 1)
        #expect(screen.lines[5].hasPrefix("│▶ Joko         00:35│"))
    }

    @Test func waitColoursTurnAtTheThresholds() throws {
        var screen = try ScreenFixture()
        screen.arrive("Ani")
        screen.citizen(0, says: "halo")
        let waitColumn = 17
        screen.advance(30)
        #expect(screen.frame.buffer[waitColumn, 1].style.role == Role.queueSelected)
        screen.advance(40)
        #expect(screen.frame.buffer[waitColumn, 1].style.role == Role.queueWarn)
        screen.advance(200)
        #expect(screen.frame.buffer[waitColumn, 1].style.role == Role.queueBreach)
        #expect(screen.lines[1].hasSuffix("04:30││08:00 Ani      halo                 │"))
        // Answering stops the clock.
        screen.press(.tab, .enter)
        #expect(screen.lines[1].hasPrefix("│▶ Ani               ││"))
    }

    @Test func statusBarKeepsTheKeysWholeAndShowsAllCountsWhenThereIsRoom() throws {
        var wide = try ScreenFixture(width: 120, height: 20)
        wide.arrive("Ani")
        wide.citizen(0, says: "halo")
        #expect(wide.lines[19] == " F1 Bantuan  Tab Saran  Enter Kirim  ^N/^P Antrian  F10 Keluar"
            + "             1 menunggu · 0 aktif · 0 selesai · 08:00 WIB ")
        var medium = try ScreenFixture(width: 100, height: 20)
        medium.arrive("Ani")
        #expect(medium.lines[19].hasPrefix(" F1 Bantuan  Tab Saran  Enter Kirim  ^N/^P Antrian  F10 Keluar"))
        #expect(medium.lines[19].hasSuffix("0 menunggu · 08:00 WIB "))
    }

    @Test func longWaitsShowHoursAndMinutes() {
        #expect(Renderer.formatWait(59) == "00:59")
        #expect(Renderer.formatWait(3599) == "59:59")
        #expect(Renderer.formatWait(3600 + 5 * 60) == "1j05")
        #expect(Renderer.formatWait(30 * 3600) == "30j00")
    }

    @Test func tooSmallTerminalSaysSo() throws {
        var screen = try ScreenFixture(width: 40, height: 10)
        screen.arrive("Ani")
        #expect(screen.lines == [
            "                                        ",
            "                                        ",
            "                                        ",
            "                                        ",
            "         Terminal terlalu kecil         ",
            "             minimal 60×16              ",
            "                                        ",
            "                                        ",
            "                                        ",
            "                                        ",
        ])
        #expect(screen.frame.cursor == nil)
    }

    @Test func helpOverlayListsTheKeys() throws {
        var screen = try ScreenFixture(width: 80, height: 24)
        screen.press(.function(1))
        let text = screen.lines.joined(separator: "\n")
        for key in ["Bantuan", "Tab", "Enter", "Ctrl-N / Ctrl-P", "F10 / Ctrl-C", "F1 / Esc"] {
            #expect(text.contains(key), "help lacks \(key)")
        }
        screen.press(.escape)
        #expect(!screen.lines.joined().contains("Ctrl-N / Ctrl-P"))
    }

    @Test func typingIndicatorAndNewMessageMarker() throws {
        var screen = try ScreenFixture()
        screen.arrive("Ani")
        for number in 1...20 { screen.citizen(0, says: "pesan \(number)") }
        screen.state.setTyping(chat: 0, until: screen.state.now.addingTimeInterval(5))
        #expect(screen.lines[11] == "│                    ││ Ani sedang mengetik…               │")
        screen.press(.pageUp)
        screen.citizen(0, says: "pesan baru")
        let lines = screen.lines
        #expect(lines[11] == "│                    ││ ▼ pesan baru                       │")
        #expect(!lines.joined().contains("Ani      pesan baru"), "scrolled back: the new message is not in view")
        #expect(lines[10].contains("pesan 13"), "half a pane up: pesan 4 to 13 in view")
        screen.press(.pageDown)
        #expect(screen.lines[11] == "│                    ││08:00 Ani      pesan baru           │")
    }

    @Test func longDraftWrapsToThreeLinesAndTheCursorFollows() throws {
        var screen = try ScreenFixture()
        screen.arrive("Ani")
        screen.type(String(repeating: "kata ", count: 30))
        let lines = screen.lines
        #expect(lines[11].hasPrefix(" Saran · salam ▸ "))
        // Wrapped at spaces: 11 words of "kata " fill 55 of the 58 columns.
        #expect(lines[12] == "> kata kata kata kata kata kata kata kata kata kata kata    ")
        #expect(lines[13] == "  kata kata kata kata kata kata kata kata kata kata kata    ")
        #expect(lines[14] == "  kata kata kata kata kata kata kata kata                   ")
        #expect(lines[15].hasPrefix(" F1 Bantuan"))
        #expect(screen.frame.cursor?.x == 42 && screen.frame.cursor?.y == 14)
        screen.press(.home)
        #expect(screen.frame.cursor?.x == 2 && screen.frame.cursor?.y == 12)
    }

    @Test func selectedSuggestionAndItsWhy() throws {
        var screen = try ScreenFixture(width: 120, height: 20)
        screen.arrive("Ani")
        screen.citizen(0, says: "mau urus nib")
        screen.press(.tab, .tab)
        let rowIndex = try #require(screen.lines.firstIndex { $0.hasPrefix(" Saran") })
        let row = screen.lines[rowIndex]
        #expect(row.contains("2 Persyaratan Nomor Induk Be…"))
        let position = row.distance(from: row.startIndex, to: row.range(of: "Persyaratan")?.lowerBound ?? row.startIndex)
        #expect(screen.frame.buffer[position, rowIndex].style.role == Role.suggestionSelected)
        #expect(screen.state.input.text.hasPrefix("Persyaratan Nomor Induk Berusaha (NIB) adalah: KTP"))
        screen.press(.function(2))
        #expect(screen.lines[rowIndex].contains("▸ Alasan 2: Sampaikan persyaratan Nomor Induk Berusaha (NIB) sebelum ditanya."))
    }

    @Test func renderingReadsOnlyTheVisiblePart() throws {
        var screen = try ScreenFixture(width: 200, height: 60)
        for number in 0..<2_000 { screen.arrive("Warga \(number)") }
        for number in 0..<5_000 { screen.citizen(0, says: "pesan nomor \(number)") }
        let lines = screen.lines
        #expect(lines[1].contains("Warga 0"))
        #expect(lines[55].contains("pesan nomor 4999"))
        #expect(lines[1].contains("pesan nomor 4945"))
    }
}
